"""The quality benchmark runs end to end (--quick) through the service and writes its three outputs.

Figures are checked for being well-formed, not for being good: the benchmark reports, the docs judge.
"""

import contextlib
import io
import json

import pytest

from openledger_sidecar import quality
from openledger_sidecar.quality_queries import KINDS
from openledger_sidecar.share_rules import Rule


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One `--quick` run (seconds) shared by the tests that read its figures."""
    out = tmp_path_factory.mktemp("quality")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        figures = quality.main(["--quick", "--no-progress", "--out", str(out), "--log-level", "WARNING"])
    return figures, printed.getvalue(), out


def test_should_run_quick_end_to_end_and_write_table_json_and_html(quick):
    figures, printed, tmp_path = quick

    on_disk = json.loads((tmp_path / "figures.json").read_text(encoding="utf-8"))
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert on_disk == json.loads(json.dumps(figures))
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == printed
    assert page.count("<svg") == 4 and "<table>" in page and "http" not in page.split("<body>")[0]
    assert set(figures["encoders"]) == {"hashing-ngram", "hashing-ngram-v2", quality.SPAN}
    rules = figures["meta"]["rules"]
    for name, e in figures["encoders"].items():
        if name != quality.SPAN:
            assert f"| {name} v{e['version']} ({e['dim']}d) | exact |" in printed
        assert set(e["kinds"]) == set(KINDS)
        for kind in e["kinds"].values():
            assert 0 <= kind["recall_at_1"] <= 1 and 0 <= kind["recall_at_10"] <= 1
            for by_rule in kind["pool_to_source"].values():
                assert set(by_rule) == set(rules)
                assert all(0 <= v <= 1 + 1e-12 for v in by_rule.values())
        assert e["kinds"]["exact"]["recall_at_1"] >= 0.9  # exact spans of a small corpus are easy
        farmer = e["farmer"]
        assert farmer["flagged"]["verbatim"] == 1.0  # verbatim copies are always caught
        assert set(farmer["bounds"]) == {str(b) for b in quality.DUPLICATE_BOUNDS_PPM}
        assert e["queries_per_s"] > 0 and e["index_bytes"] > 0


def test_should_give_the_pool_to_the_wanted_contributions_only_by_their_rule():
    ranked = [(1, 0.9), (2, 0.5), (3, 0.0000001), (4, 0.3), (5, 0.25), (6, 0.24)]
    rules = [Rule("LINEAR"), Rule("TOP1")]

    shares = quality.rule_shares(ranked, rules, 200_000)

    assert set(shares["LINEAR"]) == {1, 2, 4, 5}  # topK 5 cut; a score under 1 ppm is not attributed
    assert sum(shares["LINEAR"].values()) == pytest.approx(1.0)
    assert shares["TOP1"] == {1: 1.0, 2: 0.0, 4: 0.0, 5: 0.0}
    assert quality.pool_shares(ranked, rules, 200_000, {2, 4}.__contains__)["LINEAR"] == pytest.approx(0.8 / 1.95)
    assert quality.pool_shares([], rules, 0, bool) == {"LINEAR": 0, "TOP1": 0}


def test_should_refuse_unknown_rules_on_the_command_line():
    with pytest.raises(SystemExit):
        quality.parse(["--rules", "LINEAR,MEDIAN"])


def test_should_measure_span_match_through_the_service_when_run_quick(quick):
    figures, printed, _ = quick
    span = figures["encoders"][quality.SPAN]
    label = f"{quality.SPAN} v{span['version']} (duplicates by {quality.SPAN_DUPLICATE_ENCODER})"

    assert span["method"] == "span" and span["encoder_id"] == "span-match"
    for kind in KINDS:
        assert f"| {label} | {kind} |" in printed  # a recall and pool row per query kind
        assert set(span["kinds"][kind]["pool_to_source"]) == {str(t) for t in quality.THRESHOLDS_PPM}
    assert span["kinds"]["exact"]["recall_at_1"] >= 0.99  # the goal for exact spans
    assert span["kinds"]["exact"]["mean_source_score"] == pytest.approx(1.0)  # an exact span is covered whole
    assert span["farmer"]["flagged"]["verbatim"] == 1.0  # flagged by the embedding index, as in the pipeline
    assert span["farmer"]["bounds"][str(quality.DUPLICATE_BOUND_PPM)]["farmer_share"]  # measured at the default bound
    assert span["tokens"] > 0 and span["bytes_per_token"] > 0 and span["span_index_seconds"] > 0
    assert span["queries_per_s"] > 0
    assert f"| {label} | {span['tokens']:,} |" in printed  # the span index's cost row


def test_should_leave_span_out_when_asked(tmp_path):
    figures = quality.main(["--quick", "--no-progress", "--no-span", "--encoders", "hashing-ngram-v2",
                            "--rules", "LINEAR,POWER(3)", "--out", str(tmp_path), "--log-level", "WARNING"])

    assert set(figures["encoders"]) == {"hashing-ngram-v2"}
