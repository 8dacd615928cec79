"""Hostile input: compression bombs, deep nesting, huge lines, odd files and names, slow rules.
Each must end as a clear finding (or a skipped path) while every other document is still checked."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from pathlib import Path

import pytest

from conftest import check, codes, write_corpus
from corpuslint.config import Settings
from corpuslint.engine import run

GOOD = "Rates held steady\n\nThe central bank held rates on Thursday.\n\nRates held steady\n"
SELECT = ["INPUT", "DUP001"]


def test_gzip_bomb_is_cut_off_with_a_finding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    record = json.dumps({"id": "ok", "title": "Rates held steady", "body": "Rates held steady"}) + "\n"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(record.encode())
        chunk = b" " * (1 << 20) + b"\n"
        for _ in range(64):  # 64 MiB of blank lines from a ~64 KB file
            handle.write(chunk)
    assert bomb.stat().st_size < 200_000
    write_corpus(tmp_path, {"ok.txt": GOOD})
    started = time.monotonic()
    result = check(tmp_path, select=SELECT, max_decompression_ratio=50)
    assert time.monotonic() - started < 30
    assert codes(result) == ["DUP001", "INPUT007", "DUP001"]
    assert "compression bomb" in result.findings[1].message


def test_symlink_out_of_the_tree_is_not_followed_unless_asked(tmp_path: Path) -> None:
    outside = write_corpus(tmp_path / "outside", {"secret.txt": GOOD})
    corpus = write_corpus(tmp_path / "corpus", {"ok.txt": GOOD})
    os.symlink(outside / "secret.txt", corpus / "link.txt")
    os.symlink(corpus / "ok.txt", corpus / "inside-link.txt")
    result = run([corpus], Settings(select=SELECT), corpus)
    assert [(f.code, f.location.path) for f in result.findings] == [
        ("DUP001", "inside-link.txt"),
        ("INPUT001", "link.txt"),
        ("DUP001", "ok.txt"),
    ]
    assert "outside the checked folder" in result.findings[1].message
    followed = run([corpus], Settings(select=SELECT, follow_symlinks=True), corpus)
    assert codes(followed) == ["DUP001", "DUP001", "DUP001"]


def test_file_names_with_newlines_and_invalid_utf8(tmp_path: Path, cli) -> None:
    write_corpus(tmp_path, {"line\nbreak.txt": GOOD})
    os.makedirs(tmp_path / "d", exist_ok=True)
    with open(os.path.join(os.fsencode(tmp_path / "d"), b"caf\xe9.txt"), "wb") as handle:
        handle.write(GOOD.encode())
    result = cli(["check", ".", "--select", "DUP001", "--no-cache", "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 1
    paths = sorted(f["location"]["path"] for f in json.loads(result.output)["findings"])
    assert paths == ["d/caf\\xe9.txt", "line\\x0abreak.txt"]
    text = cli(["check", ".", "--select", "DUP001", "--no-cache"], cwd=tmp_path).output
    assert "line\\x0abreak.txt:5:1: DUP001" in text


def test_a_file_growing_while_it_is_read(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    record = json.dumps({"id": "x", "title": "Rates held steady", "body": "Rates held steady"}) + "\n"
    feed.write_text(record * 2000)
    stop = threading.Event()

    def append() -> None:
        with open(feed, "a") as handle:
            while not stop.is_set():
                handle.write(record)
                handle.flush()

    writer = threading.Thread(target=append)
    writer.start()
    try:
        result = check(tmp_path, select=SELECT)
    finally:
        stop.set()
        writer.join()
    assert result.documents >= 2000 and set(codes(result)) == {"DUP001"}


def test_slow_rule_hits_the_document_timeout_and_the_run_goes_on(tmp_path: Path, monkeypatch) -> None:
    from corpuslint.checks.duplicates import HeadlineRepeatedInBody

    original = HeadlineRepeatedInBody.check

    def slow(self, doc, ctx):
        if doc.path == "slow.txt":
            while True:
                time.sleep(0.01)
        yield from original(self, doc, ctx)

    monkeypatch.setattr(HeadlineRepeatedInBody, "check", slow)
    write_corpus(tmp_path, {"slow.txt": GOOD, "zfast.txt": GOOD})
    started = time.monotonic()
    result = check(tmp_path, select=SELECT, document_timeout=0.5, jobs=1)
    assert time.monotonic() - started < 10
    assert [(f.code, f.location.path) for f in result.findings] == [("INPUT009", "slow.txt"), ("DUP001", "zfast.txt")]
    assert "DUP001 took longer than 0.5s" in result.findings[0].message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_device_files_are_not_read(tmp_path: Path, device: str) -> None:
    result = run([Path(device)], Settings(select=SELECT), tmp_path)
    assert codes(result) == ([] if device == "/dev/null" else ["INPUT001"]) or codes(result) == ["INPUT001"]


def test_a_rule_stops_reporting_at_max_findings_per_rule_on_one_document(tmp_path: Path) -> None:
    """Found by the fuzz harness: 41,665 control characters on one line made 41,665 ENC003 findings, and locating,
    fingerprinting and writing them took 35 s. The limit is per rule and per document; other documents keep theirs."""
    noisy = "Entities\n\n" + "fish &amp; chips " * 5000 + "\n"
    write_corpus(tmp_path, {"noisy.txt": noisy, "quiet.txt": "Quiet\n\nFish &amp; chips once.\n"})
    result = check(tmp_path, select=["MARK002", "INPUT"])
    by_path = [(f.code, f.location.path) for f in result.findings]
    assert by_path.count(("MARK002", "noisy.txt")) == 100
    assert by_path.count(("MARK002", "quiet.txt")) == 1
    limit = [f for f in result.findings if f.code == "INPUT010"]
    assert len(limit) == 1 and limit[0].location.path == "noisy.txt"
    assert "rule MARK002 reached 100 findings" in limit[0].message
    kept = [f for f in result.findings if f.code == "MARK002" and f.location.path == "noisy.txt"]
    assert limit[0].location.start > max(f.location.start for f in kept)  # at the first finding left out

    unlimited = check(tmp_path, select=["MARK002", "INPUT"], max_findings_per_rule=0, cache=False)
    assert codes(unlimited).count("MARK002") == 5001 and "INPUT010" not in codes(unlimited)
