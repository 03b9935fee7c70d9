package org.openledger.bridge.workload;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The workload's command line: its size, rate, seed, where the fortunes are and where the report
 * goes. Every option has a default that finishes its first settlements within a few minutes.
 */
record WorkloadArgs(
    WorkloadPlan.Options options,
    double rate,
    int senders,
    boolean governance,
    boolean async,
    Path fortunes,
    Path report) {

  static final String USAGE =
      "usage: workload [--datanets N] [--contributions PER_DATANET] [--duplicates N]"
          + " [--bad-hashes N] [--inferences N] [--rate PER_SECOND] [--contributors N]"
          + " [--payers N] [--senders N] [--seed S] [--governance on|off] [--fortunes DIR]"
          + " [--report FILE] [--send wait|async] [--duration D]\n"
          + "  --send async: raw transactions with local nonces, many in flight, receipts read per"
          + " block (--senders is then unused: every payer sends)\n"
          + "  --duration D (90, 90s, 10m, 1h): offer --rate for D, i.e. rate x D inferences"
          + " (replaces --inferences)";

  static WorkloadArgs parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("--datanets", "4");
    v.put("--contributions", "12");
    v.put("--duplicates", "3");
    v.put("--bad-hashes", "2");
    v.put("--inferences", "120");
    v.put("--rate", "4");
    v.put("--contributors", "8");
    v.put("--payers", "3");
    v.put("--seed", "1");
    v.put("--governance", "on");
    v.put("--senders", "1");
    v.put("--fortunes", "/usr/share/games/fortunes");
    v.put("--report", ".run/workload.json");
    v.put("--send", "wait");
    v.put("--duration", "");
    for (int i = 0; i < args.length; i += 2) {
      if (!v.containsKey(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "unknown or incomplete option " + args[i] + "\n" + USAGE);
      }
      v.put(args[i], args[i + 1]);
    }
    double rate = Double.parseDouble(v.get("--rate"));
    if (!(rate > 0)) {
      throw new IllegalArgumentException("--rate must be positive\n" + USAGE);
    }
    int senders = Integer.parseInt(v.get("--senders"));
    boolean governance =
        switch (v.get("--governance")) {
          case "on" -> true;
          case "off" -> false;
          default -> throw new IllegalArgumentException("--governance is on or off\n" + USAGE);
        };
    boolean async =
        switch (v.get("--send")) {
          case "wait" -> false;
          case "async" -> true;
          default -> throw new IllegalArgumentException("--send is wait or async\n" + USAGE);
        };
    int inferences = Integer.parseInt(v.get("--inferences"));
    if (!v.get("--duration").isEmpty()) {
      inferences = (int) Math.ceil(rate * seconds(v.get("--duration")));
    }
    if (senders < 1 || senders > Integer.parseInt(v.get("--payers"))) {
      throw new IllegalArgumentException("--senders is 1 to --payers (one payer each)\n" + USAGE);
    }
    if (senders > 1 && governance) {
      throw new IllegalArgumentException("--senders above 1 needs --governance off\n" + USAGE);
    }
    return new WorkloadArgs(
        new WorkloadPlan.Options(
            Integer.parseInt(v.get("--datanets")),
            Integer.parseInt(v.get("--contributions")),
            Integer.parseInt(v.get("--duplicates")),
            Integer.parseInt(v.get("--bad-hashes")),
            inferences,
            Integer.parseInt(v.get("--contributors")),
            Integer.parseInt(v.get("--payers")),
            Long.parseLong(v.get("--seed"))),
        rate,
        senders,
        governance,
        async,
        Path.of(v.get("--fortunes")),
        Path.of(v.get("--report")));
  }

  /** Seconds in a duration: a number with an optional unit, s (the default), m or h. */
  static long seconds(String d) {
    var m = java.util.regex.Pattern.compile("(\\d+)([smh]?)").matcher(d.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException("--duration is a positive number of s, m or h: " + d);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "m" -> n * 60;
      case "h" -> n * 3600;
      default -> n;
    };
  }
}
