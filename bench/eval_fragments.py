"""Evaluate LANG001 (foreign-fragment): recall, precision and span overlap on spliced documents; false findings on
untouched articles; speed on clean BBC articles.

Hosts: the clean BBC dev articles (English), and German and French documents built from lingua sentences. Into
each host document we splice one sentence or word pair of another language, either as its own paragraph ("line")
or between two sentences of a paragraph ("inline"); every run is seeded and deterministic.

    /work/venv/bin/python bench/eval_fragments.py [--per-cell N] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from corpuslint.checks import languages
from corpuslint.config import FieldMap, Settings
from corpuslint.engine import run
from corpuslint.loaders.jsonlines import load_jsonl
from corpuslint.model import Document
from corpuslint.rule import DocContext
from corpuslint.text import sentences

DATA = Path(os.environ.get("CORPUSLINT_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
LINGUA = DATA / "lingua_testdata"
LANGS = "en zh ja ko ru ar bn de fr es pt it nl pl tr vi hi uk el he fa th sv da nb fi cs hu ro id sw tl".split()
SEED = 20261127


@dataclass
class Insert:
    doc_id: str
    lang: str
    kind: str  # "sentence" or "pair"
    mode: str  # "line" or "inline"
    start: int
    end: int


def read_lines(kind: str, lang: str) -> list[str]:
    path = LINGUA / kind / f"{lang}.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def bbc_hosts() -> list[dict]:
    with (DATA / "bbc_news" / "bbc_news_dev.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [{"id": row["id"], "title": row["title"], "body": row["body"]} for row in rows]


def lingua_hosts(lang: str, rng: random.Random, count: int) -> list[dict]:
    """Documents of 4 paragraphs x 3 sentences of `lang`, the title a short sentence of the same language."""
    pool = read_lines("sentences", lang)
    hosts = []
    for index in range(count):
        picked = rng.sample(pool, 13)
        paragraphs = [" ".join(picked[1 + 3 * p : 4 + 3 * p]) for p in range(4)]
        hosts.append({"id": f"{lang}-host/{index}", "title": picked[0][:80], "body": "\n\n".join(paragraphs)})
    return hosts


def splice(host: dict, item: str, mode: str, rng: random.Random) -> tuple[str, int, int]:
    """`host`'s body with `item` spliced in; returns the body and the item's offsets in it."""
    paragraphs = host["body"].split("\n\n")
    if mode == "inline":
        candidates = [i for i, p in enumerate(paragraphs) if len(sentences(p)) >= 2]
        if candidates:
            index = rng.choice(candidates)
            cuts = [end for _, end in sentences(paragraphs[index])[:-1]]
            cut = rng.choice(cuts)
            before = "".join(p + "\n\n" for p in paragraphs[:index]) + paragraphs[index][:cut] + " "
            body = before + item + paragraphs[index][cut:] + "".join("\n\n" + p for p in paragraphs[index + 1 :])
            return body, len(before), len(before) + len(item)
    index = rng.randrange(len(paragraphs) + 1)
    before = "".join(p + "\n\n" for p in paragraphs[:index])
    rest = "\n\n".join(paragraphs[index:])
    body = before + item + ("\n\n" + rest if rest else "")
    return body, len(before), len(before) + len(item)


def build(hosts: list[dict], host_lang: str, per_cell: int, rng: random.Random) -> tuple[list[dict], list[Insert]]:
    records: list[dict] = []
    inserts: list[Insert] = []
    for lang in LANGS:
        if lang == host_lang:
            continue
        for kind, folder in (("sentence", "sentences"), ("pair", "word-pairs")):
            items = rng.sample(read_lines(folder, lang), 2 * per_cell)
            for number, item in enumerate(items):
                mode = "line" if number % 2 == 0 else "inline"
                host = rng.choice(hosts)
                body, start, end = splice(host, item, mode, rng)
                doc_id = f"{host_lang}:{lang}:{kind}:{number}:{host['id']}"
                records.append({"id": doc_id, "title": host["title"], "body": body})
                inserts.append(Insert(doc_id, lang, kind, mode, start, end))
    return records, inserts


def run_lang(records: list[dict], jobs: int) -> dict[str, list[tuple[str | None, int, int, str]]]:
    """LANG findings per document id: (field, start, end, language)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        chunk = max(1, len(records) // (jobs * 4))
        for index in range(0, len(records), chunk):
            with (root / f"part{index:06d}.jsonl").open("w", encoding="utf-8") as handle:
                for record in records[index : index + chunk]:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        result = run([root], Settings(select=["LANG001"], jobs=jobs, cache=False), cwd=root)
    found: dict[str, list[tuple[str | None, int, int, str]]] = defaultdict(list)
    for finding in result.findings:
        loc = finding.location
        found[loc.document].append((loc.field, loc.start, loc.end, str(finding.evidence.get("language"))))
    return found


@dataclass
class Score:
    hits: int = 0
    total: int = 0
    true_findings: int = 0
    findings: int = 0
    ious: list[float] = field(default_factory=list)
    right_language: int = 0

    def add(self, insert: Insert, found: list[tuple[str | None, int, int, str]]) -> None:
        self.total += 1
        body = [f for f in found if f[0] == "body"]
        overlapping = [f for f in body if f[1] < insert.end and insert.start < f[2]]
        self.findings += len(found)
        self.true_findings += len(overlapping)
        if not overlapping:
            return
        self.hits += 1
        self.right_language += any(f[3] == insert.lang for f in overlapping)
        start, end = min(f[1] for f in overlapping), max(f[2] for f in overlapping)
        covered = sum(min(f[2], insert.end) - max(f[1], insert.start) for f in overlapping)
        union = max(end, insert.end) - min(start, insert.start)
        self.ious.append(covered / union)

    @property
    def recall(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else float("nan")

    @property
    def iou(self) -> float:
        return statistics.fmean(self.ious) if self.ious else float("nan")


def is_other_script(lang: str, host_lang: str) -> bool:
    return not (languages.scripts_of(lang) & languages.scripts_of(host_lang))


def evaluate(host_lang: str, hosts: list[dict], per_cell: int, jobs: int, rng: random.Random) -> None:
    records, inserts = build(hosts, host_lang, per_cell, rng)
    started = time.perf_counter()
    found = run_lang(records, jobs)
    spliced_seconds = time.perf_counter() - started
    clean = run_lang(hosts, jobs)
    touched = sum(1 for host in hosts if clean.get(host["id"]))

    cells: dict[tuple[str, str, str], Score] = defaultdict(Score)
    for insert in inserts:
        group = "other-script" if is_other_script(insert.lang, host_lang) else "same-script"
        for key in ((insert.lang, insert.kind, insert.mode), (group, insert.kind, insert.mode)):
            cells[key].add(insert, found.get(insert.doc_id, []))
        for key in ((insert.lang, insert.kind, "all"), (group, insert.kind, "all"), ("ALL", insert.kind, "all")):
            cells[key].add(insert, found.get(insert.doc_id, []))

    print(
        f"\n=== host language: {host_lang} ({len(hosts)} host documents, {len(records)} spliced documents,"
        f" {per_cell} items per language x kind x mode; {spliced_seconds:.1f} s) ==="
    )
    header = f"{'lang':<13} {'sent line':>9} {'sent inl':>9} {'sent P':>7} {'sent IoU':>8} {'lang ok':>7}"
    print(header + f" {'pair line':>9} {'pair inl':>9} {'pair P':>7}")
    others = [lang for lang in LANGS if lang != host_lang]
    rows = sorted(others, key=lambda lang: (not is_other_script(lang, host_lang), lang))
    for name in [*rows, "other-script", "same-script", "ALL"]:
        sentence_all, pair_all = cells[(name, "sentence", "all")], cells[(name, "pair", "all")]
        line, inline = cells[(name, "sentence", "line")], cells[(name, "sentence", "inline")]
        pair_line, pair_inline = cells[(name, "pair", "line")], cells[(name, "pair", "inline")]
        if name == "other-script":
            print("-" * 96)
        language_ok = sentence_all.right_language / sentence_all.hits if sentence_all.hits else float("nan")
        label = (
            name
            if name in ("other-script", "same-script", "ALL")
            else f"{name} ({'other' if is_other_script(name, host_lang) else 'same'})"
        )
        print(
            f"{label:<13} {fmt(line.recall):>9} {fmt(inline.recall):>9} {fmt(sentence_all.precision):>7}"
            f" {fmt(sentence_all.iou):>8} {fmt(language_ok):>7} {fmt(pair_line.recall):>9}"
            f" {fmt(pair_inline.recall):>9} {fmt(pair_all.precision):>7}"
        )
    other, same = cells[("other-script", "sentence", "all")], cells[("same-script", "sentence", "all")]
    overall = cells[("ALL", "sentence", "all")]
    pairs = cells[("ALL", "pair", "all")]
    share = touched / len(hosts)
    print(f"\nsentence recall, other script : {fmt(other.recall)}   (target >= 0.99) {verdict(other.recall >= 0.99)}")
    print(f"sentence recall, same script  : {fmt(same.recall)}   (target >= 0.90) {verdict(same.recall >= 0.90)}")
    print(f"sentence precision            : {fmt(overall.precision)}")
    print(f"mean span IoU (sentences)     : {fmt(overall.iou)}   (target >= 0.80) {verdict(overall.iou >= 0.8)}")
    print(
        f"word-pair recall (all / other script / same script): {fmt(pairs.recall)} /"
        f" {fmt(cells[('other-script', 'pair', 'all')].recall)} / {fmt(cells[('same-script', 'pair', 'all')].recall)}"
    )
    print(f"word-pair precision           : {fmt(pairs.precision)}")
    print(
        f"untouched hosts with any finding: {touched}/{len(hosts)} = {share:.4f}   (target <= 0.01)"
        f" {verdict(share <= 0.01)}"
    )


def fmt(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def time_family(hosts: list[dict]) -> None:
    """ms/doc for LANG001 on clean BBC articles (loading excluded), cold (tokenising with `text.words` included)
    and with the tokens already shared by other rules through `ctx.words`; and how often langdetect ran."""
    rule = languages.ForeignFragment()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bbc.jsonl"
        path.write_text("".join(json.dumps(h, ensure_ascii=False) + "\n" for h in hosts), encoding="utf-8")
        docs = [d for d in load_jsonl(str(path), "bbc.jsonl", FieldMap(), 1 << 30) if isinstance(d, Document)]
    languages.identify("warm up the profiles")
    calls = 0
    real_identify = languages.identify

    def counting_identify(text: str) -> list[tuple[str, float]]:
        nonlocal calls
        calls += 1
        return real_identify(text)

    def tokenise_only() -> None:
        for doc in docs:
            ctx = DocContext(doc)
            for block in doc.blocks:
                ctx.words(block)

    languages.identify = counting_identify
    try:
        cold = best_of(5, lambda: [list(rule.check(doc, DocContext(doc))) for doc in docs])
        calls_per_pass = calls // 5
    finally:
        languages.identify = real_identify
    tokenising = best_of(5, tokenise_only)
    per_doc = 1000 / len(docs)
    print(f"\nspeed on {len(docs)} clean BBC articles (one process, CPU time, best of 5):")
    print(f"  LANG001, tokenising included              : {cold * per_doc:.3f} ms/doc")
    print(f"  of which ctx.words for every block        : {tokenising * per_doc:.3f} ms/doc (shared with other rules)")
    print(
        f"  LANG001's own work                        : {(cold - tokenising) * per_doc:.3f} ms/doc"
        f" ({(cold - tokenising) / tokenising:.2f}x the tokenising, a load-independent ratio)"
    )
    print(f"  langdetect calls: {calls_per_pass} per pass ({calls_per_pass / len(docs):.4f} per document)")


def best_of(runs: int, work) -> float:
    """Best CPU time of `runs` runs: process time, so other jobs on a shared machine do not inflate it."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--per-cell", type=int, default=40, help="items per language x kind x mode")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--hosts", default="en,de,fr", help="host languages to evaluate")
    args = parser.parse_args()
    if not (DATA / "bbc_news").is_dir() or not LINGUA.is_dir():
        print(f"data not found under {DATA} (set CORPUSLINT_DATA)", file=sys.stderr)
        return 2
    bbc = bbc_hosts()
    for host_lang in args.hosts.split(","):
        rng = random.Random(f"{SEED}:{host_lang}")
        hosts = bbc if host_lang == "en" else lingua_hosts(host_lang, rng, 200)
        evaluate(host_lang, hosts, args.per_cell, args.jobs, rng)
    time_family(bbc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
