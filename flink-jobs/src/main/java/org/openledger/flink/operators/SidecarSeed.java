package org.openledger.flink.operators;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openledger.flink.attribution.Contribution;
import org.openledger.flink.attribution.Model;
import org.openledger.flink.attribution.SidecarGateway;
import org.openledger.flink.sidecar.IndexRow;

/**
 * Rebuilds the sidecar's copy from the sequencer's state (the truth): reset, every indexed
 * contribution with its active interval (by block, then id, per Datanet), every model, then ready.
 */
final class SidecarSeed {

  private SidecarSeed() {}

  static void reseed(
      SidecarGateway sidecar, Iterable<Contribution> contributions, Iterable<Model> models) {
    sidecar.reset();
    Map<Long, List<IndexRow>> byDatanet = new TreeMap<>();
    List<Contribution> all = new ArrayList<>();
    contributions.forEach(all::add);
    all.sort(Comparator.comparingLong(Contribution::fromBlock).thenComparingLong(Contribution::id));
    for (Contribution c : all) {
      if (c.content() == null) {
        continue;
      }
      IndexRow row = IndexRow.text(c.id(), c.fromBlock(), c.content());
      byDatanet
          .computeIfAbsent(c.datanetId(), d -> new ArrayList<>())
          .add(c.closedAt() < 0 ? row : row.closedAt(c.closedAt()));
    }
    byDatanet.forEach((datanet, rows) -> sidecar.index(datanet, false, rows));
    for (Model m : models) {
      sidecar.registerModel(m.id(), datanets(m));
    }
    sidecar.ready();
  }

  static List<Long> datanets(Model m) {
    List<Long> ids = new ArrayList<>();
    for (long d : m.datanetIds()) {
      ids.add(d);
    }
    return ids;
  }
}
