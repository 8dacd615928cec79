"""The engine: discover files, run document rules per document (in a process pool), then corpus rules over
the documents' compact signatures, then apply severities, per-path ignores and fingerprints, and sort.

Documents are dropped as soon as their rules have run; only findings and signatures travel back.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslint.config import Settings
from corpuslint.loaders import SourceFile, discover, load_file
from corpuslint.model import Document, Finding, Location, Problem
from corpuslint.registry import RuleSet, matches
from corpuslint.rule import DocContext
from corpuslint.text import normalise


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    signatures: dict[str, list[Any]] = field(default_factory=dict)
    documents: int = 0


@dataclass
class RunResult:
    findings: list[Finding]
    documents: int
    files: int
    rule_set: RuleSet


_WORKER_RULES: RuleSet | None = None
_WORKER_SETTINGS: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER_RULES, _WORKER_SETTINGS
    _WORKER_SETTINGS = settings
    _WORKER_RULES = RuleSet(settings)


def _check_in_worker(source: SourceFile) -> FileResult:
    assert _WORKER_RULES is not None and _WORKER_SETTINGS is not None
    return check_file(source, _WORKER_RULES, _WORKER_SETTINGS)


def check_document(doc: Document, rules: RuleSet, result: FileResult) -> None:
    """Run every document rule on `doc` and collect every corpus rule's signature; a failing rule becomes an
    INPUT008 finding and the others still run."""
    ctx = DocContext(doc)
    for rule in rules.document_rules:
        try:
            result.findings.extend(rule.check(doc, ctx))
        except Exception as exc:
            result.findings.append(_rule_failed(rules, rule.code, doc, exc))
    for rule in rules.corpus_rules:
        try:
            signature = rule.signature(doc, ctx)
        except Exception as exc:
            result.findings.append(_rule_failed(rules, rule.code, doc, exc))
            continue
        if signature is not None:
            result.signatures.setdefault(rule.code, []).append(signature)


def check_file(source: SourceFile, rules: RuleSet, settings: Settings) -> FileResult:
    result = FileResult()
    for item in load_file(source, settings.fields, settings.max_document_bytes):
        if isinstance(item, Problem):
            result.findings.extend(_problem_findings(rules, [item]))
            continue
        result.documents += 1
        check_document(item, rules, result)
    return result


def run(paths: list[Path], settings: Settings, cwd: Path | None = None) -> RunResult:
    rules = RuleSet(settings)
    items = list(discover(paths, settings.include, settings.exclude, cwd))
    sources = [item for item in items if isinstance(item, SourceFile)]
    findings = list(_problem_findings(rules, [item for item in items if isinstance(item, Problem)]))
    signatures: dict[str, list[Any]] = {}
    documents = 0
    for result in _map_files(sources, rules, settings):
        findings.extend(result.findings)
        documents += result.documents
        for code, sigs in result.signatures.items():
            signatures.setdefault(code, []).extend(sigs)
    for rule in rules.corpus_rules:
        findings.extend(rule.check_corpus(signatures.get(rule.code, [])))
    return RunResult(finalise(findings, rules, settings), documents, len(sources), rules)


def _map_files(sources: list[SourceFile], rules: RuleSet, settings: Settings) -> Iterator[FileResult]:
    jobs = min(settings.jobs or os.cpu_count() or 1, len(sources))
    if jobs <= 1:
        for source in sources:
            yield check_file(source, rules, settings)
        return
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(settings,)) as pool:
        yield from pool.map(_check_in_worker, sources, chunksize=max(1, min(64, len(sources) // (jobs * 8))))


def finalise(findings: Iterable[Finding], rules: RuleSet, settings: Settings) -> list[Finding]:
    """Apply severity overrides and per-path ignores, sort, and give each finding a content-keyed fingerprint."""
    kept: list[Finding] = []
    for finding in findings:
        if _ignored_for_path(finding, settings.per_path_ignores):
            continue
        severity = rules.severity_for(finding.code, finding.name, finding.severity)
        kept.append(finding.model_copy(update={"severity": severity}) if severity != finding.severity else finding)
    kept.sort(key=Finding.sort_key)
    occurrences: dict[str, int] = {}
    for index, finding in enumerate(kept):
        loc = finding.location
        key = "\0".join(
            (finding.code, loc.path, loc.document, loc.field or "", normalise(finding.text or finding.message))
        )
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        occurrences[digest] = occurrences.get(digest, 0) + 1
        kept[index] = finding.model_copy(update={"fingerprint": f"{digest[:32]}:{occurrences[digest]}"})
    return kept


def _ignored_for_path(finding: Finding, per_path: dict[str, list[str]]) -> bool:
    return any(
        fnmatch.fnmatchcase(finding.location.path, pattern)
        and any(matches(finding.code, finding.name, s) for s in selectors)
        for pattern, selectors in per_path.items()
    )


def _problem_findings(rules: RuleSet, problems: list[Problem]) -> Iterator[Finding]:
    for problem in problems:
        rule = rules.input_rules.get(problem.kind)
        if rule is not None:
            yield rule.from_problem(problem)


def _rule_failed(rules: RuleSet, code: str, doc: Document, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    location = Location(
        path=doc.path,
        document=doc.id,
        record=doc.record,
        start=0,
        end=0,
        line=doc.record or 1,
        column=1,
        end_line=doc.record or 1,
        end_column=1,
    )
    message = f"rule {code} failed on this document: {type(exc).__name__}: {exc}{where}"
    return rules.rule_failed.finding(location, message, text=f"{code} {type(exc).__name__}")
