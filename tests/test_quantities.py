"""The figure extractor and normaliser: a table of forms it must read, false friends it must leave alone,
and the support relation (rounding, qualifiers, units)."""

from __future__ import annotations

import pytest

from corpuslint.quantities import Figure, Kind, Qualifier, extract_figures, may_hold_figures, supports

M, BN = 1e6, 1e9
MONEY, PCT, PTS, COUNT, YEAR, DATE = Kind.MONEY, Kind.PERCENT, Kind.POINTS, Kind.COUNT, Kind.YEAR, Kind.DATE
NONE, OVER, NEARLY, UP_TO, ABOUT = Qualifier.NONE, Qualifier.OVER, Qualifier.NEARLY, Qualifier.UP_TO, Qualifier.ABOUT

# (text, [(figure text as written, kind, value, high, unit, qualifier)])
FORMS = [
    # currency symbols and codes
    ("a $200 million contract", [("$200 million", MONEY, 200 * M, 200 * M, "USD", NONE)]),
    ("a $200M contract", [("$200M", MONEY, 200 * M, 200 * M, "USD", NONE)]),
    ("profit of $1.13bn", [("$1.13bn", MONEY, 1.13 * BN, 1.13 * BN, "USD", NONE)]),
    ("worth £600m", [("£600m", MONEY, 600 * M, 600 * M, "GBP", NONE)]),
    ("sold for €5bn", [("€5bn", MONEY, 5 * BN, 5 * BN, "EUR", NONE)]),
    ("a ¥300bn loss", [("¥300bn", MONEY, 300 * BN, 300 * BN, "JPY", NONE)]),
    ("raised US$5m", [("US$5m", MONEY, 5 * M, 5 * M, "USD", NONE)]),
    ("sales of A$2.6bn", [("A$2.6bn", MONEY, 2.6 * BN, 2.6 * BN, "AUD", NONE)]),
    ("costs USD 300", [("USD 300", MONEY, 300, 300, "USD", NONE)]),
    ("costs 200 dollars", [("200 dollars", MONEY, 200, 200, "USD", NONE)]),
    ("a fee of 15.8m pounds", [("15.8m pounds", MONEY, 15.8 * M, 15.8 * M, "GBP", NONE)]),
    ("a bill of 420bn yuan", [("420bn yuan", MONEY, 420 * BN, 420 * BN, "CNY", NONE)]),
    ("a $10,000 watch", [("$10,000", MONEY, 10_000, 10_000, "USD", NONE)]),
    ("a $2B round", [("$2B", MONEY, 2 * BN, 2 * BN, "USD", NONE)]),
    ("a $50k grant", [("$50k", MONEY, 50_000, 50_000, "USD", NONE)]),
    ("a £1.5million car", [("£1.5million", MONEY, 1.5 * M, 1.5 * M, "GBP", NONE)]),
    # scale words and abbreviations without a currency
    ("7m viewers tuned in", [("7m", COUNT, 7 * M, 7 * M, "", NONE)]),
    ("a 3.5 billion budget", [("3.5 billion", COUNT, 3.5 * BN, 3.5 * BN, "", NONE)]),
    ("a $2 trillion economy", [("$2 trillion", MONEY, 2e12, 2e12, "USD", NONE)]),
    ("464,000 subscribers", [("464,000", COUNT, 464_000, 464_000, "", NONE)]),
    ("a 1,234.5 tonne load", [("1,234.5", COUNT, 1234.5, 1234.5, "", NONE)]),
    # number words
    ("four billion dollars", [("four billion dollars", MONEY, 4 * BN, 4 * BN, "USD", NONE)]),
    ("Four billion people", [("Four billion", COUNT, 4 * BN, 4 * BN, "", NONE)]),
    ("twenty-five people", [("twenty-five", COUNT, 25, 25, "", NONE)]),
    ("two companies", [("two", COUNT, 2, 2, "", NONE)]),
    ("a million users", [("a million", COUNT, M, M, "", NONE)]),
    ("half a million users", [("half a million", COUNT, 0.5 * M, 0.5 * M, "", NONE)]),
    ("two hundred and fifty million", [("two hundred and fifty million", COUNT, 250 * M, 250 * M, "", NONE)]),
    ("rose five per cent", [("five per cent", PCT, 5, 5, "%", NONE)]),
    # percentages and percentage points
    ("jumped 76% to", [("76%", PCT, 76, 76, "%", NONE)]),
    ("up 2.5 per cent", [("2.5 per cent", PCT, 2.5, 2.5, "%", NONE)]),
    ("up 3 percent", [("3 percent", PCT, 3, 3, "%", NONE)]),
    ("up 5pc on the year", [("5pc", PCT, 5, 5, "%", NONE)]),
    ("rose 2 percentage points", [("2 percentage points", PTS, 2, 2, "%", NONE)]),
    ("cut by 50 basis points", [("50 basis points", PTS, 0.5, 0.5, "%", NONE)]),
    ("expanded by 1.3%The economy", [("1.3%", PCT, 1.3, 1.3, "%", NONE)]),
    # ranges
    ("growth of 3-4%", [("3-4%", PCT, 3, 4, "%", NONE)]),
    ("between 3 and 5 per cent", [("between 3 and 5 per cent", PCT, 3, 5, "%", NONE)]),
    ("3 to 5 percent", [("3 to 5 percent", PCT, 3, 5, "%", NONE)]),
    ("a $3bn-$4bn bid", [("$3bn-$4bn", MONEY, 3 * BN, 4 * BN, "USD", NONE)]),
    ("a $3-4bn bid", [("$3-4bn", MONEY, 3 * BN, 4 * BN, "USD", NONE)]),
    ("rose 2% to $11.1bn", [("2%", PCT, 2, 2, "%", NONE), ("$11.1bn", MONEY, 11.1 * BN, 11.1 * BN, "USD", NONE)]),
    # qualifiers, kept in the figure
    ("valued at over $7 billion", [("over $7 billion", MONEY, 7 * BN, 7 * BN, "USD", OVER)]),
    ("up to $4 billion from", [("up to $4 billion", MONEY, 4 * BN, 4 * BN, "USD", UP_TO)]),
    ("more than 464,000 lost", [("more than 464,000", COUNT, 464_000, 464_000, "", OVER)]),
    ("nearly 2,000 jobs", [("nearly 2,000", COUNT, 2000, 2000, "", NEARLY)]),
    ("about 5.5m people", [("about 5.5m", COUNT, 5.5 * M, 5.5 * M, "", ABOUT)]),
    ("approximately $200 million", [("approximately $200 million", MONEY, 200 * M, 200 * M, "USD", ABOUT)]),
    ("almost 70% of", [("almost 70%", PCT, 70, 70, "%", NEARLY)]),
    ("at least $1bn", [("at least $1bn", MONEY, BN, BN, "USD", OVER)]),
    ("less than 5%", [("less than 5%", PCT, 5, 5, "%", UP_TO)]),
    # years and dates are kinds of their own
    ("In 2004, sales", [("2004", YEAR, 2004, 2004, "", NONE)]),
    ("the 1990s boom", [("1990s", YEAR, 1990, 1999, "", NONE)]),
    ("the 2003-04 season", [("2003-04", YEAR, 2003, 2004, "", NONE)]),
    ("by mid-2005", [("2005", YEAR, 2005, 2005, "", NONE)]),
    ("a sextant from 1731", [("1731", YEAR, 1731, 1731, "", NONE)]),
    ("on 5 March", [("5 March", DATE, 305, 305, "", NONE)]),
    ("on March 5", [("March 5", DATE, 305, 305, "", NONE)]),
    ("on 25 September.", [("25 September", DATE, 925, 925, "", NONE)]),
    ("on 12/03/2004", [("12/03/2004", DATE, 312, 312, "", NONE)]),
    ("in March 2005", [("2005", YEAR, 2005, 2005, "", NONE)]),
]

