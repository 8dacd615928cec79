"""FIG: figures in the headline or summary that the body does not support, and body figures with no source.

Every rule reads figures through `corpuslint.quantities` (the one extractor and normaliser); the per-block
figures and the headline/summary verdicts are computed once per document and shared through `ctx.memo`.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import regex
from pydantic import BaseModel, ConfigDict, Field

from corpuslint.model import Block, Document, Finding, RelatedLocation, Role, Severity
from corpuslint.quantities import Figure, Kind, Qualifier, compatible, extract_figures, may_hold_figures, supports
from corpuslint.rule import DocContext, DocumentRule, Rule
from corpuslint.text import words

# Words that name where a figure comes from. A paragraph holding one of them counts as attributed.
_ATTRIBUTION_WORDS = frozenset(
    """said says saying told tells telling according reported reports reporting reportedly estimated estimates
    estimate announced announces unveiled disclosed discloses revealed reveals showed shows found predicted
    predicts forecast forecasts claim claimed claims allege alleges alleged confirmed confirms stated states added
    noted notes wrote quoted cited argued argues insist insists insisted explained admitted suggested suggests
    warned warns blamed pointed calculated calculates believe believes deny denies denied promised promises
    recommended hope hopes hoped survey surveys study studies poll polls census
    filing filings spokesman spokeswoman spokesperson statement http https www reuters bloomberg afp ons imf oecd
    eurostat nielsen gartner""".split()
)
# A paragraph in the first person is a quotation or a column: its speaker is the source.
_FIRST_PERSON = frozenset("i me my we our i'm i've i'd i'll we're we've we'd we'll".split())
# "data from", "figures released by", "statistics published": a source named through its data.
_DATA_NOUNS = frozenset("data figures statistics numbers research".split())
_DATA_LINKS = frozenset(
    "from by released published compiled show shows showed showing suggest suggested confirmed confirming".split()
)
_STOP_WORDS = frozenset(
    """a an the and or but of in on at to for from by with as is was were be been are has have had it its this that
    these those than then there their they he she his her we our you your i not no so such which who whom what when
    where while after before over under up down out about into more less also said says per cent percent year
    years bn m million billion""".split()
)
# Cheap gate: a block without any of these holds no money, percentage, scaled or comma-grouped count (the
# distinctive figures when counts start at 1,000), so it need not be parsed for FIG004. The marks are a symbol
# or a digit followed by a comma group or a scale (the two halves of one pattern, searched apart: faster).
_MARK_SYMBOLS = "$£€¥₹%"
_DIGIT_MARK_RE = regex.compile(r"\d(?:,\d\d\d|\s?(?:bn|mn|tn|m|k|pc)\b)")
_DISTINCTIVE_WORDS = (
    "illion",
    "thousand",
    "per cent",
    "percent",
    "dollar",
    "pound",
    "euros",
    "yen",
    "yuan",
    "usd",
    "gbp",
    "eur ",
    "jpy",
    "chf",
)
_GATED_MIN_COUNT = 1000
_SENTENCE_BREAK_RE = regex.compile(r"[.!?;](?=\s|[^\W\d_]|$)")
_CONTEXT_WINDOW = 160
_CONVERSION_GLUE = frozenset(["(", ";", ":", "/", "or"])
_QUOTE_MARKS = ('"', "“", "'", "‘", "«")
_NEIGHBOUR_CHARS = 48
_NEIGHBOUR_WORDS = 3
_MIN_COPIED_NEIGHBOURS = 3
_MIN_SHARED_CONTEXT = 2
_MAX_MISMATCH_RATIO = 1000.0  # "m" written for "bn" is a mismatch; "$20.15" against "$16bn" is not
_MAX_DERIVATION_OPERANDS = 40
# A headline's "27bn" may be the body's "$27bn" (see `quantities.compatible`).
_KINDS_THAT_MAY_SUPPORT = {kind: (kind,) for kind in Kind} | {
    Kind.MONEY: (Kind.MONEY, Kind.COUNT),
    Kind.COUNT: (Kind.COUNT, Kind.MONEY),
}
_MAX_CLAIMS = 200
_MAX_EVIDENCE = 1000
_MAX_SENTENCE_SPLIT = 20_000
_DERIVATION_TOLERANCE = 0.02  # relative: two figures summed by chance rarely land this close
_KIND_NAMES = {
    Kind.MONEY: "amount",
    Kind.PERCENT: "percentage",
    Kind.POINTS: "change in percentage points",
    Kind.COUNT: "number",
    Kind.YEAR: "year",
    Kind.DATE: "date",
}


@dataclass(frozen=True, slots=True)
class Placed:
    """A figure and the block it was found in."""

    figure: Figure
    block: Block


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the body says about one headline or summary figure that it does not plainly support."""

    outcome: str  # "missing" | "mismatch" | "derived"
    claim: Placed
    counterparts: tuple[Placed, ...] = ()  # mismatch: the body figure; derived: the two operands
    operation: str = ""  # derived: "sum" | "difference"; missing: "other-currency" when the value is there
    shared_context: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------- shared analysis
