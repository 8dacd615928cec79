"""Reporters turn a run's findings into text, JSON, JSON Lines, SARIF 2.1.0 or GitHub annotations."""

from __future__ import annotations

from collections.abc import Callable

from corpuslint.engine import RunResult
from corpuslint.reporters import github, jsonout, sarif, text

FORMATS: dict[str, Callable[[RunResult], str]] = {
    "text": text.render,
    "json": jsonout.render,
    "jsonl": jsonout.render_lines,
    "sarif": sarif.render,
    "github": github.render,
}


def render(fmt: str, result: RunResult) -> str:
    return FORMATS[fmt](result)
