package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.sidecar.Encoder;
import org.openledger.flink.sidecar.IndexMatch;
import org.openledger.flink.sidecar.IndexRow;
import org.openledger.flink.sidecar.ScoreMethod;
import org.openledger.flink.sidecar.ScoreQuery;
import org.openledger.flink.sidecar.ScoreResult;
import org.openledger.flink.sidecar.ScoredContribution;
import org.openledger.flink.sidecar.SidecarException;

/**
 * An in-memory sidecar for operator tests, with the real one's contract: rows per Datanet with
 * active intervals [from, to), similarity (here the Jaccard index of lower-cased word sets), score
 * desc then id asc, top-k at or above the threshold; {@code reset} forgets everything and scoring
 * needs {@code ready}. Span scoring (method {@code SPAN}) scores the longest run of at least {@link
 * #MIN_SPAN} query words found contiguously in a contribution, as a share of the query's words,
 * tagged {@code span-match}. Indexes are per (Datanet, encoder), as the real one's: {@link
 * #ENCODER} is the default and {@link #OTHER_ENCODER}, which a model may name, scores the share of
 * the query's words the contribution holds. It records the calls, so tests can assert re-seeding.
 * Instances live in a static registry so that the (serialized) factory finds the test's instance.
 */
final class FakeSidecar implements SidecarGateway {

  static final String ENCODER = "fake-jaccard";
  static final Encoder ENCODER_INFO = new Encoder(ENCODER, "1", "memory");
  static final String OTHER_ENCODER = "fake-containment";
  static final Encoder OTHER_INFO = new Encoder(OTHER_ENCODER, "1", "memory");
  static final Encoder SPAN_INFO = new Encoder("span-match", "1", "memory");
  static final int MIN_SPAN = 4;

  private static final Map<String, FakeSidecar> REGISTRY = new ConcurrentHashMap<>();

  /** One indexed contribution. */
  record Row(long id, long from, Long to, String text) {
    boolean activeAt(long block) {
      return from <= block && (to == null || block < to);
    }
  }

  /** One {@code index} call as the operator made it. */
  record IndexCall(long datanetId, String encoder, boolean matches, List<IndexRow> rows) {}

  /** A registered model: its Datanets and encoder. */
  record Registered(List<Long> datanetIds, String encoder) {}

  // encoder -> Datanet -> rows
  private final Map<String, Map<Long, Map<Long, Row>>> indexes = new TreeMap<>();
  private final Map<Long, Registered> models = new TreeMap<>();
  private boolean ready;
  private String refused; // a query containing this is refused, with its row in the call

  /** Refuses, as a bad request, every score call with a query containing {@code word}. */
  synchronized void refuseQueriesWith(String word) {
    refused = word;
  }

  int resets;
  int readies;
  int scoreCalls;
  int opened;
  int closed;
  final List<IndexCall> indexCalls = new ArrayList<>();
  final List<Long> closes = new ArrayList<>();
  final List<Long> reopens = new ArrayList<>();
  final List<ScoreMethod> scoreMethods = new ArrayList<>();

  static FakeSidecar register(String name) {
    FakeSidecar fake = new FakeSidecar();
    REGISTRY.put(name, fake);
    return fake;
  }

  static void unregister(String name) {
    REGISTRY.remove(name);
  }

  /** A serializable factory: only the name travels; the instance is looked up on open. */
  static Factory factory(String name) {
    return () -> {
      FakeSidecar fake = REGISTRY.get(name);
      if (fake == null) {
        throw new IllegalStateException("no fake sidecar registered as " + name);
      }
      fake.opened++;
      return fake;
    };
  }

  /** What a sidecar restart does: everything forgotten, alive but not ready. */
  synchronized void restart() {
    indexes.clear();
    models.clear();
    ready = false;
  }

  synchronized boolean isReady() {
    return ready;
  }

  /** Ids of the rows the latest {@code index} calls sent, in order. */
  synchronized List<Long> indexedIds() {
    List<Long> ids = new ArrayList<>();
    indexCalls.forEach(c -> c.rows().forEach(r -> ids.add(r.contributionId())));
    return ids;
  }

