"""The project's DDL (sql/0*.sql) on a current ClickHouse engine, in-process through chDB.

The local server is ClickHouse 18.16 (Debian's only package); the Java tests run the DDL there.
This runs the same files, unchanged, on chDB's current engine, so the SQL is known to keep to what
both accept, and checks the rules the loader relies on: ReplacingMergeTree collapses a reloaded
row and a reorg's compensating record, and wei amounts stay exact.
"""
import json
import pathlib
import re

import pytest

chdb_session = pytest.importorskip("chdb.session")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SQL = sorted((ROOT / "sql").glob("0*.sql"))


def statements():
    """Every statement of the DDL files, as the Java loader splits them (comment lines dropped)."""
    out = []
    for path in SQL:
        text = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("--")
        )
        out += [s.strip() for s in text.split(";") if s.strip()]
    return out


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    s = chdb_session.Session(str(tmp_path_factory.mktemp("chdb")))
    yield s
    s.close()


def rows(session, sql):
    result = session.query(sql + " SETTINGS output_format_json_quote_decimals=1", "JSONEachRow")
    return [json.loads(line) for line in result.bytes().decode().splitlines() if line]


def test_should_apply_every_ddl_statement_twice_on_a_current_engine(session):
    for _ in range(2):  # IF NOT EXISTS throughout
        for statement in statements():
            session.query(statement)
    declared = {
        m.group(1)
        for path in SQL
        for m in re.finditer(r"CREATE TABLE IF NOT EXISTS openledger\.(\w+)", path.read_text())
    }
    tables = {r["name"] for r in rows(session, "SELECT name FROM system.tables WHERE database = 'openledger'")}
    assert declared and declared <= tables
    version = rows(session, "SELECT version() AS v")[0]["v"]
    assert int(version.split(".")[0]) >= 24, version


def test_should_collapse_a_reloaded_row_and_apply_a_reorg_retraction(session):
    for statement in statements():
        session.query(statement)
    fee = "123456789012345678901234567890"
    row = "(1337, {block}, '0xb{block}', '2026-11-25 00:00:00', '0xt', 0, {removed}, {id}, 1, '0xpayer', {fee}, '0xq', 'file:///q', 0, {offset}, 1764000000000)"
    values = [
        row.format(block=10, removed=0, id=1, fee=fee, offset=0),
        row.format(block=11, removed=0, id=2, fee=1, offset=1),
        row.format(block=10, removed=0, id=1, fee=fee, offset=0),  # loaded again: same key, version
        row.format(block=11, removed=1, id=2, fee=1, offset=2),  # the reorg's compensating record
    ]
    session.query("INSERT INTO openledger.inference_paid VALUES " + ",".join(values))
    live = rows(
        session,
        "SELECT inference_id, fee_wei FROM openledger.inference_paid FINAL WHERE removed = 0",
    )
    assert [(str(r["inference_id"]), r["fee_wei"]) for r in live] == [("1", fee)]


def test_should_run_every_view_and_every_query_of_the_pack(session):
    for statement in statements():
        session.query(statement)
    views = [r["name"] for r in rows(session, "SELECT name FROM system.tables WHERE database = 'openledger' AND engine = 'View'")]
    assert len(views) >= 8
    for view in views:
        session.query(f"SELECT * FROM openledger.{view}", "CSV")
    queries = sorted((ROOT / "sql" / "queries").glob("*.sql"))
    assert queries
    for path in queries:
        assert path.read_text().startswith("-- "), f"{path.name} opens with the question it answers"
        text = "\n".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("--"))
        for statement in (s.strip() for s in text.split(";")):
            if statement:
                session.query(statement, "CSV")


def test_should_run_the_reconciliation_queries(session):
    for statement in statements():
        session.query(statement)
    files = sorted((ROOT / "sql" / "reconcile").glob("*.sql"))
    assert files
    for path in files:
        text = "\n".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("--"))
        query = text.replace("{from}", "0").replace("{to}", "1000000").replace("{step}", "1000")
        session.query(query, "CSV")
