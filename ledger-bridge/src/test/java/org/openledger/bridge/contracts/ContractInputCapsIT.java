package org.openledger.bridge.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;

/**
 * Every string, bytes and array a caller puts into a log is capped on chain, so no log can outgrow
 * a Kafka record (the follower would fail on it forever), and no address that is paid can be set to
 * zero. Each cap is tested one over (refused with its named error) and at the cap (accepted).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractInputCapsIT {

  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final int MAX_URI = 2048;
  private static final int MAX_NAME = 256;
  private static final int MAX_DATANETS = 64;
  private static final int MAX_DESCRIPTION = 16_384;
  private static final int MAX_ACTIONS = 16;
  private static final int MAX_CALLDATA = 4096;
  private static final int MAX_REASON = 1024;
  private static final int MAX_PAYEES = 1000;

  private LocalChain local;
  private Credentials user;
  private long datanetId;
  private long modelId;

  @BeforeAll
  void deploy() throws Exception {
    local = new LocalChain();
    user = local.user(0);
    local.driver.fund(local.deployer, user.getAddress(), OPEN.multiply(BigInteger.valueOf(100)));
    datanetId = local.driver.createDatanet(user, "caps", BigInteger.ONE);
    modelId = local.driver.registerModel(user, List.of(datanetId), 0, "caps-model");
  }

  @AfterAll
  void close() {
    local.close();
  }

  @Test
  void shouldRefuseDatanetNamesOverTheCapInBytesWhenCreatingAndAcceptOneAtIt() throws Exception {
    var registry = local.driver.datanets(user);
    local.assertRevertsWith(
        registry,
        user,
        registry.createDatanet("n".repeat(MAX_NAME + 1), BigInteger.ONE),
        tooLong("name", MAX_NAME + 1, MAX_NAME));
    // 86 characters, 258 bytes: the cap counts the bytes the log carries.
    local.assertRevertsWith(
        registry,
        user,
        registry.createDatanet("€".repeat(86), BigInteger.ONE),
        tooLong("name", 258, MAX_NAME));

    long id = local.driver.createDatanet(user, "n".repeat(MAX_NAME), BigInteger.ONE);
    assertThat(registry.datanet(BigInteger.valueOf(id)).send().name).hasSize(MAX_NAME);
  }

  @Test
  void shouldRefuseContentUrisOverTheCapOrEmptyWhenContributingAndAcceptOneAtIt() throws Exception {
    var registry = local.driver.datanets(user);
    byte[] hash = Hash.sha3("content".getBytes(StandardCharsets.UTF_8));
    BigInteger id = BigInteger.valueOf(datanetId);
    local.assertRevertsWith(
        registry,
        user,
        registry.contribute(id, hash, uri(MAX_URI + 1), BigInteger.ONE),
        tooLong("contentUri", MAX_URI + 1, MAX_URI));
    local.assertReverts(
        registry, user, registry.contribute(id, hash, "", BigInteger.ONE), "InvalidContent()");

    long contribution =
        local.driver.contribute(
            user, datanetId, "content".getBytes(StandardCharsets.UTF_8), uri(MAX_URI), OPEN);
    assertThat(contribution).isPositive();
  }

  @Test
  void shouldRefuseQueryUrisOverTheCapOrEmptyWhenPayingAndAcceptOneAtIt() throws Exception {
    var market = local.driver.market(user);
    byte[] q = Hash.sha3("query".getBytes(StandardCharsets.UTF_8));
    BigInteger model = BigInteger.valueOf(modelId);
    local.assertRevertsWith(
        market,
        user,
        market.payForInference(model, OPEN, q, uri(MAX_URI + 1)),
        tooLong("queryUri", MAX_URI + 1, MAX_URI));
    local.assertReverts(market, user, market.payForInference(model, OPEN, q, ""), "InvalidQuery()");

    long inference =
        local.driver.payForInference(
            user, modelId, OPEN, "query".getBytes(StandardCharsets.UTF_8), uri(MAX_URI));
    assertThat(inference).isPositive();
  }

  @Test
  void shouldRefuseModelNamesOverTheCapWhenRegisteringAndAcceptOneAtIt() throws Exception {
    var models = local.driver.models(user);
    local.assertRevertsWith(
        models,
        user,
        models.registerModel(
            List.of(BigInteger.valueOf(datanetId)), BigInteger.ZERO, "m".repeat(MAX_NAME + 1)),
        tooLong("name", MAX_NAME + 1, MAX_NAME));

    long id = local.driver.registerModel(user, List.of(datanetId), 0, "m".repeat(MAX_NAME));
    assertThat(models.model(BigInteger.valueOf(id)).send().name).hasSize(MAX_NAME);
  }

  @Test
  void shouldRefuseModelDatanetListsOverTheCapOrWithRepeatsAndAcceptOneAtTheCap() throws Exception {
    var models = local.driver.models(user);
    List<BigInteger> tooMany =
        LongStream.rangeClosed(1, MAX_DATANETS + 1).mapToObj(BigInteger::valueOf).toList();
    local.assertRevertsWith(
        models,
        user,
        models.registerModel(tooMany, BigInteger.ZERO, "many"),
        tooMany("datanetIds", MAX_DATANETS + 1, MAX_DATANETS));
    long other = local.driver.createDatanet(user, "other", BigInteger.ONE);
    BigInteger d = BigInteger.valueOf(datanetId);
    local.assertRevertsWith(
        models,
        user,
        models.registerModel(List.of(d, BigInteger.valueOf(other), d), BigInteger.ZERO, "twice"),
        new Function("DuplicateDatanet", List.of(new Uint256(d)), List.of()));
    local.assertRevertsWith(
        models,
        user,
        models.registerModel(List.of(BigInteger.ZERO), BigInteger.ZERO, "zero"),
        new Function("UnknownDatanet", List.of(new Uint256(0)), List.of()));

    List<Long> ids = new ArrayList<>(List.of(datanetId, other));
    while (ids.size() < MAX_DATANETS) {
      ids.add(local.driver.createDatanet(user, "d" + ids.size(), BigInteger.ONE));
    }
    long id = local.driver.registerModel(user, ids, 0, "at-the-cap");
    assertThat(models.model(BigInteger.valueOf(id)).send().datanetIds).hasSize(MAX_DATANETS);
  }

  @Test
  void shouldRefuseHandingAModelToTheZeroAddress() throws Exception {
    var models = local.driver.models(user);
    BigInteger id = BigInteger.valueOf(modelId);
    local.assertRevertsWith(
        models,
        user,
        models.transferModel(id, "0x" + "0".repeat(40)),
        new Function("ZeroAddress", List.of(new Utf8String("newOwner")), List.of()));
    assertThat(models.model(id).send().owner).isEqualToIgnoringCase(user.getAddress());
  }

  @Test
  void shouldRefuseARegistryWhoseTreasuryIsTheZeroAddress() throws Exception {
    List<Type> args =
        List.of(
            new Address(local.deployer.getAddress()),
            new Address(local.deployment.address("OpenToken")),
            new Address("0x" + "0".repeat(40)),
            new Uint64(20),
            new Address(local.deployment.address("ProtocolParams")),
            new Uint64(200));
    String creation = "0x" + DatanetRegistry.BINARY + FunctionEncoder.encodeConstructor(args);
    local.assertRevertsWith(
        local.deployer.getAddress(),
        null,
        creation,
        new Function("ZeroAddress", List.of(new Utf8String("treasury")), List.of()));
  }

  @Test
  void shouldRefuseProposalsOverTheCapsAndVoteReasonsOverTheirsAndAcceptThemAtTheCaps()
      throws Exception {
    var governor = local.driver.governor(user);
    String target = local.deployment.address("ProtocolParams");
    local.assertRevertsWith(
        governor,
        user,
        governor.propose(
            List.of(target),
            List.of(BigInteger.ZERO),
            List.of(new byte[4]),
            text(MAX_DESCRIPTION + 1)),
        tooLong("description", MAX_DESCRIPTION + 1, MAX_DESCRIPTION));
    int n = MAX_ACTIONS + 1;
    local.assertRevertsWith(
        governor,
        user,
        governor.propose(
            Collections.nCopies(n, target),
            Collections.nCopies(n, BigInteger.ZERO),
            Collections.nCopies(n, new byte[4]),
            "too many actions"),
        tooMany("targets", n, MAX_ACTIONS));
    local.assertRevertsWith(
        governor,
        user,
        governor.propose(
            List.of(target, target),
            List.of(BigInteger.ZERO, BigInteger.ZERO),
            List.of(new byte[4], filled(MAX_CALLDATA + 1)),
            "one call too long"),
        tooLong("calldata", MAX_CALLDATA + 1, MAX_CALLDATA));

    // At every cap at once: the largest ProposalCreated log a caller can make.
    var proposed =
        governor
            .propose(
                Collections.nCopies(MAX_ACTIONS, target),
                Collections.nCopies(MAX_ACTIONS, BigInteger.ZERO),
                Collections.nCopies(MAX_ACTIONS, filled(MAX_CALLDATA)),
                text(MAX_DESCRIPTION))
            .send();
    BigInteger proposalId = OpenGovernor.getProposalCreatedEvents(proposed).get(0).proposalId;
    local.chain.mine(governor.votingDelay().send().longValueExact() + 1);

    local.assertRevertsWith(
        governor,
        user,
        governor.castVoteWithReason(proposalId, BigInteger.ONE, text(MAX_REASON + 1)),
        tooLong("reason", MAX_REASON + 1, MAX_REASON));
    // The simple counting reads no params: any are refused.
    local.assertRevertsWith(
        governor,
        user,
        governor.castVoteWithReasonAndParams(proposalId, BigInteger.ONE, "", new byte[] {1}),
        tooLong("params", 1, 0));
    assertThat(
            governor
                .castVoteWithReason(proposalId, BigInteger.ONE, text(MAX_REASON))
                .send()
                .isStatusOK())
        .isTrue();
  }

  @Test
  void shouldRefuseBatchesOverTheCapAndParamsThatWouldCutThem() throws Exception {
    local.chain.mine(2);
    long start = local.driver.startBlock();
    long end = local.head() - 1; // closed in the head's block, where eth_call runs
    byte[] root = Hash.sha3("root".getBytes(StandardCharsets.UTF_8));
    var settlement = local.driver.settlement(local.settler);
    local.assertRevertsWith(
        settlement,
        local.settler,
        batch(start, end, MAX_PAYEES + 1, root),
        tooMany("payees", MAX_PAYEES + 1, MAX_PAYEES));
    // A proposal takes the settler's bond: approved as the writer does.
    local
        .driver
        .token(local.settler)
        .approve(settlement.getContractAddress(), settlement.proposerBond().send())
        .send();
    local.assertSimulates(
        local.settler.getAddress(),
        settlement.getContractAddress(),
        batch(start, end, MAX_PAYEES, root).encodeFunctionCall());

    // Governance cannot set a batch size the escrow would refuse.
    var params = local.driver.params(local.deployer);
    ProtocolParams.Params now = params.params().send();
    String timelock = local.deployment.address("TimelockController");
    local.assertReverts(
        timelock,
        params.getContractAddress(),
        params.setParams(withMaxPayees(now, MAX_PAYEES + 1)).encodeFunctionCall(),
        "InvalidParams(string)");
    local.assertSimulates(
        timelock,
        params.getContractAddress(),
        params.setParams(withMaxPayees(now, MAX_PAYEES)).encodeFunctionCall());
  }

  private org.web3j.protocol.core.RemoteFunctionCall<?> batch(
      long start, long end, int payees, byte[] root) {
    List<String> to = new ArrayList<>(payees);
    for (int i = 1; i <= payees; i++) {
      to.add(String.format("0x%040x", 0x1000 + i));
    }
    return local.proposeCall(
        local.settler,
        local.batchId(start, end, 0),
        start,
        end,
        0,
        1,
        to,
        Collections.nCopies(payees, BigInteger.ZERO),
        root);
  }

  private static ProtocolParams.Params withMaxPayees(ProtocolParams.Params p, int maxPayees) {
    return new ProtocolParams.Params(
        p.contributorBps,
        p.ownerBps,
        p.protocolBps,
        p.topK,
        p.similarityThresholdPpm,
        p.duplicateBoundPpm,
        p.minPayout,
        p.settlementWindowBlocks,
        BigInteger.valueOf(maxPayees),
        p.shareRule,
        p.shareRuleParam);
  }

  /** A {@code file://} URI of exactly {@code bytes} bytes. */
  private static String uri(int bytes) {
    String prefix = "file:///content/";
    return prefix + "u".repeat(bytes - prefix.length());
  }

  private static String text(int bytes) {
    return "t".repeat(bytes);
  }

  private static byte[] filled(int bytes) {
    byte[] b = new byte[bytes];
    java.util.Arrays.fill(b, (byte) 0x61);
    return b;
  }

  private static Function tooLong(String field, long length, long max) {
    return new Function(
        "TooLong",
        List.of(new Utf8String(field), new Uint256(length), new Uint256(max)),
        List.of());
  }

  private static Function tooMany(String field, long count, long max) {
    return new Function(
        "TooMany", List.of(new Utf8String(field), new Uint256(count), new Uint256(max)), List.of());
  }
}
