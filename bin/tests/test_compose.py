"""docker-compose.yml is consistent with the repository: no engine runs it here, so check it.

Every service has an image or a buildable context and a command, every long-running one a
healthcheck probing a port it declares and a restart policy, every mounted file exists (or is a
build output of a module that produces it), every published port binds loopback once, every
reference between services resolves, the ledger bridge's apps run classes and read variables that
exist, and the Besu genesis is a valid single-validator QBFT genesis. The topology: three KRaft
Kafka nodes whose ids, voters, listeners and replication settings agree; a Flink session cluster of
one JobManager and at least two TaskManagers whose configuration has what the jobs need (RocksDB,
checkpoints and savepoints on a volume they all share, ZooKeeper HA); and the two jobs of the shaded
job jar, each submitted by a one-shot.
"""

import json
import pathlib
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
import yaml

from conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
EXPECTED = {"besu", "kafka-1", "kafka-2", "kafka-3", "kafka-exporter", "schema-registry", "clickhouse", "zookeeper",
            "flink-init", "jobmanager", "submit-attribution", "submit-payment", "sidecar", "prometheus", "grafana",
            "deploy", "follower", "decoder", "settlement", "slashing", "loader"}
# Services that run once and exit; every other one runs for good, so it needs a healthcheck.
ONE_SHOTS = {"deploy", "flink-init", "submit-attribution", "submit-payment"}
LONG_RUNNING = sorted(set(SERVICES) - ONE_SHOTS)
# The ledger bridge's apps: the one-shot deploy and the long-running processes, with the variable
# that sets each one's /metrics port (bin/openledger.env has the same name and default).
BRIDGE_APPS = {"follower": "OPENLEDGER_FOLLOWER_METRICS_PORT", "decoder": "OPENLEDGER_DECODER_HTTP_PORT",
               "settlement": "OPENLEDGER_SETTLEMENT_METRICS_PORT", "slashing": "OPENLEDGER_SLASHING_METRICS_PORT",
               "loader": "OPENLEDGER_LOADER_METRICS_PORT"}
BRIDGE = {"deploy"} | set(BRIDGE_APPS)
# The app jar holds ledger-bridge and what it depends on, the schemas module among them.
BRIDGE_SOURCES = [ROOT / "ledger-bridge/src/main/java", ROOT / "schemas/src/main/java"]
# The job jar holds flink-jobs and the schemas module (its config keys among them).
JOB_SOURCES = [ROOT / "flink-jobs/src/main/java", ROOT / "schemas/src/main/java"]
# Variables the job submitters set that flink-jobs does not read yet (none: PipelineApp reads
# OPENLEDGER_PIPELINE_JOBS, which picks the job one submission builds).
PENDING_JOB_VARIABLES = set()
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
MAVEN = {"m": "http://maven.apache.org/POM/4.0.0"}

KAFKA = sorted(name for name, s in SERVICES.items() if s.get("image", "").startswith("apache/kafka:"))
FLINK = sorted(name for name, s in SERVICES.items() if s.get("image", "").startswith("flink:"))
SUBMITTERS = sorted(name for name in FLINK if "flink run" in str(SERVICES[name].get("command", "")))


def project_version():
    pom = ET.parse(ROOT / "pom.xml").getroot()
    return pom.find("m:version", MAVEN).text


def pom_property(name):
    return ET.parse(ROOT / "pom.xml").getroot().find(f"m:properties/m:{name}", MAVEN).text


def job_jar():
    """flink-jobs/target/<artifactId>-<version>-<classifier>.jar, as the shade plugin names it."""
    pom = ET.parse(ROOT / "flink-jobs/pom.xml").getroot()
    artifact = pom.find("m:artifactId", MAVEN).text
    shade = next(p for p in pom.iter(f"{{{MAVEN['m']}}}plugin")
                 if p.find("m:artifactId", MAVEN).text == "maven-shade-plugin")
    assert shade.find(".//m:shadedArtifactAttached", MAVEN).text == "true"
    classifier = shade.find(".//m:shadedClassifierName", MAVEN).text
    return f"./flink-jobs/target/{artifact}-{project_version()}-{classifier}.jar"


