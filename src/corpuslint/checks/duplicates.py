"""DUP: repeated headlines and paragraphs, inside a document and across the corpus.

Every rule shares one analysis per document (memoised in the `DocContext`): the word tokens, the word-shingle
hashes of the summary and body blocks (`corpuslint.minhash`), and exact keys of the normalised body. Corpus
rules keep compact signatures only: packed locations, 16-bit MinHash values, 64-bit keys (DUP003's in columns,
a few arrays per unit of documents); the shingle fingerprints used for exact Jaccard live in a spill file (see
`minhash.spill`).
"""

from __future__ import annotations

import re
import struct
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import xxhash
from pydantic import BaseModel, ConfigDict, Field

from corpuslint import minhash
from corpuslint.locate import POSITION_FIELDS, PackedLocation, pack_location, unpack_location
from corpuslint.model import Block, Document, Edit, Finding, Fix, Location, RelatedLocation, Role, Severity
from corpuslint.rule import CorpusRule, DocContext, DocumentRule, Rule, drop_block
from corpuslint.text import normalise, word_spans

_DIGIT_RE = re.compile(r"\d")
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")
_ASCII_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------------------------
# Shared per-document analysis


def _text_blocks(doc: Document) -> list[Block]:
    """The blocks whose text makes a document's content for shingling: summary parts, then the body."""
    return doc.summary + doc.body


def _token_lists(doc: Document, ctx: DocContext) -> list[list[str]]:
    """The word tokens of each of `_text_blocks(doc)` (from the shared tokeniser), looked up once."""
    return ctx.memo("dup-tokens", lambda: [ctx.words(block) for block in _text_blocks(doc)])


