# `bin/openledger chaos --faults N --seed S`: the workload under seeded, random faults, then the
# invariants (docs/RELIABILITY.md). Runs in its own folder (.run-chaos) on the usual ports.

CHAOS_KINDS="kill-follower kill-settlement kill-flink restart-sidecar restart-kafka reorg malformed bad-content
kill-decoder rewind-decoder kill-loader restart-clickhouse restart-registry hang-sidecar slow-sidecar
rpc-timeout rpc-5xx rpc-rate-limit rpc-stale-head rpc-drop disk-full-kafka disk-full-checkpoints kafka-partition"
# The cluster mode (`chaos --cluster`) has no mini-cluster to kill nor single broker to restart; it
# has the faults only a cluster has instead.
CLUSTER_ONLY_KINDS="kill-taskmanager kill-jobmanager kill-broker rolling-restart-brokers rescale-payment"
EMBEDDED_ONLY_KINDS="kill-flink restart-kafka kafka-partition"
# The attribution job's sidecar client gives up on a call after this long (PipelineApp): a hang
# lasts longer, so the job's failure and recovery path is what runs.
SIDECAR_CLIENT_TIMEOUT_S=60

# rpc METHOD PARAMS-JSON: the (scalar) result as JSON text. No interpreter starts per call: the
# reorg below samples the head between blocks, and a second of python start-up under load let
# the chain run several blocks past the sample.
rpc() {
  curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" \
    "http://$OPENLEDGER_HOST:$OPENLEDGER_EVM_PORT" | sed -n 's/.*"result":\(.*\)}$/\1/p'
}
# The dev node mines a block per transaction (automine: chaos) or every OPENLEDGER_EVM_BLOCK_TIME
# seconds (soak). Pausing either mode stops new blocks; anvil ignores evm_setAutomine(false) in the
# interval mode, and evm_setAutomine(true) would switch it to automine.
mining_pause() {
  if [ -n "${OPENLEDGER_EVM_BLOCK_TIME:-}" ]; then rpc evm_setIntervalMining '[0]'; else rpc evm_setAutomine '[false]'; fi
}
mining_resume() {
  if [ -n "${OPENLEDGER_EVM_BLOCK_TIME:-}" ]; then rpc evm_setIntervalMining "[$OPENLEDGER_EVM_BLOCK_TIME]"; else rpc evm_setAutomine '[true]'; fi
}
head_block() { local h; h=$(rpc eth_blockNumber '[]') && h=${h//\"/} && echo $((h)); }

# kill9 PART: SIGKILL to the part's process group, then wait until it is really gone (a restart
# that still sees the old process would wait on it).
kill9() {
  local pid waited=0
  pid=$(part_pid "$1") || return 1 # not running: nothing was injected
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  while part_pid "$1" >/dev/null && [ $waited -lt 200 ]; do sleep 0.05; waited=$((waited + 1)); done
}

# signal_part SIGNAL PART: the signal to the part's process group (its recorded PID: never by name).
signal_part() {
  local pid
  pid=$(part_pid "$2") || return 1
  kill "-$1" -- "-$pid" 2>/dev/null || kill "-$1" "$pid" 2>/dev/null
}

# The JSON-RPC fault proxy (bin/lib/rpc_proxy.py) the follower and the settlement writer reach the
# node through during a chaos run; the workload and the fault injection talk to the node directly.
rpcproxy_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_RPC_PROXY_PORT (to the node on $OPENLEDGER_EVM_PORT)"; }
rpcproxy_healthy() {
  curl -fsS --max-time 2 -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
    "http://$OPENLEDGER_HOST:$OPENLEDGER_RPC_PROXY_PORT" | grep -q '"result"'
}
rpcproxy_start() {
  launch rpcproxy "$OPENLEDGER_RUN_DIR/logs/rpcproxy.log" python3 "$OPENLEDGER_ROOT/bin/lib/rpc_proxy.py" \
    "$OPENLEDGER_HOST" "$OPENLEDGER_RPC_PROXY_PORT" "$OPENLEDGER_HOST" "$OPENLEDGER_EVM_PORT" \
    "$OPENLEDGER_RUN_DIR/rpcproxy.mode"
  wait_healthy rpcproxy rpcproxy_healthy
}
# rpc_fault MODE SECONDS: the proxy fails that way for that long, then passes through again.
rpc_fault() {
  echo "$1" >"$OPENLEDGER_RUN_DIR/rpcproxy.mode"
  sleep "$2"
  echo ok >"$OPENLEDGER_RUN_DIR/rpcproxy.mode"
}

# The TCP fault proxy (bin/lib/tcp_proxy.py) between the Flink jobs and Kafka (embedded chaos runs).
kafkaproxy_address() { echo "$OPENLEDGER_HOST:$OPENLEDGER_KAFKA_PROXY_PORT (to Kafka's listener on $OPENLEDGER_KAFKA_FLINK_PORT)"; }
kafkaproxy_healthy() { port_in_use "$OPENLEDGER_KAFKA_PROXY_PORT"; }
kafkaproxy_start() {
  launch kafkaproxy "$OPENLEDGER_RUN_DIR/logs/kafkaproxy.log" python3 "$OPENLEDGER_ROOT/bin/lib/tcp_proxy.py" \
    "$OPENLEDGER_HOST" "$OPENLEDGER_KAFKA_PROXY_PORT" "$OPENLEDGER_HOST" "$OPENLEDGER_KAFKA_FLINK_PORT" \
    "$OPENLEDGER_RUN_DIR/kafkaproxy.mode"
  wait_healthy kafkaproxy kafkaproxy_healthy
}

# Parts run under a supervisor in production: one that exited (or was killed) is started again.
heal() {
  local part
  for part in $PARTS rpcproxy follower decoder flink settlement slashing loader; do
    part_pid "$part" >/dev/null || start_one "$part" >/dev/null
  done
  [ "${OPENLEDGER_KAFKA_THROUGH_PROXY:-0}" = 0 ] || part_pid kafkaproxy >/dev/null || start_one kafkaproxy >/dev/null
}

chaos_fault() {
  local kind=$1 dir=$2
  case "$kind" in
    kill-follower) kill9 follower || return 1; start_one follower >/dev/null; echo "SIGKILL, restarted" ;;
    kill-settlement)
      # Aim for the window between a settle transaction's broadcast and its receipt's confirmations.
      local log="$OPENLEDGER_RUN_DIR/logs/settlement.log" seen waited=0
      seen=$(grep -c 'sending 0x' "$log" 2>/dev/null || true)
      while [ "$(grep -c 'sending 0x' "$log" 2>/dev/null || true)" = "$seen" ] && [ $waited -lt 600 ]; do
        sleep 0.05; waited=$((waited + 1))
      done
      kill9 settlement || return 1; start_one settlement >/dev/null
      if [ $waited -lt 600 ]; then echo "SIGKILL between send and receipt, restarted"; else echo "SIGKILL (no send in 30 s), restarted"; fi ;;
    kill-flink) kill9 flink || return 1; start_one flink >/dev/null; echo "SIGKILL of the mini-cluster, resumed from its checkpoint" ;;
    restart-sidecar) kill9 sidecar || return 1; start_one sidecar >/dev/null; echo "SIGKILL, restarted empty" ;;
    restart-kafka) stop_part kafka >/dev/null; sleep 2; start_one kafka >/dev/null; heal; echo "broker stopped and started" ;;
    kill-decoder) kill9 decoder || return 1; start_one decoder >/dev/null; echo "SIGKILL of the Streams app, restarted" ;;
    rewind-decoder)
      # The group coordinator loses the decoder's committed offsets (a broker did, restarted after
      # its log directory filled, in the third soak): Streams starts again at the earliest offset
      # of every input. The decoder and the balances views skip what they already processed.
      local rewound
      kill9 decoder || return 1
      rewound=$(chaos_java org.openledger.bridge.chaos.ChaosInject rewind-group openledger-decoder | tail -n 1)
      start_one decoder >/dev/null
      [ -n "$rewound" ] || return 1
      echo "decoder's committed offsets set back to the earliest ($(echo "$rewound" | awk '{ print $3 }') records behind), restarted" ;;
    kill-loader) kill9 loader || return 1; start_one loader >/dev/null; echo "SIGKILL of the ClickHouse loader, restarted" ;;
    restart-clickhouse)
      stop_part clickhouse >/dev/null; sleep 5; start_one clickhouse >/dev/null; heal
      echo "ClickHouse stopped for 5 s and started" ;;
    restart-registry)
      stop_part registry >/dev/null; sleep 5; start_one registry >/dev/null; heal
      echo "schema registry stopped for 5 s and started" ;;
    hang-sidecar)
      # SIGSTOP past the client's timeout: calls in flight fail, the job restarts and re-seeds.
      signal_part STOP sidecar || return 1
      sleep $((SIDECAR_CLIENT_TIMEOUT_S + 5))
      signal_part CONT sidecar || return 1
      echo "sidecar stopped (SIGSTOP) for $((SIDECAR_CLIENT_TIMEOUT_S + 5)) s, then continued" ;;
    slow-sidecar)
      # Added latency: 20 s in which the sidecar runs 0.2 s of every 0.5 s.
      local round
      for round in $(seq 1 40); do
        signal_part STOP sidecar || return 1
        sleep 0.3
        signal_part CONT sidecar || return 1
        sleep 0.2
      done
      echo "sidecar slowed for 20 s (stopped 0.3 s of every 0.5 s)" ;;
    reorg)
      # Snapshot, let the workload add 3 blocks, revert, then mine a longer empty branch: the
      # blocks after the snapshot are replaced. The depth must stay under the finality, so the
      # node stops mining (automine off) while the head is read and the snapshot reverted: the
      # depth reported is the depth done. Transactions sent in that pause were signed against
      # the replaced branch (their nonces may now leave a gap): they are dropped, lost to the
      # reorg like those in the replaced blocks. A snapshot the chain has outrun is not used.
      local snap at now waited try
      for try in 1 2 3 4 5 6 7 8 9 10; do
        at=$(head_block) # before the snapshot: every block after it may be replaced
        snap=$(rpc evm_snapshot '[]')
        now=$at waited=0
        while [ "$now" -lt $((at + 3)) ] && [ $waited -lt 100 ]; do
          sleep 0.05; waited=$((waited + 1)); now=$(head_block)
          # The workload is done (or paused): make the blocks to replace ourselves, empty.
          [ $waited != 20 ] || [ "$now" != "$at" ] || { evm_mine 3; now=$(head_block); }
        done
        [ "$(mining_pause)" = null ] || { echo "reorg: pausing the miner refused" >&2; return 1; }
        now=$(head_block) # the chain stands still until mining is back on
        if [ $((now - at)) -le 8 ] && [ "$now" -gt "$at" ]; then
          if [ "$(rpc evm_revert "[$snap]")" != true ]; then
            mining_resume >/dev/null
            echo "reorg: evm_revert $snap refused" >&2; return 1
          fi
          rpc anvil_dropAllTransactions '[]' >/dev/null
          evm_mine $((now - at + 4)) # the other branch is longer, so every follower must switch
          mining_resume >/dev/null
          echo "up to $((now - at)) blocks after $at replaced"
          return 0
        fi
        mining_resume >/dev/null
        echo "reorg: try $try: the chain ran $((now - at)) blocks past the snapshot (over 8)" >&2
      done
      return 1 ;;
    rpc-timeout) rpc_fault timeout 20; echo "node calls through the proxy hung for 20 s (no answer)" ;;
    rpc-5xx) rpc_fault http-500 15; echo "node answered HTTP 500 for 15 s" ;;
    rpc-rate-limit) rpc_fault rate-limit 15; echo "node answered 429 / -32005 for 15 s" ;;
    rpc-stale-head) rpc_fault stale-head 20; echo "node reported a frozen head for 20 s" ;;
    rpc-drop) rpc_fault drop 15; echo "node answers cut mid-response for 15 s (requests still reached the node)" ;;
    kill-taskmanager)
      # The jobs restart on the other TaskManager's slots (4: both jobs at parallelism 2 fit),
      # from their last checkpoints; the lost one comes back 10 s later.
      local tm=taskmanager$((CHAOS_PICK % 2 + 1))
      kill9 "$tm" || return 1; sleep 10; start_one "$tm" >/dev/null
      echo "SIGKILL of $tm, restarted after 10 s" ;;
    kill-jobmanager)
      kill9 jobmanager || return 1; sleep 3; start_one jobmanager >/dev/null; heal
      echo "SIGKILL of the JobManager, restarted: jobs recovered from the HA store" ;;
    kill-broker)
      local node=$((CHAOS_PICK % 3 + 1))
      kill9 "$(kafka_node_part "$node")" || return 1; sleep 5; start_one "$(kafka_node_part "$node")" >/dev/null
      echo "SIGKILL of Kafka node $node, restarted after 5 s" ;;
    rolling-restart-brokers)
      local node
      for node in 1 2 3; do
        stop_part "$(kafka_node_part "$node")" >/dev/null
        start_one "$(kafka_node_part "$node")" >/dev/null
        cluster_wait_replicated 120 || { echo "rolling restart: partitions still under-replicated after node $node" >&2; return 1; }
      done
      echo "each Kafka node stopped and started in turn, waiting for full replication between" ;;
    rescale-payment)
      local now=$(cat "$OPENLEDGER_RUN_DIR/flink/payment-parallelism" 2>/dev/null || echo "$OPENLEDGER_CLUSTER_PARALLELISM") to
      to=$((now == 4 ? 2 : 4))
      cmd_savepoint payment >/dev/null || return 1
      cmd_resume payment --parallelism "$to" >/dev/null || return 1
      echo "$to" >"$OPENLEDGER_RUN_DIR/flink/payment-parallelism"
      echo "payment job stopped with a savepoint at parallelism $now, resumed at $to" ;;
    kafka-partition)
      # The link between the Flink jobs and Kafka drops every packet for 40 s: fetches and
      # produce requests time out, the jobs fail over and retry until the link is back; open
      # transactions stay open (15-minute timeout) and are committed or aborted after recovery.
      echo partition >"$OPENLEDGER_RUN_DIR/kafkaproxy.mode"
      sleep 40
      echo ok >"$OPENLEDGER_RUN_DIR/kafkaproxy.mode"
      echo "Flink cut off from Kafka for 40 s (every packet dropped), then the link back" ;;
    disk-full-kafka)
      # The broker's next append or index write fails: Kafka takes the log directory offline
      # and, with no other, stops (or dies of SIGBUS on a memory-mapped index). It is restarted
      # once the space is back and recovers its logs; no acknowledged record is lost.
      local was
      was=$(part_pid kafka || true)
      disk_full kafka 25 || return 1
      if part_pid kafka >/dev/null && [ "$(part_pid kafka)" = "$was" ]; then
        echo "Kafka's log directory full for 25 s (the broker kept running), then space back"
      else
        echo "Kafka's log directory full for 25 s: the broker stopped; space back, restarted"
      fi ;;
    disk-full-checkpoints)
      # Checkpoints fail to write: the job fails over to its last completed checkpoint (still
      # readable) and tries again until the space is back; nothing past it was committed.
      disk_full checkpoints 30 || return 1
      echo "Flink's checkpoint directory full for 30 s, then space back" ;;
    malformed)
      chaos_java org.openledger.bridge.chaos.ChaosInject malformed | grep -E '^[^ ]+ [0-9]+ [0-9]+$' >>"$dir/malformed.txt"
      echo "2 raw records no decoder can read" ;;
    bad-content)
      chaos_java org.openledger.bridge.chaos.ChaosInject bad-content 1 | grep -E '^file:' >>"$dir/bad-uris.txt"
      echo "1 contribution whose content does not match its hash" ;;
  esac
}

