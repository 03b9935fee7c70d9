package org.openledger.flink.verify;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.openledger.events.DataContributed;
import org.openledger.events.InferencePaid;
import org.openledger.pipeline.AttributedContribution;
import org.openledger.pipeline.AttributionResult;
import org.openledger.pipeline.PayoutAccrual;
import org.openledger.pipeline.PayoutBatch;
import org.openledger.pipeline.PayoutBatchLeaf;

/**
 * What each file of sql/queries/ must answer, in ClickHouse's TabSeparated text, worked out
 * independently from the records on Kafka (not from ClickHouse): the test compares the two.
 * Retractions are applied the way the tables apply them, by record key.
 */
final class PackExpectations {

  private final List<InferencePaid> fees;
  private final List<AttributionResult> results;
  private final List<PayoutAccrual> accruals;
  private final List<DataContributed> contributions;
  private final List<PayoutBatch> batches;
  private final List<PayoutBatchLeaf> leaves;

  PackExpectations(
      List<InferencePaid> fees,
      List<AttributionResult> results,
      List<PayoutAccrual> accruals,
      List<DataContributed> contributions,
      List<PayoutBatch> batches,
      List<PayoutBatchLeaf> leaves) {
    this.fees = live(fees, f -> f.getPosition().getBlockHash() + f.getPosition().getLogIndex());
    this.results = live(results, r -> r.getInferenceId() + r.getPosition().getBlockHash());
    this.accruals =
        live(
            accruals,
            a ->
                List.of(
                        a.getInferenceId(),
                        a.getRole(),
                        id(a.getContributionId()),
                        a.getUnattributed(),
                        a.getPayee(),
                        a.getPosition().getBlockHash())
                    .toString());
    this.contributions =
        live(contributions, c -> c.getPosition().getBlockHash() + c.getPosition().getLogIndex());
    this.batches = batches;
    this.leaves = leaves;
  }

  /** The last record per key, unless that one is a retraction ({@code removed}). */
  private static <T> List<T> live(List<T> records, java.util.function.Function<T, String> key) {
    Map<String, T> last = new LinkedHashMap<>();
    for (T r : records) {
      last.put(key.apply(r), r);
    }
    return last.values().stream().filter(r -> !removed(r)).toList();
  }

  private static boolean removed(Object r) {
    return ((org.apache.avro.generic.GenericRecord) r).get("removed") == Boolean.TRUE;
  }

  /** How many live attribution results the run produced. */
  int attributionResults() {
    return results.size();
  }

  /** revenue_per_model.sql */
  String revenuePerModel() {
    Map<Long, List<InferencePaid>> byModel =
        fees.stream().collect(Collectors.groupingBy(InferencePaid::getModelId));
    return byModel.entrySet().stream()
        .map(e -> List.of(e.getKey(), e.getValue().size(), sum(e.getValue(), f -> f.getFee())))
        .sorted(
            Comparator.comparing((List<?> r) -> (BigInteger) r.get(2))
                .reversed()
                .thenComparing(r -> (Long) r.get(0)))
        .map(PackExpectations::line)
        .collect(Collectors.joining());
  }

  /** pending_per_contributor.sql, given what each payee was paid on chain. */
  String pendingPerContributor(Map<String, BigInteger> settled) {
    Map<String, BigInteger> accrued = new TreeMap<>();
    accruals.forEach(a -> accrued.merge(a.getPayee(), wei(a.getAmount()), BigInteger::add));
    return accrued.entrySet().stream()
        .map(
            e -> {
              BigInteger paid = settled.getOrDefault(e.getKey(), BigInteger.ZERO);
              return List.<Object>of(e.getKey(), e.getValue(), paid, e.getValue().subtract(paid));
            })
        .sorted(
            Comparator.comparing((List<Object> r) -> (BigInteger) r.get(3))
                .reversed()
                .thenComparing(r -> (String) r.get(0)))
        .map(PackExpectations::line)
        .collect(Collectors.joining());
  }

