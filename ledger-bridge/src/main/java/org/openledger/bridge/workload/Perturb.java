package org.openledger.bridge.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Turns a contribution into a query a user might send: the same passage, lower-cased, with about
 * one word in six dropped and one pair of neighbours swapped. Close enough that attribution should
 * find the source, different enough that it has to work for it.
 */
final class Perturb {

  private Perturb() {}

  /** What a span-matched model outputs: the passage verbatim, after one of a few lead-ins. */
  static String quote(String text, Random random) {
    List<String> leads = List.of("As the saying goes:", "They say", "Remember:", "In short,");
    return leads.get(random.nextInt(leads.size())) + " " + text;
  }

  static String query(String text, Random random) {
    List<String> words =
        new ArrayList<>(Arrays.asList(text.toLowerCase(Locale.ROOT).split("\\s+")));
    if (words.size() < 4) {
      return String.join(" ", words) + "?";
    }
    List<String> kept = new ArrayList<>();
    for (String w : words) {
      if (random.nextInt(6) != 0) {
        kept.add(w);
      }
    }
    if (kept.size() < (words.size() + 1) / 2) {
      kept = words; // never lose most of the passage
    }
    int i = random.nextInt(kept.size() - 1);
    String w = kept.get(i);
    kept.set(i, kept.get(i + 1));
    kept.set(i + 1, w);
    return String.join(" ", kept) + "?";
  }
}
