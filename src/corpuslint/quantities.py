"""The one figure extractor and normaliser: money, percentages, counts, years and dates in running text.

`extract_figures(text)` finds every figure with its span (qualifier, currency, scale and unit included, as
written) and normalises it: kind, value (scale applied), unit (ISO currency code for money), qualifier
direction and the rounding step of the value as written. `supports(claim, evidence)` says whether one figure
backs another (same kind and unit, equal within the claim's rounding, qualifiers respected).

Not figures: model and product names ("Claude 3", "GPT-4", "F-35", "Covid-19", "G7", "4G"), times ("10:30",
"3pm"), page/section/number labels ("page 5", "No 10"), ordinals ("21st"). Years and dates are kinds of their own.

Written with `regex`; the pattern is compiled once per process.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import regex

__all__ = [
    "Figure",
    "Kind",
    "Qualifier",
    "compatible",
    "extract_figures",
    "may_hold_figures",
    "supports",
    "value_supports",
]


class Kind(enum.StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    POINTS = "percentage points"
    COUNT = "count"
    YEAR = "year"
    DATE = "date"


class Qualifier(enum.StrEnum):
    NONE = ""
    OVER = "over"  # the true value is at or a little above the figure
    NEARLY = "nearly"  # at or a little below
    UP_TO = "up to"  # at most
    ABOUT = "about"  # roughly


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as written in a text, normalised."""

    start: int  # span of the whole figure, qualifier included
    end: int
    text: str
    kind: Kind
    value: float  # low end for a range; for dates month * 100 + day
    high: float  # == value unless the figure is a range ("3-4%", "between 3 and 5", "1990s")
    unit: str  # currency code for money ("" if unknown), "%" for percentages, "" otherwise
    qualifier: Qualifier
    step: float  # rounding step of the value as written: "$1.13bn" -> 1e7, "$2bn" -> 1e9
    scaled: bool  # a scale word or abbreviation was written ("bn", "million")

    @property
    def is_range(self) -> bool:
        return self.high != self.value

    @property
    def is_small_integer(self) -> bool:
        """A plain count below 100 with no scale ("two companies", "3 reasons"): matches by chance."""
        return self.kind is Kind.COUNT and not self.scaled and self.step >= 1 and self.high < 100


