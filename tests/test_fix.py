"""`corpuslint fix`: exact removals, idempotence, atomic writes, JSON Lines fields kept, --diff writes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import SEEDS, write_corpus
from corpuslint import fix as fixer
from corpuslint.config import Settings
from corpuslint.engine import run

ARTICLE = (
    "Harbour ferry service resumes after repairs\n\n"
    "The harbour ferry resumed its regular service on Monday morning after engineers finished repairs to the "
    "main landing stage, which was damaged by storms in early January.\n\n"
    "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr\n\n"
    "Passengers queued from dawn for the first crossing. The operator said timetables would return to normal "
    "within the week and that season tickets would be extended.\n\n"
    "Read more: Quayside traders demand rent relief\n"
)
FIXED = (
    "Harbour ferry service resumes after repairs\n\n"
    "The harbour ferry resumed its regular service on Monday morning after engineers finished repairs to the "
    "main landing stage, which was damaged by storms in early January.\n\n"
    "Passengers queued from dawn for the first crossing. The operator said timetables would return to normal "
    "within the week and that season tickets would be extended.\n"
)
SELECT = ["LANG001", "BOIL001", "BOIL005"]


def fix(cli, cwd: Path, *args: str):
    return cli(["fix", *args, "--select", ",".join(SELECT)], cwd=cwd)


def test_output_dir_writes_cleaned_copies_with_the_same_relative_paths(cli, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"news/a.txt": ARTICLE, "news/clean.txt": FIXED})
    result = fix(cli, tmp_path, "corpus", "--output-dir", "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/news/a.txt").read_text() == FIXED
    assert (tmp_path / "out/news/clean.txt").read_text() == FIXED
    assert (corpus / "news/a.txt").read_text() == ARTICLE, "the corpus itself is untouched"


def test_in_place_is_idempotent_and_check_is_then_clean(cli, tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.txt": ARTICLE.replace("\n", "\r\n")})
    assert fix(cli, tmp_path, ".", "--in-place").exit_code == 0
    once = (tmp_path / "a.txt").read_bytes()
    assert once == FIXED.replace("\n", "\r\n").encode(), "line endings kept"
    fix(cli, tmp_path, ".", "--in-place")
    assert (tmp_path / "a.txt").read_bytes() == once
    before = run([tmp_path], Settings(), tmp_path).findings
    assert not [f for f in before if f.code in SELECT]


def test_diff_writes_nothing_and_exits_1(cli, tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.txt": ARTICLE})
    result = fix(cli, tmp_path, ".", "--diff")
    assert result.exit_code == 1
    assert "-Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr" in result.output
    assert "-Read more: Quayside traders demand rent relief" in result.output
    assert sorted(os.listdir(tmp_path)) == ["a.txt"] and (tmp_path / "a.txt").read_text() == ARTICLE


def test_jsonl_keeps_every_other_field_and_its_order(cli, tmp_path: Path) -> None:
    record = {
        "url": "https://example.org/x",
        "id": 7,
        "title": "Harbour ferry service resumes after repairs",
        "body": ARTICLE.split("\n\n", 1)[1].rstrip("\n"),
        "tags": ["ferry", "ports"],
        "score": 0.5,
    }
    other = {"id": 8, "title": "Untouched", "body": "Nothing to fix here at all.", "x": None}
    raw = json.dumps(record) + "\n" + json.dumps(other, separators=(",", ":")) + "\n"
    write_corpus(tmp_path, {"feed.jsonl": raw})
    assert fix(cli, tmp_path, ".", "--in-place").exit_code == 0
    first, second = (tmp_path / "feed.jsonl").read_text().splitlines()
    assert second == json.dumps(other, separators=(",", ":")), "other records are byte-identical"
    fixed = json.loads(first)
    assert list(fixed) == list(record)
    assert {k: v for k, v in fixed.items() if k != "body"} == {k: v for k, v in record.items() if k != "body"}
    assert fixed["body"] == FIXED.split("\n\n", 1)[1].rstrip("\n")


def test_refuses_files_it_could_not_parse_and_symlinks(cli, tmp_path: Path) -> None:
    broken = json.dumps({"id": 1, "title": "t", "body": "Lesen Sie auch: etwas\n\nText."}) + "\n{broken\n"
    write_corpus(tmp_path, {"feed.jsonl": broken, "real/a.txt": ARTICLE})
    os.symlink(tmp_path / "real/a.txt", tmp_path / "link.txt")
    result = cli(["fix", "feed.jsonl", "link.txt", "--in-place", "--select", ",".join(SELECT)], cwd=tmp_path)
    assert "feed.jsonl: not fixed: malformed-record at line 2" in result.output
    assert "link.txt: a symbolic link; not rewritten" in result.output
    assert (tmp_path / "feed.jsonl").read_text() == broken
    assert (tmp_path / "real/a.txt").read_text() == ARTICLE


def test_a_failed_write_leaves_the_original_intact(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.txt"
    target.write_text(ARTICLE)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        fixer.write_atomic(target, FIXED.encode(), like=target)
    assert target.read_text() == ARTICLE
    assert sorted(os.listdir(tmp_path)) == ["a.txt"], "no temporary file left behind"


def test_output_paths_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    source = fixer.SourceFile("../../etc/passwd", str(tmp_path / ".." / ".." / "etc" / "passwd"))
    target = fixer.output_path(source, [tmp_path / ".." / ".."], tmp_path / "out")
    assert target.is_relative_to((tmp_path / "out").resolve())


def test_fix_never_empties_a_document(cli, tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.txt": "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr\n"})
    fix(cli, tmp_path, ".", "--in-place")
    assert (tmp_path / "a.txt").read_text() == "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr\n"


def test_the_seed_article_fixed(tmp_path: Path, cli) -> None:
    original = (SEEDS / "000_4995c744223b7cfd.txt").read_text(encoding="utf-8")
    result = cli(["fix", str(SEEDS / "000_4995c744223b7cfd.txt"), "--output-dir", str(tmp_path)], cwd=SEEDS.parent)
    assert result.exit_code == 0
    fixed = (tmp_path / "000_4995c744223b7cfd.txt").read_text(encoding="utf-8")
    headline = original.split("\n", 1)[0]
    expected = original.replace(f"\n\n{headline}\n", "\n", 1).removesuffix("\n\n常见问题")
    assert fixed.count(headline) == 1 and "常见问题" not in fixed
    assert fixed == expected


def test_exact_duplicate_paragraph_is_dropped_near_one_only_with_unsafe_fixes(cli, tmp_path: Path) -> None:
    para = (
        "The minister said the plan would cut waiting lists by a third within two years of the election, and "
        "that hospitals in every region would get extra staff, new theatres and longer opening hours at weekends."
    )
    near = para.replace("at weekends", "on Sundays")
    text = f"Waiting lists plan unveiled\n\n{para}\n\nOther news followed in the afternoon session today.\n\n{para}\n"
    write_corpus(tmp_path, {"a.txt": text, "b.txt": text.removesuffix(f"{para}\n") + f"{near}\n"})
    assert cli(["fix", ".", "--in-place", "--select", "DUP002"], cwd=tmp_path).exit_code == 0
    assert (tmp_path / "a.txt").read_text() == text.removesuffix(f"\n\n{para}\n") + "\n"
    near_text = (tmp_path / "b.txt").read_text()
    assert near in near_text, "a near repeat is not removed by safe fixes"
    assert cli(["fix", "b.txt", "--in-place", "--select", "DUP002", "--unsafe-fixes"], cwd=tmp_path).exit_code == 0
    assert near not in (tmp_path / "b.txt").read_text()
