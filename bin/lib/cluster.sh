# The cluster mode (`bin/openledger up --cluster`): past one machine on the real engines, started
# here on one. A Flink standalone session cluster (ZooKeeper for its HA services, one JobManager,
# two TaskManagers, RocksDB state, checkpoints and savepoints on disk, Prometheus reporters) from
# the project's own Flink parts (bin/stack/flink-cluster/pom.xml), and a three-node KRaft Kafka
# (each node broker and controller; replication 3, min.insync.replicas 2) from the same Kafka jars
# as the embedded broker. The pipeline's jobs are submitted as the shaded job jar with the Flink CLI,
# as two jobs (attribution, payment) at parallelism OPENLEDGER_CLUSTER_PARALLELISM.
# A run folder is in one mode for its life: `up --cluster` marks it, `reset` clears the mark.

CLUSTER_PARTS="zookeeper kafka kafka2 kafka3 registry clickhouse evm sidecar jobmanager taskmanager1 taskmanager2"
# The job groups the cluster runs, and the pipeline.jobs each submits.
CLUSTER_JOB_GROUPS="attribution payment"
cluster_group_jobs() { case $1 in attribution) echo relay,attribution ;; payment) echo payment ;; esac; }

cluster_mode() { [ -f "$OPENLEDGER_RUN_DIR/cluster" ]; }
# cluster_select: the parts of this run folder's mode (main calls it before any command).
cluster_select() { if cluster_mode; then PARTS=$CLUSTER_PARTS; fi; }

flink_cluster_classpath() { cat "$OPENLEDGER_LOCAL_DIR/flink/classpath.txt"; }
flink_job_jar() {
  local jar
  jar=$(ls "$OPENLEDGER_ROOT"/flink-jobs/target/flink-jobs-*-job.jar 2>/dev/null | head -n 1)
  [ -n "$jar" ] || die "flink-jobs is not built; run: bin/openledger build"
  echo "$jar"
}

