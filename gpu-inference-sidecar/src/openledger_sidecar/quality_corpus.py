"""The attribution-quality corpus: real text that ships with every Python, planted queries, a farmer.

Why: attribution is only as truthful as its ranking, and a ranking can only be judged against a
corpus whose right answers are known. The text comes from the standard library of the Python
that runs this (docstrings of modules, classes and functions, full-line comment blocks, and the
language reference topics of `pydoc_data`), read with `ast` from the source files: nothing is
imported, so no module's side effects run, and the corpus is a deterministic function of the
Python installation (its version and build) and the seed.

Pure: functions of their arguments and of the files under the stdlib directory, no global state.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
import sysconfig
from dataclasses import dataclass

import numpy as np

from .encoders import tokens

CORPUS_VERSION = "1"  # bump when the extraction, cleaning or planting rules change
MIN_WORDS, MAX_WORDS = 20, 200
SHINGLE = 8  # words of the shingles that decide near-duplicates and unique spans
NEAR_DUPLICATE = 0.5  # a text whose shingles were mostly seen before is dropped
_SKIP_DIRS = {"site-packages", "__pycache__", "dist-packages"}
_COMMENT = re.compile(r"^\s*#+\s?(.*)$")
_PROSE_WORD = re.compile(r"^[(\"']?[A-Za-z][a-z]*(?:'[a-z]+)?[)\"']?[.,;:!?]?[)\"']?$")
_MARKUP = re.compile(r"^\s*(>>>|\.\.\.|\.\. |:[a-z]+:|[-=~^*+#]{3,}\s*$)")


@dataclass(frozen=True)
class Contribution:
    """One contribution: its id, Datanet, where the text came from, and the text itself."""

    contribution_id: int
    datanet: str
    source: str  # path under the stdlib directory, and the kind of text
    text: str

    @property
    def words(self) -> list[str]:
        return self.text.split(" ")


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


@dataclass(frozen=True)
class Corpus:
    contributions: list[Contribution]
    datanets: dict[str, int]  # name -> Datanet id
    python: str
    digest: str  # BLAKE2b of every contribution's Datanet and text, in order

    def by_id(self) -> dict[int, Contribution]:
        return {c.contribution_id: c for c in self.contributions}


# --- extraction ----------------------------------------------------------------------------


def stdlib_dir() -> str:
    return sysconfig.get_paths()["stdlib"]


def source_files(root: str) -> list[str]:
    """Every .py file under the stdlib, relative paths, sorted (third-party packages skipped)."""
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        rel = os.path.relpath(directory, root)
        found.extend(os.path.normpath(os.path.join(rel, f)) for f in files if f.endswith(".py"))
    return sorted(found)


def _paragraphs(text: str) -> list[list[str]]:
    """Prose paragraphs as word lists: doctest, directive and rule lines dropped."""
    kept = [line for line in text.splitlines() if not _MARKUP.match(line)]
    return [p.split() for p in re.split(r"\n\s*\n", "\n".join(kept)) if p.split()]


def chunks(text: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[str]:
    """Paragraphs packed in order into pieces of at most `max_words` (a longer paragraph is cut
    into near-equal parts); pieces under `min_words` are dropped."""
    out: list[list[str]] = []
    current: list[str] = []
    for words in _paragraphs(text):
        if current and len(current) + len(words) > max_words:
            out.append(current)
            current = []
        current = current + words
        if len(current) > max_words:
            parts = -(-len(current) // max_words)
            size = -(-len(current) // parts)
            out.extend(current[i : i + size] for i in range(0, len(current), size))
            current = []
    if current:
        out.append(current)
    return [" ".join(c) for c in out if len(c) >= min_words]


def is_prose(text: str) -> bool:
    """Mostly plain words (code, tables and paths are not)."""
    words = text.split(" ")
    return sum(1 for w in words if _PROSE_WORD.match(w)) >= 0.6 * len(words)


_DEFS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstrings(tree: ast.AST):
    """Docstrings of the module and of every class and function, in source order; only statement
    lists are walked (expressions hold no docstring), which keeps a large file quick."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _DEFS):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield doc
        children = []
        for field in ("body", "orelse", "handlers", "finalbody", "cases"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                children.extend(c for c in value if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case)))
        stack.extend(reversed(children))


