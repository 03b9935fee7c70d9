"""The quality corpus is a deterministic function of the stdlib and the seed; queries are what they claim."""

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openledger_sidecar import quality_corpus as qc
from openledger_sidecar import quality_queries as qq
from openledger_sidecar.encoders import tokens
from openledger_sidecar.quality import QUICK_PACKAGES


@pytest.fixture(scope="module")
def corpus():
    return qc.build_corpus(400, seed=3, packages=QUICK_PACKAGES)


@pytest.fixture(scope="module")
def queries(corpus):
    return qq.plant_queries(corpus, 40, seed=3)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def test_should_build_the_same_corpus_and_queries_from_the_same_seed(corpus, queries):
    again = qc.build_corpus(400, seed=3, packages=QUICK_PACKAGES)

    assert again == corpus
    assert qq.plant_queries(again, 40, seed=3) == queries
    other = qc.build_corpus(400, seed=4, packages=QUICK_PACKAGES)
    assert other.digest != corpus.digest


def test_should_give_clean_unique_contributions_of_sensible_size_in_named_datanets(corpus):
    texts = [c.text for c in corpus.contributions]

    assert len(corpus.contributions) == 400
    assert [c.contribution_id for c in corpus.contributions] == list(range(1, 401))
    assert all(qc.MIN_WORDS <= len(c.words) <= qc.MAX_WORDS for c in corpus.contributions)
    assert all(">>>" not in t and "  " not in t and t == t.strip() for t in texts)
    assert len({tuple(tokens(t)) for t in texts}) == len(texts)
    assert set(corpus.datanets) == {c.datanet for c in corpus.contributions}
    assert sorted(corpus.datanets.values()) == list(range(1, len(corpus.datanets) + 1))


def test_should_plant_every_kind_from_a_known_source(corpus, queries):
    by_id = corpus.by_id()
    counts = collections.Counter(q.kind for q in queries)

    assert counts == {kind: 40 for kind in qq.KINDS}
    assert len({q.query_id for q in queries}) == len(queries)
    for q in queries:
        span = by_id[q.source_id].words[q.start : q.start + q.length]
        words = q.text.split(" ")
        if q.kind == "exact":
            assert q.text in by_id[q.source_id].text
            assert _contains(tokens(by_id[q.source_id].text), tokens(q.text))
            assert 12 <= len(words) <= 30
        elif q.kind == "dropped":
            assert len(words) == len(span) - max(1, round(0.15 * len(span)))
            it = iter(span)
            assert all(w in it for w in words)  # an ordered subsequence of the span
        elif q.kind == "synonyms":
            replacements = {w for v in qq.SYNONYMS.values() for w in v.split()}
            new = [qq._bare(w)[1].lower() for w in words if w not in span]
            assert new and set(new) <= replacements
        elif q.kind == "reordered":
            assert sorted(words) == sorted(span) and words != span
        elif q.kind == "mixed":
            assert q.other_id not in (None, q.source_id)
            assert _contains(by_id[q.source_id].words, words[: q.length])
            assert _contains(by_id[q.other_id].words, words[q.length :])


def test_should_draw_spans_that_only_their_source_holds(corpus, queries):
    owner = qq.unique_owner(corpus)

    for q in queries:
        if q.kind == "exact":
            for shingle in qc.shingles(tokens(q.text)):
                assert owner[shingle] == q.source_id


def test_should_plant_farmer_copies_after_the_corpus_in_the_originals_datanets(corpus):
    originals, copies = qq.farmer_copies(corpus, 12, seed=3, first_id=1000)

    assert len(copies) == 2 * len(originals) == 24
    assert [c.contribution_id for c in copies] == list(range(1000, 1024))
    for n, original in enumerate(originals):
        verbatim, edited = copies[2 * n], copies[2 * n + 1]
        assert verbatim.text == original.text and verbatim.datanet == edited.datanet == original.datanet
        assert edited.text != original.text
        assert edited.source.split(":")[1] == qq.EDITS[1 + n % (len(qq.EDITS) - 1)]


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(["Return", "the", "value,", "of", "file", "x", "list."]), min_size=12, max_size=30),
       seed=st.integers(0, 1000))
def test_should_change_spans_only_as_each_kind_says(words, seed):
    rng = np.random.default_rng(seed)

    dropped = qq.drop_words(words, rng)
    reordered = qq.reorder(words, rng)
    swapped = qq.swap_synonyms(words, rng)

    assert len(dropped) == len(words) - max(1, round(0.15 * len(words)))
    assert sorted(reordered) == sorted(words)
    if swapped is not None:
        assert " ".join(swapped) != " ".join(words)


def test_should_chunk_paragraphs_and_drop_doctest_lines():
    text = "First paragraph " * 5 + "\n\n>>> print(1)\n1\n\n" + "word " * 450

    pieces = qc.chunks(text)

    assert all(qc.MIN_WORDS <= len(p.split()) <= qc.MAX_WORDS for p in pieces)
    assert not any(">>>" in p for p in pieces)
    assert sum(len(p.split()) for p in pieces) >= 450