# --- Kafka: three KRaft nodes (node 1 is the part `kafka`, on the embedded broker's ports) ---
kafka_node_part() { if [ "$1" = 1 ]; then echo kafka; else echo "kafka$1"; fi; }
kafka_node_port() { case $1 in 1) echo "$OPENLEDGER_KAFKA_PORT" ;; 2) echo "$OPENLEDGER_KAFKA2_PORT" ;; 3) echo "$OPENLEDGER_KAFKA3_PORT" ;; esac; }
kafka_node_controller_port() {
  case $1 in 1) echo "$OPENLEDGER_KAFKA_CONTROLLER_PORT" ;; 2) echo "$OPENLEDGER_KAFKA2_CONTROLLER_PORT" ;; 3) echo "$OPENLEDGER_KAFKA3_CONTROLLER_PORT" ;; esac
}
kafka_cluster_address() {
  echo "$OPENLEDGER_HOST:$OPENLEDGER_KAFKA_PORT,$OPENLEDGER_HOST:$OPENLEDGER_KAFKA2_PORT,$OPENLEDGER_HOST:$OPENLEDGER_KAFKA3_PORT"
}
kafka_node_healthy() {
  port_in_use "$(kafka_node_port "$1")" \
    && grep -q "Kafka Server started" "$OPENLEDGER_RUN_DIR/logs/$(kafka_node_part "$1").log"
}
kafka_node_start() {
  local n=$1 part dir cp id_file voters="" i
  part=$(kafka_node_part "$n")
  dir="$OPENLEDGER_RUN_DIR/$part"
  cp=$(cat "$OPENLEDGER_LOCAL_DIR/kafka/classpath.txt")
  for i in 1 2 3; do voters="$voters${voters:+,}$i@$OPENLEDGER_HOST:$(kafka_node_controller_port "$i")"; done
  mkdir -p "$dir/data"
  sed -e "s#@HOST@#$OPENLEDGER_HOST#g" -e "s#@NODE_ID@#$n#g" -e "s#@PORT@#$(kafka_node_port "$n")#g" \
    -e "s#@CONTROLLER_PORT@#$(kafka_node_controller_port "$n")#g" -e "s#@VOTERS@#$voters#g" -e "s#@DATA@#$dir/data#g" \
    "$OPENLEDGER_ROOT/bin/stack/kafka-cluster.properties" >"$dir/server.properties"
  # One cluster id for the three nodes, made once.
  id_file="$OPENLEDGER_RUN_DIR/kafka-cluster.id"
  [ -s "$id_file" ] || java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$id_file"
  if [ ! -f "$dir/data/meta.properties" ]; then
    # A static quorum (controller.quorum.voters): each node formats on its own. Transactions v1,
    # as on the embedded broker (bin/lib/parts.sh, kafka_start).
    java -cp "$cp" kafka.tools.StorageTool format -t "$(cat "$id_file")" -c "$dir/server.properties" \
      --feature transaction.version=1 >"$dir/format.log" 2>&1 \
      || die "formatting Kafka node $n failed; see $dir/format.log"
  fi
  launch "$part" "$OPENLEDGER_RUN_DIR/logs/$part.log" java -Xms256m -Xmx768m -XX:+UseG1GC \
    -XX:ErrorFile="$OPENLEDGER_RUN_DIR/logs/hs_err_${part}_%p.log" \
    -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-kafka.xml" -cp "$cp" kafka.Kafka "$dir/server.properties"
}
kafka2_start() { kafka_node_start 2; }
kafka3_start() { kafka_node_start 3; }
kafka2_healthy() { kafka_node_healthy 2; }
kafka3_healthy() { kafka_node_healthy 3; }
kafka2_address() { echo "$OPENLEDGER_HOST:$OPENLEDGER_KAFKA2_PORT (node 2 of 3)"; }
kafka3_address() { echo "$OPENLEDGER_HOST:$OPENLEDGER_KAFKA3_PORT (node 3 of 3)"; }
kafka2_ports() { echo "$OPENLEDGER_KAFKA2_PORT OPENLEDGER_KAFKA2_PORT $OPENLEDGER_KAFKA2_CONTROLLER_PORT OPENLEDGER_KAFKA2_CONTROLLER_PORT"; }
kafka3_ports() { echo "$OPENLEDGER_KAFKA3_PORT OPENLEDGER_KAFKA3_PORT $OPENLEDGER_KAFKA3_CONTROLLER_PORT OPENLEDGER_KAFKA3_CONTROLLER_PORT"; }

# --- ZooKeeper: the leader election and job store of Flink's HA services (Flink's own shaded one) ---
zookeeper_address() { echo "$OPENLEDGER_HOST:$OPENLEDGER_ZOOKEEPER_PORT (Flink HA)"; }
zookeeper_ports() { echo "$OPENLEDGER_ZOOKEEPER_PORT OPENLEDGER_ZOOKEEPER_PORT"; }
zookeeper_healthy() { port_in_use "$OPENLEDGER_ZOOKEEPER_PORT"; }
zookeeper_start() {
  local dir="$OPENLEDGER_RUN_DIR/zookeeper"
  mkdir -p "$dir/data"
  cat >"$dir/zoo.cfg" <<EOT
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$OPENLEDGER_ZOOKEEPER_PORT
clientPortAddress=$OPENLEDGER_HOST
EOT
  launch zookeeper "$OPENLEDGER_RUN_DIR/logs/zookeeper.log" java -Xmx128m -XX:+UseSerialGC \
    -Dzookeeper.admin.enableServer=false -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-flink.xml" \
    -cp "$(flink_cluster_classpath)" org.apache.flink.runtime.zookeeper.FlinkZooKeeperQuorumPeer \
    --zkConfigFile "$dir/zoo.cfg" --peerId 1
}

