"""Lint of the Grafana dashboards docker-compose.yml provisions (bin/compose/grafana).

No Grafana runs here, so check what would break one: the JSON, panel ids and layout, the data
source, and that every metric a query names is one the project's parts (or Flink, Kafka's
exporter) really expose, so a renamed metric cannot leave a panel silently empty.
"""
import json
import pathlib
import re

import pytest
import yaml

from conftest import ROOT

GRAFANA = ROOT / "bin" / "compose" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCES = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
PROVIDERS = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "openledger.yml").read_text())
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

# Prometheus functions, keywords and label names that can appear in an expression.
PROMQL_WORDS = {"rate", "sum", "max", "min", "by", "histogram_quantile", "le", "op", "job_name", "task_name",
                "consumergroup", "backend", "kind", "irate", "avg", "without", "on", "increase"}
# Exposed by others: Flink's built-in metrics and Kafka's exporter.
EXTERNAL = re.compile(r"^(flink_jobmanager_job_\w+|flink_taskmanager_job_task_(backPressuredTimeMsPerSecond|"
                      r"operator_KafkaSourceReader_\w+)|kafka_consumergroup_lag)$")


def sources(*globs):
    return "\n".join(p.read_text() for g in globs for p in ROOT.glob(g))


JAVA = sources("ledger-bridge/src/main/java/**/*.java", "flink-jobs/src/main/java/**/*.java")
PYTHON = sources("gpu-inference-sidecar/src/**/*.py")


def panels(dashboard):
    for p in dashboard["panels"]:
        yield p
        yield from p.get("panels", [])


def metric_names(expr):
    """Metric names of a PromQL expression: identifiers that are not functions, labels or strings."""
    expr = re.sub(r'"[^"]*"', "", expr)  # label values
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    words = re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr)
    return {w for w in words if w not in PROMQL_WORDS}


def exposed(metric):
    """True when a part of the project (or Flink, Kafka's exporter) exposes `metric`."""
    if EXTERNAL.match(metric):
        return True
    operator = re.match(r"^flink_taskmanager_job_task_operator_(\w+)$", metric)
    if operator:  # the jobs' own counters and gauges, registered by name
        return re.search(r'\.(counter|gauge|histogram)\(\s*"' + operator.group(1) + '"', JAVA) is not None
    base = re.sub(r"_(bucket|sum|count)$", "", metric)
    if base.startswith("sidecar_"):
        return f'"{base}"' in PYTHON
    return re.search(r"\b" + re.escape(metric) + r"\b", JAVA) is not None


def test_should_ship_a_dashboard():
    assert [d.name for d in DASHBOARDS] == ["pipeline-overview.json"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_should_be_valid_json_with_unique_ids_and_an_unoverlapping_layout(path):
    d = json.loads(path.read_text())
    assert d["uid"] and d["title"] and d["schemaVersion"] >= 36
    ids = [p["id"] for p in panels(d)]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    taken = set()
    for p in panels(d):
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, f"{p['title']} is off the grid"
        cells = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & taken, f"{p['title']} overlaps another panel"
        taken |= cells


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_should_query_the_provisioned_data_source_with_metrics_that_exist(path):
    uid = DATASOURCES["datasources"][0]["uid"]
    d = json.loads(path.read_text())
    for p in panels(d):
        if p["type"] == "row":
            continue
        assert p.get("description"), f"{p['title']}: say what the panel shows"
        assert p["datasource"]["uid"] == uid, p["title"]
        assert p["targets"], f"{p['title']} has no query"
        for t in p["targets"]:
            names = metric_names(t["expr"])
            assert names, f"{p['title']}: {t['expr']} names no metric"
            missing = {m for m in names if not exposed(m)}
            assert not missing, f"{p['title']}: nothing exposes {missing}"


def test_should_cover_what_operators_watch():
    titles = " ".join(p["title"].lower() for d in DASHBOARDS for p in panels(json.loads(d.read_text())))
    for topic in ("lag", "per second", "checkpoint", "back-pressure", "dead letters", "sidecar batch latency",
                  "device memory", "settlement"):
        assert topic in titles, f"no panel on {topic}"


def test_should_be_mounted_where_the_provisioning_looks():
    grafana = COMPOSE["services"]["grafana"]
    mounts = dict(v.rsplit(":", 2)[:2] for v in grafana["volumes"])
    assert mounts["./bin/compose/grafana/dashboards"] == PROVIDERS["providers"][0]["options"]["path"]
    assert mounts["./bin/compose/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert DATASOURCES["datasources"][0]["url"] == "http://prometheus:9090" and "prometheus" in COMPOSE["services"]
