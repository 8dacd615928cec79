"""Property-based tests: any document, in any supported format, through the loaders and the WHOLE default rule
set. Whatever the input: no exception escapes, no rule crashes (INPUT008), every finding's span lies inside its
document and maps back to its line/column, and two runs give the same output.

The strategies and `lint_files`/`assert_invariants` are also driven at high example counts by `bench/fuzz.py`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import tempfile
from collections import defaultdict
from json import JSONDecoder
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpuslint.config import Settings
from corpuslint.engine import check_unit, finalise, run
from corpuslint.loaders import SourceFile, WorkUnit
from corpuslint.loaders.jsonlines import ArrayElements
from corpuslint.model import Finding
from corpuslint.registry import RuleSet
from corpuslint.text import LineIndex

SETTINGS = Settings(cache=False, jobs=1, document_timeout=10)
_RULES: RuleSet | None = None


def rules() -> RuleSet:
    """The whole default rule set, built once per process."""
    global _RULES
    if _RULES is None:
        _RULES = RuleSet(SETTINGS)
    return _RULES


# --- strategies -------------------------------------------------------------------------------------------------

# Characters that break naive code: line terminators of every kind, NUL, bidi and zero-width marks, combining
# marks, the neighbours of the surrogate block, BOM, replacement character, astral emoji and flags, CJK.
AWKWARD = [
    "\x00", "\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\t",
    "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u061c", "\u200b", "\u200d", "\u2060", "\ufeff",
    "\u0301", "\u0308", "\u20dd", "e\u0301", "\u0915\u094d\u0937",
    "\ud7ff", "\ue000", "\uf8ff", "\ufffd", "\uffff", "\U0010ffff",
    "\U0001f600", "\U0001f1ec\U0001f1e7", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001d400",
    "中文新闻", "日本語のテキスト。", "한국어", "العربية", "עברית", "ไทย",
    "…", "...", "’", "“", "”", "—", "-", "#", "*", "•", "|", "&amp;", "<p>", "</div>", "\\", '"', "'",
]  # fmt: skip
# News-like pieces so that the rules' deeper paths (figures, duplicates, boilerplate, languages) are reached.
NEWS = [
    "Rates held steady", "The central bank held rates on Thursday.", "Inflation rose to 5.2% in May.",
    "The company earned $3.4bn, up 12% from £2.1bn.", "Key Takeaways", "## Summary", "- ", "1. ",
    "Read more", "Advertisement", "Click here to subscribe", "Share on Facebook", "© 2024 Reuters",
    "Der Präsident sagte am Montag, dass die Regierung", "Le gouvernement a annoncé", "Photo: AP",
    "1,000,000", "3.5 million", "twelve", "2.5bn", "-40°C", "10 km", "½", "٣٤", "١٢٣", "Ⅻ", "0x1F",
    "Enable JavaScript", "cookies", "Mr. Smith", "U.S.", "e.g.", "title: ", "---",
]  # fmt: skip

unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
pieces = st.one_of(unicode_text, st.sampled_from(AWKWARD), st.sampled_from(NEWS), st.just(" "))
long_line = st.builds(
    lambda piece, n: piece * n, st.sampled_from(["a", "word ", "中", "\u0301", "x\u200f"]), st.integers(500, 10_000)
)
short_paragraph = st.lists(pieces, max_size=25).map("".join)
paragraph = st.one_of(*[short_paragraph] * 9, long_line)  # one paragraph in ten is a very long line
separator = st.sampled_from(["\n\n", "\r\n\r\n", "\r\r", "\n", "\r", "\n \n", "\n\n\n"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Article-shaped text (a headline, paragraphs, maybe front matter) made of awkward pieces."""
    parts = draw(st.lists(paragraph, max_size=8))
    text = "".join(p + draw(separator) for p in parts)
    if draw(st.booleans()):
        text = draw(paragraph) + draw(separator) + text
    if draw(st.integers(0, 9)) == 0:
        text = f"---\ntitle: {draw(paragraph)}\nlang: {draw(st.sampled_from(['en', 'de', '', 'zz']))}\n---\n" + text
    return text


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), unicode_text)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(unicode_text, inner, max_size=3),
    max_leaves=8,
)
lone_surrogate = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b"])
field_text = st.one_of(documents(), paragraph, st.lists(st.one_of(paragraph, lone_surrogate)).map("".join))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON record: usual fields (sometimes of the wrong type or missing) plus random extra fields."""
    record: dict[str, Any] = {}
    for keys, value in (
        (["id", "doc_id", "uuid"], st.one_of(unicode_text, st.integers(), json_values)),
        (["title", "headline"], st.one_of(field_text, json_values)),
        (["summary", "description"], st.one_of(field_text, json_values)),
        (["body", "text", "content"], st.one_of(field_text, field_text, field_text, json_values)),
        (["lang", "language"], st.one_of(st.sampled_from(["en", "de", "fr", "zh", "", "xx-YY"]), json_values)),
    ):
        if draw(st.integers(0, 5)):
            record[draw(st.sampled_from(keys))] = draw(value)
    record.update(draw(st.dictionaries(unicode_text, json_values, max_size=3)))
    return dict(draw(st.permutations(list(record.items()))))


@st.composite
def json_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(suffix, bytes) of a .jsonl, .jsonl.gz or .json file of records (ASCII-escaped or raw UTF-8)."""
    items = draw(st.lists(records(), min_size=1, max_size=4))
    ensure_ascii = draw(st.booleans())
    if not ensure_ascii:  # a lone surrogate cannot be written as raw UTF-8: only as a \\u escape
        items = [json.loads(json.dumps(r, ensure_ascii=False).encode("utf-8", "replace")) for r in items]
    suffix = draw(st.sampled_from([".jsonl", ".jsonl", ".jsonl.gz", ".json"]))
    if suffix == ".json":
        data = json.dumps(
            items if len(items) > 1 else items[0], ensure_ascii=ensure_ascii, indent=draw(st.sampled_from([None, 1]))
        ).encode()
    else:
        newline = draw(st.sampled_from(["\n", "\r\n"]))
        data = "".join(json.dumps(r, ensure_ascii=ensure_ascii) + newline for r in items).encode()
    return suffix, gzip.compress(data, mtime=0) if suffix.endswith(".gz") else data