# ---------------------------------------------------------------------------------------------------- tables
_UNIT_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
        " seventeen eighteen nineteen".split()
    )
}
_TENS_WORDS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "bn": 1e9,
    "bln": 1e9,
    "b": 1e9,
    "tn": 1e12,
    "trn": 1e12,
}
_CURRENCY_SYMBOLS = {
    "$": "USD",
    "us$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "₹": "INR",
}
_CURRENCY_WORDS = {
    "dollars": "USD",
    "us dollars": "USD",
    "pounds": "GBP",
    "pounds sterling": "GBP",
    "sterling": "GBP",
    "euro": "EUR",
    "euros": "EUR",
    "yen": "JPY",
    "yuan": "CNY",
    "rupees": "INR",
    "francs": "CHF",
}
_CURRENCY_CODES = "USD GBP EUR JPY CHF CNY AUD CAD INR".split()
_QUALIFIERS = {
    Qualifier.OVER: "more than|at least|in excess of|just over|well over|just above|well above|over|above",
    Qualifier.NEARLY: "nearly|almost|just under|just below|close to",
    Qualifier.UP_TO: "up to|less than|fewer than|as much as|as many as|as high as|well under|well below|under|below",
    Qualifier.ABOUT: "about|around|approximately|roughly|some|an estimated|circa",
}
_QUALIFIER_OF = {phrase: q for q, phrases in _QUALIFIERS.items() for phrase in phrases.split("|")}
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sept sep",
            "october oct",
            "november nov",
            "december dec",
        ]
    )
    for name in names.split()
}
# A bare number right after one of these words is a label, not a quantity ("page 5", "Section 3", "No 10").
_LABEL_WORDS = frozenset(
    "page pages p pp section sections chapter article clause paragraph para rule figure fig table schedule part"
    " appendix no nos number vol volume issue episode season series round stage level grade room gate platform"
    " route flight channel line question verse item step version v release tier class category junction"
    " highway interstate".split()
)
# Capitalised words that may precede a quantity without naming a product ("In 2004", "Some 300", "March 2005").
_NOT_NAMES = frozenset(
    "in on at by since until till from to for of and but or some about around over under nearly almost up just"
    " only the a an all every each between after before during with without last next this that these those per"
    " as than its his her their our my your top by about roughly approximately more less fewer than"
    " monday tuesday wednesday thursday friday saturday sunday".split()
) | frozenset(_MONTHS)
# Prefixes that keep a hyphenated year a year ("mid-2005", "pre-1990").
_YEAR_PREFIXES = frozenset("mid pre post late early non".split())
# "100m hurdles" is a distance, not a hundred million.
_METRE_CONTEXT = frozenset(
    "race races sprint hurdles freestyle butterfly backstroke breaststroke relay medley final finals dash title"
    " record records event events champion metres meters run runner runners swim dive high long wide deep tall"
    " away".split()
)
_IRREGULAR_PLURALS = frozenset("people children men women".split())
_NOT_PLURALS = frozenset("as is was has does its his hers this thus plus us yes whereas less across".split())
_SENTENCE_OPENERS = frozenset(".!?:;\"“”'‘’([{—–•*-\n\r")


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_UNIT_RE = _alternation(list(_UNIT_WORDS))
_TENS_RE = _alternation(list(_TENS_WORDS))
_WORD_NUMBER = rf"""
    (?:(?:{_TENS_RE})(?:-(?:{_UNIT_RE}))?
      |(?:{_UNIT_RE}|a|an)\s+hundred(?:\s+(?:and\s+)?(?:(?:{_TENS_RE})(?:-(?:{_UNIT_RE}))?|{_UNIT_RE}))?
      |(?:{_UNIT_RE})
      |(?:half\s+a|a|an)(?=\s+(?:thousand|million|billion|trillion)\b)
    )"""
_DIGIT_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORD_NUMBER_RE = rf"(?i:{_WORD_NUMBER})(?!\w)"
_CURRENCY_SYMBOL_CHARS = "$£€¥₹"
_CURRENCY = rf"(?:(?i:US|AU|A|C|NZ|HK|S)\$|\$|£|€|¥|₹|(?:{'|'.join(_CURRENCY_CODES)})\s?(?=\d))"
_SCALE = r"(?:\s*(?i:thousand|million|billion|trillion)|\s?(?:bn|mn|mln|bln|tn|trn)|(?:m|k|b|M|K|B))(?!\w)"
_PERCENT = r"(?:\s?%(?:\s+points?\b)?|(?:\s?(?i:per\s?cent|percent)|pc|\s+(?i:percentage|basis)\s+points?)(?!\w))"
_CURRENCY_WORD = rf"\s+(?i:{_alternation(list(_CURRENCY_WORDS))})(?!\w)(?!\s+cents?\b)"  # not "22 euro cents"
_MONTH_RE = "|".join(  # full names first; only abbreviations take a dot ("Sept.")
    sorted(
        (m.capitalize() if len(m) > 4 or m in ("may", "june", "july") else m.capitalize() + r"\.?" for m in _MONTHS),
        key=len,
        reverse=True,
    )
)
_TIME_AND_DATE = rf"""
    (?P<time>
        \d{{1,2}}[:.]\d{{2}}\s?(?i:[ap]\.m\.|[ap]m)(?!\w)
      | \d{{1,2}}:\d{{2}}(?::\d{{2}})?(?!\d)
      | \d{{1,2}}\s?(?i:[ap]\.m\.|[ap]m)(?!\w)
      | \d{{2}}:?\d{{2}}\s?(?:GMT|BST|UTC|CET|EST|EDT|PST|PDT|ET)(?!\w))
  | (?P<date>
        (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_RE})(?!\w)
      | (?P<numeric>\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}})(?![\w/-]))
  |"""


