package org.openledger.bridge.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.Transfer;
import org.web3j.utils.Convert;

/** The real EVM dev node started by {@code bin/openledger up} serves blocks and mines. */
class EvmNodeIT {

  /** Account 9 of the dev node's public test mnemonic; never a real key. */
  private static final String DEV_KEY_9 =
      "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

  private static final String DEV_ACCOUNT_8 = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";

  private final Web3j web3 = Web3j.build(new HttpService(LocalStack.evmRpcUrl().toString()));

  @AfterEach
  void close() {
    web3.shutdown();
  }

  @Test
  void shouldServeChainIdAndBlockNumber() throws Exception {
    assertThat(web3.ethChainId().send().getChainId())
        .isEqualTo(BigInteger.valueOf(LocalStack.evmChainId()));
    assertThat(web3.ethBlockNumber().send().getBlockNumber()).isNotNegative();
  }

  @Test
  void shouldMineATransactionIntoANewBlock() throws Exception {
    BigInteger before = web3.ethBlockNumber().send().getBlockNumber();
    BigInteger balanceBefore =
        web3.ethGetBalance(DEV_ACCOUNT_8, org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
            .send()
            .getBalance();

    Credentials sender = Credentials.create(DEV_KEY_9);
    TransactionReceipt receipt =
        new Transfer(web3, new RawTransactionManager(web3, sender, LocalStack.evmChainId()))
            .sendFunds(DEV_ACCOUNT_8, BigDecimal.ONE, Convert.Unit.WEI)
            .send();

    assertThat(receipt.isStatusOK()).isTrue();
    assertThat(receipt.getBlockNumber()).isGreaterThan(before);
    BigInteger balanceAfter =
        web3.ethGetBalance(DEV_ACCOUNT_8, org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
            .send()
            .getBalance();
    assertThat(balanceAfter.subtract(balanceBefore)).isEqualTo(BigInteger.ONE);
  }
}
