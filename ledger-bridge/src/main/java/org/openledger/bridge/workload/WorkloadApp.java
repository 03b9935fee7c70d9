package org.openledger.bridge.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.openledger.bridge.chain.Chain;
import org.openledger.bridge.chain.DevAccounts;
import org.openledger.bridge.contracts.ProtocolParams;
import org.openledger.bridge.deploy.DeployConfig;
import org.openledger.bridge.deploy.Deployment;
import org.openledger.bridge.scenario.ContentStore;
import org.openledger.bridge.scenario.ScenarioApp;
import org.openledger.bridge.scenario.ScenarioDriver;
import org.openledger.bridge.workload.WorkloadPlan.ContributionSpec;
import org.openledger.bridge.workload.WorkloadPlan.Kind;
import org.openledger.config.ConfigSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * {@code bin/openledger workload}: drives the demo's workload of real text on the dev chain (see
 * {@link WorkloadPlan}) at a chosen rate, showing progress, and writes what it did to a JSON report
 * that the demo's summary and the chaos suite's checks read.
 */
public final class WorkloadApp {

  private static final Logger LOG = LoggerFactory.getLogger(WorkloadApp.class);
  private static final BigInteger OPEN = BigInteger.TEN.pow(18);
  private static final BigInteger ETHER = BigInteger.TEN.pow(22);

  /** Dev-chain account indexes per role (0-3 deploy and run the protocol; 4-7 the sample). */
  static final int CONTRIBUTORS = 10;

  static final int PAYERS = 40;
  static final int OWNERS = 50;