def _figure_pattern(number: str, prefix: str) -> regex.Pattern:
    """Matched only *at* a candidate start (a number, or the currency just before it): anchored, hence cheap."""
    return regex.compile(
        rf"""{prefix}
        (?P<currency>{_CURRENCY})?
        (?P<n1>{number})
        (?:(?P<scale1>{_SCALE})?(?P<percent1>{_PERCENT})?
           (?P<sep>\s?[-–—]\s?|\s+(?i:to|and)\s+)
           (?P<currency2>{_CURRENCY})?
           (?P<n2>{number})
        )?
        (?P<scale>{_SCALE})?
        (?P<decade>(?<=\d\d)s)?
        (?P<percent>{_PERCENT})?
        (?P<currency_word>{_CURRENCY_WORD})?
        (?:(?<!\w)|(?!\w))  # no letters glued to a figure that ends in one
        """,
        regex.VERBOSE | regex.V0,
    )


_DIGIT_FIGURE_AT = _figure_pattern(_DIGIT_NUMBER, _TIME_AND_DATE)
_WORD_FIGURE_AT = _figure_pattern(
    _WORD_NUMBER_RE, "(?P<time>(?!))|(?P<date>(?P<day>(?!))(?P<month>(?!))(?P<numeric>(?!)))|"
)
assert _WORD_FIGURE_AT.groupindex == _DIGIT_FIGURE_AT.groupindex
_GROUP_NAMES = sorted(_DIGIT_FIGURE_AT.groupindex, key=_DIGIT_FIGURE_AT.groupindex.__getitem__)
_DIGIT_START_RE = regex.compile(r"(?<![\w.,/])\d", regex.V0)  # not inside a word, a decimal or a path
_ANY_DIGIT_RE = regex.compile(r"\d", regex.V0)  # the digits `_DIGIT_START_RE` looks for, wherever they are
_SMALL_WORD_RE = regex.compile(rf"(?<![\w-])(?:{_TENS_RE}|{_UNIT_RE})(?!\w)", regex.V0)
# Words a number word must stand before to be worth finding when small number words are not wanted.
_WORD_TRIGGERS = ("hundred", "thousand", "illion", "cent", "dollar", "pound")
_TRIGGER_WORDS = frozenset("hundred thousand million billion trillion percent dollar dollars pound pounds".split())
_NUMBER_WORDS = frozenset(_UNIT_WORDS) | frozenset(_TENS_WORDS) | {"hundred", "a", "an", "half", "and"}
_CURRENCY_PREFIXES = ("US", "AU", "NZ", "HK", "A", "C", "S")
_QUALIFIER_LAST_WORDS = frozenset(phrase.rsplit(None, 1)[-1] for phrase in _QUALIFIER_OF) | {"between"}
_DAY_SUFFIXES = ("st", "nd", "rd", "th")


# ---------------------------------------------------------------------------------------------- extraction
def extract_figures(text: str, *, small_number_words: bool = True) -> list[Figure]:
    """Every figure in `text`, in order of appearance.

    Number words standing alone below a hundred ("two companies", "twenty-five") are found only when
    `small_number_words` is true: they are never distinctive, and looking for them costs more than the rest.
    Number words before a scale or unit ("four billion", "five per cent") are always found.
    """
    figures: list[Figure] = []
    pos = 0
    for anchor in _anchors(text, small_number_words):
        if anchor < pos:
            continue
        if text[anchor].isdigit():
            start = _currency_start(text, anchor)
            match = _DIGIT_FIGURE_AT.match(text, start)
        else:
            match = _WORD_FIGURE_AT.match(text, anchor)
        if match is None:
            continue
        groups = dict(zip(_GROUP_NAMES, match.groups(), strict=True))  # 10x faster than groupdict()
        if groups["time"] is not None:
            pos = match.end()
            continue
        if groups["date"] is not None:
            figure: Figure | None = _date(match.start(), match.end(), text, groups)
            pos = match.end()
        else:
            before = _word_before(text, match.start())  # shared by the month, qualifier and label checks
            if (figure := _month_day(text, match, groups, before)) is not None:
                pos = figure.end
            else:
                figure, pos = _figure(match, groups, text, before)
        if figure is not None:
            figures.append(figure)
    return figures


