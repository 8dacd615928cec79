"""CI gate helpers: a baseline of accepted findings, and the documents changed since a git ref.

A baseline holds content-keyed fingerprints (rule, file, document, field, normalised matched text and
occurrence; no line numbers, no timestamps), sorted, one per line: stable under edits elsewhere and easy to merge.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from corpuslint.findings import FindingList
from corpuslint.loaders.discover import JSONL_SUFFIXES, display_path
from corpuslint.model import Finding

BASELINE_VERSION = 1
_HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


class GateError(Exception):
    """A baseline or git problem; the CLI prints it and exits 2."""


@dataclass
class BaselineOutcome:
    new: FindingList
    suppressed: int
    gone: int


def write_baseline(findings: Iterable[Finding], path: Path) -> int:
    rows = sorted(
        {(f.location.path, f.code, f.location.document, f.fingerprint) for f in findings},
    )
    lines = [
        json.dumps({"path": p, "code": c, "document": d, "fingerprint": fp}, ensure_ascii=False, sort_keys=True)
        for p, c, d, fp in rows
    ]
    body = ",\n    ".join(lines)
    text = (
        f'{{\n  "version": {BASELINE_VERSION},\n  "findings": [\n    {body}\n  ]\n}}\n'
        if lines
        else (f'{{\n  "version": {BASELINE_VERSION},\n  "findings": []\n}}\n')
    )
    path.write_text(text, encoding="utf-8", errors="backslashreplace")  # a lone surrogate as its JSON escape
    return len(rows)


def read_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != BASELINE_VERSION:
            raise GateError(f"{path}: unsupported baseline version {data.get('version')!r}")
        return {row["fingerprint"] for row in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise GateError(f"{path}: cannot read baseline: {exc}") from exc


def apply_baseline(findings: Iterable[Finding], accepted: set[str]) -> BaselineOutcome:
    new, seen, suppressed = FindingList(), set(), 0
    for finding in findings:
        seen.add(finding.fingerprint)
        if finding.fingerprint in accepted:
            suppressed += 1
        else:
            new.append(finding)
    return BaselineOutcome(new.seal(), suppressed, len(accepted - seen))


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise GateError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        raise GateError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


@dataclass
class ChangedSince:
    """Files added or modified since a git ref (plus untracked ones), and for JSON Lines the changed lines."""

    files: list[Path]
    jsonl_lines: dict[str, set[int]]

    def report_filter(self) -> Callable[[Finding], bool]:
        """Keep findings on changed records only (for JSON Lines); whole files otherwise."""

        def keep(finding: Finding) -> bool:
            places = [finding.location, *(r.location for r in finding.related)]
            return any(
                loc.path not in self.jsonl_lines or (loc.record or loc.line) in self.jsonl_lines[loc.path]
                for loc in places
            )

        return keep


def changed_since(ref: str, paths: list[Path], cwd: Path) -> ChangedSince:
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    scope = [str(p) for p in paths]
    names = _git(["diff", "--name-only", "--diff-filter=AM", "-z", ref, "--", *scope], cwd).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z", "--", *scope], cwd).split("\0")
    files = sorted({top / name for name in names if name and (top / name).is_file()})
    jsonl_lines: dict[str, set[int]] = {}
    for file in files:
        if not file.name.lower().endswith(JSONL_SUFFIXES) or file.name.lower().endswith(".gz"):
            continue
        tracked = _git(["ls-files", "--", str(file)], cwd).strip()
        if not tracked:
            continue  # a new file: every record is new
        diff = _git(["diff", "--unified=0", ref, "--", str(file)], cwd)
        lines: set[int] = set()
        for match in _HUNK_RE.finditer(diff):
            start, count = int(match.group(1)), int(match.group(2) or 1)
            lines.update(range(start, start + count))
        jsonl_lines[display_path(file, cwd)] = lines
    return ChangedSince(files, jsonl_lines)
