"""What a rule is: a stable code, a kebab-case name, a default severity, typed options and a three-part docstring.

Two kinds:
- `DocumentRule.check(doc, ctx)` sees one document at a time (runs in worker processes);
- `CorpusRule.signature(doc, ctx)` keeps something compact per document, and `CorpusRule.check_corpus(...)`
  sees every signature at the end (cross-document checks such as near-duplicate documents);
  `StatisticsRule` is a corpus rule whose findings need corpus-wide statistics, not pairs (document
  frequencies), split so that a cluster engine can compute them where the signatures are.

A rule's docstring starts with a one-line summary, then `## What it does`, `## Why is this bad?` and
`## Example` sections, as in ruff; `corpuslint rule CODE` prints it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from corpuslint.model import Block, Document, Edit, Evidence, Finding, Fix, Location, RelatedLocation, Severity
from corpuslint.text import sentences, words

CODE_RE = re.compile(r"^[A-Z]+[0-9]{3}$")
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    Options: ClassVar[type[BaseModel]] = NoOptions
    origin: ClassVar[str] = "built-in"

    def __init__(self, options: BaseModel | None = None) -> None:
        self.options: Any = options if options is not None else self.Options()

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.docs().split("\n", 1)[0].strip()

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")

    @functools.cached_property
    def identity_hash(self) -> str:
        """A short digest of `identity()`, computed once per rule instance (the cache compares it per unit)."""
        return hashlib.sha256(self.identity().encode()).hexdigest()[:16]

    def identity(self) -> str:
        """What cached results of this rule are keyed on: its class, code and options. Rules defined by data
        (e.g. YAML packs) override this to include their definition."""
        options = self.options.model_dump_json() if isinstance(self.options, BaseModel) else repr(self.options)
        return f"{type(self).__module__}.{type(self).__qualname__}:{self.code}:{options}"

    def finding(
        self,
        location: Location,
        message: str,
        *,
        text: str = "",
        evidence: Evidence | None = None,
        related: Sequence[RelatedLocation] = (),
        fix: Fix | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            location=location,
            text=text,
            evidence=evidence or {},
            related=list(related),
            fix=fix,
        )


class DocContext:
    """Per-document analysis shared by every rule, computed once on first use."""

    __slots__ = ("_cache", "doc")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._cache: dict[Any, Any] = {}

    def memo(self, key: Any, compute: Any) -> Any:
        """`compute()` once per document for `key`; rules use it to share tokens, sentences, language, etc."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = compute()
            return value

    def words(self, block: Block) -> list[str]:
        return self.memo(("words", id(block)), lambda: words(block.text))

    def sentences(self, block: Block) -> list[tuple[int, int]]:
        return self.memo(("sentences", id(block)), lambda: sentences(block.text))


def drop_block(doc: Document, block: Block, description: str, *, safe: bool = True) -> Fix:
    """A fix that removes `block` and the blank lines that separate it from its neighbour in the same field."""
    same_field = [b for b in doc.blocks if b.field == block.field]
    later = [b.start for b in same_field if b.start >= block.end]
    earlier = [b.end for b in same_field if b.end <= block.start]
    if later:
        start, end = block.start, min(later)
    elif earlier:
        start, end = max(earlier), block.end
    else:
        start, end = block.start, block.end
    return Fix(description=description, edits=[Edit(field=block.field, start=start, end=end)], safe=safe)


def drop_span(block: Block, start: int, end: int, description: str, *, safe: bool = True) -> Fix:
    """A fix that removes `block.text[start:end]` and the white space before it (offsets relative to the block)."""
    while start > 0 and block.text[start - 1] in " \t":
        start -= 1
    edit = Edit(field=block.field, start=block.start + start, end=block.start + end)
    return Fix(description=description, edits=[edit], safe=safe)


def drop_line(doc: Document, block: Block, start: int, end: int, description: str, *, safe: bool = True) -> Fix:
    """A fix that removes the line(s) of `block` holding `block.text[start:end]` with their line break, or the
    whole block when those lines are all it holds."""
    text = block.text
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if line_start == 0 and line_end == len(text):
        return drop_block(doc, block, description, safe=safe)
    if line_end == len(text):  # the last line: take the line break before it
        return drop_span(block, max(0, line_start - 1), line_end, description, safe=safe)
    return drop_span(block, line_start, line_end + 1, description, safe=safe)


class DocumentRule(Rule):
    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        raise NotImplementedError


