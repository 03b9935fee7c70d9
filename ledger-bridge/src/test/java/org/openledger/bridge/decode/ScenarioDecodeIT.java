package org.openledger.bridge.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.chain.RawLogs;
import org.openledger.bridge.decode.DecodeResult.Decoded;
import org.openledger.bridge.decode.DecodeResult.Failed;
import org.openledger.bridge.deploy.Deployer;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.SampleScenario;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BatchSettled;
import org.openledger.events.ContributionFlagged;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.CuratorSet;
import org.openledger.events.DataContributed;
import org.openledger.events.DatanetCreated;
import org.openledger.events.FeeEscrowed;
import org.openledger.events.FlagCleared;
import org.openledger.events.FlagDisputed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelOwnerChanged;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.RawChainLog;
import org.openledger.events.ShareRule;
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.openledger.testing.LocalStack;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * The scenario driver makes the real dev node emit every consumed event type; read back with
 * eth_getLogs, each decodes into its Avro record with every field as the scenario sent it.
 */
class ScenarioDecodeIT {

  @org.junit.jupiter.api.io.TempDir java.nio.file.Path content;

  private static final BigDecimal OPEN = new BigDecimal(BigInteger.TEN.pow(18));

  @Test
  void shouldDecodeEveryEventTheScenarioEmitsFieldForField() throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      SampleScenario.Report report =
          SampleScenario.run(
              chain,
              new ScenarioDriver(chain, deployment),
              accounts,
              4,
              new org.openledger.bridge.scenario.ContentStore(content));

      ChainEventDecoder decoder = new ChainEventDecoder(deployment.addressesByName());
      Map<Topic, List<SpecificRecord>> byTopic = new HashMap<>();
      List<String> failures = new ArrayList<>();
      for (RawChainLog raw : logs(chain, deployment)) {
        DecodeResult result = decoder.decode(raw);
        if (result instanceof Decoded d) {
          byTopic.computeIfAbsent(d.topic(), t -> new ArrayList<>()).add(d.event());
          assertThat(((org.apache.avro.generic.GenericRecord) d.event()).get("position"))
              .isEqualTo(raw.getPosition());
        } else if (result instanceof Failed f) {
          failures.add(f.reason());
        } else if (result instanceof DecodeResult.Ignored i
            && i.why() != DecodeResult.Why.NOT_CONSUMED) {
          failures.add(i.why().label() + ": " + i.detail());
        }
      }

      // Every log of the real contracts is either consumed or known: none unknown, none foreign.
      assertThat(failures).isEmpty();
      assertThat(byTopic.keySet())
          .containsAll(
              Set.of(
                  Topics.DATANET_CREATED,
                  Topics.CURATOR_SET,
                  Topics.DATA_CONTRIBUTED,
                  Topics.CONTRIBUTION_REVIEWED,
                  Topics.STAKE_SLASHED,
                  Topics.STAKE_WITHDRAWN,
                  Topics.CONTRIBUTION_FLAGGED,
                  Topics.FLAG_DISPUTED,
                  Topics.FLAG_CLEARED,
                  Topics.MODEL_REGISTERED,
                  Topics.MODEL_OWNER_CHANGED,
                  Topics.INFERENCE_PAID,
                  Topics.PARAMS_CHANGED,
                  Topics.FEE_ESCROWED,
                  Topics.BATCH_SETTLED));

      String owner = report.owner().getAddress();
      String curator = report.curator().getAddress();
      String contributor = report.contributor().getAddress();
      DatanetCreated created = only(byTopic, Topics.DATANET_CREATED);
      assertThat(created.getDatanetId()).isEqualTo(report.datanetId());
      assertThat(created.getOwner()).isEqualTo(owner);
      assertThat(created.getName()).isEqualTo("fortunes-science");
      assertThat(created.getMinStake()).isEqualTo(OPEN);
      CuratorSet curatorSet = only(byTopic, Topics.CURATOR_SET);
      assertThat(curatorSet.getCurator()).isEqualTo(curator);
      assertThat(curatorSet.getEnabled()).isTrue();

