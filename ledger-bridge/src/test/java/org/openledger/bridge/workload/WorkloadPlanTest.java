package org.openledger.bridge.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.openledger.bridge.workload.WorkloadPlan.ContributionSpec;
import org.openledger.bridge.workload.WorkloadPlan.Kind;

class WorkloadPlanTest {

  private static final WorkloadPlan.Options OPTIONS =
      new WorkloadPlan.Options(3, 5, 4, 2, 40, 6, 2, 7L);

  /** Five categories of twelve distinct sentences each. */
  private static Map<String, List<String>> fortunes() {
    Map<String, List<String>> out = new TreeMap<>();
    for (String c : List.of("art", "food", "law", "love", "news")) {
      List<String> records = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        records.add("In " + c + " the number " + i + " is said to be worth " + (i * 7) + " words.");
      }
      out.put(c, records);
    }
    return out;
  }

  @Test
  void shouldPlanTheSameWorkloadWhenTheSeedIsTheSame() {
    assertThat(WorkloadPlan.of(fortunes(), OPTIONS))
        .isEqualTo(WorkloadPlan.of(fortunes(), OPTIONS));
    assertThat(WorkloadPlan.of(fortunes(), OPTIONS))
        .isNotEqualTo(
            WorkloadPlan.of(fortunes(), new WorkloadPlan.Options(3, 5, 4, 2, 40, 6, 2, 8L)));
  }

  @Test
  void shouldPlanOneDatanetPerCategoryAndTheContributionsAskedFor() {
    WorkloadPlan plan = WorkloadPlan.of(fortunes(), OPTIONS);

    assertThat(plan.datanets())
        .hasSize(3)
        .allMatch(d -> d.name().equals("fortunes-" + d.category()));
    assertThat(plan.contributions()).filteredOn(c -> c.kind() == Kind.ORIGINAL).hasSize(15);
    assertThat(plan.contributions()).filteredOn(c -> c.kind() == Kind.BAD_HASH).hasSize(2);
    assertThat(plan.contributions()).filteredOn(c -> c.kind() == Kind.DUPLICATE).hasSize(4);
    for (var d : plan.datanets()) {
      int index = plan.datanets().indexOf(d);
      assertThat(plan.contributions())
          .filteredOn(c -> c.datanet() == index)
          .allMatch(c -> fortunes().get(d.category()).contains(c.text()));
    }
    // one per Datanet, one over the first two, one span-matched over the first
    assertThat(plan.models()).hasSize(5);
    assertThat(plan.models())
        .filteredOn(m -> m.method() == WorkloadPlan.Method.SPAN)
        .singleElement()
        .satisfies(m -> assertThat(m.datanets()).containsExactly(0));
    assertThat(plan.governanceAt()).isEqualTo(20);
  }

  @Test
  void shouldCopyAnEarlierOriginalOfTheSameDatanetByAnotherContributorWhenDuplicating() {
    WorkloadPlan plan = WorkloadPlan.of(fortunes(), OPTIONS);
    List<ContributionSpec> all = plan.contributions();

    for (int i = 0; i < all.size(); i++) {
      ContributionSpec c = all.get(i);
      if (c.kind() == Kind.DUPLICATE) {
        List<ContributionSpec> earlier = all.subList(0, i);
        assertThat(earlier)
            .anyMatch(
                o ->
                    o.kind() == Kind.ORIGINAL
                        && o.datanet() == c.datanet()
                        && o.text().equals(c.text())
                        && o.contributor() != c.contributor());
      }
    }
  }

  @Test
  void shouldRefuseWhenTooFewCategoriesHaveEnoughRecords() {
    assertThatThrownBy(
            () -> WorkloadPlan.of(fortunes(), new WorkloadPlan.Options(6, 5, 0, 0, 1, 2, 1, 1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only 5 categories");
  }

  @Property
  void shouldDrawEveryQueryFromAnOriginalOfItsModelsDatanetsWithAnExactFee(
      @ForAll @LongRange(min = 0, max = 1000) long seed) {
    WorkloadPlan plan =
        WorkloadPlan.of(fortunes(), new WorkloadPlan.Options(3, 5, 2, 1, 30, 4, 3, seed));

    for (var i : plan.inferences()) {
      ContributionSpec source = plan.contributions().get(i.source());
      assertThat(source.kind()).isEqualTo(Kind.ORIGINAL);
      assertThat(plan.models().get(i.model()).datanets()).contains(source.datanet());
      assertThat(i.fee())
          .isBetween(
              BigInteger.TEN.pow(16),
              BigInteger.TEN.pow(18).multiply(BigInteger.TWO).add(BigInteger.TEN.pow(6)));
      assertThat(i.payer()).isBetween(0, 2);
    }
  }

  @Test
  void shouldQuoteTheSourceVerbatimWhenTheModelIsSpanMatched() {
    WorkloadPlan plan = WorkloadPlan.of(fortunes(), OPTIONS);

    assertThat(plan.inferences())
        .filteredOn(i -> plan.models().get(i.model()).method() == WorkloadPlan.Method.SPAN)
        .isNotEmpty()
        .allSatisfy(
            i -> assertThat(i.query()).endsWith(" " + plan.contributions().get(i.source()).text()));
  }

  @Property
  void shouldKeepMostOfThePassageWhenPerturbingAQuery(
      @ForAll @LongRange(min = 0, max = 100_000) long seed,
      @ForAll @IntRange(min = 1, max = 60) int length) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      words.add("Word" + i);
    }
    String query = Perturb.query(String.join(" ", words), new Random(seed));

    assertThat(query).endsWith("?").isLowerCase();
    List<String> kept = Arrays.asList(query.substring(0, query.length() - 1).split(" "));
    assertThat(kept.size()).isGreaterThanOrEqualTo((length + 1) / 2);
    assertThat(words.stream().map(String::toLowerCase).toList()).containsAll(kept);
  }
}
