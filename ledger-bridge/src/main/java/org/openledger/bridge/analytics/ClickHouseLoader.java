package org.openledger.bridge.analytics;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.openledger.pipeline.DeadLetter;
import org.openledger.schemas.DeadLetters;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one poll of Kafka records into ClickHouse: one TabSeparated insert per table, each row
 * carrying its record's partition and offset. Idempotent by design rather than by bookkeeping: a
 * row's key is its record's natural id and its version is its offset (its Kafka timestamp rides
 * along for latency views), so loading the same records again (a restart before the offset commit,
 * a replay from zero) writes rows ReplacingMergeTree collapses, and every query reads through
 * FINAL. A record that will not decode is not loaded; it comes back as a dead letter for the caller
 * to publish.
 */
public final class ClickHouseLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseLoader.class);

  private final Client client;
  private final String database;
  private final Map<String, LoadedTables.Loaded<?>> byTopic = new HashMap<>();
  private final Map<String, ConfluentAvroSerde<SpecificRecord>> serdes = new HashMap<>();
  private final LoaderMetrics metrics;

  /**
   * @param prefix the topic-name prefix of this deployment (tests)
   */
  public ClickHouseLoader(
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

  public java.util.Set<String> topics() {
    return byTopic.keySet();
  }

  /**
   * What one poll came to: the rows written, and the dead letters the caller must publish before it
   * commits the poll's offsets (records that would not decode, each with its reason).
   */
  public record Result(int rows, List<DeadLetter> deadLetters) {}

  /** Loads {@code records}. Throws if ClickHouse refuses an insert (nothing is committed then). */
  public Result load(ConsumerRecords<byte[], byte[]> records) throws Exception {
    Map<String, StringBuilder> rows = new LinkedHashMap<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    int count = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      LoadedTables.Loaded<?> table = byTopic.get(r.topic());
      SpecificRecord value;
      try {
        value = serdes.get(r.topic()).decode(r.value());
      } catch (RuntimeException e) {
        metrics.undecodable.incrementAndGet();
        String reason = "undecodable " + table.type().getSimpleName() + ": " + e.getMessage();
        LOG.warn("{}[{}]@{} not loaded: {}", r.topic(), r.partition(), r.offset(), reason);
        // A bad dead letter is only counted: dead-lettering it again would loop.
        if (table.topic() != Topics.DEAD_LETTERS) {
          deadLetters.add(DeadLetters.of("loader", r, reason));
        }
        continue;
      }
      Tsv tsv = new Tsv();
      table.write(value, tsv);
      tsv.number(r.partition()).number(r.offset()).number(Math.max(0, r.timestamp()));
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
    return new Result(count, deadLetters);
  }
}