# Not figures at all.
FALSE_FRIENDS = [
    "models like Claude 3 Opus",
    "the GPT-4 model",
    "the F-35 fighter",
    "Covid-19 cases",
    "the G7 summit",
    "a 4G network",
    "a 3D film",
    "an MP3 player",
    "the Airbus A380",
    "at 10:30 on Friday",
    "at 3pm",
    "at 10.30am",
    "at 1400 GMT",
    "see page 5",
    "in section 12",
    "at No 10",
    "the 21st century",
    "call 0800 555",
    "won the 400m hurdles",
    "the 800m indoor title",
    "cleared 1.87m while",
    "a 200k run",
    "http://example.com/2014/12/story",
    "chapter 7",
    "text GOODPUB to 85130",
    "the Nokia 7710 handset",
    "in the men's 200m as he won",
]


def as_tuple(figure: Figure) -> tuple:
    return (
        figure.text,
        figure.kind,
        pytest.approx(figure.value),
        pytest.approx(figure.high),
        figure.unit,
        figure.qualifier,
    )


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[t for t, _ in FORMS])
def test_reads_the_form(text: str, expected: list[tuple]) -> None:
    found = extract_figures(text)
    assert [as_tuple(f) for f in found] == expected
    for figure in found:
        assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_false_friend_is_no_figure(text: str) -> None:
    assert extract_figures(text) == []


