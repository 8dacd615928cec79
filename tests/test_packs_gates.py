"""The packs' shortcuts (gates, bounds, byte-level scans) never change a finding: each is checked here against
the plain computation it stands in for, on hand-made hostile text (line breaks of every kind, case variants the
regex engine folds, apostrophes, non-ASCII digits, U+0130)."""

from __future__ import annotations

import random
from itertools import chain
from pathlib import Path

import numpy as np
import pytest

from conftest import check, codes, write_corpus
from corpuslint.checks import packs
from corpuslint.config import Settings
from corpuslint.loaders.textfile import parse_text_document
from corpuslint.rule import DocContext
from corpuslint.text import words

BUILTIN = {rule.code: rule for rule in packs.pack_rules(Settings()) if issubclass(rule, packs.PackRule)}
LINE_RULES = [rule for rule in BUILTIN.values() if issubclass(rule, packs.ExistenceRule) and rule.line_gated]


def document(text: str):
    doc = parse_text_document(text, "doc.txt")
    return doc, DocContext(doc)


def word_gate_then_match(rule: packs.ExistenceRule, doc, ctx) -> list:
    """What an existence rule reports without the shared line-start search: its word gate, then its matching."""
    if not rule.gate.passes(*packs._gate_text(ctx, doc)):
        return []
    return list(rule.findings(doc, ctx))


LINE_START_TEXTS = [
    "Rates held\n\nThe bank held rates.\n\nRead more",
    "Rates held\n\nThe bank held rates.\rRead more about rates\r\nand more",
    "Rates held\n\nThe bank held rates.\r\n\t  READ MORE\n",
    "Rates held\n\nRead more: the bank held rates, more to read.",
    "Rates held\n\nThe bank held rates. Read more here.",  # not at a line start: no finding
    "Rates held\n\nThe bank held rates and show more.\n\nſhow more",  # regex case folding: ſ matches s
    "Rates held\n\nHome\n\nThe bank held rates at home.",
    "Home\n\nBody text.\n\nMenu\r\nComments",
    "Rates held\n\n[+] Expand\n\nMore text about [+] things.",
    "Rates held\n\n続きを読む\n\nその他",
    "Rates held\n\nThe bank held rates.\n\nAdvertisement ---\n\nSponsored",
]


@pytest.mark.parametrize("text", LINE_START_TEXTS)
def test_line_start_search_never_skips_a_finding(text: str) -> None:
    doc, ctx = document(text)
    for rule in LINE_RULES:
        assert list(rule().check(doc, ctx)) == word_gate_then_match(rule(), doc, ctx), rule.code


def test_line_start_search_rules_out_text_without_line_starting_tokens() -> None:
    doc, ctx = document("Rates held\n\nThe bank held rates; read more in the report.\n\nAnalysts saw more cuts.")
    assert not packs._LINE_START_GATE.passes(ctx, doc)
    doc, ctx = document("Rates held\n\nThe bank held rates.\r  read more")
    assert packs._LINE_START_GATE.passes(ctx, doc)


def test_line_start_search_takes_leading_spaces_of_tokens_and_long_runs() -> None:
    gate = packs.LineStartGate()
    gate.add(["\t Read more", "Foo"], ignorecase=True)
    gate.add(["Bar"], ignorecase=False)
    assert gate.search("Headline\n   read MORE")  # the token's own leading tab and space are part of the run
    assert gate.search("\t\tBar") and not gate.search("\t\tbar") and not gate.search("a Foo")
    assert gate.search("Headline\n" + "\t" * 200_000 + "foo") and not gate.search("x\n" + " " * 200_000 + "y")
    gate.add([" \t "], ignorecase=True)  # all spaces: every line start may match
    assert gate.search("anything")


APOSTROPHE_TEXTS = [
    "The bank's view: it's more's the pity, o'neill's 'quoted' words",
    "Curly: the bank’s view, rock’n’roll, ’tis and ‘quoted’ words’",
    "Doubled: don''t, trailing' and 'leading, a'b'c'd, x’y'z",
    "No apostrophes here at all",
    "Underscore_words and snake_case's pieces; 4'5 and l'été",
]


@pytest.mark.parametrize("text", APOSTROPHE_TEXTS)
def test_apostrophe_pieces_are_those_of_the_words(text: str) -> None:
    lowered = text.lower()
    expected = {
        piece for word in words(text) if "'" in word or "’" in word for piece in word.replace("’", "'").split("'")
    }
    assert set(packs._apostrophe_pieces(lowered)) == expected


@pytest.mark.parametrize("text", APOSTROPHE_TEXTS + LINE_START_TEXTS)
def test_word_gate_sees_the_phrase_words_of_the_full_word_set(text: str) -> None:
    doc, ctx = document("Headline\n\n" + text)
    word_set = set(chain.from_iterable(map(ctx.words, doc.blocks)))
    word_set |= {piece for word in list(word_set) if not word.isalnum() for piece in word.replace("’", "'").split("'")}
    present, lowered = packs._gate_text(ctx, doc)
    assert present == packs._GATE_WORDS & word_set
    assert lowered == "\n\n".join(block.text for block in doc.blocks).lower()


