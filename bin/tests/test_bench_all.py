"""`bench all`'s table reads each benchmark's figures back from its log; a missing log reads '–'."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_all", ROOT / "bin" / "lib" / "bench_all.py")
bench_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_all)

FOLLOWER = """
range: 4223 blocks, 20232 logs (node http://127.0.0.1:8545)
raw eth_getLogs scan (500-block ranges):    20000 logs/s  (1.01 s)
follower into Kafka, exactly once:            5000 logs/s  (4.04 s, 20232 logs; warm-up pass 6.00 s)
Kafka ceiling (same records, tx of 2000):    10000 records/s; follower / ceiling 0.50
decoder app through Kafka (exactly once):     4000 records/s
decoder work (Avro + ABI decode):            16000 records/s (20232 records x 5)
"""

SIDECAR = """
| backend | index rows | ratio |
|---|---|---|
| numpy | 20000 | 0.61 |
| numpy | 100000 | 0.72 |
"""


def test_should_read_ratios_when_logs_hold_figures(tmp_path):
    (tmp_path / "follower.log").write_text(FOLLOWER)
    (tmp_path / "sidecar-datanets.log").write_text(SIDECAR)
    rows = {(r[0], r[2]): r for r in bench_all.rows(str(tmp_path))}
    assert rows[("follower into Kafka", "raw eth_getLogs 20,000 logs/s")][3] == "0.25"
    assert rows[("follower into Kafka", "transactional producer 10,000 records/s")][3] == "0.50"
    assert rows[("decoder through Kafka", "its work in memory 16,000 records/s")][3] == "0.25"
    many = [r for r in rows.values() if r[0] == "sidecar scoring, one model over 57 Datanets"][0]
    assert many[3] == "0.61–0.72 over 2 rows"


def test_should_say_dash_when_a_benchmark_left_no_log(tmp_path):
    rows = bench_all.rows(str(tmp_path))
    attribution = [r for r in rows if r[0] == "attribution job"][0]
    assert attribution[1] == "–" and attribution[3] == "–"
