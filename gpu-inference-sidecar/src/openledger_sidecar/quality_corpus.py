"""The attribution-quality corpus: real text that ships with every Python, split into contributions.

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

CORPUS_VERSION = "1"  # bump when the extraction, cleaning or planting rules (quality_queries) change
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


def shingles(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]


# --- the corpus ----------------------------------------------------------------------------


def candidates(
    root: str, packages: frozenset[str] | None = None, seen: set[str] | None = None, prefix: str = ""
) -> list[tuple[str, str, str]]:
    """(Datanet name, source, text) of every usable piece, in file order, near-duplicates dropped
    (a piece whose 8-word shingles were mostly seen before, here or in `seen`: copied docstrings,
    license headers). `packages` keeps only those top-level packages and modules (a quick run);
    `prefix` goes before Datanet names and sources (another source tree)."""
    seen = set() if seen is None else seen
    out = []
    for rel in source_files(root):
        if packages is not None and datanet_of(rel) not in packages:
            continue
        for kind, raw in texts_of(root, rel):
            for text in chunks(raw):
                if not is_prose(text):
                    continue
                mine = set(shingles(tokens(text)))
                if len(mine & seen) >= NEAR_DUPLICATE * len(mine):
                    continue
                seen |= mine
                out.append((prefix + datanet_of(rel), f"{prefix}{rel}:{kind}", text))
    return out


def build_corpus(
    contributions: int | None, seed: int, root: str | None = None, min_datanet: int = 40,
    packages: frozenset[str] | None = None, also: tuple[str, ...] = (),
) -> Corpus:
    """A seeded sample of `contributions` pieces (all when None), in file order, ids from 1.

    Datanets are top-level packages; those with fewer than `min_datanet` pieces in the sample are
    pooled by the first letter of their name (`other-a-e`, ...), so no Datanet is tiny. `also`
    adds other source trees after the standard library (e.g. a venv's site-packages: a larger
    corpus, which then depends on what is installed there), their Datanets named `<dir>/<package>`.
    """
    root = root or stdlib_dir()
    seen: set[str] = set()
    pool = candidates(root, packages, seen)
    for extra in also:
        pool += candidates(extra, None, seen, prefix=os.path.basename(os.path.normpath(extra)) + "/")
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
        head, _, tail = name.rpartition("/")
        first = tail.lstrip("_")[:1].lower() or "_"
        for bucket in ("a-c", "d-h", "i-o", "p-r", "s-z"):
            if bucket[0] <= first <= bucket[2]:
                return f"{head}/other-{bucket}" if head else f"other-{bucket}"
        return f"{head}/other-a-c" if head else "other-a-c"

    out = [Contribution(i + 1, group(name), source, text) for i, (name, source, text) in enumerate(pool)]
    names = sorted({c.datanet for c in out})
    digest = hashlib.blake2b(digest_size=16)
    for c in out:
        digest.update(f"{c.datanet}\x00{c.text}\x00".encode())
    return Corpus(out, {n: i + 1 for i, n in enumerate(names)}, sys.version.split()[0], digest.hexdigest())
