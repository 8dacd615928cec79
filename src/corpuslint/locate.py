"""Turn field offsets into file positions: the one span-to-line/column mapper for every format.

Text files: the field is the file, so offsets map straight through a `LineIndex`. JSON records: a field's text
is a decoded JSON string; we find the string literal in the raw record and walk its escapes, so a finding points
at the exact column of the file, even inside `\\u00e9` or `\\n` escapes.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from json.decoder import scanstring
from typing import Any, Protocol

from corpuslint.model import Document, Location
from corpuslint.text import LineIndex

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"
POSITION_FIELDS = ("start", "end", "line", "column", "end_line", "end_column")
_POSITIONS = struct.Struct("<q6i")  # record (-1: none) and the six positions
# (path, document, field, packed record and positions[, snippet, snippet column]): what a corpus rule keeps per
# document instead of a Location (~200 bytes instead of ~1.5 KB as an object)
PackedLocation = tuple[Any, ...]


def pack_location(location: Location, snippet: bool = False) -> PackedLocation:
    """A compact, picklable form of `location`; the source snippet (text) is kept only if asked for."""
    record = -1 if location.record is None else location.record
    positions = _POSITIONS.pack(record, *(getattr(location, name) for name in POSITION_FIELDS))
    packed = (location.path, location.document, location.field, positions)
    return (*packed, location.snippet, location.snippet_column) if snippet else packed


def unpack_location(packed: PackedLocation, positions: Sequence[int] | None = None) -> Location:
    """The Location of a packed one (with its snippet if it was kept), optionally at other positions."""
    path, document, field, numbers, *shown = packed
    record, *own = _POSITIONS.unpack(numbers)
    return Location.model_construct(
        path=path,
        document=document,
        record=None if record < 0 else record,
        field=field,
        **dict(zip(POSITION_FIELDS, own if positions is None else positions, strict=True)),
        snippet=shown[0] if shown else "",
        snippet_column=shown[1] if shown else 1,
    )


class Locator(Protocol):
    def locate(self, doc: Document, field: str, start: int, end: int) -> Location: ...


def _location(
    doc: Document,
    field: str | None,
    start: int,
    end: int,
    index: LineIndex,
    raw_start: int,
    raw_end: int,
    line_shift: int = 0,
) -> Location:
    line, column = index.position(raw_start)
    end_line, end_column = index.position(raw_end)
    if end_line == line and end_column <= column:
        end_column = column + 1 if raw_end > raw_start else column
    line_start, line_end = index.line_bounds(line)
    last = end_column if end_line == line else line_end - line_start + 1
    snippet, snippet_column = index.snippet(line, column, last)
    return Location(
        path=doc.path,
        document=doc.id,
        record=doc.record,
        field=field,
        start=start,
        end=end,
        line=line + line_shift,
        column=column,
        end_line=end_line + line_shift,
        end_column=end_column,
        snippet=snippet,
        snippet_column=snippet_column,
    )


class TextLocator:
    """For .txt/.md files: the single field `text` is the decoded file."""

    __slots__ = ("_index",)

    def __init__(self, text: str) -> None:
        self._index = LineIndex(text)

    def locate(self, doc: Document, field: str, start: int, end: int) -> Location:
        return _location(doc, None, start, end, self._index, start, end)


class JsonLocator:
    """For one JSON object found at `raw[obj_start:]`; `raw` is a JSONL line or a whole .json file."""

    __slots__ = ("_fields", "_first_line", "_index", "_obj_start", "_raw")

    def __init__(self, raw: str, obj_start: int = 0, first_line: int = 1, index: LineIndex | None = None) -> None:
        self._raw = raw
        self._obj_start = obj_start
        self._first_line = first_line
        self._index = index  # the records of one .json file share the index of its text
        self._fields: dict[str, int] | None = None

    def locate(self, doc: Document, field: str, start: int, end: int) -> Location:
        if self._fields is None:
            self._index = self._index or LineIndex(self._raw)
            self._fields = string_field_offsets(self._raw, self._obj_start)
        literal = self._fields.get(field) if self._fields else None
        if literal is None:  # not a top-level string (should not happen): point at the record
            raw_start = raw_end = self._obj_start
        else:
            raw_start, raw_end = raw_offsets(self._raw, literal, start, end)
        return _location(doc, field, start, end, self._index, raw_start, raw_end, self._first_line - 1)


def string_field_offsets(raw: str, pos: int) -> dict[str, int]:
    """Offset just after the opening quote of every top-level string value of the object at `raw[pos:]`."""
    found: dict[str, int] = {}
    n = len(raw)

    def skip(i: int) -> int:
        while i < n and raw[i] in _WS:
            i += 1
        return i

    i = skip(pos)
    if i >= n or raw[i] != "{":
        return found
    i = skip(i + 1)
    while i < n and raw[i] == '"':
        key, i = scanstring(raw, i + 1)
        i = skip(i)
        if i >= n or raw[i] != ":":
            break
        i = skip(i + 1)
        if i < n and raw[i] == '"':
            found.setdefault(key, i + 1)
            _, i = scanstring(raw, i + 1)
        else:
            _, i = _DECODER.raw_decode(raw, i)
        i = skip(i)
        if i < n and raw[i] == ",":
            i = skip(i + 1)
    return found


def raw_offsets(raw: str, literal_start: int, start: int, end: int) -> tuple[int, int]:
    """Map decoded offsets [start, end) of the string literal beginning at `literal_start` to raw offsets.

    Jumps from escape to escape with `str.find` (plain characters map one to one), so the cost grows with the
    number of escapes before `end`, not with the length of the text."""
    decoded = 0
    i = literal_start
    raw_start: int | None = None
    n = len(raw)
    quote = backslash = -1
    while True:
        if quote < i:
            quote = raw.find('"', i) % (n + 1)  # not found (-1) -> n
        if backslash < i:
            backslash = raw.find("\\", i) % (n + 1)
        stop = min(quote, backslash)
        plain = stop - i  # raw[i:stop] decodes to itself
        if raw_start is None and start <= decoded + plain:
            raw_start = i + start - decoded
        if end <= decoded + plain:
            return (raw_start if raw_start is not None else i), i + end - decoded
        decoded += plain
        i = stop
        if i >= n or raw[i] == '"':
            break
        if raw[i + 1] != "u":
            i += 2
        else:
            high = int(raw[i + 2 : i + 6], 16)
            i += 6
            if 0xD800 <= high < 0xDC00 and raw[i : i + 2] == "\\u" and 0xDC00 <= int(raw[i + 2 : i + 6], 16) < 0xE000:
                i += 6  # a surrogate pair decodes to one code point
        decoded += 1
    return (raw_start if raw_start is not None else i), i