def test_false_friends_in_context_leave_the_real_figures() -> None:
    text = "Tools like Claude 3 Opus and GPT-4 cost $20 a month; Covid-19 cut sales 5% in 2020, page 5 says."
    assert [(f.text, f.kind) for f in extract_figures(text)] == [("$20", MONEY), ("5%", PCT), ("2020", YEAR)]


def test_small_number_words_only_when_asked() -> None:
    assert [f.text for f in extract_figures("two companies and four billion dollars")] == [
        "two",
        "four billion dollars",
    ]
    found = extract_figures("two companies and four billion dollars", small_number_words=False)
    assert [f.text for f in found] == ["four billion dollars"]


def test_small_integer() -> None:
    two, three_m, pct = (extract_figures(t)[0] for t in ("two firms", "3m users", "3%"))
    assert two.is_small_integer
    assert not three_m.is_small_integer
    assert not pct.is_small_integer


def test_text_without_numbers_has_no_figures() -> None:
    assert extract_figures("no figures here at all, not one hundredth of a chance", small_number_words=False) == []
    assert [f.text for f in extract_figures("sold four billion dollars", small_number_words=False)] == [
        "four billion dollars"
    ]


def one(text: str) -> Figure:
    (figure,) = extract_figures(text)
    return figure


# (claim, evidence, supported?)
SUPPORT = [
    ("$1.1bn", "$1.13bn", True),  # rounding
    ("$1bn", "$1.13bn", True),
    ("$2bn", "$1.13bn", False),  # not a rounding
    ("$1.13bn", "$1.13bn", True),
    ("$1.13bn", "£600m", False),  # a conversion is not support
    ("£1.13bn", "$1.13bn", False),  # another currency
    ("over $7bn", "$7.3bn", True),  # over X: a little above X
    ("over $7bn", "$6.8bn", False),
    ("over $7bn", "$12bn", False),
    ("nearly $2bn", "$1.9bn", True),  # nearly X: a little below X
    ("nearly $2bn", "$2.3bn", False),
    ("up to $4bn", "$4bn", True),
    ("over $2bn", "nearly $2bn", False),  # qualifiers that disagree
    ("about 5.5m people", "5.4m people", True),
    ("76%", "76%", True),
    ("75%", "76%", False),
    ("3%", "2.6%", True),
    ("2,000", "2,084", True),  # a round number is a rounding
    ("$200m", "$170m", False),
    ("2004", "2004", True),
    ("2005", "2004", False),
    ("1974", "the 1970s", True),
    ("5 March", "March 5", True),
    ("27bn", "$27bn", True),  # a currency dropped in a headline
    ("3-4%", "3-4%", True),
    ("5%", "5 percentage points", False),
]


@pytest.mark.parametrize(("claim", "evidence", "expected"), SUPPORT)
def test_support(claim: str, evidence: str, expected: bool) -> None:
    assert supports(one(claim), one(evidence)) is expected


def test_any_unicode_and_huge_text() -> None:
    text = "ünïcödé 😀 $5bn — ١٢٣ ٪ " * 2000  # Arabic-Indic digits are digits too
    found = extract_figures(text)
    assert [f.text for f in found] == ["$5bn", "١٢٣"] * 2000
    assert found[1].value == 123
    assert extract_figures("") == []


GATE_TEXTS = [
    "No figures in this sentence at all.",
    "Two hundred people came; half a million watched.",
    "It rose five per cent and a thousand more joined.",
    "Sales were ٣٠٠ مليون دولار.",  # Arabic-Indic digits
    "A FOUR BILLION DOLLAR deal",
    "the recent compound hundredth",  # scale-like words that are none
    "Price: $5",
    "",
    *[text for text, _ in FORMS],
    *FALSE_FRIENDS,
]


@pytest.mark.parametrize("text", GATE_TEXTS)
def test_may_hold_figures_never_hides_a_figure(text: str) -> None:
    if not may_hold_figures(text):
        assert extract_figures(text, small_number_words=False) == []
    assert may_hold_figures(text) is may_hold_figures(text, text.lower())


def test_may_hold_figures_rejects_plain_prose() -> None:
    assert not may_hold_figures("No figures in this sentence at all, only words.")
    assert not may_hold_figures("A quiet day: nobody came, nothing sold.")
    assert may_hold_figures("Two hundred people came")
    assert may_hold_figures("Sales were ٣٠٠ مليون دولار.")
