package org.openledger.flink.sidecar;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The record batches the sidecar takes: column names and types match its Python service. */
final class ArrowBatches {

  private static final ArrowType INT64 = new ArrowType.Int(64, true);

  static final Schema INDEX =
      new Schema(
          List.of(
              Field.notNullable("contribution_id", INT64),
              Field.notNullable("active_from", INT64),
              Field.nullable("active_to", INT64),
              Field.nullable("text", ArrowType.Utf8.INSTANCE),
              vectorField()));

  static final Schema SCORE =
      new Schema(
          List.of(
              Field.notNullable("inference_id", INT64),
              Field.notNullable("block", INT64),
              Field.nullable("text", ArrowType.Utf8.INSTANCE),
              vectorField()));

  private ArrowBatches() {}

  private static Field vectorField() {
    Field item = Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    return new Field("vector", FieldType.nullable(ArrowType.List.INSTANCE), List.of(item));
  }

  /** Fills {@code root} (schema {@link #INDEX}) with the rows; replaces what it held. */
  static void fillIndex(VectorSchemaRoot root, List<IndexRow> rows) {
    root.allocateNew();
    BigIntVector ids = (BigIntVector) root.getVector("contribution_id");
    BigIntVector from = (BigIntVector) root.getVector("active_from");
    BigIntVector to = (BigIntVector) root.getVector("active_to");
    VarCharVector text = (VarCharVector) root.getVector("text");
    UnionListWriter vectors = ((ListVector) root.getVector("vector")).getWriter();
    for (int i = 0; i < rows.size(); i++) {
      IndexRow row = rows.get(i);
      ids.setSafe(i, row.contributionId());
      from.setSafe(i, row.activeFrom());
      if (row.activeTo() != null) {
        to.setSafe(i, row.activeTo());
      } else {
        to.setNull(i);
      }
      putTextOrVector(text, vectors, i, row.text(), row.vector());
    }
    root.setRowCount(rows.size());
  }

  /** Fills {@code root} (schema {@link #SCORE}) with the queries; replaces what it held. */
  static void fillScore(VectorSchemaRoot root, List<ScoreQuery> queries) {
    root.allocateNew();
    BigIntVector ids = (BigIntVector) root.getVector("inference_id");
    BigIntVector blocks = (BigIntVector) root.getVector("block");
    VarCharVector text = (VarCharVector) root.getVector("text");
    UnionListWriter vectors = ((ListVector) root.getVector("vector")).getWriter();
    for (int i = 0; i < queries.size(); i++) {
      ScoreQuery query = queries.get(i);
      ids.setSafe(i, query.inferenceId());
      blocks.setSafe(i, query.block());
      putTextOrVector(text, vectors, i, query.text(), query.vector());
    }
    root.setRowCount(queries.size());
  }

  private static void putTextOrVector(
      VarCharVector text, UnionListWriter vectors, int i, String value, float[] vector) {
    if (value != null) {
      text.setSafe(i, value.getBytes(StandardCharsets.UTF_8));
    } else {
      text.setNull(i);
    }
    if (vector != null) {
      vectors.setPosition(i);
      vectors.startList();
      for (float x : vector) {
        vectors.float4().writeFloat4(x);
      }
      vectors.endList();
    }
    // a row without a vector is left unwritten: null once the value count is set
  }
}
