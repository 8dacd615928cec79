"""HEAD: headline–body mismatch: a headline from another story, headline terms the body never mentions, and a
paragraph from another story inside the body.

All three rules share one per-document analysis (`analysis`, memoised on the `DocContext`): English content
terms of the headline and of each body block, with the body's copies of the headline left out (a scraper that
repeats the title must not make the title support itself). Term weights are inverse document frequencies: over
the checked corpus for HEAD001, blended with a small built-in table (`data/headline_idf.tsv`, derived from
gensim's Lee corpus) that stands in for a corpus too small to have statistics of its own.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import statistics
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib.resources import files

import numpy as np
import xxhash
from pydantic import BaseModel, ConfigDict, Field

from corpuslint.locate import PackedLocation, pack_location, unpack_location
from corpuslint.model import Block, Document, Finding, Location, RelatedLocation, Role, Severity
from corpuslint.rule import DocContext, DocumentRule, Rule, StatisticsRule
from corpuslint.text import sentences, word_spans, words

STOP_WORDS = frozenset(
    """a about above after again against ago all almost also although am among an and another any are aren't as at
    be became because become been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't done down during each either else even ever every few for from further get gets got
    had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
    how's however i i'd i'll i'm i've if in into is isn't it it's its itself just let let's like made make makes many
    may me might more most much must mustn't my myself near need neither new no nor not now of off often on once one
    only or other others ought our ours ourselves out over own per put quite rather really said same say says see
    seen shall shan't she she'd she'll she's should shouldn't since so some still such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those though through
    thus to too two under until up upon us very via was wasn't way we we'd we'll we're we've well were weren't what
    what's when when's where where's whether which while who who's whom whose why why's will with within without
    won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves""".split()
)
# Function words that may sit inside a name or an acronym's expansion ("Bank of England", "Department of Defense").
_NAME_LINKS = frozenset({"of", "for", "de", "du", "la", "von", "van", "der"})
NAME_JOINERS = frozenset({"of", "and", "for", "the", "on", "de", "du", "la", "le", "von", "van", "der", "&"})
ENGLISH_MIN_STOP_SHARE = 0.2
_STOP_SAMPLE = 300
_MIN_LANGUAGE_SAMPLE = 20
_APOSTROPHE_S = ("'s", "’s")
_ACRONYM_RE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z]{2,6}$")
_JOINED_BY = frozenset({"", "-", " ", "‐", "–"})


# --- terms -------------------------------------------------------------------------------------------------------


def stem(token: str) -> str:
    """Fold possessives and regular plurals: "Pentagon's" -> "pentagon", "companies" -> "company", "profits" ->
    "profit". Deliberately light: no other suffixes, so names survive."""
    if token.endswith(_APOSTROPHE_S):
        token = token[:-2]
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


# Per-process caches: token -> content term ("" for a stop word, number or single character), term -> id, and
# token -> id (0 for no content term).
_TERMS: dict[str, str] = {}
_IDS: dict[str, int] = {}
_CACHE_LIMIT = 500_000
# Terms are cut to their first 6 letters, a crude but robust stemmer for matching ("squabbles" / "squabbling",
# "defeatism" / "defeat"): on FNC-1 it keeps accuracy and cuts false alarms on BBC headlines by about a third.
TERM_PREFIX = 6


def _term(token: str) -> str:
    if token in STOP_WORDS or len(token) < 2 or token.isdigit():
        return ""
    return stem(token)[:TERM_PREFIX]


def content_terms(tokens: Sequence[str]) -> list[str]:
    """Content terms of lower-cased tokens (stemmed, cut to TERM_PREFIX letters): stop words, single characters and
    plain numbers dropped."""
    cache = _TERMS
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    for token in set(tokens).difference(cache):
        cache[token] = _term(token)
    return [term for term in map(cache.__getitem__, tokens) if term]


class _TokenIds(dict):
    """token -> term id (0 for no content term), filled on lookup: a token seen before costs one C-level lookup,
    a new one a call of `__missing__`, and a document needs no second pass over its tokens for its new ones."""

    def __missing__(self, token: str) -> int:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        term = _term(token)
        value = self[token] = term_id(term) if term else 0
        return value


_TOKEN_IDS = _TokenIds()


def token_ids(tokens: Sequence[str]) -> np.ndarray:
    """The term id of each lower-cased token, 0 where it is no content term (the per-document hot path)."""
    return np.fromiter(map(_TOKEN_IDS.__getitem__, tokens), dtype=np.uint32, count=len(tokens))


def term_id(term: str) -> int:
    """A 32-bit id that is the same in every process (Python's `hash` is salted per process)."""
    return xxhash.xxh32_intdigest(term.encode("utf-8", "surrogatepass"))


def _sorted_ids(ids: list[int]) -> np.ndarray:
    """Unique sorted ids; faster than `np.unique` for the few ids of a headline or lead."""
    return np.array(sorted(set(ids)), dtype=np.uint32)


def term_ids(terms: Iterable[str]) -> np.ndarray:
    cache = _IDS
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    terms = list(terms)
    for term in set(terms).difference(cache):
        cache[term] = term_id(term)
    return np.fromiter(map(cache.__getitem__, terms), dtype=np.uint32, count=len(terms))


@dataclass(frozen=True, eq=False)
class FallbackTable:
    """Document frequencies of a reference corpus, used where the checked corpus is too small."""

    documents: int
    ids: np.ndarray  # sorted uint32 term ids
    frequencies: np.ndarray  # document frequency of each id
    by_term: dict[str, int]

    @functools.cached_property
    def idf_by_term(self) -> dict[str, float]:
        return {t: math.log((self.documents + 1) / (df + 1)) + 1 for t, df in self.by_term.items()}

    @property
    def unseen_idf(self) -> float:
        return math.log(self.documents + 1) + 1

    def document_share(self, ids: np.ndarray) -> np.ndarray:
        """The share of reference documents holding each id (0 for unknown ids)."""
        pos, hit = _lookup(self.ids, ids)
        return np.where(hit, self.frequencies[pos], 0) / self.documents


@functools.cache
def fallback_table() -> FallbackTable:
    """The built-in table, read once per process. Format: `# documents N` then `term<TAB>df` lines."""
    text = files("corpuslint").joinpath("data/headline_idf.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    documents = int(lines[0].split()[-1])
    by_term = {term: int(df) for term, df in (line.split("\t") for line in lines[1:] if line)}
    pairs = sorted((term_id(t), df) for t, df in by_term.items())
    ids = np.array([p[0] for p in pairs], dtype=np.uint32)
    frequencies = np.array([p[1] for p in pairs], dtype=np.float64)
    return FallbackTable(documents, ids, frequencies, by_term)


def idf(shares: np.ndarray, corpus_df: np.ndarray, corpus_documents: int, prior_weight: float) -> np.ndarray:
    """IDF from the corpus's document frequencies blended with the fallback table's (`shares`, from
    `FallbackTable.document_share`): the table acts as `prior_weight` pseudo-documents, so a corpus of a few
    documents leans on the table and a large corpus on itself."""
    return np.log((corpus_documents + prior_weight + 1) / (corpus_df + shares * prior_weight + 1)) + 1


# --- per-document analysis ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """What every HEAD rule needs from one English document with a headline."""

    headline: Block
    headline_terms: list[str]
    blocks: list[Block]  # body blocks, the headline's copies left out
    body_tokens: list[str]  # every lower-cased body token, in order
    body_ids: np.ndarray  # the term id of every body content term, in order
    block_bounds: list[int]  # block i's term ids are body_ids[block_bounds[i]:block_bounds[i + 1]]

    def block_ids(self, index: int) -> np.ndarray:
        return self.body_ids[self.block_bounds[index] : self.block_bounds[index + 1]]

    @functools.cached_property
    def headline_ids(self) -> np.ndarray:
        """The term id of each of `headline_terms`, in order."""
        return term_ids(self.headline_terms)

    @functools.cached_property
    def vocabulary(self) -> BodyVocabularyIds:
        ids, columns, counts = unique_counts(self.body_ids)
        return BodyVocabularyIds(ids, counts, columns, fallback_table().document_share(ids))


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True, return_counts=True)` for a 1-D array: the same arrays, a third
    faster on the few hundred ids of a body (np.unique's own overhead is much of its cost there)."""
    order = values.argsort()
    ordered = values[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(values), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse, np.bincount(inverse)


@dataclass(frozen=True)
class BodyVocabularyIds:
    """The body's distinct term ids (sorted), their counts, each body term's column, and built-in table shares."""

    ids: np.ndarray
    counts: np.ndarray
    columns: np.ndarray
    shares: np.ndarray


def _repeats_headline(tokens: list[str], headline_words: set[str]) -> bool:
    """A body block that is the headline again (word-set Jaccard >= 0.8, as DUP001 counts a near repeat)."""
    if len(tokens) > 2 * len(headline_words) + 2:
        return False
    words_here = set(tokens)
    return len(words_here & headline_words) / max(1, len(words_here | headline_words)) >= 0.8


def _is_english(token_ids: np.ndarray) -> bool:
    """English enough for the stop words, plurals and IDF table: enough tokens of the sample are English stop words
    (or numbers and single letters, which are rare outside them). Too few tokens to tell counts as English."""
    sample = token_ids[:_STOP_SAMPLE]
    if len(sample) < _MIN_LANGUAGE_SAMPLE:
        return True
    return np.count_nonzero(sample == 0) / len(sample) >= ENGLISH_MIN_STOP_SHARE


def _analyse(doc: Document, ctx: DocContext) -> Analysis | None:
    headline = doc.headline
    if headline is None or (doc.lang and not doc.lang.lower().startswith("en")):
        return None
    headline_tokens = ctx.words(headline)
    headline_words = set(headline_tokens)
    longest_repeat = 2 * len(headline_words) + 2  # `_repeats_headline` is False for longer blocks
    blocks, block_tokens = [], []
    for block in doc.body:
        tokens = ctx.words(block)
        if len(tokens) > longest_repeat or not _repeats_headline(tokens, headline_words):
            blocks.append(block)
            block_tokens.append(tokens)
    body_tokens = list(itertools.chain.from_iterable(block_tokens))
    per_token = token_ids(body_tokens)
    if not _is_english(per_token):
        return None
    is_term = per_token != 0
    terms_before = np.zeros(len(per_token) + 1, dtype=np.intp)  # content terms before each token
    np.cumsum(is_term, out=terms_before[1:])
    token_bounds = list(itertools.accumulate(map(len, block_tokens), initial=0))
    return Analysis(
        headline=headline,
        headline_terms=content_terms(headline_tokens),
        blocks=blocks,
        body_tokens=body_tokens,
        body_ids=per_token[is_term],
        block_bounds=terms_before[token_bounds].tolist(),
    )


def analysis(doc: Document, ctx: DocContext) -> Analysis | None:
    """The shared analysis, or None for a document without a headline or not in English."""
    return ctx.memo("head-analysis", lambda: _analyse(doc, ctx))


def _best_sentence(doc: Document, found: Analysis, weights: dict[str, float]) -> tuple[Location, int] | None:
    """The body sentence sharing the most headline weight (searched in the best paragraph only, to stay cheap),
    and how many headline terms it shares."""
    if not found.blocks:
        return None
    # Sums of floats over sets, whose order changes with the process's string hash seed: `math.fsum` rounds the
    # exact sum, so the choice (and the report) is the same in every run.
    id_weights = {term_id(t): w for t, w in weights.items()}
    scores = [
        math.fsum(id_weights[i] for i in id_weights.keys() & set(found.block_ids(b).tolist()))
        for b in range(len(found.blocks))
    ]
    block = found.blocks[max(range(len(scores)), key=lambda i: (scores[i], -i))]
    best: tuple[float, int, int, int] = (-1.0, 0, 0, len(block.text))
    for start, end in sentences(block.text):
        shared = set(content_terms(words(block.text[start:end]))) & weights.keys()
        score = math.fsum(weights[t] for t in shared)
        if score > best[0]:
            best = (score, len(shared), start, end)
    return doc.locate_block(block, best[2], best[3]), best[1]


# --- HEAD001 --------------------------------------------------------------------------------------------------------


class OffTopicOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    threshold: float = Field(
        default=0.6, gt=0, lt=1, description="report when the off-topic score (0..1, calibrated on FNC-1) is >= this"
    )
    min_headline_terms: int = Field(default=2, ge=1, description="skip headlines with fewer content terms")
    min_body_terms: int = Field(default=5, ge=1, description="skip bodies with fewer content terms")
    prior_documents: float = Field(
        default=300.0,
        ge=0,
        description="weight of the built-in IDF table, in documents, against the corpus's own document frequencies",
    )


_TERM_SIZES = struct.Struct("<III")


@dataclass(frozen=True, slots=True)
class HeadlineSignature:
    """Compact per-document input of HEAD001: hashed term ids in one buffer (about 2 KB for a 600-word story), no
    body text; the headline and two locations are added only for a document that could be reported."""

    # the sizes of the three id arrays (uint32 each); the ids: the headline's (unique, sorted), the body's (unique,
    # sorted) and the lead's (first LEAD_TERMS body terms; unique, sorted); then a uint16 count per body id
    terms: bytes
    body_key: int  # identifies the body, so each distinct body counts once in document frequencies
    headline_term_count: int
    # Only for a document that could be reported (see LOCATE_GATE); locating costs more than all the rest.
    headline: PackedLocation | None = None
    headline_text: str = ""  # the finding's matched text (keeps fingerprints stable when scores move)
    best_sentence: PackedLocation | None = None
    best_shared: int = 0

    @staticmethod
    def pack_terms(
        headline_ids: np.ndarray, body_ids: np.ndarray, body_counts: np.ndarray, lead_ids: np.ndarray
    ) -> bytes:
        ids = np.concatenate([headline_ids, body_ids, lead_ids]).astype(np.uint32)
        sizes = _TERM_SIZES.pack(len(headline_ids), len(body_ids), len(lead_ids))
        return sizes + ids.tobytes() + body_counts.astype(np.uint16).tobytes()

    def _ids(self, part: int) -> np.ndarray:
        sizes = _TERM_SIZES.unpack_from(self.terms)
        return np.frombuffer(self.terms, np.uint32, sizes[part], _TERM_SIZES.size + 4 * sum(sizes[:part]))

    @property
    def headline_ids(self) -> np.ndarray:
        return self._ids(0)

    @property
    def body_ids(self) -> np.ndarray:
        return self._ids(1)

    @property
    def lead_ids(self) -> np.ndarray:
        return self._ids(2)

    @property
    def body_counts(self) -> np.ndarray:
        sizes = _TERM_SIZES.unpack_from(self.terms)
        return np.frombuffer(self.terms, np.uint16, sizes[1], _TERM_SIZES.size + 4 * sum(sizes))


LEAD_TERMS = 40
# A headline whose score as a corpus of one (built-in IDF table only) is below this is clearly related to its
# body: it is never reported, so its locations are not computed. Both views must agree before a finding.
LOCATE_GATE = 0.05
# Calibration of the off-topic score: a logistic model over three relatedness features, fitted once on the FNC-1
# training split and frozen (rounded). `bench/eval_headlines.py --fit` refits it on the current features for
# comparison: a refit leans on the cosine alone and raises false alarms on BBC headlines, so the frozen weights
# stay. The default threshold, 0.6, asks for better than even odds of "unrelated" on FNC-1, whose pairs are 73%
# unrelated; it keeps false alarms on real headlines (BBC) under 2%.
_BIAS, _W_COSINE, _W_BM25, _W_LEAD = 5.2, -9.5, -6.0, -5.9
_BM25_K1, _BM25_B = 1.2, 0.75


@dataclass(frozen=True)
class Relatedness:
    cosine: float  # TF-IDF cosine of headline and body (sublinear tf)
    bm25: float  # BM25 of the headline over the body, normalised to 0..1 by its maximum
    lead_recall: float  # IDF-weighted share of headline terms found in the lead
    score: float  # calibrated off-topic probability


@dataclass(frozen=True)
class HeadlineTermStats:
    """Per headline term: its IDF, its frequency in the body, its weight in the body vector, whether in the lead."""

    idf: list[float]
    tf: list[float]
    body_weight: list[float]
    in_lead: list[bool]


def combine(terms: HeadlineTermStats, body_norm: float, length_ratio: float) -> Relatedness:
    """The three features and the calibrated off-topic score (the one place that defines them)."""
    idf_sum = sum(terms.idf) or 1.0
    head_norm = math.sqrt(sum(w * w for w in terms.idf)) or 1.0
    cosine = sum(i * b for i, b in zip(terms.idf, terms.body_weight, strict=True)) / (head_norm * body_norm or 1.0)
    length_norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * length_ratio)
    bm25 = sum(i * f / (f + length_norm) for i, f in zip(terms.idf, terms.tf, strict=True)) / idf_sum
    lead_recall = sum(i for i, lead in zip(terms.idf, terms.in_lead, strict=True) if lead) / idf_sum
    z = _BIAS + _W_COSINE * math.sqrt(max(cosine, 0.0)) + _W_BM25 * bm25 + _W_LEAD * lead_recall
    return Relatedness(cosine, bm25, lead_recall, 1 / (1 + math.exp(-z)))


def relatedness(sig: HeadlineSignature, head_idf: np.ndarray, body_idf: np.ndarray, length_ratio: float) -> Relatedness:
    """The document's relatedness given IDFs of its headline and body terms and its length over the average."""
    pos, hit = _lookup(sig.body_ids, sig.headline_ids)
    body_weights = (1 + np.log(sig.body_counts)) * body_idf
    stats = HeadlineTermStats(
        idf=head_idf.tolist(),
        tf=np.where(hit, sig.body_counts[pos], 0).tolist(),
        body_weight=np.where(hit, body_weights[pos], 0.0).tolist(),
        in_lead=_lookup(sig.lead_ids, sig.headline_ids)[1].tolist(),
    )
    return combine(stats, math.sqrt(float(body_weights @ body_weights)), length_ratio)


def _lookup(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `ids` in `sorted_ids` and whether each is there (faster than `np.isin` for small arrays)."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=np.intp), np.zeros(len(ids), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return pos, sorted_ids[pos] == ids


def alone_relatedness(sig: HeadlineSignature, prior_documents: float, body_shares: np.ndarray) -> Relatedness:
    """The document's relatedness as a corpus of one: the built-in IDF table and the document itself
    (`body_shares`: the table's document shares of `sig.body_ids`)."""
    head_shares = fallback_table().document_share(sig.headline_ids)
    held = _lookup(sig.body_ids, sig.headline_ids)[1]
    body_idf = idf(body_shares, np.ones(len(body_shares)), 1, prior_documents)
    return relatedness(sig, idf(head_shares, held, 1, prior_documents), body_idf, 1.0)


@dataclass(frozen=True)
class BodyStatistics:
    """HEAD001's corpus statistics: document frequencies over the distinct bodies, their number and total length."""

    vocabulary: np.ndarray  # sorted unique term ids
    df: np.ndarray  # number of distinct bodies holding each term
    bodies: int
    length: int  # sum of the distinct bodies' lengths in content terms


class OffTopicHeadline(StatisticsRule):
    """The headline is about another story than the body.

    ## What it does
    Scores how unrelated the headline is to its body: a TF-IDF cosine of headline and body, a BM25 recall of the
    headline's terms in the body and the share of them in the lead (the first 40 content terms), combined by a
    logistic model into one off-topic score between 0 and 1 (a calibrated probability, fitted on FNC-1). Reports
    scores at or above `threshold` (0.6), with the score, the threshold and the best-matching body sentence.

    Term weights are inverse document frequencies over the checked corpus (each distinct body counted once),
    blended with a built-in table from a 300-article news corpus that dominates while the corpus is small, so a
    single document is judged too.

    Skipped: documents without a headline, not in English (a `lang` other than `en*`, or too few English stop
    words in the body), headlines with fewer than 2 content terms and bodies with fewer than 5.

    ## Why is this bad?
    A scraper that pairs one page's title with another page's text teaches a model headlines that say nothing
    about the story, and breaks every headline-generation or retrieval benchmark built from the corpus.

    ## Example
    ```
    Apple unveils a smaller iPhone               <- HEAD001: off-topic score 0.97 >= 0.60
    Floods forced thousands of people in Gaza to leave their homes on Sunday after ...
    ```
    """

    code = "HEAD001"
    name = "off-topic-headline"
    severity = Severity.WARNING
    Options = OffTopicOptions

    def signature(self, doc: Document, ctx: DocContext) -> HeadlineSignature | None:
        found = analysis(doc, ctx)
        if found is None:
            return None
        headline_terms = set(found.headline_terms)
        if len(headline_terms) < self.options.min_headline_terms or len(found.body_ids) < self.options.min_body_terms:
            return None
        vocabulary = found.vocabulary
        body_ids, body_counts = vocabulary.ids, np.minimum(vocabulary.counts, 65535).astype(np.uint16)
        headline_ids = _sorted_ids(found.headline_ids.tolist())
        lead_ids = _sorted_ids(found.body_ids[:LEAD_TERMS].tolist())
        sig = HeadlineSignature(
            terms=HeadlineSignature.pack_terms(headline_ids, body_ids, body_counts, lead_ids),
            body_key=xxhash.xxh3_64_intdigest(body_ids.tobytes() + body_counts.tobytes()),
            headline_term_count=len(headline_terms),
        )
        if alone_relatedness(sig, self.options.prior_documents, vocabulary.shares).score < LOCATE_GATE:
            return sig
        table = fallback_table()
        best = _best_sentence(doc, found, {t: _local_idf(table, t) for t in headline_terms})
        return replace(
            sig,
            headline=pack_location(doc.locate_block(found.headline), snippet=True),
            headline_text=found.headline.text,
            best_sentence=pack_location(best[0], snippet=True) if best else None,
            best_shared=best[1] if best else 0,
        )

    def reportable(self, signature: HeadlineSignature) -> bool:
        return signature.headline is not None  # located only when it passed LOCATE_GATE; never reported otherwise

    def distinct_key(self, signature: HeadlineSignature) -> int:
        return signature.body_key

    def statistics(self, distinct: Sequence[HeadlineSignature]) -> BodyStatistics:
        if not distinct:
            return BodyStatistics(np.empty(0, np.uint32), np.empty(0, np.int64), 0, 0)
        vocabulary, df = np.unique(np.concatenate([s.body_ids for s in distinct]), return_counts=True)
        return BodyStatistics(vocabulary, df, len(distinct), sum(int(s.body_counts.sum()) for s in distinct))

    def merge(self, parts: Sequence[BodyStatistics]) -> BodyStatistics:
        if len(parts) == 1:
            return parts[0]
        vocabulary, inverse = np.unique(np.concatenate([p.vocabulary for p in parts]), return_inverse=True)
        df = np.zeros(len(vocabulary), np.int64)
        np.add.at(df, inverse, np.concatenate([p.df for p in parts]))
        return BodyStatistics(vocabulary, df, sum(p.bodies for p in parts), sum(p.length for p in parts))

    def check_with(self, statistics: BodyStatistics, signatures: Sequence[HeadlineSignature]) -> Iterator[Finding]:
        for sig, related in zip(signatures, self.features(signatures, statistics), strict=True):
            if related.score >= self.options.threshold and sig.headline is not None:
                yield self._finding(sig, related)

    def features(
        self, signatures: Sequence[HeadlineSignature], statistics: BodyStatistics | None = None
    ) -> list[Relatedness]:
        """Each document's relatedness, with IDF over the corpus's distinct bodies (`statistics`; default: those
        of `signatures`) blended with the built-in table."""
        if not signatures:
            return []
        if statistics is None:
            statistics = self.corpus_statistics(signatures)
        vocabulary, df, bodies = statistics.vocabulary, statistics.df, statistics.bodies
        average_length = statistics.length / bodies
        table, prior = fallback_table(), self.options.prior_documents
        corpus_idf = idf(table.document_share(vocabulary), df, bodies, prior)
        headline_ids = np.unique(np.concatenate([s.headline_ids for s in signatures]))
        pos, seen = _lookup(vocabulary, headline_ids)
        headline_df = np.where(seen, df[pos], 0)
        headline_idf = idf(table.document_share(headline_ids), headline_df, bodies, prior)
        return [
            relatedness(
                sig,
                headline_idf[np.searchsorted(headline_ids, sig.headline_ids)],
                corpus_idf[np.searchsorted(vocabulary, sig.body_ids)],
                float(sig.body_counts.sum()) / max(average_length, 1.0),
            )
            for sig in signatures
        ]

    def _finding(self, sig: HeadlineSignature, related: Relatedness) -> Finding:
        assert sig.headline is not None
        threshold = self.options.threshold
        notes = []
        if sig.best_sentence is not None:
            shared = f"shares {sig.best_shared} of {sig.headline_term_count} headline terms"
            best = unpack_location(sig.best_sentence)
            notes.append(RelatedLocation(location=best, message=f"best-matching body sentence ({shared})"))
        return self.finding(
            unpack_location(sig.headline),
            f"Headline looks off-topic for its body: off-topic score {related.score:.2f} >= {threshold:.2f} "
            f"(TF-IDF cosine {related.cosine:.2f}, headline terms in body {related.bm25:.2f}, "
            f"in lead {related.lead_recall:.2f})",
            text=sig.headline_text,
            evidence={
                "score": round(related.score, 4),
                "threshold": threshold,
                "cosine": round(related.cosine, 4),
                "bm25_recall": round(related.bm25, 4),
                "lead_recall": round(related.lead_recall, 4),
            },
            related=notes,
        )


def _local_idf(table: FallbackTable, term: str) -> float:
    """IDF from the built-in table alone (for per-document choices such as the best-matching sentence)."""
    return table.idf_by_term.get(term, table.unseen_idf)


# --- HEAD002 --------------------------------------------------------------------------------------------------------


class UnsupportedTermsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_body_terms: int = Field(default=30, ge=1, description="skip bodies with fewer content terms")
    common_word_documents: int = Field(
        default=3,
        ge=1,
        description="in a Title Case headline, a capitalised word found in at least this many documents of the "
        "built-in reference table counts as an ordinary word, not a name",
    )


@dataclass(frozen=True)
class HeadlineTerm:
    """A name, acronym or other headline term: its tokens' spans in the headline and lower-cased forms."""

    spans: list[tuple[int, int]]
    tokens: list[str]
    acronym: bool

    @property
    def span(self) -> tuple[int, int]:
        return self.spans[0][0], self.spans[-1][1]


# Names that readers resolve without the body spelling them out: countries and their adjectives or short forms.
PLACE_ALIASES: dict[str, tuple[str, ...]] = {
    "uk": ("britain", "british", "united kingdom", "england", "scotland", "wales", "english", "scottish", "welsh"),
    "gb": ("britain", "british", "great britain"),
    "britain": ("uk", "british"),
    "british": ("uk", "britain"),
    "us": ("america", "american", "united states", "usa", "u s"),
    "usa": ("us", "america", "american", "united states"),
    "america": ("us", "usa", "american"),
    "american": ("us", "usa", "america"),
    "eu": ("europe", "european", "european union"),
    "french": ("france",),
    "dutch": ("netherlands", "holland"),
    "aussie": ("australia", "australian"),
    "swiss": ("switzerland",),
    "kiwi": ("new zealand",),
    "irish": ("ireland",),
    "scots": ("scotland", "scottish"),
    "welsh": ("wales",),
    "english": ("england",),
    "spanish": ("spain",),
    "greek": ("greece",),
    "chinese": ("china",),
    "german": ("germany",),
    "danish": ("denmark",),
    "swedish": ("sweden",),
    "norwegian": ("norway",),
    "finnish": ("finland",),
    "polish": ("poland",),
    "turkish": ("turkey",),
}
# Capitalised words that are not names: days and months, and their abbreviations.
NOT_NAMES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun january
    february march april june july august september october november december jan feb mar apr jun jul aug sep sept
    oct nov dec""".split()
)
_LABEL_RE = re.compile(r"^\s*(?:[^\W\d_][\w'’-]*\s+){0,2}[^\W\d_][\w'’-]*\s*:\s")
_MIN_PREFIX = 4
_MAX_ABBREVIATION = 4


class BodyVocabulary:
    """Lookups of headline terms in the body after normalisation: case, possessives, plurals, hyphens and spacing
    ("TimeWarner" / "Time Warner"), derived forms ("Egypt" / "Egyptian"), abbreviations ("Utd" / "United") and
    acronyms of body word runs ("DoD" / "Department of Defense")."""

    def __init__(self, tokens: list[str]) -> None:
        self.token_list = tokens
        self._sorted: list[str] | None = None

    @functools.cached_property
    def tokens(self) -> set[str]:
        return set(self.token_list)

    @functools.cached_property
    def joined(self) -> str:
        """The body's tokens as one space-separated string, for phrase lookups."""
        return f" {' '.join(self.token_list)} "

    def has_token(self, token: str) -> bool:
        """`token in self.tokens`, found by one substring search: cheaper than building the set when a headline's
        few terms are all in the body, the usual case (tokens hold no spaces, so a match is a whole token)."""
        return f" {token} " in self.joined if token and " " not in token else token in self.tokens

    def has_word(self, token: str) -> bool:
        base = stem(token)
        forms = (token, base, base + "s", base + "es", base + "'s", base + "’s", token + "'s", token + "’s")
        return any(form in self.tokens for form in forms) or (base.endswith("y") and base[:-1] + "ies" in self.tokens)

    def has_phrase(self, tokens: list[str]) -> bool:
        return f" {' '.join(tokens)} " in self.joined

    def has_split(self, token: str) -> bool:
        """A one-word headline term written as two words in the body ("timewarner" -> "time warner")."""
        return any(
            self.has_phrase([token[:i], token[i:]]) for i in range(2, len(token) - 1) if token[:i] in self.tokens
        )

    def has_alias(self, token: str) -> bool:
        aliases = [alias.split() for alias in PLACE_ALIASES.get(token, ())]
        return any(self.has_word(a[0]) if len(a) == 1 else self.has_phrase(a) for a in aliases)

    def _starting_with(self, prefix: str) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.tokens)
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        return self._sorted[start:end]

    def has_derived(self, token: str) -> bool:
        """A body word that the name is a prefix of, or that is most of the name, both at least 4 letters
        ("Egypt" / "Egyptian", "Euro" / "Europe", "Scots" / "Scotland"; not "high" / "Highland")."""
        base = stem(token)
        if len(base) < _MIN_PREFIX:
            return False
        shortest = max(_MIN_PREFIX, math.ceil(0.6 * len(base)))
        return any(
            word.startswith(base) or (len(word) >= shortest and base.startswith(word))
            for word in self._starting_with(base[:_MIN_PREFIX])
        )

    def has_abbreviated(self, token: str) -> bool:
        """A short name that abbreviates a longer body word: same first letter, its letters in order ("Utd")."""
        if len(token) > _MAX_ABBREVIATION:
            return False
        return any(len(word) > len(token) and _in_order(token, word) for word in self._starting_with(token[0]))

    def has_acronym(self, acronym: str) -> bool:
        """A run of body words whose initials spell the acronym, with or without joiners ("of", "and")."""
        tokens, size = self.token_list, len(acronym)
        for start, first in enumerate(tokens):
            if first[0] != acronym[0]:
                continue
            with_joiners = without = ""
            for word in tokens[start : start + 2 * size]:
                with_joiners += word[0]
                if word not in NAME_JOINERS:
                    without += word[0]
                if acronym in (with_joiners, without):
                    return True
                if len(without) >= size:
                    break
        return False


def _in_order(letters: str, word: str) -> bool:
    rest = iter(word)
    return all(letter in rest for letter in letters)


def headline_terms(headline: str, is_common: Callable[[str], bool]) -> list[HeadlineTerm]:
    """The names and acronyms of a headline, adjacent name words merged ("Dario Amodei", "Bank of England").

    In sentence case, every capitalised word after the first is a name, and the first one too when it starts a
    longer name ("Tony Blair"); in Title Case (or all capitals) only the capitalised words that are not ordinary
    words (`is_common`) are. A leading label ("Profile:", "DVD review:") is not part of the claim."""
    label = _LABEL_RE.match(headline)
    spans = word_spans(headline)
    if label:
        spans = [span for span in spans if span[0] >= label.end()]
    raw = [headline[s:e] for s, e in spans]
    lowered = [w.lower() for w in raw]
    letters = [w for w, low in zip(raw, lowered, strict=True) if w[0].isalpha() and low not in STOP_WORDS]
    title_case = len(letters) >= 3 and sum(w[0].isupper() for w in letters) >= 0.8 * len(letters)
    all_caps = bool(letters) and all(w.isupper() for w in letters)
    terms: list[HeadlineTerm] = []
    for word, low, span in zip(raw, lowered, spans, strict=True):
        if low in STOP_WORDS or low in NOT_NAMES or len(low) < 2 or not word[0].isalpha():
            continue
        if not all_caps and len(word) <= 6 and _ACRONYM_RE.match(word):  # the pattern takes at most 6 letters
            terms.append(HeadlineTerm([span], [low], True))
            continue
        if not word[0].isupper() or ((title_case or all_caps) and is_common(low)):
            continue
        previous = terms[-1] if terms else None
        if previous and not previous.acronym and _adjacent(headline, previous.spans[-1], span):
            terms[-1] = HeadlineTerm([*previous.spans, span], [*previous.tokens, low], False)
        else:
            terms.append(HeadlineTerm([span], [low], False))
    if title_case or all_caps:
        return terms
    # In sentence case the first word is capitalised anyway: alone it is no evidence of a name.
    return [t for t in terms if t.acronym or len(t.spans) > 1 or t.spans[0] != spans[0]]


def _adjacent(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """Next to each other, or joined as in "Bank of England"."""
    between = text[left[1] : right[0]]
    return between in _JOINED_BY or (between.startswith(" ") and between.strip().lower() in _NAME_LINKS)


def _supported_word(token: str, body: BodyVocabulary) -> bool:
    return (
        body.has_word(token)
        or body.has_alias(token)
        or body.has_derived(token)
        or body.has_abbreviated(token)
        or (len(token) >= 6 and body.has_split(token))
    )


def is_supported(term: HeadlineTerm, headline: str, body: BodyVocabulary) -> bool:
    """A term is supported when any of its words is in the body (a surname stands for the full name), when its
    words run together or apart as in the body, or when it is an acronym of body words or vice versa."""
    if term.acronym:
        acronym = term.tokens[0]
        if acronym.endswith("s") and headline[term.spans[0][1] - 1] == "s":  # "MPs", "PCs"
            acronym = acronym[:-1]
        return body.has_word(term.tokens[0]) or body.has_alias(acronym) or body.has_acronym(acronym)
    if any(_supported_word(t, body) for t in term.tokens):
        return True
    if len(term.tokens) > 1 and "".join(term.tokens) in body.tokens:
        return True
    if len(term.tokens) < 2:
        return False
    every_word = words(headline[slice(*term.span)])
    with_joiners = "".join(w[0] for w in every_word)
    return with_joiners in body.tokens or "".join(t[0] for t in term.tokens) in body.tokens


def _hyphen_joined(headline: str, spans: list[tuple[int, int]], body: BodyVocabulary) -> set[tuple[int, int]]:
    """Spans of headline words that, glued to a neighbour they touch or hyphenate ("e-mail"), form a body word."""
    joined = set()
    for left, right in itertools.pairwise(spans):
        pair = headline[left[0] : left[1]] + headline[right[0] : right[1]]
        if headline[left[1] : right[0]] in {"", "-", "‐"} and pair.lower() in body.tokens:
            joined.update({left, right})
    return joined


class UnsupportedHeadlineTerms(DocumentRule):
    """A name, organisation, place or acronym in the headline that the body never mentions.

    ## What it does
    Takes the headline's names and acronyms (capitalised words after the first in sentence-case headlines, the
    first too when it starts a longer name; in Title Case headlines only capitalised words that are not ordinary
    English words; a leading label such as "Profile:" and days and months are left out) and reports each one that
    occurs nowhere in the body: one finding per missing term, underlining its exact span in the headline.

    Before a term counts as missing it is normalised: case, possessives ("Pentagon's"), plurals, hyphens and
    spacing ("TimeWarner" / "Time Warner", "e-mail" / "email"), a surname standing for a full name, derived forms
    ("Egypt" / "Egyptian"), abbreviations ("Utd" / "United"), country short forms ("UK" / "British"), and
    acronyms the body spells out ("DoD" / "Department of Defense (DoD)", "MPs" / "members of parliament", and the
    other way round). Body blocks that repeat the headline do not count as support.

    Ordinary lower-case words are not checked: punchy headlines paraphrase ("Ad sales boost Time Warner profit"),
    and on BBC headlines 39% have a content word that their body never uses.

    Skipped: documents without a headline, not in English, or with fewer than 30 content terms in the body.

    ## Why is this bad?
    A headline that names a person, company or place the story never mentions claims something the text does not
    support: a model trained on the pair learns to invent the claim.

    ## Example
    ```
    Anthropic CEO Dario Amodei could still be trying to make a deal with Pentagon
              ^^^ HEAD002: headline term "CEO" occurs nowhere in the body
                  ^^^^^^^^^^^^ HEAD002: headline term "Dario Amodei" occurs nowhere in the body
    ```
    One finding per term, so each gets its own caret, fingerprint and `ignore` entry.
    """

    code = "HEAD002"
    name = "unsupported-headline-terms"
    severity = Severity.WARNING
    Options = UnsupportedTermsOptions

    def check(self, doc: Document, ctx: DocContext) -> Iterator[Finding]:
        found = analysis(doc, ctx)
        if found is None or len(found.body_ids) < self.options.min_body_terms:
            return
        headline = found.headline.text
        table = fallback_table()
        threshold = self.options.common_word_documents
        terms = headline_terms(headline, lambda low: table.by_term.get(_term(low), 0) >= threshold)
        if not terms:
            return
        body = BodyVocabulary(found.body_tokens)
        # A term with a word in the body is supported (`is_supported`'s first test): the rest get the full test.
        missing = [t for t in terms if not any(map(body.has_token, t.tokens)) and not is_supported(t, headline, body)]
        if missing:
            glued = _hyphen_joined(headline, word_spans(headline), body)
            missing = [t for t in missing if not set(t.spans) <= glued]
        names = [headline[slice(*t.span)] for t in missing]
        for term, name in zip(missing, names, strict=True):
            others = [n for n in names if n != name]
            also = f" (also missing: {', '.join(others)})" if others else ""
            yield self.finding(
                doc.locate_block(found.headline, *term.span),
                f'Headline term "{name}" occurs nowhere in the body{also}',
                text=name,
                evidence={"term": name, "kind": "acronym" if term.acronym else "name", "missing": names},
            )


# --- HEAD003 --------------------------------------------------------------------------------------------------------


class OffTopicParagraphOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_paragraphs: int = Field(default=3, ge=3, description="skip bodies with fewer judgeable paragraphs")
    min_paragraph_terms: int = Field(default=6, ge=1, description="paragraphs with fewer content terms are not judged")
    max_similarity: float = Field(
        default=0.03, ge=0, le=1, description="report only paragraphs whose similarity to the rest is below this"
    )
    max_relative_similarity: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="... and below this fraction of the median paragraph's similarity in the same document",
    )
    min_median: float = Field(
        default=0.08,
        ge=0,
        le=1,
        description="skip documents whose median paragraph similarity is below this (no coherent reference)",
    )


class OffTopicParagraph(DocumentRule):
    """A body paragraph about something else than the headline and the rest of the body.

    ## What it does
    Scores each paragraph of at least 6 content terms by the TF-IDF cosine between it and the headline plus every
    other paragraph (weights from the built-in IDF table), and reports a paragraph whose score is both low in
    absolute terms (below `max-similarity`) and far below the document's own median paragraph (below
    `max-relative-similarity` of it).

    Skipped: documents without a headline, not in English, with fewer than 3 judgeable paragraphs, or whose
    paragraphs barely relate to one another (median similarity below `min-median`, 0.08: no reference to judge
    against, as under a headline from another story).

    ## Why is this bad?
    A broken extractor that pulls a paragraph from a neighbouring story (a sidebar, a "related" teaser, the next
    article on the page) plants a non sequitur in the text.

    ## Example
    ```
    Ad sales boost Time Warner profit
    ...
    Arsenal striker Thierry Henry was booked twice ...   <- HEAD003: similarity 0.01, document median 0.21
    ```
    """

    code = "HEAD003"
    name = "off-topic-paragraph"
    severity = Severity.INFO
    Options = OffTopicParagraphOptions

    def check(self, doc: Document, ctx: DocContext) -> Iterator[Finding]:
        found = analysis(doc, ctx)
        if found is None:
            return
        options = self.options
        bounds = found.block_bounds
        judged = [
            (block, index)
            for index, block in enumerate(found.blocks)
            if block.role is Role.PARAGRAPH and bounds[index + 1] - bounds[index] >= options.min_paragraph_terms
        ]
        if len(judged) < options.min_paragraphs:
            return
        similarities = paragraph_similarities(found, [index for _, index in judged])
        median = statistics.median(similarities)
        if median < options.min_median:
            return
        for (block, _), similarity in zip(judged, similarities, strict=True):
            if similarity < options.max_similarity and similarity < options.max_relative_similarity * median:
                yield self.finding(
                    doc.locate_block(block),
                    f"Paragraph looks off-topic: similarity to the headline and the rest of the body {similarity:.2f}, "
                    f"document median {median:.2f}",
                    text=block.text[:200],
                    evidence={"similarity": round(similarity, 4), "median": round(median, 4)},
                )


def paragraph_similarities(found: Analysis, paragraphs: list[int]) -> list[float]:
    """TF-IDF cosine of each given body block with the headline plus all other given blocks (the headline counts
    twice); weights from the built-in table."""
    vocabulary, table = found.vocabulary, fallback_table()
    width = len(vocabulary.ids)
    weights = np.log((table.documents + 1) / (vocabulary.shares * table.documents + 1)) + 1
    # Term counts per judged paragraph (row) and body term (column); the other blocks' terms go to a spare last row.
    row_of_block = np.full(len(found.blocks), len(paragraphs), dtype=np.intp)
    row_of_block[paragraphs] = np.arange(len(paragraphs))
    bounds = found.block_bounds
    cells = np.repeat(row_of_block, [end - start for start, end in itertools.pairwise(bounds)]) * width
    cells += vocabulary.columns
    counts = np.bincount(cells, minlength=(len(paragraphs) + 1) * width)[: len(paragraphs) * width]
    own = counts.reshape(len(paragraphs), width) * weights
    # Headline terms: those in the body as columns; the others only lengthen the "rest" vector.
    pos, hit = _lookup(vocabulary.ids, found.headline_ids)
    rest = own.sum(axis=0) + np.bincount(pos[hit], minlength=width) * weights * 2 - own
    missing_square = 0
    if not hit.all():
        missing = Counter(
            t for t, found_in_body in zip(found.headline_terms, hit.tolist(), strict=True) if not found_in_body
        )
        missing_square = sum((2 * count * _local_idf(table, t)) ** 2 for t, count in missing.items())
    dots = (own * rest).sum(axis=1)
    norms = np.sqrt((own * own).sum(axis=1) * ((rest * rest).sum(axis=1) + missing_square))
    return [dot / norm if norm > 0 else 0.0 for dot, norm in zip(dots.tolist(), norms.tolist(), strict=True)]


RULES: list[type[Rule]] = [OffTopicHeadline, UnsupportedHeadlineTerms, OffTopicParagraph]
