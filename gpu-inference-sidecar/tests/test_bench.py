"""The scoring benchmark runs end to end over Flight on a tiny index and prints its table.

Timing values are never asserted beyond being positive: the benchmark reports, it does not judge.
"""

import json

import pytest

from openledger_sidecar import bench


def test_should_print_one_row_per_configuration_with_positive_figures(capsys, tmp_path):
    out = tmp_path / "rows.json"

    rows = bench.main(["--sizes", "2000", "--dims", "16", "--batches", "8,16", "--k", "5", "--repeats", "2",
                       "--min-time", "0", "--chunk-rows", "700", "--json", str(out)])

    lines = capsys.readouterr().out.strip().splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    assert header == [title for _, title in bench.COLUMNS]
    assert [(r[0], r[2], r[3], r[4]) for r in cells] == [("numpy", "2,000", "16", "8"), ("numpy", "2,000", "16", "16")]
    for row in rows:
        assert row.batches >= 2
        assert min(row.qps, row.p50_ms, row.p99_ms, row.sidecar_gflops, row.matmul_gflops, row.ratio) > 0
    assert [r["batch"] for r in json.loads(out.read_text())] == [8, 16]


def test_should_refuse_k_larger_than_the_smallest_index():
    with pytest.raises(SystemExit):
        bench.main(["--sizes", "5", "--k", "10"])
