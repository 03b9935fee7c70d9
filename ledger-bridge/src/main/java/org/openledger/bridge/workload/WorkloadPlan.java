package org.openledger.bridge.workload;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the demo workload does on the chain, worked out in advance from the fortunes and a seed, so
 * a run can be repeated exactly: Datanets (one per category), contributions (with a few deliberate
 * duplicates and a few whose content will not match its on-chain hash), models, and paid inferences
 * whose queries are perturbed copies of known contributions, or, for the one span-matched model,
 * verbatim quotes of them. No chain types here.
 */
public record WorkloadPlan(
    List<DatanetSpec> datanets,
    List<ContributionSpec> contributions,
    List<ModelSpec> models,
    List<InferenceSpec> inferences,
    int governanceAt) {

  /** One Datanet: a fortunes category. */
  public record DatanetSpec(String name, String category) {}

  /** Why a contribution is in the plan. */
  public enum Kind {
    /** A record of the category, contributed once. */
    ORIGINAL,
    /** A copy of an earlier original of the same Datanet, by another contributor. */
    DUPLICATE,
    /** A record whose stored content is altered after its hash went on chain. */
    BAD_HASH
  }

  /** One contribution: index of its Datanet and contributor, its text, and what it is. */
  public record ContributionSpec(int datanet, int contributor, String text, Kind kind) {}

  /** How a model's inferences are attributed: {@code ModelRegistry.AttributionMethod}, in order. */
  public enum Method {
    EMBEDDING,
    PRECOMPUTED,
    SPAN;

    /** The contract's enum value. */
    public int code() {
      return ordinal();
    }
  }

  /**
   * One model, registered against one or more Datanets (indexes into {@link #datanets}) with an
   * attribution method.
   */
  public record ModelSpec(String name, List<Integer> datanets, int owner, Method method) {}

  /** One paid inference: its model, payer, query, fee in wei, and the contribution it came from. */
  public record InferenceSpec(int model, int payer, String query, BigInteger fee, int source) {}

  /** The workload's size; {@code seed} makes it repeatable. */
  public record Options(
      int datanets,
      int contributionsPerDatanet,
      int duplicates,
      int badHashes,
      int inferences,
      int contributors,
      int payers,
      long seed) {

    public Options {
      if (datanets < 1 || contributionsPerDatanet < 1 || inferences < 0) {
        throw new IllegalArgumentException("need a Datanet with a contribution: " + this);
      }
      if (contributors < 2 || payers < 1 || duplicates < 0 || badHashes < 0) {
        throw new IllegalArgumentException("need 2+ contributors and a payer: " + this);
      }
    }
  }

  private static final BigInteger CENTI_OPEN = BigInteger.TEN.pow(16);

  /** The plan for {@code fortunes} (category → records) under {@code o}. */
  public static WorkloadPlan of(Map<String, List<String>> fortunes, Options o) {
    Random random = new Random(o.seed());
    List<String> categories = new ArrayList<>();
    fortunes.forEach(
        (name, records) -> {
          if (records.size() >= o.contributionsPerDatanet() + 1) {
            categories.add(name);
          }
        });
    Collections.sort(categories);
    Collections.shuffle(categories, random);
    if (categories.size() < o.datanets()) {
      throw new IllegalArgumentException(
          "only " + categories.size() + " categories have enough records for " + o);
    }
    List<DatanetSpec> datanets = new ArrayList<>();
    List<ContributionSpec> contributions = new ArrayList<>();
    List<List<Integer>> originalsOf = new ArrayList<>();
    for (int d = 0; d < o.datanets(); d++) {
      String category = categories.get(d);
      datanets.add(new DatanetSpec("fortunes-" + category, category));
      List<String> records = new ArrayList<>(fortunes.get(category));
      Collections.shuffle(records, random);
      List<Integer> originals = new ArrayList<>();
      for (int i = 0; i < o.contributionsPerDatanet(); i++) {
        originals.add(contributions.size());
        contributions.add(
            new ContributionSpec(
                d, random.nextInt(o.contributors()), records.get(i), Kind.ORIGINAL));
      }
      originalsOf.add(originals);
      // A record no original uses: its hash goes on chain, its stored bytes are altered.
      if (d < o.badHashes()) {
        contributions.add(
            new ContributionSpec(
                d,
                random.nextInt(o.contributors()),
                records.get(o.contributionsPerDatanet()),
                Kind.BAD_HASH));
      }
    }
    for (int k = 0; k < o.duplicates(); k++) {
      int d = k % o.datanets();
      List<Integer> originals = originalsOf.get(d);
      ContributionSpec copied = contributions.get(originals.get(random.nextInt(originals.size())));
      int by = (copied.contributor() + 1 + random.nextInt(o.contributors() - 1)) % o.contributors();
      contributions.add(new ContributionSpec(d, by, copied.text(), Kind.DUPLICATE));
    }

    List<ModelSpec> models = new ArrayList<>();
    for (int d = 0; d < o.datanets(); d++) {
      models.add(
          new ModelSpec(
              datanets.get(d).category() + "-assistant", List.of(d), d, Method.EMBEDDING));
    }
    if (o.datanets() > 1) {
      models.add(
          new ModelSpec("fortunes-generalist", List.of(0, 1), o.datanets(), Method.EMBEDDING));
    }
    // One model attributed by span matching: its outputs quote the first Datanet's records.
    models.add(
        new ModelSpec(
            datanets.get(0).category() + "-quoter", List.of(0), models.size(), Method.SPAN));

    List<InferenceSpec> inferences = new ArrayList<>();
    for (int i = 0; i < o.inferences(); i++) {
      int m = random.nextInt(models.size());
      List<Integer> from = models.get(m).datanets();
      List<Integer> originals = originalsOf.get(from.get(random.nextInt(from.size())));
      int source = originals.get(random.nextInt(originals.size()));
      // 0.01 to 2 OPEN, plus a few odd wei so the split's remainder rule is exercised.
      BigInteger fee =
          CENTI_OPEN
              .multiply(BigInteger.valueOf(1 + random.nextInt(200)))
              .add(BigInteger.valueOf(random.nextInt(1_000_000)));
      String text = contributions.get(source).text();
      String query =
          models.get(m).method() == Method.SPAN
              ? Perturb.quote(text, random)
              : Perturb.query(text, random);
      inferences.add(new InferenceSpec(m, random.nextInt(o.payers()), query, fee, source));
    }
    return new WorkloadPlan(datanets, contributions, models, inferences, o.inferences() / 2);
  }
}
