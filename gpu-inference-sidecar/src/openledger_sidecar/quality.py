"""Attribution-quality benchmark: `python -m openledger_sidecar.quality` (`bin/openledger bench quality`).

Why: every fee is split exactly, but exactness is worth nothing if the split goes to the wrong
contributions. This benchmark says how often the pipeline's attribution finds the contribution a
query came from, and how much of the contributor pool reaches it under each share rule.

What it does, all in this process and through the same code the pipeline's sidecar runs
(`AttributionService.index`, `register_model`, `score`, Arrow batches in and out; only the Flight
transport is left out):
1. builds a corpus from the standard library's docstrings and comments (`quality_corpus`; queries and farmer in `quality_queries`), one
   Datanet per top-level package, and indexes it at block 1 as the pipeline does (every new
   contribution matched against earlier ones; a best match at or above the duplicate bound,
   750,000 ppm, flags it as a duplicate that is closed at once and earns nothing);
2. plants queries from known contributions: exact spans, spans with 15 % of words dropped, with
   words swapped for synonyms, locally reordered, and mixed (half a span of one contribution
   followed by half a span of another: both are its sources); scores them for one model over every
   Datanet (topK 10, threshold 0 for recall; the pipeline's topK 5 at thresholds 200,000 and 0
   ppm for the pool);
3. turns each answer into weights under each share rule (`share_rules`) and reports the share of
   the pool that reaches the source;
4. plants a duplicate farmer: after the corpus, at block 2, re-submissions of others'
   contributions (verbatim and lightly edited) in the same Datanet, flagged like any other; then
   measures, at block 3, the share of the pool of queries drawn from the farmed originals that
   goes to the farmer.
5. measures the span-match method (`span_index`) the same way, through the same service: the
   `index` calls that feed the embedding index feed the service's span index too, and queries are
   scored with `score(method="span")` (a score is the covered share of the query, turned into ppm
   and shared by the rules exactly as an embedding score). The service flags duplicates only
   through the embedding index's best match, so the span pass indexes with the pipeline's default
   encoder (`SPAN_DUPLICATE_ENCODER`) and flags copies as that encoder's match would.
Progress goes to stderr, Markdown tables to stdout, and `--out` gets figures.json (every figure),
report.md (the tables) and report.html (tables and charts, one self-contained file).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import defaultdict

import pyarrow as pa
from tqdm import tqdm

from . import quality_corpus as qc
from . import quality_queries as qq
from . import quality_report
from .service import SPAN as SPAN_METHOD
from .service import AttributionService
from .span_index import METHOD_ID as SPAN_METHOD_ID
from .span_index import VERSION as SPAN_VERSION
from .span_index import SpanIndex
from .share_rules import DEFAULT_RULES, Rule, parse_rule, ppm

log = logging.getLogger("openledger_sidecar.quality")

TOP_K = 5  # the pipeline's default topK (DeploymentPlan.dev)
THRESHOLDS_PPM = (200_000, 0)  # the pipeline's default similarity threshold, and none
DUPLICATE_BOUND_PPM = 750_000  # the pipeline's default duplicate bound (DeploymentPlan.dev)
DUPLICATE_BOUNDS_PPM = (950_000, 900_000, 850_000, 800_000, 750_000, 700_000)  # the farmer's sweep
RECALL_K = 10
MODEL_ID = 1
CORPUS_BLOCK, FARMER_BLOCK, QUERY_BLOCK = 1, 2, 3
BATCH_ROWS = 4096  # rows per index batch (the Java client's)
QUERY_ROWS = 512
QUICK_PACKAGES = frozenset({"email", "json", "logging", "http", "unittest", "asyncio"})
DEFAULT_ENCODERS = ("hashing-ngram", "hashing-ngram-v2")
SPAN = "span-match"  # the span method's row (span_index.METHOD_ID)
SPAN_DUPLICATE_ENCODER = "hashing-ngram-v2"  # the pipeline's default encoder: flags duplicates for span models


def _index_rows(contributions: list[qc.Contribution], block: int) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "contribution_id": pa.array([c.contribution_id for c in contributions], pa.int64()),
        "active_from": pa.array([block] * len(contributions), pa.int64()),
        "text": pa.array([c.text for c in contributions], pa.string()),
    })


def _query_rows(queries: list[qq.Query], block: int) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "inference_id": pa.array([q.query_id for q in queries], pa.int64()),
        "block": pa.array([block] * len(queries), pa.int64()),
        "text": pa.array([q.text for q in queries], pa.string()),
    })


class Run:
    """One encoder's (or the span method's) pass: its own service, the corpus indexed, queries
    scored, farmer planted. `method` is the service's score method ("embedding" or "span")."""

    def __init__(self, encoder: str, corpus: qc.Corpus, hashing_dim: int, bar: tqdm, method: str = "embedding") -> None:
        self.encoder = encoder
        self.method = method
        self.corpus = corpus
        self.bar = bar
        self.service = AttributionService(memory_limit=8 << 30, hashing_dim=hashing_dim)
        self.datanet_ids = corpus.datanets

    def index(self, contributions: list[qc.Contribution], block: int, bound_ppm: int | None) -> tuple[float, dict]:
        """Indexes per Datanet in id order; closes at once every contribution whose best earlier
        match reaches `bound_ppm` (the pipeline's duplicate rule; None: flags nothing yet).
        Returns (seconds, id -> best earlier match in ppm or None)."""
        by_datanet: dict[str, list[qc.Contribution]] = defaultdict(list)
        for c in contributions:
            by_datanet[c.datanet].append(c)
        best: dict[int, int | None] = {}
        seconds = 0.0
        for name in sorted(by_datanet, key=self.datanet_ids.get):
            datanet = self.datanet_ids[name]
            rows = by_datanet[name]
            for start in range(0, len(rows), BATCH_ROWS):
                part = rows[start : start + BATCH_ROWS]
                began = time.perf_counter()
                answer = self.service.index(datanet, _index_rows(part, block), encoder=self.encoder)
                for c, score in zip(answer.column("contribution_id").to_pylist(), answer.column("match_score").to_pylist()):
                    best[c] = None if score is None else ppm(score)
                    if bound_ppm is not None and best[c] is not None and best[c] >= bound_ppm:
                        self.service.close(datanet, c, block)  # never active: it earns nothing
                seconds += time.perf_counter() - began
                self.bar.update(len(part))
        return seconds, best

    def close_all(self, contributions: list[qc.Contribution], block: int, reopen: bool = False) -> None:
        for c in contributions:
            if reopen:
                self.service.reopen(self.datanet_ids[c.datanet], c.contribution_id)
            else:
                self.service.close(self.datanet_ids[c.datanet], c.contribution_id, block)

    def score(self, queries: list[qq.Query], block: int, k: int, threshold_ppm: int) -> tuple[dict, float]:
        """(query id -> [(contribution id, score)] in rank order, seconds)."""
        out: dict[int, list] = {q.query_id: [] for q in queries}
        seconds = 0.0
        for start in range(0, len(queries), QUERY_ROWS):
            part = queries[start : start + QUERY_ROWS]
            began = time.perf_counter()
            answer = self.service.score(MODEL_ID, k, threshold_ppm / 1_000_000.0, _query_rows(part, block), method=self.method)
            seconds += time.perf_counter() - began
            for q, c, s in zip(*(answer.column(n).to_pylist() for n in ("inference_id", "contribution_id", "score"))):
                out[q].append((c, s))
            self.bar.update(len(part))
        return out, seconds

    def release(self) -> None:
        self.service.reset()


