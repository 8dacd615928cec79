"""YAML rule packs: loading and its errors, the four kinds, the built-in packs' own examples, user packs via
config and `--rules`, the regex time limit, the generated schema and packaging."""

from __future__ import annotations

import importlib.util
import json
import re
import time
import tomllib
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO, SEEDS, check, codes, write_corpus
from corpuslint.checks import packs
from corpuslint.config import ConfigError, Settings
from corpuslint.loaders.textfile import parse_text_document
from corpuslint.registry import all_rules
from corpuslint.rule import DocContext
from corpuslint.text import words

BUILTIN = [rule for rule in packs.pack_rules(Settings()) if issubclass(rule, packs.PackRule)]
PACK = "prefix: HOUSE\ndescription: House style of one publisher.\n"
SIGN_OFF = """\
extends: existence
number: 1
message: 'Publisher sign-off "{match}".'
scope: paragraph
tokens: [Reporting by the Daily Example desk]
description: |
  The publisher's sign-off line.

  ## Why is this bad?
  It is not part of the story.
examples:
  bad: ["Rates held\\n\\nRates were held.\\n\\nReporting by the Daily Example desk\\n"]
  good: ["Rates held\\n\\nRates were held.\\n"]
"""
ARTICLE = "Rates held\n\nThe bank held rates.\n\nReporting by the Daily Example desk\n"


def write_pack(folder: Path, rules: dict[str, str], pack: str = PACK) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yml").write_text(pack, encoding="utf-8")
    for name, text in rules.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_rule(rule: type[packs.PackRule], text: str) -> list:
    doc = parse_text_document(text, "doc.txt")
    return list(rule().check(doc, DocContext(doc)))


# --- the built-in packs ------------------------------------------------------------------------------------------


def test_builtin_packs_have_enough_well_formed_rules() -> None:
    per_pack = Counter(rule.pack for rule in BUILTIN)
    assert set(per_pack) == {"boilerplate", "markup", "encoding", "structure", "quality"}
    assert len(BUILTIN) >= 25
    for rule in BUILTIN:
        assert re.fullmatch(r"[A-Z]+[0-9]{3}", rule.code)
        assert rule.name == packs.rule_name(rule.source.stem)
        assert rule.origin == f"pack {rule.pack}"
        assert rule.summary() and "## Why is this bad?" in rule.docs() and "## Example" in rule.docs()


@pytest.mark.parametrize(
    ("rule", "should_fire", "document"),
    [
        pytest.param(rule, should_fire, doc, id=f"{rule.code}-{doc.path}")
        for rule in BUILTIN
        for should_fire, doc in packs.example_documents(rule)
    ],
)
def test_builtin_rule_examples(rule: type[packs.PackRule], should_fire: bool, document) -> None:
    findings = list(rule().check(document, DocContext(document)))
    assert bool(findings) == should_fire, [f.message for f in findings]
    for finding in findings:
        assert finding.code == rule.code and not re.search(r"\{(?:match|value|min|max|metric)\}", finding.message)


def test_quality_thresholds_cite_their_source() -> None:
    for rule in BUILTIN:
        if rule.pack == "quality":
            assert "datatrove src/datatrove/pipeline/filters/" in rule.spec.description, rule.code


def test_seed_shows_the_packs_at_work(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"a.md": (SEEDS / "packs-scraped-leftovers.md").read_text(encoding="utf-8")})
    found = {f.code: f for f in check(tmp_path, select=["BOIL", "MARK", "ENC", "STRUCT", "QUAL"]).findings}
    assert {"BOIL001", "BOIL007", "ENC001", "MARK002", "STRUCT007"} <= set(found)
    mojibake = found["ENC001"]
    assert mojibake.text == "â€™" and (mojibake.location.line, mojibake.location.column) == (7, 165)


def test_seed_with_empty_faq_heading() -> None:
    rules = {rule.code: rule for rule in BUILTIN}
    text = (SEEDS / "000_4995c744223b7cfd.txt").read_text(encoding="utf-8")
    assert [f.text for f in run_rule(rules["BOIL006"], text)] == ["常见问题"]
    assert [f.text for f in run_rule(rules["STRUCT008"], text)] == ["常见问题"]


