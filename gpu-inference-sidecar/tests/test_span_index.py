import contextlib
import importlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openledger_sidecar import span_array
from openledger_sidecar.encoders import tokens
from openledger_sidecar.memory import CapacityError, MemoryBudget
from openledger_sidecar.span_array import suffix_array
from openledger_sidecar.span_index import POINTS_SCALE, Span, SpanIndex, SpanMatch, measure

FOX = "the quick brown fox jumps over the lazy dog near the river bank"


def ids(matches):
    return [m.contribution_id for m in matches]


def zipf_corpus(docs, seed, vocabulary=2000, length=(20, 120)):
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, vocabulary + 1) ** 1.1
    words = [f"w{i}" for i in range(vocabulary)]
    p = weights / weights.sum()
    return [[words[j] for j in rng.choice(vocabulary, int(rng.integers(*length)), p=p)] for _ in range(docs)]


def exact_spans(corpus, count, seed, length=(12, 30)):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        c = rng.randrange(len(corpus))
        n = min(len(corpus[c]), rng.randint(*length))
        start = rng.randrange(len(corpus[c]) - n + 1)
        out.append((c, corpus[c][start : start + n]))
    return out


# -- the suffix array ------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), max_size=8), min_size=1, max_size=6))
def test_should_sort_suffixes_like_a_plain_sort_when_built_by_prefix_doubling(docs):
    segment = span_array.Segment(np.arange(len(docs)), [np.array(d, np.int32) for d in docs])
    text = segment.text.tolist()

    assert segment.sa.tolist() == sorted(range(len(text)), key=lambda i: text[i:])
    assert suffix_array(np.zeros(0, np.int32)).tolist() == []


# -- exact spans rank their source first ------------------------------------------------------
def test_should_rank_the_source_first_when_the_query_is_an_exact_span_of_generated_text():
    corpus = zipf_corpus(600, seed=1)
    index = SpanIndex()
    for c, words in enumerate(corpus):
        index.add(1000 + c, c % 3, words, active_from_block=c, matches=False)

    queries = exact_spans(corpus, 300, seed=2)
    hits = sum(ids(index.query(q, [0, 1, 2], 600, 10))[:1] == [1000 + c] for c, q in queries)

    assert hits / len(queries) >= 0.99


def _real_paragraphs():
    """Paragraphs of standard-library docstrings: real English text that ships with Python."""
    seen, out = set(), []
    for name in ("argparse", "difflib", "heapq", "textwrap", "functools", "pickle", "subprocess", "logging", "json", "bisect", "string"):
        module = importlib.import_module(name)
        objects = [module] + [getattr(module, a) for a in sorted(dir(module)) if not a.startswith("_")]
        for obj in objects:
            doc = obj.__doc__ if hasattr(obj, "__doc__") else None
            for paragraph in (doc if isinstance(doc, str) else "").split("\n\n"):
                words = tuple(tokens(paragraph))
                if len(words) >= 16 and words not in seen:
                    seen.add(words)
                    out.append(words)
    return out


def test_should_rank_the_source_first_when_the_query_quotes_a_sentence_of_real_text():
    paragraphs = _real_paragraphs()
    if len(paragraphs) < 50:
        pytest.skip("docstrings stripped (python -OO)")
    index = SpanIndex()
    for c, words in enumerate(paragraphs):
        index.add(c, 7, list(words), active_from_block=1, matches=False)

    queries = exact_spans([list(p) for p in paragraphs], 200, seed=3, length=(12, 16))
    unique, hits = 0, 0
    for c, q in queries:
        found = index.query(q, [7], 5, 10)
        holders = [j for j, p in enumerate(paragraphs) if _contains(list(p), q)]
        if holders == [c]:
            unique += 1
            hits += ids(found)[:1] == [c]
        else:  # docstrings repeat sentences: every holder ties, ahead of the rest
            assert ids(found)[: len(holders)] == holders
            assert len({m.points for m in found[: len(holders)]}) == 1

    assert unique >= 150 and hits / unique >= 0.99
    text = " ".join(paragraphs[3][2:14])  # a text query is tokenized like an encoder's input
    assert ids(index.query(text.upper(), [7], 5, 1)) == [3]