text_files = st.tuples(st.sampled_from([".txt", ".md"]), documents().map(lambda t: t.encode("utf-8")))
corpus_files = st.lists(st.one_of(text_files, json_files()), min_size=1, max_size=3)


# --- running and checking ---------------------------------------------------------------------------------------


def lint_files(folder: Path, files: list[tuple[str, bytes]]) -> list[Finding]:
    """Write `files` (suffix, bytes) as f0.<suffix>, f1.<suffix>... and run every document rule and corpus rule on
    them as the engine does (load, check per document, corpus phase, finalise)."""
    ruleset = rules()
    findings: list[Finding] = []
    signatures: dict[str, list[Any]] = defaultdict(list)
    for index, (suffix, data) in enumerate(files):
        path = folder / f"f{index}{suffix}"
        path.write_bytes(data)
        entry, _ = check_unit(WorkUnit(SourceFile(path.name, str(path))), ruleset, SETTINGS)
        findings.extend(
            ruleset.input_rules[p.kind].from_problem(p) for p in entry.problems if p.kind in ruleset.input_rules
        )
        for code, output in entry.rules.items():
            findings.extend(output.findings)
            signatures[code].extend(output.signatures)
    for rule in ruleset.corpus_rules:
        findings.extend(rule.check_corpus(signatures[rule.code]))
    return finalise(findings, ruleset, SETTINGS)


def source_fields(name: str, data: bytes) -> tuple[str | None, dict[int, dict[str, Any]]]:
    """The text a text file's offsets refer to, or each JSON record (by record number) with its decoded fields."""
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    if name.endswith((".txt", ".md")):
        return data.decode("utf-8-sig", errors="replace"), {}
    if name.endswith(".json"):
        text = data.decode("utf-8-sig", errors="replace")
        items = [json_value(text, start, end) for start, end in json_elements(text)]
        return None, {i: r for i, r in enumerate(items, 1) if isinstance(r, dict)}
    found: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(data.split(b"\n"), 1):  # decoded line by line, as the loader does
        text = line.decode("utf-8-sig", errors="replace")
        if text.strip():
            found[number] = json_value(text, 0, None)
    return None, found


