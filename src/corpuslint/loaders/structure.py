"""Split a body of text into blocks (paragraphs, headings, bullets) and lift out summary sections.

Shared by every loader, so a .txt article and a JSON `body` field are parsed the same way.
"""

from __future__ import annotations

import re

from corpuslint.model import Block, Role
from corpuslint.text import blank_line_blocks, lines, normalise, strip_span

_BULLET_RE = re.compile(r"[ \t]*(?:[•●◦▪‣∙·*+\-–—]|\d{1,3}[.)])[ \t]+(?=\S)")
_MD_HEADING_RE = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+(?=\S)")
_TERMINAL = tuple(".!?:;…\"”’'»)]。！？")
SUMMARY_HEADINGS = frozenset(
    normalise(h)
    for h in (
        "Key Takeaways",
        "Takeaways",
        "Key Points",
        "Highlights",
        "Summary",
        "In Brief",
        "At a Glance",
        "TL;DR",
        "TLDR",
        "What you need to know",
        "The big picture",
        "Key facts",
        "Zusammenfassung",
        "Das Wichtigste in Kürze",
        "Résumé",
        "En bref",
        "Resumen",
        "Puntos clave",
        "要点",
        "摘要",
    )
)
MAX_HEADING_WORDS = 14


def heading_text(line: str) -> int:
    """Length of a markdown heading marker (`## `) at the start of `line`, or 0."""
    match = _MD_HEADING_RE.match(line)
    return match.end() if match else 0


def parse_blocks(text: str, field: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Blocks of `text[start:end]`: paragraphs split on blank lines, markdown headings, bullet lines,
    and short unpunctuated single lines followed by more text (plain-text section headings)."""
    blocks: list[Block] = []
    for block_start, block_end in blank_line_blocks(text, start, end):
        pending: tuple[int, int] | None = None
        chunk = text[block_start:block_end]
        if "\n" in chunk or "\r" in chunk:
            spans = [strip_span(text, block_start + a, block_start + b) for a, b in lines(chunk)]
        else:  # one line, already trimmed: most paragraphs of JSON records
            spans = [(block_start, block_end)]
        for s, e in spans:
            if s >= e:
                continue
            line = text[s:e]
            marker = heading_text(line) or _bullet_marker(line)
            if marker:
                if pending:
                    blocks.append(_block(Role.PARAGRAPH, text, field, *pending))
                    pending = None
                role = Role.HEADING if heading_text(line) else Role.BULLET
                blocks.append(_block(role, text, field, s + marker, e))
            else:
                pending = (pending[0], e) if pending else (s, e)
        if pending:
            blocks.append(_block(Role.PARAGRAPH, text, field, *pending))
    return [_promote_heading(b, i, blocks) for i, b in enumerate(blocks)]


def split_summary(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """Move "Key Takeaways"-style sections (the heading and what follows up to the next heading) out of
    the body; return (summary, body). The section heading keeps role heading, its content becomes summary."""
    summary: list[Block] = []
    body: list[Block] = []
    in_summary = False
    for block in blocks:
        if block.role is Role.HEADING:
            in_summary = normalise(block.text) in SUMMARY_HEADINGS
        elif in_summary and block.role is Role.PARAGRAPH and summary and summary[-1].role is Role.SUMMARY:
            in_summary = False  # prose after the bullets ends the section
        if in_summary:
            role = Role.HEADING if block.role is Role.HEADING else Role.SUMMARY
            summary.append(block.model_copy(update={"role": role}) if role is not block.role else block)
        else:
            body.append(block)
    return summary, body


def _bullet_marker(line: str) -> int:
    match = _BULLET_RE.match(line)
    return match.end() if match else 0


def _block(role: Role, text: str, field: str, start: int, end: int) -> Block:
    return Block(role=role, text=text[start:end], field=field, start=start, end=end)


def _promote_heading(block: Block, index: int, blocks: list[Block]) -> Block:
    if (
        block.role is Role.PARAGRAPH
        and index + 1 < len(blocks)
        and "\n" not in block.text
        and "\r" not in block.text
        and not block.text.endswith(_TERMINAL)
        and not block.text[:1].islower()
        and len(block.text.split()) <= MAX_HEADING_WORDS
    ):
        return block.model_copy(update={"role": Role.HEADING})
    return block
