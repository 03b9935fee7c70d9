package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openledger.events.BatchSettled;
import org.openledger.events.ChainPosition;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.DataContributed;
import org.openledger.events.DatanetCreated;
import org.openledger.events.InferencePaid;
import org.openledger.events.StakeSlashed;
import org.openledger.pipeline.PayeeRole;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.InMemorySchemaRegistry;

class BalancesTopologyTest {

  static final String ALICE = "0x00000000000000000000000000000000000000a1";
  private static final String BOB = "0x00000000000000000000000000000000000000b2";
  static final ChainPosition POS =
      ChainPosition.newBuilder()
          .setChainId(1337)
          .setBlockNumber(5)
          .setBlockHash("0x05")
          .setBlockTimestamp(0)
          .setTxHash("0x06")
          .setLogIndex(0)
          .build();

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private TopologyTestDriver driver;

  @BeforeEach
  void start() {
    StreamsBuilder builder = new StreamsBuilder();
    BalancesTopology.build(builder, TopicNames.DEFAULT, registry);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "balances-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver = new TopologyTestDriver(builder.build(), props);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void send(Topic topic, SpecificRecord event) {
    var serde = new ConfluentAvroSerde(topic, registry, event.getClass());
    driver
        .createInputTopic(
            topic.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput("k", serde.encode(event));
  }

  private static BigDecimal wei(long v) {
    return new BigDecimal(BigInteger.valueOf(v));
  }

  private Balance balance(String payee) {
    KeyValueStore<String, String> store = driver.getKeyValueStore(BalancesProcessor.BALANCES);
    return Balance.decode(store.get(payee));
  }

  private DatanetView datanet(long id) {
    KeyValueStore<Long, String> store = driver.getKeyValueStore(BalancesProcessor.DATANETS);
    return DatanetView.fromJson(store.get(id));
  }

  private static PayoutAccrual accrual(String payee, long amount) {
    return PayoutAccrual.newBuilder()
        .setInferenceId(1)
        .setPosition(POS)
        .setPayee(payee)
        .setRole(PayeeRole.CONTRIBUTOR)
        .setContributionId(1L)
        .setAmount(wei(amount))
        .setParamsVersion(1)
        .build();
  }

  private static BatchSettled settled(boolean removed, long alice, long bob) {
    return BatchSettled.newBuilder()
        .setPosition(POS)
        .setRemoved(removed)
        .setBatchId("0x01")
        .setAttributionRoot("0x02")
        .setTotal(wei(alice + bob))
        .setPayees(List.of(ALICE, BOB))
        .setAmounts(List.of(wei(alice), wei(bob)))
        .build();
  }

  @Test
  void shouldKeepAccruedSettledAndPendingExactPerPayeeAndUndoRetractions() {
    send(Topics.PAYOUT_ACCRUALS, accrual(ALICE, 700));
    send(Topics.PAYOUT_ACCRUALS, accrual(ALICE, 300));
    send(Topics.PAYOUT_ACCRUALS, accrual(BOB, 5));
    send(Topics.BATCH_SETTLED, settled(false, 600, 5));

    assertThat(balance(ALICE))
        .isEqualTo(new Balance(BigInteger.valueOf(1000), BigInteger.valueOf(600)));
    assertThat(balance(ALICE).pending()).isEqualTo(BigInteger.valueOf(400));
    assertThat(balance(BOB).pending()).isZero();

    send(Topics.BATCH_SETTLED, settled(true, 600, 5)); // reorged away: pending again

    assertThat(balance(ALICE).pending()).isEqualTo(BigInteger.valueOf(1000));
    assertThat(balance(BOB).settled()).isZero();
  }

  private ModelView model(long id) {
    KeyValueStore<Long, String> store = driver.getKeyValueStore(BalancesProcessor.MODELS);
    return ModelView.decode(id, store.get(id));
  }

  @Test
  void shouldTrackModelUsageFeesAndOwnerAccrualsPerModel() {
    InferencePaid paid =
        InferencePaid.newBuilder()
            .setPosition(POS)
            .setInferenceId(1)
            .setModelId(7)
            .setPayer(BOB)
            .setFee(wei(1000))
            .setQueryHash("0x00")
            .setQueryUri("u")
            .build();
    send(Topics.INFERENCE_PAID, paid);
    send(Topics.INFERENCE_PAID, InferencePaid.newBuilder(paid).setInferenceId(2).build());
    send(
        Topics.PAYOUT_ACCRUALS,
        PayoutAccrual.newBuilder(accrual(ALICE, 200))
            .setRole(PayeeRole.MODEL_OWNER)
            .setContributionId(null)
            .setModelId(7L)
            .build());
    send(
        Topics.INFERENCE_PAID,
        InferencePaid.newBuilder(paid).setInferenceId(2).setRemoved(true).build());

    assertThat(model(7)).isEqualTo(new ModelView(7, 1, "1000", "200"));
  }

  @Test
  void shouldTrackDatanetContributionsAndActiveStakeThroughRejectionSlashAndRetraction() {
    send(
        Topics.DATANET_CREATED,
        DatanetCreated.newBuilder()
            .setPosition(POS)
            .setDatanetId(1)
            .setOwner(ALICE)
            .setName("science")
            .setMinStake(wei(10))
            .build());
    for (long id = 1; id <= 3; id++) {
      send(
          Topics.DATA_CONTRIBUTED,
          DataContributed.newBuilder()
              .setPosition(POS)
              .setContributionId(id)
              .setDatanetId(1)
              .setContributor(BOB)
              .setContentHash("0x00")
              .setContentUri("u")
              .setStake(wei(10 * id))
              .build());
    }
    send(
        Topics.CONTRIBUTION_REVIEWED,
        ContributionReviewed.newBuilder()
            .setPosition(POS)
            .setContributionId(2)
            .setDatanetId(1)
            .setCurator(ALICE)
            .setAccepted(false)
            .build());
    StakeSlashed slash =
        StakeSlashed.newBuilder()
            .setPosition(POS)
            .setContributionId(2)
            .setDatanetId(1)
            .setContributor(BOB)
            .setAmount(wei(20))
            .setReasonCode(1)
            .build();
    send(Topics.STAKE_SLASHED, slash);

    assertThat(datanet(1).contributions()).isEqualTo(3);
    assertThat(datanet(1).activeContributions()).isEqualTo(2);
    assertThat(datanet(1).activeStake()).isEqualTo("40");

    send(Topics.STAKE_SLASHED, StakeSlashed.newBuilder(slash).setRemoved(true).build());
    send(
        Topics.CONTRIBUTION_REVIEWED,
        ContributionReviewed.newBuilder()
            .setPosition(POS)
            .setRemoved(true)
            .setContributionId(2)
            .setDatanetId(1)
            .setCurator(ALICE)
            .setAccepted(false)
            .build());

    assertThat(datanet(1).activeContributions()).isEqualTo(3);
    assertThat(datanet(1).activeStake()).isEqualTo("60");
    assertThat(datanet(1).name()).isEqualTo("science");
  }
}