# --- Disk faults: Kafka's log directory and Flink's checkpoint directory each on a tmpfs of their
# own (chaos runs with a disk-full kind only; mounting needs root), whose size a fault shrinks to
# what is in use, so the next write fails with "No space left on device", and grows back.
CHAOS_DISK_SIZE=4g
chaos_disk_dir() {
  case $1 in
    kafka) echo "$OPENLEDGER_RUN_DIR/kafka/data" ;;
    checkpoints) if cluster_mode; then echo "$OPENLEDGER_RUN_DIR/flink/checkpoints"; else echo "$OPENLEDGER_RUN_DIR/checkpoints"; fi ;;
  esac
}
chaos_can_mount() {
  local probe
  probe=$(mktemp -d) || return 1
  mount -t tmpfs -o size=1m tmpfs "$probe" 2>/dev/null && umount "$probe"
  local ok=$?
  rmdir "$probe"
  return $ok
}
chaos_disks_mount() {
  local disk dir
  for disk in kafka checkpoints; do
    dir=$(chaos_disk_dir "$disk")
    mkdir -p "$dir"
    mount -t tmpfs -o "size=$CHAOS_DISK_SIZE,mode=0755" tmpfs "$dir" || die "mounting a tmpfs on $dir failed"
  done
}
# chaos_disks_unmount: every tmpfs under the run folder (found in /proc/mounts, not remembered).
chaos_disks_unmount() {
  local dir
  awk -v run="$OPENLEDGER_RUN_DIR/" '$3 == "tmpfs" && index($2, run) == 1 { print $2 }' /proc/mounts 2>/dev/null | sort -r |
    while read -r dir; do umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null || true; done
}
# disk_full DISK SECONDS: the directory full for that long, then its space back.
disk_full() {
  local dir used
  dir=$(chaos_disk_dir "$1")
  mountpoint -q "$dir" || { echo "disk-full: $dir is not a tmpfs of the run's" >&2; return 1; }
  # The parts keep writing while this runs, and a tmpfs refuses a size below its use by then
  # (EINVAL: the first soak's load outran a single try). Read the use again and retry with a little
  # more room each time; at the soak's load the extra room fills within a second anyway.
  local tries=0
  until used=$(df -k --output=used "$dir" | tail -n 1 | tr -d ' ') \
    && mount -o remount,size=$((used + 64 + tries * 256))k "$dir" 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 20 ] || { echo "disk-full: $dir kept outgrowing its use (20 tries)" >&2; return 1; }
  done
  sleep "$2"
  mount -o remount,size=$CHAOS_DISK_SIZE "$dir" || return 1
}

