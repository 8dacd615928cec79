"""The Dask engine gives byte-identical reports to the local engine, and fails loudly rather than partially."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from conftest import SEEDS, SHARED
from corpuslint.config import Settings
from corpuslint.engine import RunOptions, run
from corpuslint.reporters import jsonout, sarif

distributed = pytest.importorskip("distributed")
from corpuslint.engines import dask as dask_engine  # noqa: E402

WORDS = (
    "government minister council market shares profit company bank rates inflation growth report police court "
    "election voters party budget spending school teachers hospital patients doctors water energy prices oil "
    "gas workers union strike talks deal plan city town river storm flood fire road traffic railway airport "
    "flights football club season match players coach league cup final record music film festival award "
    "museum artist study scientists data research university students technology software phone internet "
    "users network security computer mobile games launch sales customers retail stores online shopping week "
    "month year morning evening officials spokesman statement announced said told expected reported rose fell"
).split()


def article(rng: random.Random) -> tuple[str, str]:
    def sentence() -> str:
        words = rng.choices(WORDS, k=rng.randint(9, 16))
        return " ".join(words).capitalize() + "."

    paragraphs = [" ".join(sentence() for _ in range(3)) for _ in range(4)]
    return " ".join(rng.choices(WORDS, k=6)).capitalize(), "\n\n".join(paragraphs)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 documents in five JSON Lines files, with planted exact and near duplicates across files."""
    root = tmp_path_factory.mktemp("dask-corpus")
    rng = random.Random(7)
    docs: list[dict[str, str]] = []
    for i in range(5000):
        if i % 50 == 49:
            copy = dict(docs[i - 37])
        elif i % 71 == 70:
            copy = dict(docs[i - 113])
            paragraphs = copy["body"].split("\n\n")
            paragraphs[-1] = article(rng)[1].split("\n\n")[0]
            copy["body"] = "\n\n".join(paragraphs)
        else:
            title, body = article(rng)
            copy = {"title": title, "body": body}
        docs.append({**copy, "id": f"doc-{i}"})
    for shard in range(5):
        with open(root / f"shard-{shard}.jsonl", "w", encoding="utf-8") as handle:
            for doc in docs[shard * 1000 : (shard + 1) * 1000]:
                handle.write(json.dumps(doc) + "\n")
    return root


@pytest.fixture(scope="module")
def client():
    client = dask_engine.connect(None, workers=2)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


def reports(paths: list[Path], cwd: Path, settings: Settings, client) -> tuple[tuple[str, str], tuple[str, str]]:
    local = run(paths, settings, cwd, RunOptions(chunk_bytes=400_000))
    remote = run(paths, settings, cwd, RunOptions(chunk_bytes=400_000, executor=dask_engine.executor(client)))
    return (jsonout.render(local), sarif.render(local)), (jsonout.render(remote), sarif.render(remote))


def test_seeds_identical_on_a_local_cluster(client) -> None:
    local, remote = reports([SEEDS], SEEDS.parent, Settings(), client)
    assert remote == local


def test_generated_corpus_identical_with_planted_duplicates(corpus: Path, client) -> None:
    settings = Settings(select=["DUP", "INPUT"])
    local, remote = reports([corpus], corpus, settings, client)
    assert remote == local
    findings = json.loads(remote[0])["findings"]
    planted = {f"doc-{i}" for i in range(5000) if i % 50 == 49 or i % 71 == 70}
    assert planted <= {f["location"]["document"] for f in findings if f["code"] == "DUP003"}


def test_a_killed_worker_is_retried_or_the_run_fails_loudly(corpus: Path, client) -> None:
    """Kill one worker process while tasks run: Dask reschedules its tasks (the nanny restarts it) and the
    report is still complete and identical."""
    import contextlib
    import os
    import threading
    import time

    settings = Settings(select=["DUP", "INPUT"])
    expected = jsonout.render(run([corpus], settings, corpus, RunOptions(chunk_bytes=50_000)))
    victim = sorted(client.scheduler_info()["workers"])[0]

    def kill_soon() -> None:
        time.sleep(0.5)
        with contextlib.suppress(Exception):  # the worker may already be gone
            client.run(os._exit, 1, workers=[victim], wait=False)

    threading.Thread(target=kill_soon).start()
    options = RunOptions(chunk_bytes=50_000, executor=dask_engine.executor(client, batch=16))
    try:
        result = run([corpus], settings, corpus, options)
    except dask_engine.ClusterError as exc:  # allowed: a clear error, never a partial report
        assert "failed" in str(exc)
        return
    assert jsonout.render(result) == expected