def rule_shares(ranked: list, rules: list[Rule], threshold_ppm: int) -> dict[str, dict[int, float]]:
    """Per rule, each attributed contribution's share of the pool: the pipeline's topK of the
    sidecar's answer, scores to ppm, those of at least 1 ppm attributed (none: nothing is paid)."""
    attributed = [(c, ppm(s)) for c, s in ranked[:TOP_K] if ppm(s) > 0]
    out = {}
    for rule in rules:
        shares = rule.shares([s for _, s in attributed], threshold_ppm) if attributed else []
        out[rule.name] = {c: float(share) for (c, _), share in zip(attributed, shares)}
    return out


def pool_shares(ranked: list, rules: list[Rule], threshold_ppm: int, wanted) -> dict[str, float]:
    """Per rule, the share of the pool that goes to contributions for which `wanted(id)` holds."""
    return {name: sum(v for c, v in shares.items() if wanted(c))
            for name, shares in rule_shares(ranked, rules, threshold_ppm).items()}


def _mean(rows: list[dict[str, float]], names: list[str]) -> dict[str, float]:
    return {n: (sum(r[n] for r in rows) / len(rows) if rows else 0.0) for n in names}


def measure(run: Run, queries: list[qq.Query], rules: list[Rule]) -> tuple[dict, float]:
    """Per query kind: recall@1, recall@10, mean source score, pool-to-source per threshold and
    rule. Also the queries/s of the recall call (encoding, top-k and the answer included)."""
    recall, seconds = run.score(queries, CORPUS_BLOCK, RECALL_K, 0)
    pools = {0: {q: r[:TOP_K] for q, r in recall.items()}}  # topK 5 at 0: a prefix of topK 10
    for t in THRESHOLDS_PPM:
        if t:
            pools[t], _ = run.score(queries, CORPUS_BLOCK, TOP_K, t)
    names = [r.name for r in rules]
    kinds: dict[str, dict] = {}
    for kind in dict.fromkeys(q.kind for q in queries):
        mine = [q for q in queries if q.kind == kind]
        top1 = top10 = 0
        source_scores = []
        pool: dict[str, list] = {str(t): [] for t in THRESHOLDS_PPM}
        both: dict[str, list] = {str(t): [] for t in THRESHOLDS_PPM}
        for q in mine:
            ids = [c for c, _ in recall[q.query_id]]
            top1 += bool(ids) and ids[0] in q.sources
            top10 += all(s in ids for s in q.sources)
            source_scores.extend(s for c, s in recall[q.query_id] if c in q.sources)
            for t in THRESHOLDS_PPM:
                shares = rule_shares(pools[t][q.query_id], rules, t)
                pool[str(t)].append({n: sum(v for c, v in shares[n].items() if c in q.sources) for n in names})
                both[str(t)].append({n: min(shares[n].get(s, 0.0) for s in q.sources) for n in names})
        kinds[kind] = {
            "queries": len(mine),
            "recall_at_1": top1 / len(mine),  # the first is a source (a mixed query: either)
            "recall_at_10": top10 / len(mine),  # every source in the 10 best
            "mean_source_score": sum(source_scores) / len(source_scores) if source_scores else 0.0,
            "pool_to_source": {t: _mean(rows, names) for t, rows in pool.items()},
        }
        if kind == "mixed":
            kinds[kind]["lesser_source_share"] = {t: _mean(rows, names) for t, rows in both.items()}
    return kinds, len(queries) / seconds if seconds else float("nan")


