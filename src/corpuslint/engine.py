"""The engine: plan work units, run the per-document phase (cached, in a process pool), then the corpus phase
over compact signatures, then severities, ignores, fingerprints and ordering.

    discover -> plan_units -> [cache hit | load + document rules + signatures] -> corpus rules -> finalise

Documents are dropped as soon as their rules have run; only findings and signatures travel back to the main
process. Results are assembled in unit order, so they are identical for any number of processes.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import heapq
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import Any

from corpuslint.cache import Cache, RuleOutput, UnitEntry, stat_key
from corpuslint.config import Settings
from corpuslint.findings import FindingList, tally
from corpuslint.loaders import SourceFile, WorkUnit, discover, load_unit, plan_units
from corpuslint.loaders.reading import file_size
from corpuslint.model import Document, Finding, Location, Problem
from corpuslint.registry import RuleSet, matches
from corpuslint.rule import CorpusRule, DocContext, StatisticsFold, StatisticsRule
from corpuslint.text import normalise

ProgressCallback = Callable[[int, int, int], None]  # (units done, units total, documents so far)
Job = tuple[WorkUnit, frozenset[str] | None]  # a unit, and the rules to run on it (None: all)
SignaturePart = Sequence[Any] | str  # one unit's signatures for a rule, or its key while they are still in the cache
UnitExecutor = Callable[[list[Job], Settings], Iterator[tuple[UnitEntry, dict[str, float]]]]  # results in job order


@dataclass
class RunOptions:
    cache_dir: Path | None = None  # None: no cache
    corpus: list[Path] | None = None  # report on `paths`, but compare them with everything under these
    report_filter: Callable[[Finding], bool] | None = None  # e.g. only the changed records of a file
    progress: ProgressCallback | None = None
    chunk_bytes: int = 2 * 1024 * 1024  # JSON Lines files larger than this are split between workers
    parallel_min_bytes: int = 1024 * 1024  # below this much text to read, one process is faster
    # Runs the per-document phase elsewhere (a Dask cluster). Its entries may hold only the corpus signatures
    # that can matter (those sharing a `CorpusRule.shuffle_keys` key), so they are never cached or mixed with
    # cached ones: a run with an executor reads every unit.
    executor: UnitExecutor | None = None


@dataclass
class RunResult:
    findings: FindingList
    documents: int
    files: int
    rule_set: RuleSet
    timings: dict[str, float] = field(default_factory=dict)
    units_read: int = 0
    units_cached: int = 0


def loader_hash(settings: Settings) -> str:
    key = f"{settings.fields.model_dump_json()}:{settings.max_document_bytes}:{settings.max_findings_per_rule}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# --- the per-document phase (runs in workers) -------------------------------------------------------------------

_WORKER: tuple[RuleSet, Settings] | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    _WORKER = (RuleSet(settings), settings)


def _check_in_worker(job: Job) -> tuple[UnitEntry, dict[str, float]]:
    assert _WORKER is not None
    return check_unit(job[0], *_WORKER, only=job[1])


def check_unit(
    unit: WorkUnit, rules: RuleSet, settings: Settings, only: frozenset[str] | None = None
) -> tuple[UnitEntry, dict[str, float]]:
    """Load one unit and run the rules (all, or the codes in `only`) on each document. A rule that raises
    becomes an INPUT008 finding for that document and the other rules still run."""
    active = [r for r in (*rules.document_rules, *rules.corpus_rules) if only is None or r.code in only]
    entry = UnitEntry(loader_hash(settings))
    outputs = {r.code: RuleOutput(r.identity_hash) for r in active}
    # One tuple per rule, built once: the inner loop runs rules x documents times, so it does no lookups.
    steps = [(r, outputs[r.code], isinstance(r, CorpusRule)) for r in active]
    spent = [0.0] * len(steps)
    limit = settings.max_findings_per_rule or None
    clock = time.perf_counter
    started = clock()
    items = load_unit(unit, settings.fields, settings.max_document_bytes, settings.max_decompression_ratio)
    for item in items:
        if isinstance(item, Problem):
            entry.problems.append(item)
            continue
        entry.documents += 1
        ctx = DocContext(item)
        with document_deadline(settings.document_timeout) as deadline:
            for index, (rule, output, is_corpus_rule) in enumerate(steps):
                t = clock()
                try:
                    if deadline.expired:
                        raise DocumentTimeout(settings.document_timeout)
                    if is_corpus_rule:
                        signature = rule.signature(item, ctx)  # type: ignore[attr-defined]
                        if signature is not None:
                            output.signatures.append(signature)
                    else:
                        found = iter(rule.check(item, ctx))  # type: ignore[attr-defined]
                        output.findings.extend(islice(found, limit))
                        first_left_out = next(found, None) if limit is not None else None
                        if first_left_out is not None:
                            output.findings.append(_limit_reached(rules, rule.code, first_left_out, limit))
                except DocumentTimeout:
                    deadline.expired = True
                    output.findings.append(_rule_timed_out(rules, rule.code, item, settings.document_timeout))
                except Exception as exc:
                    output.findings.append(_rule_failed(rules, rule.code, item, exc))
                spent[index] += clock() - t
    for index, (rule, output, is_corpus_rule) in enumerate(steps):
        if is_corpus_rule and output.signatures:
            t = clock()
            output.signatures = rule.compact(output.signatures)  # type: ignore[attr-defined]
            spent[index] += clock() - t
    seconds = {rule.code: spent[i] for i, (rule, _, _) in enumerate(steps)}
    seconds["(load and parse)"] = clock() - started - sum(spent)
    entry.rules = outputs
    return entry, seconds


# --- the whole run ----------------------------------------------------------------------------------------------


def run(
    paths: list[Path | str], settings: Settings, cwd: Path | None = None, options: RunOptions | None = None
) -> RunResult:
    options = options or RunOptions()
    clock = time.perf_counter
    timings: dict[str, float] = defaultdict(float)
    started = clock()
    rules = RuleSet(settings)
    targets, discovered = _discover(paths, settings, rules, cwd)
    sources = targets
    if options.corpus:
        corpus, _ = _discover(options.corpus, settings, rules, cwd)
        by_path = {s.rel: s for s in corpus} | {s.rel: s for s in targets}
        sources = [by_path[rel] for rel in sorted(by_path)]
    target_paths = {s.rel for s in targets}
    units = [unit for source in sources for unit in plan_units(source, options.chunk_bytes)]
    timings["phase: discover"] = clock() - started

    started = clock()
    stats = [stat_key(unit.source.path) for unit in units]
    digest_base = hashlib.sha256("\n".join(f"{u.key}\0{stat}" for u, stat in zip(units, stats, strict=True)).encode())
    cache = Cache(options.cache_dir) if options.cache_dir is not None and options.executor is None else None
    reusable = cache is not None and None not in stats and not options.corpus and options.report_filter is None
    report_key = _report_key(digest_base, settings, rules, discovered, targets) if reusable else None
    try:
        if cache is not None and report_key is not None and (report := cache.get_report(report_key)) is not None:
            result = RunResult(report[0], report[1], len(targets), rules)
            timings["phase: documents"] = clock() - started
            result.timings, result.units_read, result.units_cached = dict(timings), 0, len(units)
            return result
        collected = _Collected(rules)
        for index, entry, fresh in _document_phase(units, stats, rules, settings, cache, options, timings):
            collected.read += fresh
            collected.add(index, units[index], entry, units[index].source.rel in target_paths)
        timings["phase: documents"] = clock() - started
        started = clock()
        for rule in rules.corpus_rules:
            t = clock()
            found = _corpus_findings(rule, collected, digest_base.copy(), cache, rules)
            collected.corpus_findings.append(FindingList(sorted(found, key=Finding.sort_key)).seal())
            timings[rule.code] += clock() - t
        timings["phase: corpus"] = clock() - started
        findings = collected.in_order(discovered)
        if options.corpus:
            findings = (f for f in findings if _involves(f, target_paths))
        if options.report_filter is not None:
            findings = filter(options.report_filter, findings)
        result = RunResult(_finalise_sorted(findings, rules, settings), collected.documents, len(targets), rules)
        reported = {code for code, _, _ in tally(result.findings)}
        transient = {rules.rule_failed.code, rules.rule_timeout.code}  # a crash or a timeout may not happen again
        if cache is not None and report_key is not None and not transient & reported:
            cache.put_report(report_key, result.findings, result.documents)
    finally:
        if cache is not None:
            cache.close()
    result.timings, result.units_read, result.units_cached = dict(timings), collected.read, len(units) - collected.read
    return result


def _report_key(
    digest_base: Any, settings: Settings, rules: RuleSet, discovered: list[Finding], targets: list[SourceFile]
) -> str:
    """What a run's final report depends on: every unit and its file's stat (`digest_base`), the settings that
    shape findings, each rule's identity, the problems met while walking the folders, and the checked files."""
    digest = digest_base.copy()
    digest.update(settings.model_dump_json(exclude=_NOT_IN_REPORT).encode())
    digest.update("".join(f"{r.code}:{r.identity_hash}\n" for r in sorted(rules.rules, key=lambda r: r.code)).encode())
    digest.update("".join(f.model_dump_json() + "\n" for f in discovered).encode())
    digest.update("\0".join(sorted(s.rel for s in targets)).encode())
    return digest.hexdigest()


