"""Loaders: structure, offsets, and exact line/column for every format (CJK and emoji included)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from corpuslint.config import FieldMap
from corpuslint.loaders import SourceFile, discover, load_file
from corpuslint.model import Document, Problem, Role


def load(path: Path, fields: FieldMap | None = None) -> list[Document | Problem]:
    return list(load_file(SourceFile(path.name, str(path)), fields or FieldMap(), 10_000_000))


def only_docs(items: list[Document | Problem]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


ARTICLE = (
    "Markets rally on rate cut\n"
    "\n"
    "Shares rose on Monday. Investors cheered.\n"
    "\n"
    "Key Takeaways\n"
    "\n"
    "• Shares rose 3%.\n"
    "- Bonds fell.\n"
    "\n"
    "Analysis\n"
    "\n"
    "央行 said 😀 rates would stay low.\n"
)


def test_text_file_structure(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (doc,) = only_docs(load(path))
    assert doc.headline is not None and doc.headline.text == "Markets rally on rate cut"
    assert [(b.role, b.text) for b in doc.summary] == [
        (Role.HEADING, "Key Takeaways"),
        (Role.SUMMARY, "Shares rose 3%."),
        (Role.SUMMARY, "Bonds fell."),
    ]
    assert [(b.role, b.text) for b in doc.body] == [
        (Role.PARAGRAPH, "Shares rose on Monday. Investors cheered."),
        (Role.HEADING, "Analysis"),
        (Role.PARAGRAPH, "央行 said 😀 rates would stay low."),
    ]
    for block in doc.blocks:  # offsets index the file text exactly
        assert ARTICLE[block.start : block.end] == block.text


def test_text_line_and_column_with_cjk_and_emoji(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (doc,) = only_docs(load(path))
    last = doc.body[-1]
    start = last.text.index("rates")
    loc = doc.locate_block(last, start, start + len("rates"))
    # columns count code points: 央, 行, space, s,a,i,d, space, 😀, space -> "rates" starts at column 11
    assert (loc.line, loc.column, loc.end_line, loc.end_column) == (12, 11, 12, 16)
    assert loc.snippet == "央行 said 😀 rates would stay low."
    bullet = doc.summary[1]
    loc = doc.locate_block(bullet)
    assert (loc.line, loc.column, loc.end_column) == (7, 3, 18)


def test_crlf_and_markdown_heading_and_front_matter(tmp_path: Path) -> None:
    text = (
        '---\r\ntitle: "Storm hits coast"\r\nlang: en\r\n---\r\n'
        "# Ignored as headline? no: body heading\r\n\r\nWinds of 100mph.\r\n"
    )
    path = tmp_path / "b.md"
    path.write_bytes(text.encode())
    (doc,) = only_docs(load(path))
    assert doc.headline is not None and doc.headline.text == "Storm hits coast"
    assert doc.lang == "en"
    assert doc.locate_block(doc.headline).line == 2
    assert doc.locate_block(doc.headline).column == 9
    assert [(b.role, b.text) for b in doc.body] == [
        (Role.HEADING, "Ignored as headline? no: body heading"),
        (Role.PARAGRAPH, "Winds of 100mph."),
    ]
    assert doc.locate_block(doc.body[1]).line == 7


def test_markdown_first_heading_is_headline(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_text("# Title here\n\nBody text.\n", encoding="utf-8")
    (doc,) = only_docs(load(path))
    assert doc.headline is not None and doc.headline.text == "Title here"
    assert doc.locate_block(doc.headline).column == 3


def test_jsonl_fields_and_exact_raw_columns(tmp_path: Path) -> None:
    record = {
        "id": "r1",
        "title": "Café opens",
        "body": 'First para.\n\nSecond ünïcode 😀 para "quoted".',
        "summary": "A café.",
        "lang": "en",
        "url": "http://x",
    }
    raw_line = json.dumps(record)  # ensure_ascii=True: escapes \u00e9, \ud83d\ude00, \n, \"
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "r0", "title": "t", "body": "b"}) + "\n" + raw_line + "\n", encoding="utf-8")
    docs = only_docs(load(path))
    doc = docs[1]
    assert (doc.id, doc.record, doc.lang) == ("r1", 2, "en")
    assert doc.metadata == {"url": "http://x"}
    assert [b.text for b in doc.summary] == ["A café."]
    second = doc.body[1]
    assert second.text == 'Second ünïcode 😀 para "quoted".'
    word = "quoted"
    start = second.text.index(word)
    loc = doc.locate_block(second, start, start + len(word))
    assert loc.line == 2 and loc.record == 2 and loc.field == "body"
    assert raw_line[loc.column - 1 : loc.end_column - 1] == word
    emoji_at = second.text.index("😀")
    loc = doc.locate_block(second, emoji_at, emoji_at + 1)
    assert raw_line[loc.column - 1 : loc.end_column - 1] == "\\ud83d\\ude00"


def test_json_array_records_point_at_their_lines(tmp_path: Path) -> None:
    records = [
        {"id": "a", "headline": "One", "text": "Alpha body."},
        {"id": "b", "headline": "Two", "text": "Beta body."},
    ]
    path = tmp_path / "docs.json"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    docs = only_docs(load(path))
    assert [(d.id, d.record) for d in docs] == [("a", 1), ("b", 2)]
    loc = docs[1].locate_block(docs[1].body[0])
    raw_lines = path.read_text().splitlines()
    assert raw_lines[loc.line - 1][loc.column - 1 : loc.end_column - 1] == "Beta body."


def test_jsonl_gz_and_custom_field_map(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"key": "k1", "hed": "Rates held", "story": "The bank held rates."}) + "\n")
    fields = FieldMap(id=["key"], headline=["hed"], body=["story"])
    (doc,) = only_docs(load(path, fields))
    assert (doc.id, doc.headline.text, doc.body[0].text) == ("k1", "Rates held", "The bank held rates.")


def test_discover_sorted_hidden_skipped_globs(tmp_path: Path) -> None:
    for name in ["b/2.txt", "a.md", "b/1.jsonl", ".hidden/x.txt", "b/.git/y.txt", "notes.csv", "c/skip.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n\ny\n")
    found = [s.rel for s in discover([tmp_path], exclude=["c/*"], cwd=tmp_path)]
    assert found == ["a.md", "b/1.jsonl", "b/2.txt"]
    assert [s.rel for s in discover([tmp_path], include=["*.txt"], cwd=tmp_path)] == ["b/2.txt", "c/skip.txt"]
