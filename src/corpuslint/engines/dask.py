"""Run `check` on a Dask cluster (`corpuslint[dask]`): the same phases as the local engine, so the same report.

- The per-document phase is one Dask task per work unit (a file, or a byte range of a large JSON Lines file):
  workers read the documents themselves. Findings come back to the client; corpus-rule signatures stay on the
  workers.
- The cross-document phase starts on the cluster with a shuffle on the corpus rules' keys
  (`CorpusRule.shuffle_keys`: LSH band hashes and exact keys for DUP003, headline keys for DUP004, paragraph
  keys for DUP005): each unit's (rule, key, unit, position) rows are hash-partitioned, one reduce task per
  partition finds the keys held by more than one document, and only the signatures of those documents travel
  to the client, which runs the corpus rules on them exactly as locally. A signature that shares no key with
  any other cannot change a finding, so the JSON and SARIF are byte-identical to `--engine local`, while the
  client holds signatures only for documents that have a possible partner. Never document text.
- Tasks are retried by Dask if a worker dies (`retries`; lost results are recomputed from their inputs); a unit
  that still fails makes the whole run fail with an error naming it: a partial report is never presented as
  complete.
- A `StatisticsRule` (HEAD001: document frequencies over the distinct bodies) needs corpus-wide statistics,
  not pairs: each unit's signatures are shuffled by their distinct key, each partition's statistics computed
  and merged on the workers, and each unit's findings computed where its signatures are; only findings move.

Workers need corpuslint (and its dependencies) installed, and the checked paths visible at the same location.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from corpuslint.cache import UnitEntry
from corpuslint.config import Settings
from corpuslint.engine import Job, UnitExecutor, check_unit
from corpuslint.registry import RuleSet
from corpuslint.rule import CorpusRule, StatisticsRule

RETRIES = 3


class ClusterError(Exception):
    """The cluster could not be reached, or a unit failed after every retry."""


@functools.lru_cache(maxsize=4)
def _worker_rules(settings_json: str) -> tuple[RuleSet, Settings]:
    """Rules built once per worker process (and per configuration), like the local pool's initializer."""
    settings = Settings.model_validate_json(settings_json)
    return RuleSet(settings), settings


def _corpus_rules(settings_json: str) -> dict[str, CorpusRule]:
    return {rule.code: rule for rule in _worker_rules(settings_json)[0].corpus_rules}


def _run_unit(job: Job, settings_json: str) -> tuple[UnitEntry, dict[str, float]]:
    rules, settings = _worker_rules(settings_json)
    return check_unit(job[0], rules, settings, only=job[1])


def connect(scheduler: str | None, workers: int | None = None) -> Any:
    """A client: to the scheduler at `scheduler`, or to a new LocalCluster on this machine."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("the dask engine needs `pip install 'corpuslint[dask]'`") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="30s")
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)


def executor(client: Any, batch: int = 256, partitions: int | None = None) -> UnitExecutor:
    """A `UnitExecutor` that runs jobs on `client`'s cluster and shuffles corpus signatures there (see the module
    docstring); results come back in job order, `batch` units at a time. `partitions`: reduce tasks of the
    shuffle (default: one per worker)."""

    def run(jobs: list[Job], settings: Settings) -> Iterator[tuple[UnitEntry, dict[str, float]]]:
        settings_json = settings.model_dump_json(by_alias=False)
        options = {"settings_json": settings_json, "retries": RETRIES, "pure": False}
        units = client.map(_run_unit, jobs, **options)
        count = partitions or max(1, len(client.scheduler_info().get("workers", {})))
        statistics = _statistics(client, units, count, options)
        keep = _shuffle(client, units, jobs, count, options)
        for start in range(0, len(units), batch):
            chunk = units[start : start + batch]
            kept = [keep.get(index, {}) for index in range(start, start + len(chunk))]
            selected = client.map(_select, chunk, kept, statistics=statistics, **options)
            results = _gather(client, selected, jobs, units)
            units[start : start + len(chunk)] = [None] * len(chunk)  # the cluster may now forget these units
            yield from results

    return run


def _shuffle(
    client: Any, units: list[Any], jobs: list[Job], partitions: int, options: dict[str, Any]
) -> dict[int, dict[str, set[int]]]:
    """unit index -> corpus rule code -> positions of the signatures that share a key with another document."""
    keyed = client.map(_partition_keys, units, range(len(units)), partitions=partitions, **options)
    without_settings = {k: v for k, v in options.items() if k != "settings_json"}
    reduced = client.map(_colliding, _by_partition(client, keyed, partitions), **without_settings)
    codes = sorted(_corpus_rules(options["settings_json"]))
    keep: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for rows in _gather(client, reduced, jobs, units):
        for code_index, unit, position in rows.tolist():
            keep[unit][codes[code_index]].add(position)
    return keep


def _by_partition(client: Any, split: list[Any], partitions: int) -> list[list[Any]]:
    """The shuffle's exchange: futures of per-unit lists of `partitions` pieces -> per partition, every unit's piece."""
    return [
        [client.submit(operator.getitem, pieces, part, pure=False, retries=RETRIES) for pieces in split]
        for part in range(partitions)
    ]


def _partition_keys(result: tuple[UnitEntry, dict[str, float]], unit: int, settings_json: str, partitions: int):
    """This unit's shuffle rows (code index, key, unit, position), split into `partitions` by key."""
    rules = _corpus_rules(settings_json)
    rows: list[tuple[int, int, int, int]] = []
    for code_index, (code, rule) in enumerate(sorted(rules.items())):
        output = result[0].rules.get(code)
        for position, signature in enumerate(output.signatures if output is not None else ()):
            keys = rule.shuffle_keys(signature)
            rows.extend((code_index, key, unit, position) for key in keys or ())
    table = np.array(rows, dtype=np.uint64).reshape(-1, 4)
    part = table[:, 1] % np.uint64(partitions)
    return [table[part == index] for index in range(partitions)]


