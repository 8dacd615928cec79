"""`FindingList`: a run's findings kept compact, so a report of a large corpus never holds them as objects.

A `Finding` is about 3.6 KB as a pydantic object and about 200 bytes pickled and compressed next to a thousand
others (their paths, codes and messages repeat). A `FindingList` keeps sealed blocks of that form and decodes one
block at a time when iterated; it is a read-only `Sequence` for everything that reads a run's findings
(reporters, the baseline, tests). Iterating yields fresh objects: changing one does not change the list.
"""

from __future__ import annotations

import bisect
import gc
import pickle
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from corpuslint.model import Finding, Severity

Key = tuple[str, str, Severity]  # code, name, severity

BLOCK = 1024  # findings per compressed block: large enough to compress well, small enough to decode quickly


class FindingList(Sequence[Finding]):
    """Findings in order, stored as compressed blocks; built with `append`/`extend`, read as a sequence."""

    __slots__ = ("_blocks", "_ends", "_tail", "_tally")

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._blocks: list[bytes] = []
        self._ends: list[int] = []  # the number of findings up to and including each block
        self._tail: list[Finding] = []
        self._tally: Counter[Key] = Counter()
        self.extend(findings)

    def append(self, finding: Finding) -> None:
        self._tail.append(finding)
        self._tally[finding.code, finding.name, finding.severity] += 1
        if len(self._tail) >= BLOCK:
            self.seal()

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.append(finding)

    def seal(self) -> FindingList:
        """Compress the findings not yet in a block (a list that is complete holds no objects at all)."""
        if self._tail:
            self._blocks.append(zlib.compress(pickle.dumps(self._tail, protocol=pickle.HIGHEST_PROTOCOL), 1))
            self._ends.append(len(self))
            self._tail = []
        return self

    def tally(self) -> Counter[Key]:
        """The findings counted by (code, name, severity), without decoding them."""
        return self._tally.copy()

    def __len__(self) -> int:
        return (self._ends[-1] if self._ends else 0) + len(self._tail)

    def __iter__(self) -> Iterator[Finding]:
        for block in self._blocks:
            yield from _decode(block)
        yield from list(self._tail)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return list(self)[index]
        length = len(self)
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError("FindingList index out of range")
        block = bisect.bisect_right(self._ends, index)
        if block == len(self._blocks):
            return self._tail[index - (self._ends[-1] if self._ends else 0)]
        return _decode(self._blocks[block])[index - (self._ends[block - 1] if block else 0)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __repr__(self) -> str:
        return f"FindingList({len(self)} findings)"


def tally(findings: Iterable[Finding]) -> Counter[Key]:
    """Findings counted by (code, name, severity): kept by a FindingList, one pass over any other iterable."""
    if isinstance(findings, FindingList):
        return findings.tally()
    return Counter((f.code, f.name, f.severity) for f in findings)


def severity_counts(findings: Iterable[Finding]) -> Counter[Severity]:
    """Findings counted by severity (from the tally)."""
    counts: Counter[Severity] = Counter()
    for (_, _, severity), count in tally(findings).items():
        counts[severity] += count
    return counts


def _decode(block: bytes) -> list[Finding]:
    collecting = gc.isenabled()
    gc.disable()  # a block is thousands of new objects and no cycle: collections on the way only cost time
    try:
        return pickle.loads(zlib.decompress(block))
    finally:
        if collecting:
            gc.enable()
