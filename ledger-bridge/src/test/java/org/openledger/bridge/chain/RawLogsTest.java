package org.openledger.bridge.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.Log;

class RawLogsTest {

  private static final String MARKET = "0x00000000000000000000000000000000000000d3";

  @Test
  void shouldKeepOnlyLogsOfFollowedContractsWhenTheNodeAnswersMoreThanTheFilter() {
    assertThat(RawLogs.isFrom(log("0x00000000000000000000000000000000000000D3"), Set.of(MARKET)))
        .isTrue();
    assertThat(RawLogs.isFrom(log("0x00000000000000000000000000000000000000ee"), Set.of(MARKET)))
        .isFalse();
    assertThat(RawLogs.isFrom(log(null), Set.of(MARKET))).isFalse();
  }

  private static Log log(String address) {
    Log log = new Log();
    log.setAddress(address);
    return log;
  }
}