def _colliding(pieces: list[np.ndarray]) -> np.ndarray:
    """(code index, unit, position) of every signature that shares a (code, key) with another signature."""
    return colliding(np.concatenate(pieces) if pieces else np.empty((0, 4), np.uint64))


def colliding(rows: np.ndarray) -> np.ndarray:
    """Rows (code index, key, unit, position): the distinct (code index, unit, position) of the signatures whose
    (code, key) is also held by a different signature."""
    rows = np.unique(rows, axis=0)  # sorted by code, key; a signature repeating its own key counts once
    same = (rows[1:, 0] == rows[:-1, 0]) & (rows[1:, 1] == rows[:-1, 1])
    shared = np.zeros(len(rows), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    return np.unique(rows[shared][:, [0, 2, 3]], axis=0)


def _statistics(client: Any, units: list[Any], partitions: int, options: dict[str, Any]) -> dict[str, Any]:
    """StatisticsRule code -> a future of its corpus statistics, computed on the workers: each unit's signatures
    of distinct keys are hash-partitioned by key, each partition's statistics computed, then merged."""
    merged = {}
    for code, rule in sorted(_corpus_rules(options["settings_json"]).items()):
        if not isinstance(rule, StatisticsRule):
            continue
        split = client.map(_distinct_by_partition, units, code=code, partitions=partitions, **options)
        partial = client.map(_partial_statistics, _by_partition(client, split, partitions), code=code, **options)
        merged[code] = client.submit(_merge_statistics, partial, code=code, **options)
    return merged


def _distinct_by_partition(
    result: tuple[UnitEntry, dict[str, float]], settings_json: str, code: str, partitions: int
) -> list[list[tuple[int, Any]]]:
    rule = _statistics_rule(settings_json, code)
    output = result[0].rules.get(code)
    distinct = rule.distinct(output.signatures if output is not None else [])
    return [[(k, s) for k, s in distinct.items() if k % partitions == part] for part in range(partitions)]


def _partial_statistics(pieces: list[list[tuple[int, Any]]], settings_json: str, code: str) -> Any:
    rule = _statistics_rule(settings_json, code)
    distinct: dict[int, Any] = {}
    for piece in pieces:
        for key, signature in piece:
            distinct.setdefault(key, signature)
    return rule.statistics(list(distinct.values()))


def _merge_statistics(parts: list[Any], settings_json: str, code: str) -> Any:
    return _statistics_rule(settings_json, code).merge(parts)


def _statistics_rule(settings_json: str, code: str) -> StatisticsRule:
    rule = _corpus_rules(settings_json)[code]
    assert isinstance(rule, StatisticsRule)
    return rule


def _select(
    result: tuple[UnitEntry, dict[str, float]], keep: dict[str, set[int]], settings_json: str, statistics: dict
) -> tuple[UnitEntry, dict[str, float]]:
    """The unit's entry as the corpus phase needs it: a StatisticsRule's findings computed here from the corpus
    statistics (no signatures), and of the other corpus rules only the signatures sharing a key, and those of
    rules (or signatures) without shuffle keys."""
    rules = _corpus_rules(settings_json)
    entry, seconds = result
    outputs = {}
    for code, output in entry.rules.items():
        rule = rules.get(code)
        if isinstance(rule, StatisticsRule) and code in statistics:
            found = list(rule.check_with(statistics[code], output.signatures)) if output.signatures else []
            output = replace(output, signatures=[], findings=[*output.findings, *found])
        elif rule is not None and output.signatures:
            wanted = keep.get(code, set())
            signatures = [s for i, s in enumerate(output.signatures) if i in wanted or rule.shuffle_keys(s) is None]
            output = replace(output, signatures=signatures)
        outputs[code] = output
    return replace(entry, rules=outputs), seconds


def _gather(client: Any, futures: list[Any], jobs: list[Job], units: list[Any]) -> list[Any]:
    """The futures' results; if one failed for good, a ClusterError naming the unit whose task failed."""
    try:
        return client.gather(futures)
    except Exception as exc:
        failed = next(
            (job[0] for job, unit in zip(jobs, units, strict=True) if unit is not None and unit.status == "error"), None
        )
        where = f" on {failed.source.rel}" if failed is not None else ""
        raise ClusterError(f"a task failed{where} after {RETRIES} retries: {type(exc).__name__}: {exc}") from exc
