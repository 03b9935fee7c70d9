package org.openledger.flink.operators;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The ledger's {@link BlockIndex} state without Kryo: Kryo's reflective copy and write of the whole
 * index (the heap backend copies it on the first write after every checkpoint, and writes it in
 * every checkpoint) was a visible share of the payment ledger's time. Index state Kryo wrote before
 * restores and is rewritten in this form.
 */
public final class BlockIndexSerializer extends TypeSerializerSingleton<BlockIndex> {

  private static final long serialVersionUID = 1L;
  static final BlockIndexSerializer INSTANCE = new BlockIndexSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public BlockIndex createInstance() {
    return new BlockIndex();
  }

  @Override
  public BlockIndex copy(BlockIndex from) {
    return from.copy();
  }

  @Override
  public BlockIndex copy(BlockIndex from, BlockIndex reuse) {
    return from.copy();
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(BlockIndex index, DataOutputView out) throws IOException {
    Map<Long, TreeSet<String>> blocks = index.byBlock();
    out.writeInt(blocks.size());
    for (Map.Entry<Long, TreeSet<String>> e : blocks.entrySet()) {
      out.writeLong(e.getKey());
      out.writeInt(e.getValue().size());
      for (String id : e.getValue()) {
        StringValue.writeString(id, out);
      }
    }
  }

  @Override
  public BlockIndex deserialize(DataInputView in) throws IOException {
    BlockIndex index = new BlockIndex();
    int blocks = in.readInt();
    for (int b = 0; b < blocks; b++) {
      long block = in.readLong();
      int n = in.readInt();
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ids.add(StringValue.readString(in));
      }
      index.addAll(block, ids);
    }
    return index;
  }

  @Override
  public BlockIndex deserialize(BlockIndex reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<BlockIndex> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Restores as-is, or migrates an index Kryo wrote. */
  public static final class Snapshot
      extends org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot<BlockIndex> {
    public Snapshot() {
      super(() -> INSTANCE);
    }

    @Override
    public TypeSerializerSchemaCompatibility<BlockIndex> resolveSchemaCompatibility(
        TypeSerializerSnapshot<BlockIndex> old) {
      if (old instanceof KryoSerializerSnapshot<BlockIndex>) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return super.resolveSchemaCompatibility(old);
    }
  }
}
