"""The one tokeniser, normaliser, sentence splitter and offset-to-line/column mapper.

Every rule uses these; nothing else in the package splits words or counts lines.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator

# stdlib `re` is ~1.4x faster than `regex` for this pattern; \w covers every script.
WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_BLANK_LINES_RE = re.compile(r"(?:\r\n|\r|\n)(?:[ \t]*(?:\r\n|\r|\n))+")  # starts at a line break: fast scan
_PUNCT_RE = re.compile(r"[^\w\s]+")
_SPACE_RE = re.compile(r"\s+")
# A sentence ends at . ! ? … (plus closing quotes) before a capitalised word, at CJK 。！？, or at a line break.
_SENTENCE_END_RE = re.compile(r"""[.!?…]["'”’)\]]*(?=\s+["'“‘(\[]?[^\W\d_a-z])|[。！？]["'”’」』)]*|(?=\r\n|\r|\n)""")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc no u.s u.k e.g i.e gov gen col lt sgt rep sen"
    " jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, underscore; inner apostrophes kept)."""
    return WORD_RE.findall(text.lower())


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every word token in `text`."""
    return [m.span() for m in WORD_RE.finditer(text)]


def normalise(text: str) -> str:
    """Compare-friendly form: NFKC, case-folded, punctuation dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in `text`, whitespace trimmed, common abbreviations kept whole."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        cut = match.end()
        if text[match.start()] == ".":
            head = text[max(start, match.start() - 32) : match.start()].rsplit(None, 1)  # the last word only
            last_word = head[-1].lower() if head else ""
            if last_word in _ABBREVIATIONS or len(last_word) == 1:
                continue
        if cut > start:
            spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return [trimmed for s, e in spans if (trimmed := strip_span(text, s, e))[0] < trimmed[1]]


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of every line, line terminators excluded."""
    start = 0
    for match in LINE_BREAK_RE.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def blank_line_blocks(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the blocks of `text[start:end]` separated by blank lines, trimmed."""
    stop = len(text) if end is None else end
    pos = start
    for match in _BLANK_LINES_RE.finditer(text, start, stop):
        s, e = strip_span(text, pos, match.start())
        if s < e:
            yield s, e
        pos = match.end()
    s, e = strip_span(text, pos, stop)
    if s < e:
        yield s, e


class LineIndex:
    """Maps code-point offsets in a text to 1-based (line, column); CR, LF and CRLF end lines."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        has_breaks = "\n" in text or "\r" in text  # a JSON Lines record has none: skip the scan
        self._starts = [0] + [m.end() for m in LINE_BREAK_RE.finditer(text)] if has_breaks else [0]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Offsets of the start and end (terminator excluded) of a 1-based line."""
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self._text)
        while end > start and self._text[end - 1] in "\r\n":
            end -= 1
        return start, end

    def snippet(self, line: int, column: int, end_column: int, width: int = 160) -> tuple[str, int]:
        """A piece of the line no wider than `width` around columns [column, end_column), and its first column;
        only that piece is copied, however long the line."""
        start, end = self.line_bounds(line)
        length = end - start
        if length <= width:
            return self._text[start:end], 1
        centre = max(0, (column + min(end_column, column + width // 2)) // 2 - width // 2)
        first = max(0, min(centre, length - width))
        return self._text[start + first : start + first + width], first + 1