_NOT_IN_REPORT = {"jobs", "cache", "cache_dir", "baseline", "fail_on", "engine", "scheduler"}


class _Collected:
    """What the corpus phase and the report need from the units' entries, made compact as each entry arrives
    (an entry is dropped right after): each target unit's findings sorted and compressed, the corpus rules'
    signatures by unit, and a StatisticsRule's signatures counted into its statistics at once, keeping only
    those it could report on."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.enabled = {r.code for r in rules.rules}
        self.findings: dict[int, tuple[str, FindingList]] = {}  # unit index -> (its file, its sorted findings)
        self.stray: list[Finding] = []  # findings about another file than their unit's (placed by the final sort)
        self.corpus_findings: list[FindingList] = []  # each corpus rule's, sorted
        self.signatures: dict[str, dict[int, SignaturePart]] = defaultdict(dict)  # rule -> unit index -> part
        self.folds = {r.code: StatisticsFold(r) for r in rules.corpus_rules if isinstance(r, StatisticsRule)}
        self.documents = 0
        self.read = 0

    def add(self, index: int, unit: WorkUnit, entry: UnitEntry, is_target: bool) -> None:
        for code, output in entry.rules.items():
            if code not in self.enabled or output.signatures == []:
                continue
            part: SignaturePart = unit.key if output.signatures is None else output.signatures
            if code in self.folds and not isinstance(part, str):
                part = self.folds[code].keep(part)
            self.signatures[code][index] = part
        if not is_target:
            return
        self.documents += entry.documents
        found: list[Finding] = list(_problem_findings(self.rules, entry.problems))  # the INPUT rules on now
        for code, output in entry.rules.items():
            if code in self.enabled:
                found.extend(output.findings)
        own = [f for f in found if f.location.path == unit.source.rel]
        self.stray.extend(f for f in found if f.location.path != unit.source.rel)
        if own:
            self.findings[index] = (unit.source.rel, FindingList(sorted(own, key=Finding.sort_key)).seal())

    def parts(self, code: str) -> list[SignaturePart]:
        """A corpus rule's signatures, unit by unit in unit order (lists, or keys of parts still in the cache)."""
        by_unit = self.signatures.pop(code, {})
        return [by_unit[index] for index in sorted(by_unit)]

    def in_order(self, discovered: list[Finding]) -> Iterator[Finding]:
        """Every finding in `Finding.sort_key` order: the units' sorted lists merged file by file (chunks of one
        file are merged only where their findings interleave), then merged with the other findings."""
        by_file: dict[str, list[FindingList]] = defaultdict(list)
        for index in sorted(self.findings):
            path, found = self.findings[index]
            by_file[path].append(found)
        files = chain.from_iterable(_merged(by_file[path]) for path in sorted(by_file))
        others = FindingList(sorted([*discovered, *self.stray], key=Finding.sort_key))
        return heapq.merge(others, files, *self.corpus_findings, key=Finding.sort_key)


