"""LANG family: stray foreign-language fragments (LANG001) and declared-language mismatches (LANG002)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SEEDS, check, write_corpus
from corpuslint.checks import languages
from corpuslint.model import Finding

ENGLISH = [
    "Quarterly profits at the media group jumped 76% to $1.13bn for the three months to December, the company said"
    " on Wednesday.",
    "The firm, which is now one of the biggest investors in the search engine, benefited from sales of high-speed"
    " internet connections and higher advert sales.",
    "Its chief executive said the results showed that the strategy was working and that he expected the growth to"
    " continue into next year.",
]
GERMAN = [
    "Die Bundesregierung will die Reform noch in diesem Jahr beschließen. Nach Angaben des Ministeriums sollen die"
    " Kosten bei rund zwei Milliarden Euro liegen.",
    "Kritiker bemängeln, dass die Länder nicht ausreichend beteiligt wurden und die Finanzierung bisher unklar ist.",
    "Der Minister kündigte an, den Entwurf in der kommenden Woche dem Kabinett vorzulegen.",
]
CHINESE = [
    "国家统计局周二公布的数据显示，第三季度国内生产总值同比增长百分之四点九，略高于市场预期。",
    "分析人士认为，明年的经济形势仍然充满不确定性，消费需求恢复缓慢。",
]


def english_article(*extra: str, headline: str = "Media group profits jump") -> str:
    return "\n\n".join([headline, *ENGLISH[:2], *extra, ENGLISH[2]]) + "\n"


def lang_findings(tmp_path: Path, text: str, name: str = "a.md", **settings) -> list[Finding]:
    write_corpus(tmp_path, {name: text})
    return check(tmp_path, select=["LANG"], cache=False, **settings).findings


def only(findings: list[Finding], code: str = "LANG001") -> Finding:
    assert [f.code for f in findings] == [code], [f.message for f in findings]
    return findings[0]


# ---- fragments that must be found, with their exact span and language ----


@pytest.mark.parametrize(
    ("extra", "fragment", "language", "script"),
    [
        ("常见问题", "常见问题", "zh", "Han"),
        ("Читайте также", "Читайте также", "ru", "Cyrillic"),
        ("詳しくはこちらをご覧ください。", "詳しくはこちらをご覧ください。", "ja", "Han"),
        ("자세한 내용은 여기를 참조하십시오", "자세한 내용은 여기를 참조하십시오", "ko", "Hangul"),
        ("اقرأ أيضا", "اقرأ أيضا", "ar", "Arabic"),
        (
            "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr",
            "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr",
            "de",
            None,
        ),
        (
            "El gobierno aprobó ayer una nueva ley que regula el uso de los datos personales en internet.",
            "El gobierno aprobó ayer una nueva ley que regula el uso de los datos personales en internet.",
            "es",
            None,
        ),
    ],
)
def test_fragment_on_its_own_line(tmp_path: Path, extra: str, fragment: str, language: str, script: str | None):
    finding = only(lang_findings(tmp_path, english_article(extra)))
    assert finding.text == fragment
    assert finding.evidence["language"] == language
    assert finding.evidence["script"] == script
    assert finding.evidence["main_language"] == "en"
    loc = finding.location
    assert (loc.line, loc.column, loc.end_line, loc.end_column) == (7, 1, 7, 1 + len(fragment))


def test_inline_sentence_span_is_exact(tmp_path: Path):
    french = "Le gouvernement a annoncé une baisse des impôts pour les ménages les plus modestes."
    paragraph = f"{ENGLISH[0]} {french} {ENGLISH[1]}"
    text = "Headline about profits\n\n" + paragraph + "\n"
    finding = only(lang_findings(tmp_path, text))
    assert finding.text == french
    assert finding.evidence["language"] == "fr"
    assert finding.evidence["probability"] >= 0.9
    start = len(ENGLISH[0]) + 2
    assert (finding.location.line, finding.location.column) == (3, start)
    assert finding.location.end_column == start + len(french)


def test_adjacent_sentences_merge_into_one_span(tmp_path: Path):
    italian = "Il governo ha approvato la nuova legge sul lavoro. La riforma entrerà in vigore il primo gennaio."
    finding = only(lang_findings(tmp_path, english_article(italian)))
    assert finding.text == italian
    assert finding.evidence["language"] == "it"


def test_seed_reports_the_chinese_faq_leftover():
    result = check(SEEDS, select=["LANG001"], cache=False)
    found = [f for f in result.findings if f.location.path == "000_4995c744223b7cfd.txt"]
    finding = only(found)
    assert finding.text == "常见问题"
    assert finding.evidence["language"] == "zh"
    loc = finding.location
    assert (loc.line, loc.column, loc.end_line, loc.end_column) == (38, 1, 38, 5)


# ---- what is not a fragment ----


@pytest.mark.parametrize(
    "extra",
    [
        # names and loanwords in running text
        "The Zeitgeist belonged to Gérard Depardieu, who was tried in absentia; critics praised his joie de vivre.",
        "The director, Pedro Almodóvar, praised the cast, and Ola Källenius of Mercedes-Benz thanked the crew.",
        # a team line-up: a list of foreign names
        "Italy: R de Marigny; Mirco Bergamasco, W Pozzebon, A Masi, L Nitoglia; L Orquera, A Troncon.",
        # numbers, symbols and emoji
        "Prices rose 4.5% to €1,200 (¥9,000) on 12.03.2024 😀🎉 👍🏽 ±3 °C.",
        # URLs, e-mail addresses and inline code, even with foreign script inside
        "See https://example.com/新闻/статья or www.example.org/日本語 and write to press@例子.com today.",
        "Run `print('你好，世界')` to test the installation.",
        # a foreign-script gloss next to its transliteration
        "China's leader Xi Jinping (习近平) met President Vladimir Putin (Владимир Путин) in Moscow.",
        # single Greek letters in science
        "The α-synuclein protein clumps in the brain cells of patients, the researchers said.",
    ],
)
def test_not_a_fragment(tmp_path: Path, extra: str):
    assert lang_findings(tmp_path, english_article(extra)) == []


def test_clean_english_article_has_no_findings(tmp_path: Path):
    assert lang_findings(tmp_path, english_article(headline="Tautou 'to star in Da Vinci film'")) == []


# ---- options ----


def test_glosses_reported_when_configured(tmp_path: Path):
    text = english_article("China's leader Xi Jinping (习近平) met officials in Beijing.")
    finding = only(lang_findings(tmp_path, text, rule_options={"foreign-fragment": {"allow-glosses": False}}))
    assert finding.text == "习近平"


@pytest.mark.parametrize(
    ("options", "extra"),
    [
        ({"allowed-scripts": ["Han"]}, "常见问题"),
        ({"allowed-languages": ["de"]}, "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr"),
        ({"min-script-letters": 5}, "常见问题"),
        ({"min-words": 20}, "Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr"),
    ],
)
def test_options_silence_findings(tmp_path: Path, options: dict, extra: str):
    assert lang_findings(tmp_path, english_article(extra)) != []
    assert lang_findings(tmp_path, english_article(extra), rule_options={"LANG001": options}) == []


def test_probability_threshold_applies_to_the_main_language_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A same-script sentence is foreign when langdetect leaves the main language at most 1 - min-probability;
    the share may be split between related languages (da/nb/sv)."""
    monkeypatch.setattr(languages, "identify", lambda text: [("de", 0.5), ("nl", 0.35), ("en", 0.15)])
    text = english_article("Lesen Sie auch: Autobauer senkt die Prognose für das laufende Jahr")
    assert lang_findings(tmp_path, text, jobs=1) == []
    finding = only(lang_findings(tmp_path, text, jobs=1, rule_options={"LANG001": {"min-probability": 0.8}}))
    assert (finding.evidence["language"], finding.evidence["probability"]) == ("de", 0.5)


