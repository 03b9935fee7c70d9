package org.openledger.flink.attribution;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openledger.events.AttributionMethod;
import org.openledger.events.BlockSealed;
import org.openledger.events.ChainEvent;
import org.openledger.events.ChainPosition;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.events.ModelRegistered;
import org.openledger.events.ParamsChanged;
import org.openledger.events.ShareRule;
import org.openledger.events.StakeSlashed;
import org.openledger.flink.domain.Keccak;

/** Builds the {@code chain.events} records a scenario needs, with content files on disk. */
public final class ChainEvents {

  static final String CONTRIBUTOR = "0x00000000000000000000000000000000000000c1";
  public static final String OWNER = "0x00000000000000000000000000000000000000b1";

  private final Path dir;

  ChainEvents(Path dir) {
    this.dir = dir;
  }

  public static ChainPosition at(long block, int logIndex) {
    return ChainPosition.newBuilder()
        .setChainId(1337)
        .setBlockNumber(block)
        .setBlockHash(String.format("0x%064x", block))
        .setBlockTimestamp(1_700_000_000L + block)
        .setTxHash(String.format("0x%064x", block * 1000 + logIndex))
        .setLogIndex(logIndex)
        .build();
  }

  public static ChainEvent of(Object event) {
    return ChainEvent.newBuilder().setEvent(event).build();
  }

  public static ChainEvent seal(long block) {
    return of(BlockSealed.newBuilder().setPosition(at(block, -1)).build());
  }

  static ChainEvent params(long block, long version, int k, long thresholdPpm, long dupPpm) {
    return params(block, version, k, thresholdPpm, dupPpm, ShareRule.LINEAR, 0);
  }

  /** Params with a share rule, at log index 0 of {@code block}. */
  static ChainEvent params(
      long block,
      long version,
      int k,
      long thresholdPpm,
      long dupPpm,
      ShareRule rule,
      int ruleParam) {
    return of(
        ParamsChanged.newBuilder()
            .setPosition(at(block, 0))
            .setVersion(version)
            .setContributorBps(7000)
            .setOwnerBps(2000)
            .setProtocolBps(1000)
            .setTopK(k)
            .setSimilarityThresholdPpm(thresholdPpm)
            .setDuplicateBoundPpm(dupPpm)
            .setMinPayout(BigDecimal.ONE)
            .setSettlementWindowBlocks(10)
            .setMaxPayeesPerBatch(100)
            .setShareRule(rule)
            .setShareRuleParam(ruleParam)
            .build());
  }

  public static ChainEvent model(long block, long modelId, long... datanets) {
    return model(block, modelId, AttributionMethod.EMBEDDING, datanets);
  }

  /** A model registered with an attribution method. */
  public static ChainEvent model(
      long block, long modelId, AttributionMethod method, long... datanets) {
    return model(block, modelId, method, "", datanets);
  }

  /** A model registered with an attribution method and an encoder ("" for the default). */
  public static ChainEvent model(
      long block, long modelId, AttributionMethod method, String encoder, long... datanets) {
    return of(
        ModelRegistered.newBuilder()
            .setPosition(at(block, 0))
            .setModelId(modelId)
            .setOwner(OWNER)
            .setDatanetIds(java.util.Arrays.stream(datanets).boxed().toList())
            .setMethod(method)
            .setName("model " + modelId)
            .setEncoderId(encoder)
            .build());
  }

  /**
   * A contribution whose content file holds {@code text}; {@code hashOf} is what the chain commits.
   */
  ChainEvent contribution(long block, int logIndex, long id, String text, String hashOf)
      throws Exception {
    return contribution(block, logIndex, id, CONTRIBUTOR, text, hashOf);
  }

  /** As above, by {@code contributor}. */
  ChainEvent contribution(
      long block, int logIndex, long id, String contributor, String text, String hashOf)
      throws Exception {
    Path file = dir.resolve("contribution-" + id + ".txt");
    Files.writeString(file, text);
    return of(
        DataContributed.newBuilder()
            .setPosition(at(block, logIndex))
            .setContributionId(id)
            .setDatanetId(1)
            .setContributor(contributor)
            .setContentHash(Keccak.hex(hashOf.getBytes(StandardCharsets.UTF_8)))
            .setContentUri(file.toUri().toString())
            .setStake(BigDecimal.TEN)
            .build());
  }

  static ChainEvent missing(long block, int logIndex, long id, Path dir) {
    return of(
        DataContributed.newBuilder()
            .setPosition(at(block, logIndex))
            .setContributionId(id)
            .setDatanetId(1)
            .setContributor(CONTRIBUTOR)
            .setContentHash(Keccak.hex(new byte[0]))
            .setContentUri(dir.resolve("nowhere-" + id + ".txt").toUri().toString())
            .setStake(BigDecimal.TEN)
            .build());
  }

  static ChainEvent slash(long block, long id) {
    return of(
        StakeSlashed.newBuilder()
            .setPosition(at(block, 0))
            .setContributionId(id)
            .setDatanetId(1)
            .setContributor(CONTRIBUTOR)
            .setAmount(BigDecimal.ONE)
            .setReasonCode(1)
            .build());
  }

  ChainEvent inference(long block, int logIndex, long id, long modelId, String query)
      throws Exception {
    Path file = dir.resolve("query-" + id + ".txt");
    Files.writeString(file, query);
    return of(
        InferencePaid.newBuilder()
            .setPosition(at(block, logIndex))
            .setInferenceId(id)
            .setModelId(modelId)
            .setPayer(CONTRIBUTOR)
            .setFee(new BigDecimal(1_000_000))
            .setQueryHash(Keccak.hex(query.getBytes(StandardCharsets.UTF_8)))
            .setQueryUri(file.toUri().toString())
            .build());
  }

  static List<String> fortunes() {
    return List.of(
        "A stitch in time saves nine.",
        "The early bird catches the worm.",
        "Fortune favours the bold.",
        "Look before you leap.",
        "Actions speak louder than words.",
        "Too many cooks spoil the broth.");
  }
}
