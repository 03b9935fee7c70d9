package org.openledger.flink.payment;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.openledger.flink.domain.PayoutBatcher;

/**
 * Flink's serializer for the payment ledger's records, in {@link LedgerCodec}'s compact form. The
 * records are immutable, so a copy is the record itself: no deep copy when the ledger hands an
 * accrual or a batch to its sinks, nor when the heap state backend copies a map on write after a
 * checkpoint. State that the POJO serializer wrote before restores and is rewritten in this form
 * (schema migration).
 */
public final class LedgerSerializer<T> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  /** The records it serializes, each with its codec. */
  public enum Kind {
    INPUT(PaymentInput.class, LedgerCodec::writeInput, LedgerCodec::readInput),
    ACCRUED(Accrued.class, LedgerCodec::writeAccrued, LedgerCodec::readAccrued),
    ACCRUAL(
        Accrual.class,
        (a, out) -> LedgerCodec.writeAccrual(a, null, out),
        in -> LedgerCodec.readAccrual(in, null)),
    BATCH(PayoutBatcher.Batch.class, LedgerCodec::writeBatch, LedgerCodec::readBatch),
    BATCH_LEAF(BatchLeaf.class, LedgerCodec::writeBatchLeaf, LedgerCodec::readBatchLeaf);

    final Class<?> type;
    final Writer<Object> writer;
    final Reader<?> reader;

    @SuppressWarnings("unchecked")
    <T> Kind(Class<T> type, Writer<T> writer, Reader<T> reader) {
      this.type = type;
      this.writer = (Writer<Object>) writer;
      this.reader = reader;
    }
  }

  interface Writer<T> {
    void write(T value, DataOutputView out) throws IOException;
  }

  interface Reader<T> {
    T read(DataInputView in) throws IOException;
  }

  private final Kind kind;

  private LedgerSerializer(Kind kind) {
    this.kind = kind;
  }

  public static TypeInformation<PaymentInput> inputs() {
    return new Info<>(Kind.INPUT);
  }

  public static TypeInformation<Accrued> accrued() {
    return new Info<>(Kind.ACCRUED);
  }

  public static TypeInformation<Accrual> accruals() {
    return new Info<>(Kind.ACCRUAL);
  }

  public static TypeInformation<PayoutBatcher.Batch> batches() {
    return new Info<>(Kind.BATCH);
  }

  public static TypeInformation<BatchLeaf> batchLeaves() {
    return new Info<>(Kind.BATCH_LEAF);
  }

  public static <T> LedgerSerializer<T> of(TypeInformation<T> info) {
    return new LedgerSerializer<>(((Info<T>) info).kind);
  }

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    return this; // stateless
  }

  @Override
  public T createInstance() {
    return null;
  }

  @Override
  public T copy(T from) {
    return from;
  }

  @Override
  public T copy(T from, T reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(T record, DataOutputView target) throws IOException {
    kind.writer.write(record, target);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(DataInputView source) throws IOException {
    return (T) kind.reader.read(source);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LedgerSerializer<?> s && s.kind == kind;
  }

  @Override
  public int hashCode() {
    return kind.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<T> snapshotConfiguration() {
    return new Snapshot<>(kind);
  }

  /** Names the kind; restores as-is, or migrates state a POJO serializer of the type wrote. */
  public static final class Snapshot<T> implements TypeSerializerSnapshot<T> {
    private Kind kind;

    /** For Flink, which reads the kind back with {@link #readSnapshot}. */
    public Snapshot() {}

    Snapshot(Kind kind) {
      this.kind = kind;
    }

    @Override
    public int getCurrentVersion() {
      return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeUTF(kind.name());
    }

    @Override
    public void readSnapshot(int version, DataInputView in, ClassLoader loader) throws IOException {
      kind = Kind.valueOf(in.readUTF());
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
      return new LedgerSerializer<>(kind);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
        TypeSerializerSnapshot<T> old) {
      if (old instanceof Snapshot<T> s && s.kind == kind) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      if (old instanceof PojoSerializerSnapshot<T>) {
        // written by Flink's POJO serializer before: read with it, rewritten in this form
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }

  /** The type information that gives this serializer. */
  static final class Info<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;
    private final Kind kind;

    Info(Kind kind) {
      this.kind = kind;
    }

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<T> getTypeClass() {
      return (Class<T>) kind.type;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
      return new LedgerSerializer<>(kind);
    }

    @Override
    public String toString() {
      return "LedgerType<" + kind.type.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Info<?> i && i.kind == kind;
    }

    @Override
    public int hashCode() {
      return kind.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
      return o instanceof Info;
    }
  }
}