def may_hold_figures(text: str, lowered: str | None = None) -> bool:
    """False only when `extract_figures(text, small_number_words=False)` is sure to find nothing: every figure
    starts at a digit or at number words before a scale or unit word (`lowered`: `text.lower()`, if at hand).
    A cheap gate: a digit is found at the first one, and most paragraphs without one hold none of the words."""
    if _ANY_DIGIT_RE.search(text) is not None:
        return True
    lowered = text.lower() if lowered is None else lowered
    return any(trigger in lowered for trigger in _WORD_TRIGGERS)


def _anchors(text: str, small_number_words: bool) -> list[int]:
    """Where figures may start: every number's first digit, and the first of a run of number words."""
    anchors = [m.start() for m in _DIGIT_START_RE.finditer(text)]
    lowered = text.lower()
    words_found = len(anchors)
    if small_number_words:
        anchors.extend(m.start() for m in _SMALL_WORD_RE.finditer(lowered))
    for trigger in _WORD_TRIGGERS:
        at = lowered.find(trigger)
        while at != -1:
            if (start := _unit_word_start(lowered, at)) is not None:
                anchors.extend(_number_words_before(lowered, start))
            at = lowered.find(trigger, at + 1)
    return sorted(set(anchors)) if len(anchors) > words_found else anchors


def _unit_word_start(lowered: str, at: int) -> int | None:
    """Start of the scale or unit word holding `lowered[at]` ("m|illion"), "per cent" taken whole; None when
    the word is no scale or unit ("hundredth", "recent", "compound")."""
    start = end = at
    while start > 0 and lowered[start - 1].isalpha():
        start -= 1
    while end < len(lowered) and lowered[end].isalpha():
        end += 1
    word = lowered[start:end]
    if word == "cent":
        per = _word_before(lowered, start)
        return per[0] if per is not None and per[1] == "per" else None
    return start if word in _TRIGGER_WORDS else None


def _number_words_before(lowered: str, at: int) -> list[int]:
    """Starts of the number words right before `lowered[at]` ("two hundred and fifty | million"), leftmost first."""
    starts: list[int] = []
    end = at
    while (word := _word_before(lowered, end, " \t\r\n-")) is not None and word[1] in _NUMBER_WORDS:
        starts.append(word[0])
        end = word[0]
    starts.reverse()
    return starts


def _word_before(text: str, pos: int, gaps: str = " \t\r\n") -> tuple[int, str] | None:
    """(start, word) of the word of letters that ends, after `gaps` characters, right before `pos`."""
    end = pos
    while end > 0 and text[end - 1] in gaps:
        end -= 1
    if end == pos:
        return None
    letters_end = end - 1 if end > 0 and text[end - 1] == "." else end  # "No. 10", "p. 5"
    begin = letters_end
    while begin > 0 and text[begin - 1].isalpha():
        begin -= 1
    if begin == letters_end or (begin > 0 and text[begin - 1].isalnum()):
        return None
    return begin, text[begin:end]


def _currency_start(text: str, anchor: int) -> int:
    """Where a figure starting with the number at `anchor` really starts: "$", "US$", "USD " before it."""
    if anchor == 0:
        return anchor
    before = text[anchor - 1]
    if before in _CURRENCY_SYMBOL_CHARS:
        start = anchor - 1
        if before == "$":
            for prefix in _CURRENCY_PREFIXES:
                if text.endswith(prefix, 0, start) or text.endswith(prefix.lower(), 0, start):
                    head = start - len(prefix)
                    if head == 0 or not text[head - 1].isalnum():
                        return head
                    break
        return start
    if before == " " or before.isupper():
        code_end = anchor - 1 if before == " " else anchor
        code_start = code_end - 3
        if (
            code_start >= 0
            and text[code_start:code_end] in _CURRENCY_CODES
            and (code_start == 0 or not text[code_start - 1].isalnum())
        ):
            return code_start
    return anchor


def _qualifier_before(text: str, start: int, last: tuple[int, str] | None) -> tuple[int, str]:
    """(start, qualifier phrase) of a qualifier ("up to", "more than", "between") right before `start`;
    `last` is the word right before `start`."""
    if last is None or last[1].lower() not in _QUALIFIER_LAST_WORDS:
        return start, ""
    words = [last]
    while len(words) < 3 and (word := _word_before(text, words[-1][0])) is not None:
        words.append(word)
    found = start, ""
    for count in range(1, len(words) + 1):
        phrase = " ".join(w for _, w in reversed(words[:count])).lower()
        if phrase in _QUALIFIER_OF or phrase == "between":
            found = words[count - 1][0], phrase
    return found


