"""FIG rules through the engine and the CLI: unsupported, mismatched, derived and unattributed figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import regex

from conftest import SEEDS, check, write_corpus
from corpuslint.checks.figures import _DISTINCTIVE_WORDS, _may_hold_distinctive
from corpuslint.model import Finding, Severity

ARTICLE = """# Harbor Logistics profit jumps

Harbor Logistics said profit for the three months to December rose 76% to $1.13bn (£600m), from $642m a year earlier.

Air freight brought in $6.3bn in the quarter and sea freight $4.8bn, the company said.

## Key Takeaways

- {takeaway}

## Outlook

The firm said it would keep investing in its hubs.
"""


def article(takeaway: str) -> str:
    return ARTICLE.format(takeaway=takeaway)


CLAIM_RULES = ["FIG001", "FIG002", "FIG003"]


def fig(tmp_path: Path, files: dict, select: list[str] | None = None) -> list[Finding]:
    write_corpus(tmp_path, files)
    return check(tmp_path, select=select or ["FIG"]).findings


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [(f.code, f.text) for f in findings]
    return matching[0]


# --------------------------------------------------------------------------------------------- FIG001-003
def test_supported_summary_figures_are_quiet(tmp_path: Path) -> None:
    takeaway = "Profit rose 76% to over $1.1bn, from $642m, as air freight brought in $6.3bn."
    assert fig(tmp_path, {"a.md": article(takeaway)}, CLAIM_RULES) == []


def test_year_the_body_never_gives_is_figure_not_in_body(tmp_path: Path) -> None:
    findings = fig(tmp_path, {"a.md": article("The company plans to double capacity by 2027.")})
    finding = only(findings, "FIG001")
    assert finding.severity is Severity.WARNING
    assert finding.text == "2027"
    assert finding.evidence["kind"] == "year"
    assert finding.evidence["part"] == "summary"
    assert "2027" in finding.message and "not supported" in finding.message
    line = article("The company plans to double capacity by 2027.").splitlines()[finding.location.line - 1]
    assert line[finding.location.column - 1 : finding.location.end_column - 1] == "2027"


def test_rounded_up_figure_is_a_mismatch_naming_both(tmp_path: Path) -> None:
    findings = fig(tmp_path, {"a.md": article("Quarterly profit rose 76% to $2bn.")})
    finding = only(findings, "FIG002")
    assert finding.severity is Severity.ERROR
    assert finding.text == "$2bn"
    assert finding.evidence["body_figure"] == "$1.13bn"
    assert '"$2bn"' in finding.message and '"$1.13bn"' in finding.message
    assert finding.related[0].location.line == 3


def test_changed_figure_in_a_copied_sentence_is_a_mismatch(tmp_path: Path) -> None:
    takeaway = "Air freight brought in $63bn in the quarter and sea freight $4.8bn, the company said."
    finding = only(fig(tmp_path, {"a.md": article(takeaway)}), "FIG002")
    assert (finding.text, finding.evidence["body_figure"]) == ("$63bn", "$6.3bn")


def test_conversion_is_not_support(tmp_path: Path) -> None:
    finding = only(fig(tmp_path, {"a.md": article("Profit came to £1.13bn.")}), "FIG001")
    assert finding.evidence["other_currency"] == "$1.13bn"
    assert "different currency" in finding.message


def test_sum_of_two_body_figures_is_a_derived_figure(tmp_path: Path) -> None:
    findings = fig(tmp_path, {"a.md": article("Revenue from its two divisions reached $11.1bn.")})
    finding = only(findings, "FIG003")
    assert finding.severity is Severity.INFO
    assert finding.evidence["operation"] == "sum"
    assert finding.evidence["operands"] == ["$6.3bn", "$4.8bn"]
    assert not [f for f in findings if f.code in ("FIG001", "FIG002")]


def test_small_integers_are_never_warnings(tmp_path: Path) -> None:
    takeaway = "Three reasons explain the jump, and 5 new hubs opened."
    findings = fig(tmp_path, {"a.md": article(takeaway)})
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def test_headline_figure_checked_against_body(tmp_path: Path) -> None:
    text = "Profit hits $3.5bn\n\nThe firm made a profit of $1.2bn this year, it said.\n"
    finding = only(fig(tmp_path, {"a.txt": text}), "FIG002")
    assert finding.evidence["part"] == "headline"
    assert finding.location.line == 1


def test_json_summary_field_and_glued_extractive_summary(tmp_path: Path) -> None:
    body = "Sales rose 2% to $11.1bn from $10.9bn.\n\nFor the full year, profit was $3.36bn, it said."
    clean = "Sales rose 2% to $11.1bn from $10.9bn.For the full year, profit was $3.36bn, it said."
    changed = "Sales rose 2% to $11.1bn from $10.9bn.For the full year, profit was $3.96bn, it said."
    records = [
        {"id": "clean", "title": "Sales rise", "body": body, "summary": clean},
        {"id": "changed", "title": "Sales rise", "body": body, "summary": changed},
    ]
    findings = fig(tmp_path, {"feed.jsonl": records}, CLAIM_RULES)
    assert [(f.location.document, f.code, f.text) for f in findings] == [("changed", "FIG002", "$3.96bn")]
    assert findings[0].location.field == "summary"


# ------------------------------------------------------------------------------------------------- FIG004
def test_seed_unattributed_figures_at_their_spans(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "000_4995c744223b7cfd.txt", tmp_path / "seed.txt")
    findings = check(tmp_path, select=["FIG004"]).findings
    assert [f.text for f in findings] == ["over $7 billion", "up to $4 billion", "$2 billion"]
    source = (tmp_path / "seed.txt").read_text(encoding="utf-8")
    for finding in findings:
        assert source[finding.location.start : finding.location.end] == finding.text
        assert finding.severity is Severity.INFO
    assert not any("$200 million" in f.text for f in findings)


def test_attribution_in_paragraph_or_elsewhere_silences(tmp_path: Path) -> None:
    text = (
        "Chipmaker results\n\n"
        "The chipmaker earned $4.2bn in the year.\n\n"
        "Its margin reached 38%, according to its annual filing.\n\n"
        "Analysts at the bank said the $4.2bn profit beat forecasts.\n\n"
        "The new plant will cost $900m and employ 2,400 people.\n"
    )
    findings = fig(tmp_path, {"a.txt": text}, ["FIG004"])
    assert [f.text for f in findings] == ["$900m", "2,400"]
    assert findings[0].evidence["sentence"] == "The new plant will cost $900m and employ 2,400 people."
    assert "no attribution" in findings[0].message


def test_conversions_and_small_counts_are_not_reported(tmp_path: Path) -> None:
    text = "Title\n\nThe deal is worth $220m (£117m) and covers 40 stores.\n"
    assert [f.text for f in fig(tmp_path, {"a.txt": text}, ["FIG004"])] == ["$220m"]


def test_min_count_option(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.txt": "Title\n\nThe plant will employ 2,400 people.\n"})
    assert [f.text for f in check(tmp_path, select=["FIG004"]).findings] == ["2,400"]
    assert check(tmp_path, select=["FIG004"], rule_options={"FIG004": {"min-count": 5000}}).findings == []


# ------------------------------------------------------------------------------------------- CLI, bad input
def test_cli_reports_and_fails_on_mismatch(cli, tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.md": article("Quarterly profit rose 76% to $2bn.")})
    result = cli(["check", ".", "--select", "FIG"], cwd=tmp_path)
    assert result.exit_code == 1
    assert 'FIG002 [error] Summary figure "$2bn" contradicts the body, which gives "$1.13bn"' in result.output


def test_bad_input_never_crashes(tmp_path: Path) -> None:
    huge = "Title with $5bn\n\n" + ("Spend 😀 ünïcödé ٣٤٥ $5bn over 3-4% between and to - , . " * 20000) + "\n"
    records = [
        {"id": "empty-summary", "title": "", "body": "x", "summary": ""},
        {
            "id": "odd",
            "title": "$",
            "body": "£ € ¥ % per cent 0 00 0.0 $.5 1,2,3 9999999999999999999bn",
            "summary": "%",
        },
    ]
    result = check(write_corpus(tmp_path, {"huge.txt": huge, "odd.jsonl": records}), select=["FIG"])
    assert not [f for f in result.findings if f.code.startswith("INPUT")]


# FIG004's gate as one pattern: the split form (symbols, then digits with a scale or comma group) must agree.
_ONE_PATTERN_GATE = regex.compile(r"[$£€¥₹%]|\d(?:,\d\d\d|\s?(?:bn|mn|tn|m|k|pc)\b)")


@pytest.mark.parametrize(
    "text",
    [
        "Profits rose 5% to £3m.",
        "It cost 2,500 dollars",
        "a 7m audience",
        "7 mln viewers",
        "5 BN",
        "In 2004 the EUR rate fell",
        "the amateur scene",
        "¥300bn",
        "no figure here",
        "١٢٣ bn",
        "",
    ],
)
def test_distinctive_gate_matches_its_one_pattern_form(text: str) -> None:
    lowered = text.lower()
    expected = _ONE_PATTERN_GATE.search(text) is not None or any(word in lowered for word in _DISTINCTIVE_WORDS)
    assert _may_hold_distinctive(text, lowered) is expected
