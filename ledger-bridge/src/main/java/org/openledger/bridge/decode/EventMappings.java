package org.openledger.bridge.decode;

import static org.openledger.bridge.decode.AbiValues.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.decode.AbiReader.InvalidField;
import org.openledger.bridge.decode.AbiReader.Param;
import org.openledger.events.AttributionMethod;
import org.openledger.events.ContributionReviewed;
import org.openledger.events.CuratorSet;
import org.openledger.events.DataContributed;
import org.openledger.events.DatanetCreated;
import org.openledger.events.FeeEscrowed;
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
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * The events the pipeline consumes: for each, its ABI (from the generated wrappers) with the names
 * of its arguments as the contract declares them, the contract that must emit it, its topic, and
 * how its arguments map onto the Avro record, each through a checked conversion of {@link
 * AbiValues}. The rules checked are the ones the contracts enforce (a log breaking them did not
 * come from the contract we know) and the ones consumers rely on (so a value never crashes a job
 * downstream).
 */
final class EventMappings {

  private static final int BPS = 10_000;
  private static final long PPM = 1_000_000;

  /** ProtocolParams.MAX_POWER: the largest exponent of the POWER share rule. */
  private static final int MAX_POWER = 8;

  /** One consumed event; {@code indexed} and {@code data} are its arguments in topic/data order. */
  record Spec(
      Event abi,
      String contract,
      Topic topic,
      List<Param> indexed,
      List<Param> data,
      BiFunction<RawChainLog, AbiValues, SpecificRecord> map) {

    String name() {
      return abi.getName();
    }
  }

  /** ModelRegistry's ModelRegistered before its encoder argument (schema v2). */
  static final Event MODEL_REGISTERED_WITHOUT_ENCODER =
      new Event(
          "ModelRegistered",
          List.of(
              new TypeReference<Uint256>(true) {},
              new TypeReference<Address>(true) {},
              new TypeReference<DynamicArray<Uint256>>(false) {},
              new TypeReference<Uint8>(false) {},
              new TypeReference<Utf8String>(false) {}));

  private EventMappings() {}

  private static ModelRegistered modelRegistered(RawChainLog r, AbiValues v, String encoder) {
    return ModelRegistered.newBuilder()
        .setPosition(r.getPosition())
        .setRemoved(r.getRemoved())
        .setModelId(v.id("modelId"))
        .setOwner(v.party("owner"))
        .setDatanetIds(v.ids("datanetIds"))
        .setMethod(method(v.intIn("method", 0, 255)))
        .setName(v.string("name"))
        .setEncoderId(encoder)
        .build();
  }

  /** The registry consumed() fills; FlagEventMappings and BatchEventMappings add to it. */
  static final class Specs {
    private final List<Spec> specs = new ArrayList<>();

    /** {@code names}: every argument, indexed or not, in the order the event declares them. */
    void add(
        Event abi,
        String contract,
        Topic topic,
        List<String> names,
        BiFunction<RawChainLog, AbiValues, SpecificRecord> map) {
      add(abi, contract, topic, names, Map.of(), map);
    }

    /** As above; {@code maxItems}: the contract's cap on the length of each array argument. */
    void add(
        Event abi,
        String contract,
        Topic topic,
        List<String> names,
        Map<String, Integer> maxItems,
        BiFunction<RawChainLog, AbiValues, SpecificRecord> map) {
      List<TypeReference<?>> params = new ArrayList<>(abi.getParameters());
      if (params.size() != names.size() || !names.containsAll(maxItems.keySet())) {
        throw new IllegalStateException(
            abi.getName() + " has " + params.size() + " arguments, named " + names);
      }
      List<Param> indexed = new ArrayList<>();
      List<Param> data = new ArrayList<>();
      for (int i = 0; i < params.size(); i++) {
        String name = names.get(i);
        Param p =
            new Param(
                name,
                AbiReader.typeOf(params.get(i)),
                maxItems.getOrDefault(name, Integer.MAX_VALUE));
        if (params.get(i).isIndexed()) {
          if (AbiReader.isDynamic(p.type())) {
            throw new IllegalStateException(abi.getName() + ": indexed " + p + " is hashed");
          }
          indexed.add(p);
        } else {
          data.add(p);
        }
      }
      specs.add(new Spec(abi, contract, topic, List.copyOf(indexed), List.copyOf(data), map));
    }
  }

