"""How often each built-in YAML rule fires on clean news, and what the packs cost per document.

Runs every built-in pack rule on the BBC dev articles (`../shared/data/bbc_news/bbc_news_dev.jsonl`, real,
clean English news) and prints, per rule, the share of articles with at least one finding, then the slowest rules
and the total time per document. Target (issue 7): no rule at warning or error fires on more than 1% of the
articles; all packs together about 0.2 ms per document.

Usage: `python bench/eval_packs.py [--show N]` (N example findings per firing rule; default 2).
Deterministic apart from the timings.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path

from corpuslint.checks.packs import PackRule, builtin_packs_dir, pack_rules
from corpuslint.config import FieldMap, Settings
from corpuslint.loaders.jsonlines import load_jsonl
from corpuslint.model import Document, Severity
from corpuslint.rule import DocContext

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CORPUSLINT_DATA", REPO.parent / "shared" / "data"))
SOURCE = DATA / "bbc_news" / "bbc_news_dev.jsonl"
MAX_SHARE = 0.01  # at warning or error
BUDGET_MS = 0.2
ROUNDS = 3  # timing rounds (CPU time of this process); the best is reported


def load_documents() -> list[Document]:
    fields = FieldMap(summary=["summary", "description", "extractive_summary"])
    return [d for d in load_jsonl(str(SOURCE), SOURCE.name, fields, 32 * 1024 * 1024) if isinstance(d, Document)]


def fresh_context(doc: Document) -> DocContext:
    """A context with the document's tokens already computed: other rules share them; not the packs' cost."""
    ctx = DocContext(doc)
    for block in doc.blocks:
        ctx.words(block)
    return ctx


def time_packs(documents: list[Document], rules: list[PackRule]) -> float:
    """CPU seconds of all pack rules over all documents."""
    spent = 0.0
    for doc in documents:
        ctx = fresh_context(doc)
        started = time.process_time()
        for rule in rules:
            for _finding in rule.check(doc, ctx):
                pass
        spent += time.process_time() - started
    return spent


def time_tokens(documents: list[Document]) -> float:
    """CPU seconds of the shared tokenisation alone, printed for scale (the floor every rule set pays)."""
    started = time.process_time()
    for doc in documents:
        fresh_context(doc)
    return time.process_time() - started


def time_per_rule(documents: list[Document], rules: list[PackRule]) -> dict[str, float]:
    """CPU seconds per rule (the first rule to need a shared analysis pays for it)."""
    spent: dict[str, float] = defaultdict(float)
    for doc in documents:
        ctx = fresh_context(doc)
        for rule in rules:
            started = time.process_time()
            for _finding in rule.check(doc, ctx):
                pass
            spent[rule.code] += time.process_time() - started
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=2, help="example findings shown per firing rule")
    args = parser.parse_args()
    if not SOURCE.is_file():
        raise SystemExit(f"missing {SOURCE}; set CORPUSLINT_DATA")
    documents = load_documents()
    rules = [rule() for rule in pack_rules(Settings()) if issubclass(rule, PackRule)]
    builtin = str(builtin_packs_dir())
    rules = [r for r in rules if str(r.source).startswith(builtin)]

    fired: dict[str, set[str]] = defaultdict(set)
    examples: dict[str, list[str]] = defaultdict(list)
    for doc in documents:
        ctx = DocContext(doc)
        for rule in rules:
            for finding in rule.check(doc, ctx):
                fired[rule.code].add(doc.id)
                if len(examples[rule.code]) < args.show:
                    examples[rule.code].append(f"{doc.id}: {finding.message}")

    total = min(time_packs(documents, rules) for _ in range(ROUNDS))
    tokens = min(time_tokens(documents) for _ in range(ROUNDS))
    per_rule = time_per_rule(documents, rules)

    print(f"{len(documents)} BBC dev articles, {len(rules)} built-in pack rules\n")
    print(f"{'code':<10}{'name':<34}{'severity':<10}{'docs':>6}{'share':>9}  verdict")
    failures = 0
    for rule in sorted(rules, key=lambda r: r.code):
        count = len(fired[rule.code])
        share = count / len(documents)
        gated = rule.severity.rank >= Severity.WARNING.rank
        verdict = "ok" if share <= MAX_SHARE or not gated else f"FAIL (> {MAX_SHARE:.0%} at {rule.severity})"
        failures += verdict != "ok"
        print(f"{rule.code:<10}{rule.name:<34}{rule.severity.value:<10}{count:>6}{share:>9.2%}  {verdict}")
    print()
    for code in sorted(examples):
        for line in examples[code]:
            print(f"  {code} {line}")
    slowest = sorted(per_rule.items(), key=lambda item: -item[1])[:5]
    print("\nslowest rules (µs/doc): " + ", ".join(f"{c} {s / len(documents) * 1e6:.1f}" for c, s in slowest))
    per_doc_ms = total / len(documents) * 1e3
    print(f"all packs: {per_doc_ms:.3f} ms/doc (budget ~{BUDGET_MS} ms; best of {ROUNDS} rounds, tokens excluded)")
    print(
        f"for scale, the shared tokenisation: {tokens / len(documents) * 1e3:.3f} ms/doc; packs / tokenisation = "
        f"{total / tokens:.1f} (a ratio that machine load does not change much)"
    )
    print(f"rules over {MAX_SHARE:.0%} at warning/error: {failures}")


if __name__ == "__main__":
    main()