# --- the kinds -----------------------------------------------------------------------------------------------------


def test_existence_word_boundaries_and_no_space_scripts(tmp_path: Path) -> None:
    rule_text = SIGN_OFF.replace("tokens: [Reporting by the Daily Example desk]", "tokens: [cookie, 相关阅读]")
    (rule,) = packs.load_pack(write_pack(tmp_path / "house", {"Words.yml": rule_text}), "test")
    assert [f.text for f in run_rule(rule, "T\n\nA cookie jar. Cookies are sweet.\n")] == ["cookie"]
    assert [f.text for f in run_rule(rule, "T\n\n新闻内容相关阅读更多\n")] == ["相关阅读"]
    assert [f.text for f in run_rule(rule, "T\n\nThe cookie's crumbs.\n")] == ["cookie"]  # gate splits "cookie's"


def test_script_rule_reports_code_points() -> None:
    rule = next(r for r in BUILTIN if r.name == "zero-width-character")
    (finding,) = run_rule(rule, "Turnout\n\nThe elec\u200b\u200btion drew crowds.\n")
    assert finding.evidence["codepoints"] == "U+200B" and finding.evidence["count"] == 2
    assert "\\u200b" in finding.message and finding.location.column == 9


def test_metric_rule_reports_value_and_bound() -> None:
    rule = next(r for r in BUILTIN if r.name == "long-headline")
    (finding,) = run_rule(rule, " ".join(["word"] * 30) + "\n\nBody text here.\n")
    assert finding.message.startswith("The headline has 30 words (more than 25)")
    assert finding.evidence == {"metric": "words", "value": 30, "min": None, "max": 25.0}


def _reference_duplicate_ngram_share(tokens: list[str], n: int, total: int) -> float:
    """datatrove's find_all_duplicate, on strings."""
    grams = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    seen: set[str] = set()
    repeated = index = 0
    while index < len(grams):
        if grams[index] in seen:
            repeated += len(grams[index])
            index += n
        else:
            seen.add(grams[index])
            index += 1
    return repeated / total


