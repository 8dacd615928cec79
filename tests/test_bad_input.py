"""Bad input never crashes the run: each becomes a finding naming the file and line, and every other
document is still checked."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import check, codes, write_corpus

GOOD = "Rates held steady\n\nThe central bank held rates on Thursday.\n\nRates held steady\n"


def by_code(result, code: str):
    return [f for f in result.findings if f.code == code]


def test_invalid_utf8_is_reported_and_still_checked(tmp_path: Path) -> None:
    latin1 = "Pound hits high\n\nThe pound rose to £1.20 on Monday.\n\nPound hits high\n".encode("latin-1")
    write_corpus(tmp_path, {"latin1.txt": latin1})
    result = check(tmp_path, select=["INPUT", "DUP001"])
    (enc,) = by_code(result, "INPUT002")
    assert (enc.location.path, enc.location.line, enc.location.column) == ("latin1.txt", 3, 19)
    assert "a3" in enc.message
    assert by_code(result, "DUP001"), "the document is still checked after replacement"


def test_mixed_encodings_within_a_jsonl_file(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "title": "Rates held steady", "body": "Rates held steady"}).encode()
    bad = '{"id": "b", "title": "Café", "body": "Crème brûlée"}'.encode("cp1252")
    write_corpus(tmp_path, {"mixed.jsonl": good + b"\n" + bad + b"\n" + good.replace(b'"a"', b'"c"') + b"\n"})
    result = check(tmp_path, select=["INPUT", "DUP001"])
    (enc,) = by_code(result, "INPUT002")
    assert (enc.location.line, enc.location.record) == (2, 2)
    assert sorted(f.location.document for f in by_code(result, "DUP001")) == ["a", "c"]
    assert result.documents == 3


def test_binary_and_empty_files(tmp_path: Path) -> None:
    write_corpus(
        tmp_path,
        {
            "img.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "empty.txt": "",
            "blank.md": " \n\n",
            "ok.txt": GOOD,
            "none.jsonl": "\n\n",
        },
    )
    result = check(tmp_path, select=["INPUT", "DUP001"])
    assert [(f.code, f.location.path) for f in result.findings] == [
        ("INPUT004", "blank.md"),
        ("INPUT004", "empty.txt"),
        ("INPUT003", "img.txt"),
        ("INPUT004", "none.jsonl"),
        ("DUP001", "ok.txt"),
    ]


def test_malformed_line_missing_body_and_non_object(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "1", "title": "Rates held steady", "body": "Rates held steady"}),
        '{"id": "2", "title": "Cut off", "body": "The story was trunc',
        json.dumps({"id": "3", "title": "No body here"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "5", "title": "Body is a list", "body": ["a", "b"]}),
        json.dumps({"id": "6", "title": "Empty body", "body": "   "}),
        json.dumps({"id": "7", "title": "Rates held steady", "body": "Rates held steady"}),
    ]
    write_corpus(tmp_path, {"feed.jsonl": "\n".join(lines) + "\n"})
    result = check(tmp_path, select=["INPUT", "DUP001"])
    assert [(f.code, f.location.line) for f in result.findings] == [
        ("DUP001", 1),
        ("INPUT005", 2),
        ("INPUT006", 3),
        ("INPUT005", 4),
        ("INPUT006", 5),
        ("INPUT004", 6),
        ("DUP001", 7),
    ]
    assert "record 2: invalid JSON" in by_code(result, "INPUT005")[0].message


def test_deeply_nested_json_is_a_finding(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"deep.jsonl": "[" * 100_000 + "]" * 100_000 + "\n", "ok.txt": GOOD})
    result = check(tmp_path, select=["INPUT", "DUP001"])
    assert codes(result) == ["INPUT005", "DUP001"]
    assert "nested too deeply" in result.findings[0].message


def test_missing_path_symlink_loop_and_fifo(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"ok.txt": GOOD})
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    from corpuslint.config import Settings
    from corpuslint.engine import run

    result = run([tmp_path, tmp_path / "missing"], Settings(select=["INPUT", "DUP001"]), cwd=tmp_path)
    found = [(f.code, f.location.path) for f in result.findings]
    assert found == [("INPUT001", "loop.txt"), ("INPUT001", "missing"), ("DUP001", "ok.txt"), ("INPUT001", "pipe.txt")]


def test_huge_single_line_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    record = json.dumps({"id": "big", "title": "t", "body": "x" * (50 * 1024 * 1024)})
    ok = json.dumps({"id": "ok", "title": "Rates held steady", "body": "Rates held steady"})
    write_corpus(tmp_path, {"big.jsonl": ok + "\n" + record + "\n" + ok.replace('"ok"', '"ok2"') + "\n"})
    result = check(tmp_path, select=["INPUT", "DUP001"], max_document_bytes=1_000_000)
    assert [(f.code, f.location.line) for f in result.findings] == [("DUP001", 1), ("INPUT007", 2), ("DUP001", 3)]


def test_oversized_text_file(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"big.txt": "word " * 300_000, "ok.txt": GOOD})
    result = check(tmp_path, select=["INPUT", "DUP001"], max_document_bytes=1_000_000)
    assert codes(result) == ["INPUT007", "DUP001"]


def test_a_crashing_rule_becomes_a_finding_and_others_still_run(tmp_path: Path, monkeypatch) -> None:
    from corpuslint.checks.duplicates import HeadlineRepeatedInBody

    def boom(self, doc, ctx):
        if doc.id == "bad.txt":
            raise ValueError("kaboom")
        yield from original(self, doc, ctx)

    original = HeadlineRepeatedInBody.check
    monkeypatch.setattr(HeadlineRepeatedInBody, "check", boom)
    write_corpus(tmp_path, {"bad.txt": GOOD, "good.txt": GOOD})
    result = check(tmp_path, select=["INPUT", "DUP001"], jobs=1)
    assert codes(result) == ["INPUT008", "DUP001"]
    assert "DUP001 failed" in result.findings[0].message and "kaboom" in result.findings[0].message


def test_check_never_writes_to_the_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.txt": GOOD, "b.jsonl": [{"id": "x", "title": "t", "body": "b"}]})
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*")}
    check(tmp_path)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*")}
    assert before == after


def test_a_lone_surrogate_in_a_json_string_is_reported_in_every_format(tmp_path: Path, cli) -> None:
    """JSON allows "\\ud800", which decodes to a character UTF-8 cannot encode: the reports write it as that
    escape (valid JSON, the exact data) instead of failing."""
    title = "Bad \\ud800 headline about the council budget vote"
    record = f'{{"id": "a", "title": "{title}", "body": "{title}\\n\\nThe body goes on."}}\n'
    (tmp_path / "feed.jsonl").write_text(record, encoding="utf-8")
    for fmt in ("json", "jsonl", "sarif", "text", "github", "html"):
        options = ["--select", "DUP001", "--fail-on", "info", "--format", fmt, "-o", f"out.{fmt}"]
        done = cli(["check", "feed.jsonl", "--no-cache", *options], cwd=tmp_path)
        assert done.exit_code == 1, (fmt, done.output)
        written = (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")
        # the HTML page shows U+FFFD for it; GitHub annotations carry no matched text
        assert "\\ud800" in written or fmt in ("html", "github"), fmt
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [f["code"] for f in report["findings"]] == ["DUP001"]
    assert report["findings"][0]["text"] == "Bad \ud800 headline about the council budget vote"
    json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert cli(["baseline", "feed.jsonl", "--no-cache", "-o", "base.json"], cwd=tmp_path).exit_code == 0
