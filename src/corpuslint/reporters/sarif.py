"""SARIF 2.1.0 for code-scanning UIs (GitHub and others).

What GitHub needs and we give: `tool.driver.rules` with descriptions and help, results with `ruleId`,
`ruleIndex`, `level`, relative `/`-separated URIs under `%SRCROOT%`, 1-based regions (end column exclusive,
columns counted in Unicode code points as `columnKind` declares), `relatedLocations` for pairs with `[text](id)`
links in the message, and content-keyed `partialFingerprints` so alerts survive lines shifting.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from corpuslint import __version__
from corpuslint.engine import RunResult
from corpuslint.findings import tally
from corpuslint.model import Finding, Location

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(path: str) -> dict[str, str]:
    if "://" in path:  # an fsspec URL (s3://bucket/news/a.jsonl) is already a URI
        return {"uri": path}
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _physical(loc: Location, text: str = "") -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": loc.line,
        "startColumn": loc.column,
        "endLine": loc.end_line,
        "endColumn": max(loc.end_column, loc.column) if loc.end_line == loc.line else loc.end_column,
    }
    if loc.field is None and loc.record is None and loc.end > loc.start:  # field offsets are file offsets
        region["charOffset"] = loc.start
        region["charLength"] = loc.end - loc.start
    if text:
        region["snippet"] = {"text": text}
    return {"artifactLocation": _artifact(loc.path), "region": region}


def _logical(loc: Location) -> list[dict[str, Any]]:
    name = loc.document if loc.field is None else f"{loc.document}#{loc.field}"
    return [{"name": name, "kind": "object"}]


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    message = finding.message
    related = []
    for number, rel in enumerate(finding.related, start=1):
        message += f" ([{rel.message}]({number}))"
        related.append(
            {
                "id": number,
                "physicalLocation": _physical(rel.location),
                "logicalLocations": _logical(rel.location),
                "message": {"text": rel.message},
            }
        )
    properties: dict[str, Any] = {
        "evidence": finding.evidence,
        "document": finding.location.document,
        "severity": finding.severity.value,
    }
    loc = finding.location
    if loc.field is not None:
        properties.update({"field": loc.field, "fieldStart": loc.start, "fieldEnd": loc.end})
    if loc.record is not None:
        properties["record"] = loc.record
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": _LEVEL[finding.severity.value],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(loc, finding.text[:200]), "logicalLocations": _logical(loc)}],
        "partialFingerprints": {"corpuslint/v1": finding.fingerprint},
        "properties": properties,
    }
    if related:
        result["relatedLocations"] = related
    return result


def build(result: RunResult) -> dict[str, Any]:
    rules = {r.code: r for r in result.rule_set.rules}
    reported = {code for code, _, _ in tally(result.findings)}
    for rule in result.rule_set.known:  # findings from a rule outside the set (e.g. INPUT008) still need metadata
        if rule.code in reported:
            rules.setdefault(rule.code, rule)  # type: ignore[arg-type]
    ordered = sorted(rules.values(), key=lambda r: r.code)
    rule_index = {r.code: i for i, r in enumerate(ordered)}
    descriptors = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary()},
            "fullDescription": {"text": r.docs()},
            "help": {"text": r.docs(), "markdown": r.docs()},
            "defaultConfiguration": {"level": _LEVEL[r.severity.value]},
            "properties": {"tags": [r.code.rstrip("0123456789")], "origin": r.origin},
        }
        for r in ordered
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "corpuslint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/corpuslint/",
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index) for f in result.findings],
            }
        ],
    }


def render(result: RunResult) -> str:
    return json.dumps(build(result), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
