"""Find the files to check: folders walked recursively in sorted order, hidden folders skipped,
`include`/`exclude` globs applied, and every path that cannot be read reported instead of crashing."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpuslint.loaders import remote
from corpuslint.model import Problem

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
JSON_SUFFIXES = (".json",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + JSON_SUFFIXES


@dataclass(frozen=True, order=True)
class SourceFile:
    rel: str  # posix path as reported (relative to the working folder when inside it)
    path: str  # path on disk


_UNPRINTABLE = {c: f"\\x{c:02x}" for c in range(32)} | {0x7F: "\\x7f"}


def display_path(path: Path, cwd: Path) -> str:
    """The path as reported: relative to `cwd` when inside it, `/`-separated, and printable (undecodable bytes
    and control characters such as a newline in a file name are shown as escapes)."""
    absolute = Path(os.path.abspath(path))
    try:
        shown = absolute.relative_to(cwd).as_posix()
    except ValueError:
        shown = absolute.as_posix()
    if shown.isprintable():
        return shown
    shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return shown.translate(_UNPRINTABLE)


def is_supported(name: str) -> bool:
    return name.lower().endswith(SUPPORTED_SUFFIXES)


def _matches(rel: str, patterns: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def discover(
    paths: list[Path | str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    cwd: Path | None = None,
    follow_symlinks: bool = False,
) -> Iterator[SourceFile | Problem]:
    """Every supported file under `paths` (sorted, de-duplicated), or a problem for each path that cannot be read.

    Files named explicitly are checked whatever their extension; files found by walking a folder must have a
    supported extension and match `include` (when given) and not `exclude`. Symbolic links found while walking
    are followed only when they stay inside the folder being walked, unless `follow_symlinks`.
    """
    cwd = cwd or Path.cwd()
    include, exclude = include or [], exclude or []
    found: dict[str, SourceFile] = {}
    problems: list[Problem] = []
    for path in paths:
        if remote.is_url(str(path)):
            _discover_url(str(path), include, exclude, found, problems)
            continue
        path = Path(path)
        rel = display_path(path, cwd)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            problems.append(Problem(kind="unreadable-path", path=rel, message=f"cannot read path: {exc.strerror}"))
            continue
        if stat.S_ISDIR(mode):
            for file in _walk(path, cwd, problems, follow_symlinks):
                if (not include or _matches(file.rel, include)) and not _matches(file.rel, exclude):
                    found.setdefault(file.rel, file)
        elif stat.S_ISREG(mode):
            if not _matches(rel, exclude):
                found.setdefault(rel, SourceFile(rel, str(path)))
        else:
            problems.append(Problem(kind="unreadable-path", path=rel, message="not a regular file or folder; skipped"))
    yield from sorted(problems, key=lambda p: p.path)
    yield from sorted(found.values())


def _discover_url(
    url: str, include: list[str], exclude: list[str], found: dict[str, SourceFile], problems: list[Problem]
) -> None:
    """Files under an fsspec URL; reported by their URL, filtered like a walked folder's files."""
    try:
        files = remote.find(url)
    except OSError as exc:
        problems.append(Problem(kind="unreadable-path", path=url, message=str(exc)))
        return
    if files is None:
        problems.append(Problem(kind="unreadable-path", path=url, message="cannot read path: no such file or folder"))
        return
    base = url.rstrip("/") + "/"
    for inside in files:
        if not inside:  # the URL names a file: checked whatever its extension
            found.setdefault(url, SourceFile(url, url))
            continue
        if any(part.startswith(".") for part in inside.split("/")) or not is_supported(inside.rsplit("/", 1)[-1]):
            continue
        if (not include or _matches(inside, include)) and not _matches(inside, exclude):
            found.setdefault(base + inside, SourceFile(base + inside, base + inside))


def _walk(root: Path, cwd: Path, problems: list[Problem], follow_symlinks: bool) -> Iterator[SourceFile]:
    real_root = os.path.realpath(root)

    def on_error(exc: OSError) -> None:
        where = display_path(Path(exc.filename), cwd) if exc.filename else display_path(root, cwd)
        problems.append(Problem(kind="unreadable-path", path=where, message=f"cannot read folder: {exc.strerror}"))

    for folder, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not is_supported(name):
                continue
            full = os.path.join(folder, name)
            rel = display_path(Path(full), cwd)
            try:
                mode = os.stat(full).st_mode
            except OSError as exc:  # broken symlink, symlink loop, permission
                problems.append(Problem(kind="unreadable-path", path=rel, message=f"cannot read file: {exc.strerror}"))
                continue
            if not stat.S_ISREG(mode):
                problems.append(Problem(kind="unreadable-path", path=rel, message="not a regular file; skipped"))
                continue
            if not follow_symlinks and os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([real_root, target]) != real_root:
                    problems.append(
                        Problem(
                            kind="unreadable-path",
                            path=rel,
                            message="symbolic link to outside the checked folder; not followed",
                        )
                    )
                    continue
            yield SourceFile(rel, full)