# -- active intervals -------------------------------------------------------------------------
def test_should_see_a_contribution_only_inside_its_active_interval():
    index = SpanIndex()
    index.add(1, 5, FOX, active_from_block=10)
    index.remove(1, at_block=20)

    assert ids(index.query(FOX, [5], 9, 3)) == []
    assert ids(index.query(FOX, [5], 10, 3)) == [1]
    assert ids(index.query(FOX, [5], 19, 3)) == [1]
    assert ids(index.query(FOX, [5], 20, 3)) == []
    assert ids(index.query(FOX, [4], 15, 3)) == []  # another Datanet's model sees nothing


def test_should_see_a_readded_contribution_only_in_its_new_interval():
    index = SpanIndex()
    index.add(1, 5, FOX, active_from_block=10)
    index.remove(1, at_block=20)
    index.add(1, 5, FOX, active_from_block=30)

    assert [bool(index.query(FOX, [5], b, 1)) for b in (15, 25, 30)] == [True, False, True]
    with pytest.raises(ValueError, match="already indexed"):
        index.add(1, 5, FOX, active_from_block=40)  # open since 30
    index.remove(1, at_block=35)
    with pytest.raises(ValueError, match="already indexed"):
        index.add(1, 5, FOX, active_from_block=34)  # would be active twice at block 34


def test_should_readmit_a_contribution_reorged_away_at_an_earlier_block_and_reopen_a_retracted_removal():
    index = SpanIndex()
    index.add(1, 5, FOX, active_from_block=100)
    index.remove(1, at_block=100)  # its acceptance was reorged away: never active
    index.add(1, 5, FOX, active_from_block=98)  # re-included on the new branch
    index.remove(1, at_block=120)
    index.reopen(1)  # the removal was itself reorged away

    assert [bool(index.query(FOX, [5], b, 1)) for b in (97, 98, 150)] == [False, True, True]
    with pytest.raises(ValueError, match="already indexed"):
        SpanIndex().add_batch(5, [2, 2], [FOX, FOX], [1, 1])
    with pytest.raises(KeyError):
        index.remove(99, at_block=1)


