package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** The gas of a fee as the first and as a later fee of one block, for {@link SettlementGasIT}. */
final class SettlementGasFees {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  private SettlementGasFees() {}

  /**
   * Two fees paid in one block (automine paused for a moment on the shared node): the gas of the
   * first, which adds the block's fee checkpoint, and of the second, which updates it.
   */
  static long[] feesInOneBlock(LocalChain local, long modelId) throws Exception {
    BigInteger fee = OPEN;
    List<org.web3j.crypto.Credentials> payers = List.of(local.user(1), local.user(2));
    for (var p : payers) {
      local.driver.fund(local.deployer, p.getAddress(), fee);
      local.driver.token(p).approve(local.deployment.address("InferenceMarket"), fee).send();
    }
    List<java.util.concurrent.CompletableFuture<TransactionReceipt>> sent = new ArrayList<>();
    dev(local, "evm_setAutomine", List.of(false));
    try {
      for (var p : payers) {
        sent.add(
            local
                .driver
                .market(p)
                .payForInference(
                    BigInteger.valueOf(modelId), fee, Hash.sha3(bytes(p.getAddress())), "file:///g")
                .sendAsync());
        Thread.sleep(300); // in the pool before the block is mined
      }
      dev(local, "evm_mine", List.of());
    } finally {
      dev(local, "evm_setAutomine", List.of(true));
    }
    List<TransactionReceipt> mined = new ArrayList<>();
    for (var f : sent) {
      mined.add(f.get());
    }
    mined.sort(java.util.Comparator.comparing(TransactionReceipt::getTransactionIndex));
    TransactionReceipt first = mined.get(0);
    TransactionReceipt second = mined.get(1);
    assertThat(second.getBlockNumber()).isEqualTo(first.getBlockNumber());
    return new long[] {first.getGasUsed().longValueExact(), second.getGasUsed().longValueExact()};
  }

  private static void dev(LocalChain local, String method, List<?> params) throws Exception {
    var response =
        new org.web3j.protocol.core.Request<>(
                method,
                params,
                new org.web3j.protocol.http.HttpService(
                    org.openledger.testing.LocalStack.evmRpcUrl().toString()),
                org.web3j.protocol.core.methods.response.VoidResponse.class)
            .send();
    assertThat(response.hasError()).as(method).isFalse();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
