"""The CI gate end to end: baseline, --changed-since, --corpus with the index, and the real pre-commit hook."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, write_corpus

CLEAN = (
    "Council approves new cycle lanes\n\n"
    "The city council on Tuesday approved a plan to build protected cycle lanes across the centre, after a debate "
    "that lasted more than four hours in the town hall.\n\n"
    "Councillors voted in favour by a wide margin. The transport committee said the first lanes would open next "
    "spring, with the rest following over the next two years.\n\n"
    "Shop owners on the high street had opposed the plan, saying the loss of parking spaces would hurt trade. The "
    "council said it would review loading bays once the first lanes were open.\n"
)
WIRE = (
    "Harbour ferry service resumes after repairs\n\n"
    "The harbour ferry resumed its regular service on Monday morning after engineers finished repairs to the main "
    "landing stage, which was damaged by storms in early January.\n\n"
    "Passengers queued from dawn for the first crossing. The operator said timetables would return to normal within "
    "the week and that season tickets would be extended to cover the weeks without a service.\n\n"
    "Local businesses on the island welcomed the news, saying the closure had cut visitor numbers sharply during "
    "what is normally a quiet but steady time of the year for cafes and shops near the pier.\n"
)
OLD_DUP = (
    "Rates held steady as inflation eases\n\n"
    "Rates held steady as inflation eases\n\n"
    "The central bank held interest rates on Thursday, saying inflation had eased for a third month running and "
    "that it wanted to see more evidence before cutting borrowing costs for households and firms.\n\n"
    "Economists had expected the decision. Most now think the first cut will come in the spring, once wage growth "
    "has slowed further and energy prices have settled at their current level.\n"
)
FRAGMENT = (
    "School meals to include more vegetables\n\n"
    "Primary schools across the county will serve more fresh vegetables from next term under new guidance agreed "
    "by the education board after a consultation with parents and catering staff.\n\n"
    "Head teachers said the change would be introduced gradually, with menus tested in a handful of schools first. "
    "Suppliers have been asked to source produce from farms in the region where possible.\n\n"
    "常见问题\n"
)


def git(repo: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=repo, check=True, capture_output=True, text=True).stdout


def corpuslint(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corpuslint", *args], cwd=repo, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_corpus(
        tmp_path,
        {
            "corpus/a.txt": CLEAN,
            "corpus/b.txt": WIRE,
            "corpus/old-dup.txt": OLD_DUP,
            "corpuslint.toml": 'corpus-root = "corpus"\n',
        },
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "corpus")
    return tmp_path


def test_baseline_then_new_duplicate_and_fragment(repo: Path) -> None:
    written = corpuslint(repo, "baseline", "corpus", "-o", "baseline.json")
    assert written.returncode == 0, written.stderr
    baseline = json.loads((repo / "baseline.json").read_text())
    assert baseline["version"] == 1 and baseline["findings"], "the old duplicate headline is accepted"
    assert all("line" not in row for row in baseline["findings"])

    clean = corpuslint(repo, "check", "corpus", "--baseline", "baseline.json")
    assert clean.returncode == 0, clean.stdout
    assert "known findings suppressed" in clean.stderr

    (repo / "corpus" / "c-copy.txt").write_text(WIRE.replace("Monday morning", "Monday"))
    (repo / "corpus" / "d-fragment.txt").write_text(FRAGMENT)
    gated = corpuslint(repo, "check", "corpus", "--baseline", "baseline.json", "--format", "json")
    assert gated.returncode == 1
    findings = json.loads(gated.stdout)["findings"]
    assert {f["location"]["path"] for f in findings} == {"corpus/c-copy.txt", "corpus/d-fragment.txt"}
    found = {(f["code"], f["location"]["path"]) for f in findings}
    assert {("DUP003", "corpus/c-copy.txt"), ("LANG001", "corpus/d-fragment.txt")} <= found


def test_baseline_is_stable_when_lines_shift(repo: Path) -> None:
    corpuslint(repo, "baseline", "corpus", "-o", "before.json")
    path = repo / "corpus" / "old-dup.txt"
    path.write_text(OLD_DUP.replace("eases\n\n", "eases\n\n\n\n\n", 1))
    corpuslint(repo, "baseline", "corpus", "-o", "after.json")
    assert (repo / "before.json").read_text() == (repo / "after.json").read_text()


def test_changed_since_checks_changed_documents_against_the_whole_corpus(repo: Path) -> None:
    (repo / "corpus" / "c-copy.txt").write_text(WIRE)
    result = corpuslint(repo, "check", "corpus", "--changed-since", "HEAD", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert {f["location"]["path"] for f in findings} == {"corpus/c-copy.txt"}
    assert any(f["code"] == "DUP003" and f["related"][0]["location"]["path"] == "corpus/b.txt" for f in findings)
    assert json.loads(result.stdout)["summary"]["documents"] == 1


def test_changed_since_limits_jsonl_to_changed_records(repo: Path) -> None:
    feed = repo / "corpus" / "feed.jsonl"
    row = {"id": "x", "title": "Rates held steady", "body": "Rates held steady\n\nThe bank held rates on Thursday."}
    feed.write_text(json.dumps(row) + "\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "feed")
    feed.write_text(json.dumps(row) + "\n" + json.dumps({**row, "id": "y"}) + "\n")
    result = corpuslint(repo, "check", "corpus", "--changed-since", "HEAD", "--select", "DUP001", "--format", "json")
    assert [(f["location"]["document"], f["location"]["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("y", 2)
    ]


def test_corpus_index_finds_duplicate_without_rereading_unchanged_files(repo: Path) -> None:
    indexed = corpuslint(repo, "index", "corpus")
    assert "indexed 3 documents from 3 files (3 read, 0 unchanged)" in indexed.stdout
    new = repo / "incoming.txt"
    new.write_text(WIRE)
    first = corpuslint(repo, "check", "incoming.txt", "--corpus", "corpus", "--timings", "--format", "json")
    findings = json.loads(first.stdout)["findings"]
    assert [(f["code"], f["related"][0]["location"]["path"]) for f in findings if f["code"] == "DUP003"] == [
        ("DUP003", "corpus/b.txt")
    ]
    assert "units read: 1, from cache: 3" in first.stderr
    second = corpuslint(repo, "check", "incoming.txt", "--corpus", "corpus", "--timings", "--format", "json")
    assert "units read: 0, from cache: 4" in second.stderr
    assert second.stdout == first.stdout


def test_github_annotations(repo: Path) -> None:
    result = corpuslint(repo, "check", "corpus/old-dup.txt", "--select", "DUP001", "--format", "github")
    assert result.stdout.startswith("::warning file=corpus/old-dup.txt,line=3,col=1,")


@pytest.mark.skipif(
    shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists(),
    reason="pre-commit is part of the dev extra",
)
def test_pre_commit_hook_for_real(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    manifest = subprocess.run(
        [pre_commit, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")], capture_output=True, text=True
    )
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    repo = write_corpus(tmp_path / "corpus-repo", {"news/a.txt": CLEAN, "news/b.txt": WIRE})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "corpus")

    def try_repo(path: str) -> subprocess.CompletedProcess[str]:
        git(repo, "add", path)
        cmd = [pre_commit, "try-repo", str(REPO), "corpuslint", "--files", path]
        return subprocess.run(
            cmd,
            cwd=repo,
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home")},
        )

    (repo / "news" / "c.txt").write_text(CLEAN.replace("Council approves", "Council backs"))
    good = try_repo("news/c.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    (repo / "news" / "d.txt").write_text("Rates held steady\n\nThe bank held rates on Thursday.\n\nRates held steady\n")
    bad = try_repo("news/d.txt")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "DUP001" in bad.stdout