def test_unknown_option_is_rejected(tmp_path: Path):
    write_corpus(tmp_path, {"a.md": english_article()})
    with pytest.raises(Exception, match="LANG001"):
        check(tmp_path, select=["LANG"], cache=False, rule_options={"LANG001": {"min-letters": 3}})


# ---- other main languages ----


def test_german_host_with_english_sentence_and_russian_line(tmp_path: Path):
    english = "The minister said the plan would be published next week and that all parties had agreed to it."
    body = f"{GERMAN[0]} {english} {GERMAN[1]}\n\nЧитайте также\n\n{GERMAN[2]}"
    text = f"---\nlang: de\n---\nRegierung plant neue Reform\n\n{body}\n"
    findings = lang_findings(tmp_path, text)
    assert [(f.text, f.evidence["language"], f.evidence["main_language"]) for f in findings] == [
        (english, "en", "de"),
        ("Читайте также", "ru", "de"),
    ]
    assert all(f.evidence["main_language_source"] == "declared" for f in findings)


def test_german_host_detected_without_declaration(tmp_path: Path):
    text = "Regierung plant neue Reform\n\n" + "\n\n".join(GERMAN) + "\n\n常见问题\n"
    finding = only(lang_findings(tmp_path, text))
    assert finding.text == "常见问题"
    assert finding.evidence["main_language"] == "de"
    assert finding.evidence["main_language_source"] == "detected"


def test_chinese_host_with_english_line_but_not_brand_names(tmp_path: Path):
    english = "Click here to read the full story on our website today."
    brands = "据New York Times报道，苹果公司的iPhone 15销量也有所下降，Bank of America表示担忧。"
    text = "\n\n".join(["中国经济增长放缓", CHINESE[0] + brands, english, CHINESE[1]]) + "\n"
    finding = only(lang_findings(tmp_path, text))
    assert finding.text == english
    assert finding.evidence["script"] == "Latin"
    assert finding.evidence["language"] == "en"
    assert finding.evidence["main_language"] == "zh"


def test_japanese_host_accepts_kanji_and_kana(tmp_path: Path):
    text = "経済ニュース\n\n日本銀行は金曜日、金融政策の現状維持を決めた。円相場は小幅に上昇した。\n"
    assert lang_findings(tmp_path, text) == []


