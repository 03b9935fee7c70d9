package org.openledger.bridge.slash;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.pipeline.SlashProposal;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistryClient;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.LocalStack;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;

/**
 * The slash submitter against real Kafka and the dev node: committed proposals become one flag
 * each; an aborted transaction's proposal never does; a restart that reads everything again
 * (offsets lost) and a redelivered proposal send nothing.
 */
class SlashSubmitterIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);

  @Test
  void shouldFlagEachCommittedProposalOnceAcrossRestartsAndRedeliveries() throws Exception {
    String prefix = LocalStack.unique("slash-it-");
    DevAccounts accounts = DevAccounts.devNode();
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      Credentials owner = accounts.account(4);
      Credentials contributor = accounts.account(5);
      driver.fund(accounts.account(0), contributor.getAddress(), OPEN.multiply(BigInteger.TEN));
      long datanet = driver.createDatanet(owner, "slash-it", OPEN);
      long original = contribute(driver, contributor, datanet, "the original");
      long copy = contribute(driver, contributor, datanet, "the original, copied");
      long other = contribute(driver, contributor, datanet, "another copy");
      long start = deployment.startBlock();

      SlashSubmitterConfig config = config(prefix);
      try (KafkaProducer<String, byte[]> producer = producer(prefix)) {
        producer.initTransactions();
        send(producer, config, Proposals.duplicate(copy, original, false), true);
        send(producer, config, Proposals.duplicate(original, other, false), false); // aborted
        send(producer, config, Proposals.duplicate(other, original, false), true);

        SlashSubmitterMetrics first = new SlashSubmitterMetrics();
        runUntil(config, deployment, first, () -> first.lastOffset.get() >= 4);
        assertThat(first.flagged.get()).isEqualTo(2);

        send(producer, config, Proposals.duplicate(copy, original, false), true); // redelivered
        SlashSubmitterMetrics second = new SlashSubmitterMetrics();
        SlashSubmitterConfig lostOffsets = config(prefix, prefix + "another-group");
        runUntil(lostOffsets, deployment, second, () -> second.lastOffset.get() >= 6);
        assertThat(second.sent.get()).isZero();
        assertThat(second.alreadyFlagged.get()).isEqualTo(3);
      }

      DatanetRegistry registry = driver.datanets(accounts.account(0));
      assertThat(registry.flagOf(BigInteger.valueOf(copy)).send().state).isEqualTo(BigInteger.ONE);
      assertThat(registry.flagOf(BigInteger.valueOf(other)).send().state).isEqualTo(BigInteger.ONE);
      assertThat(registry.flagOf(BigInteger.valueOf(original)).send().state)
          .isEqualTo(BigInteger.ZERO);
      assertThat(registry.isFrozen(BigInteger.valueOf(copy)).send()).isTrue();
      EthFilter filter =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.valueOf(start)),
              DefaultBlockParameterName.LATEST,
              deployment.address("DatanetRegistry"));
      filter.addSingleTopic(EventEncoder.encode(DatanetRegistry.CONTRIBUTIONFLAGGED_EVENT));
      assertThat(chain.web3().ethGetLogs(filter).send().getLogs()).hasSize(2);
    }
  }

  private static long contribute(
      ScenarioDriver driver, Credentials contributor, long datanet, String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return driver.contribute(contributor, datanet, bytes, "file:///" + text, OPEN);
  }

  private static SlashSubmitterConfig config(String prefix) {
    return config(prefix, prefix + "openledger-slash-submitter");
  }

  private static SlashSubmitterConfig config(String prefix, String group) {
    SlashSubmitterConfig c =
        SlashSubmitterConfig.load(
            Map.of(
                "OPENLEDGER_EVM_RPC_URL", LocalStack.evmRpcUrl().toString(),
                "OPENLEDGER_EVM_CHAIN_ID", Long.toString(LocalStack.evmChainId()),
                "OPENLEDGER_KAFKA_BOOTSTRAP", LocalStack.kafkaBootstrap(),
                "OPENLEDGER_REGISTRY_URL", LocalStack.registryUrl().toString(),
                "OPENLEDGER_TOPIC_PREFIX", prefix,
                "OPENLEDGER_SLASHING_BACKOFF_MS", "50",
                "OPENLEDGER_SLASHING_METRICS_PORT", "0"));
    return new SlashSubmitterConfig(
        c.rpcUrl(),
        c.chainId(),
        c.kafkaBootstrap(),
        c.registryUrl(),
        c.deploymentFile(),
        c.proposalsTopic(),
        c.deadLetterTopic(),
        group,
        c.flagger(),
        c.retry(),
        c.metricsPort(),
        c.host());
  }

  private static KafkaProducer<String, byte[]> producer(String prefix) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrap());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "proposals");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** One proposal in its own transaction, committed or aborted. */
  private static void send(
      KafkaProducer<String, byte[]> producer,
      SlashSubmitterConfig config,
      SlashProposal p,
      boolean commit)
      throws Exception {
    var serde =
        new ConfluentAvroSerde<>(
            Topics.SLASH_PROPOSALS.withName(config.proposalsTopic()),
            new SchemaRegistryClient(URI.create(config.registryUrl())),
            SlashProposal.class);
    producer.beginTransaction();
    producer
        .send(
            new ProducerRecord<>(
                config.proposalsTopic(), Long.toString(p.getContributionId()), serde.encode(p)))
        .get();
    if (commit) {
      producer.commitTransaction();
    } else {
      producer.abortTransaction();
    }
  }

  /** Runs the submitter until {@code done} (each transaction marker takes an offset too). */
  private static void runUntil(
      SlashSubmitterConfig config,
      Deployment deployment,
      SlashSubmitterMetrics metrics,
      BooleanSupplier done)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> run =
        CompletableFuture.runAsync(
            () -> {
              try {
                SlashSubmitterApp.run(config, deployment, metrics, () -> !stop.get());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long polls = 0;
    while (!done.getAsBoolean() && !run.isDone() && polls++ < 1200) {
      Thread.sleep(100);
    }
    stop.set(true);
    run.get(30, TimeUnit.SECONDS);
    assertThat(done.getAsBoolean()).as("submitter reached its goal: %s", metrics.render()).isTrue();
  }
}
