"""The command line: text format, exit codes, formats, rules/rule/--version, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS, write_corpus

REPEAT = "Rates held steady\n\nThe bank held rates.\n\nRates held steady\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(
        tmp_path,
        {
            "news/a.txt": REPEAT,
            "news/clean.md": "# Budget approved\n\nParliament approved the budget.\n",
            "feed.jsonl": '{"id": "r1", "title": "x", "body": "y"}\n{broken\n',
            "corpuslint.toml": 'select = ["INPUT", "DUP001"]\n',
        },
    )


def test_text_output_is_ruff_like(cli, corpus: Path) -> None:
    result = cli(["check", "."], cwd=corpus)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "feed.jsonl:2:2: INPUT005 [error] record 2: invalid JSON: "
        "Expecting property name enclosed in double quotes (column 2)"
    ) in lines
    i = lines.index("news/a.txt:5:1: DUP001 [warning] Headline repeated in the body (exact)")
    caret = "  | " + "^" * len("Rates held steady")
    assert lines[i + 1 : i + 5] == ["  |", "5 | Rates held steady", caret, "  = the headline: news/a.txt:1:1"]
    assert lines[-1] == "2 findings (1 error, 1 warning, 0 info) in 3 documents from 3 files"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on", "warning"], 1),
        (["--fail-on", "error"], 1),
        (["--fail-on", "never"], 0),
        (["--select", "DUP", "--fail-on", "error"], 0),
        (["--select", "DUP", "--fail-on", "info"], 1),
        (["--ignore", "DUP001,INPUT"], 0),
        (["--select", "NOPE"], 2),
        (["--format", "xml"], 2),
        (["--fail-on", "sometimes"], 2),
    ],
)
def test_exit_codes(cli, corpus: Path, args: list[str], code: int) -> None:
    assert cli(["check", ".", *args], cwd=corpus).exit_code == code


def test_bad_config_exits_2_naming_file_and_key(cli, corpus: Path) -> None:
    (corpus / "corpuslint.toml").write_text("fail_onn = 'x'\n")
    result = cli(["check", "."], cwd=corpus)
    assert result.exit_code == 2
    assert "corpuslint.toml" in result.output and "`fail_onn`" in result.output


def test_no_findings_exits_0(cli, tmp_path: Path) -> None:
    write_corpus(
        tmp_path,
        {
            "a.md": "# Budget approved\n\nParliament approved the budget.\n",
            "corpuslint.toml": 'select = ["INPUT", "DUP001"]\n',
        },
    )
    result = cli(["check", "."], cwd=tmp_path)
    assert result.exit_code == 0
    assert result.output.strip() == "0 findings (0 errors, 0 warnings, 0 info) in 1 document from 1 file"


def test_statistics_and_output_file(cli, corpus: Path) -> None:
    result = cli(["check", ".", "--statistics"], cwd=corpus)
    assert result.output.splitlines()[:2] == [
        "     1  DUP001    headline-repeated-in-body",
        "     1  INPUT005  malformed-record",
    ]
    out = corpus / "report.json"
    result = cli(["check", ".", "--format", "json", "--output", str(out), "--quiet"], cwd=corpus)
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 2


def test_jsonl_and_github_formats(cli, corpus: Path) -> None:
    lines = cli(["check", ".", "--format", "jsonl"], cwd=corpus).output.splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["INPUT005", "DUP001"]
    github = cli(["check", ".", "--format", "github"], cwd=corpus).output.splitlines()
    assert github[1] == (
        "::warning file=news/a.txt,line=5,col=1,endLine=5,endColumn=18,title=DUP001 headline-repeated-in-body::"
        "Headline repeated in the body (exact)"
    )


def test_rules_rule_and_version(cli) -> None:
    rows = json.loads(cli(["rules", "--format", "json"]).output)
    dup = next(r for r in rows if r["code"] == "DUP001")
    assert dup == {
        "code": "DUP001",
        "name": "headline-repeated-in-body",
        "severity": "warning",
        "summary": "The headline repeated in the body.",
        "origin": "built-in",
    }
    assert "DUP001    headline-repeated-in-body" in cli(["rules"]).output
    doc = cli(["rule", "DUP001"]).output
    for part in (
        "# headline-repeated-in-body (DUP001)",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Options",
        "`min-similarity`",
    ):
        assert part in doc
    assert cli(["rule", "headline-repeated-in-body"]).output == doc
    assert cli(["rule", "XYZ123"]).exit_code == 2
    assert cli(["--version"]).output.startswith("corpuslint ")


def test_every_rule_has_three_part_docs(cli) -> None:
    for row in json.loads(cli(["rules", "--format", "json"]).output):
        doc = cli(["rule", row["code"]]).output
        assert row["summary"], row["code"]
        for section in ("## What it does", "## Why is this bad?", "## Example"):
            assert section in doc, (row["code"], section)


def test_output_is_byte_identical_across_runs_and_jobs(tmp_path: Path) -> None:
    write_corpus(tmp_path, {f"d{i}.txt": REPEAT for i in range(6)})
    (tmp_path / "seeds").symlink_to(SEEDS, target_is_directory=True)

    def run(fmt: str, jobs: int) -> bytes:
        cmd = [sys.executable, "-m", "corpuslint", "check", ".", "seeds/", "--format", fmt, "--jobs", str(jobs)]
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, check=False).stdout

    for fmt in ("json", "sarif"):
        first = run(fmt, 1)
        assert first and first == run(fmt, 1) == run(fmt, 2)


def test_seeds_show_the_pipeline_end_to_end(cli) -> None:
    result = cli(["check", str(SEEDS), "--select", "DUP001"], cwd=SEEDS.parent)
    assert "seeds/000_4995c744223b7cfd.txt:5:1: DUP001 [warning] Headline repeated in the body (exact)" in result.output
    assert "  = the headline: seeds/000_4995c744223b7cfd.txt:1:1" in result.output