# --- Flink: the configuration every process of the session cluster (and the CLI) reads ---
flink_conf_dir() { echo "$OPENLEDGER_RUN_DIR/flink/conf"; }
flink_cluster_conf() {
  local dir="$OPENLEDGER_RUN_DIR/flink" h=$OPENLEDGER_HOST
  mkdir -p "$dir/conf" "$dir/checkpoints" "$dir/savepoints" "$dir/ha"
  cat >"$dir/conf/config.yaml" <<EOT
# Written by bin/openledger up --cluster: a standalone session cluster on loopback.
jobmanager.rpc.address: $h
jobmanager.rpc.port: $OPENLEDGER_FLINK_JM_RPC_PORT
jobmanager.bind-host: $h
jobmanager.memory.process.size: 1024m
taskmanager.bind-host: $h
taskmanager.host: $h
# Two TaskManagers of 4 slots: both jobs at parallelism 2 fit on one after the other is lost, and
# a job rescaled to 4 fits beside the other.
taskmanager.numberOfTaskSlots: 4
# Each job's slots spread over both TaskManagers, so losing one is a failover, not a no-op.
taskmanager.load-balance.mode: slots
taskmanager.memory.process.size: 2048m
parallelism.default: $OPENLEDGER_CLUSTER_PARALLELISM
rest.address: $h
rest.bind-address: $h
rest.port: $OPENLEDGER_FLINK_UI_PORT
# State: RocksDB on each TaskManager, checkpoints and savepoints on a directory every process
# shares (one machine here; a shared filesystem or object store past it). A cancelled job's last
# checkpoint is kept, so it can be resumed like a savepoint.
state.backend.type: rocksdb
execution.checkpointing.incremental: true
execution.checkpointing.dir: file://$dir/checkpoints
execution.checkpointing.savepoint-dir: file://$dir/savepoints
execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
execution.checkpointing.num-retained: 3
# HA: a restarted JobManager finds its jobs (graphs, last checkpoints) in ZooKeeper + this folder.
high-availability.type: zookeeper
high-availability.zookeeper.quorum: $h:$OPENLEDGER_ZOOKEEPER_PORT
high-availability.storageDir: file://$dir/ha
high-availability.cluster-id: /openledger
# A killed JobManager's leadership lapses after 15 s (the default: 60 s).
high-availability.zookeeper.client.session-timeout: 15000
zookeeper.sasl.disable: true
# A killed TaskManager is declared lost after two failed heartbeat calls, not after 50 s.
heartbeat.interval: 2000
heartbeat.timeout: 20000
heartbeat.rpc-failure-threshold: 2
restart-strategy.type: exponential-delay
restart-strategy.exponential-delay.initial-backoff: 1s
restart-strategy.exponential-delay.max-backoff: 15s
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.host: $h
metrics.reporter.prom.port: $OPENLEDGER_FLINK_METRICS_PORT-$((OPENLEDGER_FLINK_METRICS_PORT + 3))
EOT
}
# Java 17 needs these opened for Flink's serializers and Arrow's memory (as Flink's own scripts do).
FLINK_JVM_OPTS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
--add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

