"""A seeded many-Datanet scenario (inserts, closes, reopens, reorg retractions, re-inserts) and
its golden answers, written once by the per-Datanet path (one store per Datanet, `scoring.merge`)
before the model-wide scoring existed: `python tests/many_datanets.py` rewrites the golden file.

Vectors are integers / 2**23 (norms about 0.5, scores like cosines), exact in float32, drawn
with `Generator.integers` (whose stream NumPy keeps stable) and not normalized, so no platform's
`sqrt` enters; their dot products do round, which is what a bit-for-bit comparison needs.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

GOLDEN = pathlib.Path(__file__).parent / "golden_scores_many_datanets.json"
DIM, DATANETS, SEED = 48, 24, 20261202
SETTINGS = ((1, -1e9), (10, 0.0), (10, 0.1), (40, -1e9))  # (k, threshold)


def scenario(seed: int = SEED) -> dict:
    """Per Datanet: its rows in insertion order, then the interval edits, then the queries."""
    rng = np.random.default_rng(seed)
    datanets = {}
    next_id = 1
    for d in range(1, DATANETS + 1):
        n = int(rng.integers(1, 1400)) if d % 5 == 0 else int(rng.integers(1, 300))
        ids = np.arange(next_id, next_id + n, dtype=np.int64)[rng.permutation(n)]
        next_id += n
        vectors = (rng.integers(-(1 << 20), 1 << 20, (n, DIM)) / float(1 << 23)).astype(np.float32)
        # A tenth of the rows duplicate an earlier row exactly: equal scores, the id decides.
        dup = rng.random(n) < 0.1
        vectors[dup] = vectors[rng.integers(0, n, int(dup.sum()))]
        froms = rng.integers(0, 30, n)
        datanets[d] = {"ids": ids, "vectors": vectors, "froms": froms}
    edits = []  # (op, datanet, id, block)
    for d, rows in datanets.items():
        for c, f in zip(rows["ids"].tolist(), rows["froms"].tolist()):
            u = rng.random()
            if u < 0.15:
                edits.append(("close", d, c, f + int(rng.integers(1, 15))))
            elif u < 0.2:
                edits.append(("close", d, c, f + int(rng.integers(1, 15))))
                edits.append(("reopen", d, c, 0))
            elif u < 0.25:  # reorged away: closed at its start, then indexed again with a new vector
                edits.append(("close", d, c, f))
                edits.append(("reinsert", d, c, f + int(rng.integers(0, 5))))
    reinserted = (rng.integers(-(1 << 20), 1 << 20, (len(edits), DIM)) / float(1 << 23)).astype(np.float32)
    model = sorted(rng.choice(np.arange(1, DATANETS + 1), DATANETS - 5, replace=False).tolist())
    queries = (rng.integers(-(1 << 20), 1 << 20, (64, DIM)) / float(1 << 23)).astype(np.float32)
    picks = rng.integers(0, len(datanets[model[0]]["vectors"]), 8)
    queries[:8] = datanets[model[0]]["vectors"][picks]  # exact copies: ties at the top
    blocks = rng.integers(0, 45, 64)
    blocks[16:48] = 20  # most batches share one block
    return {"datanets": datanets, "edits": edits, "reinserted": reinserted, "model": model,
            "queries": queries, "blocks": blocks}


def apply(s: dict, insert, close, reopen) -> None:
    """Replays the scenario through callbacks: insert(d, ids, vectors, froms), close(d, c, b), reopen(d, c)."""
    for d, rows in s["datanets"].items():
        insert(d, rows["ids"], rows["vectors"], rows["froms"])
    for i, (op, d, c, b) in enumerate(s["edits"]):
        if op == "close":
            close(d, c, b)
        elif op == "reopen":
            reopen(d, c)
        else:
            insert(d, np.array([c], np.int64), s["reinserted"][i : i + 1], np.array([b], np.int64))


def as_golden(results) -> list:
    """[[id, score as float32 hex], ...] per query: compared bit for bit."""
    return [[[m.contribution_id, np.float32(m.score).tobytes().hex()] for m in row] for row in results]


def per_datanet_answers(s: dict) -> dict:
    """The per-Datanet path: one `DatanetIndex` (own store) per Datanet, queried each, merged."""
    from openledger_sidecar.index import DatanetIndex
    from openledger_sidecar.scoring import merge

    indexes = {d: DatanetIndex(DIM, capacity=4) for d in s["datanets"]}
    apply(s, lambda d, ids, v, f: indexes[d].insert_batch(ids, v, f, matches=False),
          lambda d, c, b: indexes[d].close(c, b), lambda d, c: indexes[d].reopen(c))
    out = {}
    for k, threshold in SETTINGS:
        per = [indexes[d].query_at(s["queries"], s["blocks"], k, threshold) for d in s["model"]]
        out[f"{k}/{threshold}"] = as_golden(merge(per, len(s["queries"]), k))
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "src"))
    GOLDEN.write_text(json.dumps({"seed": SEED, "dim": DIM, "answers": per_datanet_answers(scenario())}) + "\n")
    print(f"wrote {GOLDEN}")
