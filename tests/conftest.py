"""Shared test helpers: write a small corpus, run the engine, run the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpuslint.cli import app
from corpuslint.config import Settings
from corpuslint.engine import RunOptions, RunResult, run

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = REPO / "seeds"


def write_corpus(root: Path, files: dict[str, str | bytes | list[dict[str, Any]]]) -> Path:
    """Create `files` under `root`: str -> text, bytes -> raw, list of dicts -> JSON Lines."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, list):
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in content), encoding="utf-8")
        else:
            path.write_text(content, encoding="utf-8")
    return root


def check(root: Path, select: list[str] | None = None, **settings: Any) -> RunResult:
    """Run the engine on `root` (paths reported relative to `root`). `jobs` > 1 really uses a process pool,
    however small the corpus, and `cache_dir` really caches, as on the command line."""
    if select is not None:
        settings["select"] = select
    config = Settings(**settings)
    options = RunOptions(
        cache_dir=Path(config.cache_dir) if config.cache_dir else None,
        parallel_min_bytes=0 if (config.jobs or 1) > 1 else RunOptions.parallel_min_bytes,
    )
    return run([root], config, cwd=root, options=options)


def codes(result: RunResult) -> list[str]:
    return [f.code for f in result.findings]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):
    """Invoke the CLI in a given working folder: `cli(["check", "."], cwd=tmp_path)` -> click Result."""
    runner = CliRunner()

    def invoke(args: list[str], cwd: Path | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return runner.invoke(app, args, catch_exceptions=False)

    return invoke
