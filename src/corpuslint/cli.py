"""The `corpuslint` command (typer): check, rules, rule.

Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 usage, configuration or internal error.
"""

from __future__ import annotations

import io
import json
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from corpuslint import __version__
from corpuslint import fix as fixer
from corpuslint.cache import CACHE_DIR_NAME
from corpuslint.config import ConfigError, Settings, load_settings
from corpuslint.engine import RunOptions, RunResult, run
from corpuslint.gate import GateError, apply_baseline, read_baseline, write_baseline
from corpuslint.gate import changed_since as changed_since_ref
from corpuslint.loaders.remote import is_url
from corpuslint.model import Finding, Severity
from corpuslint.registry import all_rules, find_rule
from corpuslint.reporters import FORMATS
from corpuslint.reporters import write as write_report
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


def _settings(config: Path | None, start: Path, rules_dirs: list[Path] | None = None, **overrides: object) -> Settings:
    try:
        settings = load_settings(config, start, overrides)
        if rules_dirs:
            extra = [str(p.resolve()) for p in rules_dirs]
            settings = settings.model_copy(update={"rule_paths": [*settings.rule_paths, *extra]})
        return settings
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _paths(raw: list[str]) -> list[Path | str]:
    """Local paths as `Path`s; fsspec URLs (`s3://bucket/news/`) kept as strings."""
    return [p if is_url(p) else Path(p) for p in raw]


def _config_start(paths: list[Path | str]) -> Path:
    """Where the configuration search starts: the first local path, else the working folder."""
    return next((p for p in paths if isinstance(p, Path)), Path.cwd())


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