def json_elements(text: str) -> list[tuple[int, int | None]]:
    """The records of a .json file that the loader reads: array elements up to the first malformed one."""
    elements: list[tuple[int, int | None]] = []
    first = len(text) - len(text.lstrip(" \t\r\n"))
    with contextlib.suppress(ValueError, RecursionError):
        for start, end in ArrayElements(text, first) if text[first : first + 1] == "[" else [(first, None)]:
            elements.append((start, end))
    return elements


def json_value(text: str, start: int, end: int | None) -> Any:
    """The record at `text[start:]`, parsed as the loader parses it (None if it is malformed)."""
    with contextlib.suppress(ValueError, RecursionError):
        value, stop = JSONDecoder().raw_decode(text, len(text) - len(text[start:].lstrip(" \t\r\n")))
        if end is not None or not text[stop:].strip():
            return value
    return None


def assert_span_inside(finding: Finding, location: Any, sources: dict[str, tuple[str | None, dict]]) -> None:
    text, records_by_number = sources[location.path]
    where = f"{finding.code} {finding.message!r} at {location!r}"
    assert 0 <= location.start <= location.end, where
    if finding.code.startswith("INPUT") and finding.code != "INPUT010":  # about the file: a line/column, no span
        assert location.start == location.end == 0 and location.line >= 1 and location.column >= 1, where
        return
    if text is not None:
        assert location.field is None and location.end <= len(text), where
        index = LineIndex(text)
        assert index.position(location.start) == (location.line, location.column), where
        assert index.position(location.end) == (location.end_line, location.end_column), where
        return
    record = records_by_number.get(location.record or 1)  # a lone .json object has no record number
    assert isinstance(record, dict), f"{where}: no such record"
    if location.field is None:  # a finding about the whole record
        assert location.start == location.end == 0, where
        return
    value = record[location.field]
    assert isinstance(value, str) and location.end <= len(value), where
    assert location.line >= 1 and location.end_line >= location.line, where


def assert_invariants(files: list[tuple[str, bytes]], findings: list[Finding]) -> None:
    """No rule crashed or timed out, and every finding (and related location) lies inside its document."""
    sources = {f"f{i}{suffix}": source_fields(suffix, data) for i, (suffix, data) in enumerate(files)}
    for finding in findings:
        assert finding.code not in ("INPUT008", "INPUT009"), finding.message
        assert_span_inside(finding, finding.location, sources)
        for related in finding.related:
            assert_span_inside(finding, related.location, sources)
        if finding.location.record is not None and finding.location.path.endswith((".jsonl", ".jsonl.gz")):
            assert finding.location.line == finding.location.record, finding


def lint_twice(files: list[tuple[str, bytes]]) -> list[Finding]:
    """Lint in two fresh folders; the outputs must be identical."""
    runs = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(lint_files(Path(folder), files))
    first, second = ([f.model_dump(mode="json") for f in found] for found in runs)
    assert first == second, "two runs on the same input differ"
    return runs[0]


# --- the properties -------------------------------------------------------------------------------------------


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz(100)
@given(st.lists(text_files, min_size=1, max_size=2))
def test_any_text_document(files: list[tuple[str, bytes]]) -> None:
    assert_invariants(files, lint_twice(files))


@fuzz(50)
@given(st.lists(json_files(), min_size=1, max_size=2))
def test_any_json_records(files: list[tuple[str, bytes]]) -> None:
    assert_invariants(files, lint_twice(files))


@fuzz(30)
@given(corpus_files)
def test_any_mixed_corpus(files: list[tuple[str, bytes]]) -> None:
    assert_invariants(files, lint_twice(files))


