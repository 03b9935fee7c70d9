package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keccak-256 as the EVM computes it: known vectors, and distinct from NIST SHA3-256. */
class KeccakTest {

  @Test
  void shouldHashTheEmptyInputToTheEvmEmptyHash() {
    assertThat(Keccak.hex(new byte[0]))
        .isEqualTo("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }

  @Test
  void shouldHashAbcToTheKnownKeccakVector() {
    assertThat(Keccak.hex("abc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  }

  @Test
  void shouldNotBeNistSha3WhenHashingAbc() {
    // SHA3-256("abc") differs from keccak-256("abc") only in the padding byte.
    assertThat(Keccak.hex("abc".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo("0x3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  }

  @Test
  void shouldBeZeroXPrefixedLowercaseHexOf32BytesWhenHashingAnything() {
    byte[] bytes = new byte[1000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }

    assertThat(Keccak.hex(bytes)).matches("0x[0-9a-f]{64}");
  }

  @Test
  void shouldGiveTheSameHashWhenCalledTwiceOnTheSameBytes() {
    byte[] bytes = "A stitch in time saves nine.".getBytes(StandardCharsets.UTF_8);

    assertThat(Keccak.hex(bytes)).isEqualTo(Keccak.hex(bytes.clone()));
  }
}
