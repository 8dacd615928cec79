"""Bytes per document the main process holds for a run, measured the way the engine holds them.

Runs the default rule set on the first `--docs` documents of the given files unit by unit, pickles each unit's
entry (as a worker sends it), then unpickles it and hands it to the engine's collector under tracemalloc: a
corpus rule's signatures as kept for the cross-document phase (HEAD001 only those it could report on, its
statistics counted in at once), and the findings, compressed. Prints one JSON object: bytes per document by
corpus rule, their total, the statistics rules' statistics (document frequencies: they grow with the vocabulary,
not with the number of documents, so per document they shrink as the corpus grows) and the findings.

    python bench/held.py FILE... [--docs 5000]
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import sys
import tracemalloc
from pathlib import Path

from corpuslint.config import Settings
from corpuslint.engine import _Collected, check_unit
from corpuslint.loaders import discover, plan_units
from corpuslint.registry import RuleSet


def held_per_document(files: list[Path], limit: int) -> dict[str, float]:
    settings = Settings()
    rules = RuleSet(settings)
    sources = [s for s in discover([str(f) for f in files], settings.include, settings.exclude, None, False)]
    payloads, units, documents = [], [], 0
    for unit in (u for source in sources for u in plan_units(source, 2 * 1024 * 1024)):
        if documents >= limit:
            break
        entry, _ = check_unit(unit, rules, settings)
        payloads.append(pickle.dumps(entry))
        units.append(unit)
        documents += entry.documents
    gc.collect()
    tracemalloc.start()
    collected = _Collected(rules)
    for index, (unit, payload) in enumerate(zip(units, payloads, strict=True)):
        collected.add(index, unit, pickle.loads(payload), is_target=True)
    statistics = {code: fold.result() for code, fold in collected.folds.items()}  # counts in the pending chunk
    gc.collect()
    held: dict[str, float] = {}
    for code in sorted(collected.signatures):
        before = tracemalloc.get_traced_memory()[0]
        del collected.signatures[code]
        gc.collect()
        held[code] = (before - tracemalloc.get_traced_memory()[0]) / documents
    before = tracemalloc.get_traced_memory()[0]
    collected.findings.clear()
    gc.collect()
    findings = (before - tracemalloc.get_traced_memory()[0]) / documents
    before = tracemalloc.get_traced_memory()[0]
    collected.folds.clear()
    statistics.clear()
    gc.collect()
    folded = (before - tracemalloc.get_traced_memory()[0]) / documents
    tracemalloc.stop()
    return {
        "documents": documents,
        **held,
        "corpus rules": sum(held.values()),
        "statistics": folded,
        "findings": findings,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--docs", type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps(held_per_document(args.files, args.docs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