SCRIPT_RULES = [rule for rule in BUILTIN.values() if issubclass(rule, packs.ScriptRule)]


@pytest.mark.parametrize("rule", SCRIPT_RULES, ids=lambda rule: rule.code)
def test_script_rule_byte_scan_agrees_with_the_regex(rule: type[packs.ScriptRule]) -> None:
    texts = [f"Headline\n\nBody {chr(code)} text." for code in range(256)]
    texts += ["Headline\n\nCyrillic текст and a zero\u200bwidth space.", "Headline\n\nPrivate \ue000 use \U0010fffd."]
    for text in texts:
        doc, ctx = document(text)
        assert rule().may_match(ctx, doc) == bool(rule.pattern.search(packs._joined_text(ctx, doc))), repr(text)


def hostile_body(rng: random.Random) -> str:
    vocabulary = [
        "the",
        "of",
        "bank",
        "rates",
        "it's",
        "o'neill",
        "4.5",
        "g7",
        "x_y",
        "İstanbul",
        "٣٤",
        "½",
        "…",
        "...",
    ]
    vocabulary += ["#tag", "café", "ΣΑΣ", "a" * 40, "-", "—", "\t", "Ⅻ", "de’", "'quote'", "RATES", "UK"]
    paragraphs = []
    for _ in range(rng.randint(1, 8)):
        paragraph = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 90)))
        paragraphs.append(paragraph.replace(" ", "\n", rng.randint(0, 3)))
    paragraphs += paragraphs[: rng.randint(0, 2)]
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize("seed", range(40))
def test_metric_bounds_hold(seed: int) -> None:
    rng = random.Random(seed)
    doc, ctx = document("HEADLINE IN CAPS İ\n\n" + hostile_body(rng) + "\n")
    tokens = [w for block in doc.body for w in ctx.words(block)]
    unit = packs.Unit(doc.body, tokens)
    for metric, bounds in packs._UPPER_BOUNDS.items():
        for n in (2, 3, 4, 5, 10) if "ngram" in metric else (None,):
            value = unit.measure(metric, n)
            for upper in bounds:
                bound = upper(unit, n)
                assert value is None or bound is None or bound >= value - 1e-12, (metric, n)
    for metric, bounds in packs._LOWER_BOUNDS.items():
        value = unit.measure(metric, None)
        for lower in bounds:
            bound = lower(unit, None)
            assert value is None or bound is None or bound <= value + 1e-12, metric
    for block in doc.blocks:
        assert packs._most_words(block.text) >= len(ctx.words(block))
    headline = packs.Unit([doc.headline], ctx.words(doc.headline))
    text = doc.headline.text
    assert headline.measure("uppercase-share", None) == sum(map(str.isupper, text)) / sum(map(str.isalpha, text))


@pytest.mark.parametrize("text", ["İ" * 9, "İİ x İ", "a b c", "", "rock'n'roll and don''t", "x" * 801])
def test_most_words_bounds_the_word_count(text: str) -> None:
    assert packs._most_words(text) >= len(words(text))


def test_only_u0130_grows_when_lower_cased() -> None:
    """`_most_words` counts on it: a word and its separator take two characters of the lower-cased text."""
    grows = [code for code in range(0x110000) if not 0xD800 <= code < 0xE000 and len(chr(code).lower()) != 1]
    assert grows == [0x130]


@pytest.mark.parametrize("length", [1, 4, 9, 30])
def test_ngram_keys_are_the_plain_polynomial(length: int) -> None:
    rng = random.Random(length)
    unit = packs.Unit([], [rng.choice(["a", "b", "the"]) for _ in range(length)])
    hashes = unit.word_hashes()
    for n in range(1, length + 1):
        count = length - n + 1
        expected = hashes[:count].copy()
        for offset in range(1, n):
            expected = expected * np.uint64(packs._KEY_BASE) + hashes[offset : offset + count]
        assert np.array_equal(unit.ngram_keys(n), expected), n


def test_gated_rules_still_report_through_the_engine_and_cli(tmp_path: Path, cli) -> None:
    body = "The bank held rates on Thursday.\rRead more\r\n\nHome\n\nCafé £5m \x07 bell"
    write_corpus(tmp_path, {"a.txt": f"Rates held\n\n{body}\n"})
    found = codes(check(tmp_path, select=["BOIL", "ENC", "MARK"]))
    assert {"BOIL001", "BOIL012", "ENC003"} <= set(found)
    result = cli(["check", ".", "--select", "BOIL001,ENC003"], cwd=tmp_path)
    assert "BOIL001" in result.output and "ENC003" in result.output
