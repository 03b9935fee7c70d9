package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openledger.flink.attribution.Contribution;
import org.openledger.flink.attribution.Model;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.sidecar.IndexRow;

/**
 * Rebuilds the sidecar's copy from the sequencer's state (the truth): reset, every indexed
 * contribution with its active interval (by block, then id, per Datanet) in the default encoder and
 * in each other encoder a model over that Datanet is scored with, every model, then ready.
 */
final class SidecarSeed {

  private SidecarSeed() {}

  /**
   * Re-seeds the sidecar; returns, per Datanet, the encoders other than the default it now holds
   * the Datanet in (what {@link #backfill} extends until the next re-seed).
   */
  static Map<Long, Set<String>> reseed(
      SidecarGateway sidecar, Iterable<Contribution> contributions, Iterable<Model> models) {
    sidecar.reset();
    Map<Long, Set<String>> extra = new TreeMap<>();
    for (Model m : models) {
      encoderOf(m, sidecar)
          .filter(e -> !e.equals(sidecar.encoderId()))
          .ifPresent(
              e -> {
                for (long d : m.datanetIds()) {
                  extra.computeIfAbsent(d, x -> new TreeSet<>()).add(e);
                }
              });
    }
    rows(contributions, null)
        .forEach(
            (datanet, rows) -> {
              sidecar.index(datanet, sidecar.encoderId(), false, rows);
              for (String e : extra.getOrDefault(datanet, Set.of())) {
                sidecar.index(datanet, e, false, rows);
              }
            });
    for (Model m : models) {
      encoderOf(m, sidecar).ifPresent(e -> sidecar.registerModel(m.id(), datanets(m), e));
    }
    sidecar.ready();
    return extra;
  }

  /**
   * Indexes one Datanet's contributions in {@code encoder}, which the sidecar does not hold it in
   * yet: a model over it scored with that encoder was just registered. Closed intervals are sent
   * closed, duplicates never active, as in a re-seed; no matches are asked for (duplicates are
   * found in the default encoder only).
   */
  static void backfill(
      SidecarGateway sidecar, long datanet, String encoder, Iterable<Contribution> contributions) {
    List<IndexRow> rows = rows(contributions, datanet).get(datanet);
    if (rows != null) {
      sidecar.index(datanet, encoder, false, rows);
    }
  }

  /** The encoder the sidecar scores {@code m} with; empty when this pipeline does not run it. */
  static Optional<String> encoderOf(Model m, SidecarGateway sidecar) {
    return m.encoderIn(sidecar.encoderId(), sidecar.encoders());
  }

  static List<Long> datanets(Model m) {
    List<Long> ids = new ArrayList<>();
    for (long d : m.datanetIds()) {
      ids.add(d);
    }
    return ids;
  }

  /** Rows of the contributions with content, per Datanet ({@code only}: that one; null: all). */
  private static Map<Long, List<IndexRow>> rows(Iterable<Contribution> contributions, Long only) {
    List<Contribution> all = new ArrayList<>();
    for (Contribution c : contributions) {
      if (c.content() != null && (only == null || c.datanetId() == only)) {
        all.add(c);
      }
    }
    all.sort(Comparator.comparingLong(Contribution::fromBlock).thenComparingLong(Contribution::id));
    Map<Long, List<IndexRow>> byDatanet = new TreeMap<>();
    for (Contribution c : all) {
      IndexRow row = IndexRow.text(c.id(), c.fromBlock(), c.content());
      byDatanet
          .computeIfAbsent(c.datanetId(), d -> new ArrayList<>())
          .add(c.closedAt() < 0 ? row : row.closedAt(c.closedAt()));
    }
    return byDatanet;
  }
}
