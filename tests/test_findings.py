"""FindingList: a run's findings kept compressed, read back as an ordinary sequence."""

from __future__ import annotations

import pytest

from corpuslint.findings import BLOCK, FindingList
from corpuslint.model import Finding, Location, Severity


def finding(n: int) -> Finding:
    location = Location(
        path=f"news/{n % 7}.txt", document=f"d{n}", start=n, end=n + 3, line=n + 1, column=1, end_line=n + 1,
        end_column=4,
    )  # fmt: skip
    return Finding(
        code="DUP001", name="repeated-headline", severity=Severity.WARNING, message=f"m{n}", location=location
    )


def test_a_finding_list_reads_back_what_was_added_across_blocks() -> None:
    originals = [finding(n) for n in range(2 * BLOCK + 5)]
    found = FindingList(originals[:BLOCK])
    found.extend(originals[BLOCK:])
    assert len(found) == len(originals)
    assert list(found) == originals and list(found) == originals  # iterable more than once
    assert found == originals and found != originals[:-1]
    for index in (0, BLOCK - 1, BLOCK, 2 * BLOCK + 4, -1, -BLOCK - 3):  # in sealed blocks and in the open tail
        assert found[index] == originals[index]
    assert found[BLOCK - 2 : BLOCK + 2] == originals[BLOCK - 2 : BLOCK + 2]
    with pytest.raises(IndexError):
        found[len(originals)]
    assert found.seal() == originals and found[-1] == originals[-1]


def test_a_finding_list_holds_its_findings_compressed() -> None:
    found = FindingList(finding(n) for n in range(BLOCK)).seal()
    held = sum(len(block) for block in found._blocks)
    assert not found._tail and held < 400 * BLOCK  # a Finding object is several KB
    first = found[0]
    first.message = "changed"
    assert found[0].message == "m0"  # what is read is a copy
