import os
import pathlib
import socket

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

PORT_VARIABLES = [
    "OPENLEDGER_KAFKA_PORT",
    "OPENLEDGER_KAFKA_CONTROLLER_PORT",
    "OPENLEDGER_REGISTRY_PORT",
    "OPENLEDGER_CLICKHOUSE_HTTP_PORT",
    "OPENLEDGER_CLICKHOUSE_TCP_PORT",
    "OPENLEDGER_EVM_PORT",
    "OPENLEDGER_SIDECAR_FLIGHT_PORT",
    "OPENLEDGER_SIDECAR_HTTP_PORT",
    "OPENLEDGER_FLINK_UI_PORT",
    # the cluster mode's own (`up --cluster`)
    "OPENLEDGER_KAFKA2_PORT",
    "OPENLEDGER_KAFKA2_CONTROLLER_PORT",
    "OPENLEDGER_KAFKA3_PORT",
    "OPENLEDGER_KAFKA3_CONTROLLER_PORT",
    "OPENLEDGER_ZOOKEEPER_PORT",
    "OPENLEDGER_FLINK_JM_RPC_PORT",
]


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@pytest.fixture
def stack_env(tmp_path):
    """Environment for a second, private stack: its own run folder and random free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENLEDGER_")}
    env.update(zip(PORT_VARIABLES, map(str, free_ports(len(PORT_VARIABLES)))))
    env["OPENLEDGER_RUN_DIR"] = str(tmp_path / "run")
    return env