def dependencies(service):
    """depends_on as {service: condition}, from either its list or its mapping form."""
    depends = service.get("depends_on", [])
    if isinstance(depends, list):
        return {name: "service_started" for name in depends}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()}


def config_variables(sources=BRIDGE_SOURCES):
    """Every OPENLEDGER_* variable the code in `sources` reads: its config keys' (ConfigKey), and any
    it names literally."""
    java = "\n".join(p.read_text() for d in sources for p in d.rglob("*.java"))
    keys = re.findall(r'(?:ConfigKey\.\w+|new ConfigKey<>|address)\(\s*"([a-z][a-z0-9.-]*)"', java)
    variables = {"OPENLEDGER_" + k.upper().replace(".", "_").replace("-", "_") for k in keys}
    return variables | set(re.findall(r'"(OPENLEDGER_[A-Z0-9_]+)"', java))


def command_text(service):
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def bind_mounts(service):
    for volume in service.get("volumes", []):
        default = re.match(r"\$\{[A-Z_]+:-([^}]+)\}", volume)  # ${VAR:-./default}:/target
        source = default.group(1) if default else volume.split(":")[0]
        if source.startswith("."):
            yield source


def published_ports(service):
    """Each published port as (host_ip, host_port, container_port), from the short or long syntax."""
    for port in service.get("ports", []):
        if isinstance(port, dict):
            yield port.get("host_ip", "0.0.0.0"), str(port.get("published", "")), str(port["target"])
            continue
        parts = str(port).split(":")
        if len(parts) == 3:
            yield parts[0], parts[1], parts[2].split("/")[0]
        elif len(parts) == 2:
            yield "0.0.0.0", parts[0], parts[1].split("/")[0]
        else:
            yield "0.0.0.0", "", parts[0].split("/")[0]


def container_ports(service):
    """The ports a service serves on the network: those it publishes and those it only exposes."""
    return {c for _ip, _host, c in published_ports(service)} | {str(p) for p in service.get("expose", [])}


def mounts(service):
    """{path in the container: source} of every volume (named or bound)."""
    result = {}
    for volume in service.get("volumes", []):
        default = re.match(r"\$\{[A-Z_]+:-([^}]+)\}(:.*)", volume)  # ${VAR:-./default}:/target
        parts = (default.group(1) + default.group(2) if default else volume).split(":")
        result[parts[1]] = parts[0]
    return result


def env_default(value):
    """A variable's value in the environment section, or the default of its ${VAR:-default}."""
    default = re.fullmatch(r"\$\{[A-Z0-9_]+:-([^}]*)\}", str(value))
    return default.group(1) if default else str(value)


def flink_properties(service):
    """FLINK_PROPERTIES as the image's entrypoint reads it: each line stripped of every space, then
    split at its first colon."""
    result = {}
    for line in service["environment"]["FLINK_PROPERTIES"].splitlines():
        line = re.sub(r"\s", "", line)
        if line:
            key, _, value = line.partition(":")
            result[key] = value
    return result


def kafka_env(name):
    return {k: str(v) for k, v in SERVICES[name]["environment"].items()}


def listeners(value):
    """{listener name: (host, port)} of a listeners or advertised.listeners value."""
    result = {}
    for entry in value.split(","):
        name, address = entry.split("://")
        host, _, port = address.rpartition(":")
        result[name] = (host, port)
    return result


def task_managers():
    return [n for n in FLINK if str(SERVICES[n].get("command", "")).split()[0:1] == ["taskmanager"]]


def test_should_define_every_part_of_the_system():
    assert EXPECTED <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_should_give_each_service_a_pinned_image_or_a_dockerfile(name):
    service = SERVICES[name]
    if "build" in service:
        context = ROOT / service["build"]
        assert (context / "Dockerfile").is_file(), f"{name}: no Dockerfile in {context}"
    else:
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: image {image} is not pinned"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_should_mount_only_files_that_exist_or_that_the_build_produces(name):
    for source in bind_mounts(SERVICES[name]):
        path = ROOT / source
        if "/target/" in source:
            module = source.split("/")[1]
            assert (ROOT / module / "pom.xml").is_file(), f"{name}: {source} is not built by any module"
            assert f"-{project_version()}-" in path.name, f"{name}: {source} does not match the POM version"
        else:
            assert path.exists(), f"{name}: mounted {source} does not exist"


