"""Reading bytes safely: size limits, binary detection, decoding with a finding instead of a crash.

The helpers are generators that `yield` `Problem`s and `return` their result, so a loader writes
`data = yield from read_limited(...)` and every problem reaches the engine in order.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Generator, Iterator
from typing import BinaryIO

from corpuslint.loaders import remote
from corpuslint.model import Problem
from corpuslint.text import LineIndex

_SNIFF = 8192
_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13, 27}

Reading = Generator[Problem, None, bytes | None]


def read_limited(path_on_disk: str, rel: str, max_bytes: int) -> Reading:
    """The whole file, or None after yielding a problem (unreadable, too large, binary)."""
    try:
        with open_raw(path_on_disk) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        yield Problem(kind="unreadable-path", path=rel, message=f"cannot read file: {exc.strerror or exc}")
        return None
    if len(data) > max_bytes:
        yield Problem(
            kind="oversized-input",
            path=rel,
            message=f"file is larger than max-document-bytes ({max_bytes:,} bytes); not checked",
            evidence={"limit": max_bytes},
        )
        return None
    if looks_binary(data):
        yield Problem(kind="binary-file", path=rel, message="file looks binary (NUL or control bytes); not checked")
        return None
    return data


def looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(1 for byte in head if byte in _CONTROL)
    return controls / len(head) > 0.1


def decode(
    data: bytes, rel: str, line_offset: int = 0, record: int | None = None, lf_lines: bool = False
) -> Generator[Problem, None, str]:
    """UTF-8 text (a leading BOM dropped). Invalid bytes yield one problem naming the first bad byte's
    line and column, and are replaced by U+FFFD so the rest of the text is still checked. `lf_lines`: only LF
    ends a line (JSON Lines, where a CR is whitespace inside a record's line)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8-sig", errors="replace")
        if lf_lines:
            line, column = good.count("\n") + 1, len(good) - good.rfind("\n")
        else:
            line, column = LineIndex(good).position(len(good))
        bad = data[exc.start : exc.start + 4].hex(" ")
        yield Problem(
            kind="invalid-encoding",
            path=rel,
            line=line + line_offset,
            column=column,
            record=record,
            message=f"not valid UTF-8 (byte(s) {bad} at line {line + line_offset}, column {column}); "
            "undecodable bytes replaced by U+FFFD and checked",
            evidence={"byte_offset": exc.start, "bytes": bad},
        )
        return data.decode("utf-8-sig", errors="replace")


def file_size(path: str) -> int:
    return remote.size(path) if remote.is_url(path) else os.path.getsize(path)


def open_raw(path: str) -> BinaryIO:
    """The file's bytes: a local path, or an fsspec URL."""
    return remote.open_url(path) if remote.is_url(path) else open(path, "rb")


def open_binary(path: str) -> BinaryIO:
    """The file's bytes, decompressed when it ends in .gz."""
    if path.endswith(".gz"):
        return gzip.GzipFile(fileobj=open_raw(path), mode="rb")  # type: ignore[return-value]
    return open_raw(path)


def bounded_lines(
    handle: BinaryIO, max_line: int, first_line: int = 1, end: int | None = None
) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line up to byte offset `end`; a line longer than `max_line` is skipped
    without being held in memory and yields None."""
    number = first_line - 1
    while end is None or handle.tell() < end:
        chunk = handle.readline(max_line + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_line and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = handle.readline(1 << 20)
            yield number, None
        else:
            yield number, chunk


def line_end(handle: BinaryIO, position: int) -> int:
    """The offset just after the line break at or after `position` (or the end of the file)."""
    handle.seek(position)
    while True:
        block = handle.read(1 << 20)
        if not block:
            return handle.tell()
        newline = block.find(b"\n")
        if newline >= 0:
            return handle.tell() - len(block) + newline + 1


def count_newlines(handle: BinaryIO, start: int, end: int) -> int:
    handle.seek(start)
    remaining, count = end - start, 0
    while remaining > 0:
        block = handle.read(min(remaining, 1 << 24))
        if not block:
            break
        count += block.count(b"\n")
        remaining -= len(block)
    return count
