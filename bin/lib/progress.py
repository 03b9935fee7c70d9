"""The demo's status line and summary, read from the running parts (standard library only).

Amounts come from ClickHouse in RowBinary: 18.16 prints a few Decimal128 values wrongly as text.
"""
import json
import os
import struct
import sys
import urllib.request

HOST = os.environ.get("OPENLEDGER_HOST", "127.0.0.1")
CLICKHOUSE = f"http://{HOST}:{os.environ.get('OPENLEDGER_CLICKHOUSE_HTTP_PORT', '8123')}/"
DB = os.environ.get("OPENLEDGER_CLICKHOUSE_DATABASE", "openledger")
WEI = 10**18


def fetch(url, data=None, timeout=5):
    with urllib.request.urlopen(url, data=data, timeout=timeout) as r:
        return r.read()


class Rows:
    """Reads RowBinary values off a byte string, in order."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def more(self):
        return self.at < len(self.data)

    def take(self, n):
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def uint64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def decimal128(self):
        return int.from_bytes(self.take(16), "little", signed=True)

    def string(self):
        n, shift = 0, 0
        while True:
            b = self.take(1)[0]
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        return self.take(n).decode()


def query(sql, fmt="RowBinary"):
    return fetch(CLICKHOUSE, (sql.replace("openledger.", DB + ".") + f" FORMAT {fmt}").encode())


def metric(url, name):
    try:
        for line in fetch(url, timeout=2).decode().splitlines():
            if line.startswith(name + " "):
                return int(float(line.split()[1]))
    except Exception:
        pass
    return None


def open_(wei):
    sign = "-" if wei < 0 else ""
    wei = abs(wei)
    return f"{sign}{wei // WEI}.{(wei % WEI) // 10**14:04d} OPEN"


def totals():
    # One query each: 18.16 refuses Decimal scalar subqueries side by side ("Type mismatch").
    fees = Rows(query("SELECT count(), sum(fee_wei) FROM openledger.fees"))
    accrued = Rows(query("SELECT sum(amount_wei) FROM openledger.accruals"))
    settled = Rows(query(
        "SELECT count(), sum(total_wei) FROM openledger.batch_settled FINAL WHERE removed = 0"))
    attributed = query(
        "SELECT count() FROM openledger.attribution_results FINAL WHERE removed = 0", "TabSeparated")
    return {"fees": fees.uint64(), "fees_wei": fees.decimal128(), "attributed": int(attributed),
            "accrued_wei": accrued.decimal128(), "batches": settled.uint64(),
            "settled_wei": settled.decimal128()}


def dead_letters():
    text = query("SELECT stage, count() FROM openledger.dead_letters FINAL GROUP BY stage ORDER BY stage",
                 "TabSeparated").decode()
    return [tuple(line.split("\t")) for line in text.splitlines() if line]


def line(follower):
    block = metric(follower, "follower_cursor_block")
    try:
        t = totals()
        dl = dead_letters()
    except Exception as e:  # the loader has not made its tables yet
        return f"block {block if block is not None else '?'} followed | ClickHouse not ready ({type(e).__name__})"
    letters = sum(int(n) for _, n in dl)
    stages = ", ".join(f"{s} {n}" for s, n in dl)
    return (f"block {block if block is not None else '?'} followed | {t['attributed']}/{t['fees']} inferences attributed"
            f" | accrued {open_(t['accrued_wei'])}, settled {open_(t['settled_wei'])} in {t['batches']} batches"
            f" | dead letters {letters}" + (f" ({stages})" if stages else ""))


def settled_all():
    t = totals()
    return t["fees"] > 0 and t["settled_wei"] == t["fees_wei"] == t["accrued_wei"]


def top_earners(n=5):
    r = Rows(query(
        "SELECT payee, accrued, settled FROM (SELECT payee, sum(amount_wei) AS accrued FROM openledger.accruals"
        " WHERE role = 'CONTRIBUTOR' GROUP BY payee) AS l ANY LEFT JOIN (SELECT payee, sum(amount) AS settled"
        " FROM openledger.batch_settled FINAL ARRAY JOIN payees AS payee, amounts_wei AS amount WHERE removed = 0"
        f" GROUP BY payee) AS r USING (payee) ORDER BY accrued DESC, payee LIMIT {n}"))
    out = []
    while r.more():
        out.append((r.string(), r.decimal128(), r.decimal128()))
    return out


def main():
    what = sys.argv[1]
    follower = sys.argv[2] if len(sys.argv) > 2 else ""
    if what == "line":
        print(line(follower), flush=True)
    elif what == "settled":
        sys.exit(0 if settled_all() else 1)
    elif what == "top":
        for payee, accrued, settled in top_earners():
            print(f"    {payee}  accrued {open_(accrued):>16}  settled {open_(settled):>16}  ({accrued} wei)")
    elif what == "json":
        t = totals()
        print(json.dumps({k: str(v) for k, v in t.items()}))
    else:
        sys.exit(f"unknown: {what}")


if __name__ == "__main__":
    main()
