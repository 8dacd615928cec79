"""Loading documents: find files (`discover`), then turn each into `Document`s or `Problem`s by extension."""

from __future__ import annotations

from collections.abc import Iterator

from corpuslint.config import FieldMap
from corpuslint.loaders.discover import JSON_SUFFIXES, JSONL_SUFFIXES, SourceFile, discover
from corpuslint.loaders.jsonlines import load_json, load_jsonl
from corpuslint.loaders.textfile import load_text
from corpuslint.model import Document, Problem


def load_file(source: SourceFile, fields: FieldMap, max_bytes: int) -> Iterator[Document | Problem]:
    """Documents and problems of one file, in file order; never raises for bad input."""
    name = source.path.lower()
    if name.endswith(JSONL_SUFFIXES):
        return load_jsonl(source.path, source.rel, fields, max_bytes)
    if name.endswith(JSON_SUFFIXES):
        return load_json(source.path, source.rel, fields, max_bytes)
    return load_text(source.path, source.rel, max_bytes)


__all__ = ["SourceFile", "discover", "load_file"]