  /** The contribution's row in the default encoder's index of the Datanet. */
  synchronized Optional<Row> row(long datanetId, long contributionId) {
    return row(ENCODER, datanetId, contributionId);
  }

  synchronized Optional<Row> row(String encoder, long datanetId, long contributionId) {
    return Optional.ofNullable(datanet(encoder, datanetId).get(contributionId));
  }

  /** The ids the Datanet's index in {@code encoder} holds. */
  synchronized Set<Long> held(String encoder, long datanetId) {
    return Set.copyOf(datanet(encoder, datanetId).keySet());
  }

  synchronized Optional<Registered> model(long modelId) {
    return Optional.ofNullable(models.get(modelId));
  }

  private Map<Long, Row> datanet(String encoder, long datanetId) {
    return indexes.getOrDefault(encoder, Map.of()).getOrDefault(datanetId, Map.of());
  }

  /** The share of the query's words the contribution holds. */
  static float containment(String contribution, String query) {
    Set<String> q = words(query);
    if (q.isEmpty()) {
      return 0f;
    }
    Set<String> both = new HashSet<>(q);
    both.retainAll(words(contribution));
    return (float) ((double) both.size() / q.size());
  }

  static float similarity(String a, String b) {
    Set<String> x = words(a);
    Set<String> y = words(b);
    Set<String> union = new HashSet<>(x);
    union.addAll(y);
    if (union.isEmpty()) {
      return 0f;
    }
    Set<String> both = new HashSet<>(x);
    both.retainAll(y);
    return (float) ((double) both.size() / union.size());
  }

  /** The longest run of query words inside the contribution's words, over the query's length. */
  static float spanScore(String contribution, String query) {
    List<String> c = wordList(contribution);
    List<String> q = wordList(query);
    int best = 0;
    for (int i = 0; i < q.size(); i++) {
      for (int j = 0; j < c.size(); j++) {
        int n = 0;
        while (i + n < q.size() && j + n < c.size() && q.get(i + n).equals(c.get(j + n))) {
          n++;
        }
        best = Math.max(best, n);
      }
    }
    return best < MIN_SPAN ? 0f : (float) best / q.size();
  }