  /** attribution_of_inference.sql (inference 1). */
  String attributionOfInference(long inference) {
    StringBuilder out = new StringBuilder();
    for (AttributionResult r : results) {
      if (r.getInferenceId() == inference) {
        List<AttributedContribution> c = r.getContributions();
        out.append(
            line(
                List.of(
                    r.getInferenceId(),
                    r.getModelId(),
                    r.getParamsVersion(),
                    flag(r.getUnattributed()),
                    array(c, AttributedContribution::getContributionId, false),
                    array(c, AttributedContribution::getContributor, true),
                    array(c, AttributedContribution::getRank, false),
                    array(c, AttributedContribution::getScorePpm, false),
                    array(c, AttributedContribution::getWeight, false))));
      }
    }
    accruals.stream()
        .filter(a -> a.getInferenceId() == inference)
        .sorted(
            Comparator.comparing((PayoutAccrual a) -> a.getRole().ordinal())
                .thenComparing(a -> id(a.getContributionId()))
                .thenComparing(PayoutAccrual::getPayee))
        .forEach(
            a ->
                out.append(
                    line(
                        List.of(
                            a.getPayee(),
                            a.getRole(),
                            id(a.getContributionId()),
                            flag(a.getUnattributed()),
                            wei(a.getAmount())))));
    return out.toString();
  }

  /** top_contributors_of_datanet_this_week.sql (Datanet 1), the week that holds {@code now}. */
  String topContributorsThisWeek(long datanet, Instant now) {
    Map<Long, Long> datanetOf = new LinkedHashMap<>();
    contributions.forEach(c -> datanetOf.put(c.getContributionId(), c.getDatanetId()));
    Map<List<Object>, List<PayoutAccrual>> groups =
        accruals.stream()
            .filter(a -> a.getRole().name().equals("CONTRIBUTOR"))
            .filter(a -> Objects.equals(datanetOf.get(id(a.getContributionId())), datanet))
            .filter(a -> monday(a.getPosition().getBlockTimestamp()).equals(monday(now)))
            .collect(
                Collectors.groupingBy(
                    a -> List.of(a.getPayee(), id(a.getContributionId())),
                    LinkedHashMap::new,
                    Collectors.toList()));
    return groups.entrySet().stream()
        .map(
            e ->
                List.of(
                    e.getKey().get(0), e.getValue().size(), sum(e.getValue(), a -> a.getAmount())))
        .sorted(
            Comparator.comparing((List<?> r) -> (BigInteger) r.get(2))
                .reversed()
                .thenComparing(r -> (String) r.get(0)))
        .map(PackExpectations::line)
        .collect(Collectors.joining());
  }

  /** why_paid_in_batch.sql, for {@code payee}. */
  String whyPaidInBatch(String payee) {
    Map<String, PayoutBatch> byId = new LinkedHashMap<>();
    batches.forEach(b -> byId.put(b.getBatchId(), b));
    List<List<Object>> rows = new ArrayList<>();
    for (PayoutBatchLeaf l : leaves) {
      PayoutBatch b = byId.get(l.getBatchId());
      if (l.getPayee().equals(payee) && b != null) {
        rows.add(
            List.of(
                b.getBatchId(),
                b.getWindowStart(),
                b.getWindowEnd(),
                b.getMerkleRoot(),
                l.getInferenceId(),
                l.getRole(),
                l.getContributionId(),
                flag(l.getUnattributed()),
                wei(l.getAmount()),
                l.getLeafHash(),
                l.getRole().ordinal()));
      }
    }
    return rows.stream()
        .sorted(
            Comparator.comparing((List<Object> r) -> (Long) r.get(1))
                .thenComparing(r -> (Long) r.get(4))
                .thenComparing(r -> (Integer) r.get(10))
                .thenComparing(r -> (Long) r.get(6)))
        .map(r -> line(r.subList(0, 10)))
        .collect(Collectors.joining());
  }

  private static LocalDate monday(Instant t) {
    return t.atZone(ZoneOffset.UTC)
        .toLocalDate()
        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
  }

  private static LocalDate monday(long epochSeconds) {
    return monday(Instant.ofEpochSecond(epochSeconds));
  }

  private static long id(Long contribution) {
    return contribution == null ? 0 : contribution;
  }

  private static int flag(boolean b) {
    return b ? 1 : 0;
  }

  private static BigInteger wei(BigDecimal amount) {
    return amount.toBigIntegerExact();
  }

  private static <T> BigInteger sum(List<T> rows, java.util.function.Function<T, BigDecimal> wei) {
    return rows.stream().map(r -> wei(wei.apply(r))).reduce(BigInteger.ZERO, BigInteger::add);
  }

  /** A ClickHouse array literal as TabSeparated prints it. */
  private static <T> String array(
      List<T> items, java.util.function.Function<T, Object> field, boolean quoted) {
    return items.stream()
        .map(i -> quoted ? "'" + field.apply(i) + "'" : String.valueOf(field.apply(i)))
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static String line(List<?> fields) {
    return fields.stream().map(String::valueOf).collect(Collectors.joining("\t")) + "\n";
  }
}
