package org.openledger.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.openledger.schemas.RegisterSchemas;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.testing.LocalStack;

/** Every topic's schema registers in the real registry, BACKWARD, idempotently. */
class TopicSchemasIT {

  private final SchemaRegistryClient registry = new SchemaRegistryClient(LocalStack.registryUrl());

  @Test
  void shouldRegisterEveryTopicSchemaIdempotentlyUnderTopicValue() {
    for (Topic topic : Topics.ALL) {
      int id = RegisterSchemas.register(registry, topic);

      assertThat(RegisterSchemas.register(registry, topic)).as(topic.name()).isEqualTo(id);
      assertThat(registry.schemaById(id)).as(topic.name()).isEqualTo(topic.valueSchema());
      assertThat(registry.isCompatible(topic.valueSubject(), topic.valueSchema())).isTrue();
    }
  }

  @Test
  void shouldRefuseAnIncompatibleChangeOfATopicSchema() {
    Topic topic = Topics.PAYOUT_BATCHES;
    RegisterSchemas.register(registry, topic);
    Schema withNewRequiredField =
        SchemaBuilder.record(topic.valueSchema().getName())
            .namespace(topic.valueSchema().getNamespace())
            .fields()
            .requiredString("batchId")
            .requiredString("approvedBy")
            .endRecord();

    assertThat(registry.isCompatible(topic.valueSubject(), withNewRequiredField)).isFalse();
    assertThatThrownBy(() -> registry.register(topic.valueSubject(), withNewRequiredField))
        .isInstanceOf(SchemaRegistryException.class)
        .extracting(e -> ((SchemaRegistryException) e).status())
        .isEqualTo(409);
  }
}
