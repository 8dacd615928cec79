"""Configuration: discovery, precedence (CLI > file; corpuslint.toml > pyproject), errors, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import check, codes, write_corpus
from corpuslint.config import ConfigError, load_settings
from corpuslint.model import Severity
from corpuslint.registry import RuleSet

REPEAT = "Rates held steady\n\nThe bank held rates.\n\nRates held steady\n"


def test_nearest_config_wins_and_corpuslint_toml_beats_pyproject(tmp_path: Path) -> None:
    write_corpus(
        tmp_path,
        {
            "pyproject.toml": '[tool.corpuslint]\nignore = ["DUP"]\n',
            "corpus/pyproject.toml": '[tool.corpuslint]\nfail-on = "error"\n',
            "corpus/corpuslint.toml": 'fail-on = "info"\n',
            "corpus/news/a.txt": REPEAT,
        },
    )
    settings = load_settings(None, tmp_path / "corpus" / "news" / "a.txt")
    assert settings.fail_on == "info" and settings.ignore == []
    assert settings.source == str(tmp_path / "corpus" / "corpuslint.toml")
    assert load_settings(None, tmp_path).ignore == ["DUP"]


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write_corpus(
        tmp_path,
        {"pyproject.toml": '[tool.corpuslint]\nfail-on = "never"\n', "sub/pyproject.toml": "[project]\nname = 'x'\n"},
    )
    assert load_settings(None, tmp_path / "sub").fail_on == "never"


def test_cli_overrides_file_and_explicit_config(tmp_path: Path) -> None:
    write_corpus(
        tmp_path, {"corpuslint.toml": 'select = ["INPUT"]\nfail-on = "error"\n', "other.toml": 'fail-on = "never"\n'}
    )
    settings = load_settings(None, tmp_path, {"fail_on": "info", "select": None})
    assert (settings.fail_on, settings.select) == ("info", ["INPUT"])
    assert load_settings(tmp_path / "other.toml", tmp_path).fail_on == "never"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('selct = ["DUP"]\n', "`selct`: Extra inputs are not permitted"),
        ('fail-on = "sometimes"\n', "`fail-on`"),
        ('[severity]\nDUP001 = "fatal"\n', "`severity.DUP001`"),
        ('[fields]\nheadlines = ["t"]\n', "`fields.headlines`"),
        ("select = [\n", "cannot read configuration"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path: Path, content: str, needle: str) -> None:
    write_corpus(tmp_path, {"corpuslint.toml": content})
    with pytest.raises(ConfigError) as info:
        RuleSet(load_settings(None, tmp_path))
    assert str(tmp_path / "corpuslint.toml") in str(info.value)
    assert needle in str(info.value)


@pytest.mark.parametrize("key", ["select", "ignore", "extend-select"])
def test_unknown_selector_is_an_error(tmp_path: Path, key: str) -> None:
    write_corpus(tmp_path, {"corpuslint.toml": f'{key} = ["NOPE999"]\n'})
    with pytest.raises(ConfigError, match="unknown rule selector 'NOPE999'"):
        RuleSet(load_settings(None, tmp_path))


def test_bad_rule_option_is_an_error(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"corpuslint.toml": "[rule-options.DUP001]\nmin-similarity = 7\n"})
    with pytest.raises(ConfigError, match="rule-options for DUP001"):
        RuleSet(load_settings(None, tmp_path))


def test_select_by_family_code_and_name_and_ignore() -> None:
    from corpuslint.config import Settings

    def enabled(**kw) -> set[str]:
        return {r.code for r in RuleSet(Settings(**kw)).rules}

    assert enabled(select=["DUP001"]) == {"DUP001"}
    assert enabled(select=["headline-repeated-in-body"]) == {"DUP001"}
    assert "INPUT001" in enabled(select=["INPUT"]) and "DUP001" not in enabled(select=["INPUT"])
    assert "DUP001" not in enabled(ignore=["DUP"])
    assert enabled(select=["INPUT001"], extend_select=["DUP001"]) == {"INPUT001", "DUP001"}


def test_severity_override_most_specific_wins_and_per_path_ignores(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"news/a.txt": REPEAT, "wire/b.txt": REPEAT})
    result = check(
        tmp_path,
        select=["DUP001"],
        severity={"DUP": "info", "DUP001": "error"},
        per_path_ignores={"wire/*": ["DUP001"]},
    )
    assert [(f.location.path, f.severity) for f in result.findings] == [("news/a.txt", Severity.ERROR)]


def test_rule_options_change_behaviour(tmp_path: Path) -> None:
    near = "Rates held steady by bank\n\nThe bank held rates.\n\nRates held steady by the bank today\n"
    write_corpus(tmp_path, {"a.txt": near})
    assert codes(check(tmp_path, select=["DUP001"])) == []
    loose = check(tmp_path, select=["DUP001"], rule_options={"DUP001": {"min-similarity": 0.6}})
    assert codes(loose) == ["DUP001"]
