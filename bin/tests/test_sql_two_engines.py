"""sql/ on two engines, on the same data: the local ClickHouse 18.16 server and a current engine (chDB).

Locally the server is Debian's 18.16 (2018); analysts run current releases. This loads one fixed,
realistic ledger (fees, attribution results, accruals, windows' batches and their leaves, the
optimistic settlement's events, flags and slashes, dead letters, a reorg's compensating rows,
reloaded duplicates, wei up to Decimal(38, 0)'s largest value) into a throwaway database on both,
runs every statement of sql/ there (the DDL, each table's columns, each table through FINAL, every
view, every query of the pack, every reconciliation query for two block ranges) and compares the
answers: column names and values, in order where the statement orders them, as a multiset where it
does not. Values are read in RowBinary and decoded here (18.16's text formats print some
Decimal128 values wrongly, even through toString), so wei are compared exactly.

A statement whose answers differ fails the test unless ALLOWED lists it with the reason. The test
prints a short report (statements run, equal, different and why). Without
OPENLEDGER_CLICKHOUSE_URL (bin/openledger test exports it while the stack is up) only chDB's half
runs. sql/README.md ("Two engines") has the findings.
"""
import datetime
import hashlib
import json
import os
import pathlib
import random
import re
import struct
import urllib.error
import urllib.request
import uuid
from decimal import Decimal

import pytest

chdb_session = pytest.importorskip("chdb.session")
CHDB_VERSION = pytest.importorskip("chdb").__version__

ROOT = pathlib.Path(__file__).resolve().parents[2]
SQL = ROOT / "sql"
DATABASE = "openledger_two_engines_" + uuid.uuid4().hex[:8]

# Statements whose answers may differ between 18.16 and a current engine, with the reason. Keep it
# empty where sql/ can say the same thing to both: a statement listed here that agrees again fails
# the test, so the list never outlives its reason.
ALLOWED = {
    # DESC shows a DEFAULT as 18.16 stored it, wrapped in a CAST to the column's type
    # (CAST(0, 'UInt32'), CAST('LINEAR', 'String')); current servers show it as written (0,
    # 'LINEAR'). The same default either way, and the loader's Ddl compares column names only.
    "columns params_changed": "18.16 shows a column's DEFAULT wrapped in CAST(x, 'Type')",
    "columns slash_proposals": "18.16 shows a column's DEFAULT wrapped in CAST(x, 'Type')",
}

# Two block ranges for the reconciliation: bin/openledger reconcile's default step over everything,
# and a narrow one whose edges cut windows and the reorged blocks.
RECONCILE_RANGES = [(0, 1_000_000, 1000), (150, 5200, 100)]

WEI_MAX = 10**38 - 1  # Decimal(38, 0)'s largest value (about 2^126.2); 18.16 prints it wrongly as text


# --- the engines -----------------------------------------------------------------------------------


class Failed(Exception):
    pass


class Server:
    """A ClickHouse server over HTTP (the stack's 18.16)."""

    def __init__(self, url):
        self.url = url.rstrip("/") + "/"
        self.name = "server"

    def run(self, sql, fmt=None):
        body = sql if fmt is None else f"{sql}\nFORMAT {fmt}"
        try:
            with urllib.request.urlopen(self.url, data=body.encode(), timeout=120) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            raise Failed(e.read().decode(errors="replace").strip()) from None


class Chdb:
    """chDB's in-process current engine."""

    def __init__(self, session):
        self.session = session
        self.name = "chdb"

    def run(self, sql, fmt=None):
        try:
            result = self.session.query(sql, fmt or "TabSeparated")
        except Exception as e:  # chDB raises its own RuntimeError subclasses
            raise Failed(str(e).strip()) from None
        return result.bytes()


def one_line(message):
    """An engine's error, short: its first line, without the stack trace."""
    line = message.splitlines()[0] if message else ""
    return re.sub(r",? e\.what\(\) = .*$", "", line)[:240]


# --- RowBinary, decoded by type --------------------------------------------------------------------


