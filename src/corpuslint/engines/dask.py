"""Run `check` on a Dask cluster (`corpuslint[dask]`): the same phases as the local engine, so the same report.

- The per-document phase is one Dask task per work unit (a file, or a byte range of a large JSON Lines file):
  workers read the documents themselves; only findings and compact signatures come back, never text.
- Tasks are retried by Dask if a worker dies (`retries`); a unit that still fails makes the whole run fail
  with an error naming it: a partial report is never presented as complete.
- Results are gathered in unit order and the corpus phase runs over the signatures exactly as locally, so
  the JSON and SARIF are byte-identical to `--engine local`.

Workers need corpuslint (and its dependencies) installed, and the checked paths visible at the same location.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from corpuslint.cache import UnitEntry
from corpuslint.config import Settings
from corpuslint.engine import Job, check_unit
from corpuslint.registry import RuleSet

RETRIES = 3


class ClusterError(Exception):
    """The cluster could not be reached, or a unit failed after every retry."""


@functools.lru_cache(maxsize=4)
def _worker_rules(settings_json: str) -> tuple[RuleSet, Settings]:
    """Rules built once per worker process (and per configuration), like the local pool's initializer."""
    settings = Settings.model_validate_json(settings_json)
    return RuleSet(settings), settings


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


def executor(client: Any, batch: int = 256):
    """A `UnitExecutor` that runs jobs on `client`'s cluster, `batch` tasks in flight at a time, in order."""

    def run(jobs: list[Job], settings: Settings) -> Iterator[tuple[UnitEntry, dict[str, float]]]:
        settings_json = settings.model_dump_json(by_alias=False)
        for start in range(0, len(jobs), batch):
            chunk = jobs[start : start + batch]
            futures = client.map(_run_unit, chunk, settings_json=settings_json, retries=RETRIES, pure=False)
            try:
                results = client.gather(futures)
            except Exception as exc:
                failed = next((job[0] for job, f in zip(chunk, futures, strict=True) if f.status == "error"), None)
                where = f" on {failed.source.rel}" if failed is not None else ""
                raise ClusterError(
                    f"a task failed{where} after {RETRIES} retries: {type(exc).__name__}: {exc}"
                ) from exc
            yield from results

    return run