def _shingles(doc: Document, ctx: DocContext, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of `_text_blocks(doc)` and the index of the block each one comes from."""
    return ctx.memo(("dup-shingles", size), lambda: minhash.shingle_hashes(_token_lists(doc, ctx), size))


def _key(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class _BodyKeys:
    exact: int  # of the body's word tokens (case and punctuation normalised)
    figures_folded: int  # the same with every digit replaced by 0
    raw: int  # of the body's text as written
    words: int


def _body_keys(doc: Document, ctx: DocContext) -> _BodyKeys:
    def compute() -> _BodyKeys:
        token_lists = _token_lists(doc, ctx)
        text = "\n".join(map(" ".join, token_lists))
        exact, folded = _exact_and_folded_keys(text)
        raw = _key("\n".join(block.text for block in _text_blocks(doc)))
        return _BodyKeys(exact, folded, raw, sum(map(len, token_lists)))

    return ctx.memo("dup-body-keys", compute)


def _exact_and_folded_keys(text: str) -> tuple[int, int]:
    """Keys of `text` as it is and with every digit replaced by 0. ASCII digits are folded on the UTF-8 bytes
    (no multi-byte sequence contains them), ten times faster than a regex; other digits (rare) by the regex."""
    data = text.encode("utf-8", "surrogatepass")
    exact = xxhash.xxh3_64_intdigest(data)
    if not _DIGIT_RE.search(text):
        return exact, exact
    if not text.isascii() and _OTHER_DIGIT_RE.search(text):
        return exact, _key(_DIGIT_RE.sub("0", text))
    return exact, xxhash.xxh3_64_intdigest(data.translate(_ASCII_DIGITS_TO_ZERO))


def _anchor(doc: Document, ctx: DocContext) -> PackedLocation | None:
    """Where a cross-document finding points: the headline, else the first block (shared by the corpus rules,
    so one copy travels and is held)."""

    def compute() -> PackedLocation | None:
        first = doc.headline or next(iter(_text_blocks(doc)), None)
        return None if first is None else pack_location(doc.locate_block(first))

    return ctx.memo("dup-anchor", compute)


def _keys_held_by(keys: np.ndarray, owners: np.ndarray, at_least: int) -> set[int]:
    """The keys that at least `at_least` distinct owners hold, found with arrays, so that a corpus rule's
    dictionaries hold only those (one dict entry per key of a million documents would take gigabytes)."""
    if not len(keys):
        return set()
    order = np.lexsort((owners, keys))
    keys = keys[order]
    held, counts = np.unique(keys[minhash.first_of_runs(keys, owners[order])], return_counts=True)
    return set(held[counts >= at_least].tolist())


def _related(packed: PackedLocation, message: str) -> RelatedLocation:
    return RelatedLocation(location=unpack_location(packed), message=message)


# ---------------------------------------------------------------------------------------------------------------
# DUP001


class HeadlineRepeatedOptions(_Options):
    min_similarity: float = Field(
        default=0.8, ge=0, le=1, description="word-set Jaccard between headline and a block for a near repeat"
    )
    min_words: int = Field(default=3, ge=1, description="shorter headlines (e.g. 'Sport') are not looked for")


class HeadlineRepeatedInBody(DocumentRule):
    """The headline repeated in the body.

    ## What it does
    Finds a body block whose text equals the headline after normalising case, whitespace and punctuation, whose
    words overlap the headline's almost entirely (a near repeat), or that starts with the whole headline glued
    to the rest of the paragraph (the scraper joined the title to the first line). Headlines shorter than
    `min-words` words are not looked for.

    ## Why is this bad?
    Scrapers often grab the page title twice; the repeat doubles the headline's weight in training data and
    reads as a glitch.

    ## Example
    ```
    Ad sales boost Time Warner profit

    Ad sales boost Time Warner profit      <- DUP001, related location: line 1
    ```
    """

    code = "DUP001"
    name = "headline-repeated-in-body"
    severity = Severity.WARNING
    Options = HeadlineRepeatedOptions

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        headline = doc.headline
        if headline is None:
            return
        wanted = ctx.words(headline)
        if len(wanted) < self.options.min_words:
            return
        body_tokens = _token_lists(doc, ctx)[len(doc.summary) :]
        longest_repeat = 2 * len(wanted)
        for block, tokens in zip(doc.body, body_tokens, strict=True):
            # Most blocks: too long to be the headline, and not starting with its first word (see `_repeat`).
            if block.role is Role.BULLET or (len(tokens) > longest_repeat and tokens[0] != wanted[0]):
                continue
            repeat = self._repeat(headline, wanted, block, tokens)
            if repeat is None:
                continue
            end, similarity, kind = repeat
            related = RelatedLocation(location=doc.locate_block(headline), message="the headline")
            yield self.finding(
                doc.locate_block(block, 0, end),
                f"Headline repeated in the body ({kind})",
                text=block.text[:end],
                evidence={"similarity": round(similarity, 4), "headline": headline.text, "kind": kind.split(",")[0]},
                related=[related],
                fix=_removal_fix(doc, block, end, safe=kind == "exact"),
            )

    def _repeat(
        self, headline: Block, wanted: list[str], block: Block, tokens: list[str]
    ) -> tuple[int, float, str] | None:
        """(end offset of the repeat in the block, similarity, kind) or None."""
        if len(tokens) <= 2 * len(wanted):
            if normalise(block.text) == normalise(headline.text):
                return len(block.text), 1.0, "exact"
            similarity = len(set(tokens) & set(wanted)) / len(set(tokens) | set(wanted))
            if similarity >= self.options.min_similarity:
                return len(block.text), similarity, f"near, Jaccard {similarity:.2f}"
        if len(tokens) > len(wanted) and tokens[: len(wanted)] == wanted:
            spans = word_spans(block.text)
            if len(spans) >= len(wanted):
                return spans[len(wanted) - 1][1], 1.0, "at the start of a paragraph"
        return None


def _removal_fix(doc: Document, block: Block, end: int, *, safe: bool) -> Fix:
    """Delete the repeat: a whole block together with the blank lines up to the next block of its field (or
    back to the previous one when it is the last), or a glued prefix with the spaces after it."""
    if end < len(block.text):
        rest = block.text[end:]
        cut = end + len(rest) - len(rest.lstrip(" \t.:;,-–—|"))
        edit = Edit(field=block.field, start=block.start, end=block.start + cut)
        return Fix(description="remove the repeated headline from the start of the paragraph", edits=[edit], safe=False)
    same_field = [other for other in doc.blocks if other.field == block.field and other is not block]
    following = [other.start for other in same_field if other.start >= block.end]
    if following:
        edit = Edit(field=block.field, start=block.start, end=min(following))
    else:
        edit = Edit(
            field=block.field,
            start=max((o.end for o in same_field if o.end <= block.start), default=block.start),
            end=block.end,
        )
    return Fix(description="remove the repeated headline", edits=[edit], safe=safe)


# ---------------------------------------------------------------------------------------------------------------
# DUP002


class DuplicateParagraphOptions(_Options):
    min_words: int = Field(default=8, ge=1, description="paragraphs with fewer words are not compared")
    threshold: float = Field(
        default=0.65, gt=0, le=1, description="exact Jaccard of two paragraphs' word shingles for a near repeat"
    )
    shingle_size: int = Field(default=5, ge=1, le=16, description="words per shingle")


class DuplicateParagraph(DocumentRule):
    """A paragraph repeated inside one document.

    ## What it does
    Compares every pair of body paragraphs and bullets of at least `min-words` words: an exact repeat (same
    words after normalising case and punctuation) or a near repeat whose word-shingle Jaccard is at least
    `threshold`. The shared shingles of all paragraphs are counted in one sorted pass, so the Jaccard reported is
    exact, not estimated. Reports the later paragraph, with the earlier one as related location.

    ## Why is this bad?
    Templates and scrapers repeat blocks (a teaser paragraph shown twice, a pasted update); repeats skew
    training data and read as errors.

    ## Example
    ```
    The minister said the plan would cut waiting lists by a third within two years.
    ...
    The minister said the plan would cut waiting lists by a third within three years.   <- DUP002
    ```
    """

    code = "DUP002"
    name = "duplicate-paragraph"
    severity = Severity.WARNING
    Options = DuplicateParagraphOptions

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        hashes, owners = _shingles(doc, ctx, self.options.shingle_size)
        if not _has_repeats(np.sort(hashes)):  # most documents: every shingle once, nothing to compare
            return
        blocks, tokens = _text_blocks(doc), _token_lists(doc, ctx)
        eligible = [
            index
            for index, block in enumerate(blocks)
            if block.role in (Role.PARAGRAPH, Role.BULLET) and len(tokens[index]) >= self.options.min_words
        ]
        # One stable sort by hash serves every step below. Shingles come in block order (see
        # `minhash.shingle_hashes`), so equal hashes stay in block order: the pairs (hash, block) are sorted too.
        order = np.argsort(hashes, kind="stable")
        ordered, ordered_owners = hashes[order], owners[order]
        # A repeat (exact or near) shares a shingle between two eligible blocks; repeats inside one block or
        # with a heading or a short line are common and lead nowhere.
        if not _shared_between(ordered, ordered_owners, _block_mask(eligible, len(blocks))):
            return
        allowed = set(eligible)
        keys = {index: " ".join(tokens[index]) for index in eligible}
        best: dict[int, tuple[float, int]] = {}
        first_with_key: dict[str, int] = {}
        for index in eligible:
            first = first_with_key.setdefault(keys[index], index)
            if first != index:
                best[index] = (1.0, -first)
        # Only eligible blocks are paired, and identical copies are matched to their first occurrence directly:
        # a paragraph repeated n times would otherwise cost n*n/2 pairs (minutes for a few thousand copies).
        paired = _block_mask([index for index in eligible if index not in best], len(blocks))[ordered_owners]
        shared = _shared_shingles(ordered[paired], ordered_owners[paired])
        sizes = _distinct_per_block(ordered, ordered_owners, len(blocks))
        for (earlier, later), count in shared.items():
            if earlier not in allowed or later not in allowed:
                continue
            similarity = 1.0 if keys[earlier] == keys[later] else count / (sizes[earlier] + sizes[later] - count)
            if similarity >= self.options.threshold and (similarity, -earlier) > best.get(later, (0.0, 0)):
                best[later] = (similarity, -earlier)
        for later, (similarity, negative_earlier) in sorted(best.items()):
            earlier = -negative_earlier
            exact = keys[earlier] == keys[later]
            kind = "exact" if exact else f"near, Jaccard {similarity:.2f}"
            yield self.finding(
                doc.locate_block(blocks[later]),
                f"Paragraph repeated in this document ({kind})",
                text=blocks[later].text,
                evidence={"jaccard": round(similarity, 4), "exact": exact, "shingle_size": self.options.shingle_size},
                related=[RelatedLocation(location=doc.locate_block(blocks[earlier]), message="the earlier copy")],
                fix=drop_block(doc, blocks[later], "remove the repeated paragraph", safe=exact),
            )


def _shared_shingles(ordered: np.ndarray, owners: np.ndarray) -> dict[tuple[int, int], int]:
    """Number of distinct shingles shared by each pair of blocks (earlier, later) that share any, from the
    hashes sorted (with their blocks); only the (few) repeated shingles are looked at in Python."""
    repeated = np.flatnonzero(ordered[1:] == ordered[:-1])
    shared: dict[tuple[int, int], int] = defaultdict(int)
    if not len(repeated):
        return shared
    firsts = owners[repeated].tolist()
    seconds = owners[repeated + 1].tolist()
    runs: list[set[int]] = []  # the blocks holding each repeated shingle
    previous = -2
    for position, first, second in zip(repeated.tolist(), firsts, seconds, strict=True):
        if position != previous + 1:
            runs.append(set())
        runs[-1].update((first, second))
        previous = position
    for members in runs:
        ordered_members = sorted(members)
        for index, earlier in enumerate(ordered_members):
            for later in ordered_members[index + 1 :]:
                shared[earlier, later] += 1
    return shared


def _has_repeats(ordered: np.ndarray) -> bool:
    """Does the sorted array hold a value twice? (np.unique costs ten times more on a few hundred values.)"""
    return bool((ordered[1:] == ordered[:-1]).any())


def _block_mask(blocks: list[int], count: int) -> np.ndarray:
    """True at the indices `blocks` of `count` blocks: index it with block numbers to select their shingles."""
    mask = np.zeros(count, dtype=bool)
    mask[blocks] = True
    return mask


def _shared_between(ordered: np.ndarray, owners: np.ndarray, wanted: np.ndarray) -> bool:
    """Does any shingle occur in two different wanted blocks? (`ordered`: sorted hashes, with their blocks.)"""
    picked = wanted[owners]
    hashes, blocks = ordered[picked], owners[picked]
    # In a run of equal hashes, two different blocks always meet somewhere as neighbours.
    return bool(((hashes[1:] == hashes[:-1]) & (blocks[1:] != blocks[:-1])).any())


def _distinct_per_block(ordered: np.ndarray, owners: np.ndarray, blocks: int) -> list[int]:
    """Distinct shingles of each block, from the hashes sorted with their blocks (equal pairs are neighbours)."""
    return np.bincount(owners[minhash.first_of_runs(ordered, owners)], minlength=blocks).tolist()


# ---------------------------------------------------------------------------------------------------------------
# DUP003


class NearDuplicateOptions(_Options):
    threshold: float = Field(
        default=0.5, gt=0, le=1, description="exact Jaccard of two documents' word shingles to report them"
    )
    shingle_size: int = Field(default=5, ge=1, le=16, description="words per shingle")
    num_perm: int = Field(default=128, ge=16, le=1024, description="MinHash permutations")
    lsh_recall: float = Field(
        default=0.995,
        gt=0,
        lt=1,
        description="probability that a pair exactly at the threshold becomes an LSH candidate (sets bands x rows)",
    )
    estimate_margin: float = Field(
        default=0.2, ge=0, le=1, description="candidates whose MinHash estimate is below threshold - margin are dropped"
    )
    min_words: int = Field(default=30, ge=1, description="shorter documents are only checked for exact copies")


class DocumentSignature(NamedTuple):
    """What DUP003 computes per document: where it is, exact keys, MinHash values (None for a short document)
    and the sorted shingle fingerprints that exact Jaccard is computed on."""

    anchor: PackedLocation
    exact: int
    figures_folded: int
    minhash: np.ndarray | None  # uint16, num-perm values
    shingles: np.ndarray  # uint32 fingerprints


class SignatureBatch(Sequence[DocumentSignature]):
    """The DUP003 signatures of many documents in columns: a few arrays, not objects per document (about 300
    bytes a document, with the anchors, which DUP004 and DUP005 share). The fingerprints live in this process's
    spill file (`minhash.spill`); pickling carries them."""

    def __init__(
        self,
        anchors: list[PackedLocation],
        keys: np.ndarray,
        minhashes: np.ndarray,
        minhash_rows: np.ndarray,
        spilled: np.ndarray,
    ) -> None:
        self.anchors = anchors
        self.keys = keys  # uint64 (n, 2): exact key, figures-folded key
        self.minhashes = minhashes  # uint16 (rows, num-perm): the documents with MinHash values
        self.minhash_rows = minhash_rows  # int64 (n,): each document's row in `minhashes`, -1 for none
        self.spilled = spilled  # uint64 (n, 2): offset of the fingerprints in the spill file, their number

    @classmethod
    def of(cls, signatures: Sequence[DocumentSignature]) -> SignatureBatch:
        if isinstance(signatures, SignatureBatch):
            return signatures
        with_minhash = [s.minhash for s in signatures if s.minhash is not None]
        has = np.fromiter((s.minhash is not None for s in signatures), bool, len(signatures))
        counts = np.fromiter((len(s.shingles) for s in signatures), np.uint64, len(signatures))
        fingerprints = np.concatenate([s.shingles for s in signatures]) if signatures else np.empty(0, np.uint32)
        return cls(
            [s.anchor for s in signatures],
            np.array([(s.exact, s.figures_folded) for s in signatures], np.uint64).reshape(-1, 2),
            np.array(with_minhash, np.uint16) if with_minhash else np.empty((0, 0), np.uint16),
            np.where(has, np.cumsum(has) - 1, -1),
            _spill_all(fingerprints, counts),
        )

    @classmethod
    def join(cls, parts: list[Sequence[DocumentSignature]]) -> SignatureBatch:
        """One batch of the parts' signatures, in order; `parts` is emptied as each is copied, so each part is
        released as soon as the joined columns hold it."""
        batches = [cls.of(part) for part in parts]
        parts.clear()
        anchors = [anchor for batch in batches for anchor in batch.anchors]
        keys = np.concatenate([b.keys for b in batches]) if batches else np.empty((0, 2), np.uint64)
        spilled = np.concatenate([b.spilled for b in batches]) if batches else np.empty((0, 2), np.uint64)
        rows, offset = [], 0
        for batch in batches:
            rows.append(np.where(batch.minhash_rows >= 0, batch.minhash_rows + offset, -1))
            offset += len(batch.minhashes)
        width = next((b.minhashes.shape[1] for b in batches if len(b.minhashes)), 0)
        minhashes = np.empty((offset, width), np.uint16)
        offset = 0
        while batches:
            values = batches.pop(0).minhashes
            if len(values):
                minhashes[offset : offset + len(values)] = values
                offset += len(values)
        minhash_rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
        return cls(anchors, keys, minhashes, minhash_rows, spilled)

    def __len__(self) -> int:
        return len(self.anchors)

    def __getitem__(self, index: int) -> DocumentSignature:  # type: ignore[override]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        row = self.minhash_rows[index]
        exact, folded = self.keys[index].tolist()
        values = self.minhashes[row] if row >= 0 else None
        return DocumentSignature(self.anchors[index], exact, folded, values, self.shingles(index))

    def shingles(self, index: int) -> np.ndarray:
        offset, count = self.spilled[index].tolist()
        return minhash.unspill(offset, count)

    def __reduce__(self) -> tuple[Any, ...]:
        offsets, counts = self.spilled[:, 0], self.spilled[:, 1]
        if len(self) and (offsets[1:] == offsets[:-1] + 4 * counts[:-1]).all():  # one write made them: one read
            fingerprints = minhash.unspill(int(offsets[0]), int(counts.sum()))
        else:
            fingerprints = np.concatenate([self.shingles(i) for i in range(len(self))] or [np.empty(0, np.uint32)])
        state = (self.anchors, self.keys, self.minhashes, self.minhash_rows, fingerprints, counts)
        return _unpickle_batch, state


def _spill_all(fingerprints: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Append the documents' fingerprints (all in one array, `counts` of each) to the spill file in one write;
    (offset, count) of each document's."""
    base = minhash.spill(fingerprints)
    starts = base + 4 * (np.cumsum(counts) - counts)
    return np.stack([starts, counts], axis=1).astype(np.uint64)


def _unpickle_batch(
    anchors: list[PackedLocation],
    keys: np.ndarray,
    minhashes: np.ndarray,
    minhash_rows: np.ndarray,
    fingerprints: np.ndarray,
    counts: np.ndarray,
) -> SignatureBatch:
    return SignatureBatch(anchors, keys, minhashes, minhash_rows, _spill_all(fingerprints, counts))


@dataclass(frozen=True, slots=True)
class Match:
    """A confirmed pair of documents (indices into the signatures, earlier < later)."""

    earlier: int
    later: int
    jaccard: float
    estimate: float | None
    kind: str  # "exact", "figures" (identical once digits are folded) or "near"


class NearDuplicateDocument(CorpusRule):
    """A document that is a near-duplicate of an earlier one.

    ## What it does
    Shingles each document's summary and body into word `shingle-size`-grams (figures kept), computes a
    `num-perm` MinHash signature, finds candidate pairs with banded LSH, drops candidates whose MinHash
    estimate is far below `threshold`, and confirms each remaining pair by the exact Jaccard of the two shingle
    sets, so a reported pair is never a hash accident. Identical texts (after normalising case and punctuation)
    and texts identical except for their figures are found by exact keys. Reports the later document (path,
    then record order) with its most similar earlier copy as related location. Confirmed pairs are grouped into
    clusters; for a cluster of more than two documents, the message gives the cluster (its first document) and
    its size, while each finding still names a pair that was itself confirmed.

    ## Why is this bad?
    The same wire story under two URLs, or a story re-published with small edits, weights one text several
    times in training data and leaks between train and test splits.

    ## Example
    ```
    wire/a.txt: Shares in Acme rose 5% on Monday after ... (400 words)
    wire/b.txt: Shares in Acme rose 7% on Monday after ... (same words)   <- DUP003 differs only in figures
    ```
    """

    code = "DUP003"
    name = "near-duplicate-document"
    severity = Severity.WARNING
    Options = NearDuplicateOptions

    def signature(self, doc: Document, ctx: DocContext) -> DocumentSignature | None:
        keys = _body_keys(doc, ctx)
        anchor = _anchor(doc, ctx)
        if keys.words == 0 or anchor is None:
            return None
        hashes, _ = _shingles(doc, ctx, self.options.shingle_size)
        values = minhash.signature(hashes, self.options.num_perm) if keys.words >= self.options.min_words else None
        return DocumentSignature(anchor, keys.exact, keys.figures_folded, values, minhash.fingerprints(hashes))

    def compact(self, signatures: list[DocumentSignature]) -> SignatureBatch:
        return SignatureBatch.of(signatures)

    def join(self, parts: list[Sequence[DocumentSignature]]) -> SignatureBatch:
        return SignatureBatch.join(parts)

    def shuffle_keys(self, signature: DocumentSignature) -> list[int]:
        keys = [signature.exact, signature.figures_folded]
        if signature.minhash is not None:
            values = signature.minhash[np.newaxis]
            bands, rows = minhash.lsh_shape(self.options.threshold, values.shape[1], self.options.lsh_recall)
            keys += minhash.band_keys(values, rows, range(bands))[0].tolist()
        return keys

    def check_corpus(self, signatures: Sequence[DocumentSignature]) -> Iterable[Finding]:
        batch = SignatureBatch.of(signatures)
        matches = find_near_duplicates(batch, self.options)
        clusters = _clusters(len(signatures), matches)
        best: dict[int, Match] = {}
        for match in matches:
            current = best.get(match.later)
            if current is None or (match.jaccard, -match.earlier) > (current.jaccard, -current.earlier):
                best[match.later] = match
        for later, match in sorted(best.items()):
            yield self._finding(batch.anchors, match, clusters[later])

    def _finding(self, anchors: list[PackedLocation], match: Match, cluster: list[int]) -> Finding:
        earlier = anchors[match.earlier]
        what = {
            "exact": "Duplicate of an earlier document (the same words)",
            "figures": "Near-duplicate of an earlier document that differs only in figures "
            f"(Jaccard {match.jaccard:.2f})",
            "near": f"Near-duplicate of an earlier document (Jaccard {match.jaccard:.2f})",
        }[match.kind]
        first = anchors[cluster[0]]
        first_document = first[1]
        if len(cluster) > 2:
            what += f"; one of {len(cluster)} documents in the near-duplicate cluster of {first_document}"
        evidence: dict[str, Any] = {
            "jaccard": round(match.jaccard, 4),
            "minhash_estimate": None if match.estimate is None else round(match.estimate, 4),
            "kind": match.kind,
            "shingle_size": self.options.shingle_size,
            "earlier_document": earlier[1],
            "cluster": first_document,
            "cluster_size": len(cluster),
        }
        return self.finding(
            unpack_location(anchors[match.later]),
            what,
            evidence=evidence,
            related=[_related(earlier, f"the earlier copy (Jaccard {match.jaccard:.2f})")],
        )


def find_near_duplicates(signatures: Sequence[DocumentSignature], options: NearDuplicateOptions) -> list[Match]:
    """Every confirmed pair: exact copies, copies that differ only in figures, and LSH candidates whose exact
    shingle Jaccard reaches the threshold. Exact copies of a document stand in for it in the LSH step."""
    batch = SignatureBatch.of(signatures)
    count = len(batch)
    matches: dict[tuple[int, int], Match] = {}
    first_exact = _first_with_same_key(batch.keys[:, 0])
    for later in np.flatnonzero(first_exact != np.arange(count)).tolist():
        earlier = int(first_exact[later])
        matches[earlier, later] = Match(earlier, later, 1.0, None, "exact")
    firsts = np.flatnonzero(first_exact == np.arange(count))  # exact copies of a document stand in for it
    first_folded = firsts[_first_with_same_key(batch.keys[firsts, 1])]
    for earlier, later in zip(first_folded.tolist(), firsts.tolist(), strict=True):
        if earlier != later:
            matches[earlier, later] = _confirm(batch, earlier, later, None, "figures")
    representatives = firsts[batch.minhash_rows[firsts] >= 0]
    for earlier, later, estimated in _lsh_candidates(batch, representatives, options):
        if (earlier, later) in matches:
            continue
        match = _confirm(batch, earlier, later, estimated, "near")
        if match.jaccard >= options.threshold:
            matches[earlier, later] = match
    return sorted(matches.values(), key=lambda m: (m.later, m.earlier))


def _first_with_same_key(keys: np.ndarray) -> np.ndarray:
    """For each position, the first position that holds the same key (arrays: no dictionary of a million keys)."""
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first[inverse]


_ESTIMATE_CHUNK = 1 << 16  # pairs: 640 bytes each while estimated (two gathered signatures, their comparison)


def _lsh_candidates(
    batch: SignatureBatch, indices: np.ndarray, options: NearDuplicateOptions
) -> Iterator[tuple[int, int, float]]:
    if len(indices) < 2:
        return
    matrix, subset = batch.minhashes, batch.minhash_rows[indices]
    bands, rows = minhash.lsh_shape(options.threshold, matrix.shape[1], options.lsh_recall)
    for chunk in minhash.candidate_pairs(matrix, bands, rows, _ESTIMATE_CHUNK, subset):
        estimates = minhash.estimate(matrix[subset[chunk[:, 0]]], matrix[subset[chunk[:, 1]]])
        keep = estimates >= options.threshold - options.estimate_margin
        for (first, second), estimated in zip(chunk[keep].tolist(), estimates[keep].tolist(), strict=True):
            yield int(indices[first]), int(indices[second]), estimated


def _confirm(batch: SignatureBatch, earlier: int, later: int, estimated: float | None, kind: str) -> Match:
    similarity = minhash.jaccard(batch.shingles(earlier), batch.shingles(later))
    return Match(earlier, later, similarity, estimated, kind)


def _clusters(count: int, matches: list[Match]) -> dict[int, list[int]]:
    """Connected components of the confirmed pairs: member index -> sorted members of its component."""
    parent = list(range(count))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for match in matches:
        a, b = root(match.earlier), root(match.later)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for node in sorted({n for m in matches for n in (m.earlier, m.later)}):
        members[root(node)].append(node)
    return {node: group for group in members.values() for node in group}


# ---------------------------------------------------------------------------------------------------------------
# DUP004


class DuplicateHeadlineOptions(_Options):
    min_words: int = Field(default=3, ge=1, description="shorter headlines (section names) are not compared")


class DuplicateHeadline(CorpusRule):
    """The same headline over a different body elsewhere in the corpus.

    ## What it does
    Compares headlines after normalising case, whitespace and punctuation. When a document's headline equals
    an earlier document's and its body text differs from every earlier body under that headline (a revision,
    even one that only fixes case; a syndicated rewrite; a templated headline), reports the later document with
    the earliest document of that headline as related location. Byte-identical bodies are left to DUP003.
    Headlines shorter than `min-words` words are ignored.

    ## Why is this bad?
    Two versions of one story under one headline double-count the story and make the headline ambiguous;
    templated headlines ("Live updates") say nothing about their body.

    ## Example
    ```
    a.txt: Tsunami aid pledges pass $2bn / first version of the story
    b.txt: Tsunami aid pledges pass $2bn / updated body            <- DUP004, related: a.txt:1
    ```
    """

    code = "DUP004"
    name = "duplicate-headline"
    severity = Severity.WARNING
    Options = DuplicateHeadlineOptions

    def signature(self, doc: Document, ctx: DocContext) -> HeadlineKeys | None:
        if doc.headline is None or len(ctx.words(doc.headline)) < self.options.min_words:
            return None
        anchor = _anchor(doc, ctx)
        assert anchor is not None
        keys = _body_keys(doc, ctx)
        return HeadlineKeys(anchor, _key(normalise(doc.headline.text)), keys.raw, keys.exact)

    def shuffle_keys(self, signature: HeadlineKeys) -> list[int]:
        return [signature.headline]

    def check_corpus(self, signatures: Sequence[HeadlineKeys]) -> Iterable[Finding]:
        headlines = np.fromiter((sig.headline for sig in signatures), np.uint64, len(signatures))
        shared = _keys_held_by(headlines, np.arange(len(signatures)), 2)
        groups: dict[int, list[HeadlineKeys]] = defaultdict(list)
        for sig in signatures:
            if sig.headline in shared:
                groups[sig.headline].append(sig)
        for members in groups.values():
            bodies = {sig.raw_body for sig in members}
            if len(bodies) < 2:
                continue
            earliest = members[0]
            for position, sig in enumerate(members[1:], start=1):
                if any(other.raw_body == sig.raw_body for other in members[:position]):
                    continue
                same_words = sig.body == earliest.body
                difference = "differs only in case or punctuation" if same_words else "is different"
                yield self.finding(
                    unpack_location(sig.anchor),
                    f"Same headline as an earlier document whose body {difference} ({len(members)} documents share "
                    f"this headline, {len(bodies)} different bodies)",
                    evidence={
                        "documents": len(members),
                        "bodies": len(bodies),
                        "same_words_as_earlier": same_words,
                        "earlier_document": earliest.anchor[1],
                    },
                    related=[_related(earliest.anchor, "the earlier document with this headline")],
                )


class HeadlineKeys:
    """What DUP004 keeps per document: where it is, and three 64-bit keys packed in one bytes object (three
    Python ints would take twice the memory): of the normalised headline, of the body as written, and of the
    body's words (case and punctuation normalised)."""

    __slots__ = ("_keys", "anchor")
    _LAYOUT = struct.Struct("<QQQ")

    def __init__(self, anchor: PackedLocation, headline: int, raw_body: int, body: int) -> None:
        self.anchor = anchor
        self._keys = self._LAYOUT.pack(headline, raw_body, body)

    @property
    def headline(self) -> int:
        return self._LAYOUT.unpack(self._keys)[0]

    @property
    def raw_body(self) -> int:
        return self._LAYOUT.unpack(self._keys)[1]

    @property
    def body(self) -> int:
        return self._LAYOUT.unpack(self._keys)[2]


# ---------------------------------------------------------------------------------------------------------------
# DUP005


class BoilerplateOptions(_Options):
    min_documents: int = Field(
        default=4,
        ge=2,
        description="a paragraph in at least this many documents (with different bodies) is boilerplate",
    )
    min_words: int = Field(default=4, ge=1, description="shorter paragraphs are not counted")
    max_words: int = Field(
        default=30, ge=1, description="longer paragraphs are not counted (copied content is DUP003's business)"
    )


@dataclass(frozen=True, slots=True)
class ParagraphKeys:
    """What DUP005 keeps per document: the document's exact key, one key per paragraph, and where each is."""

    body: int
    keys: bytes  # uint64 per paragraph
    positions: bytes  # int32 x 6 per paragraph: start, end, line, column, end_line, end_column
    fields: tuple[str | None, ...]
    anchor: PackedLocation

    def location(self, paragraph: int) -> Location:
        positions = np.frombuffer(self.positions, dtype=np.int32).reshape(-1, 6)[paragraph].tolist()
        path, document, _, numbers = self.anchor
        return unpack_location((path, document, self.fields[paragraph], numbers), positions)


class BoilerplateParagraph(CorpusRule):
    """The same paragraph in many documents.

    ## What it does
    Counts, for every body paragraph or bullet of `min-words` to `max-words` words, in how many documents with
    different bodies it occurs (same words after normalising case and punctuation). A paragraph found in at
    least `min-documents` such documents is boilerplate: each document that holds it gets one finding with the
    count, pointing at the first document that has it.

    ## Why is this bad?
    Newsletter sign-ups, author bios and legal lines repeated in every story add nothing and dominate n-gram
    statistics of the corpus.

    ## Example
    ```
    Sign up for our morning newsletter to get the day's top stories.   <- DUP005 (in 31 documents)
    ```
    """

    code = "DUP005"
    name = "boilerplate-paragraph"
    severity = Severity.INFO
    Options = BoilerplateOptions

    def signature(self, doc: Document, ctx: DocContext) -> ParagraphKeys | None:
        body_tokens = _token_lists(doc, ctx)[len(doc.summary) :]
        picked = [
            (block, tokens)
            for block, tokens in zip(doc.body, body_tokens, strict=True)
            if block.role in (Role.PARAGRAPH, Role.BULLET)
            and self.options.min_words <= len(tokens) <= self.options.max_words
        ]
        anchor = _anchor(doc, ctx)
        if not picked or anchor is None:
            return None
        blocks = [block for block, _ in picked]
        keys = np.array([_key(" ".join(tokens)) for _, tokens in picked], dtype=np.uint64)
        locations = [doc.locate_block(block) for block in blocks]
        positions = np.array([[getattr(loc, name) for name in POSITION_FIELDS] for loc in locations], np.int32)
        fields = tuple(block.field for block in blocks)
        return ParagraphKeys(_body_keys(doc, ctx).exact, keys.tobytes(), positions.tobytes(), fields, anchor)

    def shuffle_keys(self, signature: ParagraphKeys) -> list[int]:
        return np.frombuffer(signature.keys, dtype=np.uint64).tolist()

    def check_corpus(self, signatures: Sequence[ParagraphKeys]) -> Iterable[Finding]:
        per_document = [np.frombuffer(sig.keys, dtype=np.uint64) for sig in signatures]
        owners = np.fromiter((sig.body for sig in signatures), np.uint64, len(signatures))
        keys = np.concatenate(per_document) if per_document else np.empty(0, np.uint64)
        shared = _keys_held_by(keys, np.repeat(owners, [len(k) for k in per_document]), self.options.min_documents)
        holders: dict[int, dict[int, int]] = defaultdict(dict)  # paragraph key -> {document: paragraph index}
        bodies: dict[int, set[int]] = defaultdict(set)
        for index, sig in enumerate(signatures):
            for paragraph, key in enumerate(per_document[index].tolist()):
                if key in shared:
                    holders[key].setdefault(index, paragraph)
                    bodies[key].add(sig.body)
        for key, documents in holders.items():
            if len(bodies[key]) < self.options.min_documents:
                continue
            (first, first_paragraph), *rest = sorted(documents.items())
            related = RelatedLocation(
                location=signatures[first].location(first_paragraph), message="the first document with it"
            )
            for index, paragraph in [(first, first_paragraph), *rest]:
                yield self.finding(
                    signatures[index].location(paragraph),
                    f"Boilerplate paragraph: the same paragraph is in {len(documents)} documents",
                    evidence={"documents": len(documents), "different_bodies": len(bodies[key])},
                    related=[related] if index != first else [],
                )


RULES: list[type[Rule]] = [
    HeadlineRepeatedInBody,
    DuplicateParagraph,
    NearDuplicateDocument,
    DuplicateHeadline,
    BoilerplateParagraph,
]
