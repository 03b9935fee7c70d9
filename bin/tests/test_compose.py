"""docker-compose.yml is consistent with the repository: no engine runs it here, so check it.

Every service has an image or a buildable context, every mounted file exists (or is a build
output of a module that produces it), every published port binds loopback once, every reference
between services resolves, and the Besu genesis is a valid single-validator QBFT genesis.
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
EXPECTED = {"besu", "kafka", "schema-registry", "clickhouse", "jobmanager", "taskmanager", "sidecar", "prometheus", "grafana"}


def project_version():
    pom = ET.parse(ROOT / "pom.xml").getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return pom.find("m:version", ns).text


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
        for dependency in service.get("depends_on", []):
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
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


def test_should_reserve_a_gpu_for_the_sidecar():
    devices = SERVICES["sidecar"]["deploy"]["resources"]["reservations"]["devices"]
    assert any("gpu" in d["capabilities"] for d in devices)


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
