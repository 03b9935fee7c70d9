package org.openledger.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.openledger.schemas.Topic;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.registry.SchemaRegistryException;

/**
 * Avro values of one topic in the Confluent wire format: magic byte 0, the 4-byte id of the writer
 * schema in the registry, then the Avro binary body. Readers resolve the writer schema by id, so a
 * consumer reads data written with any compatible version of the schema.
 */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {

  private static final byte MAGIC = 0;

  private final Topic topic;
  private final SchemaRegistry registry;
  private final Class<T> type;
  private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

  /** A writer schema's registry id and its datum writer, made once per schema (hot path). */
  private record Writer<T>(int id, SpecificDatumWriter<T> datumWriter) {}

  private final Map<Schema, Writer<T>> writers = new ConcurrentHashMap<>();

  public ConfluentAvroSerde(Topic topic, SchemaRegistry registry, Class<T> type) {
    this.topic = topic;
    this.registry = registry;
    this.type = type;
  }

  public byte[] encode(T value) {
    Schema schema = value.getSchema();
    Writer<T> writer =
        writers.computeIfAbsent(
            schema,
            s ->
                new Writer<>(
                    registry.register(topic.valueSubject(), s), new SpecificDatumWriter<>(s)));
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC);
    out.write(ByteBuffer.allocate(4).putInt(writer.id()).array(), 0, 4);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.datumWriter().write(value, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new SerializationException("cannot encode " + schema.getFullName(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes Confluent-framed bytes. Anything wrong with the bytes themselves (no magic byte, a
   * schema id the registry does not know, a body that does not match its schema, a truncated body)
   * is a {@link SerializationException}. A registry that cannot be reached is a {@link
   * SchemaRegistryException}: that says nothing about the record, so callers retry rather than
   * dead-letter it.
   */
  public T decode(byte[] bytes) {
    if (bytes == null || bytes.length < 5 || bytes[0] != MAGIC) {
      throw new SerializationException(
          "not Confluent-framed Avro (" + (bytes == null ? "null" : bytes.length + " bytes") + ")");
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    SpecificDatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode a " + type.getSimpleName() + " written with schema id " + id, e);
    }
  }

  private SpecificDatumReader<T> readerFor(int id) {
    Schema writer = writerSchema(registry, id);
    Schema reader = SpecificData.get().getSchema(type);
    return new SpecificDatumReader<>(writer, reader);
  }

  /**
   * The writer schema of {@code id}. The registry's "no such schema" (a 4xx answer, or a schema it
   * serves that does not parse) is a fact about the record; an outage (no answer, 5xx) is not and
   * stays a {@link SchemaRegistryException}.
   */
  private static Schema writerSchema(SchemaRegistry registry, int id) {
    try {
      return registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.status() >= 400 && e.status() < 500) {
        throw new SerializationException("unknown schema id " + id + ": " + e.getMessage(), e);
      }
      throw e;
    } catch (AvroRuntimeException e) {
      throw new SerializationException("schema id " + id + " does not parse", e);
    }
  }

  /**
   * Serializes a record of any type for the topic the caller names (subject {@code <topic>-value}):
   * for a stream whose records go to one topic per type.
   */
  public static Serializer<SpecificRecord> forAnyTopic(SchemaRegistry registry) {
    Map<String, ConfluentAvroSerde<SpecificRecord>> byTopic = new ConcurrentHashMap<>();
    return (topicName, value) ->
        value == null
            ? null
            : byTopic
                .computeIfAbsent(
                    topicName,
                    t ->
                        new ConfluentAvroSerde<>(
                            new Topic(t, "-", 1, value.getSchema()),
                            registry,
                            SpecificRecord.class))
                .encode(value);
  }

  /**
   * Deserializes a record of any generated type: the writer schema's full name names the class, for
   * a consumer that reads several typed topics at once.
   */
  public static Deserializer<SpecificRecord> anySpecific(SchemaRegistry registry) {
    Map<Integer, ConfluentAvroSerde<SpecificRecord>> byId = new ConcurrentHashMap<>();
    return (topicName, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length < 5 || bytes[0] != MAGIC) {
        throw new SerializationException("not Confluent-framed Avro (" + bytes.length + " bytes)");
      }
      int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
      return byId.computeIfAbsent(id, key -> forWriter(registry, key)).decode(bytes);
    };
  }

  @SuppressWarnings("unchecked")
  private static ConfluentAvroSerde<SpecificRecord> forWriter(SchemaRegistry registry, int id) {
    Schema writer = writerSchema(registry, id);
    Class<SpecificRecord> type = (Class<SpecificRecord>) SpecificData.get().getClass(writer);
    if (type == null) {
      throw new SerializationException("no generated class for " + writer.getFullName());
    }
    return new ConfluentAvroSerde<>(new Topic("-", "-", 1, writer), registry, type);
  }

  @Override
  public Serializer<T> serializer() {
    return (t, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (t, bytes) -> bytes == null ? null : decode(bytes);
  }
}
