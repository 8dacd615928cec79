"""Generate a benchmark corpus of news-length documents from the real text in ../shared/data, with planted defects.

Every document is a recombination of real sentences: the BBC dev articles (by category) and the Lee background
articles each form a pool. A document's headline joins the titles of two source articles of one pool (three once
the pool's pairs are used up), so headlines are distinct; its body opens with a paragraph from each of those
articles (first sentence plus a few others, in source order) and is filled to about 600 words with paragraphs of
2-4 sentences from those articles, then from up to four more articles of the pool; no article supplies more than
30% of a body. No paragraph recurs in many documents and no two documents share many sentences, so the clean
corpus has no near-duplicates and no boilerplate.

Planted defects (each document carries at most one; a copied source stays clean), listed in `manifest.json`:
- exact_duplicate (~1%): a later document repeats an earlier one word for word (new id).
- near_duplicate (~1%): a later copy of an earlier document with one or two sentences replaced, or (about a third)
  with only its figures changed.
- foreign_fragment (~1%): a sentence from lingua_testdata/sentences/<lang>.txt spliced into a paragraph ("inline")
  or added as its own paragraph ("line"); many languages and scripts.
- wrong_headline (~1%): two documents of different pools swap headlines (both are wrong).
- repeated_headline (~0.5%): a later document takes the headline of an earlier one of the same pool.

Deterministic for a seed; documents stream to `<out>/docs/` in shards of `--shard-size` (JSON Lines, or one .txt
file per document), so memory does not grow with `--docs`; the manifest is `<out>/manifest.json` (paths in it are
relative to `<out>/docs`).

    python bench/generate.py --docs 100000 --out bench/out/corpus-100000 [--seed 1] [--format jsonl|txt]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpuslint.text import sentences

DATA = Path(os.environ.get("CORPUSLINT_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
FOREIGN_LANGUAGES = (
    "zh ja ko ru uk ar fa he hi bn th el de fr es pt it nl pl tr vi sv da nb fi cs hu ro id sw tl".split()
)
GENERATOR_VERSION = 2  # bump when the same seed would give other documents (run.py then regenerates)
RATES = {
    "exact_duplicate": 0.01,
    "near_duplicate": 0.01,
    "foreign_fragment": 0.01,
    "wrong_headline": 0.01,
    "repeated_headline": 0.005,
}
TARGET_WORDS = (600, 60)  # mean, standard deviation of a body's length
ARTICLE_SHARE = 0.3  # at most this share of a body comes from one source article: documents stay distinct
EXTRA_ARTICLES = 4  # articles of the pool beside the headline's two that may fill the body
_WORD_RE = re.compile(r"\w+")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_HEADLINE_STOP = frozenset(
    "a an the of to in on at for and or with by from as has have had been is are was were their his her its".split()
)


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[tuple[str, ...], ...]  # sentences per source paragraph

    @property
    def sentences(self) -> list[str]:
        return [s for paragraph in self.paragraphs for s in paragraph]


@dataclass
class Doc:
    id: str
    pool: str
    title: str
    paragraphs: list[str]

    def record(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "body": "\n\n".join(self.paragraphs)}

    def text_file(self) -> str:
        return self.title + "\n\n" + "\n\n".join(self.paragraphs) + "\n"


# --- source text ------------------------------------------------------------------------------------------------


def split_sentences(text: str) -> tuple[str, ...]:
    return tuple(text[s:e] for s, e in sentences(text))


def headline_from_sentence(sentence: str, limit: int = 9) -> str:
    """A headline-like phrase: the sentence's first clause, at most `limit` words, no trailing function words."""
    clause = re.split(r"[,;:(]", sentence, maxsplit=1)[0]
    words = clause.split()[:limit]
    while len(words) > 3 and words[-1].lower().strip(".'\"") in _HEADLINE_STOP:
        words.pop()
    return " ".join(words).rstrip(".")