def _flagged(best: dict, bound_ppm: int) -> set[int]:
    return {c for c, s in best.items() if s is not None and s >= bound_ppm}


def _quantiles(values: list[int]) -> dict[str, int]:
    values = sorted(values)
    if not values:
        return {}
    at = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"min": values[0], "p10": at(0.1), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": values[-1]}


def farmer(run: Run, originals, copies, queries: list[qq.Query], rules: list[Rule], corpus_best: dict) -> dict:
    """Indexes the farmer's copies after the corpus; per threshold and rule, the farmer's share of
    the pool of queries drawn from the farmed originals (overall and per edit of the copy), at the
    pipeline's duplicate bound and, at the default threshold, at lower bounds (a sweep)."""
    _, best = run.index(copies, FARMER_BLOCK, None)
    farmer_ids = {c.contribution_id for c in copies}
    edit_of = {c.contribution_id: c.source.split(":")[1] for c in copies}
    edited_copy = {int(c.source.split(":")[2]): edit_of[c.contribution_id] for c in copies if edit_of[c.contribution_id] != "verbatim"}
    names = [r.name for r in rules]
    result = {"originals": len(originals), "copies": len(copies), "queries": len(queries), "flagged": {},
              "match_ppm": {}, "farmer_share": {}, "by_edit": {}, "bounds": {}}
    honest = [s for s in corpus_best.values() if s is not None]
    result["corpus_best_match_ppm"] = _quantiles(honest)
    for edit in qq.EDITS:
        ids = [c for c, e in edit_of.items() if e == edit]
        if ids:
            result["flagged"][edit] = len(_flagged({c: best[c] for c in ids}, DUPLICATE_BOUND_PPM)) / len(ids)
            result["match_ppm"][edit] = _quantiles([best[c] for c in ids if best[c] is not None])
    for bound in DUPLICATE_BOUNDS_PPM:
        flagged = [c for c in copies if c.contribution_id in _flagged(best, bound)]
        run.close_all(flagged, FARMER_BLOCK)
        try:
            for t in THRESHOLDS_PPM if bound == DUPLICATE_BOUND_PPM else THRESHOLDS_PPM[:1]:
                answers, _ = run.score(queries, QUERY_BLOCK, TOP_K, t)
                rows = {q.query_id: pool_shares(answers[q.query_id], rules, t, farmer_ids.__contains__) for q in queries}
                shares = _mean(list(rows.values()), names)
                if bound == DUPLICATE_BOUND_PPM:
                    result["farmer_share"][str(t)] = shares
                    if t == THRESHOLDS_PPM[0]:
                        for edit in qq.EDITS[1:]:
                            mine = [rows[q.query_id] for q in queries if edited_copy.get(q.source_id) == edit]
                            if mine:
                                result["by_edit"][edit] = _mean(mine, names)
                if t == THRESHOLDS_PPM[0]:
                    result["bounds"][str(bound)] = {
                        "copies_flagged": len(flagged) / len(copies),
                        "honest_flagged": sum(1 for s in honest if s >= bound),
                        "farmer_share": shares,
                    }
        finally:
            run.close_all(flagged, FARMER_BLOCK, reopen=True)
    return result


