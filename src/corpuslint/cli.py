"""The `corpuslint` command (typer): check, rules, rule.

Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 usage, configuration or internal error.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from corpuslint import __version__
from corpuslint.config import ConfigError, Settings, load_settings
from corpuslint.engine import run
from corpuslint.model import Severity
from corpuslint.registry import all_rules, find_rule
from corpuslint.reporters import FORMATS, render
from corpuslint.reporters.text import statistics, summary_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="A data-quality linter for ingested news corpora.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: list[str] | None) -> list[str] | None:
    """`--select A,B --select C` -> [A, B, C] (None when not given, so the config file's value stands)."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"corpuslint: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def _settings(config: Path | None, start: Path, **overrides: object) -> Settings:
    try:
        return load_settings(config, start, overrides)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corpuslint {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A data-quality linter for ingested news corpora."""


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to check.")],
    select: Annotated[
        list[str] | None, typer.Option(help="Rules to enable: ALL, a family (DUP), a code or a name.")
    ] = None,
    extend_select: Annotated[list[str] | None, typer.Option(help="Rules to enable on top of `select`.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules to disable (family, code or name).")] = None,
    output_format: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")] = None,
    fail_on: Annotated[str | None, typer.Option(help="error, warning, info or never (default: warning).")] = None,
    statistics_: Annotated[
        bool, typer.Option("--statistics", help="Print a count per rule instead of findings.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but the report; no summary.")] = False,
    config: Annotated[Path | None, typer.Option(help="Use this configuration file.")] = None,
    include: Annotated[list[str] | None, typer.Option(help="Only check files matching these globs.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Skip files matching these globs.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
) -> None:
    """Check documents and report findings."""
    if output_format not in FORMATS:
        raise _fail(f"unknown format {output_format!r}; choose one of {', '.join(FORMATS)}")
    settings = _settings(
        config,
        paths[0],
        select=_split(select),
        extend_select=_split(extend_select),
        ignore=_split(ignore),
        fail_on=fail_on,
        include=_split(include),
        exclude=_split(exclude),
        jobs=jobs,
    )
    try:
        result = run(paths, settings)
        report = statistics(result) + "\n" if statistics_ and output_format == "text" else render(output_format, result)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    except Exception:
        traceback.print_exc()
        raise _fail("internal error; please report it with the traceback above") from None
    if output is not None:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror}") from None
        if not quiet:
            typer.echo(summary_line(result), err=True)
    else:
        sys.stdout.write(report)
        if statistics_ and not quiet:
            typer.echo(summary_line(result))
    raise typer.Exit(exit_code(result.findings, settings.fail_on))


def exit_code(findings: list, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in findings) else EXIT_OK


@app.command("rules")
def list_rules(
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    config: Annotated[Path | None, typer.Option(help="Use this configuration file.")] = None,
) -> None:
    """List every rule: code, name, default severity, summary and origin."""
    settings = _settings(config, Path.cwd())
    try:
        rules = all_rules(settings)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    rows = [
        {"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary(), "origin": r.origin}
        for r in rules
    ]
    if output_format == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if output_format != "text":
        raise _fail(f"unknown format {output_format!r}; choose text or json")
    for row in rows:
        typer.echo(f"{row['code']:<9} {row['name']:<30} {row['severity']:<8} {row['summary']}  [{row['origin']}]")


@app.command("rule")
def show_rule(
    code: Annotated[str, typer.Argument(help="A rule code (DUP001) or name (headline-repeated-in-body).")],
    config: Annotated[Path | None, typer.Option(help="Use this configuration file.")] = None,
) -> None:
    """Print a rule's documentation."""
    settings = _settings(config, Path.cwd())
    try:
        rule = find_rule(code, settings)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    if rule is None:
        raise _fail(f"no rule {code!r}; see `corpuslint rules`")
    typer.echo(f"# {rule.name} ({rule.code})\n")
    typer.echo(f"Default severity: {rule.severity.value}. Origin: {rule.origin}.\n")
    typer.echo(rule.docs())
    options = rule.Options.model_json_schema().get("properties", {})
    if options:
        typer.echo("\n## Options")
        defaults = rule.Options()
        for name, spec in options.items():
            key = name.replace("_", "-")
            typer.echo(f"- `{key}` = {getattr(defaults, name)!r}: {spec.get('description', '')}".rstrip(": "))