# A whole system from nothing in OPENLEDGER_RUN_DIR: stack, contracts, every pipeline part.
fresh_run() {
  PARTS=$EMBEDDED_PARTS
  cluster_select # the mode of what a previous run left in this folder, to stop all of it
  cmd_down >/dev/null 2>&1 || true
  chaos_disks_unmount
  rm -rf "$OPENLEDGER_RUN_DIR"
  PARTS=$EMBEDDED_PARTS
  [ "${CLUSTER_RUN:-0}" = 0 ] || cluster_request
  [ "${CHAOS_DISKS:-0}" = 0 ] || chaos_disks_mount
  cmd_up
  cmd_deploy >/dev/null
  [ -z "${OPENLEDGER_RPC_PROXY_URL:-}" ] || start_one rpcproxy # chaos only
  [ "${OPENLEDGER_KAFKA_THROUGH_PROXY:-0}" = 0 ] || cluster_mode || start_one kafkaproxy # chaos only
  local part
  for part in follower decoder flink settlement slashing loader; do start_one "$part"; done
}

# chaos_kinds CLUSTER: every kind the mode has, in a fixed order (the seed shuffles it).
chaos_kinds() {
  local kind out=""
  for kind in $CHAOS_KINDS; do
    if [ "$1" = 1 ]; then case " $EMBEDDED_ONLY_KINDS " in *" $kind "*) continue ;; esac; fi
    out="$out $kind"
  done
  [ "$1" = 0 ] || out="$out $CLUSTER_ONLY_KINDS"
  echo $out
}

