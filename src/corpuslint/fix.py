"""`corpuslint fix`: apply the fixes that rules declare, exactly and safely.

For each file: check it, apply every non-overlapping safe edit (unsafe ones with `unsafe=True`), check the
result again, and repeat until nothing is left to fix (at most `MAX_PASSES`): fixing twice changes nothing the
second time. Text files keep their encoding (UTF-8, with or without BOM) and line endings; in JSON records only
the bytes of the edited string are rewritten, so every other field, its order and its formatting stay.
A fix never empties a document's body, and files that could not be read or parsed are never rewritten.
Writes are atomic: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpuslint.config import Settings
from corpuslint.engine import check_unit
from corpuslint.loaders import SourceFile, WorkUnit, discover, load_unit
from corpuslint.loaders.jsonlines import record_starts
from corpuslint.locate import raw_offsets, string_field_offsets
from corpuslint.model import Edit, Finding, Problem
from corpuslint.registry import RuleSet

MAX_PASSES = 10
_JSON_KINDS = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json")


@dataclass
class FileFix:
    source: SourceFile
    original: bytes
    fixed: bytes
    applied: list[Finding] = field(default_factory=list)
    refused: str | None = None

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def plan(paths: list[Path], settings: Settings, *, unsafe: bool = False, cwd: Path | None = None) -> list[FileFix]:
    """What `fix` would do to every file under `paths` (nothing is written)."""
    rules = RuleSet(settings)
    plans = []
    for item in discover(paths, settings.include, settings.exclude, cwd):
        if isinstance(item, Problem):
            continue
        plans.append(fix_file(item, rules, settings, unsafe))
    return plans


def fix_file(source: SourceFile, rules: RuleSet, settings: Settings, unsafe: bool) -> FileFix:
    try:
        original = Path(source.path).read_bytes()
    except OSError as exc:
        return FileFix(source, b"", b"", refused=f"cannot read: {exc.strerror}")
    if os.path.islink(source.path):
        return FileFix(source, original, original, refused="a symbolic link; not rewritten")
    result = FileFix(source, original, original)
    name = source.path.lower()
    suffix = "".join(Path(name).suffixes[-2:]) if name.endswith(".gz") else Path(name).suffix
    with tempfile.TemporaryDirectory(prefix="corpuslint-fix-") as scratch:
        probe = Path(scratch) / Path(source.path).name
        current = original
        for _ in range(MAX_PASSES):
            probe.write_bytes(current)
            unit = WorkUnit(SourceFile(source.rel, str(probe)))
            problem = next(_problems(unit, settings), None)
            if problem is not None:  # whatever rules are selected: never rewrite what could not be parsed
                result.refused = f"not fixed: {problem.kind} at line {problem.line}: {problem.message}"
                result.fixed = original
                return result
            entry, _ = check_unit(unit, rules, settings)
            findings = [f for output in entry.rules.values() for f in output.findings]
            fixable = [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]
            chosen = _non_overlapping(fixable)
            if not chosen:
                break
            if name.endswith(_JSON_KINDS):
                updated = _apply_json(current, chosen, compressed=name.endswith(".gz"), array=suffix == ".json")
            else:
                updated = _apply_text(current, chosen)
            if updated == current:
                break
            result.applied.extend(chosen)
            current = updated
        result.fixed = current
    return result


def _problems(unit: WorkUnit, settings: Settings) -> Iterator[Problem]:
    items = load_unit(unit, settings.fields, settings.max_document_bytes, settings.max_decompression_ratio)
    return (item for item in items if isinstance(item, Problem))


def _non_overlapping(findings: Iterable[Finding]) -> list[Finding]:
    """The fixes to apply in one pass: no two touch the same document field at overlapping offsets."""
    taken: dict[tuple[str, int | None, str], list[tuple[int, int]]] = defaultdict(list)
    chosen = []
    for finding in sorted(findings, key=lambda f: (f.location.path, f.location.record or 0, f.location.start)):
        assert finding.fix is not None
        edits = finding.fix.edits
        keys = [(finding.location.document, finding.location.record, e.field) for e in edits]
        if any(e.start < end and start < e.end for k, e in zip(keys, edits, strict=True) for start, end in taken[k]):
            continue
        for k, e in zip(keys, edits, strict=True):
            taken[k].append((e.start, max(e.end, e.start + 1)))
        chosen.append(finding)
    return chosen


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _apply_text(data: bytes, findings: list[Finding]) -> bytes:
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    edits = [(e.start, e.end, e.replacement) for f in findings for e in f.fix.edits]  # type: ignore[union-attr]
    fixed = _splice(text, edits)
    if not fixed.strip() or len(fixed.split()) < len(text.split()) / 4:
        return data  # never drop (almost) a whole document
    return (b"\xef\xbb\xbf" if bom else b"") + fixed.encode("utf-8")


def _apply_json(data: bytes, findings: list[Finding], *, compressed: bool, array: bool) -> bytes:
    raw = gzip.decompress(data) if compressed else data
    text = raw.decode("utf-8")
    by_record: dict[int, list[Edit]] = defaultdict(list)
    for finding in findings:
        record = finding.location.record if finding.location.record is not None else 1  # a lone .json object
        by_record[record].extend(finding.fix.edits)  # type: ignore[union-attr]
    if array:
        starts = record_starts(text)
        pieces = [(starts[r - 1], edits) for r, edits in by_record.items() if 0 < r <= len(starts)]
        fixed = _splice(text, [edit for start, edits in pieces for edit in _raw_edits(text, start, edits)])
    else:
        lines = text.splitlines(keepends=True)
        for record, edits in by_record.items():
            if 0 < record <= len(lines):
                line = lines[record - 1]
                lines[record - 1] = _splice(line, _raw_edits(line, 0, edits))
        fixed = "".join(lines)
    out = fixed.encode("utf-8")
    return gzip.compress(out, mtime=0) if compressed else out


def _raw_edits(raw: str, obj_start: int, edits: list[Edit]) -> list[tuple[int, int, str]]:
    """Edits of decoded field text, as edits of the raw JSON text (escapes respected); an edit that would leave
    a field empty is dropped."""
    literals = string_field_offsets(raw, obj_start)
    out = []
    for edit in edits:
        literal = literals.get(edit.field)
        if literal is None:
            continue
        value = json.loads(raw[literal - 1 : _literal_end(raw, literal)])
        if not (value[: edit.start] + edit.replacement + value[edit.end :]).strip():
            continue
        start, end = raw_offsets(raw, literal, edit.start, edit.end)
        out.append((start, end, json.dumps(edit.replacement, ensure_ascii=False)[1:-1]))
    return out


def _literal_end(raw: str, literal: int) -> int:
    _, end = json.decoder.scanstring(raw, literal)
    return end


def write_atomic(target: Path, data: bytes, like: Path | None = None) -> None:
    """Write `data` to `target` through a temporary file in the same folder and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if like is not None and like.exists():
            shutil.copymode(like, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def unified_diff(fix: FileFix) -> str:
    def text(data: bytes) -> list[str]:
        if fix.source.path.lower().endswith(".gz"):
            data = gzip.decompress(data)
        return data.decode("utf-8-sig", errors="replace").splitlines(keepends=True)

    lines = difflib.unified_diff(text(fix.original), text(fix.fixed), f"a/{fix.source.rel}", f"b/{fix.source.rel}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def output_path(source: SourceFile, roots: list[Path], out_dir: Path) -> Path:
    """Where a cleaned copy goes: the file's path relative to the checked folder, inside `out_dir` (never outside)."""
    disk = Path(os.path.abspath(source.path))
    relative = Path(disk.name)
    for root in roots:
        base = Path(os.path.abspath(root))
        if base.is_dir() and disk.is_relative_to(base):
            relative = disk.relative_to(base)
            break
    target = (out_dir / relative).resolve()
    if not target.is_relative_to(out_dir.resolve()):
        raise ValueError(f"{source.rel}: output path escapes {out_dir}")
    return target
