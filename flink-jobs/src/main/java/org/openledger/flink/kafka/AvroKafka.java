package org.openledger.flink.kafka;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openledger.events.ChainEvent;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.attribution.ChainInputs;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/**
 * Kafka sources and sinks of Confluent-framed Avro through the schema registry, exactly once:
 * sources read committed records only, sinks write in transactions committed on checkpoints. The
 * registry client is made on the task manager, in {@code open}.
 */
public final class AvroKafka {

  private AvroKafka() {}

  /** The ordered {@code chain.events} topic as the attribution job's inputs, from offset 0. */
  public static KafkaSource<ChainInput> chainEvents(
      String bootstrap, URI registry, String topicName, String groupId) {
    return source(
        bootstrap,
        registry,
        Topics.CHAIN_EVENTS,
        topicName,
        groupId,
        ChainEvent.class,
        ChainInputs::of,
        ChainInput.class);
  }

  /**
   * A read-committed source of {@code topic} from offset 0, each Avro record mapped by {@code map}.
   */
  public static <R extends SpecificRecord, T> KafkaSource<T> source(
      String bootstrap,
      URI registry,
      Topic topic,
      String topicName,
      String groupId,
      Class<R> recordType,
      SerializableFunction<R, T> map,
      Class<T> produced) {
    return KafkaSource.<T>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topicName)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(
            new AvroDeserializer<>(registry, topic.name(), topicName, recordType, map, produced))
        .setProperty("isolation.level", "read_committed")
        .build();
  }

  /**
   * An exactly-once sink of {@code T} as the Avro record {@code toAvro} makes, keyed by {@code
   * key}.
   */
  public static <T> KafkaSink<T> exactlyOnce(
      String bootstrap,
      URI registry,
      Topic topic,
      String topicName,
      SerializableFunction<T, SpecificRecord> toAvro,
      SerializableFunction<T, String> key,
      String transactionalIdPrefix,
      long transactionTimeoutMs) {
    Properties producer = new Properties();
    producer.setProperty("transaction.timeout.ms", Long.toString(transactionTimeoutMs));
    return KafkaSink.<T>builder()
        .setBootstrapServers(bootstrap)
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(new AvroSerializer<>(registry, topic.name(), topicName, toAvro, key))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .build();
  }

  /** A function Flink can ship with the job graph. */
  public interface SerializableFunction<A, B> extends Function<A, B>, java.io.Serializable {}

  private static final class AvroDeserializer<R extends SpecificRecord, T>
      implements KafkaRecordDeserializationSchema<T> {
    private final URI registry;
    private final String declaredName;
    private final String topicName;
    private final Class<R> recordType;
    private final SerializableFunction<R, T> map;
    private final Class<T> produced;
    private transient ConfluentAvroSerde<R> serde;
    private transient Histogram ageMillis;

    AvroDeserializer(
        URI registry,
        String declaredName,
        String topicName,
        Class<R> recordType,
        SerializableFunction<R, T> map,
        Class<T> produced) {
      this.registry = registry;
      this.declaredName = declaredName;
      this.topicName = topicName;
      this.recordType = recordType;
      this.map = map;
      this.produced = produced;
    }

    @Override
    public void open(
        org.apache.flink.api.common.serialization.DeserializationSchema.InitializationContext ctx) {
      serde =
          new ConfluentAvroSerde<>(
              declared(declaredName).withName(topicName),
              new SchemaRegistryClient(registry),
              recordType);
      // How old a record is when this source reads it: now minus its Kafka timestamp (the
      // broker's append time on the project's topics), so it includes the writer's transaction
      // commit wait and the poll, the first part of a stage's latency inside a job.
      ageMillis =
          ctx.getMetricGroup()
              .histogram("recordAgeAtReadMs", new DescriptiveStatisticsHistogram(1024));
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out)
        throws IOException {
      if (ageMillis != null && record.timestamp() > 0) {
        ageMillis.update(Math.max(0, System.currentTimeMillis() - record.timestamp()));
      }
      // Our own jobs wrote and validated these records: one that fails here is corruption, and
      // stopping (to be restarted from the last checkpoint) is safer than skipping money.
      out.collect(map.apply(serde.decode(record.value())));
    }

    @Override
    public TypeInformation<T> getProducedType() {
      return TypeInformation.of(produced);
    }
  }

  private static Topic declared(String name) {
    return Topics.ALL.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static final class AvroSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private final URI registry;
    private final String declaredName;
    private final String topicName;
    private final SerializableFunction<T, SpecificRecord> toAvro;
    private final SerializableFunction<T, String> key;
    private transient ConfluentAvroSerde<SpecificRecord> serde;

    AvroSerializer(
        URI registry,
        String declaredName,
        String topicName,
        SerializableFunction<T, SpecificRecord> toAvro,
        SerializableFunction<T, String> key) {
      this.registry = registry;
      this.declaredName = declaredName;
      this.topicName = topicName;
      this.toAvro = toAvro;
      this.key = key;
    }

    @Override
    public void open(
        SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
      serde =
          new ConfluentAvroSerde<>(
              declared(declaredName).withName(topicName),
              new SchemaRegistryClient(registry),
              SpecificRecord.class);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext ctx, Long ts) {
      return new ProducerRecord<>(
          topicName,
          key.apply(element).getBytes(StandardCharsets.UTF_8),
          serde.encode(toAvro.apply(element)));
    }
  }
}