# flink_resource_params JM|TM: the JVM options and -D settings Flink derives from its memory
# configuration (the computation flink's own jobmanager.sh / taskmanager.sh use).
flink_resource_params() {
  java -cp "$(flink_cluster_classpath)" org.apache.flink.runtime.util.bash.BashJavaUtils "GET_$1_RESOURCE_PARAMS" \
    --configDir "$(flink_conf_dir)" 2>/dev/null | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

jobmanager_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT (Web UI; rpc $OPENLEDGER_FLINK_JM_RPC_PORT)"; }
jobmanager_ports() {
  echo "$OPENLEDGER_FLINK_UI_PORT OPENLEDGER_FLINK_UI_PORT $OPENLEDGER_FLINK_JM_RPC_PORT OPENLEDGER_FLINK_JM_RPC_PORT $OPENLEDGER_FLINK_METRICS_PORT OPENLEDGER_FLINK_METRICS_PORT"
}
jobmanager_healthy() { curl -fsS --max-time 2 "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT/overview" | grep -q '"taskmanagers"'; }
jobmanager_start() {
  flink_cluster_conf
  local params jvm dyn log="$OPENLEDGER_RUN_DIR/logs/jobmanager.log"
  params=$(flink_resource_params JM) || die "computing the JobManager's memory failed"
  jvm=$(echo "$params" | sed -n 1p)
  dyn=$(echo "$params" | sed -n 2p)
  # shellcheck disable=SC2086 # word splitting of the option lists is intended
  rm -rf "$OPENLEDGER_RUN_DIR/flink/jobmanager/tmp" && mkdir -p "$OPENLEDGER_RUN_DIR/flink/jobmanager/tmp"
  launch jobmanager "$log" java $jvm $FLINK_JVM_OPTS -Dlog.file="$log" -Djava.io.tmpdir="$OPENLEDGER_RUN_DIR/flink/jobmanager/tmp" \
    -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-flink.xml" -cp "$(flink_cluster_classpath)" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$(flink_conf_dir)" $dyn
}

taskmanager_healthy() {
  curl -fsS --max-time 2 "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT/taskmanagers" | grep -q "\"id\":\"$1\""
}
taskmanager_start() {
  local part=$1 params jvm dyn log="$OPENLEDGER_RUN_DIR/logs/$1.log"
  [ -f "$(flink_conf_dir)/config.yaml" ] || flink_cluster_conf
  # its temporary files (the RPC system it unpacks, spilled I/O) in a folder of its own, emptied at
  # each start: a killed TaskManager leaves them behind
  rm -rf "$OPENLEDGER_RUN_DIR/flink/$part/tmp"
  mkdir -p "$OPENLEDGER_RUN_DIR/flink/$part/tmp" "$OPENLEDGER_RUN_DIR/flink/$part/rocksdb-logs"
  params=$(flink_resource_params TM) || die "computing the TaskManager's memory failed"
  jvm=$(echo "$params" | sed -n 1p)
  dyn=$(echo "$params" | sed -n 2p)
  # shellcheck disable=SC2086
  launch "$part" "$log" java $jvm $FLINK_JVM_OPTS -Dlog.file="$log" -Djava.io.tmpdir="$OPENLEDGER_RUN_DIR/flink/$part/tmp" \
    -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-flink.xml" -cp "$(flink_cluster_classpath)" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$(flink_conf_dir)" $dyn \
    -D "taskmanager.resource-id=$part" -D "io.tmp.dirs=$OPENLEDGER_RUN_DIR/flink/$part/tmp" \
    -D "state.backend.rocksdb.log.dir=$OPENLEDGER_RUN_DIR/flink/$part/rocksdb-logs"
}
taskmanager1_start() { taskmanager_start taskmanager1; }
taskmanager2_start() { taskmanager_start taskmanager2; }
taskmanager1_healthy() { taskmanager_healthy taskmanager1; }
taskmanager2_healthy() { taskmanager_healthy taskmanager2; }
taskmanager1_address() { echo "TaskManager taskmanager1 (4 slots) of $(flink_address)"; }
taskmanager2_address() { echo "TaskManager taskmanager2 (4 slots) of $(flink_address)"; }
taskmanager1_ports() { :; }
taskmanager2_ports() { :; }

# --- The pipeline's jobs on the cluster: the part `flink` of cluster mode ---
# $RUN/flink/jobs.txt holds "GROUP JOBID" of the last job submitted for each group; a group stopped
# with a savepoint has $RUN/flink/savepoint-GROUP.txt. Jobs live in the cluster (its HA services
# keep them across a JobManager restart), not in a process of ours: `down` leaves them to resume
# with the cluster, and only `savepoint` stops them.
flink_cli() {
  # shellcheck disable=SC2086
  FLINK_CONF_DIR="$(flink_conf_dir)" java -Xmx512m $FLINK_JVM_OPTS -Dlog.file="$OPENLEDGER_RUN_DIR/logs/flink-cli.log" \
    -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-flink.xml" -cp "$(flink_cluster_classpath)" \
    org.apache.flink.client.cli.CliFrontend "$@"
}
cluster_job_id() { awk -v g="$1" '$1 == g { id = $2 } END { if (id == "") exit 1; print id }' "$OPENLEDGER_RUN_DIR/flink/jobs.txt" 2>/dev/null; }
# cluster_job_state ID: the job's state from the REST API; UNKNOWN when the JobManager does not
# know it, UNREACHABLE when no JobManager answers.
cluster_job_state() {
  local body
  body=$(curl -sS --max-time 3 -w '\n%{http_code}' "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT/jobs/$1" 2>/dev/null) \
    || { echo UNREACHABLE; return 0; }
  case "$(echo "$body" | tail -n 1)" in
    200) echo "$body" | sed '$d' | python3 -c 'import json, sys; print(json.load(sys.stdin).get("state", "UNKNOWN"))' 2>/dev/null || echo UNKNOWN ;;
    404) echo UNKNOWN ;;
    *) echo UNREACHABLE ;;
  esac
}
cluster_job_alive() {
  case "$(cluster_job_state "$1")" in
    RUNNING | CREATED | INITIALIZING | RESTARTING | FAILING | CANCELLING | RECONCILING | UNREACHABLE) return 0 ;;
    *) return 1 ;;
  esac
}
# The pseudo PID of the part `flink` in cluster mode: the job ids, while every group has a live job.
cluster_jobs_pid() {
  local group id ids=""
  for group in $CLUSTER_JOB_GROUPS; do
    id=$(cluster_job_id "$group") && cluster_job_alive "$id" || return 1
    ids="$ids${ids:+,}${id:0:8}"
  done
  echo "$ids"
}
cluster_jobs_healthy() {
  local group id
  for group in $CLUSTER_JOB_GROUPS; do
    id=$(cluster_job_id "$group") && [ "$(cluster_job_state "$id")" = RUNNING ] || return 1
  done
}
# cluster_resume_point GROUP: where the group's next job starts from: its savepoint, else the
# newest checkpoint its last job left (a job the cluster lost resumes where it was), else nothing.
cluster_resume_point() {
  local sp="$OPENLEDGER_RUN_DIR/flink/savepoint-$1.txt" id chk
  if [ -s "$sp" ]; then cat "$sp"; return 0; fi
  id=$(cluster_job_id "$1") || return 0
  chk=$(ls -d "$OPENLEDGER_RUN_DIR/flink/checkpoints/$id"/chk-* 2>/dev/null | sort -t- -k2 -n | while read -r d; do
    [ -f "$d/_metadata" ] && echo "$d"; done | tail -n 1)
  [ -z "$chk" ] || echo "file://$chk"
}
# cluster_submit GROUP [PARALLELISM]: the group's job from the shaded jar, through the Flink CLI,
# resumed from cluster_resume_point when there is one.
cluster_submit() {
  local group=$1 p=${2:-$OPENLEDGER_CLUSTER_PARALLELISM} from out id
  from=$(cluster_resume_point "$group")
  local args=(run -d -p "$p")
  [ -z "$from" ] || args+=(-s "$from")
  out=$(
    pipeline_env
    export OPENLEDGER_FLINK_MODE=cluster OPENLEDGER_PIPELINE_JOBS="$(cluster_group_jobs "$group")"
    flink_cli "${args[@]}" -c org.openledger.flink.PipelineApp "$(flink_job_jar)" 2>&1
  ) || { echo "$out" | tail -n 20 >&2; die "submitting the $group job failed"; }
  id=$(echo "$out" | sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' | tail -n 1)
  [ -n "$id" ] || { echo "$out" | tail -n 20 >&2; die "the Flink CLI printed no job id for the $group job"; }
  { grep -v "^$group " "$OPENLEDGER_RUN_DIR/flink/jobs.txt" 2>/dev/null || true; echo "$group $id"; } >"$OPENLEDGER_RUN_DIR/flink/jobs.txt.new"
  mv "$OPENLEDGER_RUN_DIR/flink/jobs.txt.new" "$OPENLEDGER_RUN_DIR/flink/jobs.txt"
  rm -f "$OPENLEDGER_RUN_DIR/flink/savepoint-$group.txt"
  say "submitted the $group job $id at parallelism $p${from:+, from $from}"
}
cluster_flink_start() {
  local group id
  for group in $CLUSTER_JOB_GROUPS; do
    if id=$(cluster_job_id "$group") && cluster_job_alive "$id"; then continue; fi
    cluster_submit "$group" >&2
  done
}

# `bin/openledger savepoint [GROUP...]`: stop each job with a savepoint (all groups by default).
cmd_savepoint() {
  cluster_mode || die "savepoint is for the cluster mode (bin/openledger up --cluster)"
  local group id out path
  for group in ${*:-$CLUSTER_JOB_GROUPS}; do
    id=$(cluster_job_id "$group") || die "no $group job was submitted"
    out=$(flink_cli stop --savepointPath "file://$OPENLEDGER_RUN_DIR/flink/savepoints" "$id" 2>&1) \
      || { echo "$out" | tail -n 20 >&2; die "stopping the $group job with a savepoint failed"; }
    path=$(echo "$out" | sed -n 's/.*Savepoint completed\. Path: \(.*\)$/\1/p' | tail -n 1)
    [ -n "$path" ] || { echo "$out" | tail -n 20 >&2; die "no savepoint path in the CLI's answer"; }
    echo "$path" >"$OPENLEDGER_RUN_DIR/flink/savepoint-$group.txt"
    say "stopped the $group job $id with savepoint $path"
  done
}

# `bin/openledger resume [GROUP...] [--parallelism N]`: each stopped group from its savepoint.
cmd_resume() {
  cluster_mode || die "resume is for the cluster mode (bin/openledger up --cluster)"
  local p=$OPENLEDGER_CLUSTER_PARALLELISM groups=() group
  while [ $# -gt 0 ]; do
    case "$1" in
      --parallelism) p=$2; shift 2 ;;
      attribution | payment) groups+=("$1"); shift ;;
      *) die "usage: bin/openledger resume [attribution|payment ...] [--parallelism N]" ;;
    esac
  done
  [ ${#groups[@]} -gt 0 ] || groups=($CLUSTER_JOB_GROUPS)
  for group in "${groups[@]}"; do
    [ -s "$OPENLEDGER_RUN_DIR/flink/savepoint-$group.txt" ] || die "the $group job has no savepoint to resume from (bin/openledger savepoint $group)"
    cluster_submit "$group" "$p"
  done
}

kafka_tools() {
  java -cp "$(cat "$OPENLEDGER_LOCAL_DIR/kafka/classpath.txt")" -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-kafka.xml" "$@"
}
# cluster_under_replicated: the partitions with fewer replicas in sync than assigned, as the
# brokers count them; fails when no broker answers.
cluster_under_replicated() {
  local out
  out=$(kafka_tools org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_cluster_address)" --describe \
    --under-replicated-partitions 2>/dev/null) || return 1
  grep -c 'Partition:' <<<"$out" || true
}
# cluster_wait_replicated SECONDS: until every partition has its three replicas in sync again.
cluster_wait_replicated() {
  local deadline=$((SECONDS + $1)) under
  while [ $SECONDS -lt "$deadline" ]; do
    under=$(cluster_under_replicated) || under=""
    [ "${under:-1}" != 0 ] || return 0
    sleep 2
  done
  return 1
}

# What `status` adds in cluster mode: the Web UI's job list and each broker's partition leadership.
cluster_status() {
  echo "  jobs (Web UI $(flink_address)/#/overview):"
  curl -fsS --max-time 3 "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT/jobs/overview" 2>/dev/null | python3 -c '
import json, sys
jobs = json.load(sys.stdin)["jobs"]
if not jobs:
    print("    (none submitted)")
for j in jobs:
    print("    %-24s %-10s %s  tasks %d" % (j["name"], j["state"], j["jid"], j["tasks"]["total"]))' 2>/dev/null \
    || echo "    (no JobManager answers)"
  echo "  partition leaders per broker:"
  kafka_tools org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_cluster_address)" --describe 2>/dev/null | awk -F'\t' '
      /\tLeader: / { for (i = 1; i <= NF; i++) if ($i ~ /^Leader: /) n[substr($i, 9)]++ }
      END { for (k in n) printf "    broker %s: %d partitions led\n", k, n[k] }' \
    || echo "    (no broker answers)"
  echo "    under-replicated partitions: $(cluster_under_replicated || echo '(no broker answers)')"
}