def _date(start: int, end: int, text: str, groups: dict[str, str | None], month: int = 0, day: int = 0) -> Figure:
    numeric = groups.get("numeric")
    if numeric:
        parts = numeric.replace("/", "-").split("-")
        month, day = (int(parts[1]), int(parts[2])) if len(parts[0]) == 4 else (int(parts[1]), int(parts[0]))
    elif groups.get("month"):
        month, day = _MONTHS[str(groups["month"]).rstrip(".").lower()], int(str(groups["day"]))
    value = float(month * 100 + day)
    return Figure(start, end, text[start:end], Kind.DATE, value, value, "", Qualifier.NONE, 1.0, False)


def _month_day(
    text: str, match: regex.Match, groups: dict[str, str | None], before: tuple[int, str] | None
) -> Figure | None:
    """ "March 5": a day number of one or two digits right after a capitalised month name."""
    n1 = str(groups["n1"])
    if before is None or groups["currency"] or len(n1) > 2 or not n1.isdigit() or int(n1) > 31:
        return None
    if before[1].rstrip(".").lower() not in _MONTHS or not before[1][0].isupper():
        return None
    end = match.end("n1")
    if text.startswith(_DAY_SUFFIXES, end):
        end += 2
    if end < len(text) and (text[end].isalnum() or (text[end] in ".," and text[end + 1 : end + 2].isdigit())):
        return None
    return _date(before[0], end, text, {}, _MONTHS[before[1].rstrip(".").lower()], int(n1))


def _figure(
    match: regex.Match, groups: dict[str, str | None], text: str, before: tuple[int, str] | None
) -> tuple[Figure | None, int]:
    """The figure for a match, and where to resume. A range that is not one ("2% to $3bn") is cut back to
    its first figure; a label or product number gives no figure."""
    if groups["n2"] is not None and not _valid_range(groups, text, match.start(), before):
        end = max(match.end("n1"), match.end("scale1"), match.end("percent1"))
        first = dict(groups, n2=None, scale=groups["scale1"], percent=groups["percent1"])
        first.update(currency2=None, currency_word=None, decade=None, scale1=None)
        return _build(match.start(), end, first, text, before), end
    return _build(match.start(), match.end(), groups, text, before), match.end()


def _valid_range(groups: dict[str, str | None], text: str, start: int, before: tuple[int, str] | None) -> bool:
    sep = str(groups["sep"]).strip().lower()
    first_has_unit = groups["scale1"] is not None or groups["percent1"] is not None
    if sep == "and":
        return _qualifier_before(text, start, before)[1] == "between"
    if sep == "to":  # "3 to 5 per cent" is a range; "2% to $3bn" and "down $1.33 to $42.12" are two figures
        return (
            not first_has_unit
            and groups["currency"] is None
            and any(groups[g] is not None for g in ("scale", "percent", "currency_word"))
        )
    if groups["percent1"] is not None and groups["percent"] is None:
        return False
    # "2-1" and "24-7" are scores and slogans, but harmless; "£3bn-£4bn" needs both scales or none.
    return groups["scale1"] is None or groups["scale"] is not None