chaos_java() { (bridge_env && java -cp "$(bridge_classpath)" "$@" 2>>"$OPENLEDGER_RUN_DIR/logs/chaos-inject.log"); }

# chaos_select_kinds CLUSTER "K1 K2...": CHAOS_KINDS, the mode's kinds or the subset asked for, less
# the disk-full kinds where a tmpfs cannot be mounted (CHAOS_DISKS says whether they run).
chaos_select_kinds() {
  local kind
  CHAOS_KINDS=$(chaos_kinds "$1")
  if [ -n "$2" ]; then
    for kind in $2; do
      case " $(echo $CHAOS_KINDS) " in *" $kind "*) ;; *) die "unknown fault kind $kind here (kinds: $(echo $CHAOS_KINDS))" ;; esac
    done
    CHAOS_KINDS=$2
  fi
  CHAOS_DISKS=0
  case " $CHAOS_KINDS " in
    *" disk-full-"*)
      if chaos_can_mount; then
        CHAOS_DISKS=1
      else
        warn "no disk-full faults: mounting a size-limited tmpfs needs root here"
        CHAOS_KINDS=$(echo " $CHAOS_KINDS " | sed -e 's/ disk-full-kafka / /' -e 's/ disk-full-checkpoints / /')
      fi ;;
  esac
}