def span_build(corpus: qc.Corpus, bar: tqdm) -> tuple[float, dict]:
    """The span index alone, built with the calls the service's `index` makes (`add_batch` per
    Datanet batch, no matches): its build seconds without the embedding encoder's, and its stats."""
    span = SpanIndex()
    by_datanet: dict[str, list[qc.Contribution]] = defaultdict(list)
    for c in corpus.contributions:
        by_datanet[c.datanet].append(c)
    began = time.perf_counter()
    for name in sorted(by_datanet, key=corpus.datanets.get):
        rows = by_datanet[name]
        for start in range(0, len(rows), BATCH_ROWS):
            part = rows[start : start + BATCH_ROWS]
            span.add_batch(corpus.datanets[name], [c.contribution_id for c in part], [c.text for c in part],
                           [CORPUS_BLOCK] * len(part))
            bar.update(len(part))
    seconds = time.perf_counter() - began
    stats = span.stats()
    span.release()
    return seconds, stats


def run_span(corpus, queries, farm, rules, args, bar) -> dict:
    """The span-match method through the service: indexed as the pipeline indexes (the embedding
    index of `SPAN_DUPLICATE_ENCODER` flags duplicates), scored with method "span"."""
    run = Run(SPAN_DUPLICATE_ENCODER, corpus, args.hashing_dim, bar, method=SPAN_METHOD)
    try:
        bar.set_description(f"{SPAN}: index")
        seconds, corpus_best = run.index(corpus.contributions, CORPUS_BLOCK, DUPLICATE_BOUND_PPM)
        run.service.register_model(MODEL_ID, sorted(corpus.datanets.values()), encoder=SPAN_DUPLICATE_ENCODER)
        stats = run.service.stats()["span"]
        bar.set_description(f"{SPAN}: score")
        kinds, qps = measure(run, queries, rules)
        bar.set_description(f"{SPAN}: farmer")
        originals, copies, farmer_queries = farm
        farmed = farmer(run, originals, copies, farmer_queries, rules, corpus_best)
    finally:
        run.release()
    bar.set_description(f"{SPAN}: build alone")
    span_seconds, alone = span_build(corpus, bar)
    rows = len(corpus.contributions)
    return {
        "method": "span", "encoder_id": SPAN_METHOD_ID, "version": SPAN_VERSION, "dim": 0,
        "duplicates_by": SPAN_DUPLICATE_ENCODER,
        "index_seconds": seconds, "contributions_per_s": rows / seconds,  # the service's index: embedding + span
        "span_index_seconds": span_seconds, "span_tokens_per_s": alone["tokens"] / span_seconds if span_seconds else 0.0,
        "queries_per_s": qps, "index_bytes": stats["bytes"], "bytes_per_row": round(stats["bytes"] / rows),
        "gib_at_1m_rows": stats["bytes"] / rows * 1_000_000 / (1 << 30),
        "tokens": stats["tokens"], "segments": stats["segments"], "vocabulary": stats["vocabulary"],
        "bytes_per_token": stats["bytes"] / stats["tokens"] if stats["tokens"] else 0.0,
        "corpus_flagged_duplicates": len(_flagged(corpus_best, DUPLICATE_BOUND_PPM)), "kinds": kinds, "farmer": farmed,
    }


