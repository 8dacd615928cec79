"""`.jsonl`, `.ndjson`, `.jsonl.gz` (one record per line, streamed) and `.json` (an array of records, or one).

Which keys hold the headline, body, summary, id, url and language is configurable (`FieldMap`); the body is
split into blocks exactly like a text file. Malformed lines and records become problems naming the line;
every other record is still checked.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import zlib
from collections.abc import Iterator
from typing import Any

from corpuslint.config import FieldMap
from corpuslint.loaders import remote
from corpuslint.loaders.reading import bounded_lines, decode, file_size, open_binary, read_limited
from corpuslint.loaders.structure import parse_blocks, split_summary
from corpuslint.locate import JsonLocator
from corpuslint.model import Block, Document, Problem, Role
from corpuslint.text import LineIndex, strip_span

_DECODER = json.JSONDecoder()
_LONE_CR_RE = re.compile(r"\r(?!\n)")


def load_jsonl(
    path_on_disk: str,
    rel: str,
    fields: FieldMap,
    max_bytes: int,
    start: int = 0,
    end: int | None = None,
    first_line: int = 1,
    max_ratio: int = 100,
) -> Iterator[Document | Problem]:
    """Records of the file, or of its byte range [start, end) whose first line is `first_line`."""
    try:
        handle = open_binary(path_on_disk)
    except OSError as exc:
        yield Problem(kind="unreadable-path", path=rel, message=f"cannot read file: {exc.strerror or exc}")
        return
    seen_any = whole = False
    try:
        with handle:
            if start:
                handle.seek(start)
            if end is None and not path_on_disk.lower().endswith(".gz") and not remote.is_url(path_on_disk):
                end = os.fstat(handle.fileno()).st_size  # a file that grows while we read: check what was there
                whole = True
            else:
                whole = start == 0 and end is None
            budget = _decompression_budget(path_on_disk, max_ratio)
            for number, raw in bounded_lines(handle, max_bytes, first_line, end):
                if budget is not None and handle.tell() > budget:
                    yield Problem(
                        kind="oversized-input",
                        path=rel,
                        line=number,
                        record=number,
                        message=f"decompressed more than {max_ratio}x the compressed size by line {number}: "
                        "a compression bomb or not text; the rest of the file is not checked",
                        evidence={"max_decompression_ratio": max_ratio, "decompressed_bytes": handle.tell()},
                    )
                    return
                if raw is None:
                    yield Problem(
                        kind="oversized-input",
                        path=rel,
                        line=number,
                        record=number,
                        message=f"line {number} is longer than max-document-bytes ({max_bytes:,} bytes); not checked",
                        evidence={"limit": max_bytes},
                    )
                    continue
                line = (yield from decode(raw, rel, number - 1, number, lf_lines=True)).rstrip("\r\n")
                if not line.strip():
                    continue
                seen_any = True
                # A CR inside the line is whitespace between JSON tokens, not a line break: findings are
                # located in a copy without it, so that their line is the record's line.
                lf_only = line.replace("\r", " ") if "\r" in line else None
                yield from _record_from_text(line, 0, number, number, rel, fields, first_line=number, lf_only=lf_only)
    except (OSError, EOFError, zlib.error) as exc:
        yield Problem(kind="unreadable-path", path=rel, message=f"cannot read file to the end: {exc}")
        return
    if not seen_any and whole:
        yield Problem(kind="empty-document", path=rel, message="file holds no records")


def _decompression_budget(path_on_disk: str, max_ratio: int) -> int | None:
    """For a compressed file, how many decompressed bytes are plausible for text (at least 16 MiB)."""
    if not path_on_disk.lower().endswith(".gz"):
        return None
    try:
        return max(16 * 1024 * 1024, max_ratio * file_size(path_on_disk))
    except OSError:
        return None


def load_json(path_on_disk: str, rel: str, fields: FieldMap, max_bytes: int) -> Iterator[Document | Problem]:
    data = yield from read_limited(path_on_disk, rel, max_bytes)
    if data is None:
        return
    text = yield from decode(data, rel, lf_lines=True)
    start = _skip_ws(text, 0)
    if start >= len(text):
        yield Problem(kind="empty-document", path=rel, message="file is empty or holds only whitespace")
        return
    lf_only = _LONE_CR_RE.sub(" ", text) if "\r" in text else None  # records' lines are counted by LF only
    if text[start] != "[":
        yield from _record_from_text(text, start, 1, None, rel, fields, first_line=1, lf_only=lf_only)
        return
    elements = ArrayElements(text, start)
    line_index = LineIndex(lf_only if lf_only is not None else text)  # shared by the records' locators
    line, counted = 1, 0
    for index in itertools.count(1):
        line += text.count("\n", counted, elements.position)  # counted on from the last record: linear
        counted = elements.position
        try:
            pos, end = next(elements)
        except StopIteration:
            return
        except (ValueError, RecursionError) as exc:
            line, column = _error_position(exc, line, 1)
            yield Problem(
                kind="malformed-record",
                path=rel,
                line=line,
                column=column,
                record=index,
                message=f"record {index}: invalid JSON: {_reason(exc)}; the rest of the file is skipped",
            )
            return
        yield from _record_from_text(
            text, pos, line, index, rel, fields, first_line=1, end=end, lf_only=lf_only, index=line_index
        )


class ArrayElements:
    """(start, end) offsets of each element of the JSON array opening at `text[pos]`; `position` is where the
    next element starts. Raises ValueError or RecursionError on malformed JSON."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.position = _skip_ws(text, pos + 1)

    def __iter__(self) -> ArrayElements:
        return self

    def __next__(self) -> tuple[int, int]:
        text, pos = self.text, self.position
        if pos >= len(text) or text[pos] == "]":
            raise StopIteration
        _, end = _DECODER.raw_decode(text, pos)
        self.position = _skip_ws(text, end)
        if self.position < len(text) and text[self.position] == ",":
            self.position = _skip_ws(text, self.position + 1)
        return pos, end


