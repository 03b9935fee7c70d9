package org.openledger.flink.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
import org.openledger.flink.PipelineApp;
import org.openledger.flink.RelayJob;
import org.openledger.flink.config.PipelineConfig;
import org.openledger.flink.kafka.KafkaConnectors;
import org.openledger.testing.LocalStack;

/**
 * A Flink mini-cluster job with checkpointing reads from and writes to the real Kafka broker,
 * exactly once, while its REST API answers.
 */
class RelayJobIT {

  private static final int RECORDS = 50;

  @Test
  void shouldRelayEveryRecordOnceWhileRestApiAnswers() throws Exception {
    String input = LocalStack.unique("relay-in");
    String output = LocalStack.unique("relay-out");
    createTopics(input, output);
    List<String> sent = IntStream.range(0, RECORDS).mapToObj(i -> "record-" + i).toList();
    produce(input, sent);

    int restPort = LocalStack.freePort();
    PipelineConfig config =
        PipelineConfig.load(
            Map.of(
                "OPENLEDGER_KAFKA_BOOTSTRAP",
                LocalStack.kafkaBootstrap(),
                "OPENLEDGER_FLINK_REST_PORT",
                Integer.toString(restPort),
                "OPENLEDGER_FLINK_METRICS_PORT",
                Integer.toString(LocalStack.freePort()),
                // its own folder: a retained checkpoint of an earlier run would be resumed
                "OPENLEDGER_CHECKPOINT_DIR",
                Files.createTempDirectory("relay-it").toString(),
                "OPENLEDGER_CHECKPOINT_INTERVAL_MS",
                "500"),
            java.util.Optional.empty());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
            PipelineApp.flinkConfiguration(config));
    env.setParallelism(1);
    env.enableCheckpointing(config.checkpointIntervalMs());
    new RelayJob(
            KafkaConnectors.stringSource(config.kafkaBootstrap(), input, input + "-group"),
            KafkaConnectors.exactlyOnceStringSink(
                config.kafkaBootstrap(), output, output, config.kafkaTransactionTimeoutMs()))
        .build(env);

    JobClient job = env.executeAsync("relay-it");
    try {
      List<String> relayed = consumeCommitted(output, RECORDS);
      assertThat(relayed).containsExactlyElementsOf(sent);

      URI rest = URI.create("http://127.0.0.1:" + restPort);
      assertThat(get(rest.resolve("/jobs/overview")))
          .contains(job.getJobID().toHexString())
          .contains("RUNNING");
      assertThat(get(rest.resolve("/jobs/" + job.getJobID() + "/checkpoints")))
          .matches(
              body -> body.matches("(?s).*\"completed\":[1-9].*"), "has completed checkpoints");
    } finally {
      job.cancel().get();
    }
  }

  private static void createTopics(String... topics) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap()))) {
      admin
          .createTopics(
              java.util.Arrays.stream(topics).map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get();
    }
  }

  private static void produce(String topic, List<String> values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      values.forEach(v -> producer.send(new ProducerRecord<>(topic, v)));
    }
  }

  private static List<String> consumeCommitted(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-verifier");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      int quietPolls = 0;
      // Keep polling a little after reaching the count so a duplicate would be seen.
      while (System.nanoTime() < deadline && (values.size() < expected || quietPolls < 4)) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, String> r : records) {
          values.add(r.value());
        }
        quietPolls = records.isEmpty() && values.size() >= expected ? quietPolls + 1 : 0;
      }
    }
    return values;
  }

  private static String get(URI uri) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
    return response.body();
  }
}