def load_pools(data: Path) -> dict[str, list[Article]]:
    """BBC dev articles by category (one member per duplicate group) and the Lee background articles."""
    pools: dict[str, list[Article]] = {}
    with (data / "bbc_news" / "bbc_news_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("dup_group") and row["dup_group"] != row["id"]:
                continue
            paragraphs = tuple(split_sentences(p) for p in row["body"].split("\n\n") if p.strip())
            pools.setdefault(row["category"], []).append(Article(row["title"].strip(), paragraphs))
    lee: list[Article] = []
    for line in (data / "gensim_lee" / "lee_background.cor").read_text(encoding="utf-8").splitlines():
        found = split_sentences(line.strip())
        if len(found) >= 4:  # no paragraphs upstream: cut into runs of three sentences
            paragraphs = tuple(found[i : i + 3] for i in range(0, len(found), 3))
            lee.append(Article(headline_from_sentence(found[0]), paragraphs))
    pools["lee"] = lee
    return {name: _distinct_titles(articles) for name, articles in sorted(pools.items())}


def _distinct_titles(articles: list[Article]) -> list[Article]:
    """The first article of each (normalised) title: two articles with one title would repeat headlines."""
    seen: set[str] = set()
    kept = []
    for article in articles:
        key = " ".join(_WORD_RE.findall(article.title.lower()))
        if key not in seen:
            seen.add(key)
            kept.append(article)
    return kept


def load_foreign(data: Path) -> dict[str, list[str]]:
    folder = data / "lingua_testdata" / "sentences"
    return {
        lang: [s.strip() for s in (folder / f"{lang}.txt").read_text(encoding="utf-8").splitlines() if s.strip()]
        for lang in FOREIGN_LANGUAGES
    }


# --- distinct headlines: the k-th document of a pool gets the k-th tuple of source articles ------------------------


class TupleOrder:
    """A seeded bijection from 0.. onto ordered pairs, then triples, of distinct articles out of `n`."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.spaces = [n * (n - 1), n * (n - 1) * (n - 2)]
        rng = random.Random(f"tuples:{seed}:{n}")
        self.affine = []
        for size in self.spaces:
            step = rng.randrange(1, size)
            while math.gcd(step, size) != 1:
                step += 1
            self.affine.append((step, rng.randrange(size)))

    def __call__(self, k: int) -> tuple[int, ...]:
        for arity, (size, (step, offset)) in enumerate(zip(self.spaces, self.affine, strict=True), start=2):
            if k < size:
                return self._decode((k * step + offset) % size, arity)
            k -= size
        return self._decode(k % self.spaces[-1], 3)  # beyond all triples: repeats (never at realistic sizes)

    def _decode(self, index: int, arity: int) -> tuple[int, ...]:
        chosen: list[int] = []
        for position in range(arity):
            remaining = self.n - position
            below = math.prod(range(self.n - arity + 1, remaining)) if position < arity - 1 else 1
            pick, index = divmod(index, below)
            for taken in sorted(chosen):  # skip the articles already chosen
                if pick >= taken:
                    pick += 1
            chosen.append(pick)
        return tuple(chosen)


# --- the plan: pools, ranks and defects of all documents, decided up front (a few bytes per document) ------------


CLEAN, SOURCE = 0, 1
KINDS = list(RATES)


@dataclass
class Plan:
    pools: np.ndarray  # pool index per document
    ranks: np.ndarray  # rank of the document within its pool
    roles: np.ndarray  # CLEAN, SOURCE, or 2 + index into KINDS
    partner: np.ndarray  # the source document (copies, repeated headline) or the swap partner; -1 if none


def make_plan(docs: int, pool_sizes: list[int], seed: int) -> Plan:
    rng = np.random.default_rng(seed)
    weights = np.asarray(pool_sizes, dtype=float) / sum(pool_sizes)
    pools = rng.choice(len(pool_sizes), size=docs, p=weights).astype(np.int8)
    ranks = np.zeros(docs, dtype=np.int64)
    for pool in range(len(pool_sizes)):
        members = np.flatnonzero(pools == pool)
        ranks[members] = np.arange(len(members))
    roles = np.zeros(docs, dtype=np.int8)
    partner = np.full(docs, -1, dtype=np.int64)
    order = iter(rng.permutation(np.arange(1, docs)).tolist())
    for kind_index, kind in enumerate(KINDS):
        role = 2 + kind_index
        wanted = round(RATES[kind] * docs)
        if kind == "wrong_headline":
            wanted //= 2  # pairs
        placed = 0
        while placed < wanted:
            target = next(order, None)
            if target is None:
                break
            if roles[target] != CLEAN:
                continue
            other = _pick_partner(kind, target, pools, roles, rng)
            if other is None:
                continue
            roles[target] = role
            partner[target] = other
            if kind == "wrong_headline":
                roles[other] = role
                partner[other] = target
            elif kind != "foreign_fragment":
                roles[other] = SOURCE
            placed += 1
    return Plan(pools, ranks, roles, partner)


def _pick_partner(kind: str, target: int, pools: np.ndarray, roles: np.ndarray, rng: np.random.Generator) -> int | None:
    if kind == "foreign_fragment":
        return target
    for _ in range(50):
        if kind == "wrong_headline":
            other = int(rng.integers(0, len(pools)))
            if pools[other] != pools[target] and roles[other] == CLEAN and other != target:
                return other
        else:  # an earlier clean document (of the same pool for a repeated headline)
            other = int(rng.integers(0, target))
            if roles[other] == CLEAN and (kind != "repeated_headline" or pools[other] == pools[target]):
                return other
    return None


# --- building documents -------------------------------------------------------------------------------------------


class Builder:
    def __init__(self, data: Path, seed: int, docs: int) -> None:
        self.seed = seed
        self.pools = load_pools(data)
        self.pool_names = list(self.pools)
        self.foreign = load_foreign(data)
        self.orders = [TupleOrder(len(self.pools[name]), seed) for name in self.pool_names]
        self.plan = make_plan(docs, [len(self.pools[name]) for name in self.pool_names], seed)

    def doc_id(self, index: int) -> str:
        return f"gen-{index:07d}"

    def sources(self, index: int) -> tuple[int, ...]:
        return self.orders[self.plan.pools[index]](int(self.plan.ranks[index]))

    def headline(self, index: int) -> str:
        articles = self.pools[self.pool_names[self.plan.pools[index]]]
        return "; ".join(articles[i].title for i in self.sources(index))

    def clean(self, index: int) -> Doc:
        """The defect-free document `index`: a pure function of (seed, index).

        Each paragraph joins sentences of two source articles, so that a paragraph recurs in no other document
        (the two articles of a lead paragraph are the headline's pair, which no other document has)."""
        rng = random.Random(f"doc:{self.seed}:{index}")
        pool = self.pool_names[self.plan.pools[index]]
        picker = _SentencePicker(self.pools[pool], rng)
        heads = self.sources(index)
        extra = [i for i in rng.sample(range(len(picker.articles)), EXTRA_ARTICLES + len(heads)) if i not in heads]
        goal = max(350, int(rng.gauss(*TARGET_WORDS)))
        picker.budget = {a: int(ARTICLE_SHARE * goal) for a in (*heads, *extra[:EXTRA_ARTICLES])}
        paragraphs = []
        for position, a in enumerate(heads):
            partner = heads[(position + 1) % len(heads)]
            paragraphs.append(picker.take(a, rng.randint(1, 2), lead=True) + " " + picker.take(partner, 1))
        words = sum(len(p.split()) for p in paragraphs)
        while words < goal:  # from the headline's articles while their share lasts, then from the others
            paragraph = picker.paragraph(heads) or picker.paragraph(extra[:EXTRA_ARTICLES])
            if paragraph is None:
                break
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        return Doc(self.doc_id(index), pool, self.headline(index), [p.strip() for p in paragraphs if p.strip()])

    def build(self, index: int) -> tuple[Doc, dict | None]:
        """Document `index` with its planted defect, and the manifest entry (None for a clean document)."""
        role = int(self.plan.roles[index])
        if role in (CLEAN, SOURCE):
            return self.clean(index), None
        kind = KINDS[role - 2]
        other = int(self.plan.partner[index])
        rng = random.Random(f"defect:{self.seed}:{index}")
        entry: dict = {"kind": kind, "doc": self.doc_id(index)}
        if kind == "exact_duplicate":
            source = self.clean(other)
            doc = Doc(self.doc_id(index), source.pool, source.title, list(source.paragraphs))
            entry["source"] = source.id
        elif kind == "near_duplicate":
            doc = self.clean(other)
            doc.id = self.doc_id(index)
            entry["source"] = self.doc_id(other)
            entry.update(self._near_duplicate(doc, rng))
        elif kind == "foreign_fragment":
            doc = self.clean(index)
            entry.update(self._foreign(doc, rng))
        elif kind == "wrong_headline":
            doc = self.clean(index)
            doc.title = self.headline(other)
            entry["headline_from"] = self.doc_id(other)
            entry["pool"], entry["headline_pool"] = doc.pool, self.pool_names[self.plan.pools[other]]
        else:  # repeated_headline
            doc = self.clean(index)
            doc.title = self.headline(other)
            entry["source"] = self.doc_id(other)
        return doc, entry

    def _near_duplicate(self, doc: Doc, rng: random.Random) -> dict:
        numbers = [(p, m) for p, text in enumerate(doc.paragraphs) for m in _NUMBER_RE.finditer(text)]
        if numbers and rng.random() < 0.35:
            changed = rng.sample(numbers, min(len(numbers), rng.randint(1, 3)))
            by_paragraph: dict[int, list[re.Match[str]]] = {}
            for p, match in changed:
                by_paragraph.setdefault(p, []).append(match)
            for p, matches in by_paragraph.items():
                text = doc.paragraphs[p]
                for match in sorted(matches, key=lambda m: -m.start()):
                    text = text[: match.start()] + _other_number(match.group(), rng) + text[match.end() :]
                doc.paragraphs[p] = text
            return {"variant": "figures", "changed": len(changed)}
        articles = self.pools[doc.pool]
        count = rng.randint(1, 2)
        for _ in range(count):
            p = rng.randrange(len(doc.paragraphs))
            parts = list(split_sentences(doc.paragraphs[p]))
            replacement = rng.choice(rng.choice(articles).sentences)
            parts[rng.randrange(len(parts))] = replacement
            doc.paragraphs[p] = " ".join(parts)
        return {"variant": "sentences", "changed": count}

    def _foreign(self, doc: Doc, rng: random.Random) -> dict:
        lang = rng.choice(FOREIGN_LANGUAGES)
        fragment = rng.choice(self.foreign[lang])
        p = rng.randrange(len(doc.paragraphs))
        if rng.random() < 0.5:
            doc.paragraphs.insert(p + 1, fragment)
            placement = "line"
        else:
            parts = list(split_sentences(doc.paragraphs[p]))
            parts.insert(rng.randint(1, len(parts)), fragment)
            doc.paragraphs[p] = " ".join(parts)
            placement = "inline"
        return {"lang": lang, "placement": placement, "fragment": fragment}


class _SentencePicker:
    """Draws unused sentences of a pool's articles for one document, within each article's word budget."""

    def __init__(self, articles: list[Article], rng: random.Random) -> None:
        self.articles, self.rng = articles, rng
        self.used: set[tuple[int, int]] = set()
        self.budget: dict[int, int] = {}

    def free(self, a: int) -> list[int]:
        return [i for i in range(1, len(self.articles[a].sentences)) if (a, i) not in self.used]

    def take(self, a: int, count: int, lead: bool = False) -> str:
        """`count` unused sentences of article `a` in source order (after its first sentence for a lead)."""
        picked = sorted(self.rng.sample(self.free(a), min(count, len(self.free(a)))))
        if lead:
            picked.insert(0, 0)
        self.used.update((a, i) for i in picked)
        text = " ".join(self.articles[a].sentences[i] for i in picked)
        self.budget[a] = self.budget.get(a, 0) - len(text.split())
        return text

    def paragraph(self, donors: Sequence[int]) -> str | None:
        """1-2 sentences of a donor article with budget left, then 1-2 of another article of the document."""
        ready = [a for a in donors if self.budget.get(a, 0) > 0 and self.free(a)]
        if not ready:
            return None
        main = self.rng.choice(ready)
        others = [a for a, left in self.budget.items() if a != main and left > 0 and self.free(a)]
        first = self.take(main, self.rng.randint(1, 2))
        if not others:
            return first
        return first + " " + self.take(self.rng.choice(others), self.rng.randint(1, 2))


def _other_number(text: str, rng: random.Random) -> str:
    """A different figure of the same shape: one digit changed (never a leading zero)."""
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    position = rng.choice(digits)
    choices = [d for d in "0123456789" if d != text[position] and not (d == "0" and position == digits[0])]
    return text[:position] + rng.choice(choices) + text[position + 1 :]


# --- writing ---------------------------------------------------------------------------------------------------


def generate(docs: int, out: Path, seed: int, shard_size: int, fmt: str, data: Path = DATA) -> dict:
    builder = Builder(data, seed, docs)
    folder = out / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[dict] = []
    shard_handle = None
    total_bytes = 0
    for index in range(docs):
        shard = index // shard_size
        doc, entry = builder.build(index)
        if fmt == "jsonl":
            if index % shard_size == 0:
                if shard_handle is not None:
                    shard_handle.close()
                shard_handle = (folder / f"shard-{shard:05d}.jsonl").open("w", encoding="utf-8")
            line = json.dumps(doc.record(), ensure_ascii=False) + "\n"
            shard_handle.write(line)
            rel, record = f"shard-{shard:05d}.jsonl", index % shard_size + 1
            total_bytes += len(line.encode("utf-8"))
        else:
            shard_folder = folder / f"shard-{shard:05d}"
            if index % shard_size == 0:
                shard_folder.mkdir(exist_ok=True)
            text = doc.text_file()
            (shard_folder / f"{doc.id}.txt").write_text(text, encoding="utf-8")
            rel, record = f"shard-{shard:05d}/{doc.id}.txt", None
            total_bytes += len(text.encode("utf-8"))
        if entry is not None:
            entry.update(path=rel, record=record)
            entries.append(entry)
    if shard_handle is not None:
        shard_handle.close()
    counts = {kind: sum(1 for e in entries if e["kind"] == kind) for kind in KINDS}
    manifest = {
        "generator": GENERATOR_VERSION,
        "docs": docs,
        "seed": seed,
        "format": fmt,
        "shard_size": shard_size,
        "bytes": total_bytes,
        "rates": RATES,
        "counts": counts,
        "pools": {name: len(articles) for name, articles in builder.pools.items()},
        "defects": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shard-size", type=int, default=10_000)
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.docs, args.out, args.seed, args.shard_size, args.format)
    seconds = time.perf_counter() - started
    print(
        f"{args.docs:,} documents ({manifest['bytes'] / 1e6:,.1f} MB) in {seconds:.1f}s -> {args.out}; "
        f"planted: {', '.join(f'{k} {v}' for k, v in manifest['counts'].items())}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
