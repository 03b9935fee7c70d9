package org.openledger.bridge.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.contracts.DatanetRegistry;
import org.openledger.bridge.contracts.InferenceMarket;
import org.openledger.bridge.contracts.ModelRegistry;
import org.openledger.bridge.contracts.OpenGovernor;
import org.openledger.bridge.contracts.OpenToken;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.contracts.Settlement;
import org.openledger.bridge.contracts.TimelockController;
import org.openledger.bridge.deploy.Deployment.DeployedContract;
import org.openledger.bridge.deploy.DeploymentPlan.InitialParams;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.Contract;
import org.web3j.tx.TransactionManager;

/**
 * Deploys the whole contract set in one go and wires its roles: the timelock owns the protocol
 * params and obeys the governor, and resolves settlement challenges and sets their window and bonds
 * (Settlement's admin); the settler may only propose batches (funded with OPEN for their bonds);
 * the flagger may only flag (freeze a stake for a bounded time) while the timelock alone holds the
 * slasher role, so only a passed proposal slashes or clears a flag; the market alone records fees
 * into the escrow. Every admin role then passes to the timelock and the deployer renounces its own,
 * so afterwards the deployer key holds no role anywhere (only the tokens it was minted;
 * docs/SECURITY.md lists every role).
 */
public final class Deployer {

  private static final String ZERO = "0x0000000000000000000000000000000000000000";

  private final Chain chain;
  private final Credentials deployer;
  private final String evmVersion;

  public Deployer(Chain chain, Credentials deployer, String evmVersion) {
    this.chain = chain;
    this.deployer = deployer;
    this.evmVersion = evmVersion;
  }

  public Deployment deploy(DeploymentPlan plan) throws Exception {
    var web3 = chain.web3();
    TransactionManager tm = chain.signer(deployer);
    String me = deployer.getAddress();
    // Each role its own key: a deployer that also settled or flagged would keep that power.
    if (Stream.of(me, plan.settler(), plan.flagger())
            .map(a -> a.toLowerCase(Locale.ROOT))
            .distinct()
            .count()
        != 3) {
      throw new IllegalArgumentException(
          "the deployer, the settler and the flagger must be three different accounts");
    }
    long startBlock = web3.ethBlockNumber().send().getBlockNumber().longValueExact() + 1;

    OpenToken token = OpenToken.deploy(web3, tm, Chain.GAS, me, plan.tokenSupply()).send();
    TimelockController timelock =
        TimelockController.deploy(
                web3,
                tm,
                Chain.GAS,
                BigInteger.valueOf(plan.timelockDelaySeconds()),
                List.of(),
                List.of(ZERO),
                me)
            .send();
    OpenGovernor governor =
        OpenGovernor.deploy(
                web3,
                tm,
                Chain.GAS,
                token.getContractAddress(),
                timelock.getContractAddress(),
                BigInteger.valueOf(plan.votingDelayBlocks()),
                BigInteger.valueOf(plan.votingPeriodBlocks()),
                BigInteger.valueOf(plan.quorumPercent()))
            .send();
    timelock.grantRole(timelock.PROPOSER_ROLE().send(), governor.getContractAddress()).send();
    timelock.grantRole(timelock.CANCELLER_ROLE().send(), governor.getContractAddress()).send();
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE().send(), me).send();

    String governance = timelock.getContractAddress();
    ProtocolParams params =
        ProtocolParams.deploy(
                web3,
                tm,
                Chain.GAS,
                governance,
                toStruct(plan.params()),
                plan.minimums().inferenceFee(),
                plan.minimums().contributionStake())
            .send();
    DatanetRegistry datanets =
        DatanetRegistry.deploy(
                web3,
                tm,
                Chain.GAS,
                me,
                token.getContractAddress(),
                plan.treasury(),
                BigInteger.valueOf(plan.coolDownBlocks()),
                params.getContractAddress(),
                BigInteger.valueOf(plan.flagExpiryBlocks()))
            .send();
    datanets.grantRole(datanets.FLAGGER_ROLE().send(), plan.flagger()).send();
    // Slashing (and clearing a flag) is a governance decision: only the timelock may.
    datanets.grantRole(datanets.SLASHER_ROLE().send(), governance).send();
    // Admin roles go to governance: granted first, so the role never lacks an admin.
    byte[] admin = datanets.DEFAULT_ADMIN_ROLE().send();
    datanets.grantRole(admin, governance).send();
    datanets.renounceRole(admin, me).send();
    ModelRegistry models =
        ModelRegistry.deploy(web3, tm, Chain.GAS, datanets.getContractAddress()).send();
    Settlement settlement =
        Settlement.deploy(
                web3,
                tm,
                Chain.GAS,
                me,
                token.getContractAddress(),
                plan.treasury(),
                BigInteger.valueOf(plan.challenge().windowBlocks()),
                plan.challenge().proposerBond(),
                plan.challenge().challengerBond())
            .send();
    settlement.grantRole(settlement.SETTLER_ROLE().send(), plan.settler()).send();
    // The settler bonds every proposal; it approves the escrow itself (SettlementChain).
    if (plan.challenge().settlerFunds().signum() > 0) {
      token.transfer(plan.settler(), plan.challenge().settlerFunds()).send();
    }
    InferenceMarket market =
        InferenceMarket.deploy(
                web3,
                tm,
                Chain.GAS,
                token.getContractAddress(),
                models.getContractAddress(),
                settlement.getContractAddress(),
                params.getContractAddress())
            .send();
    settlement.grantRole(settlement.MARKET_ROLE().send(), market.getContractAddress()).send();
    settlement.grantRole(admin, governance).send();
    settlement.renounceRole(admin, me).send();

