"""Human output in the style of ruff: `path:line:col: CODE [severity] message`, the source line with a caret
under the span, related locations, then a summary line."""

from __future__ import annotations

import unicodedata
from collections import Counter

from corpuslint.engine import RunResult
from corpuslint.findings import severity_counts, tally
from corpuslint.model import Finding, Location, Severity


def _where(loc: Location) -> str:
    record = f" (record {loc.record}, field {loc.field})" if loc.record is not None and loc.field else ""
    return f"{loc.path}:{loc.line}:{loc.column}{record}"


def _excerpt(loc: Location) -> list[str]:
    if not loc.snippet:
        return []
    gutter = " " * len(str(loc.line))
    shown = loc.snippet.replace("\t", " ")
    first = loc.column - loc.snippet_column
    last = (loc.end_column if loc.end_line == loc.line else len(shown) + loc.snippet_column) - loc.snippet_column
    first = max(0, min(first, len(shown)))
    last = max(first + 1, min(last, len(shown)))
    prefix = "…" if loc.snippet_column > 1 else ""
    indent = len(prefix) + _display_width(shown[:first])
    carets = max(1, _display_width(shown[first:last]))
    return [
        f"{gutter} |",
        f"{loc.line} | {prefix}{shown}",
        f"{gutter} | {' ' * indent}{'^' * carets}",
    ]


def _display_width(text: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_finding(finding: Finding) -> str:
    loc = finding.location
    lines = [f"{_where(loc)}: {finding.code} [{finding.severity.value}] {finding.message}"]
    lines.extend(_excerpt(loc))
    for related in finding.related:
        lines.append(f"  = {related.message}: {_where(related.location)}")
    return "\n".join(lines)


def summary_line(result: RunResult) -> str:
    counts = severity_counts(result.findings)
    total = counts.total()

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (
        f"{plural(total, 'finding')} ({plural(counts[Severity.ERROR], 'error')}, "
        f"{plural(counts[Severity.WARNING], 'warning')}, {counts[Severity.INFO]} info) "
        f"in {plural(result.documents, 'document')} from {plural(result.files, 'file')}"
    )


def statistics(result: RunResult) -> str:
    counts: Counter[tuple[str, str]] = Counter()
    for (code, name, _), count in tally(result.findings).items():
        counts[code, name] += count
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "\n".join(f"{count:>6}  {code:<9} {name}" for (code, name), count in rows)


def render(result: RunResult) -> str:
    parts = [format_finding(f) + "\n" for f in result.findings]
    parts.append(summary_line(result))
    return "\n".join(parts) + "\n"
