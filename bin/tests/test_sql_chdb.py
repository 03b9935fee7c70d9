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


def test_should_show_each_batch_state_from_its_events_latest_position_winning(session):
    for statement in statements():
        session.query(statement)
    common = "1337, {block}, '0xb{block}', '2026-11-25 00:00:00', '0xt', {log}, {removed}, '0x{id:064x}'"
    tail = ", 0, {offset}, 1764000000000)"
    proposed = "(" + common + ", '0xsettler', 1, 5, 0, 1, '0xroot', 30, {deadline}, ['0xp1', '0xp2'], [10, 20]" + tail
    challenged = "(" + common + ", '0xchallenger', 1000000000000000000" + tail
    resolved = "(" + common + ", {upheld}, '0xwinner', 2000000000000000000" + tail
    settled = "(" + common + ", '0xroot', 30, ['0xp1', '0xp2'], [10, 20]" + tail
    offset = iter(range(1000))

    def insert(table, row, **values):
        values.setdefault("removed", 0)
        values.setdefault("log", 0)
        session.query(f"INSERT INTO openledger.{table} VALUES " + row.format(offset=next(offset), **values))

    def states():
        result = rows(
            session,
            "SELECT batch_id, state, state_block, challenge_deadline, proposals FROM openledger.batch_states"
            " WHERE chain_id = 1337 ORDER BY batch_id",
        )
        return {int(r["batch_id"], 16): (r["state"], int(r["state_block"]), int(r["challenge_deadline"]), int(r["proposals"])) for r in result}

    # id 1: proposed, challenged, the challenge upheld (voided), proposed again, settled.
    insert("batch_proposed", proposed, block=10, id=1, deadline=13)
    assert states()[1] == ("proposed", 10, 13, 1)
    insert("batch_challenged", challenged, block=11, id=1)
    assert states()[1] == ("challenged", 11, 13, 1)
    insert("batch_resolved", resolved, block=12, id=1, upheld=1)
    assert states()[1] == ("voided", 12, 13, 1)
    insert("batch_proposed", proposed, block=20, id=1, deadline=23)
    assert states()[1] == ("proposed", 20, 23, 2)
    insert("batch_settled", settled, block=24, id=1)
    insert("batch_settled", settled, block=24, id=1)  # loaded again: no second row, no change
    assert states()[1] == ("settled", 24, 23, 2)

    # id 2: proposed, challenged and the challenge rejected in the same block, then settled at once
    # in it too: only the log index orders them.
    insert("batch_proposed", proposed, block=30, id=2, deadline=33)
    insert("batch_challenged", challenged, block=31, log=2, id=2)
    insert("batch_resolved", resolved, block=31, log=5, id=2, upheld=0)
    assert states()[2] == ("rejected", 31, 33, 1)
    insert("batch_settled", settled, block=31, log=9, id=2)
    assert states()[2] == ("settled", 31, 33, 1)

    # A reorg retracts id 2's settlement: the batch is rejected (finalizable) again.
    insert("batch_settled", settled, block=31, log=9, id=2, removed=1)
    assert states()[2] == ("rejected", 31, 33, 1)
    # A batch only ever proposed, and one whose only proposal a reorg retracted (not shown).
    insert("batch_proposed", proposed, block=40, id=3, deadline=43)
    insert("batch_proposed", proposed, block=41, id=4, deadline=44)
    insert("batch_proposed", proposed, block=41, id=4, deadline=44, removed=1)
    assert states() == {
        1: ("settled", 24, 23, 2),
        2: ("rejected", 31, 33, 1),
        3: ("proposed", 40, 43, 1),
    }
    amounts = rows(session, "SELECT total_wei, amounts_wei FROM openledger.batch_proposed FINAL WHERE removed = 0 LIMIT 1")
    assert amounts[0]["total_wei"] == "30" and amounts[0]["amounts_wei"] == ["10", "20"]


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
