"""The engine: identical results for any number of processes and any chunking; the incremental cache is used,
and invalidated by exactly what changes; corpus mode compares new files with an indexed corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import write_corpus
from corpuslint.cache import Cache
from corpuslint.config import Settings
from corpuslint.engine import RunOptions, _merged, run
from corpuslint.findings import FindingList
from corpuslint.model import Finding, Location, Severity
from corpuslint.reporters import jsonout

REPEAT = "Rates held steady\n\nThe bank held rates.\n\nRates held steady\n"
SELECT = ["INPUT", "DUP001"]


def records(n: int, offset: int = 0) -> list[dict]:
    return [
        {
            "id": f"r{i}",
            "title": f"Story number {i} headline here",
            "body": f"Story number {i} headline here\n\nBody {i}.",
        }
        if i % 3 == 0
        else {"id": f"r{i}", "title": f"Story {i}", "body": f"A different body for story {i}."}
        for i in range(offset, offset + n)
    ]


def report(root: Path, settings: Settings, options: RunOptions | None = None) -> str:
    return jsonout.render(run([root], settings, root, options))


def test_same_output_for_any_jobs_and_chunking(tmp_path: Path) -> None:
    lines = records(300)
    lines.insert(150, "{not json")  # type: ignore[arg-type]
    (tmp_path / "feed.jsonl").write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    write_corpus(tmp_path, {f"t{i}.txt": REPEAT for i in range(5)})
    settings = Settings(select=SELECT, jobs=1)
    baseline = report(tmp_path, settings)
    assert json.loads(baseline)["summary"]["findings"] == 100 + 1 + 5
    for jobs in (1, 2):
        options = RunOptions(chunk_bytes=2_000, parallel_min_bytes=0)
        assert report(tmp_path, settings.model_copy(update={"jobs": jobs}), options) == baseline


def test_cache_is_used_and_invalidated_by_file_and_config_changes(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": REPEAT, "b.txt": REPEAT, "c.jsonl": records(9)})
    options = RunOptions(cache_dir=tmp_path / "cache")
    settings = Settings(select=SELECT)
    first = run([corpus], settings, corpus, options)
    assert (first.units_read, first.units_cached) == (3, 0)
    second = run([corpus], settings, corpus, options)
    assert (second.units_read, second.units_cached) == (0, 3)
    assert jsonout.render(second) == jsonout.render(first)

    (corpus / "b.txt").write_text(REPEAT.replace("The bank", "A bank"))
    third = run([corpus], settings, corpus, options)
    assert (third.units_read, third.units_cached) == (1, 2)

    looser = Settings(select=SELECT, rule_options={"DUP001": {"min-similarity": 0.5}})
    fourth = run([corpus], looser, corpus, options)
    assert fourth.units_read == 3, "a rule's options changed: its results are recomputed everywhere"
    severity_only = Settings(select=SELECT, rule_options=looser.rule_options, severity={"DUP001": "error"})
    fifth = run([corpus], severity_only, corpus, options)
    assert fifth.units_read == 0 and {f.severity.value for f in fifth.findings} == {"error"}


def test_a_warm_run_leaves_signatures_in_the_cache_until_the_corpus_changes(tmp_path: Path, monkeypatch) -> None:
    """Corpus-rule signatures are stored apart and loaded only when the corpus phase cannot come from the cache:
    never on an unchanged corpus; on a changed one, those of the unchanged files, with the same findings as a run
    without the cache."""
    from corpuslint.cache import Cache

    copy = "Shares in Acme rose on Monday after the company reported record sales in every one of its markets."
    files = {"a.txt": f"Acme shares\n\n{copy}\n", "b.txt": f"Acme stock\n\n{copy}\n", "c.jsonl": records(9)}
    corpus = write_corpus(tmp_path / "corpus", files)
    settings = Settings(select=["DUP", "INPUT"])
    options = RunOptions(cache_dir=tmp_path / "cache")
    loaded: list[tuple[str, str]] = []
    original = Cache.signatures
    monkeypatch.setattr(
        Cache, "signatures", lambda self, key, rule: loaded.append((key, rule)) or original(self, key, rule)
    )
    first = report(corpus, settings, options)
    assert "DUP003" in first and not loaded
    assert report(corpus, settings, options) == first and not loaded  # warm: nothing unpickled
    (corpus / "c.jsonl").write_text(json.dumps(records(1)[0]) + "\n")
    changed = report(corpus, settings, options)
    assert {key.split("\0")[0] for key, _ in loaded} >= {"a.txt", "b.txt"}
    assert changed == report(corpus, settings) and "DUP003" in changed
    # A changed option re-runs one corpus rule; the others' signatures stay stored and are found again.
    retuned = settings.model_copy(update={"rule_options": {"DUP005": {"min-documents": 2}}})
    run([corpus], retuned, corpus, options)
    (corpus / "a.txt").write_text(f"Acme shares\n\n{copy} Really.\n")
    assert report(corpus, retuned, options) == report(corpus, retuned)


def test_corrupt_cache_is_a_miss_not_an_error(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": REPEAT})
    options = RunOptions(cache_dir=tmp_path / "cache")
    run([corpus], Settings(select=SELECT), corpus, options)
    import sqlite3

    (db,) = (tmp_path / "cache").glob("*.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE units SET payload = x'00'")
        conn.execute("UPDATE reports SET payload = x'00'")
    again = run([corpus], Settings(select=SELECT), corpus, options)
    assert again.units_read == 1 and [f.code for f in again.findings] == ["DUP001"]


def test_corpus_mode_reports_only_findings_involving_the_checked_files(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, {"old/a.txt": REPEAT, "old/b.txt": "Budget passed\n\nMPs voted.\n"})
    new = write_corpus(tmp_path, {"new/c.txt": "Budget passed\n\nMPs voted.\n"})
    options = RunOptions(cache_dir=tmp_path / ".cache", corpus=[tmp_path])
    result = run([new / "new" / "c.txt"], Settings(), tmp_path, options)
    assert result.files == 1 and result.documents == 1
    paths = {f.location.path for f in result.findings} | {r.location.path for f in result.findings for r in f.related}
    assert "old/a.txt" not in paths
    assert corpus.exists()


def test_the_cache_never_lands_inside_a_checked_folder_unless_asked(tmp_path: Path, cli) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": REPEAT})
    result = cli(["check", "corpus", "--select", "DUP001", "--cache-dir", str(tmp_path / "c")], cwd=tmp_path)
    assert result.exit_code == 1
    assert sorted(os.listdir(corpus)) == ["a.txt"]
    assert list((tmp_path / "c").glob("*.sqlite"))


def test_progress_bar_is_silent_when_stderr_is_not_a_terminal(tmp_path: Path, cli) -> None:
    write_corpus(tmp_path, {"a.txt": REPEAT})
    result = cli(["check", ".", "--select", "DUP001", "--no-cache"], cwd=tmp_path)
    assert "checking" not in result.output and "━" not in result.output


def test_timings_are_printed_per_rule_and_phase(tmp_path: Path, cli) -> None:
    write_corpus(tmp_path, {"a.txt": REPEAT})
    result = cli(["check", ".", "--select", "DUP001", "--no-cache", "--timings"], cwd=tmp_path)
    assert "phase: documents" in result.output and "DUP001" in result.output
    assert "units read: 1, from cache: 0" in result.output


def test_cached_units_report_input_problems_for_rules_enabled_later(tmp_path: Path) -> None:
    """A cache filled while INPUT rules were off must still give INPUT findings once they are on."""
    corpus = write_corpus(tmp_path / "corpus", {"feed.jsonl": '{"id": 1, "title": "t", "body": "b"}\n{broken\n'})
    options = RunOptions(cache_dir=tmp_path / "cache")
    assert run([corpus], Settings(select=["DUP001"]), corpus, options).findings == []
    again = run([corpus], Settings(select=["INPUT", "DUP001"]), corpus, options)
    assert again.units_read == 0 and [f.code for f in again.findings] == ["INPUT005"]


def test_a_corpus_rule_that_raises_is_reported_not_swallowed(tmp_path: Path, monkeypatch) -> None:
    from corpuslint.checks.duplicates import NearDuplicateDocument

    def boom(self, signatures):
        raise ValueError("kaboom")

    monkeypatch.setattr(NearDuplicateDocument, "check_corpus", boom)
    corpus = write_corpus(tmp_path, {"a.txt": REPEAT, "b.txt": REPEAT})
    result = run([corpus], Settings(select=["DUP003"]), corpus)
    assert [(f.code, f.location.document) for f in result.findings] == [("INPUT008", "(corpus)")]
    assert "DUP003 failed in the cross-document phase: ValueError: kaboom" in result.findings[0].message


def test_the_chunks_of_one_file_are_merged_in_order_even_when_their_findings_interleave() -> None:
    def at(record: int | None) -> Finding:
        line = record or 1
        location = Location(
            path="feed.jsonl", document=f"r{record}", record=record, start=0, end=1, line=line, column=1,
            end_line=line, end_column=2,
        )  # fmt: skip
        return Finding(code="INPUT002", name="x", severity=Severity.ERROR, message="m", location=location)

    first, second = FindingList([at(1), at(3)]), FindingList([at(None), at(5)])  # a whole-file finding, later
    assert [f.location.record for f in _merged([first, second])] == [None, 1, 3, 5]
    assert [f.location.record for f in _merged([first, FindingList([at(4), at(5)])])] == [1, 3, 4, 5]


def test_an_unchanged_corpus_gets_the_last_report_back_and_any_change_invalidates_it(
    tmp_path: Path, monkeypatch
) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": REPEAT, "b.txt": REPEAT, "c.jsonl": records(9)})
    options = RunOptions(cache_dir=tmp_path / "cache")
    settings = Settings(select=SELECT)
    first = jsonout.render(run([corpus], settings, corpus, options))

    def no_unit_read(*args: object) -> None:
        raise AssertionError("the report of an unchanged corpus is reused whole")

    with monkeypatch.context() as patched:
        patched.setattr(Cache, "get", no_unit_read)
        assert jsonout.render(run([corpus], settings, corpus, options)) == first
    ignored = Settings(select=SELECT, per_path_ignores={"a.txt": ["DUP001"]})
    fewer = run([corpus], ignored, corpus, options)
    assert "a.txt" not in {f.location.path for f in fewer.findings} and fewer.units_read == 0
    (corpus / "d.txt").write_text(REPEAT)
    assert "d.txt" in {f.location.path for f in run([corpus], settings, corpus, options).findings}
    (corpus / "a.txt").write_text("Rates held steady\n\nThe bank held rates.\n")
    assert "a.txt" not in {f.location.path for f in run([corpus], settings, corpus, options).findings}
