# The parts of the local stack: how each starts, how its health is checked, where it answers.
# Every part binds OPENLEDGER_HOST (127.0.0.1 by default) and keeps its data under OPENLEDGER_RUN_DIR.

PARTS="kafka registry clickhouse evm sidecar"
EMBEDDED_PARTS=$PARTS

kafka_address() { if cluster_mode; then kafka_cluster_address; else echo "$OPENLEDGER_HOST:$OPENLEDGER_KAFKA_PORT"; fi; }
registry_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_REGISTRY_PORT/apis/ccompat/v7"; }
clickhouse_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_CLICKHOUSE_HTTP_PORT (native $OPENLEDGER_CLICKHOUSE_TCP_PORT)"; }
evm_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_EVM_PORT (chain id $OPENLEDGER_EVM_CHAIN_ID)"; }
sidecar_address() { echo "grpc+tcp://$OPENLEDGER_HOST:$OPENLEDGER_SIDECAR_FLIGHT_PORT (http $OPENLEDGER_SIDECAR_HTTP_PORT)"; }
follower_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_FOLLOWER_METRICS_PORT/metrics"; }
decoder_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_DECODER_HTTP_PORT/metrics"; }
loader_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_LOADER_METRICS_PORT/metrics"; }
settlement_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_SETTLEMENT_METRICS_PORT/metrics"; }
slashing_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_SLASHING_METRICS_PORT/metrics"; }
flink_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT"; }
flink_metrics_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_METRICS_PORT/metrics"; }
prometheus_address() { echo "http://$OPENLEDGER_HOST:$OPENLEDGER_PROMETHEUS_PORT"; }

# PART_ports: the "PORT VARIABLE" pairs a part listens on, checked before anything starts.
kafka_ports() {
  echo "$OPENLEDGER_KAFKA_PORT OPENLEDGER_KAFKA_PORT $OPENLEDGER_KAFKA_CONTROLLER_PORT OPENLEDGER_KAFKA_CONTROLLER_PORT"
  [ "${OPENLEDGER_KAFKA_THROUGH_PROXY:-0}" = 0 ] || cluster_mode || echo "$OPENLEDGER_KAFKA_FLINK_PORT OPENLEDGER_KAFKA_FLINK_PORT"
}
registry_ports() { echo "$OPENLEDGER_REGISTRY_PORT OPENLEDGER_REGISTRY_PORT"; }
clickhouse_ports() { echo "$OPENLEDGER_CLICKHOUSE_HTTP_PORT OPENLEDGER_CLICKHOUSE_HTTP_PORT $OPENLEDGER_CLICKHOUSE_TCP_PORT OPENLEDGER_CLICKHOUSE_TCP_PORT"; }
evm_ports() { echo "$OPENLEDGER_EVM_PORT OPENLEDGER_EVM_PORT"; }
sidecar_ports() { echo "$OPENLEDGER_SIDECAR_FLIGHT_PORT OPENLEDGER_SIDECAR_FLIGHT_PORT $OPENLEDGER_SIDECAR_HTTP_PORT OPENLEDGER_SIDECAR_HTTP_PORT"; }
follower_ports() { echo "$OPENLEDGER_FOLLOWER_METRICS_PORT OPENLEDGER_FOLLOWER_METRICS_PORT"; }
decoder_ports() { echo "$OPENLEDGER_DECODER_HTTP_PORT OPENLEDGER_DECODER_HTTP_PORT"; }
loader_ports() { echo "$OPENLEDGER_LOADER_METRICS_PORT OPENLEDGER_LOADER_METRICS_PORT"; }
settlement_ports() { echo "$OPENLEDGER_SETTLEMENT_METRICS_PORT OPENLEDGER_SETTLEMENT_METRICS_PORT"; }
slashing_ports() { echo "$OPENLEDGER_SLASHING_METRICS_PORT OPENLEDGER_SLASHING_METRICS_PORT"; }
flink_ports() { cluster_mode || echo "$OPENLEDGER_FLINK_UI_PORT OPENLEDGER_FLINK_UI_PORT $OPENLEDGER_FLINK_METRICS_PORT OPENLEDGER_FLINK_METRICS_PORT"; }
prometheus_ports() { echo "$OPENLEDGER_PROMETHEUS_PORT OPENLEDGER_PROMETHEUS_PORT"; }

