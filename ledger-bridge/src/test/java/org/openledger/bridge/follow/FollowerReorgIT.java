package org.openledger.bridge.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.decode.ChainEventDecoder;
import org.openledger.bridge.decode.DecodeResult;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.bridge.streams.DecoderApp;
import org.openledger.bridge.streams.DecoderMetrics;
import org.openledger.bridge.streams.DecoderTopology;
import org.openledger.bridge.streams.TopicNames;
import org.openledger.events.DataContributed;
import org.openledger.events.RawChainLog;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * A reorg on the real dev node (snapshot, blocks written, revert, a different branch): the follower
 * retracts the logs of the dropped blocks and writes the new branch, so the raw topic, read as
 * additions and retractions, equals the canonical chain.
 */
class FollowerReorgIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  @Test
  void shouldRetractDroppedLogsAndFollowTheNewBranch(@TempDir Path dir) throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    HttpService rpc = new HttpService(LocalStack.evmRpcUrl().toString());
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      Path file = dir.resolve("deployment.json");
      deployment.write(file);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      Credentials user = accounts.account(9);
      driver.fund(accounts.account(0), user.getAddress(), OPEN.multiply(BigInteger.valueOf(1000)));
      long datanet = driver.createDatanet(user, "reorg", BigInteger.ONE);

      String name = LocalStack.unique("follower-reorg");
      FollowerConfig config = FollowerConfig.load(RawTopic.followerEnv(name, file));
      FollowerApp.ensureTopics(config);
      SchemaRegistryClient registry = new SchemaRegistryClient(LocalStack.registryUrl());
      try (KafkaProducer<String, byte[]> producer = FollowerApp.producer(config)) {
        producer.initTransactions();
        ChainFollower follower =
            new ChainFollower(
                chain,
                deployment,
                config,
                producer,
                FollowerSerdes.of(config, registry),
                new FollowerMetrics(),
                FollowerApp.initialCursor(chain, deployment));

        String snapshot = dev(rpc, "evm_snapshot", List.of());
        for (int i = 0; i < 3; i++) {
          driver.contribute(
              user, datanet, text("old branch " + i), "file:///old/" + i, BigInteger.ONE);
        }
        catchUp(chain, follower);
        List<String> oldBranch = RawTopic.canonicalIds(chain, deployment);

        dev(rpc, "evm_revert", List.of(snapshot));
        for (int i = 0; i < 5; i++) {
          driver.contribute(
              user, datanet, text("new branch " + i), "file:///new/" + i, BigInteger.TWO);
        }
        catchUp(chain, follower);

        List<String> canonical = RawTopic.canonicalIds(chain, deployment);
        List<RawChainLog> records = RawTopic.logs(config.rawTopic());
        Set<String> view = new LinkedHashSet<>();
        List<String> retracted = new ArrayList<>();
        for (RawChainLog r : records) {
          if (r.getRemoved()) {
            assertThat(view.remove(RawTopic.id(r))).as("retracts a written log").isTrue();
            retracted.add(RawTopic.id(r));
          } else {
            assertThat(view.add(RawTopic.id(r))).as("no log written twice").isTrue();
          }
        }
        List<String> dropped = new ArrayList<>(oldBranch);
        dropped.removeAll(canonical);
        assertThat(dropped).isNotEmpty();
        assertThat(retracted).containsExactlyInAnyOrderElementsOf(dropped);
        assertThat(new ArrayList<>(view)).containsExactlyElementsOf(canonical);

        // The cursor points at its blocks' logs instead of holding them: its size does not grow
        // with the logs per block (inline, a few hundred logs outgrew Kafka's 1 MiB record).
        assertThat(follower.cursor().getRecent())
            .allSatisfy(b -> assertThat(b.getLogs()).isEmpty())
            .anySatisfy(b -> assertThat(b.getLogCount()).isPositive());
        assertThat(FollowerSerdes.of(config, registry).cursor().encode(follower.cursor()).length)
            .isLessThan(200 * follower.cursor().getRecent().size() + 100);

        assertDecodedViewIsCanonical(name, deployment, records, dir);
      }
    }
  }

  /**
   * Runs the decoder over the follower's raw topic: the typed contributions, read as additions and
   * retractions, are exactly the contributions of the canonical chain.
   */
  private static void assertDecodedViewIsCanonical(
      String name, Deployment deployment, List<RawChainLog> raw, Path dir) throws Exception {
    ChainEventDecoder decoder = new ChainEventDecoder(deployment.addressesByName());
    Set<String> expected = new LinkedHashSet<>();
    int typedRecords = 0;
    for (RawChainLog r : raw) {
      if (decoder.decode(r) instanceof DecodeResult.Decoded d
          && d.event() instanceof DataContributed c) {
        typedRecords++;
        String id = c.getContributionId() + "@" + c.getPosition().getBlockHash();
        if (r.getRemoved()) {
          expected.remove(id);
        } else {
          expected.add(id);
        }
      }
    }
    TopicNames names = new TopicNames(name + ".");
    SchemaRegistryClient registry = new SchemaRegistryClient(LocalStack.registryUrl());
    DecoderApp.ensureTopics(LocalStack.kafkaBootstrap(), names);
    StreamsBuilder builder = new StreamsBuilder();
    DecoderTopology.build(builder, names, registry, decoder, new DecoderMetrics());
    var typed = new ConfluentAvroSerde<>(Topics.DATA_CONTRIBUTED, registry, DataContributed.class);
    Set<String> decodedView = new LinkedHashSet<>();
    try (KafkaStreams streams =
            new KafkaStreams(
                builder.build(),
                DecoderApp.streamsProps(
                    LocalStack.kafkaBootstrap(), names, dir.resolve("streams").toString()));
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers",
                    LocalStack.kafkaBootstrap(),
                    "group.id",
                    name + "-check",
                    "isolation.level",
                    "read_committed",
                    "auto.offset.reset",
                    "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
      streams.start();
      consumer.subscribe(List.of(names.of(Topics.DATA_CONTRIBUTED)));
      int seen = 0;
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (seen < typedRecords && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(300))) {
          DataContributed c = typed.decode(record.value());
          String id = c.getContributionId() + "@" + c.getPosition().getBlockHash();
          if (c.getRemoved()) {
            decodedView.remove(id);
          } else {
            decodedView.add(id);
          }
          seen++;
        }
      }
    }
    assertThat(typedRecords).isGreaterThan(8); // 3 dropped, their 3 retractions, 5 canonical
    assertThat(decodedView).containsExactlyElementsOf(expected);
  }

  private static void catchUp(Chain chain, ChainFollower follower) throws Exception {
    long head = chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
    for (int i = 0; i < 200 && follower.cursor().getBlockNumber() < head; i++) {
      follower.step();
    }
    assertThat(follower.cursor().getBlockNumber()).isEqualTo(head);
  }

  /** A JSON-RPC answer whose result is kept as text (snapshot ids, booleans). */
  public static final class TextResponse extends Response<Object> {}

  private static String dev(HttpService rpc, String method, List<?> params) throws Exception {
    TextResponse response = new Request<>(method, params, rpc, TextResponse.class).send();
    assertThat(response.hasError()).as(method).isFalse();
    return String.valueOf(response.getResult());
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