def record_starts(text: str) -> list[int]:
    """Where each record of a .json file starts: its elements if it holds an array, else the one object."""
    start = _skip_ws(text, 0)
    if start >= len(text) or text[start] != "[":
        return [start]
    return [pos for pos, _ in ArrayElements(text, start)]


def _record_from_text(
    raw: str,
    pos: int,
    line: int,
    record: int | None,
    rel: str,
    fields: FieldMap,
    *,
    first_line: int,
    end: int | None = None,
    lf_only: str | None = None,
    index: LineIndex | None = None,
) -> Iterator[Document | Problem]:
    """The record starting at `raw[pos:]` (`line` is where it starts; `first_line` is the line of `raw[0]`;
    `lf_only`: `raw` with its CRs blanked, to locate findings in; `index`: the line index of that text)."""
    where = f"record {record}" if record is not None else "record"
    try:
        obj, stop = _DECODER.raw_decode(raw, _skip_ws(raw, pos))
        if end is None and raw[stop:].strip():
            raise ValueError(f"extra data after the record at column {stop + 1}")
    except (ValueError, RecursionError) as exc:
        error_line, error_column = _error_position(exc, line, first_line)
        yield Problem(
            kind="malformed-record",
            path=rel,
            line=error_line,
            column=error_column,
            record=record,
            message=f"{where}: invalid JSON: {_reason(exc)}",
        )
        return
    if not isinstance(obj, dict):
        yield Problem(
            kind="malformed-record",
            path=rel,
            line=line,
            record=record,
            message=f"{where}: expected a JSON object, found {type(obj).__name__}",
        )
        return
    body_key = _first_key(obj, fields.body)
    if body_key is None or not isinstance(obj[body_key], str):
        found = "no body field" if body_key is None else f"field {body_key!r} is {type(obj[body_key]).__name__}"
        yield Problem(
            kind="missing-field",
            path=rel,
            line=line,
            record=record,
            message=f"{where}: {found} (looked for {', '.join(fields.body)}); not checked",
            evidence={"expected": list(fields.body)},
        )
        return
    body_text: str = obj[body_key]
    if not body_text.strip():
        yield Problem(kind="empty-document", path=rel, line=line, record=record, message=f"{where}: body is empty")
        return
    located = raw if lf_only is None else lf_only
    yield build_record_document(obj, located, pos, first_line, record, rel, fields, body_key, index)


def build_record_document(
    obj: dict[str, Any],
    raw: str,
    pos: int,
    first_line: int,
    record: int | None,
    rel: str,
    fields: FieldMap,
    body_key: str,
    index: LineIndex | None = None,
) -> Document:
    headline_key = _first_key(obj, fields.headline, str)
    summary_key = _first_key(obj, fields.summary, str)
    id_key = _first_key(obj, fields.id)
    lang_key = _first_key(obj, fields.lang, str)
    headline = _whole_field(Role.HEADLINE, obj, headline_key)
    summary = (
        [b.model_copy(update={"role": Role.SUMMARY}) for b in parse_blocks(obj[summary_key], summary_key)]
        if summary_key
        else []
    )
    found_summary, body = split_summary(parse_blocks(obj[body_key], body_key))
    used = {headline_key, summary_key, body_key, lang_key, id_key}
    metadata = {k: v for k, v in obj.items() if k not in used and isinstance(v, str | int | float | bool)}
    doc_id = str(obj[id_key]) if id_key is not None else f"{rel}:{record if record is not None else 1}"
    doc = Document(
        id=doc_id,
        path=rel,
        record=record,
        headline=headline,
        summary=summary + found_summary,
        body=body,
        lang=(obj[lang_key] or None) if lang_key else None,
        metadata=metadata,
    )
    doc._locator = JsonLocator(raw, pos, first_line, index)
    return doc


def _first_key(obj: dict[str, Any], keys: list[str], kind: type | None = None) -> str | None:
    for key in keys:
        if key in obj and obj[key] is not None and (kind is None or isinstance(obj[key], kind)):
            return key
    return None


def _whole_field(role: Role, obj: dict[str, Any], key: str | None) -> Block | None:
    if key is None:
        return None
    text: str = obj[key]
    start, end = strip_span(text, 0, len(text))
    if start >= end:
        return None
    return Block(role=role, text=text[start:end], field=key, start=start, end=end)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    return str(exc)


def _error_position(exc: Exception, line: int, first_line: int) -> tuple[int, int]:
    """File line and column of a JSON syntax error (the record's start when the parser gives none)."""
    if isinstance(exc, json.JSONDecodeError):
        return first_line + exc.lineno - 1, exc.colno
    return line, 1
