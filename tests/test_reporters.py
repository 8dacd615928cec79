"""Reporters: SARIF validates against the official 2.1.0 schema and carries what GitHub needs; JSON follows its
model; pairs carry related locations; fingerprints are content-keyed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import SEEDS, SHARED, check, write_corpus
from corpuslint.config import Settings
from corpuslint.engine import run
from corpuslint.reporters import jsonout, sarif

SCHEMA = json.loads((SHARED / "schemas" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
REPEAT = "Rates held steady\n\nThe bank held rates.\n\nRates held steady\n"


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return write_corpus(
        tmp_path,
        {
            "news/a.txt": REPEAT,
            "news/ünïcode name.md": "# Café 😀 opens on Main St\n\nA café opened.\n\nCafé 😀 opens on Main St\n",
            "feed.jsonl": '{"id": "r1", "title": "Rates held steady", "body": "Rates held steady"}\n{bad\n',
            "corpuslint.toml": 'select = ["INPUT", "DUP001"]\n',
        },
    )


def validate(document: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(document)


def test_sarif_validates_and_has_what_github_needs(mixed: Path) -> None:
    document = sarif.build(check(mixed, select=["INPUT", "DUP001"]))
    validate(document)
    run_ = document["runs"][0]
    assert document["version"] == "2.1.0" and run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri
        assert result["partialFingerprints"]["corpuslint/v1"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]}
    assert uris == {"feed.jsonl", "news/a.txt", "news/%C3%BCn%C3%AFcode%20name.md"}


def test_sarif_pair_has_related_location_and_link(mixed: Path) -> None:
    results = sarif.build(check(mixed, select=["DUP001"]))["runs"][0]["results"]
    first = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "news/a.txt")
    assert first["message"]["text"].endswith("([the headline](1))")
    related = first["relatedLocations"][0]
    assert related["id"] == 1 and related["physicalLocation"]["region"]["startLine"] == 1
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (5, 1, 18)
    assert (region["charOffset"], region["charLength"]) == (REPEAT.rindex("Rates"), 17)
    record = next(r for r in results if r["properties"].get("record") == 1)
    assert record["properties"]["field"] == "body"
    assert "charOffset" not in record["locations"][0]["physicalLocation"]["region"]


def test_seeds_sarif_validates() -> None:
    validate(sarif.build(run([SEEDS], Settings(), cwd=SEEDS.parent)))


def test_fingerprints_survive_lines_shifting(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.txt": REPEAT})
    before = check(tmp_path, select=["DUP001"]).findings[0].fingerprint
    write_corpus(tmp_path, {"a.txt": REPEAT.replace("The bank held rates.", "Line one.\n\nLine two.\n\nMore.")})
    after = check(tmp_path, select=["DUP001"]).findings[0]
    assert after.location.line != 5 and after.fingerprint == before


def test_json_report_round_trips_through_its_model(mixed: Path) -> None:
    text = jsonout.render(check(mixed, select=["INPUT", "DUP001"]))
    report = jsonout.Report.model_validate_json(text)
    assert report.schema_version == jsonout.SCHEMA_VERSION
    assert report.summary.findings == len(report.findings) == 4
    assert report.summary.errors == 1 and report.summary.documents == 3 and report.summary.files == 3
    finding = report.findings[0]
    assert finding.location.path == "feed.jsonl" and finding.code == "DUP001"
    assert finding.location.record == 1 and finding.location.field == "body"


def test_json_report_holds_one_finding_per_line_as_in_json_lines(mixed: Path) -> None:
    results = [check(mixed, select=["INPUT", "DUP001"]), check(mixed, select=["DUP002"])]
    assert results[0].findings and not results[1].findings
    for result in results:
        text = jsonout.render(result)
        assert json.loads(text) == jsonout.build(result).model_dump(mode="json")
        finding_lines = [line.strip().rstrip(",") for line in text.splitlines() if line.startswith("    {")]
        assert finding_lines == jsonout.render_lines(result).splitlines()
        assert len(finding_lines) == len(result.findings)