class ProgressBar:
    """A progress bar on stderr, shown only on a terminal and only once a run has lasted a second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int, documents: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("units ·"),
                TextColumn("{task.fields[documents]:,} documents"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("check", total=total, documents=0)
        self.bar.update(self.task, completed=done, documents=documents)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _execute(
    paths: list[Path],
    settings: Settings,
    *,
    quiet: bool,
    corpus: list[Path] | None = None,
    report_filter: Any = None,
    cwd: Path | None = None,
) -> RunResult:
    cache_dir = None
    if settings.cache:
        cache_dir = Path(settings.cache_dir) if settings.cache_dir else Path.cwd() / CACHE_DIR_NAME
    progress = ProgressBar(enabled=not quiet and sys.stderr.isatty())
    options = RunOptions(cache_dir=cache_dir, corpus=corpus, report_filter=report_filter, progress=progress)
    client = None
    try:
        if settings.engine == "dask":
            from corpuslint.engines import dask as dask_engine

            client = dask_engine.connect(settings.scheduler, settings.jobs)
            options.executor = dask_engine.executor(client)
        return run(paths, settings, cwd, options)
    except (ConfigError, GateError) as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:
        if type(exc).__name__ == "ClusterError":
            raise _fail(str(exc)) from None
        traceback.print_exc()
        raise _fail("internal error; please report it with the traceback above") from None
    finally:
        progress.close()
        if client is not None:
            cluster = client.cluster
            client.close()
            if cluster is not None and not settings.scheduler:
                cluster.close()


def _write(output_format: str, result: RunResult, output: Path | None, statistics_only: bool) -> None:
    """Write the report to `output` (or stdout), streamed for the formats that can be."""

    def writer(stream: TextIO) -> None:
        if statistics_only:
            stream.write(statistics(result) + "\n")
        else:
            write_report(output_format, result, stream)

    # A JSON string may decode to a lone surrogate ("\ud800"), which UTF-8 cannot encode: it is written as that
    # escape, which is also what JSON and SARIF need, rather than failing the run.
    if output is None:
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        writer(sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", errors="backslashreplace") as stream:
            writer(stream)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror}") from None


RulesDir = Annotated[list[Path] | None, typer.Option("--rules", help="Also load YAML rule packs from DIR.")]
ConfigFile = Annotated[Path | None, typer.Option(help="Use this configuration file.")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]


@app.command()
def check(
    raw_paths: Annotated[
        list[str], typer.Argument(metavar="PATHS...", help="Files, folders or fsspec URLs (s3://...) to check.")
    ],
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
    config: ConfigFile = None,
    rules_dirs: RulesDir = None,
    include: Annotated[list[str] | None, typer.Option(help="Only check files matching these globs.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Skip files matching these globs.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
    no_cache: NoCache = False,
    cache_dir: Annotated[Path | None, typer.Option(help="Cache folder (default: ./.corpuslint_cache).")] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Compare PATHS with this whole corpus (cross-document rules).")
    ] = None,
    baseline: Annotated[Path | None, typer.Option(help="Report only findings not in this baseline file.")] = None,
    changed_since: Annotated[str | None, typer.Option(help="Check only documents changed since this git ref.")] = None,
    timings: Annotated[bool, typer.Option("--timings", help="Print time spent per rule and phase on stderr.")] = False,
    engine: Annotated[str | None, typer.Option(help="local (default) or dask.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a LocalCluster).")] = None,
) -> None:
    """Check documents and report findings."""
    paths = _paths(raw_paths)
    if output_format not in FORMATS:
        raise _fail(f"unknown format {output_format!r}; choose one of {', '.join(FORMATS)}")
    settings = _settings(
        config,
        _config_start(paths),
        rules_dirs,
        select=_split(select),
        extend_select=_split(extend_select),
        ignore=_split(ignore),
        fail_on=fail_on,
        include=_split(include),
        exclude=_split(exclude),
        jobs=jobs,
        cache=False if no_cache else None,
        cache_dir=str(cache_dir) if cache_dir else None,
        corpus_root=str(corpus) if corpus else None,
        baseline=str(baseline) if baseline else None,
        engine=engine,
        scheduler=scheduler,
    )
    targets, report_filter = paths, None
    corpus_roots = [Path(settings.corpus_root)] if settings.corpus_root else None
    if changed_since is not None:
        try:
            changed = changed_since_ref(changed_since, paths, Path.cwd())
        except GateError as exc:
            raise _fail(str(exc)) from None
        targets, report_filter, corpus_roots = changed.files, changed.report_filter(), corpus_roots or paths
    result = _execute(targets, settings, quiet=quiet, corpus=corpus_roots, report_filter=report_filter)
    note = ""
    if settings.baseline:
        try:
            outcome = apply_baseline(result.findings, read_baseline(Path(settings.baseline)))
        except GateError as exc:
            raise _fail(str(exc)) from None
        result.findings = outcome.new
        note = f"baseline: {outcome.suppressed} known findings suppressed, {outcome.gone} baselined findings gone"
    _write(output_format, result, output, statistics_only=statistics_ and output_format == "text")
    if not quiet and (output is not None or statistics_):
        typer.echo(summary_line(result), err=output is not None)
    if note and not quiet:
        typer.echo(note, err=True)
    if timings:
        for name, seconds in sorted(result.timings.items(), key=lambda item: -item[1]):
            typer.echo(f"{seconds:9.3f}s  {name}", err=True)
        typer.echo(f"units read: {result.units_read}, from cache: {result.units_cached}", err=True)
    raise typer.Exit(exit_code(result.findings, settings.fail_on))


@app.command("fix")
def fix_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to fix (local only).")],
    output_dir: Annotated[Path | None, typer.Option(help="Write cleaned copies here (same relative paths).")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite the files themselves (atomically).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff; write nothing.")] = False,
    unsafe_fixes: Annotated[bool, typer.Option("--unsafe-fixes", help="Also apply fixes marked unsafe.")] = False,
    select: Annotated[list[str] | None, typer.Option(help="Only apply fixes of these rules.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Do not apply fixes of these rules.")] = None,
    config: ConfigFile = None,
    rules_dirs: RulesDir = None,
) -> None:
    """Apply the safe fixes rules declare (drop a repeated headline, a duplicate paragraph, a stray fragment on
    its own line, a boilerplate line). Exactly one of --output-dir, --in-place or --diff."""
    if sum([output_dir is not None, in_place, diff]) != 1:
        raise _fail("choose exactly one of --output-dir DIR, --in-place or --diff")
    settings = _settings(config, paths[0], rules_dirs, select=_split(select), ignore=_split(ignore))
    try:
        plans = fixer.plan(paths, settings, unsafe=unsafe_fixes)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    fixed_files = fixed_findings = 0
    for plan in plans:
        if plan.refused and (in_place or plan.changed):
            typer.echo(f"{plan.source.rel}: {plan.refused}", err=True)
        if not plan.changed:
            if output_dir is not None and not plan.refused:
                fixer.write_atomic(fixer.output_path(plan.source, paths, output_dir), plan.original)
            continue
        fixed_files += 1
        fixed_findings += len(plan.applied)
        if diff:
            sys.stdout.write(fixer.unified_diff(plan))
        elif in_place:
            fixer.write_atomic(Path(plan.source.path), plan.fixed, like=Path(plan.source.path))
        else:
            assert output_dir is not None
            try:
                target = fixer.output_path(plan.source, paths, output_dir)
            except ValueError as exc:
                raise _fail(str(exc)) from None
            fixer.write_atomic(target, plan.fixed, like=Path(plan.source.path))
    verb = "Would fix" if diff else "Fixed"
    typer.echo(f"{verb} {fixed_findings} findings in {fixed_files} files.", err=True)
    raise typer.Exit(EXIT_FINDINGS if diff and fixed_files else EXIT_OK)


@app.command("baseline")
def write_baseline_command(
    raw_paths: Annotated[list[str], typer.Argument(metavar="PATHS...", help="Files, folders or fsspec URLs.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(
        "corpuslint-baseline.json"
    ),
    config: ConfigFile = None,
    rules_dirs: RulesDir = None,
    no_cache: NoCache = False,
) -> None:
    """Accept every current finding: write their content-keyed fingerprints to a baseline file."""
    paths = _paths(raw_paths)
    settings = _settings(config, _config_start(paths), rules_dirs, cache=False if no_cache else None)
    result = _execute(paths, settings, quiet=False)
    count = write_baseline(result.findings, output)
    typer.echo(f"wrote {count} findings to {output}")


@app.command("index")
def index_command(
    root: Annotated[Path, typer.Argument(help="The corpus root to index.")] = Path("."),
    config: ConfigFile = None,
    rules_dirs: RulesDir = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Cache folder (default: ./.corpuslint_cache).")] = None,
) -> None:
    """Build or update the corpus index (the cache of every document's results and signatures), so that
    `check FILES --corpus ROOT` compares new files with the whole corpus without re-reading it."""
    settings = _settings(config, root, rules_dirs, cache=True, cache_dir=str(cache_dir) if cache_dir else None)
    result = _execute([root], settings, quiet=False)
    typer.echo(
        f"indexed {result.documents} documents from {result.files} files "
        f"({result.units_read} read, {result.units_cached} unchanged)"
    )


def exit_code(findings: Iterable[Finding], fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in findings) else EXIT_OK


@app.command("rules")
def list_rules(
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    config: ConfigFile = None,
    rules_dirs: RulesDir = None,
) -> None:
    """List every rule: code, name, default severity, summary and origin."""
    settings = _settings(config, Path.cwd(), rules_dirs)
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
    config: ConfigFile = None,
    rules_dirs: RulesDir = None,
) -> None:
    """Print a rule's documentation."""
    settings = _settings(config, Path.cwd(), rules_dirs)
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
