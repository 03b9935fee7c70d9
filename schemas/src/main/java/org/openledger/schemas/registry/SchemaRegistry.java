package org.openledger.schemas.registry;

import org.apache.avro.Schema;

/**
 * The two calls the Confluent wire format needs: register a writer schema for an id, and find a
 * writer schema by id. {@link SchemaRegistryClient} speaks it over HTTP.
 */
public interface SchemaRegistry {

  /** The id of {@code schema} under {@code subject}, registering it if new. */
  int register(String subject, Schema schema);

  /** The schema with this id. */
  Schema schemaById(int id);
}
