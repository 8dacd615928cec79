"""The words every module shares: documents, blocks of text, locations and findings.

Documents flow one way: loaders build `Document`s, the engine hands them to rules, rules emit `Finding`s,
reporters print them. Offsets are always code-point offsets into one *field* of the document's source
(for .txt/.md files the whole file is the single field `text`; for JSON records, each string field).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

if TYPE_CHECKING:
    from corpuslint.locate import Locator


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Role(enum.StrEnum):
    HEADLINE = "headline"
    SUMMARY = "summary"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"


class Block(BaseModel):
    """One piece of a document's text: the headline, a summary part, a heading, a paragraph or a bullet."""

    model_config = ConfigDict(frozen=True)

    role: Role
    text: str
    field: str
    start: int
    end: int


class Document(BaseModel):
    """A document as every rule sees it."""

    id: str
    path: str
    record: int | None = None
    headline: Block | None = None
    summary: list[Block] = Field(default_factory=list)
    body: list[Block] = Field(default_factory=list)
    lang: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    _locator: Locator | None = PrivateAttr(default=None)

    @property
    def blocks(self) -> list[Block]:
        """Headline, summary parts and body blocks, in reading order of their roles."""
        head = [self.headline] if self.headline is not None else []
        return head + self.summary + self.body

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.body if b.role is Role.PARAGRAPH]

    def locate(self, field: str, start: int, end: int) -> Location:
        if self._locator is None:
            raise RuntimeError(f"document {self.id!r} has no locator")
        return self._locator.locate(self, field, start, end)

    def start_location(self) -> Location:
        """The document as a whole (its first line, or its record's line): for findings about all of it."""
        line = self.record or 1
        return Location(
            path=self.path,
            document=self.id,
            record=self.record,
            start=0,
            end=0,
            line=line,
            column=1,
            end_line=line,
            end_column=1,
        )

    def locate_block(self, block: Block, start: int = 0, end: int | None = None) -> Location:
        """Location of `block.text[start:end]` (offsets relative to the block)."""
        stop = block.end if end is None else block.start + end
        return self.locate(block.field, block.start + start, stop)


class Location(BaseModel):
    """Where a finding is: file, 1-based line/column (end column exclusive), and field offsets."""

    model_config = ConfigDict(frozen=True)

    path: str
    document: str
    record: int | None = None
    field: str | None = None
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str = ""
    snippet_column: int = 1


class RelatedLocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    location: Location
    message: str


Evidence = dict[str, str | int | float | bool | list[str] | list[int] | list[float] | None]


class Edit(BaseModel):
    """Replace `[start, end)` of a field's text (code-point offsets, as in `Block`) with `replacement`."""

    model_config = ConfigDict(frozen=True)

    field: str
    start: int
    end: int
    replacement: str = ""


class Fix(BaseModel):
    """How to repair a finding. `safe` fixes are applied by `corpuslint fix`; unsafe ones need `--unsafe-fixes`."""

    model_config = ConfigDict(frozen=True)

    description: str
    edits: list[Edit]
    safe: bool = True


class Finding(BaseModel):
    """One defect, explained: which rule, where, what was found and the evidence."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    text: str = ""
    evidence: Evidence = Field(default_factory=dict)
    related: list[RelatedLocation] = Field(default_factory=list)
    fix: Fix | None = None
    fingerprint: str = ""

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.record or 0, loc.line, loc.column, loc.start, self.code, self.message)


class Problem(BaseModel):
    """Something wrong with the input itself (unreadable, binary, malformed...); becomes an INPUT finding."""

    kind: str
    path: str
    message: str
    line: int = 1
    column: int = 1
    record: int | None = None
    evidence: Evidence = Field(default_factory=dict)