    Map<String, DeployedContract> contracts = new LinkedHashMap<>();
    for (Contract c :
        List.of(token, timelock, governor, params, datanets, models, settlement, market)) {
      String name = c.getClass().getSimpleName();
      contracts.put(name, new DeployedContract(c.getContractAddress(), abiSha256(name)));
    }
    return new Deployment(
        chain.chainId(),
        startBlock,
        evmVersion,
        contracts,
        new Deployment.Roles(me, plan.settler(), plan.flagger(), plan.treasury(), governance));
  }

  /**
   * Sends {@code amount} wei of the deployment's OPEN from the deployer to {@code to}: on the dev
   * chain, the dev watcher's challenge bonds (docs/REPLAY.md, "Watch").
   */
  public void fund(Deployment deployment, String to, BigInteger amount) throws Exception {
    OpenToken.load(deployment.address("OpenToken"), chain.web3(), chain.signer(deployer), Chain.GAS)
        .transfer(to, amount)
        .send();
  }

  /**
   * A fresh contract set on the dev chain, in the dev accounts' roles: 0 deploys, 1 settles, 2
   * flags, 3 is the treasury (the demo's tools, benchmarks and tests use this).
   */
  public static Deployment deployDev(Chain chain, DevAccounts accounts) throws Exception {
    return deployDev(chain, accounts, DeploymentPlan.DEV_CHALLENGE);
  }

  /** {@link #deployDev(Chain, DevAccounts)} with other challenge parameters. */
  public static Deployment deployDev(
      Chain chain, DevAccounts accounts, DeploymentPlan.Challenge challenge) throws Exception {
    return new Deployer(chain, accounts.account(0), DeployApp.buildProperty("evm.version"))
        .deploy(
            DeploymentPlan.dev(
                    accounts.account(1).getAddress(),
                    accounts.account(2).getAddress(),
                    accounts.account(3).getAddress())
                .withChallenge(challenge));
  }

  /**
   * True when every contract of {@code deployment} has code on the chain it names and was deployed
   * with the ABI this build packages (a set from an older build, e.g. before the per-window
   * settlement, is not reused: this build's writer and wrappers could not call it).
   */
  public static boolean isLive(Chain chain, Deployment deployment) throws IOException {
    if (chain.nodeChainId() != deployment.chainId()) {
      return false;
    }
    for (Map.Entry<String, DeployedContract> e : deployment.contracts().entrySet()) {
      if (!e.getValue().abiSha256().equals(abiSha256(e.getKey()))) {
        return false;
      }
    }
    for (DeployedContract c : deployment.contracts().values()) {
      String code =
          chain.web3().ethGetCode(c.address(), DefaultBlockParameterName.LATEST).send().getCode();
      if (code == null || code.equals("0x")) {
        return false;
      }
    }
    return true;
  }

  static ProtocolParams.Params toStruct(InitialParams p) {
    return new ProtocolParams.Params(
        BigInteger.valueOf(p.contributorBps()),
        BigInteger.valueOf(p.ownerBps()),
        BigInteger.valueOf(p.protocolBps()),
        BigInteger.valueOf(p.topK()),
        BigInteger.valueOf(p.similarityThresholdPpm()),
        BigInteger.valueOf(p.duplicateBoundPpm()),
        p.minPayout(),
        BigInteger.valueOf(p.settlementWindowBlocks()),
        BigInteger.valueOf(p.maxPayeesPerBatch()),
        BigInteger.valueOf(p.share().code()),
        BigInteger.valueOf(p.share().param()));
  }

  /** SHA-256 of the ABI the contract was compiled with (packaged under {@code contracts/}). */
  static String abiSha256(String contract) {
    try (InputStream abi = Deployer.class.getResourceAsStream("/contracts/" + contract + ".abi")) {
      if (abi == null) {
        throw new IllegalStateException("ABI of " + contract + " is not packaged");
      }
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(abi.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
