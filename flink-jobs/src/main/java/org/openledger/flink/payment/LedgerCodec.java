package org.openledger.flink.payment;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.openledger.flink.domain.FeeSplit;
import org.openledger.flink.domain.PaymentParams;
import org.openledger.flink.domain.PayoutBatcher;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.flink.domain.SettlementWindows;

/**
 * The payment ledger's records in a compact binary form for its state, checkpoints and the records
 * between its operators ({@link LedgerSerializer}). Flink's POJO serializer spent most of the
 * ledger's checkpoint time writing 0x-hex hashes char by char and copying every record on each
 * hand-over; here a lowercase 0x-hex string is written as its bytes, an amount as its two's
 * complement bytes ({@link BigInteger#toByteArray}, any size, exact), and the accruals of an
 * inference share its fee's position. Every value reads back equal to what was written.
 */
final class LedgerCodec {

  private static final byte NULL = 0;
  private static final byte TEXT = 1;
  private static final byte HEX = 2;
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private LedgerCodec() {}

  // --- strings and amounts

  /** A string; as bytes when it is 0x-prefixed lowercase hex of whole bytes (hashes, addresses). */
  static void writeString(String s, DataOutputView out) throws IOException {
    if (s == null) {
      out.writeByte(NULL);
    } else if (isLowerHex(s)) {
      out.writeByte(HEX);
      byte[] bytes = new byte[(s.length() - 2) / 2];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) ((nibble(s.charAt(2 + 2 * i)) << 4) | nibble(s.charAt(3 + 2 * i)));
      }
      out.writeInt(bytes.length);
      out.write(bytes); // one call: a checkpoint stream's per-byte writes were a cost of their own
    } else {
      out.writeByte(TEXT);
      StringValue.writeString(s, out);
    }
  }

  static String readString(DataInputView in) throws IOException {
    byte tag = in.readByte();
    if (tag == NULL) {
      return null;
    } else if (tag == TEXT) {
      return StringValue.readString(in);
    } else if (tag != HEX) {
      throw new IOException("corrupt ledger state: string tag " + tag);
    }
    int n = in.readInt();
    char[] chars = new char[2 + 2 * n];
    chars[0] = '0';
    chars[1] = 'x';
    for (int i = 0; i < n; i++) {
      int b = in.readUnsignedByte();
      chars[2 + 2 * i] = DIGITS[b >>> 4];
      chars[3 + 2 * i] = DIGITS[b & 0xf];
    }
    return new String(chars);
  }

  private static int nibble(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  }

  private static boolean isLowerHex(String s) {
    int n = s.length();
    if (n < 2 || n % 2 != 0 || s.charAt(0) != '0' || s.charAt(1) != 'x') {
      return false;
    }
    for (int i = 2; i < n; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** An exact amount of any size (a uint256 needs up to 33 bytes), or null. */
  static void writeAmount(BigInteger v, DataOutputView out) throws IOException {
    if (v == null) {
      out.writeInt(-1);
      return;
    }
    byte[] bytes = v.toByteArray();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static BigInteger readAmount(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return new BigInteger(bytes);
  }

  // --- positions and inputs

  static void writePosition(Position p, DataOutputView out) throws IOException {
    out.writeBoolean(p != null);
    if (p != null) {
      out.writeLong(p.chainId());
      out.writeLong(p.block());
      writeString(p.blockHash(), out);
      out.writeLong(p.blockTimestamp());
      writeString(p.txHash(), out);
      out.writeInt(p.logIndex());
    }
  }

  static Position readPosition(DataInputView in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new Position(
        in.readLong(), in.readLong(), readString(in), in.readLong(), readString(in), in.readInt());
  }

  static void writeInput(PaymentInput v, DataOutputView out) throws IOException {
    out.writeByte(v.kind() == null ? -1 : v.kind().ordinal());
    out.writeBoolean(v.removed());
    writePosition(v.position(), out);
    out.writeByte(
        (v.fee() != null ? 1 : 0)
            | (v.result() != null ? 2 : 0)
            | (v.params() != null ? 4 : 0)
            | (v.owner() != null ? 8 : 0));
    if (v.fee() != null) {
      out.writeLong(v.fee().inferenceId());
      out.writeLong(v.fee().modelId());
      writeAmount(v.fee().amount(), out);
    }
    if (v.result() != null) {
      out.writeLong(v.result().inferenceId());
      out.writeLong(v.result().modelId());
      List<FeeSplit.Share> shares = v.result().shares();
      out.writeInt(shares == null ? -1 : shares.size());
      if (shares != null) {
        for (FeeSplit.Share s : shares) {
          out.writeLong(s.contributionId());
          writeString(s.contributor(), out);
          out.writeLong(s.weight());
        }
      }
    }
    if (v.params() != null) {
      writeParams(v.params(), out);
    }
    if (v.owner() != null) {
      out.writeLong(v.owner().modelId());
      writeString(v.owner().address(), out);
    }
  }

  static PaymentInput readInput(DataInputView in) throws IOException {
    byte kind = in.readByte();
    boolean removed = in.readBoolean();
    Position position = readPosition(in);
    int present = in.readByte();
    PaymentInput.Fee fee = null;
    PaymentInput.Result result = null;
    PaymentParams params = null;
    PaymentInput.Owner owner = null;
    if ((present & 1) != 0) {
      fee = new PaymentInput.Fee(in.readLong(), in.readLong(), readAmount(in));
    }
    if ((present & 2) != 0) {
      long inference = in.readLong();
      long model = in.readLong();
      int n = in.readInt();
      List<FeeSplit.Share> shares = null;
      if (n >= 0) {
        FeeSplit.Share[] read = new FeeSplit.Share[n];
        for (int i = 0; i < n; i++) {
          read[i] = new FeeSplit.Share(in.readLong(), readString(in), in.readLong());
        }
        shares = List.of(read);
      }
      result = new PaymentInput.Result(inference, model, shares);
    }
    if ((present & 4) != 0) {
      params = readParams(in);
    }
    if ((present & 8) != 0) {
      owner = new PaymentInput.Owner(in.readLong(), readString(in));
    }
    return new PaymentInput(
        kind < 0 ? null : PaymentInput.Kind.values()[kind],
        removed,
        position,
        fee,
        result,
        params,
        owner);
  }

  private static void writeParams(PaymentParams p, DataOutputView out) throws IOException {
    out.writeLong(p.version());
    out.writeLong(p.effectiveBlock());
    writeString(p.eventId(), out);
    out.writeBoolean(p.bps() != null);
    if (p.bps() != null) {
      out.writeInt(p.bps().contributor());
      out.writeInt(p.bps().owner());
      out.writeInt(p.bps().protocol());
    }
    writeAmount(p.minPayout(), out);
    out.writeLong(p.windowBlocks());
    out.writeInt(p.maxPayeesPerBatch());
  }

  private static PaymentParams readParams(DataInputView in) throws IOException {
    long version = in.readLong();
    long effective = in.readLong();
    String eventId = readString(in);
    FeeSplit.Bps bps =
        in.readBoolean() ? new FeeSplit.Bps(in.readInt(), in.readInt(), in.readInt()) : null;
    return new PaymentParams(
        version, effective, eventId, bps, readAmount(in), in.readLong(), in.readInt());
  }

  // --- accruals, accrued inferences, batches

  static void writeLeaf(PayoutLeaf l, DataOutputView out) throws IOException {
    writeString(l.payee(), out);
    out.writeLong(l.inferenceId());
    out.writeByte(l.role().ordinal());
    out.writeLong(l.contributionId());
    out.writeBoolean(l.unattributed());
    writeAmount(l.amount(), out);
  }

  static PayoutLeaf readLeaf(DataInputView in) throws IOException {
    return new PayoutLeaf(
        readString(in),
        in.readLong(),
        PayoutLeaf.PayeeRole.values()[in.readByte()],
        in.readLong(),
        in.readBoolean(),
        readAmount(in));
  }

  /** An accrual; its position is left out when it is {@code shared} (its inference's fee's). */
  static void writeAccrual(Accrual a, Position shared, DataOutputView out) throws IOException {
    writeLeaf(a.leaf(), out);
    boolean same = shared != null && shared.equals(a.position());
    out.writeBoolean(same);
    if (!same) {
      writePosition(a.position(), out);
    }
    out.writeLong(a.modelId());
    out.writeLong(a.paramsVersion());
    out.writeBoolean(a.removed());
  }

  static Accrual readAccrual(DataInputView in, Position shared) throws IOException {
    PayoutLeaf leaf = readLeaf(in);
    Position position = in.readBoolean() ? shared : readPosition(in);
    return new Accrual(leaf, position, in.readLong(), in.readLong(), in.readBoolean());
  }

  static void writeAccrued(Accrued a, DataOutputView out) throws IOException {
    writeInput(a.fee(), out);
    Position shared = a.fee().position();
    out.writeInt(a.accruals().size());
    for (Accrual x : a.accruals()) {
      writeAccrual(x, shared, out);
    }
  }

  static Accrued readAccrued(DataInputView in) throws IOException {
    PaymentInput fee = readInput(in);
    Accrual[] accruals = new Accrual[in.readInt()];
    for (int i = 0; i < accruals.length; i++) {
      accruals[i] = readAccrual(in, fee.position());
    }
    return new Accrued(fee, List.of(accruals));
  }

  static void writeBatch(PayoutBatcher.Batch b, DataOutputView out) throws IOException {
    writeString(b.batchId(), out);
    out.writeLong(b.chainId());
    out.writeLong(b.window().start());
    out.writeLong(b.window().end());
    out.writeInt(b.subBatch());
    out.writeInt(b.subBatchCount());
    out.writeInt(b.payees().size());
    for (int i = 0; i < b.payees().size(); i++) {
      writeString(b.payees().get(i), out);
      writeAmount(b.amounts().get(i), out);
    }
    writeAmount(b.total(), out);
    writeString(b.merkleRoot(), out);
    out.writeInt(b.leaves().size());
    for (int i = 0; i < b.leaves().size(); i++) {
      writeLeaf(b.leaves().get(i), out);
      writeString(b.leafHashes().get(i), out);
    }
  }

  static PayoutBatcher.Batch readBatch(DataInputView in) throws IOException {
    String id = readString(in);
    long chain = in.readLong();
    SettlementWindows.Window window = new SettlementWindows.Window(in.readLong(), in.readLong());
    int sub = in.readInt();
    int count = in.readInt();
    int payees = in.readInt();
    List<String> who = new ArrayList<>(payees);
    List<BigInteger> amounts = new ArrayList<>(payees);
    for (int i = 0; i < payees; i++) {
      who.add(readString(in));
      amounts.add(readAmount(in));
    }
    BigInteger total = readAmount(in);
    String root = readString(in);
    int n = in.readInt();
    List<PayoutLeaf> leaves = new ArrayList<>(n);
    List<String> hashes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      leaves.add(readLeaf(in));
      hashes.add(readString(in));
    }
    return new PayoutBatcher.Batch(
        id,
        chain,
        window,
        sub,
        count,
        List.copyOf(who),
        List.copyOf(amounts),
        total,
        root,
        List.copyOf(leaves),
        List.copyOf(hashes));
  }

  static void writeBatchLeaf(BatchLeaf l, DataOutputView out) throws IOException {
    writeString(l.batchId(), out);
    writeLeaf(l.leaf(), out);
    writeString(l.leafHash(), out);
  }

  static BatchLeaf readBatchLeaf(DataInputView in) throws IOException {
    return new BatchLeaf(readString(in), readLeaf(in), readString(in));
  }
}
