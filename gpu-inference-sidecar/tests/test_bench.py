"""The scoring benchmark runs end to end over Flight on a tiny index and prints its table.

Timing values are never asserted beyond being positive: the benchmark reports, it does not judge.
"""

import json

import numpy as np
import pytest

from openledger_sidecar import bench, bench_flight


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


def test_should_split_the_rows_over_many_datanets_and_run_each_threshold(capsys):
    rows = bench.main(["--sizes", "3000", "--dims", "8", "--batches", "4", "--k", "3", "--repeats", "1",
                       "--min-time", "0", "--datanets", "1,40", "--threshold", "0,0.2", "--chunk-rows", "500"])

    assert [(r.datanets, r.threshold) for r in rows] == [(1, 0.0), (1, 0.2), (40, 0.0), (40, 0.2)]
    assert all(r.n == 3000 and r.ratio > 0 for r in rows)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("|")[6].strip() for line in lines[2:]] == ["1", "1", "40", "40"]


def test_should_give_every_datanet_rows_of_uneven_sizes():
    owner = bench_flight.datanet_of_rows(20_000, 57)
    sizes = np.bincount(owner)[1:]

    assert len(sizes) == 57 and sizes.min() >= 1 and sizes.max() > 5 * np.median(sizes)


def test_should_refuse_k_larger_than_the_smallest_index():
    with pytest.raises(SystemExit):
        bench.main(["--sizes", "5", "--k", "10"])
