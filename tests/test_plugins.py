"""Third-party rules register through the `corpuslint.rules` entry-point group and run like built-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import write_corpus
from corpuslint import registry

PLUGIN = '''
from corpuslint.model import Severity
from corpuslint.rule import DocumentRule


class ShoutingHeadline(DocumentRule):
    """A headline written in capitals.

    ## What it does
    Flags headlines with no lower-case letter.

    ## Why is this bad?
    Capitals read as shouting.

    ## Example
    `RATES HELD` -> ACME001
    """

    code = "ACME001"
    name = "shouting-headline"
    severity = Severity.ERROR

    def check(self, doc, ctx):
        if doc.headline and doc.headline.text.isupper():
            yield self.finding(doc.locate_block(doc.headline), "Headline in capitals", text=doc.headline.text)
'''


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """A tiny installed distribution (module + dist-info with an entry point) on a folder we put on sys.path."""
    site = tmp_path / "site"
    (site / "acme_rules.py").parent.mkdir(parents=True)
    (site / "acme_rules.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "acme_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[corpuslint.rules]\nacme = acme_rules:ShoutingHeadline\n")
    return site


def test_entry_point_rule_is_listed_and_runs(plugin_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(plugin_path))
    registry.plugin_rules.cache_clear()
    try:
        rules = {r.code: r for r in registry.plugin_rules()}
        assert rules["ACME001"].origin == "plugin acme"
        corpus = write_corpus(tmp_path / "corpus", {"a.txt": "RATES HELD\n\nThe bank held rates.\n"})
        from conftest import check

        result = check(corpus, select=["ACME"])
        assert [(f.code, f.location.line, f.text) for f in result.findings] == [("ACME001", 1, "RATES HELD")]
    finally:
        registry.plugin_rules.cache_clear()


def test_entry_point_rule_through_the_cli(plugin_path: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "RATES HELD\n\nThe bank held rates.\n"})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), os.environ.get("PYTHONPATH", "")])}
    listed = subprocess.run(
        [sys.executable, "-m", "corpuslint", "rules", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert {
        "code": "ACME001",
        "name": "shouting-headline",
        "severity": "error",
        "summary": "A headline written in capitals.",
        "origin": "plugin acme",
    } in json.loads(listed)
    done = subprocess.run(
        [sys.executable, "-m", "corpuslint", "check", ".", "--select", "ACME001"],
        cwd=corpus,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("a.txt:1:1: ACME001 [error] Headline in capitals")