  static List<Spec> consumed() {
    Specs registry = new Specs();
    registry.add(
        DatanetRegistry.DATANETCREATED_EVENT,
        "DatanetRegistry",
        Topics.DATANET_CREATED,
        List.of("datanetId", "owner", "name", "minStake"),
        (r, v) ->
            DatanetCreated.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setDatanetId(v.id("datanetId"))
                .setOwner(v.party("owner"))
                .setName(v.string("name"))
                .setMinStake(v.wei("minStake"))
                .build());
    registry.add(
        DatanetRegistry.CURATORSET_EVENT,
        "DatanetRegistry",
        Topics.CURATOR_SET,
        List.of("datanetId", "curator", "enabled"),
        (r, v) ->
            CuratorSet.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setDatanetId(v.id("datanetId"))
                // The owner may name any address, zero included; a curator is never paid.
                .setCurator(v.address("curator"))
                .setEnabled(v.bool("enabled"))
                .build());
    registry.add(
        DatanetRegistry.DATACONTRIBUTED_EVENT,
        "DatanetRegistry",
        Topics.DATA_CONTRIBUTED,
        List.of("contributionId", "datanetId", "contributor", "contentHash", "contentUri", "stake"),
        (r, v) ->
            DataContributed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setContributor(v.party("contributor"))
                .setContentHash(v.bytes32("contentHash"))
                .setContentUri(v.string("contentUri"))
                .setStake(v.wei("stake"))
                .build());
    registry.add(
        DatanetRegistry.CONTRIBUTIONREVIEWED_EVENT,
        "DatanetRegistry",
        Topics.CONTRIBUTION_REVIEWED,
        List.of("contributionId", "datanetId", "curator", "accepted"),
        (r, v) ->
            ContributionReviewed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setCurator(v.party("curator"))
                .setAccepted(v.bool("accepted"))
                .build());
    registry.add(
        DatanetRegistry.STAKESLASHED_EVENT,
        "DatanetRegistry",
        Topics.STAKE_SLASHED,
        List.of("contributionId", "datanetId", "contributor", "amount", "reasonCode"),
        (r, v) ->
            StakeSlashed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setContributor(v.party("contributor"))
                .setAmount(v.wei("amount"))
                .setReasonCode(v.intIn("reasonCode", 0, 255))
                .build());
    registry.add(
        DatanetRegistry.STAKEWITHDRAWN_EVENT,
        "DatanetRegistry",
        Topics.STAKE_WITHDRAWN,
        List.of("contributionId", "datanetId", "contributor", "amount"),
        (r, v) ->
            StakeWithdrawn.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(v.id("contributionId"))
                .setDatanetId(v.id("datanetId"))
                .setContributor(v.party("contributor"))
                .setAmount(v.wei("amount"))
                .build());
    registry.add(
        ModelRegistry.MODELREGISTERED_EVENT,
        "ModelRegistry",
        Topics.MODEL_REGISTERED,
        List.of("modelId", "owner", "datanetIds", "method", "name", "encoder"),
        (r, v) -> modelRegistered(r, v, v.encoderId("encoder")));
    // A deployment of the registry from before models named their encoder: the same record, with
    // the pipeline's default encoder (""), so its history still decodes.
    registry.add(
        MODEL_REGISTERED_WITHOUT_ENCODER,
        "ModelRegistry",
        Topics.MODEL_REGISTERED,
        List.of("modelId", "owner", "datanetIds", "method", "name"),
        (r, v) -> modelRegistered(r, v, ""));
    registry.add(
        ModelRegistry.MODELOWNERCHANGED_EVENT,
        "ModelRegistry",
        Topics.MODEL_OWNER_CHANGED,
        List.of("modelId", "previousOwner", "newOwner"),
        (r, v) ->
            ModelOwnerChanged.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setModelId(v.id("modelId"))
                .setPreviousOwner(v.party("previousOwner"))
                // The owner is paid a share of every fee, and settle() reverts on a zero payee.
                .setNewOwner(v.party("newOwner"))
                .build());
    registry.add(
        InferenceMarket.INFERENCEPAID_EVENT,
        "InferenceMarket",
        Topics.INFERENCE_PAID,
        List.of("inferenceId", "modelId", "payer", "fee", "queryHash", "queryUri"),
        (r, v) ->
            InferencePaid.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setInferenceId(v.id("inferenceId"))
                .setModelId(v.id("modelId"))
                .setPayer(v.party("payer"))
                .setFee(v.wei("fee"))
                .setQueryHash(v.bytes32("queryHash"))
                .setQueryUri(v.string("queryUri"))
                .build());
    registry.add(
        ProtocolParams.PARAMSCHANGED_EVENT,
        "ProtocolParams",
        Topics.PARAMS_CHANGED,
        List.of(
            "version",
            "contributorBps",
            "ownerBps",
            "protocolBps",
            "topK",
            "similarityThresholdPpm",
            "duplicateBoundPpm",
            "minPayout",
            "settlementWindowBlocks",
            "maxPayeesPerBatch",
            "shareRule",
            "shareRuleParam"),
        EventMappings::params);
    registry.add(
        Settlement.FEEESCROWED_EVENT,
        "Settlement",
        Topics.FEE_ESCROWED,
        List.of("amount", "escrowed"),
        (r, v) ->
            FeeEscrowed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setAmount(v.wei("amount"))
                .setEscrowed(v.wei("escrowed"))
                .build());
    registry.add(
        Settlement.BATCHSETTLED_EVENT,
        "Settlement",
        Topics.BATCH_SETTLED,
        List.of("batchId", "attributionRoot", "total", "payees", "amounts"),
        BatchEventMappings.PAYEE_CAPS,
        BatchEventMappings::settled);
    FlagEventMappings.add(registry);
    BatchEventMappings.add(registry);
    return List.copyOf(registry.specs);
  }