class CorpusRule(Rule):
    def signature(self, doc: Document, ctx: DocContext) -> Any:
        """Something small and picklable about `doc` (or None to skip it); never the document's text."""
        raise NotImplementedError

    def check_corpus(self, signatures: Sequence[Any]) -> Iterable[Finding]:
        """Findings across the corpus; `signatures` are in document order (path, then record)."""
        raise NotImplementedError

    def compact(self, signatures: list[Any]) -> Sequence[Any]:
        """One unit's signatures in the form they are held in until the corpus phase: by default the list. A rule
        with a signature for most documents returns columns (a few arrays, not an object per document)."""
        return signatures

    def join(self, parts: list[Sequence[Any]]) -> Sequence[Any]:
        """The units' signatures as one sequence, in order, for `check_corpus`; may empty `parts` as it goes."""
        return list(chain.from_iterable(parts))

    def shuffle_keys(self, signature: Any) -> Iterable[int] | None:
        """Keys such that `check_corpus` only relates signatures sharing one (LSH band hashes, exact keys), and
        a signature sharing none with any other changes no finding. A cluster engine groups signatures by these
        keys on the workers and sends the corpus phase only those that share a key. None (the default): this
        signature always goes to the corpus phase."""
        return None


STATISTICS_CHUNK = 20_000  # distinct signatures per partial statistics (bounds the working memory)


class StatisticsRule(CorpusRule):
    """A corpus rule whose findings need corpus-wide statistics (e.g. document frequencies), not pairs:
    `check_corpus` is `check_with(merge([statistics(distinct signatures)]), signatures)`. A cluster engine
    shuffles signatures by `distinct_key`, computes `statistics` per partition and `merge`s them on the workers,
    then runs `check_with` on each unit's signatures where they are; only findings reach the client."""

    def distinct_key(self, signature: Any) -> int:
        """Signatures with the same key contribute once (and identically) to the statistics."""
        raise NotImplementedError

    def distinct(self, signatures: Iterable[Any]) -> dict[int, Any]:
        """The first signature of each distinct key, by key."""
        found: dict[int, Any] = {}
        for signature in signatures:
            found.setdefault(self.distinct_key(signature), signature)
        return found

    def statistics(self, distinct: Sequence[Any]) -> Any:
        """Statistics of signatures with pairwise different keys (an empty sequence included)."""
        raise NotImplementedError

    def merge(self, parts: Sequence[Any]) -> Any:
        """The statistics of the union of disjoint sets of distinct signatures."""
        raise NotImplementedError

    def check_with(self, statistics: Any, signatures: Sequence[Any]) -> Iterable[Finding]:
        """Findings for `signatures`, given the statistics of the whole corpus."""
        raise NotImplementedError

    def check_corpus(self, signatures: Sequence[Any]) -> Iterable[Finding]:
        return self.check_with(self.corpus_statistics(signatures), signatures)

    def reportable(self, signature: Any) -> bool:
        """Whether `check_with` could report on this signature; the engine drops the others once their
        statistics are counted (HEAD001 keeps only documents that pass its cheap per-document gate)."""
        return True

    def corpus_statistics(self, signatures: Iterable[Any], chunk: int = STATISTICS_CHUNK) -> Any:
        """The statistics of all `signatures` (each distinct key once)."""
        fold = StatisticsFold(self, chunk)
        fold.keep(signatures)
        return fold.result()


class StatisticsFold:
    """A StatisticsRule's corpus statistics over signatures that arrive in batches (each distinct key counted
    once), computed `chunk` distinct signatures at a time and merged, so the working memory stays bounded.
    Statistics are sums over a set of distinct signatures, so the order of the batches does not matter."""

    def __init__(self, rule: StatisticsRule, chunk: int = STATISTICS_CHUNK) -> None:
        self.rule = rule
        self.chunk = chunk
        self._seen: set[int] = set()
        self._pending: list[Any] = []
        self._parts: list[Any] = []

    def keep(self, signatures: Iterable[Any]) -> list[Any]:
        """Count `signatures` in, and return those the rule could report on (the rest are not needed again)."""
        kept = []
        for signature in signatures:
            key = self.rule.distinct_key(signature)
            if key not in self._seen:
                self._seen.add(key)
                self._pending.append(signature)
                if len(self._pending) >= self.chunk:
                    self._flush()
            if self.rule.reportable(signature):
                kept.append(signature)
        return kept

    def result(self) -> Any:
        if self._pending or not self._parts:
            self._flush()
        return self.rule.merge(self._parts)

    def _flush(self) -> None:
        self._parts.append(self.rule.statistics(self._pending))
        self._pending = []
        if len(self._parts) >= 8:
            self._parts = [self.rule.merge(self._parts)]