# -- the formula ------------------------------------------------------------------------------
def test_should_split_a_shared_span_by_the_number_of_holders_and_count_length_squared():
    index = SpanIndex(min_len=3)
    index.add(1, 1, "a b c d e x", 1)
    index.add(2, 1, "q a b c d e", 1)
    index.add(3, 1, "y y f g h z", 1)

    spans = index.spans("a b c d e f g h", [1], 1)
    found = index.query("a b c d e f g h", [1], 1, 5)

    assert spans == [Span(0, 5, (1, 2)), Span(5, 3, (3,))]
    assert found == [
        SpanMatch(1, 25 * POINTS_SCALE // 2, np.float32(5 / 8)),
        SpanMatch(2, 25 * POINTS_SCALE // 2, np.float32(5 / 8)),
        SpanMatch(3, 9 * POINTS_SCALE, np.float32(3 / 8)),
    ]
    assert index.query("a b c d e f g h", [1], 1, 5, min_len=4) == found[:2]
    assert index.query("never seen words at all", [1], 1, 5) == []
    assert index.query("", [1], 1, 5) == []


def test_should_return_the_best_earlier_match_when_a_contribution_repeats_another():
    index = SpanIndex()
    assert index.add(1, 1, FOX, 10).best_match is None
    verbatim = index.add(2, 1, FOX, 11).best_match
    edited = index.add(3, 1, FOX.replace("lazy", "sleepy"), 12).best_match
    later = index.add(4, 1, FOX, 9).best_match  # 1 and 2 are not yet active at block 9

    assert (verbatim.contribution_id, verbatim.score) == (1, 1.0)
    assert edited.contribution_id == 1 and edited.score == np.float32(12 / 13)
    assert later is None


# -- determinism ------------------------------------------------------------------------------
def _build(corpus, merge_ratio, batch, compact):
    index = SpanIndex(min_len=4, merge_ratio=merge_ratio)
    if batch:
        index.add_batch(0, range(len(corpus)), corpus, [c // 3 for c in range(len(corpus))])
    else:
        for c, words in enumerate(corpus):
            index.add(c, 0, words, c // 3, matches=False)
    for c in range(0, len(corpus), 5):
        index.remove(c, at_block=c // 3 + 2)
    if compact:
        index.compact()
    return index


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.0, 0.5, 1.0, 4.0, 1e9]), st.booleans(), st.booleans())
def test_should_answer_the_same_whatever_the_segment_layout(seed, merge_ratio, batch, compact):
    corpus = zipf_corpus(40, seed, vocabulary=30, length=(5, 40))
    queries = exact_spans(corpus, 10, seed) + [(None, tokens(" ".join(corpus[1] + corpus[2])))]
    reference = _build(corpus, 1.0, False, False)
    index = _build(corpus, merge_ratio, batch, compact)

    for _, q in queries:
        for block in (0, 5, 14):
            assert index.query(q, [0], block, 10) == reference.query(q, [0], block, 10)
            assert index.spans(q, [0], block) == reference.spans(q, [0], block)


# -- against a brute-force reference ----------------------------------------------------------
def _contains(doc, span):
    n = len(span)
    return any(doc[j : j + n] == span for j in range(len(doc) - n + 1))


def _brute(rows, query, datanets, block, min_len, k):
    """Maximal spans and points straight from the definition in span_index's module doc."""
    visible = {}
    for c, d, words, start, end in rows:
        if d in datanets and start <= block and (end is None or block < end):
            visible[c] = words
    ms = []
    for i in range(len(query)):
        n = 0
        while i + n < len(query) and any(_contains(w, query[i : i + n + 1]) for w in visible.values()):
            n += 1
        ms.append(n)
    spans = [
        Span(i, n, tuple(sorted(c for c, w in visible.items() if _contains(w, query[i : i + n]))))
        for i, n in enumerate(ms)
        if n >= min_len and (i == 0 or n >= ms[i - 1])
    ]
    points, covered = {}, {}
    for s in spans:
        for c in s.contribution_ids:
            points[c] = points.get(c, 0) + s.length**2 * POINTS_SCALE // len(s.contribution_ids)
            covered.setdefault(c, set()).update(range(s.start, s.start + s.length))
    order = sorted(points, key=lambda c: (-points[c], c))[:k]
    return spans, [SpanMatch(c, points[c], float(np.float32(len(covered[c]) / len(query)))) for c in order]


@contextlib.contextmanager
def tuned(slice_limit, restart):
    """Small search thresholds, so tiny inputs take the bisection and restart paths too."""
    saved = span_array.SLICE, span_array.RESTART_NARROW
    span_array.SLICE, span_array.RESTART_NARROW = slice_limit, restart
    try:
        yield
    finally:
        span_array.SLICE, span_array.RESTART_NARROW = saved


words_ = st.lists(st.sampled_from("ab"), max_size=14) | st.lists(st.sampled_from("abcde"), max_size=10)
operation = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 5), st.integers(1, 2), words_, st.integers(0, 8)),
    st.tuples(st.just("remove"), st.integers(0, 5), st.integers(0, 10)),
    st.tuples(st.just("reopen"), st.integers(0, 5)),
    st.tuples(st.just("compact"),),
)


def _queries(data, texts):
    """Queries made of pieces of the indexed texts (so long shared spans occur) and other tokens."""
    piece = st.lists(st.sampled_from("abcdf"), min_size=1, max_size=3)
    if texts:
        piece = piece | st.sampled_from(texts).flatmap(
            lambda t: st.tuples(st.integers(0, len(t)), st.integers(0, len(t))).map(lambda ab: t[min(ab) : max(ab)])
        )
    return data.draw(
        st.lists(
            st.tuples(
                st.lists(piece, max_size=4).map(lambda ps: [w for p in ps for w in p]),
                st.integers(0, 10),
                st.sampled_from([(1,), (2,), (1, 2)]),
            ),
            min_size=1,
            max_size=4,
        )
    )


