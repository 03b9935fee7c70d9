package org.openledger.bridge.decode;

import static org.openledger.bridge.decode.AbiValues.address;
import static org.openledger.bridge.decode.AbiValues.amount;
import static org.openledger.bridge.decode.AbiValues.bool;
import static org.openledger.bridge.decode.AbiValues.bytes32;
import static org.openledger.bridge.decode.AbiValues.id;
import static org.openledger.bridge.decode.AbiValues.list;
import static org.openledger.bridge.decode.AbiValues.smallInt;
import static org.openledger.bridge.decode.AbiValues.string;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BatchSettled;
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
import org.openledger.events.StakeSlashed;
import org.openledger.events.StakeWithdrawn;
import org.openledger.schemas.Topic;
import org.openledger.schemas.Topics;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;

/**
 * The events the pipeline consumes: for each, its ABI (from the generated wrappers), the contract
 * that must emit it, its topic, and how its decoded arguments map onto the Avro record.
 */
final class EventMappings {

  /** One consumed event. */
  record Spec(
      Event abi,
      String contract,
      Topic topic,
      BiFunction<RawChainLog, Values, SpecificRecord> map) {}

  /** The decoded arguments of one log, in declaration order within indexed and non-indexed. */
  record Values(List<Type> indexed, List<Type> data) {}

  private interface Registry {
    void add(
        Event abi,
        String contract,
        Topic topic,
        BiFunction<RawChainLog, Values, SpecificRecord> map);
  }

  private EventMappings() {}