# preflight PART...: every port of every part that is not running yet must be free.
preflight() {
  local part port var
  for part in "$@"; do
    part_pid "$part" >/dev/null && continue
    set -- $("${part}_ports")
    while [ $# -ge 2 ]; do
      require_free_port "$part" "$1" "$2"
      shift 2
    done
  done
}

# --- Kafka (KRaft, single node acting as broker and controller) ---
kafka_healthy() {
  if cluster_mode; then kafka_node_healthy 1; return; fi
  # A KRaft broker answers its port only once it has joined the quorum and loaded the metadata.
  port_in_use "$OPENLEDGER_KAFKA_PORT" && grep -q "Kafka Server started" "$OPENLEDGER_RUN_DIR/logs/kafka.log"
}
kafka_start() {
  if cluster_mode; then kafka_node_start 1; return; fi
  local dir="$OPENLEDGER_RUN_DIR/kafka" cp
  cp=$(cat "$OPENLEDGER_LOCAL_DIR/kafka/classpath.txt")
  mkdir -p "$dir/data"
  sed -e "s#@HOST@#$OPENLEDGER_HOST#g" -e "s#@PORT@#$OPENLEDGER_KAFKA_PORT#g" \
    -e "s#@CONTROLLER_PORT@#$OPENLEDGER_KAFKA_CONTROLLER_PORT#g" -e "s#@DATA@#$dir/data#g" \
    "$OPENLEDGER_ROOT/bin/stack/kafka-server.properties" > "$dir/server.properties"
  if [ "${OPENLEDGER_KAFKA_THROUGH_PROXY:-0}" = 1 ]; then
    # Chaos runs: a listener of the Flink jobs' own, advertised at the TCP fault proxy's port, so
    # every connection they open (bootstrap and each broker after it) crosses the proxy.
    sed -i -e "s#^listeners=.*#&,FLINK://$OPENLEDGER_HOST:$OPENLEDGER_KAFKA_FLINK_PORT#" \
      -e "s#^advertised.listeners=.*#&,FLINK://$OPENLEDGER_HOST:$OPENLEDGER_KAFKA_PROXY_PORT#" \
      -e "s#^listener.security.protocol.map=.*#&,FLINK:PLAINTEXT#" "$dir/server.properties"
  fi
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    # Transactions v1: with v2 (Kafka 4's default) every commit bumps the producer epoch, and the
    # Flink Kafka sink (connector 5.0) then cannot commit a restored transaction after a failover
    # ("already fenced"): it drops it, and committed state loses its records (found by the chaos
    # suite, docs/RELIABILITY.md; upstream FLINK-40689).
    java -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" --standalone \
      --feature transaction.version=1 \
      > "$dir/format.log" 2>&1 || die "formatting Kafka storage failed; see $dir/format.log"
  fi
  launch kafka "$OPENLEDGER_RUN_DIR/logs/kafka.log" java -Xms256m -Xmx1g -XX:+UseG1GC \
    -XX:ErrorFile="$OPENLEDGER_RUN_DIR/logs/hs_err_kafka_%p.log" \
    -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-kafka.xml" -cp "$cp" kafka.Kafka "$dir/server.properties"
}

# --- Schema registry (Apicurio, Confluent-compatible REST API under /apis/ccompat/v7) ---
# Apicurio 3.0.x serves its health checks on the main port (no separate management interface).
registry_healthy() { http_ok "http://$OPENLEDGER_HOST:$OPENLEDGER_REGISTRY_PORT/health/ready"; }
registry_start() {
  mkdir -p "$OPENLEDGER_RUN_DIR/registry"
  launch registry "$OPENLEDGER_RUN_DIR/logs/registry.log" java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dquarkus.http.host="$OPENLEDGER_HOST" -Dquarkus.http.port="$OPENLEDGER_REGISTRY_PORT" \
    -Dquarkus.management.enabled=false -Dquarkus.log.console.color=false -Dquarkus.banner.enabled=false \
    -Dapicurio.datasource.url="jdbc:h2:file:$OPENLEDGER_RUN_DIR/registry/registry" \
    -jar "$(registry_jar)"
}
registry_jar() { ls "$OPENLEDGER_LOCAL_DIR"/schema-registry/*/*-runner.jar 2>/dev/null | head -n 1; }

# --- ClickHouse (Debian's clickhouse-server, own config, loopback only) ---
clickhouse_healthy() { [ "$(curl -fsS --max-time 2 "http://$OPENLEDGER_HOST:$OPENLEDGER_CLICKHOUSE_HTTP_PORT/ping")" = "Ok." ]; }
clickhouse_start() {
  local dir="$OPENLEDGER_RUN_DIR/clickhouse"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  sed -e "s#@HOST@#$OPENLEDGER_HOST#g" -e "s#@HTTP_PORT@#$OPENLEDGER_CLICKHOUSE_HTTP_PORT#g" \
    -e "s#@TCP_PORT@#$OPENLEDGER_CLICKHOUSE_TCP_PORT#g" -e "s#@DIR@#$dir#g" \
    "$OPENLEDGER_ROOT/bin/stack/clickhouse-config.xml" > "$dir/config.xml"
  cp "$OPENLEDGER_ROOT/bin/stack/clickhouse-users.xml" "$dir/users.xml"
  launch clickhouse "$OPENLEDGER_RUN_DIR/logs/clickhouse.log" clickhouse-server --config-file="$dir/config.xml"
}

# --- EVM dev node (anvil; Besu runs in docker-compose.yml) ---
evm_healthy() {
  curl -fsS --max-time 2 -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
    "http://$OPENLEDGER_HOST:$OPENLEDGER_EVM_PORT" | grep -q '"result"'
}
# The chain's shape: OPENLEDGER_EVM_BLOCK_TIME seconds between blocks (empty: automine, one block
# per transaction as it arrives) and OPENLEDGER_EVM_GAS_LIMIT per block (empty: anvil's 30M, which
# holds ~300 payments). Besu in production mines every 2 s; `bench e2e` chooses its own.
# --max-persisted-states 0: anvil keeps recent states in memory and by default spills every older
# one to ~/.foundry/anvil/tmp (about 300 KB a block, even empty), which it removes only on a clean
# exit; a killed node left gigabytes per run there and filled the disk. Nothing here reads state
# at an old block (logs, blocks and receipts are kept regardless), so none is written.
evm_start() {
  local shape=()
  [ -z "${OPENLEDGER_EVM_BLOCK_TIME:-}" ] || shape+=(--block-time "$OPENLEDGER_EVM_BLOCK_TIME")
  [ -z "${OPENLEDGER_EVM_GAS_LIMIT:-}" ] || shape+=(--gas-limit "$OPENLEDGER_EVM_GAS_LIMIT")
  launch evm "$OPENLEDGER_RUN_DIR/logs/evm.log" "$(anvil_bin)" --host "$OPENLEDGER_HOST" \
    --port "$OPENLEDGER_EVM_PORT" --chain-id "$OPENLEDGER_EVM_CHAIN_ID" \
    --max-persisted-states 0 ${shape[@]+"${shape[@]}"}
}
anvil_bin() { echo "$OPENLEDGER_LOCAL_DIR/node/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"; }
# Foundry's test runner for the contracts (`bin/openledger forge`).
forge_bin() { echo "$OPENLEDGER_LOCAL_DIR/node/node_modules/@foundry-rs/forge-linux-amd64/bin/forge"; }

# --- GPU inference sidecar (Arrow Flight + HTTP health/metrics) ---
sidecar_healthy() { http_ok "http://$OPENLEDGER_HOST:$OPENLEDGER_SIDECAR_HTTP_PORT/healthz"; }
sidecar_start() {
  PYTHONPATH="$OPENLEDGER_ROOT/gpu-inference-sidecar/src" launch sidecar "$OPENLEDGER_RUN_DIR/logs/sidecar.log" \
    "$OPENLEDGER_LOCAL_DIR/venv/bin/python" -m openledger_sidecar --host "$OPENLEDGER_HOST" \
    --flight-port "$OPENLEDGER_SIDECAR_FLIGHT_PORT" --http-port "$OPENLEDGER_SIDECAR_HTTP_PORT"
}

# --- Ledger bridge: chain follower and Kafka Streams decoder (demo only; need a deployment) ---
# bridge_env: exports what every bridge app reads (call it in a subshell); the apps bind their
# HTTP endpoints to OPENLEDGER_HOST like every other part.
bridge_env() {
  export OPENLEDGER_HOST OPENLEDGER_EVM_RPC_URL="http://$OPENLEDGER_HOST:$OPENLEDGER_EVM_PORT" \
    OPENLEDGER_EVM_CHAIN_ID OPENLEDGER_KAFKA_BOOTSTRAP="$(kafka_address)" \
    OPENLEDGER_REGISTRY_URL="$(registry_address)" OPENLEDGER_DEPLOYMENT_FILE="$OPENLEDGER_RUN_DIR/deployment.json" \
    OPENLEDGER_CONTENT_DIR="$OPENLEDGER_RUN_DIR/content"
}
# rpc_through_proxy: the chaos suite's fault proxy (OPENLEDGER_RPC_PROXY_URL, set by `chaos` only)
# stands between the node and the apps that follow or write the chain.
rpc_through_proxy() {
  [ -z "${OPENLEDGER_RPC_PROXY_URL:-}" ] || export OPENLEDGER_EVM_RPC_URL="$OPENLEDGER_RPC_PROXY_URL"
}
bridge_classpath() {
  local jar
  jar=$(ls "$OPENLEDGER_ROOT"/ledger-bridge/target/ledger-bridge-*.jar 2>/dev/null | grep -v -e '-tests\.jar$' -e '-app\.jar$' | head -n 1)
  [ -n "$jar" ] || die "ledger-bridge is not built; run: bin/openledger build"
  echo "$jar:$(cat "$OPENLEDGER_ROOT/ledger-bridge/target/classpath.txt")"
}
follower_healthy() { curl -fsS --max-time 2 "$(follower_address)" | grep -q follower_cursor_block; }
follower_start() {
  (
    bridge_env
    rpc_through_proxy
    export OPENLEDGER_FOLLOWER_METRICS_PORT
    launch follower "$OPENLEDGER_RUN_DIR/logs/follower.log" java -Xmx512m -cp "$(bridge_classpath)" \
      org.openledger.bridge.follow.FollowerApp
  )
}
decoder_healthy() { http_ok "$(decoder_address)"; }
decoder_start() {
  (
    bridge_env
    export OPENLEDGER_DECODER_HTTP_PORT OPENLEDGER_DECODER_STATE_DIR="$OPENLEDGER_RUN_DIR/decoder"
    launch decoder "$OPENLEDGER_RUN_DIR/logs/decoder.log" java -Xmx512m -cp "$(bridge_classpath)" \
      org.openledger.bridge.streams.DecoderApp
  )
}

settlement_healthy() { curl -fsS --max-time 2 "$(settlement_address)" | grep -q settlement_batches_settled_total; }
settlement_start() {
  (
    bridge_env
    rpc_through_proxy
    export OPENLEDGER_SETTLEMENT_METRICS_PORT OPENLEDGER_SETTLEMENT_STATE_DIR="$OPENLEDGER_RUN_DIR/settlement"
    launch settlement "$OPENLEDGER_RUN_DIR/logs/settlement.log" java -Xmx384m -cp "$(bridge_classpath)" \
      org.openledger.bridge.settle.SettlementApp
  )
}

# The slash submitter: flags on chain (FLAGGER_ROLE) each contribution the attribution job proposes
# to slash; governance then slashes or clears (docs/SECURITY.md, "Slashing on chain").
slashing_healthy() { curl -fsS --max-time 2 "$(slashing_address)" | grep -q slashing_proposals_flagged_total; }
slashing_start() {
  (
    bridge_env
    rpc_through_proxy
    export OPENLEDGER_SLASHING_METRICS_PORT
    launch slashing "$OPENLEDGER_RUN_DIR/logs/slashing.log" java -Xmx256m -cp "$(bridge_classpath)" \
      org.openledger.bridge.slash.SlashSubmitterApp
  )
}

loader_healthy() { curl -fsS --max-time 2 "$(loader_address)" | grep -q loader_rows_total; }
loader_start() {
  (
    bridge_env
    export OPENLEDGER_LOADER_METRICS_PORT OPENLEDGER_SQL_DIR="$OPENLEDGER_ROOT/sql" \
      OPENLEDGER_CLICKHOUSE_URL="http://$OPENLEDGER_HOST:$OPENLEDGER_CLICKHOUSE_HTTP_PORT"
    launch loader "$OPENLEDGER_RUN_DIR/logs/loader.log" java -Xmx384m -cp "$(bridge_classpath)" \
      org.openledger.bridge.analytics.LoaderApp
  )
}

# --- Flink mini-cluster with Web UI (demo only; the pipeline's jobs run inside it) ---
flink_classpath() {
  echo "$(cat "$OPENLEDGER_ROOT/flink-jobs/target/classpath.txt"):$(cat "$OPENLEDGER_ROOT/flink-jobs/target/classpath-provided.txt")"
}
flink_healthy() {
  if cluster_mode; then cluster_jobs_healthy; return; fi
  curl -fsS --max-time 2 "http://$OPENLEDGER_HOST:$OPENLEDGER_FLINK_UI_PORT/jobs/overview" | grep -q '"state":"RUNNING"'
}
# deployment_role NAME: an address from the deployment's roles (deployer, settler, flagger, treasury, governance).
deployment_role() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["roles"][sys.argv[2]])' \
    "$OPENLEDGER_RUN_DIR/deployment.json" "$1"
}
# kafka_flink_address: where the Flink jobs reach Kafka: through the chaos suite's TCP fault proxy
# in embedded chaos runs, directly otherwise.
kafka_flink_address() {
  if [ "${OPENLEDGER_KAFKA_THROUGH_PROXY:-0}" = 1 ] && ! cluster_mode; then
    echo "$OPENLEDGER_HOST:$OPENLEDGER_KAFKA_PROXY_PORT"
  else
    kafka_address
  fi
}
# pipeline_env: exports what the pipeline app reads (call it in a subshell), in either mode.
pipeline_env() {
  local treasury
  treasury=$(deployment_role treasury) || die "no deployment: run bin/openledger deploy first"
  # The production fetch policy (public http/https only) plus the run's own content folder: the
  # workload, the scenario and the chaos injector write their content there and commit file://
  # URIs to it (docs/FETCHING.md). Nothing else on this machine is reachable from a content URI.
  mkdir -p "$OPENLEDGER_RUN_DIR/content"
  export OPENLEDGER_CONTENT_FETCH_SCHEMES="${OPENLEDGER_CONTENT_FETCH_SCHEMES:-file,https,http}" \
    OPENLEDGER_CONTENT_FETCH_ROOT="${OPENLEDGER_CONTENT_FETCH_ROOT:-$OPENLEDGER_RUN_DIR/content}" \
    OPENLEDGER_KAFKA_BOOTSTRAP="$(kafka_flink_address)" OPENLEDGER_FLINK_REST_ADDRESS="$OPENLEDGER_HOST" \
    OPENLEDGER_REGISTRY_URL="$(registry_address)" \
    OPENLEDGER_SIDECAR_FLIGHT_URI="grpc+tcp://$OPENLEDGER_HOST:$OPENLEDGER_SIDECAR_FLIGHT_PORT" \
    OPENLEDGER_FLINK_REST_PORT="$OPENLEDGER_FLINK_UI_PORT" OPENLEDGER_FLINK_MODE=embedded \
    OPENLEDGER_FLINK_METRICS_PORT="$OPENLEDGER_FLINK_METRICS_PORT" \
    OPENLEDGER_PAYMENT_PROTOCOL_ADDRESS="$treasury" OPENLEDGER_CHECKPOINT_DIR="$OPENLEDGER_RUN_DIR/checkpoints"
}
flink_start() {
  deployment_role treasury >/dev/null || die "no deployment: run bin/openledger deploy first"
  if cluster_mode; then cluster_flink_start; return; fi
  local jar
  jar=$(ls "$OPENLEDGER_ROOT"/flink-jobs/target/flink-jobs-*.jar 2>/dev/null | grep -v -e '-job\.jar$' -e '-tests\.jar$' | head -n 1)
  [ -n "$jar" ] || die "flink-jobs is not built; run: bin/openledger build"
  (
    pipeline_env
    # Flink unpacks its RPC system (21 MB) and keeps its I/O files in java.io.tmpdir and leaves them
    # when killed: a folder of the run's own, emptied at each start (no Flink process uses it then).
    rm -rf "$OPENLEDGER_RUN_DIR/tmp/flink" && mkdir -p "$OPENLEDGER_RUN_DIR/tmp/flink"
    launch flink "$OPENLEDGER_RUN_DIR/logs/flink.log" java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED \
      -Djava.io.tmpdir="$OPENLEDGER_RUN_DIR/tmp/flink" \
      -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-flink.xml" -Dlog.file="$OPENLEDGER_RUN_DIR/logs/flink.log" \
      -cp "$jar:$(flink_classpath)" org.openledger.flink.PipelineApp
  )
}

# --- Prometheus (optional: `bin/openledger prometheus` or `demo --prometheus`; Debian's package) ---
prometheus_healthy() { curl -fsS --max-time 2 "$(prometheus_address)/-/ready" >/dev/null; }
prometheus_start() {
  local dir="$OPENLEDGER_RUN_DIR/prometheus" h="$OPENLEDGER_HOST"
  mkdir -p "$dir/data"
  cat >"$dir/prometheus.yml" <<EOT
# Written by bin/openledger: every part of the local stack that serves /metrics.
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: follower
    static_configs: [{targets: ["$h:$OPENLEDGER_FOLLOWER_METRICS_PORT"]}]
  - job_name: decoder
    static_configs: [{targets: ["$h:$OPENLEDGER_DECODER_HTTP_PORT"]}]
  - job_name: flink
    static_configs: [{targets: ["$h:$OPENLEDGER_FLINK_METRICS_PORT"]}]
  - job_name: sidecar
    static_configs: [{targets: ["$h:$OPENLEDGER_SIDECAR_HTTP_PORT"]}]
  - job_name: settlement
    static_configs: [{targets: ["$h:$OPENLEDGER_SETTLEMENT_METRICS_PORT"]}]
  - job_name: slashing
    static_configs: [{targets: ["$h:$OPENLEDGER_SLASHING_METRICS_PORT"]}]
  - job_name: loader
    static_configs: [{targets: ["$h:$OPENLEDGER_LOADER_METRICS_PORT"]}]
EOT
  launch prometheus "$OPENLEDGER_RUN_DIR/logs/prometheus.log" prometheus --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" --web.listen-address="$h:$OPENLEDGER_PROMETHEUS_PORT"
}

# flink_app CLASS ARGS...: runs a main class of flink-jobs (benchmarks) against the running stack.
flink_app() {
  local jar cls=$1
  shift
  jar=$(ls "$OPENLEDGER_ROOT"/flink-jobs/target/flink-jobs-*.jar 2>/dev/null | grep -v -e '-job\.jar$' -e '-tests\.jar$' | head -n 1)
  [ -n "$jar" ] || die "flink-jobs is not built; run: bin/openledger build"
  OPENLEDGER_KAFKA_BOOTSTRAP="$(kafka_address)" OPENLEDGER_REGISTRY_URL="$(registry_address)" \
    OPENLEDGER_SIDECAR_FLIGHT_URI="grpc+tcp://$OPENLEDGER_HOST:$OPENLEDGER_SIDECAR_FLIGHT_PORT" \
    OPENLEDGER_FLINK_REST_PORT="$OPENLEDGER_FLINK_UI_PORT" \
    java -Xmx2g --add-opens=java.base/java.nio=ALL-UNNAMED \
    -Dlog4j2.configurationFile="$OPENLEDGER_ROOT/bin/stack/log4j2-flink.xml" -Dlog.file="$OPENLEDGER_RUN_DIR/logs/$cls.log" \
    -cp "$jar:$(flink_classpath)" "$cls" "$@"
}

# start_one PART: idempotent; a part already running (same PID, same start time) is left alone.
start_one() {
  local part=$1 pid
  if pid=$(part_pid "$part"); then
    if "${part}_healthy" >/dev/null 2>&1; then
      say "$part already running (pid $pid) at $("${part}_address")"
      return 0
    fi
    say "$part (pid $pid) is running but not healthy yet; waiting"
  else
    "${part}_start"
  fi
  wait_healthy "$part" "${part}_healthy"
  say "$part healthy (pid $(part_pid "$part")) at $("${part}_address")"
}

status_one() {
  local part=$1 pid health
  if pid=$(part_pid "$part"); then
    if "${part}_healthy" >/dev/null 2>&1; then health=healthy; else health=unhealthy; fi
  else
    pid=- health=stopped
  fi
  printf '  %-11s %-10s pid %-8s %s\n' "$part" "$health" "$pid" "$("${part}_address")"
  [ "$health" = healthy ]
}

# The addresses tests and tools read (bin/openledger env prints them, `test` exports them).
write_endpoints() {
  cat > "$OPENLEDGER_RUN_DIR/endpoints.env" <<EOT
OPENLEDGER_KAFKA_BOOTSTRAP=$(kafka_address)
OPENLEDGER_REGISTRY_URL=$(registry_address)
OPENLEDGER_CLICKHOUSE_URL=http://$OPENLEDGER_HOST:$OPENLEDGER_CLICKHOUSE_HTTP_PORT
OPENLEDGER_EVM_RPC_URL=http://$OPENLEDGER_HOST:$OPENLEDGER_EVM_PORT
OPENLEDGER_EVM_CHAIN_ID=$OPENLEDGER_EVM_CHAIN_ID
OPENLEDGER_SIDECAR_FLIGHT_URI=grpc+tcp://$OPENLEDGER_HOST:$OPENLEDGER_SIDECAR_FLIGHT_PORT
OPENLEDGER_SIDECAR_HTTP_URL=http://$OPENLEDGER_HOST:$OPENLEDGER_SIDECAR_HTTP_PORT
OPENLEDGER_RUN_DIR=$OPENLEDGER_RUN_DIR
EOT
}
