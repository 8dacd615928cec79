"""Corpora behind fsspec URLs (file://, memory://; s3:// and gs:// work the same with their fsspec backends)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import SEEDS, write_corpus
from corpuslint.config import Settings
from corpuslint.engine import RunOptions, run

fsspec = pytest.importorskip("fsspec")

REPEAT = "Rates held steady\n\nThe central bank held rates on Thursday.\n\nRates held steady\n"


def summary(result) -> list[tuple[str, str, int, int]]:
    return [(f.code, f.location.path.rsplit("/", 1)[-1], f.location.line, f.location.column) for f in result.findings]


def test_file_url_gives_the_same_findings_as_the_local_path(tmp_path: Path) -> None:
    local = run([SEEDS], Settings(), SEEDS.parent)
    remote = run([SEEDS.as_uri()], Settings(), tmp_path)
    assert summary(remote) == summary(local)
    assert all(f.location.path.startswith(SEEDS.as_uri() + "/") for f in remote.findings)
    assert (remote.documents, remote.files) == (local.documents, local.files)


def test_memory_filesystem_with_gzip_jsonl_globs_and_hidden_files() -> None:
    fs = fsspec.filesystem("memory")
    record = {"id": "m1", "title": "Rates held steady", "body": "Rates held steady\n\nThe bank held rates."}
    with fs.open("/corpus/feed.jsonl.gz", "wb") as handle:
        handle.write(gzip.compress((json.dumps(record) + "\n").encode()))
    with fs.open("/corpus/news/a.txt", "wb") as handle:
        handle.write(REPEAT.encode())
    with fs.open("/corpus/.hidden/b.txt", "wb") as handle:
        handle.write(REPEAT.encode())
    with fs.open("/corpus/notes.csv", "wb") as handle:
        handle.write(b"a,b\n")
    result = run(["memory://corpus"], Settings(select=["INPUT", "DUP001"]), Path.cwd())
    assert [(f.code, f.location.path, f.location.line) for f in result.findings] == [
        ("DUP001", "memory://corpus/feed.jsonl.gz", 1),
        ("DUP001", "memory://corpus/news/a.txt", 5),
    ]
    excluded = run(["memory://corpus"], Settings(select=["DUP001"], exclude=["news/*"]), Path.cwd())
    assert [f.location.path for f in excluded.findings] == ["memory://corpus/feed.jsonl.gz"]


def test_missing_url_is_an_input_finding() -> None:
    result = run(["memory://no/such/folder"], Settings(), Path.cwd())
    assert [(f.code, f.location.path) for f in result.findings] == [("INPUT001", "memory://no/such/folder")]


def test_cache_works_on_urls(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": REPEAT, "b.txt": REPEAT})
    options = RunOptions(cache_dir=tmp_path / "cache")
    first = run([corpus.as_uri()], Settings(select=["DUP001"]), tmp_path, options)
    second = run([corpus.as_uri()], Settings(select=["DUP001"]), tmp_path, options)
    assert (first.units_read, second.units_read, second.units_cached) == (2, 0, 2)
    assert [f.model_dump() for f in first.findings] == [f.model_dump() for f in second.findings]


def test_cli_accepts_urls(tmp_path: Path, cli) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": REPEAT})
    result = cli(["check", corpus.as_uri(), "--select", "DUP001", "--no-cache"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.startswith(f"{corpus.as_uri()}/a.txt:5:1: DUP001 [warning]")
