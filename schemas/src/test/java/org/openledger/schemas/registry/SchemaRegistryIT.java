package org.openledger.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.openledger.events.ChainPosition;
import org.openledger.testing.LocalStack;

/** Talks to the real schema registry started by {@code bin/openledger up}. */
class SchemaRegistryIT {

  private final SchemaRegistryClient registry = new SchemaRegistryClient(LocalStack.registryUrl());

  @Test
  void shouldReturnSameIdWhenSameSchemaIsRegisteredTwice() {
    String subject = LocalStack.unique("chain-position") + "-value";

    int first = registry.register(subject, ChainPosition.getClassSchema());
    int second = registry.register(subject, ChainPosition.getClassSchema());

    assertThat(second).isEqualTo(first);
    assertThat(new SchemaRegistryClient(LocalStack.registryUrl()).schemaById(first))
        .isEqualTo(ChainPosition.getClassSchema());
  }

  @Test
  void shouldRejectWith409WhenSchemaIsNotBackwardCompatible() {
    String subject = LocalStack.unique("compat") + "-value";
    Schema v1 = SchemaBuilder.record("Probe").fields().requiredLong("amount").endRecord();
    Schema addedRequiredField =
        SchemaBuilder.record("Probe")
            .fields()
            .requiredLong("amount")
            .requiredString("payee")
            .endRecord();
    registry.register(subject, v1);
    registry.setCompatibility(subject, "BACKWARD");

    assertThat(registry.isCompatible(subject, addedRequiredField)).isFalse();
    assertThatThrownBy(() -> registry.register(subject, addedRequiredField))
        .isInstanceOf(SchemaRegistryException.class)
        .extracting(e -> ((SchemaRegistryException) e).status())
        .isEqualTo(409);
  }

  @Test
  void shouldAcceptBackwardCompatibleEvolution() {
    String subject = LocalStack.unique("evolve") + "-value";
    Schema v1 = SchemaBuilder.record("Probe").fields().requiredLong("amount").endRecord();
    Schema v2 =
        SchemaBuilder.record("Probe")
            .fields()
            .requiredLong("amount")
            .name("memo")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();
    int id1 = registry.register(subject, v1);
    registry.setCompatibility(subject, "BACKWARD");

    assertThat(registry.isCompatible(subject, v2)).isTrue();
    assertThat(registry.register(subject, v2)).isNotEqualTo(id1);
  }
}
