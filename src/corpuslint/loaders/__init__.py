"""Loading documents: find files (`discover`), then turn each into `Document`s or `Problem`s by extension."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from corpuslint.config import FieldMap
from corpuslint.loaders import remote
from corpuslint.loaders.discover import JSON_SUFFIXES, JSONL_SUFFIXES, SourceFile, discover
from corpuslint.loaders.jsonlines import load_json, load_jsonl
from corpuslint.loaders.reading import count_newlines, line_end
from corpuslint.loaders.textfile import load_text
from corpuslint.model import Document, Problem

SPLITTABLE_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class WorkUnit:
    """A file, or a byte range of a large JSON Lines file starting at line `first_line`: what one worker reads."""

    source: SourceFile
    start: int = 0
    end: int | None = None
    first_line: int = 1

    @property
    def key(self) -> str:
        path = self.source.path
        disk = path if remote.is_url(path) else os.fsencode(os.path.abspath(path)).decode("utf-8", "backslashreplace")
        return f"{self.source.rel}\0{disk}:{self.start}"


def plan_units(source: SourceFile, chunk_bytes: int) -> list[WorkUnit]:
    """Split an uncompressed JSON Lines file larger than `chunk_bytes` at line breaks; anything else is one unit."""
    if not source.path.lower().endswith(SPLITTABLE_SUFFIXES) or remote.is_url(source.path):
        return [WorkUnit(source)]
    try:
        size = os.path.getsize(source.path)
        if size <= chunk_bytes:
            return [WorkUnit(source)]
        units, start, line = [], 0, 1
        with open(source.path, "rb") as handle:
            while start < size:
                end = size if start + chunk_bytes >= size else line_end(handle, start + chunk_bytes)
                units.append(WorkUnit(source, start, end, line))
                line += count_newlines(handle, start, end)
                start = end
        return units
    except OSError:
        return [WorkUnit(source)]  # the loader reports why it cannot read the file


def load_unit(unit: WorkUnit, fields: FieldMap, max_bytes: int, max_ratio: int = 100) -> Iterator[Document | Problem]:
    """Documents and problems of one unit, in file order; never raises for bad input."""
    source = unit.source
    name = source.path.lower()
    if name.endswith(JSONL_SUFFIXES):
        return load_jsonl(source.path, source.rel, fields, max_bytes, unit.start, unit.end, unit.first_line, max_ratio)
    if name.endswith(JSON_SUFFIXES):
        return load_json(source.path, source.rel, fields, max_bytes)
    return load_text(source.path, source.rel, max_bytes)


def load_file(source: SourceFile, fields: FieldMap, max_bytes: int) -> Iterator[Document | Problem]:
    return load_unit(WorkUnit(source), fields, max_bytes)


__all__ = ["SourceFile", "WorkUnit", "discover", "load_file", "load_unit", "plan_units"]
