package org.openledger.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.registry.SchemaRegistryException;

/** A schema registry in memory for unit tests: ids are positions in a list, as in a real one. */
public final class InMemorySchemaRegistry implements SchemaRegistry {

  private final List<Schema> schemas = new ArrayList<>();

  @Override
  public synchronized int register(String subject, Schema schema) {
    int existing = schemas.indexOf(schema);
    if (existing >= 0) {
      return existing + 1;
    }
    schemas.add(schema);
    return schemas.size();
  }

  /** An unknown id is a 404, as the real registry answers it. */
  @Override
  public synchronized Schema schemaById(int id) {
    if (id < 1 || id > schemas.size()) {
      throw new SchemaRegistryException(404, "GET schemas/ids/" + id + " failed: no such schema");
    }
    return schemas.get(id - 1);
  }
}
