package org.openledger.bridge.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
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
import org.openledger.events.ChainPosition;
import org.openledger.events.ContributionFlagged;
import org.openledger.events.DataContributed;
import org.openledger.events.FlagCleared;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.schemas.serde.ConfluentAvroSerde;
import org.openledger.testing.InMemorySchemaRegistry;

/**
 * A contributor's slashed and flagged stake in the balances view: a flag holds the stake until it
 * is cleared, slashed or withdrawn; a slash adds to the slashed stake; retractions undo each step.
 */
class StakeBalancesTest {

  private static final String BOB = "0x00000000000000000000000000000000000000b2";
  private static final ChainPosition POS =
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
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stake-balances-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(builder.build(), props);
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

  private Balance bob() {
    KeyValueStore<String, String> store = driver.getKeyValueStore(BalancesProcessor.BALANCES);
    return Balance.decode(store.get(BOB));
  }

  private static ContributionFlagged flagged(long id, boolean removed) {
    return ContributionFlagged.newBuilder()
        .setPosition(POS)
        .setRemoved(removed)
        .setContributionId(id)
        .setDatanetId(1)
        .setContributor(BOB)
        .setFlagger("0x00000000000000000000000000000000000000f1")
        .setReasonCode(1)
        .setExpiresAtBlock(205)
        .setEvidence("duplicate-of=1")
        .build();
  }

  private static StakeSlashed slashed(long id, long amount, boolean removed) {
    return StakeSlashed.newBuilder()
        .setPosition(POS)
        .setRemoved(removed)
        .setContributionId(id)
        .setDatanetId(1)
        .setContributor(BOB)
        .setAmount(wei(amount))
        .setReasonCode(1)
        .build();
  }

  @Test
  void shouldHoldAFlaggedStakeUntilGovernanceSlashesItThenCountItSlashed() {
    send(Topics.CONTRIBUTION_FLAGGED, flagged(2, false));
    send(Topics.CONTRIBUTION_FLAGGED, flagged(3, false));

    assertThat(bob().flaggedStake()).isEqualTo(BigInteger.valueOf(50));
    assertThat(bob().slashedStake()).isZero();

    send(Topics.STAKE_SLASHED, slashed(2, 20, false));

    assertThat(bob().flaggedStake()).isEqualTo(BigInteger.valueOf(30));
    assertThat(bob().slashedStake()).isEqualTo(BigInteger.valueOf(20));
    assertThat(bob().accrued()).isZero();

    send(Topics.STAKE_SLASHED, slashed(2, 20, true)); // the slash's block reorged away

    assertThat(bob().flaggedStake()).isEqualTo(BigInteger.valueOf(50));
    assertThat(bob().slashedStake()).isZero();
  }

  @Test
  void shouldFreeAFlaggedStakeWhenClearedOrWithdrawnAfterExpiryAndUndoRetractions() {
    send(Topics.CONTRIBUTION_FLAGGED, flagged(1, false));
    send(Topics.CONTRIBUTION_FLAGGED, flagged(3, false));
    FlagCleared cleared =
        FlagCleared.newBuilder()
            .setPosition(POS)
            .setContributionId(1)
            .setDatanetId(1)
            .setContributor(BOB)
            .build();
    send(Topics.FLAG_CLEARED, cleared);
    StakeWithdrawn withdrawn =
        StakeWithdrawn.newBuilder()
            .setPosition(POS)
            .setContributionId(3)
            .setDatanetId(1)
            .setContributor(BOB)
            .setAmount(wei(30))
            .build();
    send(Topics.STAKE_WITHDRAWN, withdrawn);

    assertThat(bob().flaggedStake()).isZero();

    send(Topics.FLAG_CLEARED, FlagCleared.newBuilder(cleared).setRemoved(true).build());
    assertThat(bob().flaggedStake()).isEqualTo(BigInteger.TEN);
    send(Topics.CONTRIBUTION_FLAGGED, flagged(1, true));
    assertThat(bob().flaggedStake()).isZero();
    send(Topics.STAKE_WITHDRAWN, StakeWithdrawn.newBuilder(withdrawn).setRemoved(true).build());
    assertThat(bob().flaggedStake()).isEqualTo(BigInteger.valueOf(30));
  }

  @Test
  void shouldReadABalanceStoredBeforeFlagsAsHavingNoStakeEvents() {
    assertThat(Balance.decode("1000,600"))
        .isEqualTo(new Balance(BigInteger.valueOf(1000), BigInteger.valueOf(600)));
    Balance b = Balance.decode("1000,600").stake(BigInteger.ONE, BigInteger.TWO);
    assertThat(Balance.decode(b.encode())).isEqualTo(b);
  }
}
