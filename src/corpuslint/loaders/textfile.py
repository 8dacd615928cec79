"""`.txt` and `.md` files: one document per file.

The headline is a YAML front-matter `title:` if present, else the first non-empty line (a markdown `# `
marker stripped). The rest is split into blocks by `structure.parse_blocks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpuslint.loaders.reading import decode, read_limited
from corpuslint.loaders.structure import heading_text, parse_blocks, split_summary
from corpuslint.locate import TextLocator
from corpuslint.model import Block, Document, Problem, Role
from corpuslint.text import lines, strip_span

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)---[ \t]*(?:\r?\n|\Z)", re.S)
_FRONT_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.M)
FIELD = "text"


def load_text(path_on_disk: str, rel: str, max_bytes: int) -> Iterator[Document | Problem]:
    data = yield from read_limited(path_on_disk, rel, max_bytes)
    if data is None:
        return
    text = yield from decode(data, rel)
    if text is None:
        return
    if not text.strip():
        yield Problem(kind="empty-document", path=rel, message="file is empty or holds only whitespace")
        return
    yield parse_text_document(text, rel)


def parse_text_document(text: str, rel: str) -> Document:
    front, body_start = _front_matter(text)
    headline: Block | None = None
    if "title" in front:
        headline = _value_block(Role.HEADLINE, text, *front["title"])
    summary: list[Block] = []
    for key in ("summary", "description", "dek"):
        if key in front:
            summary.append(_value_block(Role.SUMMARY, text, *front[key]))
            break
    if headline is None:
        for line_start, line_end in lines(text[body_start:]):
            s, e = strip_span(text, body_start + line_start, body_start + line_end)
            if s < e:
                s += heading_text(text[s:e])
                headline = _value_block(Role.HEADLINE, text, s, e)
                body_start = body_start + line_end
                break
    found_summary, body = split_summary(parse_blocks(text, FIELD, body_start))
    lang = text[slice(*front["lang"])] if "lang" in front else None
    doc_id = text[slice(*front["id"])] if "id" in front else rel
    doc = Document(
        id=doc_id,
        path=rel,
        record=None,
        headline=headline,
        summary=summary + found_summary,
        body=body,
        lang=lang or None,
        metadata={},
    )
    doc._locator = TextLocator(text)
    return doc


def _front_matter(text: str) -> tuple[dict[str, tuple[int, int]], int]:
    """Offsets of the values of simple `key: value` lines in a leading `---` block, and where the body starts."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, 0
    values: dict[str, tuple[int, int]] = {}
    for key_match in _FRONT_KEY_RE.finditer(text, match.start(1), match.end(1)):
        s, e = key_match.span(2)
        if e - s >= 2 and text[s] == text[e - 1] and text[s] in "\"'":
            s, e = s + 1, e - 1
        if s < e:
            values.setdefault(key_match.group(1).lower(), (s, e))
    return values, match.end()


def _value_block(role: Role, text: str, start: int, end: int) -> Block:
    return Block(role=role, text=text[start:end], field=FIELD, start=start, end=end)