def test_should_publish_each_host_port_once_and_only_on_loopback():
    seen = {}
    for name, service in SERVICES.items():
        assert service.get("network_mode") != "host", f"{name} shares the host's network, past every binding"
        for host_ip, host_port, _container in published_ports(service):
            assert host_ip == "127.0.0.1", f"{name} publishes {host_port} beyond loopback ({host_ip})"
            assert host_port, f"{name} publishes a random host port"
            assert host_port not in seen, f"{name} and {seen.get(host_port)} both publish {host_port}"
            seen[host_port] = name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_should_say_what_each_service_runs(name):
    service = SERVICES[name]
    assert service.get("command") or service.get("entrypoint"), f"{name} names neither command nor entrypoint"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_should_check_the_health_of_each_long_running_service_on_a_port_it_serves(name):
    service = SERVICES[name]
    check = service.get("healthcheck")
    assert check and not check.get("disable"), f"{name} has no healthcheck"
    test = check["test"]
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, f"{name}: {test}"
    assert not re.search(r"(?<!\$)\$(?!\$)", "".join(test).replace("$$", "")), f"{name}: compose substitutes $ in {test}"
    ports = container_ports(service)
    assert ports, f"{name} declares no port it serves (ports or expose)"
    probed = re.findall(r"(?:127\.0\.0\.1|localhost)[:/](\d+)", " ".join(test))
    for port in probed:
        assert port in ports, f"{name}'s healthcheck probes {port}, which it does not declare ({sorted(ports)})"
    assert service.get("restart") in ("unless-stopped", "always"), f"{name} stays down after a crash"


@pytest.mark.parametrize("name", sorted(ONE_SHOTS))
def test_should_run_each_one_shot_once(name):
    assert SERVICES[name].get("restart", "no") in ("no", "on-failure"), f"{name} would run again and again"