def run_encoder(name: str, corpus, queries, farm, rules, args, bar) -> dict:
    run = Run(name, corpus, args.hashing_dim, bar)
    try:
        bar.set_description(f"{name}: index")
        seconds, corpus_best = run.index(corpus.contributions, CORPUS_BLOCK, DUPLICATE_BOUND_PPM)
        run.service.register_model(MODEL_ID, sorted(corpus.datanets.values()), encoder=name)
        enc = run.service.encoder(name)
        stats = run.service.stats()
        index_bytes = sum(i["bytes"] for i in stats["indexes"])
        bar.set_description(f"{name}: score")
        kinds, qps = measure(run, queries, rules)
        bar.set_description(f"{name}: farmer")
        originals, copies, farmer_queries = farm
        farmed = farmer(run, originals, copies, farmer_queries, rules, corpus_best)
        return {
            "encoder_id": enc.encoder_id, "version": str(enc.version), "dim": enc.dim,
            "index_seconds": seconds, "contributions_per_s": len(corpus.contributions) / seconds,
            "queries_per_s": qps, "index_bytes": index_bytes, "bytes_per_row": enc.dim * 4,
            "gib_at_1m_rows": enc.dim * 4 * 1_000_000 / (1 << 30),
            "corpus_flagged_duplicates": len(_flagged(corpus_best, DUPLICATE_BOUND_PPM)), "kinds": kinds, "farmer": farmed,
        }
    finally:
        run.release()


# --- command line --------------------------------------------------------------------------


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="openledger_sidecar.quality", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--contributions", type=int, default=None,
                   help="contributions sampled from the corpus (default: all the standard library gives, ~8,500)")
    p.add_argument("--queries", type=int, default=2000, help="queries per kind (default 2000)")
    p.add_argument("--farmed", type=int, default=300, help="contributions the farmer copies (default 300)")
    p.add_argument("--encoders", default=",".join(DEFAULT_ENCODERS),
                   help=f"comma list of encoders (default {','.join(DEFAULT_ENCODERS)})")
    p.add_argument("--minilm", action="store_true", help="also measure minilm-l6-v2 (needs torch; slow on CPU)")
    p.add_argument("--no-span", action="store_true", help="leave out the span-match method (measured by default)")
    p.add_argument("--rules", default=",".join(DEFAULT_RULES), help="share rules, comma list (default: all)")
    p.add_argument("--hashing-dim", type=int, default=384, help="dimension of hashing-ngram v1 (the sidecar's default 384)")
    p.add_argument("--also", action="append", default=[], metavar="DIR",
                   help="another source tree to take text from after the standard library (repeatable), e.g. "
                        "the venv's site-packages for a corpus of ~70k; the corpus then depends on what is installed")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="a few packages and few queries: seconds (tests, CI)")
    p.add_argument("--out", default=".run-bench/quality", help="folder for figures.json, report.md, report.html")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    args.encoder_list = [e.strip() for e in args.encoders.split(",") if e.strip()]
    if args.minilm and "minilm-l6-v2" not in args.encoder_list:
        args.encoder_list.append("minilm-l6-v2")
    try:
        args.rule_list = [parse_rule(r) for r in args.rules.split(",") if r.strip()]
    except ValueError as e:
        p.error(str(e))
    if args.quick:
        args.queries, args.farmed = min(args.queries, 60), min(args.farmed, 20)
    if args.queries < 1 or args.farmed < 1 or (args.contributions is not None and args.contributions < 50):
        p.error("need --queries >= 1, --farmed >= 1 and --contributions >= 50")
    return args


