package org.openledger.flink.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutBatchLeaf;

/**
 * What verify takes in: the command line, the SQL it sends ClickHouse (typed values only, never
 * text a user typed) and the RowBinary answers it parses.
 */
class VerifyInputTest {

  static final String ALICE = VerifierTest.ALICE;
  static final String BATCH = "0x" + "ab".repeat(32);

  @Test
  void shouldParseAnInferenceOrAPayee() {
    assertThat(VerifyArgs.parse("--inference", "42"))
        .isEqualTo(new VerifyArgs(null, null, 42, "clickhouse"));
    assertThat(
            VerifyArgs.parse("--payee", ALICE.toUpperCase().replace("0X", "0x"), "--from", "kafka"))
        .isEqualTo(new VerifyArgs(ALICE, null, -1, "kafka"));
  }

  @Test
  void shouldRejectOddInputWithAClearMessage() {
    assertThatThrownBy(() -> VerifyArgs.parse("--inference", "7 OR 1=1"))
        .hasMessageContaining("must be an inference id");
    assertThatThrownBy(() -> VerifyArgs.parse("--inference", "-1"))
        .hasMessageContaining("must be an inference id");
    assertThatThrownBy(() -> VerifyArgs.parse("--inference", "99999999999999999999"))
        .hasMessageContaining("must be an inference id");
    assertThatThrownBy(() -> VerifyArgs.parse("--inference", "9999999999999999999"))
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> VerifyArgs.parse("--inference", "1", "--payee", ALICE))
        .hasMessageContaining("either --payee or --inference");
    assertThatThrownBy(() -> VerifyArgs.parse("--payee", "0x1'; DROP TABLE x"))
        .hasMessageContaining("40 hex digits");
    assertThatThrownBy(() -> VerifyArgs.parse("--inference", "1", "--from", "postgres"))
        .hasMessageContaining("clickhouse or kafka");
    assertThatThrownBy(() -> VerifyArgs.parse("--inference")).hasMessageContaining("one value");
  }

  @Test
  void shouldBindOnlyCheckedLiterals() {
    assertThat(ClickHouseLeafSource.leavesOfInference("openledger", 7))
        .contains("FROM openledger.payout_batch_leaves FINAL")
        .contains("WHERE inference_id = 7)")
        .doesNotContain("{");
    assertThat(ClickHouseLeafSource.accrualsOf("t_1", 7))
        .contains("FROM t_1.payout_accruals FINAL WHERE removed = 0 AND inference_id = 7 ");
    assertThat(ClickHouseLeafSource.leavesOfPayee("openledger", ALICE, BATCH))
        .contains("payee = '" + ALICE + "' AND batch_id = '" + BATCH + "'");
    assertThatThrownBy(() -> ClickHouseLeafSource.leavesOfInference("openledger", -5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClickHouseLeafSource.leavesOfPayee("openledger", "0x1' OR '1", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClickHouseLeafSource.accrualsOf("x; DROP DATABASE y", 1))
        .hasMessageContaining("not a database name");
    assertThatThrownBy(() -> BoundSql.of("SELECT {a:UInt64}", "db").render())
        .hasMessageContaining("unbound {a:UInt64}");
  }

  @Test
  void shouldParseLeavesAndAccrualsFromRowBinaryExactly() throws IOException {
    BigInteger big = new BigInteger("123456789012345678901234567890123"); // > 2^64
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    string(out, BATCH);
    string(out, ALICE);
    uint64(out, 9);
    out.writeByte(1); // MODEL_OWNER
    uint64(out, 0);
    out.writeByte(0);
    decimal128(out, big);
    string(out, "0xhash");
    Map<String, List<PayoutBatchLeaf>> leaves = ClickHouseLeafSource.leaves(bytes.toByteArray());
    PayoutBatchLeaf leaf = leaves.get(BATCH).get(0);
    assertThat(leaf.getInferenceId()).isEqualTo(9);
    assertThat(leaf.getRole()).isEqualTo(PayeeRole.MODEL_OWNER);
    assertThat(leaf.getAmount().toBigIntegerExact()).isEqualTo(big);
    assertThat(leaf.getLeafHash()).isEqualTo("0xhash");

    bytes.reset();
    string(out, ALICE);
    out.writeByte(2); // PROTOCOL
    uint64(out, 0);
    out.writeByte(1);
    decimal128(out, BigInteger.TEN);
    assertThat(ClickHouseLeafSource.accruals(bytes.toByteArray(), 9))
        .containsExactly(
            new PayoutLeaf(ALICE, 9, PayoutLeaf.PayeeRole.PROTOCOL, 0, true, BigInteger.TEN));

    bytes.reset();
    string(out, ALICE);
    out.writeByte(7); // no such role
    assertThatThrownBy(() -> ClickHouseLeafSource.accruals(bytes.toByteArray(), 9))
        .hasMessageContaining("unknown role 7");
  }

  static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeByte(b.length); // < 128: one LEB128 byte
    out.write(b);
  }

  static void uint64(DataOutputStream out, long v) throws IOException {
    out.writeLong(Long.reverseBytes(v));
  }

  static void decimal128(DataOutputStream out, BigInteger v) throws IOException {
    byte[] big = v.toByteArray();
    byte[] little = new byte[16];
    for (int i = 0; i < big.length; i++) {
      little[i] = big[big.length - 1 - i];
    }
    out.write(little);
  }
}
