# `bin/openledger install`: idempotent, installs only what is missing or changed.
# Everything but Debian's packages lands in OPENLEDGER_LOCAL_DIR; a stamp file holds the
# checksum of the inputs each step was made from, so a changed pin re-runs only that step.

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
checksum() { cat "$@" | sha256sum | cut -c1-16; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root for: $* (run it yourself, then re-run bin/openledger install)"
  fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_prerequisites() {
  command -v java >/dev/null || apt_install openjdk-17-jdk-headless
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
  [ "${major:-0}" -ge 17 ] || die "Java 17 or newer is needed (found ${major:-none})"
  command -v mvn >/dev/null || apt_install maven
  command -v curl >/dev/null || apt_install curl
  command -v npm >/dev/null || apt_install nodejs npm
  command -v python3 >/dev/null || apt_install python3 python3-venv
}

install_clickhouse() {
  command -v clickhouse-server >/dev/null && command -v clickhouse-client >/dev/null && return 0
  apt_install clickhouse-server clickhouse-client
}

# The demo's real text: the data files of Debian's fortunes packages (/usr/share/games/fortunes).
install_fortunes() {
  [ -f /usr/share/games/fortunes/fortunes ] && return 0
  apt_install fortunes fortunes-min
}

# Optional: a local Prometheus for operators (Debian's package; Grafana is compose-only).
install_prometheus() {
  command -v prometheus >/dev/null && return 0
  apt_install prometheus
}

install_node_tools() {
  local dir="$OPENLEDGER_LOCAL_DIR/node" sum
  sum=$(checksum "$OPENLEDGER_ROOT/bin/stack/package.json" "$OPENLEDGER_ROOT/bin/stack/package-lock.json")
  stamp_ok "$dir/.stamp" "$sum" && [ -x "$(anvil_bin)" ] && [ -x "$(forge_bin)" ] && return 0
  say "installing the EVM dev node, the Solidity compiler and forge (npm) into $dir"
  mkdir -p "$dir"
  cp "$OPENLEDGER_ROOT/bin/stack/package.json" "$OPENLEDGER_ROOT/bin/stack/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
  [ -x "$(anvil_bin)" ] || die "anvil binary missing after npm ci: $(anvil_bin)"
  [ -x "$(forge_bin)" ] || die "forge binary missing after npm ci: $(forge_bin)"
  echo "$sum" > "$dir/.stamp"
}

# install_stack_pom DIR POM WHAT: resolve a stack part's jars from Maven Central through POM (its
# classpath into DIR/classpath.txt), again only when the project's or that POM changed.
install_stack_pom() {
  local dir=$1 pom=$2 what=$3 sum
  sum=$(checksum "$OPENLEDGER_ROOT/pom.xml" "$pom")
  stamp_ok "$dir/.stamp" "$sum" && [ -s "$dir/classpath.txt" ] && return 0
  say "resolving $what from Maven Central"
  mvn -B -q -f "$pom" generate-resources -Dstack.dir="$OPENLEDGER_LOCAL_DIR" || die "resolving $what failed"
  echo "$sum" > "$dir/.stamp"
}

install_kafka() {
  install_stack_pom "$OPENLEDGER_LOCAL_DIR/kafka" "$OPENLEDGER_ROOT/bin/stack/pom.xml" "the Kafka broker"
}

# The parts of a Flink standalone cluster (`up --cluster`): the distribution archive is not served
# here, its Maven artifacts are.
install_flink_cluster() {
  install_stack_pom "$OPENLEDGER_LOCAL_DIR/flink" "$OPENLEDGER_ROOT/bin/stack/flink-cluster/pom.xml" \
    "the Flink cluster (JobManager, TaskManager, RocksDB, Prometheus reporter)"
}

install_registry() {
  local version dir
  version=$(sed -n 's#.*<apicurio-registry.version>\(.*\)</apicurio-registry.version>.*#\1#p' "$OPENLEDGER_ROOT/pom.xml")
  dir="$OPENLEDGER_LOCAL_DIR/schema-registry/$version"
  [ -n "$(ls "$dir"/*-runner.jar 2>/dev/null)" ] && return 0
  say "fetching the Apicurio schema registry $version from Maven Central"
  rm -rf "$OPENLEDGER_LOCAL_DIR/schema-registry" && mkdir -p "$dir"
  # The app's parent POM is not published; plugin 2.8 tolerates that, newer ones refuse the artifact.
  (cd "$dir" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:2.8:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" -DoutputDirectory="$dir") \
    || die "fetching apicurio-registry-app $version failed"
  tar -xzf "$dir"/*.tar.gz -C "$dir" && rm -f "$dir"/*.tar.gz
  local runner
  runner=$(find "$dir" -name '*-runner.jar' | head -n 1)
  [ -n "$runner" ] || die "no *-runner.jar in the registry archive"
  [ "$(dirname "$runner")" = "$dir" ] || mv "$(dirname "$runner")"/* "$dir"/
}

install_venv() {
  local venv="$OPENLEDGER_LOCAL_DIR/venv" sum py=python3
  command -v python3.11 >/dev/null && py=python3.11
  local req="$OPENLEDGER_ROOT/gpu-inference-sidecar"
  sum=$(checksum "$req/requirements.txt" "$req/requirements-dev.txt" "$req/requirements-torch.txt")
  stamp_ok "$venv/.stamp" "$sum" && [ -x "$venv/bin/python" ] && return 0
  say "creating the sidecar's virtual environment in $venv"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv" || die "$py -m venv failed (on Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req/requirements-dev.txt" \
    || die "pip install of the sidecar's requirements failed"
  # PyTorch (CPU + CUDA) and the packaged transformer encoder: gigabytes, so said out loud.
  say "installing PyTorch and the transformer encoder into $venv (about 5 GiB, a few minutes, once)"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req/requirements-torch.txt" \
    || die "pip install of the sidecar's PyTorch requirements failed"
  echo "$sum" > "$venv/.stamp"
}

cmd_install() {
  install_prerequisites
  install_clickhouse
  install_fortunes
  install_node_tools
  install_kafka
  install_flink_cluster
  install_registry
  install_venv
  say "install complete: $OPENLEDGER_LOCAL_DIR"
}

# `bin/openledger build`: compile and package the Java modules (no tests).
cmd_build() {
  say "building the Java modules (mvn package, tests skipped)"
  # The contracts compile with the project-local solc, wherever OPENLEDGER_LOCAL_DIR puts it.
  (cd "$OPENLEDGER_ROOT" && mvn -B -q -ntp package -DskipTests -Dopenledger.local.dir="$OPENLEDGER_LOCAL_DIR") \
    || die "build failed"
}
