package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one poll of Kafka records into ClickHouse: one TabSeparated insert per table, each row
 * carrying its record's partition and offset. Idempotent by design rather than by bookkeeping: a
 * row's key is its record's natural id and its version is its offset, so loading the same records
 * again (a restart before the offset commit, a replay from zero) writes rows ReplacingMergeTree
 * collapses, and every query reads through FINAL.
 */
final class ClickHouseLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseLoader.class);

  private final Client client;
  private final String database;
  private final Map<String, LoadedTables.Loaded<?>> byTopic = new HashMap<>();
  private final Map<String, ConfluentAvroSerde<SpecificRecord>> serdes = new HashMap<>();
  private final LoaderMetrics metrics;

  /**
   * @param prefix the topic-name prefix of this deployment (tests)
   */
  ClickHouseLoader(
      Client client,
      String database,
      String prefix,
      SchemaRegistry registry,
      LoaderMetrics metrics) {
    this.client = client;
    this.database = database;
    this.metrics = metrics;
    for (LoadedTables.Loaded<?> t : LoadedTables.ALL) {
      String name = prefix + t.topic().name();
      byTopic.put(name, t);
      serdes.put(name, serde(t, name, registry));
    }
  }

  /** A serde decoding into the topic's own generated class (a SpecificRecord reader needs it). */
  @SuppressWarnings("unchecked")
  private static ConfluentAvroSerde<SpecificRecord> serde(
      LoadedTables.Loaded<?> t, String name, SchemaRegistry registry) {
    return (ConfluentAvroSerde<SpecificRecord>)
        (ConfluentAvroSerde<?>)
            new ConfluentAvroSerde<>(t.topic().withName(name), registry, t.type());
  }

  java.util.Set<String> topics() {
    return byTopic.keySet();
  }

  /** Loads {@code records}; returns the rows written. Throws if ClickHouse refuses an insert. */
  int load(ConsumerRecords<byte[], byte[]> records) throws Exception {
    Map<String, StringBuilder> rows = new LinkedHashMap<>();
    int count = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      LoadedTables.Loaded<?> table = byTopic.get(r.topic());
      SpecificRecord value;
      try {
        value = serdes.get(r.topic()).decode(r.value());
      } catch (RuntimeException e) {
        // Our own jobs wrote these; the record stays in Kafka, and the count shows it.
        metrics.undecodable.incrementAndGet();
        LOG.warn(
            "{}[{}]@{} is undecodable, not loaded: {}",
            r.topic(),
            r.partition(),
            r.offset(),
            e.getMessage());
        continue;
      }
      Tsv tsv = new Tsv();
      table.write(value, tsv);
      tsv.number(r.partition()).number(r.offset());
      rows.computeIfAbsent(table.table(), k -> new StringBuilder()).append(tsv.line());
      count++;
    }
    for (Map.Entry<String, StringBuilder> e : rows.entrySet()) {
      byte[] body = e.getValue().toString().getBytes(StandardCharsets.UTF_8);
      client
          .insert(
              database + "." + e.getKey(),
              new ByteArrayInputStream(body),
              ClickHouseFormat.TabSeparated)
          .get(120, TimeUnit.SECONDS)
          .close();
      metrics.inserts.incrementAndGet();
    }
    metrics.rows.addAndGet(count);
    return count;
  }
}