def main(argv=None) -> dict:
    args = parse(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s")
    began = time.perf_counter()
    corpus = qc.build_corpus(args.contributions, args.seed, packages=QUICK_PACKAGES if args.quick else None,
                             also=tuple(args.also))
    queries = qq.plant_queries(corpus, args.queries, args.seed)
    last = max(c.contribution_id for c in corpus.contributions)
    originals, copies = qq.farmer_copies(corpus, args.farmed, args.seed, first_id=last + 1)
    farmer_queries = qq.plant_queries(corpus, 0, args.seed + 1, sources=originals, first_id=len(queries) + 1)
    log.info("corpus contributions=%d datanets=%d queries=%d farmer_copies=%d farmer_queries=%d python=%s digest=%s seconds=%.1f",
             len(corpus.contributions), len(corpus.datanets), len(queries), len(copies), len(farmer_queries),
             corpus.python, corpus.digest, time.perf_counter() - began)
    per_encoder = (len(corpus.contributions) + 2 * len(queries) + len(copies)
                   + (len(DUPLICATE_BOUNDS_PPM) + 1) * len(farmer_queries))
    results = {}
    runs = len(args.encoder_list) + (0 if args.no_span else 1)
    with tqdm(total=per_encoder * runs + (0 if args.no_span else len(corpus.contributions)), unit="row", file=sys.stderr,
              disable=args.no_progress, dynamic_ncols=True) as bar:
        for name in args.encoder_list:
            results[name] = run_encoder(name, corpus, queries, (originals, copies, farmer_queries), args.rule_list, args, bar)
        if not args.no_span:
            results[SPAN] = run_span(corpus, queries, (originals, copies, farmer_queries), args.rule_list, args, bar)
    figures = {
        "meta": {
            "command": "python -m openledger_sidecar.quality " + " ".join(sys.argv[1:] if argv is None else argv),
            "python": corpus.python, "corpus_version": qc.CORPUS_VERSION, "corpus_digest": corpus.digest,
            "machine": quality_report.machine(), "seed": args.seed, "quick": args.quick,
            "also": list(args.also), "contributions": len(corpus.contributions), "datanets": len(corpus.datanets),
            "words_per_contribution": sum(len(c.words) for c in corpus.contributions) / len(corpus.contributions),
            "queries": {k: sum(1 for q in queries if q.kind == k) for k in qq.KINDS},
            "top_k": TOP_K, "thresholds_ppm": list(THRESHOLDS_PPM), "duplicate_bound_ppm": DUPLICATE_BOUND_PPM,
            "rules": [r.name for r in args.rule_list], "seconds": time.perf_counter() - began,
        },
        "encoders": results,
    }
    os.makedirs(args.out, exist_ok=True)
    markdown = quality_report.tables(figures)
    with open(os.path.join(args.out, "figures.json"), "w", encoding="utf-8") as f:
        json.dump(figures, f, indent=1)
    with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8") as f:
        f.write(markdown)
    with open(os.path.join(args.out, "report.html"), "w", encoding="utf-8") as f:
        f.write(quality_report.html(figures, markdown))
    sys.stdout.write(markdown)
    log.info("wrote %s seconds=%.1f", os.path.join(args.out, "report.html"), time.perf_counter() - began)
    return figures


if __name__ == "__main__":
    main()
