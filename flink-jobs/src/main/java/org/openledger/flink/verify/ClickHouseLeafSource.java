package org.openledger.flink.verify;

import com.clickhouse.client.api.Client;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openledger.clickhouse.ClickHouseHttp;
import org.openledger.clickhouse.RowBinary;
import org.openledger.flink.domain.PayoutLeaf;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutBatchLeaf;

/**
 * Leaves and accruals from the loader's ClickHouse tables ({@code payout_batch_leaves}, {@code
 * payout_accruals}), read through {@code FINAL} with retractions dropped, in RowBinary so amounts
 * stay exact. Point lookups go to the tables, not the views (18.16 pushes no filter into a view).
 */
final class ClickHouseLeafSource implements LeafSource {

  static final long TIMEOUT_S = 120;

  private static final String LEAF_COLUMNS =
      "SELECT batch_id, payee, inference_id, role, contribution_id, unattributed, amount_wei,"
          + " leaf_hash FROM db.payout_batch_leaves FINAL WHERE batch_id IN (SELECT batch_id FROM"
          + " db.payout_batch_leaves FINAL WHERE ";
  private static final String LEAF_ORDER = ") ORDER BY batch_id, leaf_hash";

  private final Client client;
  private final String database;

  ClickHouseLeafSource(String url, String database) {
    this.client = ClickHouseHttp.client(url);
    this.database = database;
  }

  static String leavesOfInference(String database, long inferenceId) {
    return BoundSql.of(LEAF_COLUMNS + "inference_id = {inference:UInt64}" + LEAF_ORDER, database)
        .uint64("inference", inferenceId)
        .render();
  }

  static String leavesOfPayee(String database, String payee, String onlyBatch) {
    if (onlyBatch == null) {
      return BoundSql.of(LEAF_COLUMNS + "payee = {payee:Address}" + LEAF_ORDER, database)
          .address("payee", payee)
          .render();
    }
    return BoundSql.of(
            LEAF_COLUMNS + "payee = {payee:Address} AND batch_id = {batch:Bytes32}" + LEAF_ORDER,
            database)
        .address("payee", payee)
        .bytes32("batch", onlyBatch)
        .render();
  }

  static String accrualsOf(String database, long inferenceId) {
    return BoundSql.of(
            "SELECT payee, role, contribution_id, unattributed, amount_wei FROM"
                + " db.payout_accruals FINAL WHERE removed = 0 AND inference_id ="
                + " {inference:UInt64} ORDER BY role, contribution_id, payee, unattributed",
            database)
        .uint64("inference", inferenceId)
        .render();
  }

  @Override
  public Map<String, List<PayoutBatchLeaf>> batchesOfPayee(String payee, String onlyBatch)
      throws Exception {
    return leaves(query(leavesOfPayee(database, payee, onlyBatch)));
  }

  @Override
  public Map<String, List<PayoutBatchLeaf>> batchesOfInference(long inferenceId) throws Exception {
    return leaves(query(leavesOfInference(database, inferenceId)));
  }

  @Override
  public List<PayoutLeaf> accruals(long inferenceId) throws Exception {
    return accruals(query(accrualsOf(database, inferenceId)), inferenceId);
  }

  @Override
  public void close() {
    client.close();
  }

  private byte[] query(String sql) throws Exception {
    return ClickHouseHttp.rowBinary(client, sql, TIMEOUT_S);
  }

  /** Rows of (String, String, UInt64, Enum8, UInt64, UInt8, Decimal128, String), by batch. */
  static Map<String, List<PayoutBatchLeaf>> leaves(byte[] rowBinary) throws IOException {
    Map<String, List<PayoutBatchLeaf>> out = new LinkedHashMap<>();
    RowBinary in = new RowBinary(rowBinary);
    while (in.hasMore()) {
      PayoutBatchLeaf leaf =
          PayoutBatchLeaf.newBuilder()
              .setBatchId(in.string())
              .setPayee(in.string())
              .setInferenceId(in.uint64())
              .setRole(role(in.uint8()))
              .setContributionId(in.uint64())
              .setUnattributed(in.uint8() != 0)
              .setAmount(new BigDecimal(in.decimal128()))
              .setLeafHash(in.string())
              .build();
      out.computeIfAbsent(leaf.getBatchId(), k -> new ArrayList<>()).add(leaf);
    }
    return out;
  }

  /** Rows of (String, Enum8, UInt64, UInt8, Decimal128) of one inference. */
  static List<PayoutLeaf> accruals(byte[] rowBinary, long inferenceId) throws IOException {
    List<PayoutLeaf> out = new ArrayList<>();
    RowBinary in = new RowBinary(rowBinary);
    while (in.hasMore()) {
      String payee = in.string();
      PayeeRole role = role(in.uint8());
      long contribution = in.uint64();
      boolean unattributed = in.uint8() != 0;
      BigInteger amount = in.decimal128();
      out.add(
          new PayoutLeaf(
              payee,
              inferenceId,
              PayoutLeaf.PayeeRole.valueOf(role.name()),
              contribution,
              unattributed,
              amount));
    }
    return out;
  }

  private static PayeeRole role(int value) throws IOException {
    if (value >= PayeeRole.values().length) {
      throw new IOException("unknown role " + value + " in ClickHouse");
    }
    return PayeeRole.values()[value];
  }
}