@pytest.mark.parametrize("seed", range(6))
def test_ngram_metrics_match_the_gopher_definitions(seed: int) -> None:
    import random

    rng = random.Random(seed)
    vocabulary = ["the", "bank", "held", "rates", "on", "thursday", "said", "a", "spokesman", "markets", "4.5", "g7"]
    paragraphs = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 40))) + "." for _ in range(6)]
    paragraphs += paragraphs[: seed % 3]  # some documents repeat whole paragraphs
    doc = parse_text_document("Headline\n\n" + "\n\n".join(paragraphs) + "\n", "doc.txt")
    tokens = [w for block in doc.body for w in words(block.text)]
    unit = packs.Unit(doc.body, tokens)
    total = unit.characters()
    for n in (2, 3, 4):
        grams = Counter(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        best = max(grams.values())
        expected = best * max(len(g) for g, c in grams.items() if c == best) / total
        assert unit.measure("top-ngram-char-share", n) == pytest.approx(expected)
        assert packs._top_ngram_bucket_bound(unit, n) >= packs._top_ngram_bound(unit, n) >= expected
    for n in (5, 10):
        expected = _reference_duplicate_ngram_share(tokens, n, total)
        assert unit.measure("duplicate-ngram-char-share", n) == pytest.approx(expected)
        assert packs._duplicate_ngram_bound(unit, n) >= expected
    for lower in packs._LOWER_BOUNDS["alpha-word-share"]:
        assert lower(unit, None) <= unit.measure("alpha-word-share", None)


# --- errors in rule files ------------------------------------------------------------------------------------------


TOKENS = "tokens: [Reporting by the Daily Example desk]"
BROKEN_RULE_FILES = {
    "unknown-key": (("scope: paragraph", "scope: paragraph\nlevel: error"), r"Typo\.yml:5: unknown key `level`"),
    "bad-value": (("scope: paragraph", "scope: everywhere"), r"Typo\.yml:4: `scope`: Input should be"),
    "unknown-kind": (("extends: existence", "extends: substitution"), r"Typo\.yml:1: `extends` must be"),
    "bad-regex": ((TOKENS, "patterns: ['(unclosed']"), r"Typo\.yml: invalid regular expression"),
    "duplicate-key": (
        ("scope: paragraph", "scope: paragraph\nscope: body"),
        r"Typo\.yml:5: key 'scope' is given twice",
    ),
    "bad-placeholder": (("{match}", "{matched}"), r"Typo\.yml:3: `message`: .*placeholder"),
    "bad-yaml": (("  good:", "  good: [broken"), r"Typo\.yml:\d+: invalid YAML"),
    "bad-list-item": ((TOKENS, "tokens: [ok, {a: 1}]"), r"Typo\.yml:5: `tokens\.1`: Input should be a valid string"),
}


@pytest.mark.parametrize(("edit", "expected"), BROKEN_RULE_FILES.values(), ids=BROKEN_RULE_FILES.keys())
def test_rule_file_errors_name_file_line_and_key(tmp_path: Path, edit, expected: str) -> None:
    folder = write_pack(tmp_path / "house", {"Typo.yml": SIGN_OFF.replace(*edit)})
    with pytest.raises(ConfigError, match=expected):
        packs.load_pack(folder, "test")


def test_pack_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no pack found"):
        packs.pack_rules(Settings(rule_paths=[str(tmp_path)]))
    folder = write_pack(tmp_path / "house", {"A.yml": SIGN_OFF, "B.yml": SIGN_OFF})
    with pytest.raises(ConfigError, match=r"B\.yml: number 1 is already used by .*A\.yml"):
        packs.load_pack(folder, "test")
    write_pack(tmp_path / "lower", {}, pack="prefix: house\ndescription: x\n")
    with pytest.raises(ConfigError, match=r"pack\.yml:1: `prefix`"):
        packs.load_pack(tmp_path / "lower", "test")


def test_codes_are_stable_when_a_rule_file_is_added(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "house", {"SignOff.yml": SIGN_OFF})
    before = {r.name: r.code for r in packs.load_pack(folder, "test")}
    (folder / "AaaFirst.yml").write_text(SIGN_OFF.replace("number: 1", "number: 2"), encoding="utf-8")
    after = {r.name: r.code for r in packs.load_pack(folder, "test")}
    assert before == {"sign-off": "HOUSE001"}
    assert after == {"sign-off": "HOUSE001", "aaa-first": "HOUSE002"}


# --- user packs: config, --rules, listing and docs ------------------------------------------------------------------


def test_user_pack_via_config_rule_paths(tmp_path: Path, cli) -> None:
    write_pack(tmp_path / "style" / "house", {"SignOff.yml": SIGN_OFF})
    write_corpus(tmp_path, {"corpus/a.txt": ARTICLE, "corpuslint.toml": 'rule-paths = ["style"]\n'})
    result = cli(["check", "corpus", "--select", "HOUSE"], cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert 'a.txt:5:1: HOUSE001 [warning] Publisher sign-off "Reporting by the Daily Example desk".' in result.output
    listing = cli(["rules"], cwd=tmp_path).output
    assert re.search(r"HOUSE001\s+sign-off\s+warning\s+The publisher's sign-off line\.\s+\[pack house \(", listing)
    assert "BOIL001" in listing  # built-in packs still load


def test_user_pack_via_rules_option(tmp_path: Path, cli) -> None:
    write_pack(tmp_path / "house", {"SignOff.yml": SIGN_OFF})
    write_corpus(tmp_path, {"corpus/a.txt": ARTICLE})
    without = cli(["check", "corpus", "--select", "BOIL"], cwd=tmp_path)
    assert "HOUSE001" not in without.output
    result = cli(["check", "corpus", "--rules", "house", "--select", "HOUSE001"], cwd=tmp_path)
    assert result.exit_code == 1 and "HOUSE001" in result.output
    docs = cli(["rule", "HOUSE001", "--rules", "house"], cwd=tmp_path)
    assert docs.exit_code == 0
    assert "# sign-off (HOUSE001)" in docs.output and "Origin: pack house (" in docs.output
    assert "## Why is this bad?" in docs.output and "Reporting by the Daily Example desk" in docs.output


def test_broken_user_pack_is_a_usage_error(tmp_path: Path, cli) -> None:
    write_pack(tmp_path / "house", {"SignOff.yml": SIGN_OFF.replace("scope: paragraph", "scop: paragraph")})
    write_corpus(tmp_path, {"corpus/a.txt": ARTICLE})
    result = cli(["check", "corpus", "--rules", "house"], cwd=tmp_path)
    assert result.exit_code == 2 and "SignOff.yml:4: unknown key `scop`" in result.output


# --- the regex time limit --------------------------------------------------------------------------------------------


def test_catastrophic_regex_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    slow = SIGN_OFF.replace("tokens: [Reporting by the Daily Example desk]", "patterns: ['(a+)+$']")
    write_pack(
        tmp_path / "rules" / "house", {"Slow.yml": slow, "SignOff.yml": SIGN_OFF.replace("number: 1", "number: 2")}
    )
    long_line = "a" * 5000 + "!"
    write_corpus(
        tmp_path / "corpus",
        {
            "a.txt": f"Headline\n\n{long_line}\n\nReporting by the Daily Example desk\n",
            "b.txt": f"Headline two\n\n{long_line}\n\nMore text.\n",
        },
    )
    started = time.monotonic()
    result = check(
        tmp_path / "corpus", select=["HOUSE", "INPUT008", "STRUCT"], rule_paths=[str(tmp_path / "rules")], jobs=1
    )
    assert time.monotonic() - started < 10
    failures = [f for f in result.findings if f.code == "INPUT008"]
    assert len(failures) == 1  # switched off after the first timeout
    assert "HOUSE001" in failures[0].message and "ran for more than" in failures[0].message
    assert "HOUSE002" in codes(result)  # the other rules still report


# --- schema and packaging ---------------------------------------------------------------------------------------------


def _schema_script():
    spec = importlib.util.spec_from_file_location("build_rule_schema", REPO / "bench" / "build_rule_schema.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_schemas_are_up_to_date() -> None:
    script = _schema_script()
    for path, build in script.SCHEMAS.items():
        assert path.read_text(encoding="utf-8") == script.render(build()), "run python bench/build_rule_schema.py"


def test_builtin_rule_files_validate_against_the_schema(tmp_path: Path) -> None:
    rule_schema = json.loads((REPO / "rules" / "schema.json").read_text(encoding="utf-8"))
    pack_schema = json.loads((REPO / "rules" / "pack.schema.json").read_text(encoding="utf-8"))
    validators = {
        name: jsonschema.Draft202012Validator(s) for name, s in (("pack", pack_schema), ("rule", rule_schema))
    }
    for path in sorted((REPO / "rules").glob("*/*.yml")):
        validators["pack" if path.name == "pack.yml" else "rule"].validate(yaml.safe_load(path.read_text("utf-8")))
    typo = yaml.safe_load(SIGN_OFF.replace("scope: paragraph", "level: error"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(typo, rule_schema)


def test_wheel_package_list_covers_every_subpackage() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    source = REPO / "src"
    found = {".".join(p.parent.relative_to(source).parts) for p in source.glob("corpuslint/**/__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
    assert "corpuslint.rules" in listed and packs.builtin_packs_dir().is_dir()


def test_all_rules_includes_the_packs() -> None:
    known = {rule.code for rule in all_rules(Settings())}
    assert {rule.code for rule in BUILTIN} <= known


def test_message_text_is_visible() -> None:
    assert packs._visible("a\u0007b") == "a\\u0007b"
    assert packs._visible("x" * 100).endswith("…")
    assert packs._summary("One\nline.\n\nMore.") == "One line."