@settings(max_examples=250, deadline=None)
@given(st.lists(operation, max_size=14), st.integers(1, 3), st.sampled_from([0.0, 1.0, 3.0]), st.data())
def test_should_agree_with_a_brute_force_reference_on_small_inputs(ops, min_len, merge_ratio, data):
    index = SpanIndex(min_len=min_len, merge_ratio=merge_ratio)
    rows = []  # [contribution, datanet, words, from, to]
    for op in ops:
        if op[0] == "add":
            _, c, d, words, start = op
            clash = any(r[0] == c and (r[4] is None or (r[3] < r[4] and r[4] > start)) for r in rows)
            if clash:
                with pytest.raises(ValueError):
                    index.add(c, d, words, start, matches=False)
            else:
                index.add(c, d, words, start, matches=False)
                rows.append([c, d, words, start, None])
        elif op[0] in ("remove", "reopen"):
            mine = [r for r in rows if r[0] == op[1]]
            if not mine:
                with pytest.raises(KeyError):
                    index.remove(op[1], 0) if op[0] == "remove" else index.reopen(op[1])
                continue
            if op[0] == "remove":
                index.remove(op[1], op[2])
                mine[-1][4] = op[2]
            else:
                index.reopen(op[1])
                mine[-1][4] = None
        else:
            index.compact()
    for query, block, datanets in _queries(data, [op[3] for op in ops if op[0] == "add" and op[3]]):
        expected_spans, expected = _brute(rows, query, datanets, block, min_len, 4)
        for limits in ((span_array.SLICE, span_array.RESTART_NARROW), (1, 1), (2, 0)):
            with tuned(*limits):
                assert index.spans(query, datanets, block) == expected_spans
                assert index.query(query, datanets, block, 4) == expected


# -- memory and figures -----------------------------------------------------------------------
def test_should_hold_a_bounded_number_of_bytes_per_token():
    corpus = zipf_corpus(2000, seed=4, vocabulary=3000, length=(40, 120))
    index = SpanIndex()
    per_token = []
    for c, words in enumerate(corpus):
        index.add(c, 0, words, 0, matches=False)
        if c % 500 == 499:
            per_token.append(index.nbytes / index.tokens)
    index.query(corpus[5][:20], [0], 0, 1)  # everything visible: no activity sums cached
    settled = index.nbytes
    for c in range(10):  # ten visibility masks: only the last two stay cached per segment
        index.remove(c, at_block=0)
        index.query(["w0", "w1"] + corpus[5][:20], [0], 0, 1)  # common words: wide ranges

    # 4 bytes of text and 4 of suffix array per token, per-document rows, a dictionary estimate
    # (which only shrinks per token as the corpus grows), and at most two cached activity sums
    # (4 bytes per text position) per segment.
    assert max(per_token) < 24
    assert per_token[-1] <= per_token[0]
    assert settled < index.nbytes <= settled + 2 * 4 * (index.tokens + 2 * len(corpus))
    assert index.segments <= 2 * np.log2(len(corpus))


def test_should_refuse_a_contribution_the_memory_budget_cannot_take_leaving_the_index_unchanged():
    index = SpanIndex(budget=MemoryBudget(4096), owner="span(test)")
    index.add(1, 1, FOX, 1)
    before = index.stats()

    with pytest.raises(CapacityError, match="span\\(test\\)"):
        index.add(2, 1, " ".join([FOX] * 100), 1)

    assert index.stats() == before and 2 not in index


def test_should_report_bytes_per_token_latency_and_recall_when_measured():
    figures = measure(docs=300, queries=60, seed=5)
    print("span index figures:", figures)

    assert figures["recall_at_1"] >= 0.99
    assert 0 < figures["bytes_per_token"] < 40
    assert figures["query_ms_p50"] > 0 and figures["build_s"] > 0
