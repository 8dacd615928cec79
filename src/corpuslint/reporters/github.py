"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding."""

from __future__ import annotations

from corpuslint.engine import RunResult

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def render(result: RunResult) -> str:
    lines = []
    for f in result.findings:
        loc = f.location
        props = (
            f"file={_escape(loc.path, prop=True)},line={loc.line},col={loc.column},"
            f"endLine={loc.end_line},endColumn={loc.end_column},title={_escape(f'{f.code} {f.name}', prop=True)}"
        )
        lines.append(f"::{_LEVEL[f.severity.value]} {props}::{_escape(f.message)}\n")
    return "".join(lines)
