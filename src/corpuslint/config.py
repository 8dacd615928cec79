"""Settings from `corpuslint.toml` or `[tool.corpuslint]` in `pyproject.toml`, validated by pydantic.

The nearest ancestor of the checked path that holds either file wins (`corpuslint.toml` before
`pyproject.toml` in the same folder); `--config FILE` overrides the search; CLI flags override the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corpuslint.model import Severity

FailOn = Literal["error", "warning", "info", "never"]


class ConfigError(Exception):
    """A configuration problem; the CLI prints it and exits 2."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True, frozen=True)


class FieldMap(_Strict):
    """Which JSON keys hold which part of a record; the first key present wins."""

    id: list[str] = ["id", "doc_id", "uuid"]
    headline: list[str] = ["title", "headline"]
    body: list[str] = ["body", "text", "content", "article", "articleBody"]
    summary: list[str] = ["summary", "description", "dek", "abstract"]
    url: list[str] = ["url", "link"]
    lang: list[str] = ["lang", "language"]


class Settings(_Strict):
    select: list[str] = ["ALL"]
    extend_select: list[str] = []
    ignore: list[str] = []
    severity: dict[str, Severity] = {}
    per_path_ignores: dict[str, list[str]] = {}
    rule_options: dict[str, dict[str, Any]] = {}
    fields: FieldMap = FieldMap()
    include: list[str] = []
    exclude: list[str] = []
    fail_on: FailOn = "warning"
    rule_paths: list[str] = []
    cache: bool = True
    cache_dir: str | None = None
    corpus_root: str | None = None
    baseline: str | None = None
    max_document_bytes: int = Field(default=32 * 1024 * 1024, gt=0)
    max_decompression_ratio: int = Field(default=100, gt=0)
    document_timeout: float = Field(default=20.0, gt=0)
    max_findings_per_rule: int = Field(default=100, ge=0)  # per document; 0: no limit
    follow_symlinks: bool = False
    jobs: int | None = Field(default=None, ge=1)
    engine: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    source: str | None = Field(default=None, exclude=True)


def find_config(start: Path) -> Path | None:
    """The nearest `corpuslint.toml`, or `pyproject.toml` with a `[tool.corpuslint]` table, above `start`."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / "corpuslint.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "corpuslint" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc


def load_settings(config: Path | None, start: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Settings from `config` (or the nearest config above `start`), then CLI `overrides` on top."""
    path = config if config is not None else find_config(start)
    table: dict[str, Any] = {}
    if path is not None:
        data = _read_toml(path)
        table = data.get("tool", {}).get("corpuslint", {}) if path.name == "pyproject.toml" else data
        table = dict(table)
        table["rule-paths"] = [str((path.parent / p).resolve()) for p in table.get("rule-paths", [])]
        for key in ("cache-dir", "corpus-root", "baseline"):  # paths in a file are relative to that file
            if isinstance(table.get(key), str):
                table[key] = str((path.parent / table[key]).resolve())
    merged = {**table, **{_kebab(k): v for k, v in (overrides or {}).items() if v is not None}}
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        where = str(path) if path is not None else "command line"
        problems = "; ".join(f"`{'.'.join(str(p) for p in err['loc'])}`: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"{where}: invalid configuration: {problems}") from exc
    return settings.model_copy(update={"source": str(path) if path else None})