  private static List<String> wordList(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  private static Set<String> words(String text) {
    Set<String> out = new HashSet<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  private static final Comparator<ScoredContribution> BEST_FIRST =
      Comparator.comparingDouble((ScoredContribution s) -> -s.score())
          .thenComparingLong(ScoredContribution::contributionId);

  @Override
  public String encoderId() {
    return ENCODER;
  }

  @Override
  public Set<String> encoders() {
    return Set.of(ENCODER, OTHER_ENCODER);
  }

  @Override
  public synchronized void reset() {
    resets++;
    restart();
  }

  @Override
  public synchronized List<IndexMatch> index(
      long datanetId, String encoder, boolean matches, List<IndexRow> rows) {
    indexCalls.add(new IndexCall(datanetId, encoder, matches, List.copyOf(rows)));
    if (!encoders().contains(encoder)) {
      throw new SidecarException.BadRequest("unknown encoder '" + encoder + "'", null);
    }
    if (matches && !ready) { // as the real sidecar: only re-seeding (no matches) while not ready
      throw new SidecarException.NotReady("[not-ready] index with matches", null);
    }
    Map<Long, Row> datanet =
        indexes
            .computeIfAbsent(encoder, e -> new TreeMap<>())
            .computeIfAbsent(datanetId, d -> new LinkedHashMap<>());
    List<IndexMatch> out = new ArrayList<>();
    for (IndexRow r : rows) {
      Row known = datanet.get(r.contributionId());
      if (known != null && !(known.to() != null && known.to() <= known.from())) {
        throw new SidecarException.BadRequest(
            "contribution " + r.contributionId() + " is already indexed", null);
      }
      Optional<ScoredContribution> best = Optional.empty();
      if (matches) {
        best =
            datanet.values().stream()
                .filter(e -> e.activeAt(r.activeFrom()))
                .map(e -> new ScoredContribution(e.id(), similarity(e.text(), r.text())))
                .sorted(BEST_FIRST)
                .findFirst();
      }
      datanet.put(
          r.contributionId(), new Row(r.contributionId(), r.activeFrom(), r.activeTo(), r.text()));
      out.add(new IndexMatch(r.contributionId(), best));
    }
    return out;
  }

  private void notReadyCheck() {
    if (!ready) {
      throw new SidecarException.NotReady("[not-ready] waiting to be re-seeded", null);
    }
  }

  /** The Datanet's indexes (one per encoder) that hold the contribution: at least one. */
  private List<Map<Long, Row>> holding(long datanetId, long contributionId) {
    List<Map<Long, Row>> found = new ArrayList<>();
    for (Map<Long, Map<Long, Row>> byDatanet : indexes.values()) {
      Map<Long, Row> datanet = byDatanet.get(datanetId);
      if (datanet != null && datanet.containsKey(contributionId)) {
        found.add(datanet);
      }
    }
    if (found.isEmpty()) {
      throw new SidecarException.BadRequest(
          "contribution " + contributionId + " is not indexed in Datanet " + datanetId, null);
    }
    return found;
  }

  @Override
  public synchronized void close(long datanetId, long contributionId, long atBlock) {
    closes.add(contributionId);
    notReadyCheck();
    for (Map<Long, Row> datanet : holding(datanetId, contributionId)) {
      Row row = datanet.get(contributionId);
      datanet.put(contributionId, new Row(row.id(), row.from(), atBlock, row.text()));
    }
  }

  @Override
  public synchronized void reopen(long datanetId, long contributionId) {
    reopens.add(contributionId);
    notReadyCheck();
    for (Map<Long, Row> datanet : holding(datanetId, contributionId)) {
      Row row = datanet.get(contributionId);
      datanet.put(contributionId, new Row(row.id(), row.from(), null, row.text()));
    }
  }

  @Override
  public synchronized void registerModel(long modelId, List<Long> datanetIds, String encoder) {
    if (!encoders().contains(encoder)) {
      throw new SidecarException.BadRequest("unknown encoder '" + encoder + "'", null);
    }
    models.put(modelId, new Registered(List.copyOf(datanetIds), encoder));
  }

  @Override
  public synchronized void ready() {
    readies++;
    ready = true;
  }

  @Override
  public synchronized ScoreResult score(
      long modelId, int k, double threshold, ScoreMethod method, List<ScoreQuery> queries) {
    scoreCalls++;
    scoreMethods.add(method);
    if (!ready) {
      throw new SidecarException.NotReady("[not-ready] waiting to be re-seeded by its owner", null);
    }
    for (int row = 0; row < queries.size(); row++) {
      if (refused != null && queries.get(row).text().contains(refused)) {
        throw new SidecarException.BadRequest(
            "row " + row + ": query " + queries.get(row).inferenceId() + " cannot be encoded",
            null);
      }
    }
    Registered over = models.get(modelId);
    if (over == null) {
      throw new SidecarException.BadRequest("unknown model " + modelId, null);
    }
    boolean span = method == ScoreMethod.SPAN;
    // Span scoring reads the texts, which every index holds alike: the default one's here.
    String space = span ? ENCODER : over.encoder();
    Map<Long, List<ScoredContribution>> byInference = new LinkedHashMap<>();
    for (ScoreQuery q : queries) {
      List<ScoredContribution> found = new ArrayList<>();
      for (long d : over.datanetIds()) {
        for (Row r : datanet(space, d).values()) {
          float s =
              span
                  ? spanScore(r.text(), q.text())
                  : space.equals(OTHER_ENCODER)
                      ? containment(r.text(), q.text())
                      : similarity(r.text(), q.text());
          if (r.activeAt(q.block()) && s >= threshold && (!span || s > 0f)) {
            found.add(new ScoredContribution(r.id(), s));
          }
        }
      }
      found.sort(BEST_FIRST);
      // As the Flight client reads an answer (ArrowResults): rows by query id, so two queries of
      // one id in one call pool their matches.
      byInference
          .computeIfAbsent(q.inferenceId(), x -> new ArrayList<>())
          .addAll(found.subList(0, Math.min(k, found.size())));
    }
    return new ScoreResult(
        span ? SPAN_INFO : space.equals(OTHER_ENCODER) ? OTHER_INFO : ENCODER_INFO, byInference);
  }

  @Override
  public synchronized void close() {
    closed++;
  }
}
