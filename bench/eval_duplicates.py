"""Evaluate the DUP family on ../shared/data: BBC dev (labelled duplicates) and gensim Lee (same-story articles).

Run from the repository root: `python bench/eval_duplicates.py` (data folder overridable with CORPUSLINT_DATA).
Prints recall on BBC identical bodies (DUP003) and same-title revised bodies (DUP004), recall and precision of
DUP003 against a brute-force exact Jaccard over all pairs (plain-Python shingle sets, no hashing), the Lee pairs
wrongly reported, and the measurements behind the default options. Deterministic (seeded).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from corpuslint.checks.duplicates import NearDuplicateDocument, NearDuplicateOptions, _text_blocks, find_near_duplicates
from corpuslint.config import FieldMap, Settings
from corpuslint.engine import run
from corpuslint.loaders.jsonlines import load_jsonl
from corpuslint.minhash import lsh_shape
from corpuslint.model import Document, Role
from corpuslint.rule import DocContext
from corpuslint.text import words

DATA = Path(os.environ.get("CORPUSLINT_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
BBC = DATA / "bbc_news" / "bbc_news_dev.jsonl"
LEE = DATA / "gensim_lee" / "lee_background.cor"
OPTIONS = NearDuplicateOptions()


def load(path: Path) -> list[Document]:
    return [d for d in load_jsonl(str(path), path.name, FieldMap(), 1 << 30) if isinstance(d, Document)]


def shingle_sets(docs: list[Document], size: int) -> list[set[tuple[str, ...]]]:
    """Reference shingles: the same blocks the rule uses, plain Python tuples (no hashing, no MinHash)."""
    sets = []
    for doc in docs:
        found: set[tuple[str, ...]] = set()
        for block in _text_blocks(doc):
            tokens = words(block.text)
            if 0 < len(tokens) < size:
                found.add(tuple(tokens))
            found.update(zip(*(tokens[i:] for i in range(size)), strict=False))
        sets.append(found)
    return sets


def brute_force(sets: list[set[tuple[str, ...]]]) -> dict[tuple[int, int], tuple[float, float]]:
    """(Jaccard, containment) of every pair sharing at least one shingle (others have Jaccard 0)."""
    holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, shingles in enumerate(sets):
        for shingle in shingles:
            holders[shingle].append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for members in holders.values():
        if 1 < len(members) < 200:  # a shingle in 200+ documents is boilerplate; its pairs are counted below
            shared.update(combinations(members, 2))
    for members in holders.values():
        if len(members) >= 200:
            shared.update(combinations(members, 2))
    return {
        (a, b): (count / (len(sets[a]) + len(sets[b]) - count), count / min(len(sets[a]), len(sets[b])))
        for (a, b), count in shared.items()
    }


def confirmed_pairs(docs: list[Document]) -> list:
    rule = NearDuplicateDocument(OPTIONS)
    signatures, kept = [], []
    for index, doc in enumerate(docs):
        signature = rule.signature(doc, DocContext(doc))
        if signature is not None:
            signatures.append(signature)
            kept.append(index)
    return [(kept[m.earlier], kept[m.later], m) for m in find_near_duplicates(signatures, OPTIONS)]


def engine_findings(path: Path) -> list:
    return run([path], Settings(select=["DUP"], cache=False), cwd=path.parent).findings


def row(label: str, value: object) -> None:
    print(f"  {label:<48} {value}")


def rate(hits: int, total: int) -> str:
    return f"{hits / total:.4f} ({hits}/{total})" if total else "n/a (0/0)"


def evaluate_bbc() -> None:
    rows = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = load(BBC)
    assert [d.id for d in docs] == [r["id"] for r in rows]
    index_of = {record["id"]: i for i, record in enumerate(rows)}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for record in rows:
        if record["dup_group"]:
            groups[record["dup_group"], record["dup_type"]].append(index_of[record["id"]])
    labelled = {
        kind: [p for (_, k), m in groups.items() if k == kind for p in combinations(sorted(m), 2)]
        for kind in ("identical_body", "same_title_revised_body")
    }

    pairs = confirmed_pairs(docs)
    reported = {(a, b): m for a, b, m in pairs}
    findings = engine_findings(BBC)
    dup4 = {
        (index_of[f.related[0].location.document], index_of[f.location.document])
        for f in findings
        if f.code == "DUP004"
    }
    per_code = Counter(f.code for f in findings)

    sets = shingle_sets(docs, OPTIONS.shingle_size)
    truth = brute_force(sets)
    at_threshold = {p for p, (j, _) in truth.items() if j >= OPTIONS.threshold}
    figure_only = {p for p, m in reported.items() if m.kind == "figures"}
    correct = {p for p in reported if truth.get(p, (0.0, 0.0))[0] >= OPTIONS.threshold}
    worst = max((abs(m.jaccard - truth.get(p, (0.0, 0.0))[0]) for p, m in reported.items()), default=0.0)

    identical, revised = labelled["identical_body"], labelled["same_title_revised_body"]
    revised_above = [p for p in revised if truth.get(p, (0, 0))[0] >= OPTIONS.threshold]
    unlabelled = set(reported) - {p for pairs_of_kind in labelled.values() for p in pairs_of_kind}
    unreported = [j for p, (j, _) in truth.items() if p not in reported]
    t = OPTIONS.threshold
    print(f"BBC dev: {len(docs)} documents, {len(docs) * (len(docs) - 1) // 2:,} pairs")
    row("DUP003 recall, identical_body pairs", rate(sum(p in reported for p in identical), len(identical)))
    row("DUP004 recall, same_title_revised_body pairs", rate(sum(p in dup4 for p in revised), len(revised)))
    row(
        f"DUP003 recall, revised pairs with J >= {t}",
        rate(sum(p in reported for p in revised_above), len(revised_above)),
    )
    row(f"DUP003 recall vs brute force (exact J >= {t})", rate(len(at_threshold & set(reported)), len(at_threshold)))
    row("DUP003 precision (exact J >= threshold)", rate(len(correct), len(reported) - len(figure_only - correct)))
    row("figure-only pairs reported below threshold", len(figure_only - correct))
    row("max |reported J - brute-force J|", f"{worst:.2e}")
    row("reported pairs not labelled in the data", f"{len(unlabelled)} (revised stories under a new title)")
    row("findings per rule (engine, all DUP rules)", dict(sorted(per_code.items())))
    print("  Jaccard of every BBC pair that shares a 5-gram (histogram; the empty gap holds threshold 0.5):")
    bins = Counter(min(int(j * 10), 9) for j, _ in truth.values())
    print("    " + "  ".join(f"{b / 10:.1f}+:{bins.get(b, 0)}" for b in range(10)))
    lowest = min(truth.get(p, (0, 0))[0] for pairs_of_kind in labelled.values() for p in pairs_of_kind)
    row("lowest J of a labelled duplicate pair", f"{lowest:.3f}")
    row("highest J of an unreported pair", f"{max(unreported, default=0):.3f}")
    evaluate_paragraphs(docs)


def evaluate_paragraphs(docs: list[Document]) -> None:
    """DUP002 default threshold: natural pairs of paragraphs inside BBC documents (negatives, templated lines
    included) against one-word edits of real paragraphs (positives)."""
    from corpuslint.checks.duplicates import DuplicateParagraphOptions

    options = DuplicateParagraphOptions()
    size = options.shingle_size

    def grams(tokens: list[str]) -> set[tuple[str, ...]]:
        return set(zip(*(tokens[i:] for i in range(size)), strict=False)) or {tuple(tokens)}

    natural = []
    edited_hits = edited_total = 0
    rng = random.Random(11)
    for doc in docs:
        paragraphs = [words(b.text) for b in doc.body if b.role in (Role.PARAGRAPH, Role.BULLET)]
        paragraphs = [p for p in paragraphs if len(p) >= options.min_words]
        for a, b in combinations(paragraphs, 2):
            if a != b:
                first, second = grams(a), grams(b)
                natural.append(len(first & second) / len(first | second))
        for tokens in paragraphs:
            if len(tokens) >= 30:
                edited = list(tokens)
                edited[rng.randrange(len(edited))] = "changed"
                first, second = grams(tokens), grams(edited)
                edited_total += 1
                edited_hits += len(first & second) / len(first | second) >= options.threshold
    above = sum(j >= options.threshold for j in natural)
    row(
        f"DUP002 (threshold {options.threshold}): natural paragraph pairs",
        f"{len(natural):,}, max J {max(natural):.3f}",
    )
    row("  natural paragraph pairs at/above threshold", above)
    row("  one-word edits of 30+ word paragraphs found", rate(edited_hits, edited_total))


def evaluate_lee() -> None:
    texts = [line.strip() for line in LEE.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lee.jsonl"
        path.write_text("".join(json.dumps({"id": f"lee/{i:03}", "body": t}) + "\n" for i, t in enumerate(texts)))
        docs = load(path)
    pairs = confirmed_pairs(docs)
    truth = brute_force(shingle_sets(docs, OPTIONS.shingle_size))
    copies = {p for p, (_, containment) in truth.items() if containment >= 0.5}
    wrong = [(a, b) for a, b, _ in pairs if (a, b) not in copies]
    others = [j for p, (j, _) in truth.items() if p not in copies]
    print(f"gensim Lee: {len(docs)} documents, {len(truth):,} pairs share a 5-gram")
    row("pairs that are copies (containment >= 0.5)", len(copies))
    row("copies reported", rate(sum((a, b) in copies for a, b, _ in pairs), len(copies)))
    row("same-story article pairs wrongly reported", f"{len(wrong)} (target 0)")
    row("highest J of a non-copy pair", f"{max(others):.3f}")


def main() -> int:
    bands, rows = lsh_shape(OPTIONS.threshold, OPTIONS.num_perm, OPTIONS.lsh_recall)
    at_threshold = 1 - (1 - OPTIONS.threshold**rows) ** bands
    options = f"word {OPTIONS.shingle_size}-grams, {OPTIONS.num_perm} permutations, threshold {OPTIONS.threshold}"
    print(f"DUP003 defaults: {options},")
    print(f"  LSH {bands} bands x {rows} rows: P(candidate | J = threshold) = {at_threshold:.4f}")
    evaluate_bbc()
    evaluate_lee()
    return 0


if __name__ == "__main__":
    sys.exit(main())