  static List<Spec> consumed() {
    List<Spec> specs = new ArrayList<>();
    Registry registry =
        (abi, contract, topic, map) -> specs.add(new Spec(abi, contract, topic, map));
    registry.add(
        DatanetRegistry.DATANETCREATED_EVENT,
        "DatanetRegistry",
        Topics.DATANET_CREATED,
        (r, v) ->
            DatanetCreated.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setDatanetId(id(v.indexed().get(0), "datanetId"))
                .setOwner(address(v.indexed().get(1)))
                .setName(string(v.data().get(0)))
                .setMinStake(amount(v.data().get(1)))
                .build());
    registry.add(
        DatanetRegistry.CURATORSET_EVENT,
        "DatanetRegistry",
        Topics.CURATOR_SET,
        (r, v) ->
            CuratorSet.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setDatanetId(id(v.indexed().get(0), "datanetId"))
                .setCurator(address(v.indexed().get(1)))
                .setEnabled(bool(v.data().get(0)))
                .build());
    registry.add(
        DatanetRegistry.DATACONTRIBUTED_EVENT,
        "DatanetRegistry",
        Topics.DATA_CONTRIBUTED,
        (r, v) ->
            DataContributed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(id(v.indexed().get(0), "contributionId"))
                .setDatanetId(id(v.indexed().get(1), "datanetId"))
                .setContributor(address(v.indexed().get(2)))
                .setContentHash(bytes32(v.data().get(0)))
                .setContentUri(string(v.data().get(1)))
                .setStake(amount(v.data().get(2)))
                .build());
    registry.add(
        DatanetRegistry.CONTRIBUTIONREVIEWED_EVENT,
        "DatanetRegistry",
        Topics.CONTRIBUTION_REVIEWED,
        (r, v) ->
            ContributionReviewed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(id(v.indexed().get(0), "contributionId"))
                .setDatanetId(id(v.indexed().get(1), "datanetId"))
                .setCurator(address(v.indexed().get(2)))
                .setAccepted(bool(v.data().get(0)))
                .build());
    registry.add(
        DatanetRegistry.STAKESLASHED_EVENT,
        "DatanetRegistry",
        Topics.STAKE_SLASHED,
        (r, v) ->
            StakeSlashed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(id(v.indexed().get(0), "contributionId"))
                .setDatanetId(id(v.indexed().get(1), "datanetId"))
                .setContributor(address(v.indexed().get(2)))
                .setAmount(amount(v.data().get(0)))
                .setReasonCode(smallInt(v.data().get(1), "reasonCode"))
                .build());
    registry.add(
        DatanetRegistry.STAKEWITHDRAWN_EVENT,
        "DatanetRegistry",
        Topics.STAKE_WITHDRAWN,
        (r, v) ->
            StakeWithdrawn.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setContributionId(id(v.indexed().get(0), "contributionId"))
                .setDatanetId(id(v.indexed().get(1), "datanetId"))
                .setContributor(address(v.indexed().get(2)))
                .setAmount(amount(v.data().get(0)))
                .build());
    registry.add(
        ModelRegistry.MODELREGISTERED_EVENT,
        "ModelRegistry",
        Topics.MODEL_REGISTERED,
        (r, v) ->
            ModelRegistered.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setModelId(id(v.indexed().get(0), "modelId"))
                .setOwner(address(v.indexed().get(1)))
                .setDatanetIds(list(v.data().get(0)).stream().map(t -> id(t, "datanetId")).toList())
                .setMethod(EventMappings.method(smallInt(v.data().get(1), "method")))
                .setName(string(v.data().get(2)))
                .build());
    registry.add(
        ModelRegistry.MODELOWNERCHANGED_EVENT,
        "ModelRegistry",
        Topics.MODEL_OWNER_CHANGED,
        (r, v) ->
            ModelOwnerChanged.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setModelId(id(v.indexed().get(0), "modelId"))
                .setPreviousOwner(address(v.indexed().get(1)))
                .setNewOwner(address(v.indexed().get(2)))
                .build());
    registry.add(
        InferenceMarket.INFERENCEPAID_EVENT,
        "InferenceMarket",
        Topics.INFERENCE_PAID,
        (r, v) ->
            InferencePaid.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setInferenceId(id(v.indexed().get(0), "inferenceId"))
                .setModelId(id(v.indexed().get(1), "modelId"))
                .setPayer(address(v.indexed().get(2)))
                .setFee(amount(v.data().get(0)))
                .setQueryHash(bytes32(v.data().get(1)))
                .setQueryUri(string(v.data().get(2)))
                .build());
    registry.add(
        ProtocolParams.PARAMSCHANGED_EVENT,
        "ProtocolParams",
        Topics.PARAMS_CHANGED,
        (r, v) ->
            ParamsChanged.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setVersion(id(v.indexed().get(0), "version"))
                .setContributorBps(smallInt(v.data().get(0), "contributorBps"))
                .setOwnerBps(smallInt(v.data().get(1), "ownerBps"))
                .setProtocolBps(smallInt(v.data().get(2), "protocolBps"))
                .setTopK(smallInt(v.data().get(3), "topK"))
                .setSimilarityThresholdPpm(id(v.data().get(4), "similarityThresholdPpm"))
                .setDuplicateBoundPpm(id(v.data().get(5), "duplicateBoundPpm"))
                .setMinPayout(amount(v.data().get(6)))
                .setSettlementWindowBlocks(id(v.data().get(7), "settlementWindowBlocks"))
                .setMaxPayeesPerBatch(smallInt(v.data().get(8), "maxPayeesPerBatch"))
                .build());
    registry.add(
        Settlement.FEEESCROWED_EVENT,
        "Settlement",
        Topics.FEE_ESCROWED,
        (r, v) ->
            FeeEscrowed.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setAmount(amount(v.data().get(0)))
                .setEscrowed(amount(v.data().get(1)))
                .build());
    registry.add(
        Settlement.BATCHSETTLED_EVENT,
        "Settlement",
        Topics.BATCH_SETTLED,
        (r, v) ->
            BatchSettled.newBuilder()
                .setPosition(r.getPosition())
                .setRemoved(r.getRemoved())
                .setBatchId(bytes32(v.indexed().get(0)))
                .setAttributionRoot(bytes32(v.data().get(0)))
                .setTotal(amount(v.data().get(1)))
                .setPayees(list(v.data().get(2)).stream().map(AbiValues::address).toList())
                .setAmounts(list(v.data().get(3)).stream().map(AbiValues::amount).toList())
                .build());
    return List.copyOf(specs);
  }

  static AttributionMethod method(int code) {
    AttributionMethod[] methods = AttributionMethod.values();
    if (code >= methods.length) {
      throw new IllegalArgumentException("unknown attribution method " + code);
    }
    return methods[code];
  }
}
