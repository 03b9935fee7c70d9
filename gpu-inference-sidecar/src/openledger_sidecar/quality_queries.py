"""Planted queries and the duplicate farmer of the attribution-quality benchmark.

Why: a query whose source is known is what turns a ranking into a measurement. Each query is a
span of a known contribution (12-30 words, only its source holds its 8-word shingles), kept as
is or changed the way an inference's output differs from its training text: words dropped,
words swapped for synonyms, neighbours swapped, or half of it taken from a second contribution.
The farmer re-submits others' contributions, verbatim and lightly edited. Seeded, pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .encoders import tokens
from .quality_corpus import MIN_WORDS, Contribution, Corpus, shingles


@dataclass(frozen=True)
class Query:
    """A planted query: a span of a known contribution, changed as its kind says."""

    query_id: int
    kind: str  # exact | dropped | synonyms | reordered | mixed
    source_id: int  # the contribution it was drawn from (the right answer)
    start: int  # the span's first word in the source, and its length in words
    length: int
    text: str
    other_id: int | None = None  # a mixed query's second source: its span follows the first

    @property
    def sources(self) -> tuple[int, ...]:
        return (self.source_id,) if self.other_id is None else (self.source_id, self.other_id)


# Words of the standard library's prose and a replacement that keeps the meaning. Small on
# purpose: a synonym query changes some words, not all.
SYNONYMS = {
    "return": "give", "returns": "gives", "returned": "given back", "function": "routine",
    "functions": "routines", "value": "quantity", "values": "quantities", "object": "item",
    "objects": "items", "list": "sequence", "string": "text", "strings": "texts", "file": "document",
    "files": "documents", "name": "label", "names": "labels", "default": "standard",
    "argument": "parameter", "arguments": "parameters", "create": "make", "creates": "makes",
    "created": "made", "use": "employ", "used": "employed", "uses": "employs", "method": "procedure",
    "methods": "procedures", "number": "count", "error": "fault", "errors": "faults", "raise": "throw",
    "raised": "thrown", "raises": "throws", "call": "invoke", "called": "invoked", "calls": "invokes",
    "new": "fresh", "data": "information", "module": "library", "instance": "occurrence",
    "specified": "given", "given": "specified", "must": "has to", "should": "ought to", "can": "may",
    "if": "when", "whether": "if", "contains": "holds", "contain": "hold", "first": "initial",
    "last": "final", "begin": "start", "start": "begin", "end": "finish", "set": "assign",
    "get": "obtain", "gets": "obtains", "check": "verify", "checks": "verifies", "type": "kind",
    "types": "kinds", "class": "category", "empty": "blank", "large": "big", "small": "little",
    "true": "correct", "false": "incorrect", "also": "too", "only": "just", "however": "but",
    "example": "instance", "each": "every", "all": "every", "many": "numerous", "often": "frequently",
    "usually": "normally", "possible": "feasible", "different": "distinct", "same": "identical",
    "simple": "plain", "support": "handle", "supports": "handles", "read": "load", "write": "store",
    "written": "stored", "open": "unlock", "close": "shut", "closed": "shut", "remove": "delete",
    "removed": "deleted", "add": "append", "added": "appended", "change": "alter", "changed": "altered",
    "allow": "permit", "allows": "permits", "need": "require", "needed": "required", "show": "display",
    "find": "locate", "found": "located", "key": "index", "keys": "indices", "result": "outcome",
    "results": "outcomes", "option": "choice", "options": "choices", "previous": "prior",
    "following": "next", "section": "part", "user": "person", "directory": "folder", "path": "route",
    "character": "symbol", "characters": "symbols", "line": "row", "lines": "rows", "time": "moment",
}


def _case_like(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement


def _bare(word: str) -> tuple[str, str, str]:
    """(leading punctuation, the word, trailing punctuation)."""
    m = re.match(r"^(\W*)(.*?)(\W*)$", word)
    return m.group(1), m.group(2), m.group(3)


def drop_words(words: list[str], rng: np.random.Generator, share: float = 0.15) -> list[str]:
    count = max(1, round(share * len(words)))
    gone = set(rng.choice(len(words), count, replace=False).tolist())
    return [w for i, w in enumerate(words) if i not in gone]


def swap_synonyms(words: list[str], rng: np.random.Generator, share: float = 0.2) -> list[str] | None:
    """About `share` of the words swapped for a synonym; None when the span has no word to swap."""
    swappable = [i for i, w in enumerate(words) if _bare(w)[1].lower() in SYNONYMS]
    if not swappable:
        return None
    count = min(len(swappable), max(1, round(share * len(words))))
    out = list(words)
    for i in sorted(rng.choice(swappable, count, replace=False).tolist()):
        lead, bare, trail = _bare(words[i])
        out[i] = lead + _case_like(bare, SYNONYMS[bare.lower()]) + trail
    return out


def reorder(words: list[str], rng: np.random.Generator, share: float = 0.15) -> list[str]:
    """About `share` x length disjoint pairs of neighbouring words swapped."""
    pairs = max(1, round(share * len(words)))
    starts = rng.permutation(len(words) // 2)[:pairs] * 2
    out = list(words)
    for s in starts.tolist():
        out[s], out[s + 1] = out[s + 1], out[s]
    return out


KINDS = ("exact", "dropped", "synonyms", "reordered", "mixed")


def unique_owner(corpus: Corpus) -> dict[str, int]:
    """Each 8-word shingle of the corpus and its one owner (-1 when several contributions hold it)."""
    owner: dict[str, int] = {}
    for c in corpus.contributions:
        for s in set(shingles(tokens(c.text))):
            owner[s] = c.contribution_id if owner.get(s, c.contribution_id) == c.contribution_id else -1
    return owner


def _span(c: Contribution, rng, owner, min_len: int, max_len: int) -> tuple[int, int] | None:
    """A span of 12-30 words whose every shingle only its source holds (a few tries)."""
    words = c.words
    for _ in range(8):
        length = int(rng.integers(min_len, min(max_len, len(words)) + 1))
        start = int(rng.integers(0, len(words) - length + 1))
        if all(owner.get(s) == c.contribution_id for s in shingles(tokens(" ".join(words[start : start + length])))):
            return start, length
    return None


def plant_queries(
    corpus: Corpus, per_kind: int, seed: int, kinds=KINDS, sources: list[Contribution] | None = None,
    min_len: int = 12, max_len: int = 30, first_id: int = 1,
) -> list[Query]:
    """`per_kind` queries of each kind, from seeded random contributions (or from `sources`, one
    query per source and kind). Every query's span is unique to its source in the corpus."""
    owner = unique_owner(corpus)
    pool = sources if sources is not None else corpus.contributions
    queries: list[Query] = []
    for k, kind in enumerate(kinds):
        rng = np.random.default_rng([seed, 2, k])
        order = list(range(len(pool))) if sources is not None else rng.permutation(len(pool)).tolist()
        made = 0
        for i in order:
            if sources is None and made >= per_kind:
                break
            c = pool[i]
            span = _span(c, rng, owner, min_len, max_len)
            if span is None:
                continue
            start, length = span
            words = c.words[start : start + length]
            other = None
            if kind == "mixed":  # half a span of this one, then half a span of another one
                o = corpus.contributions[int(rng.integers(0, len(corpus.contributions)))]
                second = _span(o, rng, owner, min_len, max_len) if o.contribution_id != c.contribution_id else None
                if second is None:
                    continue
                length = max(min_len // 2, length // 2)
                words = words[:length] + o.words[second[0] : second[0] + max(min_len // 2, second[1] // 2)]
                other = o.contribution_id
            if kind == "dropped":
                words = drop_words(words, rng)
            elif kind == "synonyms":
                words = swap_synonyms(words, rng)
                if words is None:
                    continue
            elif kind == "reordered":
                words = reorder(words, rng)
            queries.append(Query(first_id + len(queries), kind, c.contribution_id, start, length, " ".join(words), other))
            made += 1
    return queries


# --- the duplicate farmer ------------------------------------------------------------------

EDITS = ("verbatim", "synonyms", "dropped", "reordered", "truncated", "padded")
_PADDING = "This text is shared here for everyone who may find it useful."


def farm(original: Contribution, edit: str, rng: np.random.Generator) -> str:
    """A farmer's re-submission of someone else's contribution: verbatim or lightly edited."""
    words = original.words
    if edit == "verbatim":
        return original.text
    if edit == "synonyms":
        return " ".join(swap_synonyms(words, rng, share=0.1) or words)
    if edit == "dropped":
        return " ".join(drop_words(words, rng, share=0.1))
    if edit == "reordered":
        return " ".join(reorder(words, rng, share=0.1))
    if edit == "truncated":  # the last fifth cut
        return " ".join(words[: max(MIN_WORDS, len(words) - len(words) // 5)])
    if edit == "padded":
        return f"{original.text} {_PADDING}"
    raise ValueError(f"unknown edit '{edit}'")


def farmer_copies(corpus: Corpus, count: int, seed: int, first_id: int) -> tuple[list[Contribution], list[Contribution]]:
    """(the originals farmed, the farmer's copies): per original a verbatim copy and one edited
    copy, edits in turn; each copy in its original's Datanet, ids from `first_id`."""
    rng = np.random.default_rng([seed, 3])
    picked = sorted(rng.choice(len(corpus.contributions), min(count, len(corpus.contributions)), replace=False).tolist())
    originals = [corpus.contributions[i] for i in picked]
    copies = []
    for n, o in enumerate(originals):
        for edit in ("verbatim", EDITS[1 + n % (len(EDITS) - 1)]):
            copies.append(Contribution(first_id + len(copies), o.datanet, f"farmer:{edit}:{o.contribution_id}", farm(o, edit, rng)))
    return originals, copies