def block_figures(ctx: DocContext, block: Block) -> list[Figure]:
    """The figures of one block, extracted once per document (small number words are never needed here)."""
    return ctx.memo(("figures", id(block)), lambda: extract_figures(block.text, small_number_words=False))


def body_figures(doc: Document, ctx: DocContext) -> list[Placed]:
    def compute() -> list[Placed]:
        return [Placed(figure, block) for block in doc.body for figure in block_figures(ctx, block)]

    return ctx.memo("figures.body", compute)


def claim_verdicts(doc: Document, ctx: DocContext) -> list[Verdict]:
    """Verdicts for the headline and summary figures the body does not support (small integers skipped)."""
    return ctx.memo("figures.verdicts", lambda: list(_verdicts(doc, ctx)))


def _verdicts(doc: Document, ctx: DocContext) -> Iterator[Verdict]:
    claims = [
        Placed(figure, block)
        for block in ([doc.headline] if doc.headline is not None else []) + doc.summary
        for figure in block_figures(ctx, block)
        if not figure.is_small_integer
    ][:_MAX_CLAIMS]
    if not claims:
        return
    evidence = body_figures(doc, ctx)
    same_value: dict[tuple, list[Placed]] = {}
    for placed in evidence:
        same_value.setdefault(_value_key(placed.figure), []).append(placed)
    groups_by_kind: dict[Kind, list[list[Placed]]] = {}
    for group in same_value.values():
        groups_by_kind.setdefault(group[0].figure.kind, []).append(group)
    # Bounded work on pathological input: past this many body figures, compare distinct values only.
    small_body = len(evidence) <= _MAX_EVIDENCE
    pool = evidence if small_body else [group[0] for group in same_value.values()]
    neighbours = _Neighbours()
    for claim in claims:
        supporting = [
            group
            for kind in _KINDS_THAT_MAY_SUPPORT[claim.figure.kind]
            for group in groups_by_kind.get(kind, ())
            if supports(claim.figure, group[0].figure)
        ]
        copied = None
        # Summary sentences are often lifted from the body; headlines are written afresh.
        if small_body and claim.block.role is not Role.HEADLINE:
            supporters = [placed for group in supporting for placed in group]
            same_kind = [placed for group in groups_by_kind.get(claim.figure.kind, ()) for placed in group]
            copied = _copied_counterpart(claim, same_kind, supporters, neighbours)
        if copied is not None:
            yield Verdict("mismatch", claim, (copied[1],), shared_context=copied[0])
        elif not supporting:
            yield _judge(claim, pool)


def _value_key(figure: Figure) -> tuple:
    return (figure.kind, figure.unit, figure.value, figure.high, figure.qualifier, figure.step, figure.scaled)


