"""Evaluate the FIG family (unsupported and unattributed figures) on the DEV data in ../shared/data.

Run from the repository root: `/work/venv/bin/python bench/eval_figures.py` (env CORPUSLINT_DATA overrides the
data folder). Seeded and deterministic. Prints:
1. BBC dev with the extractive summary as the summary part (every sentence copied from the body): share of
   articles where FIG001/FIG002 fire, and each firing case;
2. the same summaries with one distinctive figure changed (scaled, rounded wrongly, currency swapped): recall of
   FIG001 + FIG002 on the changed figure, and the share reported as a mismatch;
3. FNC-1 `agree` pairs whose headline holds a figure: share flagged by FIG001/FIG002, with a sample to read;
4. FIG004 findings per 1,000 body figures on BBC dev, and a seeded sample of 40 with their sentences;
5. the family's cost in ms per document.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from corpuslint.checks import figures
from corpuslint.config import FieldMap
from corpuslint.loaders.jsonlines import build_record_document
from corpuslint.model import Document, Finding
from corpuslint.quantities import Figure, Kind, extract_figures
from corpuslint.rule import DocContext

SEED = 20261127
DATA = Path(os.environ.get("CORPUSLINT_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
RULES = [rule() for rule in figures.RULES]
CLAIM_CODES = ("FIG001", "FIG002")
FIELDS = FieldMap()
csv.field_size_limit(sys.maxsize)


def make_document(record: dict[str, str], rel: str) -> Document:
    raw = json.dumps(record, ensure_ascii=False)
    return build_record_document(record, raw, 0, 1, None, rel, FIELDS, "body")


def run_family(doc: Document) -> list[Finding]:
    ctx = DocContext(doc)
    return [finding for rule in RULES for finding in rule.check(doc, ctx)]


def bbc_records() -> list[dict[str, str]]:
    path = DATA / "bbc_news" / "bbc_news_dev.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def bbc_document(row: dict[str, str], summary: str | None) -> Document:
    record = {"id": row["id"], "title": row["title"], "body": row["body"]}
    if summary is not None:
        record["summary"] = summary
    return make_document(record, f"bbc/{row['id']}")


def claim_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code in CLAIM_CODES]


# ------------------------------------------------------------------------------------- 1. clean summaries
def clean_summaries(rows: list[dict[str, str]]) -> None:
    fired = []
    for row in rows:
        found = claim_findings(run_family(bbc_document(row, row["extractive_summary"])))
        if found:
            fired.append((row["id"], found))
    print("## 1. BBC dev, extractive summary as the summary part (all figures copied from the body)")
    share = len(fired) / len(rows)
    print(f"articles: {len(rows)}  with FIG001/FIG002: {len(fired)}  share: {share:.2%}  (target <= 1%)")
    for doc_id, found in fired:
        for finding in found:
            print(f"  {doc_id}: {finding.code} {finding.message}")
    print()


# ------------------------------------------------------------------------------------- 2. seeded changes
def distinctive(figure: Figure) -> bool:
    if figure.kind in (Kind.MONEY, Kind.PERCENT):
        return not figure.is_range
    return figure.kind is Kind.COUNT and not figure.is_range and (figure.scaled or figure.value >= 1000)


def number_span(text: str, figure: Figure) -> tuple[int, int]:
    """Offsets of the digits of `figure` inside `text` (skipping qualifier and currency)."""
    start = figure.start
    while start < figure.end and not text[start].isdigit():
        start += 1
    end = start
    while end < figure.end and (text[end].isdigit() or (text[end] in ",." and text[end + 1 : end + 2].isdigit())):
        end += 1
    return start, end


def format_like(value: float, written: str) -> str:
    decimals = len(written.split(".")[1]) if "." in written else 0
    return f"{value:,.{decimals}f}" if "," in written or value >= 1000 else f"{value:.{decimals}f}"


def scaled(text: str, figure: Figure) -> str | None:
    """Ten times the value (or million <-> billion)."""
    swaps = {"bn": "m", "m": "bn", "billion": "million", "million": "billion"}
    start, end = number_span(text, figure)
    tail = text[end : figure.end]
    for old, new in swaps.items():
        stripped = tail.strip()
        if stripped == old:
            return text[:end] + tail.replace(old, new) + text[figure.end :]
    written = text[start:end]
    return text[:start] + format_like(float(written.replace(",", "")) * 10, written) + text[end:]


def rounded_wrongly(text: str, figure: Figure) -> str | None:
    """Rounded to one significant figure, then off by at least one unit of it, so that no honest rounding
    gives it: 1.13 -> 2, 76 -> 90, 85 -> 100, 0.9 -> 2."""
    start, end = number_span(text, figure)
    written = text[start:end]
    value = float(written.replace(",", ""))
    if value <= 0:
        return None
    unit = 10 ** math.floor(math.log10(value))
    wrong = (math.floor(value / unit + 0.5) + 1) * unit
    while abs(wrong - value) <= 10 ** math.floor(math.log10(wrong)) / 2:
        wrong += 10 ** math.floor(math.log10(wrong))
    new = f"{wrong:,.0f}" if wrong >= 1000 else (f"{wrong:g}" if wrong < 1 else f"{wrong:.0f}")
    return text[:start] + new + text[end:]


def currency_swapped(text: str, figure: Figure) -> str | None:
    if figure.kind is not Kind.MONEY:
        return None
    swaps = {"$": "£", "£": "$", "€": "£"}
    for position in range(figure.start, figure.end):
        if text[position] in swaps:
            return text[:position] + swaps[text[position]] + text[position + 1 :]
    return None


PERTURBATIONS: dict[str, Callable[[str, Figure], str | None]] = {
    "scaled": scaled,
    "rounded wrongly": rounded_wrongly,
    "currency swapped": currency_swapped,
}


def seeded_changes(rows: list[dict[str, str]]) -> None:
    rng = random.Random(SEED)
    tried: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    mismatch: Counter[str] = Counter()
    missed: list[str] = []
    for row in rows:
        summary = row["extractive_summary"]
        candidates = [
            f
            for f in extract_figures(summary, small_number_words=False)
            if distinctive(f) and any(c.isdigit() for c in f.text)
        ]
        if not candidates:
            continue
        figure = rng.choice(candidates)
        options = [name for name, change in PERTURBATIONS.items() if change(summary, figure) is not None]
        name = rng.choice(options)
        changed = PERTURBATIONS[name](summary, figure)
        assert changed is not None
        shift = len(changed) - len(summary)
        span = (figure.start, figure.end + shift)
        found = [
            f
            for f in claim_findings(run_family(bbc_document(row, changed)))
            if f.location.field == "summary" and f.location.start < span[1] and f.location.end > span[0]
        ]
        tried[name] += 1
        if found:
            caught[name] += 1
            mismatch[name] += any(f.code == "FIG002" for f in found)
        else:
            missed.append(f"{row['id']} [{name}] {figure.text!r} -> {changed[span[0] : span[1]]!r}")
    print("## 2. The same summaries with one distinctive figure changed (one per article, seeded)")
    print(f"{'change':18} {'articles':>8} {'recall':>7} {'as FIG002':>9}")
    for name in PERTURBATIONS:
        if tried[name]:
            print(
                f"{name:18} {tried[name]:8d} {caught[name] / tried[name]:7.3f} "
                f"{mismatch[name] / max(1, caught[name]):9.3f}"
            )
    total, hits = sum(tried.values()), sum(caught.values())
    print(
        f"{'all':18} {total:8d} {hits / total:7.3f} {sum(mismatch.values()) / max(1, hits):9.3f}  "
        "(recall target >= 0.95; 'as FIG002' = share of the caught ones reported as a mismatch)"
    )
    for line in missed:
        print("  missed:", line)
    print()


# ----------------------------------------------------------------------------------------------- 3. FNC-1
def fnc_agree_pairs() -> Iterator[tuple[str, str, str]]:
    folder = DATA / "fnc1"
    with (folder / "train_bodies.csv").open(encoding="utf-8", newline="") as handle:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}
    with (folder / "train_stances.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Stance"] == "agree":
                yield row["Headline"], row["Body ID"], bodies[row["Body ID"]]


def fnc_agree() -> None:
    with_figure = 0
    flagged: list[tuple[str, str, Finding]] = []
    for index, (headline, body_id, body) in enumerate(fnc_agree_pairs()):
        if not any(not f.is_small_integer for f in extract_figures(headline, small_number_words=False)):
            continue
        with_figure += 1
        doc = make_document({"id": f"fnc/{index}", "title": headline, "body": body}, f"fnc/{body_id}")
        for finding in claim_findings(run_family(doc)):
            flagged.append((headline, body_id, finding))
    pairs = len({(h, b) for h, b, _ in flagged})
    codes = Counter(f.code for _, _, f in flagged)
    print("## 3. FNC-1 dev `agree` pairs whose headline holds a (non-small) figure")
    print(
        f"pairs: {with_figure}  flagged by FIG001/FIG002: {pairs}  share: {pairs / max(1, with_figure):.2%}  "
        f"(findings: FIG001 {codes['FIG001']}, FIG002 {codes['FIG002']})"
    )
    rng = random.Random(SEED)
    for headline, body_id, finding in sorted(rng.sample(flagged, min(15, len(flagged))), key=lambda x: x[1]):
        print(f"  body {body_id}: {headline!r}\n      {finding.code} {finding.message}")
    print()


# -------------------------------------------------------------------------------------------------- 4. FIG004
def unattributed(rows: list[dict[str, str]]) -> None:
    body_figures = 0
    distinct = 0
    found: list[tuple[str, Finding]] = []
    rule = figures.UnattributedFigure()
    for row in rows:
        all_figures = extract_figures(row["body"], small_number_words=False)
        body_figures += len(all_figures)
        distinct += sum(rule._distinctive(f) for f in all_figures)
        doc = bbc_document(row, None)
        found.extend((row["id"], f) for f in run_family(doc) if f.code == "FIG004")
    docs_with = len({doc_id for doc_id, _ in found})
    print("## 4. FIG004 unattributed-figure on BBC dev (title + body, no summary)")
    print(
        f"body figures: {body_figures} (distinctive: {distinct})  FIG004 findings: {len(found)}  "
        f"per 1,000 body figures: {1000 * len(found) / body_figures:.1f}  "
        f"per 1,000 distinctive: {1000 * len(found) / max(1, distinct):.1f}  articles with one: {docs_with}"
    )
    sample = random.Random(SEED).sample(found, min(40, len(found)))
    print("seeded sample of 40 (figure | sentence):")
    for number, (doc_id, finding) in enumerate(sample, 1):
        print(f"  {number:2d}. {doc_id} {finding.text!r} | {finding.evidence['sentence']}")
    print()


# ------------------------------------------------------------------------------------------------ 5. timing
def timing(rows: list[dict[str, str]]) -> None:
    print("## 5. CPU cost of the FIG family in ms/doc (documents pre-loaded; best of 5 runs, median in brackets)")
    print("'tokens shared' = the block tokens (ctx.words) already computed by other rules, as in a full run")
    for label, summary_of in (
        ("BBC dev, title + body", lambda row: None),
        ("BBC dev, + extractive summary", lambda row: row["extractive_summary"]),
    ):
        docs = [bbc_document(row, summary_of(row)) for row in rows]
        for shared in (False, True):
            runs = []
            for _ in range(5):
                contexts = [DocContext(doc) for doc in docs]
                if shared:
                    for doc, ctx in zip(docs, contexts, strict=True):
                        for block in doc.body:
                            ctx.words(block)
                start = time.process_time()  # CPU time: other processes on the machine do not count
                for doc, ctx in zip(docs, contexts, strict=True):
                    for rule in RULES:
                        list(rule.check(doc, ctx))
                runs.append((time.process_time() - start) / len(docs) * 1000)
            tokens = "tokens shared" if shared else "tokens counted"
            print(f"  {label:32} {tokens:15} {min(runs):.3f} ({statistics.median(runs):.3f})")
    floor = []
    for _ in range(5):
        start = time.process_time()
        for row in rows:
            re.findall(r"\w+", row["body"].lower())
        floor.append((time.process_time() - start) / len(rows) * 1000)
    reference = "re.findall(r'\\w+') over the lowered body"
    print(f"  for scale, same run: {reference:32} {min(floor):.3f} ({statistics.median(floor):.3f})")
    words = statistics.mean(len(row["body"].split()) for row in rows)
    print(f"  ({words:.0f} words per BBC body; the family's budget is ~0.2 ms for a ~600-word document)")
    print()


def main() -> None:
    rows = bbc_records()
    clean_summaries(rows)
    seeded_changes(rows)
    fnc_agree()
    unattributed(rows)
    timing(rows)


if __name__ == "__main__":
    main()
