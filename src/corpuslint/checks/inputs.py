"""INPUT: input that cannot be read or parsed. Loaders report `Problem`s; these rules turn them into findings."""

from __future__ import annotations

from typing import ClassVar

from corpuslint.model import Finding, Location, Problem, Severity
from corpuslint.rule import Rule


class InputRule(Rule):
    """Base for rules fed by loader problems rather than by documents."""

    kind: ClassVar[str]

    def from_problem(self, problem: Problem) -> Finding:
        document = problem.path if problem.record is None else f"{problem.path}:{problem.record}"
        location = Location(
            path=problem.path,
            document=document,
            record=problem.record,
            start=0,
            end=0,
            line=problem.line,
            column=problem.column,
            end_line=problem.line,
            end_column=problem.column,
        )
        return self.finding(location, problem.message, text=problem.message, evidence=problem.evidence)


class UnreadablePath(InputRule):
    """A path that cannot be read: missing, permission denied, a symlink loop, not a regular file.

    ## What it does
    Reports every given or discovered path that corpuslint could not open, and goes on with the rest.

    ## Why is this bad?
    A document that cannot be read is silently missing from the corpus and from every other check.

    ## Example
    `corpuslint check missing/` → `missing:1:1: INPUT001 [error] cannot read path: No such file or directory`
    """

    code = "INPUT001"
    name = kind = "unreadable-path"
    severity = Severity.ERROR


class InvalidEncoding(InputRule):
    """A file or record that is not valid UTF-8.

    ## What it does
    Reports the first invalid byte sequence with its line and column. The bytes are replaced by U+FFFD and
    the document is still checked.

    ## Why is this bad?
    Mixed or legacy encodings (Latin-1, Windows-1252) turn "£15.8m" into mojibake for every reader downstream.

    ## Example
    A file saved as Latin-1 containing `£` (byte `a3`) → `INPUT002 not valid UTF-8 (byte(s) a3 at line 3, column 12)`.
    """

    code = "INPUT002"
    name = kind = "invalid-encoding"
    severity = Severity.WARNING


class BinaryFile(InputRule):
    """A file that looks binary (NUL bytes or many control characters).

    ## What it does
    Reports files with a NUL byte or more than 10% control bytes in their first 8 KiB, and skips them.

    ## Why is this bad?
    Images, archives or database files in a text corpus are ingestion accidents; their "text" is noise.

    ## Example
    `photo.txt` holding a JPEG → `INPUT003 file looks binary (NUL or control bytes); not checked`.
    """

    code = "INPUT003"
    name = kind = "binary-file"
    severity = Severity.WARNING


class EmptyDocument(InputRule):
    """An empty file, a JSON Lines file with no records, or a record whose body is empty.

    ## What it does
    Reports documents with no text to check.

    ## Why is this bad?
    Empty documents inflate corpus counts and usually mean a failed scrape or extraction.

    ## Example
    `{"id": "a1", "title": "Budget passed", "body": ""}` → `INPUT004 record 3: body is empty`.
    """

    code = "INPUT004"
    name = kind = "empty-document"
    severity = Severity.WARNING


class MalformedRecord(InputRule):
    """A JSON line or JSON file that does not parse, or a record that is not an object.

    ## What it does
    Reports the line (and record) that failed to parse with the parser's reason; the other records of the
    file are still checked.

    ## Why is this bad?
    A truncated or concatenated line hides a document and often the one after it.

    ## Example
    `{"id": 7, "body": "Shares fell` (cut off) → `INPUT005 record 7: invalid JSON: Unterminated string`.
    """

    code = "INPUT005"
    name = kind = "malformed-record"
    severity = Severity.ERROR


class MissingField(InputRule):
    """A record without a body field (or with a body that is not a string).

    ## What it does
    Reports records where none of the configured body keys (`fields.body`) holds a string.

    ## Why is this bad?
    Such a record cannot be checked, and usually means a schema change upstream.

    ## Example
    `{"id": 9, "title": "Rates held"}` → `INPUT006 record 9: no body field (looked for body, text, content, ...)`.
    """

    code = "INPUT006"
    name = kind = "missing-field"
    severity = Severity.ERROR


class OversizedInput(InputRule):
    """A file or JSON line larger than `max-document-bytes`.

    ## What it does
    Reports and skips (without reading it into memory) any document larger than the limit (32 MiB by default).

    ## Why is this bad?
    A multi-megabyte "article" is a dump, a concatenation or an attack, not a news story.

    ## Example
    A 50 MB single-line JSON record → `INPUT007 line 12 is longer than max-document-bytes; not checked`.
    """

    code = "INPUT007"
    name = kind = "oversized-input"
    severity = Severity.ERROR


class RuleFailed(InputRule):
    """A rule failed on a document (an internal error); the other rules and documents are still checked.

    ## What it does
    Reports which rule raised on which document, with the exception, instead of aborting the run.

    ## Why is this bad?
    The document was not fully checked; please report the input that triggers it.

    ## Example
    `INPUT008 rule DUP002 failed on this document: ValueError: ...`.
    """

    code = "INPUT008"
    name = kind = "rule-failed"
    severity = Severity.ERROR


class RuleTimeout(InputRule):
    """A rule took longer than `document-timeout` seconds on one document; the run goes on.

    ## What it does
    Interrupts the rule, reports which rule on which document, and skips the remaining rules for that document.

    ## Why is this bad?
    A pathological document (or a catastrophic pattern in a rule pack) must not hang a CI gate.

    ## Example
    `INPUT009 rule BOIL003 took longer than 20s (document-timeout) on this document; not checked by it`.
    """

    code = "INPUT009"
    name = kind = "rule-timeout"
    severity = Severity.ERROR


class FindingsLimit(InputRule):
    """A rule reached `max-findings-per-rule` findings on one document; its further findings there are not reported.

    ## What it does
    Stops collecting a rule's findings on a document after the limit (default 100) and says so once, at the
    first finding left out.

    ## Why is this bad?
    Forty thousand copies of one error on one line hide everything else, and locating, fingerprinting and
    writing them all makes a hostile document slow; the document needs fixing either way.

    ## Example
    `INPUT010 rule ENC003 reached 100 findings on this document (max-findings-per-rule); the rest are not
    shown`.
    """

    code = "INPUT010"
    name = kind = "findings-limit"
    severity = Severity.INFO


RULES: list[type[Rule]] = [
    UnreadablePath,
    InvalidEncoding,
    BinaryFile,
    EmptyDocument,
    MalformedRecord,
    MissingField,
    OversizedInput,
    RuleFailed,
    RuleTimeout,
    FindingsLimit,
]