def _long_strings(tree: ast.AST):
    """String constants of a data module (pydoc_data/topics.py: the language reference)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 200:
            yield node.value


def _comment_blocks(source: str):
    """Runs of full-line comments, joined."""
    block: list[str] = []
    for line in source.splitlines() + [""]:
        m = _COMMENT.match(line)
        if m:
            block.append(m.group(1))
        elif block:
            yield "\n".join(block)
            block = []


def texts_of(root: str, rel: str):
    """(kind, text) of one source file, in file order: docstrings, then comment blocks."""
    try:
        with open(os.path.join(root, rel), "rb") as f:
            raw = f.read()
        tree = ast.parse(raw)
        source = raw.decode("utf-8")
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
        return
    strings = _long_strings(tree) if rel.replace(os.sep, "/") == "pydoc_data/topics.py" else _docstrings(tree)
    for text in strings:
        yield "doc", text
    for text in _comment_blocks(source):
        yield "comment", text


def datanet_of(rel: str) -> str:
    """The top-level package or module a file belongs to (`email/mime/text.py` -> `email`)."""
    top = rel.replace(os.sep, "/").split("/")[0]
    return top[:-3] if top.endswith(".py") else top


def _shingles(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]


# --- the corpus ----------------------------------------------------------------------------


def candidates(root: str, packages: frozenset[str] | None = None) -> list[tuple[str, str, str]]:
    """(Datanet name, source, text) of every usable piece, in file order, near-duplicates dropped
    (a piece whose 8-word shingles were mostly seen before: copied docstrings, license headers).
    `packages` keeps only those top-level packages and modules (a quick run)."""
    seen: set[str] = set()
    out = []
    for rel in source_files(root):
        if packages is not None and datanet_of(rel) not in packages:
            continue
        for kind, raw in texts_of(root, rel):
            for text in chunks(raw):
                if not is_prose(text):
                    continue
                shingles = set(_shingles(tokens(text)))
                if len(shingles & seen) >= NEAR_DUPLICATE * len(shingles):
                    continue
                seen |= shingles
                out.append((datanet_of(rel), f"{rel}:{kind}", text))
    return out


def build_corpus(
    contributions: int | None, seed: int, root: str | None = None, min_datanet: int = 40,
    packages: frozenset[str] | None = None,
) -> Corpus:
    """A seeded sample of `contributions` pieces (all when None), in file order, ids from 1.

    Datanets are top-level packages; those with fewer than `min_datanet` pieces in the sample are
    pooled by the first letter of their name (`other-a-e`, ...), so no Datanet is tiny.
    """
    root = root or stdlib_dir()
    pool = candidates(root, packages)
    if contributions is not None and contributions < len(pool):
        rng = np.random.default_rng([seed, 1])
        picked = np.sort(rng.choice(len(pool), contributions, replace=False))
        pool = [pool[i] for i in picked]
    sizes: dict[str, int] = {}
    for name, _, _ in pool:
        sizes[name] = sizes.get(name, 0) + 1

    def group(name: str) -> str:
        if sizes[name] >= min_datanet:
            return name
        first = name.lstrip("_")[:1].lower() or "_"
        for bucket in ("a-c", "d-h", "i-o", "p-r", "s-z"):
            if bucket[0] <= first <= bucket[2]:
                return f"other-{bucket}"
        return "other-a-c"

    out = [Contribution(i + 1, group(name), source, text) for i, (name, source, text) in enumerate(pool)]
    names = sorted({c.datanet for c in out})
    digest = hashlib.blake2b(digest_size=16)
    for c in out:
        digest.update(f"{c.datanet}\x00{c.text}\x00".encode())
    return Corpus(out, {n: i + 1 for i, n in enumerate(names)}, sys.version.split()[0], digest.hexdigest())


# --- planted queries -----------------------------------------------------------------------

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
        for s in set(_shingles(tokens(c.text))):
            owner[s] = c.contribution_id if owner.get(s, c.contribution_id) == c.contribution_id else -1
    return owner


def _span(c: Contribution, rng, owner, min_len: int, max_len: int) -> tuple[int, int] | None:
    """A span of 12-30 words whose every shingle only its source holds (a few tries)."""
    words = c.words
    for _ in range(8):
        length = int(rng.integers(min_len, min(max_len, len(words)) + 1))
        start = int(rng.integers(0, len(words) - length + 1))
        if all(owner.get(s) == c.contribution_id for s in _shingles(tokens(" ".join(words[start : start + length])))):
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