def test_should_reference_only_defined_services_and_volumes():
    named_volumes = set(COMPOSE.get("volumes", {}))
    for name, service in SERVICES.items():
        for dependency, condition in dependencies(service).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            assert condition in CONDITIONS, f"{name} waits for {dependency} to be {condition}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "${")):
                assert source in named_volumes, f"{name} uses undeclared volume {source}"


def test_should_scrape_every_service_that_exposes_metrics():
    config = yaml.safe_load((ROOT / "bin/compose/prometheus/prometheus.yml").read_text())
    targets = {t.split(":")[0] for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    targets.discard("localhost")
    assert targets <= set(SERVICES), f"unknown scrape targets {targets - set(SERVICES)}"
    assert {"besu", "kafka-exporter", "schema-registry", "clickhouse", "zookeeper", "jobmanager", "sidecar"} <= targets
    assert set(task_managers()) <= targets, "a TaskManager goes unscraped"
    assert set(BRIDGE_APPS) <= targets
    ports = {t.split(":")[0]: t.split(":")[1] for job in config["scrape_configs"] for sc in job["static_configs"]
             for t in sc["targets"]}
    for name, port in ports.items():
        if name in SERVICES:
            assert port in container_ports(SERVICES[name]), f"Prometheus scrapes {name}:{port}, not a port it declares"


def test_should_scrape_each_bridge_app_on_the_port_it_serves_metrics_on():
    config = yaml.safe_load((ROOT / "bin/compose/prometheus/prometheus.yml").read_text())
    targets = {t.split(":")[0]: t.split(":")[1] for job in config["scrape_configs"] for sc in job["static_configs"]
               for t in sc["targets"]}
    local = (ROOT / "bin/openledger.env").read_text()
    for name, variable in BRIDGE_APPS.items():
        port = str(SERVICES[name]["environment"][variable])
        assert targets[name] == port, f"Prometheus scrapes {name}:{targets[name]}, it serves {port}"
        assert f"{variable}:={port}" in local, f"{name}: {variable}={port} differs from bin/openledger.env"
        assert SERVICES[name]["environment"]["OPENLEDGER_HOST"] == "0.0.0.0", f"{name} serves loopback only"


@pytest.mark.parametrize("name", sorted(BRIDGE))
def test_should_run_each_bridge_app_from_the_app_jar_it_mounts(name):
    service = SERVICES[name]
    jars = [v for v in service["volumes"] if "ledger-bridge/target/" in v and v.split(":")[0].endswith("-app.jar")]
    assert len(jars) == 1, f"{name} does not mount the bridge's app jar"
    jar_in_container = jars[0].split(":")[1]
    command = command_text(service)
    assert f"-cp {jar_in_container} " in command, f"{name} does not run from {jar_in_container}"
    classes = re.findall(r"\b(org\.openledger(?:\.\w+)+)", command)
    assert classes, f"{name} runs no class of the project"
    for cls in classes:
        path = cls.replace(".", "/") + ".java"
        assert any((d / path).is_file() for d in BRIDGE_SOURCES), f"{name}: {cls} does not exist"


@pytest.mark.parametrize("name", sorted(BRIDGE))
def test_should_set_only_variables_the_bridge_reads(name):
    declared = config_variables()
    for variable in SERVICES[name]["environment"]:
        if variable.startswith("OPENLEDGER_"):
            assert variable in declared, f"{name} sets {variable}, which no config key of the bridge reads"


@pytest.mark.parametrize("name", sorted(BRIDGE_APPS))
def test_should_start_each_bridge_app_after_the_deployment_it_reads(name):
    service = SERVICES[name]
    assert dependencies(service).get("deploy") == "service_completed_successfully"
    written = SERVICES["deploy"]["environment"]["OPENLEDGER_DEPLOYMENT_FILE"]
    deploy_volume = next(v for v in SERVICES["deploy"]["volumes"] if written.startswith(v.split(":")[1] + "/"))
    assert not deploy_volume.endswith(":ro"), "deploy cannot write its deployment file"
    read = service["environment"].get("OPENLEDGER_DEPLOYMENT_FILE")
    if read is not None:  # the loader reads no deployment, only the schemas deploy registered
        assert read == written, f"{name} reads {read}, deploy writes {written}"
        assert deploy_volume.split(":")[0] + ":" + deploy_volume.split(":")[1] + ":ro" in service["volumes"]


def test_should_point_the_bridge_at_the_chain_the_genesis_defines():
    genesis = json.loads((ROOT / "bin/compose/besu/genesis.json").read_text())
    for name in ("deploy", "follower", "settlement"):
        chain_id = str(SERVICES[name]["environment"]["OPENLEDGER_EVM_CHAIN_ID"])
        default = re.fullmatch(r"\$\{OPENLEDGER_EVM_CHAIN_ID:-(\d+)\}", chain_id)
        assert int(default.group(1) if default else chain_id) == genesis["config"]["chainId"], name
        assert SERVICES[name]["environment"]["OPENLEDGER_EVM_RPC_URL"] == "http://besu:8545", name


def test_should_keep_the_state_of_the_stateful_bridge_apps_in_named_volumes():
    named_volumes = set(COMPOSE["volumes"])
    for name, variable in {"decoder": "OPENLEDGER_DECODER_STATE_DIR",
                           "settlement": "OPENLEDGER_SETTLEMENT_STATE_DIR"}.items():
        state = SERVICES[name]["environment"][variable]
        mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES[name]["volumes"]}
        assert mounts.get(state) in named_volumes, f"{name} keeps {state} in the container only"


def test_should_reserve_a_gpu_for_the_sidecar():
    devices = SERVICES["sidecar"]["deploy"]["resources"]["reservations"]["devices"]
    assert any("gpu" in d["capabilities"] for d in devices)


def test_should_guard_the_sidecars_flight_port_with_a_required_token_shared_with_the_flink_job():
    """The sidecar binds every interface of its container: any container on the network reaches
    it, so its calls need the token, which compose must refuse to run without."""
    sidecar = SERVICES["sidecar"]
    command = command_text(sidecar)
    auth = (ROOT / "gpu-inference-sidecar/src/openledger_sidecar/auth.py").read_text()
    token = sidecar["environment"]["OPENLEDGER_SIDECAR_TOKEN"]

    assert "--host 0.0.0.0" in command
    assert 'TOKEN_ENV = "OPENLEDGER_SIDECAR_TOKEN"' in auth, "the sidecar reads another variable"
    assert re.fullmatch(r"\$\{OPENLEDGER_SIDECAR_TOKEN:\?[^}]+\}", token), "the token must be required, with no default"
    # The attribution job sends it: its submitter's main() builds the job graph that carries it.
    assert SERVICES["submit-attribution"]["environment"]["OPENLEDGER_SIDECAR_TOKEN"] == token
    holders = {n for n, svc in SERVICES.items() if "OPENLEDGER_SIDECAR_TOKEN" in svc.get("environment", {})}
    assert holders == {"sidecar", "submit-attribution"}, f"the token reaches {holders}"


def test_should_run_the_images_of_the_versions_the_build_compiles_against():
    tag = {name: SERVICES[name]["image"].split(":")[1] for name in ("jobmanager", "kafka-1", "schema-registry")}
    assert tag["jobmanager"].split("-")[0] == pom_property("flink.version")
    assert tag["kafka-1"] == pom_property("kafka.version")
    assert tag["schema-registry"] == pom_property("apicurio-registry.version")
    assert len({SERVICES[n]["image"] for n in FLINK}) == 1, "the Flink services run different images"


# --- Kafka: three KRaft nodes ---


def test_should_run_three_kafka_nodes_each_broker_and_controller():
    assert KAFKA == ["kafka-1", "kafka-2", "kafka-3"]
    for name in KAFKA:
        env = kafka_env(name)
        assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, name
    ids = [kafka_env(n)["KAFKA_NODE_ID"] for n in KAFKA]
    assert len(set(ids)) == len(ids), f"node ids repeat: {ids}"
    assert len({kafka_env(n)["CLUSTER_ID"] for n in KAFKA}) == 1, "the nodes name different clusters"


def test_should_name_every_node_in_one_voter_list_at_its_controller_listener():
    voters = {kafka_env(n)["KAFKA_CONTROLLER_QUORUM_VOTERS"] for n in KAFKA}
    assert len(voters) == 1, f"the nodes disagree on the voters: {voters}"
    parsed = dict(v.split("@") for v in voters.pop().split(","))
    by_id = {kafka_env(n)["KAFKA_NODE_ID"]: n for n in KAFKA}
    assert set(parsed) == set(by_id), f"voters {sorted(parsed)}, nodes {sorted(by_id)}"
    for node_id, address in parsed.items():
        name = by_id[node_id]
        env = kafka_env(name)
        controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]
        host, port = address.rsplit(":", 1)
        assert host == name, f"voter {node_id} is {host}, the node with that id is {name}"
        assert listeners(env["KAFKA_LISTENERS"])[controller][1] == port, f"{name} listens for controllers elsewhere"
        assert port in container_ports(SERVICES[name]), f"{name} does not declare its controller port {port}"