def _merged(lists: list[FindingList]) -> Iterable[Finding]:
    if len(lists) == 1:
        return lists[0]
    if all(a[-1].sort_key() <= b[0].sort_key() for a, b in pairwise(lists)):
        return chain.from_iterable(lists)
    return heapq.merge(*lists, key=Finding.sort_key)


def _discover(
    paths: list[Path | str], settings: Settings, rules: RuleSet, cwd: Path | None
) -> tuple[list[SourceFile], list[Finding]]:
    items = list(discover(paths, settings.include, settings.exclude, cwd, settings.follow_symlinks))
    problems = [item for item in items if isinstance(item, Problem)]
    return [item for item in items if isinstance(item, SourceFile)], list(_problem_findings(rules, problems))


def _document_phase(
    units: list[WorkUnit],
    stats: list[str | None],
    rules: RuleSet,
    settings: Settings,
    cache: Cache | None,
    options: RunOptions,
    timings: dict[str, float],
) -> Iterator[tuple[int, UnitEntry, bool]]:
    """Every unit's (index, entry, whether it was read now): from the cache where it is still valid (these come
    first), else by running (only) the missing rules. `stats`: each unit's file stat, the cache's validity key."""
    hashes = {r.code: r.identity_hash for r in (*rules.document_rules, *rules.corpus_rules)}
    wanted_loader = loader_hash(settings)
    jobs: list[tuple[int, WorkUnit, frozenset[str] | None, UnitEntry | None, str | None]] = []
    documents = 0
    for index, (unit, stat) in enumerate(zip(units, stats, strict=True)):
        entry = cache.get(unit.key, stat) if cache is not None else None
        only: frozenset[str] | None = None
        if entry is not None and entry.loader_hash == wanted_loader:
            stale = frozenset(c for c, h in hashes.items() if c not in entry.rules or entry.rules[c].rule_hash != h)
            if not stale:
                documents += entry.documents
                yield index, entry, False
                continue
            only = stale
        else:
            entry = None
        jobs.append((index, unit, only, entry, stat))
    done = len(units) - len(jobs)
    work = [(unit, only) for _, unit, only, _, _ in jobs]
    for (index, unit, _, previous, stat), (fresh, seconds) in zip(
        jobs, _map_units(work, rules, settings, options), strict=True
    ):
        if previous is not None:  # only some rules were re-run: keep the others' cached results
            previous.rules.update(fresh.rules)
            fresh = previous
        for code, spent in seconds.items():
            timings[code] += spent
        if cache is not None:
            cache.put(unit.key, stat, fresh)
        done += 1
        documents += fresh.documents
        if options.progress is not None:
            options.progress(done, len(units), documents)
        yield index, fresh, True


