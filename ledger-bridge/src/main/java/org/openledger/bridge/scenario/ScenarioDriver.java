package org.openledger.bridge.scenario;

import java.math.BigInteger;
import java.util.List;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.OpenGovernor;
import org.openledger.bridge.contracts.OpenToken;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.settle.WindowBatchId;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Drives the deployed contracts the way users do: Datanets, contributions, reviews, models, paid
 * inferences, flags, disputes, governance slashes and changes of the params and minimums,
 * settlements of windows. Each call signs as the account that plays the role, so the demo and the
 * tests produce every event the pipeline reads.
 */
public final class ScenarioDriver {

  private final Chain chain;
  private final Deployment deployment;

  public ScenarioDriver(Chain chain, Deployment deployment) {
    this.chain = chain;
    this.deployment = deployment;
  }

  /** The deployment's first block (the token's deployment). */
  public long startBlock() {
    return deployment.startBlock();
  }

  /** The deployed address of {@code contract}, e.g. InferenceMarket. */
  public String address(String contract) {
    return deployment.address(contract);
  }

  public OpenToken token(Credentials as) {
    return OpenToken.load(
        deployment.address("OpenToken"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  public DatanetRegistry datanets(Credentials as) {
    return DatanetRegistry.load(
        deployment.address("DatanetRegistry"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  public ModelRegistry models(Credentials as) {
    return ModelRegistry.load(
        deployment.address("ModelRegistry"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  public InferenceMarket market(Credentials as) {
    return InferenceMarket.load(
        deployment.address("InferenceMarket"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  public Settlement settlement(Credentials as) {
    return Settlement.load(
        deployment.address("Settlement"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  public ProtocolParams params(Credentials as) {
    return ProtocolParams.load(
        deployment.address("ProtocolParams"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  public OpenGovernor governor(Credentials as) {
    return OpenGovernor.load(
        deployment.address("OpenGovernor"), chain.web3(), chain.signer(as), Chain.GAS);
  }

  /** Sends OPEN from {@code holder} (the deployer holds the supply) to {@code to}. */
  public TransactionReceipt fund(Credentials holder, String to, BigInteger amount)
      throws Exception {
    return token(holder).transfer(to, amount).send();
  }

  public long createDatanet(Credentials owner, String name, BigInteger minStake) throws Exception {
    TransactionReceipt r = datanets(owner).createDatanet(name, minStake).send();
    return DatanetRegistry.getDatanetCreatedEvents(r).get(0).datanetId.longValueExact();
  }

  public TransactionReceipt setCurator(Credentials owner, long datanetId, String curator)
      throws Exception {
    return datanets(owner).setCurator(BigInteger.valueOf(datanetId), curator, true).send();
  }

  /** Approves the stake and contributes {@code content}, committing to its keccak-256. */
  public long contribute(
      Credentials contributor, long datanetId, byte[] content, String uri, BigInteger stake)
      throws Exception {
    token(contributor).approve(deployment.address("DatanetRegistry"), stake).send();
    TransactionReceipt r =
        datanets(contributor)
            .contribute(BigInteger.valueOf(datanetId), Hash.sha3(content), uri, stake)
            .send();
    return DatanetRegistry.getDataContributedEvents(r).get(0).contributionId.longValueExact();
  }

  public TransactionReceipt review(Credentials curator, long contributionId, boolean accepted)
      throws Exception {
    return datanets(curator).review(BigInteger.valueOf(contributionId), accepted).send();
  }

  /** The flagger freezes a contribution's stake until governance decides or the flag expires. */
  public TransactionReceipt flag(
      Credentials flagger, long contributionId, int reasonCode, String evidence) throws Exception {
    return datanets(flagger)
        .flag(BigInteger.valueOf(contributionId), BigInteger.valueOf(reasonCode), evidence)
        .send();
  }

  public TransactionReceipt dispute(Credentials contributor, long contributionId) throws Exception {
    return datanets(contributor).dispute(BigInteger.valueOf(contributionId)).send();
  }

  /** Walks a slash through governance (only the timelock holds SLASHER_ROLE). */
  public TransactionReceipt slash(
      List<Credentials> voters, long contributionId, int reasonCode, String description)
      throws Exception {
    return govern(
        voters,
        deployment.address("DatanetRegistry"),
        new Function(
            "slash", List.of(new Uint256(contributionId), new Uint8(reasonCode)), List.of()),
        description);
  }

  /** Walks the clearing of a flag (the stake is free again) through governance. */
  public TransactionReceipt clearFlag(
      List<Credentials> voters, long contributionId, String description) throws Exception {
    return govern(
        voters,
        deployment.address("DatanetRegistry"),
        new Function("clearFlag", List.of(new Uint256(contributionId)), List.of()),
        description);
  }

  /** Walks a new flag expiry (blocks) through governance. */
  public TransactionReceipt changeFlagExpiry(
      List<Credentials> voters, long blocks, String description) throws Exception {
    return govern(
        voters,
        deployment.address("DatanetRegistry"),
        new Function("setFlagExpiryBlocks", List.of(new Uint64(blocks)), List.of()),
        description);
  }

  public TransactionReceipt withdraw(Credentials contributor, long contributionId)
      throws Exception {
    return datanets(contributor).withdrawStake(BigInteger.valueOf(contributionId)).send();
  }

  /** Registers a model scored with the pipeline's default encoder. */
  public long registerModel(Credentials owner, List<Long> datanetIds, int method, String name)
      throws Exception {
    return registerModel(owner, datanetIds, method, name, "");
  }

  /** Registers a model scored with {@code encoder} ("" for the pipeline's default). */
  public long registerModel(
      Credentials owner, List<Long> datanetIds, int method, String name, String encoder)
      throws Exception {
    TransactionReceipt r =
        models(owner)
            .registerModel(
                datanetIds.stream().map(BigInteger::valueOf).toList(),
                BigInteger.valueOf(method),
                name,
                encoder)
            .send();
    return ModelRegistry.getModelRegisteredEvents(r).get(0).modelId.longValueExact();
  }

  /** Approves the fee and pays for one inference whose query is {@code query}. */
  public long payForInference(
      Credentials payer, long modelId, BigInteger fee, byte[] query, String uri) throws Exception {
    token(payer).approve(deployment.address("InferenceMarket"), fee).send();
    TransactionReceipt r =
        market(payer)
            .payForInference(BigInteger.valueOf(modelId), fee, Hash.sha3(query), uri)
            .send();
    return InferenceMarket.getInferencePaidEvents(r).get(0).inferenceId.longValueExact();
  }

  /**
   * Proposes sub-batch {@code subBatch} of {@code subBatchCount} of the closed window [{@code
   * windowStart}, {@code windowEnd}] under the id the contract derives from it ({@link
   * WindowBatchId}), approving the proposer's bond first.
   */
  public TransactionReceipt propose(
      Credentials settler,
      long windowStart,
      long windowEnd,
      int subBatch,
      int subBatchCount,
      List<String> payees,
      List<BigInteger> amounts,
      byte[] attributionRoot)
      throws Exception {
    Settlement settlement = settlement(settler);
    token(settler)
        .approve(settlement.getContractAddress(), settlement.proposerBond().send())
        .send();
    return settlement
        .propose(
            WindowBatchId.of(chain.chainId(), windowStart, windowEnd, subBatch),
            BigInteger.valueOf(windowStart),
            BigInteger.valueOf(windowEnd),
            BigInteger.valueOf(subBatch),
            BigInteger.valueOf(subBatchCount),
            payees,
            amounts,
            attributionRoot)
        .send();
  }

  /**
   * Settles a sub-batch on the dev chain: proposes it, mines its challenge window's blocks and
   * finalizes it (BatchSettled), so scenarios and benchmarks pay as before the challenge window.
   */
  public TransactionReceipt settle(
      Credentials settler,
      long windowStart,
      long windowEnd,
      int subBatch,
      int subBatchCount,
      List<String> payees,
      List<BigInteger> amounts,
      byte[] attributionRoot)
      throws Exception {
    propose(
        settler, windowStart, windowEnd, subBatch, subBatchCount, payees, amounts, attributionRoot);
    Settlement settlement = settlement(settler);
    chain.mine(settlement.challengeWindowBlocks().send().longValueExact());
    return settlement
        .finalize(
            WindowBatchId.of(chain.chainId(), windowStart, windowEnd, subBatch), payees, amounts)
        .send();
  }

  /** Challenges a proposed batch as {@code challenger}, approving the challenger's bond first. */
  public TransactionReceipt challenge(Credentials challenger, byte[] batchId) throws Exception {
    Settlement settlement = settlement(challenger);
    token(challenger)
        .approve(settlement.getContractAddress(), settlement.challengerBond().send())
        .send();
    return settlement.challenge(batchId).send();
  }

  /** Walks the resolution of a challenged batch through governance (upheld or rejected). */
  public TransactionReceipt resolve(
      List<Credentials> voters, byte[] batchId, boolean upheld, String description)
      throws Exception {
    return govern(
        voters,
        deployment.address("Settlement"),
        new Function(
            "resolve",
            List.of(
                new org.web3j.abi.datatypes.generated.Bytes32(batchId),
                new org.web3j.abi.datatypes.Bool(upheld)),
            List.of()),
        description);
  }

  /**
   * Walks a params change through governance on the dev chain: the voters delegate to themselves,
   * one proposes, all vote for, it is queued in the timelock and executed. Voters must together
   * hold the quorum of OPEN.
   */
  public TransactionReceipt changeParams(
      List<Credentials> voters, ProtocolParams.Params next, String description) throws Exception {
    return govern(
        voters,
        deployment.address("ProtocolParams"),
        new Function("setParams", List.of(next), List.of()),
        description);
  }

  /** Walks a change of the minimum inference fee and stake floor (wei) through governance. */
  public TransactionReceipt changeMinimums(
      List<Credentials> voters,
      BigInteger minInferenceFee,
      BigInteger minContributionStake,
      String description)
      throws Exception {
    return govern(
        voters,
        deployment.address("ProtocolParams"),
        new Function(
            "setMinimums",
            List.of(new Uint256(minInferenceFee), new Uint256(minContributionStake)),
            List.of()),
        description);
  }

  /** Proposes {@code call} on {@code target}, votes it through, queues and executes it. */
  private TransactionReceipt govern(
      List<Credentials> voters, String target, Function call, String description) throws Exception {
    for (Credentials voter : voters) {
      token(voter).delegate(voter.getAddress()).send();
    }
    chain.mine(1); // votes are counted at the proposal's snapshot block: delegation must precede it
    String calldata = FunctionEncoder.encode(call);
    List<String> targets = List.of(target);
    List<BigInteger> values = List.of(BigInteger.ZERO);
    List<byte[]> calldatas = List.of(org.web3j.utils.Numeric.hexStringToByteArray(calldata));
    byte[] descriptionHash =
        Hash.sha3(description.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    OpenGovernor proposer = governor(voters.get(0));
    TransactionReceipt proposed = proposer.propose(targets, values, calldatas, description).send();
    BigInteger proposalId = OpenGovernor.getProposalCreatedEvents(proposed).get(0).proposalId;
    chain.mine(proposer.votingDelay().send().longValueExact() + 1);
    for (Credentials voter : voters) {
      governor(voter).castVote(proposalId, BigInteger.ONE).send();
    }
    chain.mine(proposer.votingPeriod().send().longValueExact() + 1);
    proposer.queue(targets, values, calldatas, descriptionHash).send();
    chain.increaseTime(3600);
    chain.mine(1);
    return proposer.execute(targets, values, calldatas, descriptionHash, BigInteger.ZERO).send();
  }
}