@pytest.mark.parametrize("name", KAFKA)
def test_should_advertise_addresses_that_resolve_where_they_are_used(name):
    env = kafka_env(name)
    bound = listeners(env["KAFKA_LISTENERS"])
    advertised = listeners(env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(bound) <= set(protocols), f"{name}: a listener has no security protocol"
    inter = env["KAFKA_INTER_BROKER_LISTENER_NAME"]
    # Inside the network: the service's own name, on the port it listens on.
    assert advertised[inter] == (name, bound[inter][1]), f"{name} advertises {advertised[inter]} to the others"
    # On the host: loopback, on a port published as itself (clients there connect to what is advertised).
    published = {(host, c) for _ip, host, c in published_ports(SERVICES[name])}
    for listener, (host, port) in advertised.items():
        if listener != inter:
            assert host == "127.0.0.1", f"{name}: {listener} advertises {host}"
            assert bound[listener][1] == port, f"{name}: {listener} listens on {bound[listener][1]}, advertises {port}"
            assert (port, port) in published, f"{name}: {listener} advertises 127.0.0.1:{port}, not published as itself"
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] not in advertised, f"{name} advertises its controller listener"


def test_should_replicate_every_topic_to_three_nodes_and_commit_on_two():
    shared = {k: v for k, v in kafka_env(KAFKA[0]).items()
              if k not in ("KAFKA_NODE_ID", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS")}
    for name in KAFKA[1:]:
        other = {k: v for k, v in kafka_env(name).items() if k in shared or k.startswith("KAFKA_")}
        for key in shared:
            assert other.get(key) == shared[key], f"{name}: {key}={other.get(key)}, {KAFKA[0]} has {shared[key]}"
    rf = int(shared["KAFKA_DEFAULT_REPLICATION_FACTOR"])
    isr = int(shared["KAFKA_MIN_INSYNC_REPLICAS"])
    assert rf == len(KAFKA) == 3 and isr == 2
    assert int(shared["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == rf
    assert int(shared["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"]) == rf
    assert int(shared["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"]) == isr
    assert 1 <= isr < rf <= len(KAFKA), "one node down must leave every partition writable"
    # The Flink sinks' transaction timeout (PipelineConfig) must fit under the brokers' maximum.
    assert int(shared["KAFKA_TRANSACTION_MAX_TIMEOUT_MS"]) >= 900_000


@pytest.mark.parametrize("name", KAFKA)
def test_should_format_each_node_with_transactions_v1_in_its_own_volume(name):
    """docs/RELIABILITY.md: under transactions v2 the Flink Kafka sink drops restored transactions."""
    service = SERVICES[name]
    script = command_text(service)
    assert "kafka-storage.sh format" in script and "--feature transaction.version=1" in script
    assert "exec /etc/kafka/docker/run" in script, f"{name} does not start the image's own way"
    data = kafka_env(name)["KAFKA_LOG_DIRS"]
    volume = mounts(service).get(data)
    assert volume in COMPOSE["volumes"], f"{name} keeps {data} in the container only"
    others = {mounts(SERVICES[n]).get(kafka_env(n)["KAFKA_LOG_DIRS"]) for n in KAFKA if n != name}
    assert volume not in others, f"{name} shares its log directory with another node"


def test_should_give_every_kafka_client_all_three_nodes():
    nodes = {f"{n}:{listeners(kafka_env(n)['KAFKA_ADVERTISED_LISTENERS'])['PLAINTEXT'][1]}" for n in KAFKA}
    clients = {name: svc["environment"]["OPENLEDGER_KAFKA_BOOTSTRAP"] for name, svc in SERVICES.items()
               if "OPENLEDGER_KAFKA_BOOTSTRAP" in svc.get("environment", {})}
    assert set(BRIDGE_APPS) | set(SUBMITTERS) <= set(clients)
    for name, bootstrap in clients.items():
        assert set(bootstrap.split(",")) == nodes, f"{name} bootstraps from {bootstrap}"
    exporter = re.findall(r"--kafka\.server=(\S+)", command_text(SERVICES["kafka-exporter"]))
    assert set(exporter) == nodes, f"kafka-exporter reads {exporter}"
    registry = SERVICES["schema-registry"]["environment"]
    assert set(registry["APICURIO_KAFKASQL_BOOTSTRAP_SERVERS"].split(",")) == nodes


def test_should_keep_the_registrys_schemas_in_kafka():
    """The records on the topics name their schemas by registry id: a registry that forgets them
    on a restart (Apicurio's default, in-memory H2) leaves every consumer unable to read them."""
    assert SERVICES["schema-registry"]["environment"]["APICURIO_STORAGE_KIND"] == "kafkasql"


@pytest.mark.parametrize("name", sorted(set(BRIDGE_APPS) | set(SUBMITTERS) | {"kafka-exporter", "schema-registry"}))
def test_should_start_kafka_clients_once_every_node_is_healthy(name):
    waits = dependencies(SERVICES[name])
    for node in KAFKA:
        assert waits.get(node) == "service_healthy", f"{name} waits for {node} to be {waits.get(node)}"


# Topics get the brokers' default.replication.factor whatever an app asks for: TopicBootstrap
# (schemas/src/test/java/org/openledger/schemas/TopicBootstrapTest.java and TopicBootstrapIT.java).


# --- Flink: a session cluster with ZooKeeper HA, two jobs of one jar ---


def test_should_run_one_jobmanager_and_at_least_two_taskmanagers():
    jobmanagers = [n for n in FLINK if str(SERVICES[n]["command"]).split()[0] == "jobmanager"]
    assert jobmanagers == ["jobmanager"], f"session JobManagers: {jobmanagers}"
    count = sum(int(SERVICES[n].get("deploy", {}).get("replicas", 1)) for n in task_managers())
    assert count >= 2, f"{count} TaskManager(s)"


def test_should_have_a_slot_for_every_subtask_of_both_jobs():
    slots = sum(int(flink_properties(SERVICES[n])["taskmanager.numberOfTaskSlots"])
                * int(SERVICES[n].get("deploy", {}).get("replicas", 1)) for n in task_managers())
    needed = sum(int(env_default(SERVICES[n]["environment"]["PARALLELISM"])) for n in SUBMITTERS)
    assert slots >= needed, f"{slots} slots for {needed} subtasks"


def test_should_give_every_flink_process_the_same_configuration():
    configs = {n: flink_properties(SERVICES[n]) for n in FLINK if n != "flink-init"}
    assert {"jobmanager", *task_managers(), *SUBMITTERS} <= set(configs)
    first = configs["jobmanager"]
    for name, config in configs.items():
        assert config == first, f"{name} is configured differently from the JobManager"
    raw = SERVICES["jobmanager"]["environment"]["FLINK_PROPERTIES"]
    for line in raw.splitlines():
        value = line.partition(":")[2].strip()
        assert not re.search(r"\s", value), f"the entrypoint strips the spaces out of: {line}"


def test_should_keep_rocksdb_state_checkpoints_and_savepoints_on_a_volume_every_flink_process_shares():
    config = flink_properties(SERVICES["jobmanager"])
    assert config["state.backend.type"] == "rocksdb"
    assert config["execution.checkpointing.storage"] == "filesystem"
    assert config["execution.checkpointing.externalized-checkpoint-retention"] == "RETAIN_ON_CANCELLATION"
    for key in ("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir"):
        uri = config[key]
        assert uri.startswith("file:///"), f"{key}={uri}"
        path = uri[len("file://"):]
        for name in ["jobmanager", *task_managers()]:
            volumes = mounts(SERVICES[name])
            mount = next((m for m in volumes if path == m or path.startswith(m.rstrip("/") + "/")), None)
            assert mount, f"{name} does not mount {path} ({key})"
            assert volumes[mount] in COMPOSE["volumes"], f"{name} keeps {path} in the container only"
        init = command_text(SERVICES["flink-init"])
        assert path in init, f"flink-init does not prepare {path} for the flink user"
    shared = {mounts(SERVICES[n]).get("/flink-state") for n in ["jobmanager", "flink-init", *task_managers()]}
    assert shared == {"flink-state"}, f"the Flink processes mount {shared}"


def test_should_elect_the_jobmanager_through_the_zookeeper_service():
    config = flink_properties(SERVICES["jobmanager"])
    assert config["high-availability.type"] == "zookeeper"
    for address in config["high-availability.zookeeper.quorum"].split(","):
        host, port = address.split(":")
        assert host in SERVICES and port in container_ports(SERVICES[host]), f"no ZooKeeper at {address}"
        for name in ["jobmanager", *task_managers()]:
            assert dependencies(SERVICES[name]).get(host) == "service_healthy", f"{name} starts before {host}"
    assert config["high-availability.cluster-id"], "the HA store needs a cluster id"


def flink_options():
    """Every configuration key Flink (the version the build compiles against) defines, read from
    flink-core's option classes in the local Maven repository; None where it is not there."""
    version = pom_property("flink.version")
    jar = pathlib.Path.home() / f".m2/repository/org/apache/flink/flink-core/{version}/flink-core-{version}.jar"
    if not jar.is_file():
        return None
    keys = set()
    with zipfile.ZipFile(jar) as z:
        for entry in z.namelist():
            if entry.startswith("org/apache/flink/configuration/") and entry.endswith("Options.class"):
                keys |= {k.decode() for k in re.findall(rb"[a-z][a-z0-9-]*(?:\.[a-zA-Z0-9-]+)+", z.read(entry))}
    return keys


def test_should_set_only_options_flink_defines():
    known = flink_options()
    if known is None:
        pytest.skip("flink-core is not in the local Maven repository (bin/openledger build puts it there)")
    for key in flink_properties(SERVICES["jobmanager"]):
        if not key.startswith("metrics.reporter."):  # metrics.reporter.<name>.* is a pattern
            assert key in known, f"Flink {pom_property('flink.version')} has no option {key}"


def test_should_submit_the_shaded_job_jar_the_build_makes():
    jar = job_jar()
    for name in SUBMITTERS:
        bound = {source: target for target, source in mounts(SERVICES[name]).items()}
        assert jar in bound, f"{name} mounts {sorted(bound)}, the build makes {jar}"
        command = command_text(SERVICES[name])
        assert re.search(r"flink run .*--detached", command, re.S), f"{name} does not submit detached"
        assert command.rstrip().endswith(bound[jar]), f"{name} does not submit {bound[jar]}"
        job_class = re.search(r"--class (\S+)", command).group(1)
        source = ROOT / "flink-jobs/src/main/java" / (job_class.replace(".", "/") + ".java")
        assert source.is_file(), f"{name}: {job_class} does not exist"


def test_should_submit_each_job_once_to_the_session_cluster():
    jobs = {SERVICES[n]["environment"]["OPENLEDGER_PIPELINE_JOBS"]: n for n in SUBMITTERS}
    assert set(jobs) == {"attribution", "payment"} and len(SUBMITTERS) == 2, f"submitters: {jobs}"
    for name in SUBMITTERS:
        service = SERVICES[name]
        assert service["environment"]["OPENLEDGER_FLINK_MODE"] == "cluster"
        assert dependencies(service).get("jobmanager") == "service_healthy"
        assert "flink list" in command_text(service), f"{name} would submit its job again on every up"
    assert dependencies(SERVICES["submit-attribution"]).get("sidecar") == "service_healthy"


@pytest.mark.parametrize("name", SUBMITTERS)
def test_should_give_each_job_only_variables_the_jobs_read(name):
    declared = config_variables(JOB_SOURCES) | PENDING_JOB_VARIABLES
    for variable in SERVICES[name]["environment"]:
        if variable.startswith("OPENLEDGER_"):
            assert variable in declared, f"{name} sets {variable}, which no config key of flink-jobs reads"


def test_should_mount_the_project_ddl_into_clickhouse():
    assert "./sql:/docker-entrypoint-initdb.d:ro" in SERVICES["clickhouse"]["volumes"]
    assert list((ROOT / "sql").glob("*.sql")), "sql/ has no DDL to run"


def _rlp_decode(data, i=0):
    prefix = data[i]
    if prefix < 0x80:
        return data[i : i + 1], i + 1
    if prefix < 0xB8:
        n = prefix - 0x80
        return data[i + 1 : i + 1 + n], i + 1 + n
    if prefix < 0xC0:
        ln = prefix - 0xB7
        n = int.from_bytes(data[i + 1 : i + 1 + ln], "big")
        return data[i + 1 + ln : i + 1 + ln + n], i + 1 + ln + n
    if prefix < 0xF8:
        n, start = prefix - 0xC0, i + 1
    else:
        ln = prefix - 0xF7
        n, start = int.from_bytes(data[i + 1 : i + 1 + ln], "big"), i + 1 + ln
    items, j = [], start
    while j < start + n:
        item, j = _rlp_decode(data, j)
        items.append(item)
    return items, start + n


def test_should_ship_a_valid_single_validator_qbft_genesis():
    genesis = json.loads((ROOT / "bin/compose/besu/genesis.json").read_text())
    assert "qbft" in genesis["config"]
    extra = bytes.fromhex(genesis["extraData"][2:])
    (vanity, validators, vote, round_, seals), end = _rlp_decode(extra)
    assert end == len(extra)
    assert vanity == bytes(32) and vote == b"" and round_ == bytes(4) and seals == []
    assert [v.hex() for v in validators] == ["f39fd6e51aad88f6f4ce6ab8827279cfffb92266"]
    assert "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" in genesis["alloc"]
