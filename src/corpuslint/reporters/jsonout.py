"""JSON (one object with a schema version, the run summary and the findings) and JSON Lines (one finding a line).

The schema is `corpuslint.reporters.jsonout.Report`; `SCHEMA_VERSION` changes only when a field changes meaning
or disappears.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from corpuslint import __version__
from corpuslint.engine import RunResult
from corpuslint.model import Finding

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
    by = [f.severity.value for f in result.findings]
    return Report(
        schema_version=SCHEMA_VERSION,
        tool={"name": "corpuslint", "version": __version__},
        summary=Summary(
            findings=len(by),
            errors=by.count("error"),
            warnings=by.count("warning"),
            info=by.count("info"),
            documents=result.documents,
            files=result.files,
        ),
        findings=result.findings,
    )


def render(result: RunResult) -> str:
    return json.dumps(build(result).model_dump(mode="json"), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def render_lines(result: RunResult) -> str:
    return "".join(
        json.dumps(f.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n" for f in result.findings
    )