def _build(
    core_start: int, end: int, groups: dict[str, str | None], text: str, before: tuple[int, str] | None
) -> Figure | None:
    scale_text, percent_text, currency_word = groups["scale"], groups["percent"], groups["currency_word"]
    currency = groups["currency"] or groups["currency2"]
    n1_text, n2_text = str(groups["n1"]), groups["n2"]
    start, qualifier_text = _qualifier_before(text, core_start, before)
    if qualifier_text == "between" and n2_text is None:
        start, qualifier_text = core_start, ""

    scale = 1.0
    if scale_text is not None:
        scale_key = scale_text.strip()
        if not _scale_allowed(scale_key, currency is not None or currency_word is not None, text, end):
            return None
        scale = _SCALES[scale_key.lower()]
    low, step = _number(n1_text)
    high = low
    if n2_text is not None:
        high, high_step = _number(n2_text)
        step = min(step, high_step)
        if groups["scale1"] is not None:  # "$500m-$1bn": both in the final scale
            low = low * _SCALES[groups["scale1"].strip().lower()] / scale
        if high < low:
            high = _expand_year(low, high) if _looks_like_year_range(n1_text, n2_text) else low
    low, high, step = low * scale, high * scale, step * scale
    if groups["decade"]:
        high = low + 9
    qualifier = Qualifier.NONE if qualifier_text in ("", "between") else _QUALIFIER_OF[qualifier_text]
    unit = ""
    if currency is not None:
        kind = Kind.MONEY
        unit = _currency_code(currency)
    elif currency_word is not None:
        kind = Kind.MONEY
        unit = _CURRENCY_WORDS[" ".join(currency_word.lower().split())]
    elif percent_text is not None:
        pct = " ".join(percent_text.lower().split())
        kind = Kind.POINTS if "point" in pct else Kind.PERCENT
        unit = "%"
        if pct.startswith("basis"):
            low, high, step = low / 100, high / 100, step / 100
    else:
        if scale_text is None and n2_text is None and _is_label(text, core_start, n1_text, before):
            return None
        kind = Kind.YEAR if scale_text is None and _is_year(n1_text) else Kind.COUNT
        if kind is Kind.YEAR:
            step = 1.0
    return Figure(start, end, text[start:end], kind, low, high, unit, qualifier, step, scale_text is not None)


def _number(written: str) -> tuple[float, float]:
    """(value, rounding step) of digits ("1,234.5") or number words ("twenty-five", "half a").

    A round integer is taken as rounded, by no more than a tenth of its value: "2,000" stands for 1,900-2,100,
    "$200m" for $190m-$210m, "20" for 19-21; "2" and "7" are exact to the unit."""
    if written[0].isdigit():
        digits = written.replace(",", "")
        if "." in digits:
            return float(digits), 10.0 ** -(len(digits) - digits.index(".") - 1)
        value = float(digits)
        zeros = len(digits) - len(digits.rstrip("0"))
        return value, min(10.0**zeros, value / 10) if zeros and value else 1.0
    return _word_value(written), 1.0


def _word_value(written: str) -> float:
    words = written.lower().replace("-", " ").split()
    if words[0] == "half":
        return 0.5
    total = 0.0
    for word in words:
        if word == "hundred":
            total = (total or 1) * 100
        elif word in ("a", "an"):
            total += 1
        elif word != "and":
            total += _UNIT_WORDS.get(word, 0) + _TENS_WORDS.get(word, 0)
    return total


def _scale_allowed(scale: str, has_currency: bool, text: str, end: int) -> bool:
    """Bare "k", "M", "B" are scales only with a currency. A bare "m" is a million only before a plural noun
    ("7m viewers", "70m tonnes"); otherwise it is a distance or a height ("the 800m indoor title", "cleared
    1.87m while", "400m hurdles", "a women's 60m.")."""
    if has_currency or len(scale) > 1:
        return True
    if scale != "m":
        return False
    after = end
    while after < len(text) and text[after] == " ":
        after += 1
    word_end = after
    while word_end < len(text) and text[word_end].isalpha():
        word_end += 1
    word = text[after:word_end].lower()
    plural = (word.endswith("s") and word not in _NOT_PLURALS) or word in _IRREGULAR_PLURALS
    return plural and word not in _METRE_CONTEXT


def _currency_code(symbol: str) -> str:
    symbol = symbol.strip()
    return _CURRENCY_SYMBOLS.get(symbol.lower(), symbol.upper())


def _is_year(n1: str) -> bool:
    return len(n1) == 4 and n1.isdigit() and 1000 <= int(n1) <= 2099


def _looks_like_year_range(n1: str, n2: str) -> bool:
    return len(n1) == 4 and n1.isdigit() and n2.isdigit() and len(n2) == 2


def _expand_year(first: float, short: float) -> float:
    """The second year of "2004-05": 2005."""
    century = first - first % 100
    return century + short if century + short > first else century + 100 + short


