"""Encoder cost: `python -m openledger_sidecar.bench_encoder` (hashing-ngram-v2, fast vs reference).

Why: the default text encoder runs on every score call's queries and on every indexed
contribution, so its cost per text bounds the sidecar for text models. This measures, in one run
on the same texts, the batch path (`encode_batch`) next to the per-feature reference
(`_reference_encode`, what the encoder was before): texts/s and MB/s of UTF-8 text for batches
of 1, 50 and 1024, and `AttributionService.score` end to end for text queries over a small index
with either path plugged in. Texts are the attribution-quality corpus (Python's stdlib prose,
20-200 words) and sentences of 20-60 words cut from it. Every pass starts with a fresh encoder
and encodes each text once, so the digest cache only helps with what repeats across texts, as it
would in a service. The last column is the CPU other processes used meanwhile (a shared machine).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pyarrow as pa

from . import quality_corpus as qc
from .bench import OtherLoad
from .encoders import HashingEncoderV2, encode_each, tokens
from .service import AttributionService


class ReferenceEncoderV2(HashingEncoderV2):
    """hashing-ngram-v2 as it was: each text by the per-feature reference."""

    def encode(self, text: str) -> np.ndarray:
        return self._reference_encode(text)

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        return encode_each(self._reference_encode, texts, self.dim)


PATHS = {"reference": ReferenceEncoderV2, "fast": HashingEncoderV2}


def text_sets(contributions: int, seed: int) -> dict[str, list[str]]:
    corpus = [c.text for c in qc.build_corpus(contributions, seed).contributions]
    rng = np.random.default_rng(seed)
    sentences = []
    for text in corpus:
        words = text.split(" ")
        size = int(rng.integers(20, 61))
        sentences += [" ".join(words[i : i + size]) for i in range(0, len(words) - 19, size)]
    return {"corpus": corpus, "sentences": sentences}


def encode_pass(path: str, texts: list[str], batch: int) -> tuple[float, float]:
    """Seconds to encode every text once in batches, and other processes' cores meanwhile."""
    enc, others = PATHS[path](), OtherLoad()
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        enc.encode_batch(texts[i : i + batch])
    return time.perf_counter() - start, others.cores()


def score_pass(path: str, index_texts: list[str], queries: list[str], batch: int, k: int) -> tuple[float, float]:
    """Seconds for `score` over every query once (index built outside the timing), and others' cores."""
    service = AttributionService()
    service._encoders["hashing-ngram-v2"] = PATHS[path]()
    ids = list(range(1, len(index_texts) + 1))
    for d in range(4):  # four Datanets, one model over them
        part = ids[d::4]
        service.index(d + 1, pa.RecordBatch.from_pydict({
            "contribution_id": pa.array(part, pa.int64()), "active_from": pa.array([1] * len(part), pa.int64()),
            "text": pa.array([index_texts[i - 1] for i in part], pa.string())}), "hashing-ngram-v2", matches=False)
    service.register_model(1, [1, 2, 3, 4], "hashing-ngram-v2")
    service._encoders["hashing-ngram-v2"] = PATHS[path]()  # queries start from a cold cache too
    others = OtherLoad()
    start = time.perf_counter()
    for i in range(0, len(queries), batch):
        part = queries[i : i + batch]
        service.score(1, k, 0.0, pa.RecordBatch.from_pydict({
            "inference_id": pa.array(range(i, i + len(part)), pa.int64()), "block": pa.array([2] * len(part), pa.int64()),
            "text": pa.array(part, pa.string())}))
    return time.perf_counter() - start, others.cores()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--contributions", type=int, default=3000, help="corpus texts (default 3000)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--batches", default="1,50,1024")
    p.add_argument("--single-texts", type=int, default=1000, help="texts timed one by one (default 1000)")
    p.add_argument("--index", type=int, default=2000, help="contributions indexed for the score pass")
    p.add_argument("--k", type=int, default=10)
    args = p.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")]
    print("building the corpus ...", file=sys.stderr)
    sets = text_sets(args.contributions, args.seed)
    print("| what | texts | mean words | batch | reference texts/s | fast texts/s | reference MB/s | fast MB/s "
          "| speedup | other processes' CPU (cores) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, texts in [*sets.items(), ("score: corpus queries over a 2,000-text index", sets["corpus"])]:
        scoring = name.startswith("score")
        queries = texts[args.index :] if scoring else texts
        for batch in batches:
            some = queries[: args.single_texts] if batch == 1 else queries
            mb = sum(len(t.encode()) for t in some) / 1e6
            words = np.mean([len(tokens(t)) for t in some])
            runs = {}
            for path in PATHS:
                print(f"{name} batch {batch} {path} ...", file=sys.stderr)
                if scoring:
                    runs[path] = score_pass(path, texts[: args.index], some, batch, args.k)
                else:
                    runs[path] = encode_pass(path, some, batch)
            (ref, ref_load), (fast, fast_load) = runs["reference"], runs["fast"]
            print(f"| {name} | {len(some)} | {words:.0f} | {batch} | {len(some) / ref:,.0f} | {len(some) / fast:,.0f} "
                  f"| {mb / ref:.2f} | {mb / fast:.2f} | {ref / fast:.2f} | {ref_load:.2f} / {fast_load:.2f} |", flush=True)


if __name__ == "__main__":
    main()
