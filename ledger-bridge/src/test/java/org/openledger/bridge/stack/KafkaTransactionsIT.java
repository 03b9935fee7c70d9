package org.openledger.bridge.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openledger.testing.LocalStack;

/** The real KRaft broker started by {@code bin/openledger up} honours transactions. */
class KafkaTransactionsIT {

  @Test
  void shouldShowOnlyCommittedRecordsWhenConsumerReadsCommitted() throws Exception {
    String topic = LocalStack.unique("tx-probe");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(topic))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "k2", "committed-2"));
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k3", "aborted"));
      producer.flush();
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k4", "committed-3"));
      producer.commitTransaction();
    }

    assertThat(readAll(topic, 3)).containsExactly("committed-1", "committed-2", "committed-3");
  }

  private static Properties producerProps(String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-producer");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return p;
  }

  private static List<String> readAll(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // Poll past the expected count for a moment so an aborted record would have shown up.
      int idlePolls = 0;
      while (System.nanoTime() < deadline && (values.size() < expected || idlePolls < 3)) {
        var records = consumer.poll(Duration.ofMillis(300));
        for (ConsumerRecord<String, String> r : records) {
          values.add(r.value());
        }
        idlePolls = records.isEmpty() && values.size() >= expected ? idlePolls + 1 : 0;
      }
    }
    return values;
  }
}