def _is_label(text: str, start: int, n1: str, before: tuple[int, str] | None) -> bool:
    """A bare number that names something: "page 5", "GPT-4", "F-35", "Covid-19", "Claude 3", "0800"."""
    if not n1[0].isdigit():
        return False
    if len(n1) > 1 and n1[0] == "0" and "." not in n1:
        return True
    if n1.isdigit() and (len(n1) > 4 or (len(n1) == 4 and int(n1) > 2099)):  # "text 85130", "the Nokia 7710"
        return True
    gap = start
    while gap > 0 and text[gap - 1] == " ":
        gap -= 1
    if gap < start and gap > 0 and text[gap - 1].isdigit():  # "0800 555 123", a phone or reference number
        return True
    if start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
        prefix = _word_before(text, start, "-")
        return prefix is None or prefix[1].lower() not in _YEAR_PREFIXES
    if before is None:
        return start > 0 and text[start - 1] == "#"
    word = before[1]
    lowered = word.lower().rstrip(".")
    if lowered in _LABEL_WORDS:
        return True
    if not word[0].isupper() or lowered in _NOT_NAMES or "," in n1 or "." in n1:
        return False
    return not _starts_sentence(text, before[0])


def _starts_sentence(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_OPENERS


# ------------------------------------------------------------------------------------------------- support
_RELATIVE_ROUNDING = 0.2  # "$2bn" is not a rounding of "$1.6bn" even though it is to the nearest billion


def compatible(claim: Figure, evidence: Figure) -> bool:
    """Same kind and unit: money in one currency, percentages with percentages, years with years. A count
    with a scale ("27bn") may stand for money whose currency was dropped."""
    if claim.kind is not evidence.kind:
        pair = {claim.kind, evidence.kind}
        if pair != {Kind.MONEY, Kind.COUNT}:
            return False
        count = claim if claim.kind is Kind.COUNT else evidence
        return count.scaled
    if claim.kind is Kind.MONEY:
        return not claim.unit or not evidence.unit or claim.unit == evidence.unit
    return True


def supports(claim: Figure, evidence: Figure) -> bool:
    """Does `evidence` (a body figure) back `claim` (a headline or summary figure)?"""
    if not compatible(claim, evidence) or _qualifiers_conflict(claim.qualifier, evidence.qualifier):
        return False
    if claim.kind is Kind.YEAR and claim.is_range != evidence.is_range:  # "1974" and "the 1970s"
        outer, inner = (claim, evidence) if claim.is_range else (evidence, claim)
        return outer.value <= inner.value <= outer.high
    if claim.is_range:
        return value_supports(claim.value, claim.step, Qualifier.NONE, evidence.value) and value_supports(
            claim.high, claim.step, Qualifier.NONE, evidence.high
        )
    return any(value_supports(claim.value, claim.step, claim.qualifier, v) for v in {evidence.value, evidence.high})


def value_supports(claimed: float, step: float, qualifier: Qualifier, value: float) -> bool:
    """Is `value` consistent with "`qualifier` `claimed`" written to rounding `step`?"""
    half = step / 2 + abs(claimed) * 1e-9
    if qualifier is Qualifier.NONE:
        diff = abs(claimed - value)
        return diff <= half and (diff <= _RELATIVE_ROUNDING * abs(value) or diff <= abs(claimed) * 1e-9)
    tiny = abs(claimed) * 1e-9
    if qualifier is Qualifier.OVER:  # at or a little above
        return claimed - tiny <= value <= claimed * 1.25 + half
    if qualifier is Qualifier.NEARLY:  # at or a little below
        return claimed * 0.9 - tiny <= value <= claimed + tiny
    if qualifier is Qualifier.UP_TO:  # at most, and not far off
        return claimed * 0.75 - tiny <= value <= claimed + tiny
    return abs(claimed - value) <= max(half, 0.1 * abs(claimed))


def _qualifiers_conflict(claim: Qualifier, evidence: Qualifier) -> bool:
    below = (Qualifier.NEARLY, Qualifier.UP_TO)
    return (claim is Qualifier.OVER and evidence in below) or (claim in below and evidence is Qualifier.OVER)
