"""Reporters turn a run's findings into text, JSON, JSON Lines, SARIF 2.1.0, GitHub annotations or an HTML page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from corpuslint.engine import RunResult
from corpuslint.reporters import github, html, jsonout, sarif, text

FORMATS: dict[str, Callable[[RunResult], str]] = {
    "text": text.render,
    "json": jsonout.render,
    "jsonl": jsonout.render_lines,
    "sarif": sarif.render,
    "github": github.render,
    "html": html.render,
}


# Formats that can be written piece by piece, so a large report is never built as one string.
STREAMING: dict[str, Callable[[RunResult, TextIO], None]] = {"json": jsonout.write, "jsonl": jsonout.write_lines}


def render(fmt: str, result: RunResult) -> str:
    return FORMATS[fmt](result)


def write(fmt: str, result: RunResult, stream: TextIO) -> None:
    if fmt in STREAMING:
        STREAMING[fmt](result, stream)
    else:
        stream.write(render(fmt, result))