def parse_type(text):
    """'Array(Decimal(38, 0))' -> ('Array', [('Decimal', ['38', '0'])]); strings stay raw."""
    text = text.strip()
    m = re.match(r"^(\w+)\((.*)\)$", text, re.S)
    if not m:
        return (text, [])
    name, inner = m.group(1), m.group(2)
    args, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(inner):
        if c == "'" and (i == 0 or inner[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and c == "(":
            depth += 1
        elif not quoted and c == ")":
            depth -= 1
        elif not quoted and depth == 0 and c == ",":
            args.append(inner[start:i].strip())
            start = i + 1
    args.append(inner[start:].strip())
    if name in ("Array", "Nullable", "LowCardinality"):
        return (name, [parse_type(args[0])])
    if name == "Tuple":  # a current engine may name the elements: Tuple(a UInt64, b Int32)
        return (name, [parse_type(re.sub(r"^[A-Za-z_]\w*\s+(?=[A-Z])", "", a)) for a in args])
    return (name, args)


INTS = {"UInt8": "<B", "UInt16": "<H", "UInt32": "<I", "UInt64": "<Q",
        "Int8": "<b", "Int16": "<h", "Int32": "<i", "Int64": "<q", "Bool": "<B"}
WIDE = {"Int128": (16, True), "UInt128": (16, False), "Int256": (32, True), "UInt256": (32, False)}


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("RowBinary ends early")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def varint(self):
        shift = value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if b < 0x80:
                return value
            shift += 7

    def value(self, t):
        name, args = t
        if name in INTS:
            return struct.unpack(INTS[name], self.take(struct.calcsize(INTS[name])))[0]
        if name in WIDE:
            size, signed = WIDE[name]
            return int.from_bytes(self.take(size), "little", signed=signed)
        if name in ("Float32", "Float64"):
            return repr(struct.unpack("<f" if name == "Float32" else "<d", self.take(4 if name == "Float32" else 8))[0])
        if name == "String":
            return self.take(self.varint()).decode("utf-8", "backslashreplace")
        if name == "FixedString":
            return self.take(int(args[0])).decode("utf-8", "backslashreplace")
        if name == "Date":
            return str(datetime.date(1970, 1, 1) + datetime.timedelta(days=struct.unpack("<H", self.take(2))[0]))
        if name == "DateTime":
            seconds = struct.unpack("<I", self.take(4))[0]
            return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        if name.startswith("Decimal"):
            if name == "Decimal":
                precision, scale = int(args[0]), int(args[1])
            else:
                precision = {"Decimal32": 9, "Decimal64": 18, "Decimal128": 38, "Decimal256": 76}[name]
                scale = int(args[0])
            size = 4 if precision <= 9 else 8 if precision <= 18 else 16 if precision <= 38 else 32
            raw = int.from_bytes(self.take(size), "little", signed=True)
            return str(Decimal(raw).scaleb(-scale)) if scale else str(raw)
        if name in ("Enum8", "Enum16"):
            code = struct.unpack("<b" if name == "Enum8" else "<h", self.take(1 if name == "Enum8" else 2))[0]
            names = {}
            for a in args:
                m = re.match(r"^'((?:[^'\\]|\\.)*)'\s*=\s*(-?\d+)$", a)
                names[int(m.group(2))] = m.group(1)
            return names.get(code, code)
        if name == "Nullable":
            return None if self.take(1)[0] else self.value(args[0])
        if name == "LowCardinality":
            return self.value(args[0])
        if name == "Array":
            return [self.value(args[0]) for _ in range(self.varint())]
        if name == "Tuple":
            return [self.value(a) for a in args]
        raise ValueError(f"no RowBinary decoder for {name}")


def rows_of(data, types):
    reader, parsed, out = Reader(data), [parse_type(t) for t in types], []
    while reader.pos < len(data):
        out.append([reader.value(t) for t in parsed])
    return out


# --- the statements --------------------------------------------------------------------------------


def without_comments(path):
    """A file's text without its comment lines, as the Java loader and QueryPack read it."""
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("--"))


def in_database(statement):
    return statement.replace("openledger.", DATABASE + ".").replace(
        "DATABASE IF NOT EXISTS openledger", "DATABASE IF NOT EXISTS " + DATABASE)


def ordered(statement):
    """Whether the statement's answer is ordered: it ends with an ORDER BY."""
    return re.search(r"\bORDER BY\b[^()]*$", statement) is not None


class Statement:
    def __init__(self, sid, kind, sql, ordered=False, answers=True):
        self.id, self.kind, self.sql, self.ordered, self.answers = sid, kind, sql, ordered, answers


def catalogue(inserts):
    """Every statement, in the order they run: DDL, the data, then every read."""
    out, tables, views = [], [], []
    for path in sorted(SQL.glob("0*.sql")):
        for i, s in enumerate((s.strip() for s in without_comments(path).split(";")), 1):
            if not s:
                continue
            m = re.search(r"CREATE (TABLE|VIEW) IF NOT EXISTS openledger\.(\w+)", s)
            if m:
                (tables if m.group(1) == "TABLE" else views).append(m.group(2))
            sid = f"ddl {path.name}#{i}" + (f" {m.group(2)}" if m else "")
            out.append(Statement(sid, "ddl", in_database(s), answers=False))
    for table, sql in inserts:
        out.append(Statement(f"insert {table}", "insert", sql, answers=False))
    for name in tables + views:
        # Each column's name, type and default, in order.
        out.append(Statement(f"columns {name}", "columns", f"DESC TABLE {DATABASE}.{name}", ordered=True))
    for name in tables:
        out.append(Statement(f"table {name} FINAL", "table", f"SELECT * FROM {DATABASE}.{name} FINAL"))
    for name in views:
        out.append(Statement(f"view {name}", "view", f"SELECT * FROM {DATABASE}.{name}"))
    queries = sorted((SQL / "queries").glob("*.sql"))
    for path in queries:
        statements = [s.strip() for s in without_comments(path).split(";") if s.strip()]
        for i, s in enumerate(statements, 1):
            sid = f"pack {path.name}" + (f"#{i}" if len(statements) > 1 else "")
            out.append(Statement(sid, "pack", in_database(s), ordered=ordered(s)))
    for path in sorted((SQL / "reconcile").glob("*.sql")):
        text = without_comments(path).strip().rstrip(";")
        for start, end, step in RECONCILE_RANGES:
            sql = text.replace("{from}", str(start)).replace("{to}", str(end)).replace("{step}", str(step))
            sid = f"reconcile {path.name} [{start}, {end}] step {step}"
            out.append(Statement(sid, "reconcile", in_database(sql), ordered=ordered(sql)))
    return out


def answer(engine, statement):
    """('ok', names, types, rows) or ('error', message)."""
    try:
        if not statement.answers:
            engine.run(statement.sql)
            return ("ok", [], [], [])
        if statement.kind == "columns":  # DESC's first four columns exist on both
            text = engine.run(statement.sql, "JSONEachRow").decode()
            rows = [json.loads(line) for line in text.splitlines() if line]
            keys = ["name", "type", "default_type", "default_expression"]
            return ("ok", keys, ["String"] * 4, [[r[k] for k in keys] for r in rows])
        text = engine.run(f"DESC ({statement.sql})", "JSONEachRow").decode()
        columns = [json.loads(line) for line in text.splitlines() if line]
        names, types = [c["name"] for c in columns], [c["type"] for c in columns]
        return ("ok", names, types, rows_of(engine.run(statement.sql, "RowBinary"), types))
    except Failed as e:
        return ("error", one_line(str(e)))


def load_and_read(engine, statements):
    engine.run(f"DROP DATABASE IF EXISTS {DATABASE}")
    return {s.id: answer(engine, s) for s in statements}


def difference(statement, a, b):
    """Why two answers differ, in a line; None when they agree."""
    if a[0] == "error" or b[0] == "error":
        if a[0] == b[0] == "error":
            return None if a[1] == b[1] else "fails on both"
        return "server: " + (a[1] if a[0] == "error" else "ok") + "; chdb: " + (b[1] if b[0] == "error" else "ok")
    if a[1] != b[1]:
        return f"column names: server {a[1]}, chdb {b[1]}"
    rows_a, rows_b = a[3], b[3]
    if statement.ordered and rows_a == rows_b:
        return None
    key = lambda r: json.dumps(r)
    if sorted(rows_a, key=key) == sorted(rows_b, key=key):
        return None if not statement.ordered else "same rows, other order"
    only_a = [r for r in rows_a if r not in rows_b]
    only_b = [r for r in rows_b if r not in rows_a]
    return (f"{len(rows_a)} rows on the server, {len(rows_b)} on chdb; first only on the server: "
            f"{only_a[:1]}, first only on chdb: {only_b[:1]}")


# --- the data --------------------------------------------------------------------------------------


def h(*parts):
    return "0x" + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def address(name):
    return h("address", name)[:42]


def literal(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(literal(x) for x in v) + "]"
    raise TypeError(type(v))


class Ledger:
    """One deterministic ledger, as the pipeline would load it: rows per table, in load order.

    Block b's time is three days before this week's Monday plus b * 120 s, so blocks from 2160 on
    are in the current week (the pack's "this week" query) and earlier ones in the last.
    """

    CHAIN = 1337
    WHY_PAID = "0x976ea74026e726554db657fa54763abd0c3a0aa9"  # why_paid_in_batch.sql's address
    PROTOCOL = address("treasury")
    WINDOW = 500

    def __init__(self):
        self.rnd = random.Random(21)
        today = datetime.datetime.now(datetime.timezone.utc).date()
        monday = today - datetime.timedelta(days=today.weekday())
        midnight = datetime.datetime.combine(monday, datetime.time(), datetime.timezone.utc)
        self.t0 = int(midnight.timestamp()) - 3 * 86400
        self.rows = {}
        self.offsets = {}
        self.reloads = {}  # table -> rows loaded a second time (same key, same offset)
        self.build()

    # positions and rows

    def block_hash(self, block, branch="a"):
        return h("block", block, branch)

    def position(self, block, log_index, branch="a", removed=0):
        return {
            "chain_id": self.CHAIN, "block_number": block, "block_hash": self.block_hash(block, branch),
            "block_time": self.time(block), "tx_hash": h("tx", block, log_index, branch),
            "log_index": log_index, "removed": removed,
        }

    def time(self, block):
        return self.t0 + block * 120

    def add(self, table, row, ms=None):
        offset = self.offsets.get(table, 0)
        self.offsets[table] = offset + 1
        row = dict(row, _partition=0, _offset=offset)
        row["_timestamp_ms"] = ms if ms is not None else row.get("block_time", self.t0) * 1000 + 1500 + offset % 7
        self.rows.setdefault(table, []).append(row)
        return row

    def retract(self, table, row, ms):
        """The reorg's compensating record: the same key, removed = 1, a later offset."""
        fields = {k: v for k, v in row.items() if not k.startswith("_")}
        return self.add(table, dict(fields, removed=1), ms)

    def inserts(self):
        """(table, INSERT statement) in load order, reloads last."""
        out = []
        for table, rows in self.rows.items():
            out.append((table, self.insert(table, rows)))
        for table, rows in self.reloads.items():
            out.append((table + " (reloaded)", self.insert(table, rows)))
        return out

    @staticmethod
    def insert(table, rows):
        columns = list(rows[0])
        values = ",\n".join("(" + ", ".join(literal(r[c]) for c in columns) + ")" for r in rows)
        return f"INSERT INTO {DATABASE}.{table} ({', '.join(columns)}) VALUES\n{values}"

    # the ledger

    def build(self):
        rnd = self.rnd
        curator = address("curator")
        owners = {1: address("owner-1"), 2: address("owner-2"), 3: address("owner-3"), 4: address("owner-4")}
        people = [self.WHY_PAID] + [address(f"contributor-{i}") for i in range(1, 6)]
        # Datanets, curators.
        for d, name in ((1, "medical-qa"), (2, "legal-o'clock"), (3, "giant")):
            self.add("datanet_created", dict(self.position(d, 0), datanet_id=d, owner=address(f"dn-owner-{d}"),
                                             name=name, min_stake_wei=10**18))
            self.add("curator_set", dict(self.position(d, 1), datanet_id=d, curator=curator, enabled=1))
        self.add("curator_set", dict(self.position(40, 0), datanet_id=2, curator=curator, enabled=0))
        # Contributions: 1-5 in Datanet 1, 6-9 in 2, 10-12 in 3.
        self.contributions = {}
        for c in range(1, 13):
            datanet = 1 if c <= 5 else 2 if c <= 9 else 3
            contributor = self.WHY_PAID if c in (1, 3, 7) else people[1 + c % 5]
            stake = (2**126 + 7) if c == 11 else rnd.randrange(10**18, 10**20)
            block = 10 + c
            self.contributions[c] = (datanet, contributor, stake)
            row = self.add("data_contributed", dict(
                self.position(block, 0), contribution_id=c, datanet_id=datanet, contributor=contributor,
                content_hash=h("content", c), content_uri=f"file:///content/{c}.txt", stake_wei=stake))
            self.add("contribution_reviewed", dict(self.position(block + 50, 0), contribution_id=c, datanet_id=datanet,
                                                   curator=curator, accepted=0 if c == 9 else 1))
            if c == 1:
                self.reloads.setdefault("data_contributed", []).append(row)
        # Models, their owners.
        datanets_of = {1: [1], 2: [1, 2], 3: [2], 4: [3]}
        for m, ds in datanets_of.items():
            self.add("model_registered", dict(self.position(70 + m, 0), model_id=m, owner=owners[m], datanet_ids=ds,
                                              method="LoRA", name=f"model-{m}"))
        self.add("model_owner_changed", dict(self.position(3000, 3), model_id=2, previous_owner=owners[2],
                                             new_owner=address("owner-2b")))
        # Params: v1 LINEAR from block 1, v2 POWER 3 from block 2500 (the window boundary).
        params = [(1, 1, 7000, 2000, 1000, "LINEAR", 0), (2, 2500, 6500, 2500, 1000, "POWER", 3)]
        for version, block, c, o, p, rule, param in params:
            row = self.add("params_changed", dict(
                self.position(block, 2), version=version, contributor_bps=c, owner_bps=o, protocol_bps=p, top_k=3,
                similarity_threshold_ppm=250000, duplicate_bound_ppm=750000, min_payout_wei=0,
                settlement_window_blocks=self.WINDOW, max_payees_per_batch=3, share_rule=rule, share_rule_param=param))
        self.reloads.setdefault("params_changed", []).append(row)
        # Flags and slashes (contributions 5 and 9 never earn: 5 is slashed, 9 a duplicate).
        self.flag(4, 900, disputed=True, cleared=True)
        self.flag(5, 950, slashed=True)
        self.flag(8, 3100, disputed=True)
        self.flag(11, 4000, slashed=True)  # a stake of 2^126 + 7 wei
        self.add("stake_withdrawn", dict(self.position(4200, 0), contribution_id=2, datanet_id=1,
                                         contributor=self.contributions[2][1], amount_wei=self.contributions[2][2]))
        for c, of, reason in ((9, 6, 1), (5, 0, 2), (3, 1, 1)):
            row = self.add("slash_proposals", dict(
                self.position(30 + c, 1), contribution_id=c, datanet_id=self.contributions[c][0],
                contributor=self.contributions[c][1], duplicate_of=of, similarity_ppm=980000 if of else 0,
                duplicate_bound_ppm=750000, params_version=1, encoder_id="hashing-ngram-v2", reason_code=reason,
                detail="" if reason == 1 else "too-short: 3 words"))
            if c == 3:  # the attribution job took contribution 3's proposal back
                self.retract("slash_proposals", row, row["_timestamp_ms"] + 60000)
        # Inferences: 36 spread over blocks 100-4800, a reorg at 1200-1202, one fee of 10^38 - 1.
        self.accrued = []
        blocks = sorted(rnd.sample([b for b in range(100, 4800) if not 1190 <= b <= 1210], 34) + [1201, 1202])
        inference, escrowed = 0, 0
        for block in blocks:
            inference += 1
            model = 1 + (inference % 3)
            fee = 2**64 + 1 if inference == 5 else rnd.randrange(10**15, 10**21)
            events = self.pay(inference, block, 0 if block not in (1201, 1202) else 4, "a", model, fee,
                              unattributed=(inference == 9))
            if block in (1201, 1202):  # reorged: retracted, then the other branch reuses the id
                self.reorg(events, inference, block, model, rnd.randrange(10**15, 10**21))
            escrowed += fee
            self.add("fee_escrowed", dict(self.position(block, 1), amount_wei=fee, escrowed_wei=escrowed))
        self.pay(inference + 1, 5000, 0, "a", 4, WEI_MAX, unattributed=False)
        self.add("fee_escrowed", dict(self.position(5000, 1), amount_wei=WEI_MAX, escrowed_wei=WEI_MAX))
        # Contribution 12 was re-included by the reorg: retracted on branch a, again on b.
        row = next(r for r in self.rows["data_contributed"] if r["contribution_id"] == 12)
        self.retract("data_contributed", row, self.time(row["block_number"] + 3) * 1000)
        self.add("data_contributed", dict(row, **self.position(row["block_number"], 0, "b")))
        self.batches()
        self.dead_letters()

    def flag(self, c, block, disputed=False, cleared=False, slashed=False):
        datanet, contributor, stake = self.contributions[c]
        common = dict(contribution_id=c, datanet_id=datanet, contributor=contributor)
        self.add("contribution_flagged", dict(self.position(block, 0), **common, flagger=address("flagger"),
                                              reason_code=2, expires_at_block=block + 1000, evidence=h("evidence", c)))
        if disputed:
            self.add("flag_disputed", dict(self.position(block + 5, 0), **common))
        if cleared:
            self.add("flag_cleared", dict(self.position(block + 9, 0), **common))
        if slashed:
            self.add("stake_slashed", dict(self.position(block + 9, 1), **common, amount_wei=stake, reason_code=2))

    def params(self, block):
        return (1, 7000, 2000, "LINEAR") if block < 2500 else (2, 6500, 2500, "POWER")

    def owner(self, model, block):
        if model == 2 and block > 3000:
            return address("owner-2b")
        return address(f"owner-{model}")

    def pay(self, inference, block, log_index, branch, model, fee, unattributed):
        """An InferencePaid, its attribution result and its accruals; returns the rows."""
        rnd = self.rnd
        pos = self.position(block, log_index, branch)
        event_ms = self.time(block) * 1000 + 900 + rnd.randrange(1000)
        paid = self.add("inference_paid", dict(
            pos, inference_id=inference, model_id=model, payer=address(f"payer-{inference % 4}"), fee_wei=fee,
            query_hash=h("query", inference), query_uri=f"file:///q/{inference}"), event_ms)
        version, c_bps, o_bps, rule = self.params(block)
        datanets = {1: [1], 2: [1, 2], 3: [2], 4: [3]}[model]
        candidates = [c for c, (d, _, _) in self.contributions.items() if d in datanets and c not in (5, 9, 11)]
        chosen = [] if unattributed else rnd.sample(candidates, min(3, len(candidates)))
        scores = sorted((rnd.randrange(300000, 1000000) for _ in chosen), reverse=True)
        weights = [s**3 if rule == "POWER" else s for s in scores]
        result = self.add("attribution_results", dict(
            pos, inference_id=inference, model_id=model, encoder_id="hashing-ngram-v2", encoder_version="2",
            params_version=version, unattributed=1 if unattributed else 0, contribution_ids=chosen,
            contributors=[self.contributions[c][1] for c in chosen], ranks=list(range(1, len(chosen) + 1)),
            score_ppm=scores, weights=weights), event_ms + 300 + rnd.randrange(4000))
        pool, owner_part = fee * c_bps // 10000, fee * o_bps // 10000
        protocol = fee - pool - owner_part
        shares = []  # (role, contribution, unattributed, payee, amount)
        if chosen:
            total = sum(weights)
            floors = [pool * w // total for w in weights]
            order = sorted(range(len(chosen)), key=lambda i: (-(pool * weights[i] % total), chosen[i]))
            for i in order[: pool - sum(floors)]:
                floors[i] += 1
            shares += [("CONTRIBUTOR", c, 0, self.contributions[c][1], a) for c, a in zip(chosen, floors)]
        else:
            shares.append(("PROTOCOL", 0, 1, self.PROTOCOL, pool))
        shares.append(("MODEL_OWNER", 0, 0, self.owner(model, block), owner_part))
        shares.append(("PROTOCOL", 0, 0, self.PROTOCOL, protocol))
        accruals = []
        for role, c, un, payee, amount in shares:
            if amount > 0:
                accruals.append(self.add("payout_accruals", dict(
                    pos, inference_id=inference, model_id=model, payee=payee, role=role, contribution_id=c,
                    unattributed=un, amount_wei=amount, params_version=version), result["_timestamp_ms"] + 200))
        assert sum(a["amount_wei"] for a in accruals) == fee
        if inference == 1:  # loaded again after a crash before the loader's commit
            self.reloads.setdefault("inference_paid", []).append(paid)
            self.reloads.setdefault("payout_accruals", []).extend(accruals)
        if branch == "a" and block not in (1201, 1202):
            self.accrued += accruals
        return paid, result, accruals

    def reorg(self, events, inference, block, model, fee):
        paid, result, accruals = events
        ms = self.time(block + 3) * 1000
        self.retract("inference_paid", paid, ms)
        self.retract("attribution_results", result, ms)
        for a in accruals:
            self.retract("payout_accruals", a, ms)
        _, _, new = self.pay(inference, block, 4, "b", 1 + (model % 3), fee, unattributed=False)
        self.accrued += new

    def batches(self):
        """Each window's batches (payees sorted, at most 3 a sub-batch) and leaves, then the chain's part."""
        windows = {}
        for a in self.accrued:
            windows.setdefault(a["block_number"] // self.WINDOW, []).append(a)
        self.emitted = []
        for slot, accruals in sorted(windows.items()):
            start, end = slot * self.WINDOW, slot * self.WINDOW + self.WINDOW - 1
            totals = {}
            for a in accruals:
                totals[a["payee"]] = totals.get(a["payee"], 0) + a["amount_wei"]
            payees = sorted(totals)
            subs = [payees[i:i + 3] for i in range(0, len(payees), 3)]
            for sub, group in enumerate(subs):
                batch_id = h("batch", self.CHAIN, start, end, sub)
                leaves = []
                for a in accruals:
                    if a["payee"] in group:
                        key = {k: a[k] for k in ("payee", "inference_id", "role", "contribution_id", "unattributed")}
                        leaves.append(dict(batch_id=batch_id, **key, amount_wei=a["amount_wei"],
                                           leaf_hash=h("leaf", batch_id, *key.values(), a["amount_wei"])))
                root = h("root", *sorted(l["leaf_hash"] for l in leaves))
                ms = (self.time(end) + 600) * 1000
                batch = self.add("payout_batches", dict(
                    batch_id=batch_id, chain_id=self.CHAIN, window_start=start, window_end=end, sub_batch=sub,
                    sub_batch_count=len(subs), payees=group, amounts_wei=[totals[p] for p in group],
                    total_wei=sum(totals[p] for p in group), merkle_root=root), ms)
                for leaf in leaves:
                    self.add("payout_batch_leaves", leaf, ms)
                if slot == 0 and sub == 0:
                    self.reloads.setdefault("payout_batches", []).append(batch)
                self.emitted.append(batch)
        # On chain: window 1's first batch is challenged, voided, proposed again and settled; window
        # 3's is challenged, the challenge rejected, then settled; window 4's second settlement is
        # retracted by a reorg; window 9's batches are only proposed (in their challenge window).
        for b in self.emitted:
            slot, sub = b["window_start"] // self.WINDOW, b["sub_batch"]
            block = b["window_end"] + 20 + sub
            common = dict(batch_id=b["batch_id"])
            body = dict(attribution_root=b["merkle_root"], total_wei=b["total_wei"], payees=b["payees"],
                        amounts_wei=b["amounts_wei"])
            proposal = dict(common, proposer=address("settler"), window_start=b["window_start"],
                            window_end=b["window_end"], sub_batch=sub, sub_batch_count=b["sub_batch_count"], **body)
            self.add("batch_proposed", dict(self.position(block, 7), **proposal, challenge_deadline=block + 30))
            if slot == 9:
                continue
            settle_at = block + 40
            if slot == 1 and sub == 0:
                self.challenge(common, block + 5, self.position(block + 8, 7), upheld=1)
                self.add("batch_proposed", dict(self.position(block + 9, 7), **proposal, challenge_deadline=block + 39))
            if slot == 3 and sub == 0:  # rejected and settled in one block: only the log index orders them
                self.challenge(common, block + 5, self.position(block + 12, 2), upheld=0)
                settle_at = block + 12
            settled = self.add("batch_settled", dict(self.position(settle_at, 9), **common, **body))
            if slot == 4 and sub == 1:
                self.retract("batch_settled", settled, self.time(settle_at + 2) * 1000)
            if slot == 0 and sub == 0:
                self.reloads.setdefault("batch_settled", []).append(settled)

    def challenge(self, common, block, resolved_at, upheld):
        self.add("batch_challenged", dict(self.position(block, 7), **common, challenger=address("challenger"),
                                          bond_wei=10**20))
        winner = address("challenger" if upheld else "settler")
        self.add("batch_resolved", dict(resolved_at, **common, upheld=upheld, bond_winner=winner,
                                        bond_paid_wei=2 * 10**20))

    def dead_letters(self):
        day = self.t0 * 1000
        letters = [("loader", "undecodable: unknown schema id 99", "chain.inference-paid", 3, day + 3600_000),
                   ("loader", "undecodable: truncated record", "chain.inference-paid", 17, day + 7200_000),
                   ("settlement", "no known model owner", "payout.accruals", 40, day + 86400_000 + 5),
                   ("attribution", "content not fetchable: file:///missing", "chain.data-contributed", 2,
                    day + 2 * 86400_000)]
        for stage, reason, topic, offset, ms in letters:
            row = self.add("dead_letters", dict(
                stage=stage, reason=reason, source_topic=topic, source_partition=0, source_offset=offset, key_hex="",
                value_hex="00ff" * 4, chain_id=self.CHAIN, block_number=0, block_hash="", log_index=-1), ms)
            if stage == "settlement":  # written twice by an at-least-once writer: a later offset
                self.add("dead_letters", {k: v for k, v in row.items() if not k.startswith("_")}, ms + 10)


# --- the tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger():
    return Ledger()


@pytest.fixture(scope="module")
def statements(ledger):
    return catalogue(ledger.inserts())


@pytest.fixture(scope="module")
def server():
    url = os.environ.get("OPENLEDGER_CLICKHOUSE_URL")
    if not url:
        yield None
        return
    engine = Server(url)
    yield engine
    engine.run(f"DROP DATABASE IF EXISTS {DATABASE}")


@pytest.fixture(scope="module")
def timezone(server):
    """The server's time zone (UTC on the stack), so chDB reads block times the same way."""
    if server is None:
        return "UTC"
    zone = server.run("SELECT timezone()", "TabSeparated").decode().strip()
    return "UTC" if zone in ("Etc/UTC", "UTC") else zone


@pytest.fixture(scope="module")
def chdb(tmp_path_factory, timezone):
    session = chdb_session.Session(str(tmp_path_factory.mktemp("chdb-two-engines")))
    session.query(f"SET session_timezone = '{timezone}'")
    yield Chdb(session)
    session.close()


@pytest.fixture(scope="module")
def chdb_answers(chdb, statements):
    return load_and_read(chdb, statements)


def version(engine):
    return engine.run("SELECT version()", "TabSeparated").decode().strip()


def check_answers(name, answers, statements):
    """What must hold on each engine alone: everything runs, the data means what it should."""
    failed = {s.id: answers[s.id][1] for s in statements if answers[s.id][0] == "error"}
    assert not failed, f"{name}: statements failed: {json.dumps(failed, indent=1)}"
    for s in statements:
        if s.kind in ("pack", "reconcile", "view"):
            assert answers[s.id][3], f"{name}: {s.id} answered nothing: the data does not reach it"
        if s.kind == "reconcile":
            names, rows = answers[s.id][1], answers[s.id][3]
            bad = [r for r in rows if r[names.index("expected_wei")] != r[names.index("actual_wei")]]
            assert not bad, f"{name}: {s.id} does not reconcile: {bad}"
    fees = answers["table inference_paid FINAL"]
    live = [r for r in fees[3] if r[fees[1].index("removed")] == 0]
    assert str(WEI_MAX) in [r[fees[1].index("fee_wei")] for r in live], f"{name}: the largest fee is not exact"
    assert len(live) == 37, f"{name}: {len(live)} live fees (37: a reload and a reorg collapsed)"


def test_should_answer_every_statement_of_sql_on_a_current_engine(chdb_answers, statements):
    check_answers("chdb", chdb_answers, statements)


def test_should_answer_every_statement_of_sql_alike_on_18_16_and_a_current_engine(
        server, chdb, chdb_answers, statements, capsys):
    if server is None:
        pytest.skip("OPENLEDGER_CLICKHOUSE_URL is unset: no ClickHouse server to compare chDB with "
                    "(bin/openledger test exports it while the stack is up)")
    server_answers = load_and_read(server, statements)
    check_answers("server", server_answers, statements)
    differ, types, text, texts = {}, [], [], 0
    for s in statements:
        why = difference(s, server_answers[s.id], chdb_answers[s.id])
        if why:
            differ[s.id] = why
        elif server_answers[s.id][0] == "ok" and server_answers[s.id][2] != chdb_answers[s.id][2]:
            types.append(f"{s.id}: {server_answers[s.id][2]} vs {chdb_answers[s.id][2]}")
        if not why and s.kind in ("pack", "reconcile") and s.ordered:
            # What an analyst (and QueryPack) reads: the same answer as TabSeparated text. Reported,
            # not failed: 18.16 prints some Decimal128 values wrongly there.
            texts += 1
            if server.run(s.sql, "TabSeparated") != chdb.run(s.sql, "TabSeparated"):
                text.append(s.id)
    kinds = {}
    for s in statements:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    lines = [
        f"sql/ on two engines: server {version(server)}, chDB {CHDB_VERSION} (ClickHouse {version(chdb)})",
        f"  {len(statements)} statements ({', '.join(f'{n} {k}' for k, n in kinds.items())}): "
        f"{len(statements) - len(differ)} equal, {len(differ)} different",
    ]
    lines += [f"  differs, allowed: {sid}: {ALLOWED[sid]}" for sid in differ if sid in ALLOWED]
    lines += [f"  DIFFERS: {sid}: {why}" for sid, why in differ.items() if sid not in ALLOWED]
    lines += [f"  allowed but equal now (drop it from ALLOWED): {sid}" for sid in ALLOWED if sid not in differ]
    lines += [f"  same values, other column types: {t}" for t in types]
    lines.append(f"  TabSeparated text of the {texts} ordered pack and reconciliation answers: "
                 f"{texts - len(text)} equal")
    lines += [f"  same values, other TabSeparated text (18.16's Decimal128 text): {sid}" for sid in text]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert set(differ) == set(ALLOWED), "\n".join(lines)
