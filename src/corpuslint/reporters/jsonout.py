"""JSON (one object with a schema version, the run summary and the findings) and JSON Lines (one finding a line).

The schema is `corpuslint.reporters.jsonout.Report`; `SCHEMA_VERSION` changes only when a field changes meaning
or disappears.
"""

from __future__ import annotations

import io
import json
from typing import TextIO

from pydantic import BaseModel

from corpuslint import __version__
from corpuslint.engine import RunResult
from corpuslint.findings import severity_counts
from corpuslint.model import Finding, Severity

SCHEMA_VERSION = 1


class Summary(BaseModel):
    findings: int
    errors: int
    warnings: int
    info: int
    documents: int
    files: int


class Report(BaseModel):
    schema_version: int
    tool: dict[str, str]
    summary: Summary
    findings: list[Finding]


def build(result: RunResult) -> Report:
    return Report(**_head(result), findings=list(result.findings))


def _head(result: RunResult) -> dict:
    by = severity_counts(result.findings)
    summary = Summary(
        findings=by.total(),
        errors=by[Severity.ERROR],
        warnings=by[Severity.WARNING],
        info=by[Severity.INFO],
        documents=result.documents,
        files=result.files,
    )
    tool = {"name": "corpuslint", "version": __version__}
    return {"schema_version": SCHEMA_VERSION, "tool": tool, "summary": summary}


def write(result: RunResult, stream: TextIO) -> None:
    """The JSON report, written one finding at a time (a report of a million findings never sits in memory as
    one string). Each finding is on its own line, exactly as in the JSON Lines report (sorted keys; the C
    encoder, about 10x faster than an indented dump); the summary around them is indented."""
    head = {key: value.model_dump(mode="json") if key == "summary" else value for key, value in _head(result).items()}
    rest = json.dumps(head, ensure_ascii=False, sort_keys=True, indent=2)  # '{\n  "schema_version": ...\n}'
    stream.write('{\n  "findings": [')
    for index, finding in enumerate(result.findings):
        stream.write(("\n    " if index == 0 else ",\n    ") + _line(finding))
    stream.write("\n  ],\n" if len(result.findings) else "],\n")
    stream.write(rest[2:] + "\n")


def _line(finding: Finding) -> str:
    return json.dumps(finding.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def write_lines(result: RunResult, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(_line(finding) + "\n")


def render(result: RunResult) -> str:
    buffer = io.StringIO()
    write(result, buffer)
    return buffer.getvalue()


def render_lines(result: RunResult) -> str:
    buffer = io.StringIO()
    write_lines(result, buffer)
    return buffer.getvalue()
