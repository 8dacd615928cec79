"""Reporters turn a run's findings into text, JSON, JSON Lines, SARIF 2.1.0, GitHub annotations or an HTML page."""

from __future__ import annotations

from collections.abc import Callable

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


def render(fmt: str, result: RunResult) -> str:
    return FORMATS[fmt](result)
