package org.openledger.bridge.settle;

import java.math.BigInteger;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The only batch id the Settlement contract accepts for a sub-batch of a window: {@code
 * keccak256(abi.encode(uint256 chainId, uint256 start, uint256 end, uint256 subBatch))}, the id the
 * payment job gives it. A window therefore cannot be paid under an invented id.
 */
public final class WindowBatchId {

  private WindowBatchId() {}

  public static byte[] of(long chainId, long windowStart, long windowEnd, long subBatch) {
    String encoded =
        TypeEncoder.encode(new Uint256(BigInteger.valueOf(chainId)))
            + TypeEncoder.encode(new Uint256(BigInteger.valueOf(windowStart)))
            + TypeEncoder.encode(new Uint256(BigInteger.valueOf(windowEnd)))
            + TypeEncoder.encode(new Uint256(BigInteger.valueOf(subBatch)));
    return Hash.sha3(Numeric.hexStringToByteArray(encoded));
  }

  /** {@link #of} as 0x + 64 lowercase hex, the form of {@code PayoutBatch.batchId}. */
  public static String hex(long chainId, long windowStart, long windowEnd, long subBatch) {
    return Numeric.toHexString(of(chainId, windowStart, windowEnd, subBatch));
  }
}
