# `bin/openledger soak [--duration D] [--rate R] [--every MIN-MAX] [--seed S] [--kinds K1,K2]`:
# the pipeline at a steady share of its measured maximum for a long time, with a fault every MIN
# to MAX seconds, sampling memory, lag and checkpoints all along. It passes when the chaos suite's
# invariants hold at the end and nothing grew without bound (bin/lib/soak.py; docs/RELIABILITY.md).

# The highest rate the whole pipeline was measured to sustain here: run D of docs/BENCHMARKS.md,
# where the dev node mined 385 inferences/s (its bound, not the pipeline's). The soak offers 70 %.
SOAK_MAX_RATE=385
SOAK_USAGE="usage: bin/openledger soak [--duration D (1h)] [--rate R (70 % of $SOAK_MAX_RATE)] [--every MIN-MAX (30-60 s)] [--seed S] [--kinds K1,K2,...] [--no-build]"

cmd_soak() {
  local duration=1h rate=$((SOAK_MAX_RATE * 70 / 100)) every=30-60 seed=1 build=1 kinds_given=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --duration) duration=$2; shift 2 ;;
      --rate) rate=$2; shift 2 ;;
      --every) every=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --kinds) kinds_given=${2//,/ }; shift 2 ;;
      --no-build) build=0; shift ;;
      *) die "$SOAK_USAGE" ;;
    esac
  done
  local low=${every%-*} high=${every#*-}
  [[ "$low" =~ ^[0-9]+$ && "$high" =~ ^[0-9]+$ && "$low" -le "$high" ]] || die "--every is MIN-MAX seconds, e.g. 30-60"
  [[ "$rate" =~ ^[0-9]+$ && "$rate" -gt 0 ]] || die "--rate is a positive number of inferences a second"
  CLUSTER_RUN=0
  chaos_select_kinds 0 "$kinds_given"
  export OPENLEDGER_RUN_DIR="$OPENLEDGER_ROOT/.run-soak"
  # The benchmark's chain (1 s blocks, 30M gas: ~300 payments a block), so the rate is the one measured.
  export OPENLEDGER_EVM_BLOCK_TIME=1 OPENLEDGER_EVM_GAS_LIMIT=30000000
  # An hour's topics outgrow the chaos suite's 4 GB disks; the disk-full faults still shrink them to their use.
  CHAOS_DISK_SIZE=${OPENLEDGER_SOAK_DISK_SIZE:-12g}
  cmd_install
  [ "$build" = 0 ] || cmd_build
  chaos_env 0
  fresh_run
  local dir
  dir=$(chaos_dir)
  OPENLEDGER_FLINK_METRICS_PORT="$OPENLEDGER_FLINK_METRICS_PORT" OPENLEDGER_FOLLOWER_METRICS_PORT="$OPENLEDGER_FOLLOWER_METRICS_PORT" \
    OPENLEDGER_HOST="$OPENLEDGER_HOST" OPENLEDGER_CLICKHOUSE_HTTP_PORT="$OPENLEDGER_CLICKHOUSE_HTTP_PORT" \
    python3 "$OPENLEDGER_ROOT/bin/lib/e2e.py" sample "$dir/samples.jsonl" "$OPENLEDGER_RUN_DIR" "workload=$dir/workload.pid" &
  SAMPLER_PID=$!
  SAMPLER_STARTED=$(proc_start_time "$SAMPLER_PID" || true)
  say "soak: $duration at $rate inferences/s ($((rate * 100 / SOAK_MAX_RATE)) % of $SOAK_MAX_RATE), a fault every $low-$high s, seed $seed"
  workload_start "$OPENLEDGER_RUN_DIR/logs/workload.log" cmd_workload --datanets 4 --contributions 12 \
    --duplicates 1 --bad-hashes 1 --duration "$duration" --rate "$rate" --senders 8 --payers 8 \
    --send async --governance off --seed "$seed"
  echo "$WORKLOAD_PID" >"$dir/workload.pid"
  chaos_workload_started
  local load_begin
  load_begin=$(date +%s)

  # Faults while the workload runs: each kind once in a seeded order, then drawn at random.
  chaos_order "$seed"
  local i=0
  while sleep $((low + RANDOM % (high - low + 1))) && workload_running; do
    chaos_next "$i"
    chaos_inject "$CHAOS_KIND" "$dir"
    i=$((i + 1))
    say "fault $i at $(date -u +%H:%M:%S), block $(head_block): $CHAOS_KIND: $CHAOS_DETAIL"
    say "  $(progress line 2>/dev/null) | $(grep -o 'inferences paid ([^)]*)' "$OPENLEDGER_RUN_DIR/logs/workload.log" | tail -n 1)"
  done
  workload_wait || warn "the workload exited non-zero (see $OPENLEDGER_RUN_DIR/logs/workload.log)"
  local load_end
  load_end=$(date +%s)
  say "the workload is done after $i faults"
  echo "$load_begin $load_end" >"$dir/load.txt" # to draw and bound the run again: soak.py report ... BEGIN END
  chaos_drain "$dir"
  stop_tree "$SAMPLER_PID" "$SAMPLER_STARTED"
  SAMPLER_PID=
  local rc=0
  python3 "$OPENLEDGER_ROOT/bin/lib/soak.py" report "$dir/samples.jsonl" "$dir/faults.tsv" "$rate" "$dir/soak.svg" \
    "soak: $duration at $rate inferences/s, $i faults (seed $seed), $(date -u +%F)" "$load_begin" "$load_end" | tee "$dir/bounds.txt" || rc=1
  chaos_report "$dir" || rc=1
  if [ "$rc" = 0 ]; then say "soak: every invariant held and everything stayed bounded (plot: $dir/soak.svg)"; else warn "soak: a check failed (see above; plot: $dir/soak.svg)"; fi
  return "$rc"
}