@fuzz(100)
@given(st.sampled_from([".txt", ".md", ".jsonl", ".jsonl.gz", ".json"]), st.binary(max_size=300))
@example(".jsonl.gz", b"\x1f\x8b\x08\x00garbage")
@example(".json", b"[" * 5000)
def test_any_bytes_become_findings_not_crashes(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        findings = lint_files(Path(folder), [(suffix, data)])
    assert all(f.code not in ("INPUT008", "INPUT009") for f in findings)
    assert all(f.location.path == f"f0{suffix}" for f in findings)


def test_invariant_checks_catch_a_span_outside_the_document() -> None:
    """The span assertion itself must fail on a finding that points past the end of its document."""
    files = [(".txt", b"Rates held steady\n\nThe central bank held rates.\n")] * 2
    with tempfile.TemporaryDirectory() as folder:
        findings = lint_files(Path(folder), files)
    assert findings, "the duplicate pair must give findings to tamper with"
    shifted = findings[0].model_copy(
        update={"location": findings[0].location.model_copy(update={"start": 999, "end": 1000})}
    )
    try:
        assert_invariants(files, [shifted])
    except AssertionError:
        return
    raise AssertionError("a span outside the document was not caught")


# --- regressions found by fuzzing ---------------------------------------------------------------------------------


def test_long_word_before_a_slash_is_not_quadratic() -> None:
    """bench/fuzz.py: LANG001's e-mail mask retried `[\\w.+-]+@` at every position of a long word, so a
    300,000-letter word followed by '/' took minutes; it now hits no document-timeout."""
    files = [(".txt", ("Headline\n\n" + "a" * 300_000 + " /\n").encode())]
    with tempfile.TemporaryDirectory() as folder:
        findings = lint_files(Path(folder), files)
    assert "INPUT009" not in [f.code for f in findings]
    assert_invariants(files, findings)


def test_a_cr_inside_a_json_line_does_not_shift_its_line(tmp_path: Path) -> None:
    """bench/fuzz.py (mutated .jsonl): a CR between the tokens of a JSON line was counted as a line break, so
    findings on record 1 said line 2 (and an invalid byte after the CR, line 2 of record 1)."""
    feed = b'{"id": "a",\r "title": "<p>Rates held steady", "body": "The bank held rates."}\n'
    feed += b'{"id": "b",\r "title": "Caf\xe9", "body": "The bank held rates again."}\n'
    (tmp_path / "feed.jsonl").write_bytes(feed)
    result = run([tmp_path], Settings(select=["INPUT", "MARK001"], cache=False), cwd=tmp_path)
    found = [(f.code, f.location.record, f.location.line, f.location.column) for f in result.findings]
    assert found == [("MARK001", 1, 1, 24), ("INPUT002", 2, 2, 27)]
    files = [(".jsonl", feed)]
    with tempfile.TemporaryDirectory() as folder:
        assert_invariants(files, lint_files(Path(folder), files))


def test_a_lone_cr_in_a_json_file_does_not_shift_lines(tmp_path: Path) -> None:
    """The same in a .json array: records are numbered by LF lines, and so are their findings."""
    (tmp_path / "feed.json").write_bytes(
        b'[{"id": "a",\r "title": "<p>Rates held", "body": "The bank held rates."},\r\n'
        b' {"id": "b", "title": "<p>Rates cut", "body": "The bank cut rates."}]\n'
    )
    result = run([tmp_path], Settings(select=["MARK001"], cache=False), cwd=tmp_path)
    assert [(f.location.record, f.location.line, f.location.column) for f in result.findings] == [
        (1, 1, 25),
        (2, 2, 24),
    ]


def test_thousands_of_identical_short_paragraphs_are_not_quadratic() -> None:
    """bench/fuzz.py long documents: DUP002 counted shared shingles for every pair of blocks holding one, so
    20,000 copies of a one-word paragraph cost 200 million pairs (past the document-timeout); ineligible blocks
    and identical copies are now left out of the pairing."""
    body = "\n\n".join(["a" * 40] * 20_000)
    files = [(".txt", f"Headline here\n\n{body}\n".encode())]
    with tempfile.TemporaryDirectory() as folder:
        findings = lint_files(Path(folder), files)
    assert "INPUT009" not in [f.code for f in findings]
    assert_invariants(files, findings)


def test_identical_paragraphs_are_reported_against_their_first_copy(tmp_path: Path) -> None:
    paragraph = "The central bank held its main interest rate at 5.25% on Thursday, as expected."
    other = "Markets barely moved after the announcement, and the pound was flat against the dollar."
    (tmp_path / "a.txt").write_text(f"Rates held\n\n{paragraph}\n\n{other}\n\n{paragraph}\n\n{paragraph}\n")
    result = run([tmp_path], Settings(select=["DUP002"], cache=False), cwd=tmp_path)
    found = [(f.location.line, [r.location.line for r in f.related], f.evidence["exact"]) for f in result.findings]
    assert found == [(7, [3], True), (9, [3], True)]