def _map_units(
    work: list[Job], rules: RuleSet, settings: Settings, options: RunOptions
) -> Iterator[tuple[UnitEntry, dict[str, float]]]:
    if options.executor is not None:
        yield from options.executor(work, settings)
        return
    size = sum(_unit_bytes(unit) for unit, _ in work)
    processes = min(settings.jobs or os.cpu_count() or 1, len(work))
    if processes <= 1 or size < options.parallel_min_bytes:
        for unit, only in work:
            yield check_unit(unit, rules, settings, only)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    # Batches of small files save inter-process round trips; a large unit travels alone, so that no worker is
    # left with a long batch while the others are idle at the end of the run.
    batch = options.chunk_bytes // max(1, size // len(work))
    chunksize = max(1, min(32, batch, len(work) // (processes * 8)))
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_init_worker, initargs=(settings,)) as pool:
        yield from pool.map(_check_in_worker, work, chunksize=chunksize)


def _unit_bytes(unit: WorkUnit) -> int:
    if unit.end is not None:
        return unit.end - unit.start
    try:
        return file_size(unit.source.path)
    except OSError:
        return 0


def _corpus_findings(
    rule: Any, collected: _Collected, digest: Any, cache: Cache | None, rules: RuleSet
) -> list[Finding]:
    """A corpus rule's findings (cached under a digest of every signature's source); a rule that raises becomes
    one INPUT008 finding naming it, never a silently shorter report. Signatures still in the cache are loaded
    only when the findings are not."""
    digest.update(rule.identity_hash.encode())
    key = digest.hexdigest()
    if cache is not None and (cached := cache.get_corpus(rule.code, key)) is not None:
        return cached
    fold = collected.folds.get(rule.code)
    try:
        parts: list[Sequence[Any]] = []
        for part in collected.parts(rule.code):
            if isinstance(part, str):
                assert cache is not None  # only cached entries leave their signatures in the cache
                part = cache.signatures(part, rule.code)
                if fold is not None:
                    part = fold.keep(part)
            parts.append(part)
        signatures = rule.join(parts)
        found = list(rule.check_with(fold.result(), signatures) if fold else rule.check_corpus(signatures))
    except Exception as exc:
        location = Location(path="", document="(corpus)", start=0, end=0, line=1, column=1, end_line=1, end_column=1)
        message = f"rule {rule.code} failed in the cross-document phase: {type(exc).__name__}: {exc}"
        return [rules.rule_failed.finding(location, message, text=f"{rule.code} {type(exc).__name__}")]
    if cache is not None:
        cache.put_corpus(rule.code, key, found)
    return found


def _involves(finding: Finding, paths: set[str]) -> bool:
    return finding.location.path in paths or any(r.location.path in paths for r in finding.related)


# --- finalisation ----------------------------------------------------------------------------------------------


def finalise(findings: Iterable[Finding], rules: RuleSet, settings: Settings) -> FindingList:
    """Sort the findings, then `_finalise_sorted` them."""
    return _finalise_sorted(sorted(findings, key=Finding.sort_key), rules, settings)


def _finalise_sorted(findings: Iterable[Finding], rules: RuleSet, settings: Settings) -> FindingList:
    """Apply severity overrides and per-path ignores to findings in `Finding.sort_key` order, and give each a
    content-keyed fingerprint (rule, file, document, field, normalised matched text, occurrence): stable when
    lines shift. Streams: only the findings of the current file are counted, then kept compact."""
    kept = FindingList()
    occurrences: dict[str, int] = {}
    path = None
    for finding in findings:
        if _ignored_for_path(finding, settings.per_path_ignores):
            continue
        finding.severity = rules.severity_for(finding.code, finding.name, finding.severity)
        loc = finding.location
        if loc.path != path:  # the digest includes the path: the counts of earlier files cannot be needed again
            path, occurrences = loc.path, {}
        parts = (finding.code, loc.path, loc.document, loc.field or "", normalise(finding.text or finding.message))
        digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
        occurrences[digest] = occurrences.get(digest, 0) + 1
        finding.fingerprint = f"{digest[:32]}:{occurrences[digest]}"
        kept.append(finding)
    return kept.seal()


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


class DocumentTimeout(Exception):
    """Raised inside a rule when a document has used up its time (`document-timeout` seconds)."""


class _Deadline:
    expired = False


@contextlib.contextmanager
def document_deadline(seconds: float) -> Iterator[_Deadline]:
    """Interrupt the rule running on a document after `seconds` (SIGALRM; only in a process's main thread,
    which is where rules run). Rules after the one interrupted are skipped for that document."""
    deadline = _Deadline()
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield deadline
        return

    def expire(signum: int, frame: Any) -> None:
        deadline.expired = True
        raise DocumentTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _rule_timed_out(rules: RuleSet, code: str, doc: Document, seconds: float) -> Finding:
    message = f"rule {code} took longer than {seconds:g}s (document-timeout) on this document; not checked by it"
    return rules.rule_timeout.finding(doc.start_location(), message, text=f"{code} timeout")


def _limit_reached(rules: RuleSet, code: str, first_left_out: Finding, limit: int) -> Finding:
    message = f"rule {code} reached {limit} findings on this document (max-findings-per-rule); the rest are not shown"
    return rules.findings_limit.finding(first_left_out.location, message, text=first_left_out.text)


def _rule_failed(rules: RuleSet, code: str, doc: Document, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    message = f"rule {code} failed on this document: {type(exc).__name__}: {exc}{where}"
    return rules.rule_failed.finding(doc.start_location(), message, text=f"{code} {type(exc).__name__}")