# chaos_env CLUSTER: what a run under faults needs: the fault proxies, and reorgs shallower than
# the payment job's finality and the settlement writer's confirmations (deeper ones are outside
# what either promises: docs/RELIABILITY.md).
chaos_env() {
  export OPENLEDGER_RPC_PROXY_URL="http://$OPENLEDGER_HOST:$OPENLEDGER_RPC_PROXY_PORT"
  # Embedded runs: the Flink jobs reach Kafka through the TCP fault proxy (kafka-partition).
  [ "$1" = 1 ] || export OPENLEDGER_KAFKA_THROUGH_PROXY=1
  export OPENLEDGER_PAYMENT_FINALITY_BLOCKS=12 OPENLEDGER_SETTLEMENT_CONFIRMATIONS=12
  trap 'echo; say "stopping the run"; exit 130' INT TERM
  trap 'stop_tree "${SAMPLER_PID:-}" "${SAMPLER_STARTED:-}"; stop_tree "${WORKLOAD_PID:-}" "${WORKLOAD_STARTED:-}"; cmd_down >/dev/null 2>&1 || true; stop_part rpcproxy >/dev/null 2>&1 || true; stop_part kafkaproxy >/dev/null 2>&1 || true; chaos_disks_unmount' EXIT
}

# chaos_workload_started: the workload (WORKLOAD_PID) has its Datanets and pays inferences.
chaos_workload_started() {
  local waited=0
  until grep -q 'paying inferences' "$OPENLEDGER_RUN_DIR/logs/workload.log" 2>/dev/null; do
    workload_running || die "the workload failed; see $OPENLEDGER_RUN_DIR/logs/workload.log"
    sleep 1; waited=$((waited + 1))
    [ $waited -lt 300 ] || die "the workload did not reach its inferences in 300 s"
  done
}