class _Neighbours:
    """The three words on each side of a figure, side-tagged, computed once per figure."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], frozenset[str]] = {}

    def __call__(self, placed: Placed) -> frozenset[str]:
        key = (id(placed.block), placed.figure.start)
        found = self._cache.get(key)
        if found is None:
            text, figure = placed.block.text, placed.figure
            start, end = _sentence_bounds(text, figure, _NEIGHBOUR_CHARS)
            left = words(text[start : figure.start])[-_NEIGHBOUR_WORDS:]
            right = words(text[figure.end : end])[:_NEIGHBOUR_WORDS]
            found = self._cache[key] = frozenset([f"<{w}" for w in left] + [f">{w}" for w in right])
        return found


def _copied_counterpart(
    claim: Placed, evidence: list[Placed], supporters: list[Placed], neighbours: _Neighbours
) -> tuple[tuple[str, ...], Placed] | None:
    """The body figure whose wording around it the claim copies, when it gives a different value: the claim's
    sentence was lifted from the body and its figure changed. A supporter worded as closely wins."""
    wanted = neighbours(claim)
    if len(wanted) < _MIN_COPIED_NEIGHBOURS:
        return None
    closest_supporter = max((len(wanted & neighbours(p)) for p in supporters), default=0)
    if closest_supporter == len(wanted):  # the claim's wording sits around a supporting figure: nothing beats it
        return None
    best: tuple[int, Placed] | None = None
    supporter_ids = {id(p) for p in supporters}
    for placed in evidence:
        if id(placed) in supporter_ids or not _comparable(claim.figure, placed.figure):
            continue
        shared = len(wanted & neighbours(placed))
        if shared >= max(_MIN_COPIED_NEIGHBOURS, closest_supporter + 1) and (best is None or shared > best[0]):
            best = (shared, placed)
    if best is None:
        return None
    shared_words = sorted({w[1:] for w in wanted & neighbours(best[1])})
    return tuple(shared_words), best[1]


def _comparable(claim: Figure, body: Figure) -> bool:
    """Could `body` be the same quantity as `claim` with another value? Same kind and unit; counts both with a
    scale word or both without ("127" is no "2.67m")."""
    if not compatible(claim, body) or body.is_small_integer:
        return False
    low, high = sorted((abs(claim.value), abs(body.value)))
    if high > _MAX_MISMATCH_RATIO * low:  # "$20.15" and "$16bn" are not one quantity
        return False
    return claim.kind is not Kind.COUNT or body.kind is not Kind.COUNT or claim.scaled == body.scaled


def _judge(claim: Placed, evidence: list[Placed]) -> Verdict:
    """Why an unsupported claim is unsupported: derived from two body figures, a different value for the same
    quantity (mismatch), or nothing in the body (missing; noting a same value in another currency)."""
    figure = claim.figure
    derivation = _derivation(figure, evidence)
    if derivation is not None:
        return Verdict("derived", claim, derivation[1:], derivation[0])
    other_currency = [
        p
        for p in evidence
        if p.figure.kind is Kind.MONEY
        and figure.kind is Kind.MONEY
        and p.figure.unit != figure.unit
        and supports(replace(figure, unit=p.figure.unit), p.figure)
    ]
    if other_currency:
        return Verdict("missing", claim, (other_currency[0],), "other-currency")
    candidates = [p for p in evidence if _comparable(figure, p.figure)]
    if candidates:
        wanted = _context_words(claim.block.text, figure)
        scored = [(wanted & _context_words(p.block.text, p.figure), p) for p in candidates]
        shared, best = max(scored, key=lambda item: (len(item[0]), -_relative_difference(figure, item[1].figure)))
        sole = len(candidates) == 1 and figure.kind in (Kind.MONEY, Kind.PERCENT, Kind.POINTS)
        # Many years and dates in one story belong to different events: ask for more shared context.
        needed = _MIN_SHARED_CONTEXT + (figure.kind in (Kind.YEAR, Kind.DATE))
        if len(shared) >= needed or sole:
            return Verdict("mismatch", claim, (best,), shared_context=tuple(sorted(shared)))
    return Verdict("missing", claim)


def _derivation(figure: Figure, evidence: list[Placed]) -> tuple[str, Placed, Placed] | None:
    """("sum" | "difference", a, b) when the claimed value is a + b or |a - b| of two body figures."""
    if figure.kind in (Kind.YEAR, Kind.DATE) or figure.is_range:
        return None
    wanted_kinds = (Kind.PERCENT, Kind.POINTS) if figure.kind is Kind.POINTS else (figure.kind,)
    operands = [
        p
        for p in evidence
        if (p.figure.kind in wanted_kinds or compatible(figure, p.figure))
        and p.figure.kind not in (Kind.YEAR, Kind.DATE)
        and not p.figure.is_range
        and p.figure.qualifier is Qualifier.NONE  # "nearly $900m" is no operand
        and not p.figure.is_small_integer
        and (figure.kind is not Kind.MONEY or p.figure.unit == figure.unit)
    ][:_MAX_DERIVATION_OPERANDS]
    for i, a in enumerate(operands):
        for b in operands[i + 1 :]:
            x, y = a.figure.value, b.figure.value
            if x == y:
                continue
            if _derives(figure, x + y):
                return "sum", a, b
            if _derives(figure, abs(x - y)):
                return "difference", a, b
    return None


def _derives(figure: Figure, result: float) -> bool:
    """Stricter than support: "$2bn" is not "$1.13bn + $642m" even though it rounds to it."""
    diff = abs(figure.value - result)
    return diff <= figure.step / 2 + 1e-9 * abs(result) and diff <= _DERIVATION_TOLERANCE * abs(result)


def _sentence_bounds(text: str, figure: Figure, reach: int) -> tuple[int, int]:
    """Start and end of the sentence around a figure, looking no further than `reach` characters either side;
    full stops glued to the next sentence ("$10.9bn.For the") end sentences too, decimal points do not."""
    left = max(0, figure.start - reach)
    breaks = [m.end() for m in _SENTENCE_BREAK_RE.finditer(text, left, figure.start) if not _is_decimal(text, m)]
    after = _SENTENCE_BREAK_RE.search(text, figure.end, min(len(text), figure.end + reach))
    return (breaks[-1] if breaks else left), (
        after.start() if after is not None else min(len(text), figure.end + reach)
    )


def _context_words(text: str, figure: Figure) -> set[str]:
    """Content words of the sentence around a figure (the figure itself left out), crudely stemmed."""
    start, end = _sentence_bounds(text, figure, _CONTEXT_WINDOW)
    segment = text[start : figure.start] + " " + text[figure.end : end]
    return {_stem(w) for w in words(segment) if w not in _STOP_WORDS and not any(c.isdigit() for c in w)}


def _is_decimal(text: str, match: regex.Match) -> bool:
    at = match.start()
    return 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _relative_difference(a: Figure, b: Figure) -> float:
    x, y = abs(a.value) or 1e-9, abs(b.value) or 1e-9
    return abs(x - y) / max(x, y)


def _part(block: Block) -> str:
    return "headline" if block.role is Role.HEADLINE else "summary"


def _describe(figure: Figure) -> str:
    kind = _KIND_NAMES[figure.kind]
    return f"{kind} in {figure.unit}" if figure.kind is Kind.MONEY and figure.unit else kind


def _figure_evidence(figure: Figure) -> dict[str, str | float]:
    return {
        "kind": figure.kind.value,
        "value": figure.value,
        "unit": figure.unit,
        "qualifier": figure.qualifier.value,
    }


class _ClaimRule(DocumentRule):
    """Shared by the three headline/summary rules: each reports the verdicts with its own outcome."""

    outcome: str

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        for verdict in claim_verdicts(doc, ctx):
            if verdict.outcome == self.outcome:
                yield self.report(doc, verdict)

    def report(self, doc: Document, verdict: Verdict) -> Finding:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------------- rules
class FigureNotInBody(_ClaimRule):
    """A figure in the headline or summary that no figure in the body supports.

    ## What it does
    Extracts every figure (money, percentages, counts, years, dates) from the headline and the summary parts
    (dek, "Key Takeaways"/"Highlights" sections, a JSON `summary` field) and looks for a body figure of the same
    kind and unit with the same value, allowing for rounding ("$1.13bn" supports "$1.1bn") and respecting
    qualifiers ("over $7bn" needs a body value at or a little above $7bn; "nearly" one a little below).
    Conversions are not support: "£600m" in the body does not support "$1.13bn". Small integers
    ("two companies", "3 reasons") are never reported: they match by chance.

    ## Why is this bad?
    Figures are where rewritten and generated news goes wrong first: a summary that invents a year or a
    headline that states an amount the article never gives misinforms every reader who stops at the top.

    ## Example
    ```
    Key Takeaways
      • The deal closed in 2019.          <- FIG001: the body never gives 2019
    ```
    """

    code = "FIG001"
    name = "figure-not-in-body"
    severity = Severity.WARNING
    outcome = "missing"

    def report(self, doc: Document, verdict: Verdict) -> Finding:
        claim, part = verdict.claim.figure, _part(verdict.claim.block)
        message = f'{part.capitalize()} figure "{claim.text}" is not supported by the body: no {_describe(claim)}'
        message += " in the body matches it"
        related: list[RelatedLocation] = []
        other = None
        if verdict.operation == "other-currency":
            other = verdict.counterparts[0]
            message += f'; the body gives "{other.figure.text}", a different currency (a conversion is not support)'
            related.append(_related(doc, other, "the same value in another currency"))
        return self.finding(
            doc.locate_block(verdict.claim.block, claim.start, claim.end),
            message,
            text=claim.text,
            evidence={"part": part, **_figure_evidence(claim), "other_currency": other.figure.text if other else None},
            related=related,
        )


class FigureMismatch(_ClaimRule):
    """A figure in the headline or summary that contradicts the body.

    ## What it does
    For a headline or summary figure the body does not support, finds the body figure of the same kind and unit
    that speaks of the same thing (its sentence shares words with the claim's, or it is the body's only figure
    of that kind) and reports both when their values clearly differ. A summary sentence lifted from the body
    with its figure changed is reported too, even when the new value happens to occur elsewhere in the body:
    the words around the figure (three on each side) match the body's, the value does not.

    ## Why is this bad?
    A headline that rounds "$1.13bn" into "$2bn" states something false about the article under it.

    ## Example
    ```
    Key Takeaways
      • Quarterly profit rose to $2bn.     <- FIG002: the body says "profits ... jumped 76% to $1.13bn"
    ```
    """

    code = "FIG002"
    name = "figure-mismatch"
    severity = Severity.ERROR
    outcome = "mismatch"

    def report(self, doc: Document, verdict: Verdict) -> Finding:
        claim, part = verdict.claim.figure, _part(verdict.claim.block)
        body = verdict.counterparts[0]
        message = (
            f'{part.capitalize()} figure "{claim.text}" contradicts the body, which gives "{body.figure.text}" '
            f"for the same {_describe(claim)}"
        )
        return self.finding(
            doc.locate_block(verdict.claim.block, claim.start, claim.end),
            message,
            text=claim.text,
            evidence={
                "part": part,
                **_figure_evidence(claim),
                "body_figure": body.figure.text,
                "body_value": body.figure.value,
                "shared_context": list(verdict.shared_context),
            },
            related=[_related(doc, body, f'the body gives "{body.figure.text}"')],
        )


class DerivedFigure(_ClaimRule):
    """A figure in the headline or summary that the body only implies (a sum or difference of two body figures).

    ## What it does
    For a headline or summary figure no body figure states, looks for two body figures of the same kind and unit
    whose sum or difference gives it (within the claim's rounding), and reports the derivation.

    ## Why is this bad?
    A derived figure may be right, but nobody stated it: a reader cannot check it against the text, and a wrong
    operand (two figures of different periods) makes it quietly false. Worth a look, not an alarm.

    ## Example
    ```
    Headline: Firm's two units earned $3bn          <- FIG003: "$1.8bn" + "$1.2bn" in the body
    ```
    """

    code = "FIG003"
    name = "derived-figure"
    severity = Severity.INFO
    outcome = "derived"

    def report(self, doc: Document, verdict: Verdict) -> Finding:
        claim, part = verdict.claim.figure, _part(verdict.claim.block)
        a, b = verdict.counterparts
        if a.figure.value < b.figure.value and verdict.operation == "difference":
            a, b = b, a
        sign = "+" if verdict.operation == "sum" else "-"
        result = a.figure.value + b.figure.value if sign == "+" else a.figure.value - b.figure.value
        message = (
            f'{part.capitalize()} figure "{claim.text}" is not stated in the body; it is the {verdict.operation} '
            f'of the body figures "{a.figure.text}" {sign} "{b.figure.text}"'
        )
        return self.finding(
            doc.locate_block(verdict.claim.block, claim.start, claim.end),
            message,
            text=claim.text,
            evidence={
                "part": part,
                **_figure_evidence(claim),
                "operation": verdict.operation,
                "operands": [a.figure.text, b.figure.text],
                "operand_values": [a.figure.value, b.figure.value],
                "result": result,
            },
            related=[_related(doc, a, "first operand"), _related(doc, b, "second operand")],
        )


class UnattributedOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_count: int = Field(
        default=1000,
        ge=0,
        description="plain counts below this are not distinctive (money, percentages and scaled counts always are)",
    )


class UnattributedFigure(DocumentRule):
    """A distinctive figure in the body with no source anywhere in its paragraph.

    ## What it does
    Reports money, percentages and large counts in the body whose sentence and paragraph carry no attribution
    ("said", "according to", "reported", "estimated", "data from", "figures from", a filing, a named data
    source, a link, a quotation) and that no attributed mention elsewhere in the document backs; each value
    once, at its first unattributed mention. Currency conversions in brackets ("$220m (£117m)") go with the
    amount they convert.

    ## Why is this bad?
    An unsourced valuation or statistic cannot be checked; in rewritten or generated text it is often made up or
    carried over from a stale source. Informational by default: it shows on `check` but does not fail CI.

    ## Example
    ```
    Scale AI, a data-labeling powerhouse valued at over $7 billion, ...   <- FIG004 on "over $7 billion"
    ```
    """

    code = "FIG004"
    name = "unattributed-figure"
    severity = Severity.INFO
    Options = UnattributedOptions

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        # Only blocks holding a distinctive figure matter, as suspects or as attributed mentions. Attribution needs
        # no figures: the unattributed blocks are parsed first, and the attributed ones only if they hold a suspect.
        candidates = self._candidate_blocks(doc)
        attributed = [_is_attributed(block, ctx) for block in candidates]
        suspects = [
            Placed(figure, block)
            for block, is_sourced in zip(candidates, attributed, strict=True)
            if not is_sourced
            for figure in self._distinctive_figures(block, ctx)
        ]
        if not suspects:
            return
        sourced = {
            _value_key(figure): figure
            for block, is_sourced in zip(candidates, attributed, strict=True)
            if is_sourced
            for figure in self._distinctive_figures(block, ctx)
        }
        # `supports` needs compatible kinds both ways: only those attributed figures are compared.
        sourced_by_kind: dict[Kind, list[Figure]] = {}
        for figure in sourced.values():
            sourced_by_kind.setdefault(figure.kind, []).append(figure)
        seen: set[tuple] = set()
        for suspect in suspects:
            figure = suspect.figure
            key = _value_key(figure)
            if key in seen:  # one finding per value: its first unattributed mention
                continue
            seen.add(key)
            if any(
                supports(figure, other) or supports(other, figure)
                for kind in _KINDS_THAT_MAY_SUPPORT[figure.kind]
                for other in sourced_by_kind.get(kind, ())
            ):
                continue
            yield self.finding(
                doc.locate_block(suspect.block, figure.start, figure.end),
                f'Figure "{figure.text}" has no attribution: neither its sentence nor its paragraph names a source, '
                "and no attributed mention elsewhere in the document backs it",
                text=figure.text,
                evidence={**_figure_evidence(figure), "sentence": _sentence_of(ctx, suspect.block, figure)},
            )

    def _candidate_blocks(self, doc: Document) -> list[Block]:
        """The body blocks that may hold a distinctive figure (the cheap gate; see `_may_hold_distinctive`)."""
        gate = self.options.min_count >= _GATED_MIN_COUNT
        candidates = []
        for block in doc.body:
            lowered = block.text.lower()
            if may_hold_figures(block.text, lowered) and (not gate or _may_hold_distinctive(block.text, lowered)):
                candidates.append(block)
        return candidates

    def _distinctive_figures(self, block: Block, ctx: DocContext) -> list[Figure]:
        """The distinctive figures of a block, bracketed conversions left out."""
        return [f for f in _without_conversions(block.text, block_figures(ctx, block)) if self._distinctive(f)]

    def _distinctive(self, figure: Figure) -> bool:
        if figure.kind in (Kind.MONEY, Kind.PERCENT, Kind.POINTS):
            return True
        return figure.kind is Kind.COUNT and (figure.scaled or figure.value >= self.options.min_count)


def _may_hold_distinctive(text: str, lowered: str) -> bool:
    for symbol in _MARK_SYMBOLS:  # a plain loop: any() over a generator costs more than these six searches
        if symbol in text:
            return True
    if _DIGIT_MARK_RE.search(text) is not None:
        return True
    return any(word in lowered for word in _DISTINCTIVE_WORDS)


def _without_conversions(text: str, found: list[Figure]) -> Iterator[Figure]:
    """Leave out the conversions that follow an amount: "$220m (£117m)", "86.7bn francs ($74.6bn; £39.1bn)"."""
    previous: Figure | None = None
    for figure in found:
        conversion = (
            previous is not None
            and previous.kind is Kind.MONEY
            and (figure.kind is Kind.MONEY or (figure.kind is Kind.COUNT and figure.scaled))  # "745bn Indian rupees"
            and text[previous.end : figure.start].strip() in _CONVERSION_GLUE
        )
        if not conversion:
            yield figure
        previous = figure


def _is_attributed(block: Block, ctx: DocContext) -> bool:
    tokens = ctx.words(block)
    if not _ATTRIBUTION_WORDS.isdisjoint(tokens) or not _FIRST_PERSON.isdisjoint(tokens):
        return True
    if "](" in block.text or block.text.startswith(_QUOTE_MARKS):  # a markdown link; a quotation
        return True
    return not _DATA_NOUNS.isdisjoint(tokens) and any(
        a in _DATA_NOUNS and b in _DATA_LINKS for a, b in itertools.pairwise(tokens)
    )


def _sentence_of(ctx: DocContext, block: Block, figure: Figure) -> str:
    if len(block.text) > _MAX_SENTENCE_SPLIT:  # a pathological block: a window will do
        start, end = _sentence_bounds(block.text, figure, _CONTEXT_WINDOW)
        return block.text[start:end]
    spans = ctx.sentences(block)
    index = bisect.bisect_right(spans, (figure.start, len(block.text) + 1)) - 1
    if index >= 0 and spans[index][0] <= figure.start < spans[index][1]:
        return block.text[spans[index][0] : spans[index][1]]
    return block.text[max(0, figure.start - _CONTEXT_WINDOW) : figure.end + _CONTEXT_WINDOW]


def _related(doc: Document, placed: Placed, message: str) -> RelatedLocation:
    return RelatedLocation(
        location=doc.locate_block(placed.block, placed.figure.start, placed.figure.end), message=message
    )


RULES: list[type[Rule]] = [FigureNotInBody, FigureMismatch, DerivedFigure, UnattributedFigure]