      List<DataContributed> contributed = all(byTopic, Topics.DATA_CONTRIBUTED);
      assertThat(contributed)
          .extracting(DataContributed::getContributionId)
          .containsExactly(report.acceptedId(), report.slashedId(), report.withdrawnId());
      assertThat(contributed.get(0).getContentHash())
          .isEqualTo(
              Numeric.toHexString(
                  Hash.sha3(
                      "Energy equals mass times the speed of light squared: E = mc^2."
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      assertThat(contributed.get(0).getContentUri()).startsWith("file:/").endsWith(".txt");
      assertThat(
              org.web3j.utils.Numeric.toHexString(
                  org.web3j.crypto.Hash.sha3(
                      java.nio.file.Files.readAllBytes(
                          java.nio.file.Path.of(
                              java.net.URI.create(contributed.get(0).getContentUri()))))))
          .isEqualTo(contributed.get(0).getContentHash());
      assertThat(contributed)
          .allSatisfy(
              c -> {
                assertThat(c.getContributor()).isEqualTo(contributor);
                assertThat(c.getStake()).isEqualTo(OPEN);
                assertThat(c.getDatanetId()).isEqualTo(report.datanetId());
              });
      assertThat(all(byTopic, Topics.CONTRIBUTION_REVIEWED))
          .extracting(
              r ->
                  ((ContributionReviewed) r).getContributionId()
                      + ":"
                      + ((ContributionReviewed) r).getAccepted())
          .containsExactly(report.acceptedId() + ":true", report.slashedId() + ":false");
      StakeSlashed slashed = only(byTopic, Topics.STAKE_SLASHED);
      assertThat(slashed.getContributionId()).isEqualTo(report.slashedId());
      assertThat(slashed.getAmount()).isEqualTo(OPEN);
      assertThat(slashed.getReasonCode()).isEqualTo(3);
      assertThat(all(byTopic, Topics.CONTRIBUTION_FLAGGED))
          .extracting(
              f ->
                  ((ContributionFlagged) f).getContributionId()
                      + ":"
                      + ((ContributionFlagged) f).getReasonCode()
                      + ":"
                      + ((ContributionFlagged) f).getFlagger())
          .containsExactly(
              report.slashedId() + ":3:" + accounts.account(2).getAddress(),
              report.acceptedId() + ":2:" + accounts.account(2).getAddress());
      FlagDisputed disputed = only(byTopic, Topics.FLAG_DISPUTED);
      assertThat(disputed.getContributionId()).isEqualTo(report.slashedId());
      assertThat(disputed.getContributor()).isEqualTo(contributor);
      FlagCleared cleared = only(byTopic, Topics.FLAG_CLEARED);
      assertThat(cleared.getContributionId()).isEqualTo(report.acceptedId());
      StakeWithdrawn withdrawn = only(byTopic, Topics.STAKE_WITHDRAWN);
      assertThat(withdrawn.getContributionId()).isEqualTo(report.withdrawnId());
      assertThat(withdrawn.getContributor()).isEqualTo(contributor);

      ModelRegistered model = only(byTopic, Topics.MODEL_REGISTERED);
      assertThat(model.getModelId()).isEqualTo(report.modelId());
      assertThat(model.getDatanetIds()).containsExactly(report.datanetId());
      assertThat(model.getMethod()).isEqualTo(AttributionMethod.EMBEDDING);
      assertThat(model.getName()).isEqualTo("physics-tutor");
      ModelOwnerChanged moved = only(byTopic, Topics.MODEL_OWNER_CHANGED);
      assertThat(moved.getPreviousOwner()).isEqualTo(owner);
      assertThat(moved.getNewOwner()).isEqualTo(curator);

      InferencePaid paid = only(byTopic, Topics.INFERENCE_PAID);
      assertThat(paid.getInferenceId()).isEqualTo(report.inferenceId());
      assertThat(paid.getFee().toBigIntegerExact()).isEqualTo(report.fee());
      assertThat(paid.getPayer()).isEqualTo(report.payer().getAddress());
      assertThat(paid.getQueryHash())
          .isEqualTo(
              Numeric.toHexString(
                  Hash.sha3(
                      "What does energy equal? Mass times the speed of light squared."
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      FeeEscrowed escrowed = only(byTopic, Topics.FEE_ESCROWED);
      assertThat(escrowed.getAmount().toBigIntegerExact()).isEqualTo(report.fee());

      List<ParamsChanged> params = all(byTopic, Topics.PARAMS_CHANGED);
      assertThat(params).extracting(ParamsChanged::getVersion).containsExactly(1L, 2L);
      assertThat(params.get(0).getContributorBps()).isEqualTo(7000);
      assertThat(params.get(1).getContributorBps()).isEqualTo(6500);
      assertThat(params.get(1).getOwnerBps()).isEqualTo(2500);
      // The deployment's default rule (DeploymentPlan.DEFAULT_SHARE), then the scenario's change.
      assertThat(params.get(0).getShareRule()).isEqualTo(ShareRule.POWER);
      assertThat(params.get(0).getShareRuleParam()).isEqualTo(3);
      assertThat(params.get(1).getShareRule()).isEqualTo(ShareRule.POWER);
      assertThat(params.get(1).getShareRuleParam()).isEqualTo(2);

      BatchSettled batch = only(byTopic, Topics.BATCH_SETTLED);
      assertThat(batch.getBatchId()).isEqualTo(Numeric.toHexString(report.batchId()));
      assertThat(batch.getAttributionRoot()).isEqualTo(Numeric.toHexString(report.root()));
      assertThat(batch.getPayees()).containsExactly(contributor);
      assertThat(batch.getAmounts())
          .extracting(BigDecimal::toBigIntegerExact)
          .containsExactly(report.payout());
      assertThat(batch.getTotal().toBigIntegerExact()).isEqualTo(report.payout());
    }
  }

  /** Every log of the deployment's contracts, as the follower will write them. */
  @Test
  void shouldRegisterAndDecodeModelsWithTheirMethodAndEncoder() throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    try (Chain chain = new Chain(LocalStack.evmRpcUrl().toString(), LocalStack.evmChainId())) {
      Deployment deployment = Deployer.deployDev(chain, accounts);
      ScenarioDriver driver = new ScenarioDriver(chain, deployment);
      var owner = accounts.account(6);
      long datanet = driver.createDatanet(owner, "span-quotes", BigInteger.TEN.pow(18));
      long model = driver.registerModel(owner, List.of(datanet), 2, "quoter");
      long own = driver.registerModel(owner, List.of(datanet), 0, "own", "minilm-l6-v2");

      ChainEventDecoder decoder = new ChainEventDecoder(deployment.addressesByName());
      List<ModelRegistered> registered = new ArrayList<>();
      for (RawChainLog raw : logs(chain, deployment)) {
        if (decoder.decode(raw) instanceof Decoded d && d.event() instanceof ModelRegistered m) {
          registered.add(m);
        }
      }

      assertThat(registered).hasSize(2);
      assertThat(registered.get(0))
          .satisfies(
              m -> {
                assertThat(m.getModelId()).isEqualTo(model);
                assertThat(m.getMethod()).isEqualTo(AttributionMethod.SPAN);
                assertThat(m.getDatanetIds()).containsExactly(datanet);
                assertThat(m.getEncoderId()).isEmpty(); // the 3-argument form: the default
              });
      assertThat(registered.get(1))
          .satisfies(
              m -> {
                assertThat(m.getModelId()).isEqualTo(own);
                assertThat(m.getMethod()).isEqualTo(AttributionMethod.EMBEDDING);
                assertThat(m.getEncoderId()).isEqualTo("minilm-l6-v2");
              });
    }
  }

  private static List<RawChainLog> logs(Chain chain, Deployment deployment) throws Exception {
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(deployment.startBlock())),
            DefaultBlockParameter.valueOf(chain.web3().ethBlockNumber().send().getBlockNumber()),
            deployment.contractAddresses());
    Map<BigInteger, Long> timestamps = new HashMap<>();
    List<RawChainLog> raws = new ArrayList<>();
    for (EthLog.LogResult<?> result : chain.web3().ethGetLogs(filter).send().getLogs()) {
      Log log = (Log) result.get();
      long timestamp =
          timestamps.computeIfAbsent(log.getBlockNumber(), n -> blockTimestamp(chain, n));
      raws.add(RawLogs.of(log, chain.chainId(), timestamp, false));
    }
    return raws;
  }

  private static long blockTimestamp(Chain chain, BigInteger number) {
    try {
      return chain
          .web3()
          .ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), false)
          .send()
          .getBlock()
          .getTimestamp()
          .longValueExact();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> all(Map<Topic, List<SpecificRecord>> byTopic, Topic topic) {
    return (List<T>) (List<?>) byTopic.get(topic);
  }

  private static <T> T only(Map<Topic, List<SpecificRecord>> byTopic, Topic topic) {
    List<T> records = all(byTopic, topic);
    assertThat(records).as(topic.name()).hasSize(1);
    return records.get(0);
  }
}