def test_a_task_that_always_fails_fails_the_run(tmp_path: Path, client, monkeypatch) -> None:
    (tmp_path / "a.txt").write_text("Rates held\n\nThe bank held rates.\n")

    def broken(job, settings_json):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(dask_engine, "_run_unit", broken)
    with pytest.raises(dask_engine.ClusterError, match=r"a task failed on a.txt after 3 retries: .*disk on fire"):
        run([tmp_path], Settings(), tmp_path, RunOptions(executor=dask_engine.executor(client)))


def counting_executor(client, received: dict[str, int]):
    """The dask executor, counting the corpus-rule signatures that reach the client."""
    execute = dask_engine.executor(client)

    def counting(jobs, settings):
        for entry, seconds in execute(jobs, settings):
            for code, output in entry.rules.items():
                received[code] = received.get(code, 0) + len(output.signatures)
            yield entry, seconds

    return counting


def test_the_client_receives_only_signatures_that_share_a_shuffle_key(corpus: Path, client) -> None:
    """The shuffle runs on the workers: of 5,000 documents (about 170 planted copies), the client gets the DUP003
    signatures of the documents with a possible partner only, and still the same report."""
    settings = Settings(select=["DUP", "INPUT"])
    received: dict[str, int] = {}
    options = RunOptions(chunk_bytes=400_000, executor=counting_executor(client, received))
    remote = run([corpus], settings, corpus, options)
    assert jsonout.render(remote) == jsonout.render(run([corpus], settings, corpus, RunOptions(chunk_bytes=400_000)))
    planted = sum(1 for i in range(5000) if i % 50 == 49 or i % 71 == 70)
    assert 2 * planted * 0.9 <= received["DUP003"] <= 2 * planted * 1.5  # copies and their originals
    assert received["DUP004"] <= received["DUP003"]


def test_a_signature_without_a_shared_key_changes_no_corpus_finding(corpus: Path) -> None:
    """What the shuffle relies on, rule by rule: check_corpus over the signatures that share a shuffle key with
    another gives exactly the findings of check_corpus over all of them."""
    from corpuslint.engine import check_unit
    from corpuslint.loaders import discover, plan_units
    from corpuslint.registry import RuleSet

    settings = Settings(select=["DUP"], rule_options={"DUP005": {"min-documents": 2}})
    rules = RuleSet(settings)
    signatures: dict[str, list] = {r.code: [] for r in rules.corpus_rules}
    for source in discover([corpus], [], [], corpus, False):
        for unit in plan_units(source, 10**9):
            entry, _ = check_unit(unit, rules, settings)
            for code in signatures:
                signatures[code].extend(entry.rules[code].signatures)
    for rule in rules.corpus_rules:
        every = signatures[rule.code]
        rows = np.array(
            [(0, key, 0, position) for position, s in enumerate(every) for key in rule.shuffle_keys(s)], np.uint64
        )
        shared = sorted(dask_engine.colliding(rows)[:, 2].tolist())
        assert 0 < len(shared) < len(every) / 2, rule.code
        expected = [f.model_dump() for f in rule.check_corpus(every)]
        assert expected, rule.code
        assert [f.model_dump() for f in rule.check_corpus([every[i] for i in shared])] == expected, rule.code


def test_headline_statistics_are_computed_on_the_workers(tmp_path: Path, client) -> None:
    """HEAD001 needs document frequencies over the whole corpus: they are computed and merged on the workers and
    each unit's findings come back, never its signatures. 400 BBC articles, every 20th with another's headline."""
    lines = (SHARED / "data" / "bbc_news" / "bbc_news_dev.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines[:400]]
    for i in range(0, 400, 20):
        records[i]["title"] = json.loads(lines[(i + 557) % len(lines)])["title"]
    for shard in range(4):
        with open(tmp_path / f"bbc-{shard}.jsonl", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in records[shard * 100 : (shard + 1) * 100])
    settings = Settings(select=["HEAD001", "DUP", "INPUT"])
    received: dict[str, int] = {}
    local = run([tmp_path], settings, tmp_path, RunOptions(chunk_bytes=20_000))
    remote = run(
        [tmp_path], settings, tmp_path, RunOptions(chunk_bytes=20_000, executor=counting_executor(client, received))
    )
    assert jsonout.render(remote) == jsonout.render(local)
    assert received["HEAD001"] == 0
    flagged = {f.location.document for f in remote.findings if f.code == "HEAD001"}
    swapped = {records[i]["id"] for i in range(0, 400, 20)}
    assert len(flagged & swapped) >= 15, sorted(flagged)