  private WorkloadApp() {}

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help")) {
      System.out.println(WorkloadArgs.USAGE);
      return;
    }
    WorkloadArgs a = WorkloadArgs.parse(args);
    DeployConfig config = DeployConfig.load(System.getenv());
    if (config.chainId() != DevAccounts.DEV_CHAIN_ID) {
      throw new IllegalArgumentException("the workload runs on the dev chain 1337 only");
    }
    ConfigSource source = ConfigSource.of(System.getenv(), Optional.empty());
    source.validate(List.of(ScenarioApp.CONTENT_DIR));
    ContentStore content = new ContentStore(Path.of(source.get(ScenarioApp.CONTENT_DIR)));
    Map<String, List<String>> fortunes = Fortunes.read(a.fortunes());
    WorkloadPlan plan = WorkloadPlan.of(fortunes, a.options());
    LOG.info(
        "workload: {} Datanets from {} fortunes categories, {} contributions, {} models, {}"
            + " inferences at {}/s (seed {})",
        plan.datanets().size(),
        fortunes.size(),
        plan.contributions().size(),
        plan.models().size(),
        plan.inferences().size(),
        a.rate(),
        a.options().seed());
    try (Chain chain = new Chain(config.rpcUrl(), config.chainId())) {
      ObjectNode report =
          run(
              chain,
              new ScenarioDriver(chain, Deployment.read(config.deploymentFile())),
              plan,
              content,
              a,
              config.rpcUrl());
      Files.writeString(
          a.report(),
          new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
      LOG.info("workload done: report in {}", a.report());
    }
  }

  static ObjectNode run(
      Chain chain,
      ScenarioDriver driver,
      WorkloadPlan plan,
      ContentStore content,
      WorkloadArgs a,
      String rpcUrl)
      throws Exception {
    DevAccounts accounts = DevAccounts.devNode();
    Credentials deployer = accounts.account(0);
    ObjectNode report = new ObjectMapper().createObjectNode();
    report.put("firstBlock", head(chain) + 1);
    Set<Integer> contributors = new HashSet<>();
    plan.contributions().forEach(c -> contributors.add(c.contributor()));
    for (int c : contributors) {
      fund(
          chain,
          driver,
          deployer,
          accounts.account(CONTRIBUTORS + c),
          OPEN.multiply(BigInteger.valueOf(1000)));
    }
    BigInteger perPayer = OPEN.multiply(BigInteger.valueOf(3L * plan.inferences().size() + 10));
    for (int p = 0; p < a.options().payers(); p++) {
      Credentials payer = accounts.account(PAYERS + p);
      fund(chain, driver, deployer, payer, perPayer);
      driver.token(payer).approve(driver.address("InferenceMarket"), perPayer).send();
    }
    for (int m = 0; m < plan.models().size(); m++) {
      fund(chain, driver, deployer, accounts.account(OWNERS + m), OPEN);
    }

    List<Long> datanetIds = new ArrayList<>();
    ArrayNode datanets = report.putArray("datanets");
    for (int d = 0; d < plan.datanets().size(); d++) {
      var spec = plan.datanets().get(d);
      long id = driver.createDatanet(accounts.account(OWNERS + d), spec.name(), OPEN);
      datanetIds.add(id);
      datanets.addObject().put("id", id).put("name", spec.name());
    }

    ArrayNode contributions = report.putArray("contributions");
    for (ContributionSpec c : plan.contributions()) {
      byte[] text = c.text().getBytes(StandardCharsets.UTF_8);
      // A bad-hash contribution commits to the text's hash but serves other bytes at its URI.
      String uri =
          c.kind() == Kind.BAD_HASH
              ? content.put(
                  (c.text() + "\n(altered after it was committed)")
                      .getBytes(StandardCharsets.UTF_8))
              : content.put(text);
      Credentials by = accounts.account(CONTRIBUTORS + c.contributor());
      long id = driver.contribute(by, datanetIds.get(c.datanet()), text, uri, OPEN);
      contributions
          .addObject()
          .put("id", id)
          .put("datanetId", datanetIds.get(c.datanet()))
          .put("contributor", by.getAddress())
          .put("uri", uri)
          .put("kind", c.kind().name());
    }
    LOG.info(
        "workload: {} Datanets and {} contributions on chain",
        datanetIds.size(),
        contributions.size());

    List<Long> modelIds = new ArrayList<>();
    ArrayNode models = report.putArray("models");
    for (int m = 0; m < plan.models().size(); m++) {
      var spec = plan.models().get(m);
      long id =
          driver.registerModel(
              accounts.account(OWNERS + m),
              spec.datanets().stream().map(datanetIds::get).toList(),
              spec.method().code(),
              spec.name());
      modelIds.add(id);
      models
          .addObject()
          .put("id", id)
          .put("name", spec.name())
          .put("method", spec.method().name())
          .put("owner", accounts.account(OWNERS + m).getAddress());
    }

    LOG.info("workload: {} models registered; paying inferences", modelIds.size());
    InferenceStream.Interlude interlude =
        i -> {
          if (i == plan.governanceAt() && a.governance()) {
            report.put("paramsChangedAtBlock", changeSplitRetrying(driver, deployer));
          }
        };
    InferenceStream.Outcome outcome;
    if (a.async()) {
      try (BlockReader reader = new BlockReader(rpcUrl, chain.chainId())) {
        outcome =
            RawInferenceStream.run(
                reader,
                driver.address("InferenceMarket"),
                plan.inferences(),
                modelIds,
                content,
                a.rate(),
                a.governance() ? plan.governanceAt() : -1,
                interlude);
      }
    } else {
      outcome =
          InferenceStream.run(
              driver, plan.inferences(), modelIds, content, a.rate(), a.senders(), interlude);
    }
    report.put("send", a.async() ? "async" : "wait");
    report.put("inferences", plan.inferences().size());
    report.put("lostToReorgs", outcome.lost());
    report.put("reverted", outcome.reverted());
    report.put("feesWei", outcome.fees().toString());
    ArrayNode sent = report.putArray("sent");
    outcome
        .sent()
        .forEach(x -> sent.addArray().add(x.block()).add(x.sentAtMillis()).add(x.txHash()));
    ObjectNode seen = report.putObject("blockSeen");
    outcome.blockSeen().forEach((b, ms) -> seen.put(Long.toString(b), ms));
    report.put("lastBlock", head(chain));
    return report;
  }

  /**
   * The governance change, tried up to three times: a reorg (the chaos suite's) can drop a step of
   * the walk after its receipt, and the next step then reverts. A fresh proposal starts over.
   */
  private static long changeSplitRetrying(ScenarioDriver driver, Credentials deployer)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return changeSplit(driver, deployer);
      } catch (Exception e) {
        if (attempt == 3) {
          throw e;
        }
        LOG.warn("workload: the governance change failed ({}); proposing it again", e.toString());
      }
    }
  }

  /**
   * The mid-run governance change: contributors get 60%, the model owner 30%, the protocol 10%, and
   * the share rule becomes POWER 2 (the deployment's default is POWER 3), so both the split and the
   * weights of every inference from the executing block on differ from those before it.
   */
  private static long changeSplit(ScenarioDriver driver, Credentials deployer) throws Exception {
    ProtocolParams.Params p = driver.params(deployer).params().send();
    var receipt =
        driver.changeParams(
            List.of(deployer),
            new ProtocolParams.Params(
                BigInteger.valueOf(6000),
                BigInteger.valueOf(3000),
                BigInteger.valueOf(1000),
                p.topK,
                p.similarityThresholdPpm,
                p.duplicateBoundPpm,
                p.minPayout,
                p.settlementWindowBlocks,
                p.maxPayeesPerBatch,
                BigInteger.TWO, // share rule POWER ...
                BigInteger.TWO), // ... exponent 2
            "workload: split 60/30/10, share rule POWER 2 #" + System.nanoTime());
    LOG.info(
        "workload: governance changed the split to 60/30/10 and the share rule to POWER 2 at block"
            + " {}",
        receipt.getBlockNumber());
    return receipt.getBlockNumber().longValueExact();
  }

  private static void fund(
      Chain chain, ScenarioDriver driver, Credentials from, Credentials to, BigInteger open)
      throws Exception {
    chain.setBalance(to.getAddress(), ETHER);
    driver.fund(from, to.getAddress(), open);
  }

  private static long head(Chain chain) throws java.io.IOException {
    return chain.web3().ethBlockNumber().send().getBlockNumber().longValueExact();
  }
}