# ---- LANG002: declared language contradicted by the text ----


def test_declared_language_mismatch(tmp_path: Path):
    records = [
        {"id": "wrong", "lang": "en", "title": "Regierung plant neue Reform", "body": "\n\n".join(GERMAN)},
        {"id": "right", "lang": "en-GB", "title": "Media group profits jump", "body": "\n\n".join(ENGLISH)},
    ]
    findings = lang_findings(tmp_path, records, name="feed.jsonl")  # type: ignore[arg-type]
    finding = only(findings, "LANG002")
    assert finding.location.document == "wrong"
    assert finding.evidence["declared"] == "en"
    assert finding.evidence["detected"] == "de"
    assert finding.location.field == "title"


def test_related_language_declaration_is_kept(tmp_path: Path):
    norwegian = (
        "Regjeringen vil vedta reformen i år. Ifølge departementet vil kostnadene være rundt to milliarder kroner,"
        " og det er ikke klart hvem som skal betale for dette. Kritikerne mener at kommunene ikke har blitt hørt."
    )
    records = [{"id": "nb", "lang": "nb", "title": "Ny reform", "body": norwegian}]
    assert lang_findings(tmp_path, records, name="feed.jsonl") == []  # type: ignore[arg-type]


# ---- robustness and determinism ----


@pytest.mark.parametrize(
    "text",
    [
        "Only a headline\n",
        "Headline\n\n\u200d\u200b\u202e\u0301\u0301\ue000\ufeff\n",
        "Headline\n\n" + "常见问题" * 20000 + "\n",
        "Headline\n\n" + ("Die Regierung hat das Gesetz gestern beschlossen. " * 2000) + "\n",
        "Headline\n\n" + "🙂" * 5000 + "\n",
    ],
)
def test_odd_input_does_not_crash(tmp_path: Path, text: str):
    findings = lang_findings(tmp_path, text)
    assert all(f.code == "LANG001" for f in findings)


def test_same_input_same_output(tmp_path: Path):
    text = english_article("Lesen Sie auch: Autobauer senkt die Prognose", "常见问题")
    first = [f.model_dump() for f in lang_findings(tmp_path, text)]
    second = [f.model_dump() for f in lang_findings(tmp_path, text)]
    assert first == second and len(first) == 2


def test_identify_gives_exactly_langdetects_probabilities():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    ours = languages._langdetect_factory()  # seeds langdetect
    reference = DetectorFactory()
    reference.load_profile(PROFILES_DIRECTORY)
    assert ours.langlist == reference.langlist
    mixed = " ".join([*ENGLISH, *GERMAN, *CHINESE])
    for text in [*ENGLISH, *GERMAN, *CHINESE, mixed, "Читайте также", "Lesen Sie auch", "Ünïcödé ☃"]:
        detector = reference.create()
        detector.append(text)
        expected: dict[str, float] = {}
        for found in detector.get_probabilities():
            code = languages.normalise_lang(found.lang)
            expected[code] = expected.get(code, 0.0) + found.prob
        assert languages.identify(text) == sorted(expected.items(), key=lambda kv: -kv[1]), text
    row = ours.word_lang_prob_map["der"]
    assert row.tolist() == reference.word_lang_prob_map["der"] and max(row) > 0


def test_text_preparation_and_ngrams_are_langdetects_own():
    factory = languages._langdetect_factory()
    odd = ["NATO and the EU  said", "Tiếng Việt có dấu", "アメリカ 한국 ㄅ", "iPhone ÀÉÎ", "中文中文中文中文 ab"]
    odd.append(" see  http://x.com  ")
    for text in [*ENGLISH, *GERMAN, *CHINESE, *odd]:
        detector = factory.create()
        detector.append(text)
        ours = factory.create()
        languages._append(ours, text)
        languages._clean_text(ours)
        detector.cleaning_text()
        assert ours.text == detector.text
        assert languages._extract_ngrams(detector.text, factory.word_lang_prob_map) == detector._extract_ngrams()


def test_language_codes_are_normalised():
    assert [languages.normalise_lang(c) for c in ("en-GB", "zh_Hans", "zh-cn", "no", "DE")] == [
        "en",
        "zh",
        "zh",
        "nb",
        "de",
    ]


# ---- CLI ----


def test_cli_reports_fragment_with_position(tmp_path: Path, cli):
    write_corpus(tmp_path, {"news.md": english_article("Читайте также")})
    result = cli(["check", ".", "--select", "LANG", "--format", "json", "--no-cache"], cwd=tmp_path)
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    findings = report["findings"] if isinstance(report, dict) else report
    assert [(f["code"], f["location"]["line"], f["location"]["column"]) for f in findings] == [("LANG001", 7, 1)]
    assert findings[0]["evidence"]["language"] == "ru"


def test_span_takes_in_the_fragments_own_figures_and_full_stop(tmp_path: Path):
    english = "10 people were hurt when the roof fell in at 14:30."
    text = "中国经济增长放缓\n\n" + CHINESE[0] + english + CHINESE[1] + "\n"
    finding = only(lang_findings(tmp_path, text))
    assert finding.text == english