  /** The rules ProtocolParams enforces, which the payment and attribution jobs rely on. */
  private static SpecificRecord params(RawChainLog r, AbiValues v) {
    int contributor = v.intIn("contributorBps", 0, BPS);
    int owner = v.intIn("ownerBps", 0, BPS);
    int protocol = v.intIn("protocolBps", 0, BPS);
    int sum = contributor + owner + protocol;
    check(sum == BPS, "protocolBps", "the bps sum to " + sum + ", not " + BPS);
    ShareRule rule = shareRule(v.intIn("shareRule", 0, 255));
    long ruleParam = v.longIn("shareRuleParam", 0, Long.MAX_VALUE);
    if (rule == ShareRule.POWER) {
      check(
          ruleParam >= 1 && ruleParam <= MAX_POWER,
          "shareRuleParam",
          "POWER takes an exponent of 1 to " + MAX_POWER + ", not " + ruleParam);
    } else {
      check(ruleParam == 0, "shareRuleParam", rule + " takes no parameter (0), not " + ruleParam);
    }
    return ParamsChanged.newBuilder()
        .setPosition(r.getPosition())
        .setRemoved(r.getRemoved())
        .setVersion(v.longIn("version", 1, Long.MAX_VALUE))
        .setContributorBps(contributor)
        .setOwnerBps(owner)
        .setProtocolBps(protocol)
        .setTopK(v.intIn("topK", 1, 65_535))
        .setSimilarityThresholdPpm(v.longIn("similarityThresholdPpm", 0, PPM))
        .setDuplicateBoundPpm(v.longIn("duplicateBoundPpm", 0, PPM))
        .setMinPayout(v.wei("minPayout"))
        .setSettlementWindowBlocks(v.longIn("settlementWindowBlocks", 1, Long.MAX_VALUE))
        .setMaxPayeesPerBatch(v.intIn("maxPayeesPerBatch", 1, Integer.MAX_VALUE))
        .setShareRule(rule)
        .setShareRuleParam((int) ruleParam)
        .build();
  }

  /** ProtocolParams' share rule by its code (SHARE_LINEAR, SHARE_TOP1, SHARE_POWER). */
  static ShareRule shareRule(int code) {
    return switch (code) {
      case 0 -> ShareRule.LINEAR;
      case 1 -> ShareRule.TOP1;
      case 2 -> ShareRule.POWER;
      default -> throw new InvalidField("shareRule", "unknown share rule " + code);
    };
  }

  /** ModelRegistry.AttributionMethod by its Solidity ordinal. */
  static AttributionMethod method(int code) {
    return switch (code) {
      case 0 -> AttributionMethod.EMBEDDING;
      case 1 -> AttributionMethod.PRECOMPUTED;
      case 2 -> AttributionMethod.SPAN;
      default -> throw new InvalidField("method", "unknown attribution method " + code);
    };
  }
}