# chaos_order SEED: CHAOS_ORDER, the kinds in a seeded order (each once first; then chaos_next
# draws at random from the same seeded sequence).
chaos_order() {
  RANDOM=$1
  CHAOS_ORDER=()
  local kind i
  for kind in $CHAOS_KINDS; do CHAOS_ORDER+=("$kind"); done
  for ((i = ${#CHAOS_ORDER[@]} - 1; i > 0; i--)); do
    local j=$((RANDOM % (i + 1))) t=${CHAOS_ORDER[i]}
    CHAOS_ORDER[i]=${CHAOS_ORDER[j]}; CHAOS_ORDER[j]=$t
  done
}
# chaos_next I: CHAOS_KIND, the kind of fault number I (from 0). Not in a subshell: bash reseeds
# RANDOM in each, and the run would no longer follow its seed.
chaos_next() {
  if [ "$1" -lt "${#CHAOS_ORDER[@]}" ]; then CHAOS_KIND=${CHAOS_ORDER[$1]}; else CHAOS_KIND=${CHAOS_ORDER[RANDOM % ${#CHAOS_ORDER[@]}]}; fi
}

# chaos_inject KIND DIR: one fault, the supervisor's restarts after it, a line in DIR/faults.txt
# (kind, what happened) and one in DIR/faults.tsv (epoch start and end, kind, what happened).
chaos_inject() {
  local kind=$1 dir=$2 start detail
  # Which TaskManager or broker a fault hits, drawn here: chaos_fault runs in a subshell, where
  # bash reseeds RANDOM (drawn only for these, so other runs keep their seeded sequence).
  case $kind in kill-taskmanager | kill-broker) CHAOS_PICK=$RANDOM ;; esac
  start=$(date +%s.%N)
  detail=$(chaos_fault "$kind" "$dir" 2>>"$OPENLEDGER_RUN_DIR/logs/chaos.log") || detail='injection failed'
  heal
  printf '%s\t%s\n' "$kind" "$detail" >>"$dir/faults.txt"
  printf '%s\t%s\t%s\t%s\n' "$start" "$(date +%s.%N)" "$kind" "$detail" >>"$dir/faults.tsv"
  CHAOS_DETAIL=$detail
}

# chaos_drain: the workload is done; mine until every fee is accrued and settled.
chaos_drain() {
  local dir=$1
  python3 -c 'import json, sys; print("\n".join(c["uri"] for c in json.load(open(sys.argv[1]))["contributions"] if c["kind"] == "BAD_HASH"))' \
    "$OPENLEDGER_RUN_DIR/workload.json" >>"$dir/bad-uris.txt" || warn "no workload report: its bad-hash contributions go unchecked"
  say "draining: mining until every fee is accrued and settled"
  # The supervisor keeps watching while the pipeline drains: a part that exits late is restarted.
  # Each batch is proposed, then finalized after its challenge window, each at 12 confirmations
  # here: the drain mines 24 blocks every 2 s so a batch takes seconds, not tens of seconds.
  local drained=0
  for _ in $(seq 1 20); do
    heal
    if wait_for_settlements 30 24 2>/dev/null; then drained=1; break; fi
  done
  [ "$drained" = 1 ] || warn "not every fee settled in the drain: $(progress line 2>/dev/null)"
}

chaos_dir() {
  local dir="$OPENLEDGER_RUN_DIR/chaos"
  mkdir -p "$dir"
  : >"$dir/malformed.txt"
  : >"$dir/bad-uris.txt"
  : >"$dir/faults.txt"
  : >"$dir/faults.tsv"
  echo "$dir"
}

cmd_chaos() {
  local faults="" seed=1 build=1 kinds_given="" i
  CLUSTER_RUN=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --cluster) CLUSTER_RUN=1; shift ;;
      --faults) faults=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --kinds) kinds_given=${2//,/ }; shift 2 ;; # a comma-separated subset of the kinds
      --no-build) build=0; shift ;; # `test` has just built and tested everything
      *) die "usage: bin/openledger chaos [--cluster] [--faults N] [--seed S] [--kinds K1,K2,...]" ;;
    esac
  done
  chaos_select_kinds "$CLUSTER_RUN" "$kinds_given"
  [ -n "$faults" ] || faults=$(echo $CHAOS_KINDS | wc -w) # by default every kind once
  export OPENLEDGER_RUN_DIR="$OPENLEDGER_ROOT/.run-chaos"
  [ "$CLUSTER_RUN" = 0 ] || OPENLEDGER_RUN_DIR="$OPENLEDGER_ROOT/.run-chaos-cluster"
  # The reorg fault pauses and resumes automine: the chain mines a block per transaction here.
  export OPENLEDGER_EVM_BLOCK_TIME="" OPENLEDGER_EVM_GAS_LIMIT=""
  cmd_install
  [ "$build" = 0 ] || cmd_build
  chaos_env "$CLUSTER_RUN"
  fresh_run
  local dir
  dir=$(chaos_dir)
  local inferences=$((60 + faults * 60)) # about as long as the faults take, at 4/s
  # A cluster fault takes longer (a TaskManager back after 10 s, a broker's replicas in sync again):
  # twice the workload keeps every fault mid-stream.
  [ "$CLUSTER_RUN" = 0 ] || inferences=$((120 + faults * 120))
  say "chaos: $faults faults, seed $seed, over a workload of $inferences inferences"
  workload_start "$OPENLEDGER_RUN_DIR/logs/workload.log" cmd_workload --datanets 2 --contributions 6 \
    --duplicates 1 --bad-hashes 1 --inferences "$inferences" --rate 4 --governance on --seed "$seed"
  chaos_workload_started

  # Seeded: the first faults are each kind once, in a seeded order; the rest are drawn at random.
  chaos_order "$seed"
  for ((i = 0; i < faults; i++)); do
    sleep $((RANDOM % 3))
    chaos_next "$i"
    chaos_inject "$CHAOS_KIND" "$dir"
    say "fault $((i + 1))/$faults at block $(head_block): $CHAOS_KIND: $CHAOS_DETAIL"
    say "  $(progress line 2>/dev/null)"
  done

  say "faults done; letting the workload finish"
  workload_wait || warn "the workload exited non-zero (see $OPENLEDGER_RUN_DIR/logs/workload.log)"
  chaos_drain "$dir"
  chaos_report "$dir"
}

chaos_report() {
  local dir=$1 rc=0
  echo
  echo "  faults injected"
  cut -f1 "$dir/faults.txt" | sort | uniq -c | awk '{ printf "    %-24s %d\n", $2, $1 }'
  echo
  echo "  invariants"
  if grep -q 'injection failed' "$dir/faults.txt"; then
    printf '  %-58s %-4s %s\n' "every fault injected" FAIL "$(grep -c 'injection failed' "$dir/faults.txt") failed (see logs/chaos.log)"; rc=1
  else
    printf '  %-58s %-4s %s\n' "every fault injected" pass "$(wc -l <"$dir/faults.txt") faults"
  fi
  if grep -q '^malformed' "$dir/faults.txt" && [ ! -s "$dir/malformed.txt" ]; then
    printf '  %-58s %-4s %s\n' "malformed records injected" FAIL "none recorded"; rc=1
  fi
  if progress settled 2>/dev/null; then
    printf '  %-58s %-4s %s\n' "ClickHouse: fees = accrued = settled on chain" pass "$(progress line 2>/dev/null)"
  else
    printf '  %-58s %-4s %s\n' "ClickHouse: fees = accrued = settled on chain" FAIL "$(progress line 2>/dev/null)"; rc=1
  fi
  # The Flink Kafka sinks' committer logs, and drops, a transaction it could not commit (the
  # broker aborted it: docs/RELIABILITY.md, "What it found"); the invariants below would show the
  # loss later and less plainly.
  local dropped
  local flink_logs="logs/flink.log{.1,}"
  cluster_mode && flink_logs="logs/taskmanager*.log{.1,}"
  dropped=$(cat "$OPENLEDGER_RUN_DIR"/logs/flink.log* "$OPENLEDGER_RUN_DIR"/logs/taskmanager*.log* 2>/dev/null |
    grep -cE 'Unable to commit transaction|data has been potentially lost' || true)
  if [ "${dropped:-0}" = 0 ]; then
    printf '  %-58s %-4s %s\n' "no Kafka transaction dropped by the Flink sinks" pass "$flink_logs"
  else
    printf '  %-58s %-4s %s\n' "no Kafka transaction dropped by the Flink sinks" FAIL "$dropped in $flink_logs"; rc=1
  fi
  if cmd_reconcile >"$dir/reconcile.txt" 2>&1; then
    printf '  %-58s %-4s %s\n' "reconciliation per block range" pass "$(tail -n 1 "$dir/reconcile.txt")"
  else
    printf '  %-58s %-4s %s\n' "reconciliation per block range" FAIL "see $dir/reconcile.txt"; rc=1
  fi
  (
    bridge_env
    export OPENLEDGER_TOPIC_PREFIX=""
    flink_app org.openledger.flink.verify.ChaosCheck --bad-uris "$dir/bad-uris.txt" --malformed "$dir/malformed.txt" \
      --balances "http://$OPENLEDGER_HOST:$OPENLEDGER_DECODER_HTTP_PORT"
  ) 2>>"$OPENLEDGER_RUN_DIR/logs/chaos-check.log" | grep -E '^  ' || rc=1
  echo
  if [ "$rc" = 0 ]; then say "chaos: every invariant held"; else warn "chaos: an invariant was violated (logs in $OPENLEDGER_RUN_DIR/logs)"; fi
  cmd_down >/dev/null 2>&1 || true
  stop_part rpcproxy >/dev/null 2>&1 || true
  stop_part kafkaproxy >/dev/null 2>&1 || true
  return "$rc"
}

# `bin/openledger bench e2e [--inferences N | --duration D] [--rate R] [--block-time S|automine]
# [--send async|wait] [--senders K]`: the whole pipeline at a chosen offered rate, in its own folder
# (.run-bench); figures in docs/BENCHMARKS.md. The dev node mines every S seconds (default 1; Besu
# in production: 2) with a 30M block gas limit unless --gas-limit says otherwise, or one block per
# transaction (automine). --duration offers the rate for that long and samples memory and lag all
# along (a soak).
E2E_USAGE="usage: bin/openledger bench e2e [--cluster] [--inferences N | --duration D] [--rate R] [--block-time S|automine] [--gas-limit G] [--send async|wait] [--senders K]"
bench_e2e() {
  local inferences=12000 duration="" rate=300 senders=8 send=async block_time=1 gas_limit=30000000
  CLUSTER_RUN=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --cluster) CLUSTER_RUN=1; shift ;;
      --inferences) inferences=$2; shift 2 ;;
      --duration) duration=$2; shift 2 ;;
      --rate) rate=$2; shift 2 ;;
      --senders) senders=$2; shift 2 ;;
      --send) send=$2; shift 2 ;;
      --block-time) block_time=$2; shift 2 ;;
      --gas-limit) gas_limit=$2; shift 2 ;;
      *) die "$E2E_USAGE" ;;
    esac
  done
  [ "$block_time" != automine ] || block_time=""
  # A 30M gas limit holds ~300-390 payments a block. (The follower's cursor points at its recent
  # blocks' logs in the raw topic since 2026-12-02: any block size and reorg window fit.)
  export OPENLEDGER_RUN_DIR="$OPENLEDGER_ROOT/.run-bench" OPENLEDGER_EVM_BLOCK_TIME="$block_time" OPENLEDGER_EVM_GAS_LIMIT="$gas_limit"
  [ "$CLUSTER_RUN" = 0 ] || OPENLEDGER_RUN_DIR="$OPENLEDGER_ROOT/.run-bench-cluster"
  trap 'echo; [ -z "${SAMPLER:-}" ] || kill "$SAMPLER" 2>/dev/null || true; stop_tree "${WORKLOAD_PID:-}" "${WORKLOAD_STARTED:-}"; cmd_down; exit 130' INT TERM
  fresh_run
  local dir="$OPENLEDGER_RUN_DIR/bench" size=(--inferences "$inferences")
  [ -z "$duration" ] || size=(--duration "$duration")
  mkdir -p "$dir"
  OPENLEDGER_FLINK_METRICS_PORT="$OPENLEDGER_FLINK_METRICS_PORT" OPENLEDGER_FOLLOWER_METRICS_PORT="$OPENLEDGER_FOLLOWER_METRICS_PORT" \
    OPENLEDGER_HOST="$OPENLEDGER_HOST" OPENLEDGER_CLICKHOUSE_HTTP_PORT="$OPENLEDGER_CLICKHOUSE_HTTP_PORT" \
    python3 "$OPENLEDGER_ROOT/bin/lib/e2e.py" sample "$dir/samples.jsonl" "$OPENLEDGER_RUN_DIR" "workload=$dir/workload.pid" &
  SAMPLER=$!
  local blocks="automine (a block per transaction)"
  [ -z "$block_time" ] || blocks="every $block_time s, gas limit $gas_limit"
  say "e2e: ${duration:-$inferences inferences} offered at $rate/s ($send sends), blocks: $blocks"
  cmd_workload --datanets 4 --contributions 12 --duplicates 0 --bad-hashes 0 "${size[@]}" \
    --rate "$rate" --senders "$senders" --payers "$senders" --governance off --send "$send" \
    >"$OPENLEDGER_RUN_DIR/logs/workload.log" 2>&1 &
  echo $! >"$dir/workload.pid"
  local workload=$!
  WORKLOAD_PID=$workload
  WORKLOAD_STARTED=$(proc_start_time "$workload" || true)
  tail -n +1 -f "$OPENLEDGER_RUN_DIR/logs/workload.log" --pid "$workload" \
    | grep --line-buffered -o 'workload: .*' | grep --line-buffered -v '^workload: payment ' || true
  wait "$workload" || { kill "$SAMPLER" 2>/dev/null || true; die "the workload failed; see $OPENLEDGER_RUN_DIR/logs/workload.log"; }
  wait_for_settlements 900 || true
  kill "$SAMPLER" 2>/dev/null || true
  SAMPLER=
  OPENLEDGER_HOST="$OPENLEDGER_HOST" OPENLEDGER_CLICKHOUSE_HTTP_PORT="$OPENLEDGER_CLICKHOUSE_HTTP_PORT" \
    python3 "$OPENLEDGER_ROOT/bin/lib/e2e.py" report "$OPENLEDGER_RUN_DIR/workload.json" "$dir/samples.jsonl" "$rate" \
    | tee "$dir/report.txt"
  uptime | sed 's/^/  machine: /'
  cmd_down >/dev/null 2>&1 || true
}
