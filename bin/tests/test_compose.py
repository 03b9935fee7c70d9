"""docker-compose.yml is consistent with the repository: no engine runs it here, so check it.

Every service has an image or a buildable context, every mounted file exists (or is a build
output of a module that produces it), every published port binds loopback once, every reference
between services resolves, the ledger bridge's apps run classes and read variables that exist, and
the Besu genesis is a valid single-validator QBFT genesis.
"""

import json
import pathlib
import re
import xml.etree.ElementTree as ET

import pytest
import yaml

from conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
EXPECTED = {"besu", "kafka", "schema-registry", "clickhouse", "jobmanager", "taskmanager", "sidecar", "prometheus", "grafana",
            "deploy", "follower", "decoder", "settlement", "slashing", "loader"}
# The ledger bridge's apps: the one-shot deploy and the long-running processes, with the variable
# that sets each one's /metrics port (bin/openledger.env has the same name and default).
BRIDGE_APPS = {"follower": "OPENLEDGER_FOLLOWER_METRICS_PORT", "decoder": "OPENLEDGER_DECODER_HTTP_PORT",
               "settlement": "OPENLEDGER_SETTLEMENT_METRICS_PORT", "slashing": "OPENLEDGER_SLASHING_METRICS_PORT",
               "loader": "OPENLEDGER_LOADER_METRICS_PORT"}
BRIDGE = {"deploy"} | set(BRIDGE_APPS)
# The app jar holds ledger-bridge and what it depends on, the schemas module among them.
BRIDGE_SOURCES = [ROOT / "ledger-bridge/src/main/java", ROOT / "schemas/src/main/java"]
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def project_version():
    pom = ET.parse(ROOT / "pom.xml").getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return pom.find("m:version", ns).text


def dependencies(service):
    """depends_on as {service: condition}, from either its list or its mapping form."""
    depends = service.get("depends_on", [])
    if isinstance(depends, list):
        return {name: "service_started" for name in depends}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()}


def config_variables():
    """Every OPENLEDGER_* variable the bridge's code reads: its config keys' (ConfigKey), and any it
    names literally."""
    java = "\n".join(p.read_text() for d in BRIDGE_SOURCES for p in d.rglob("*.java"))
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
        for port in service.get("ports", []):
            host_ip, host_port, _container = port.split(":")
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
            assert host_port not in seen, f"{name} and {seen.get(host_port)} both publish {host_port}"
            seen[host_port] = name


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
    assert {"besu", "kafka-exporter", "schema-registry", "clickhouse", "jobmanager", "taskmanager", "sidecar"} <= targets
    assert set(BRIDGE_APPS) <= targets


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
    assert SERVICES["jobmanager"]["environment"]["OPENLEDGER_SIDECAR_TOKEN"] == token


def test_should_submit_the_project_job_class_to_the_flink_cluster():
    command = SERVICES["jobmanager"]["command"]
    job_class = re.search(r"--job-classname (\S+)", command).group(1)
    source = ROOT / "flink-jobs/src/main/java" / (job_class.replace(".", "/") + ".java")
    assert source.is_file(), f"{job_class} does not exist"
    assert SERVICES["jobmanager"]["environment"]["OPENLEDGER_FLINK_MODE"] == "cluster"


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
