"""Throughput and memory of the DUP family on a large corpus made from the real text in ../shared/data.

Run from the repository root: `python bench/bench_duplicates.py [DOCUMENTS]` (default 100,000; data folder
overridable with CORPUSLINT_DATA). Builds news-length documents (headline + 6-9 paragraphs of real sentences
from BBC, FNC-1 and Lee, ~600 words) with planted exact copies, edited copies and figure-only copies, writes them
to a temporary JSON Lines file, then measures:
- the family alone: CPU time of the DUP document rules and signatures per document (tokens are computed first
  and shared, as in the engine), and of the corpus phase;
- bytes per document held in memory by the corpus rules' signatures (as received by the main process) and
  bytes per document in the shingle spill file on disk;
- the engine end to end with `--select DUP` and 2 processes (loading included);
- recall of the planted copies whose exact Jaccard is at or above the threshold.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import pickle
import random
import re
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from corpuslint import minhash
from corpuslint.checks import duplicates
from corpuslint.config import FieldMap, Settings
from corpuslint.engine import run
from corpuslint.loaders.jsonlines import load_jsonl
from corpuslint.model import Document
from corpuslint.rule import CorpusRule, DocContext, DocumentRule

DATA = Path(os.environ.get("CORPUSLINT_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
SEED = 20260127
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def sentence_pool() -> list[str]:
    texts = [json.loads(line)["body"] for line in (DATA / "bbc_news" / "bbc_news_dev.jsonl").open(encoding="utf-8")]
    with (DATA / "fnc1" / "train_bodies.csv").open(encoding="utf-8", newline="") as handle:
        texts += [row["articleBody"] for row in csv.DictReader(handle)]
    texts += (DATA / "gensim_lee" / "lee_background.cor").read_text(encoding="utf-8").splitlines()
    pool = {s.strip() for text in texts for s in _SENTENCE_RE.split(text.replace("\n", " ")) if len(s.split()) >= 6}
    return sorted(pool)


def generate(count: int, path: Path) -> dict[str, str]:
    """Write `count` documents; returns planted copies: copy id -> original id (kinds: exact, edited, figures)."""
    rng = random.Random(SEED)
    pool = sentence_pool()
    planted: dict[str, str] = {}
    bodies: list[list[str]] = []
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            roll = rng.random()
            if bodies and roll < 0.03:
                source = rng.randrange(len(bodies))
                paragraphs = list(bodies[source])
                if roll < 0.01:
                    pass  # exact copy
                elif roll < 0.02:
                    paragraphs[rng.randrange(len(paragraphs))] = " ".join(rng.sample(pool, 3))  # one paragraph new
                else:
                    paragraphs = [re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), p) for p in paragraphs]
                planted[f"d{index:06}"] = f"d{source:06}"
            else:
                paragraphs = [" ".join(rng.sample(pool, rng.randint(2, 3))) for _ in range(rng.randint(6, 9))]
            bodies.append(paragraphs)
            headline = " ".join(rng.choice(pool).split()[:4] + rng.choice(pool).split()[-4:])
            record = {"id": f"d{index:06}", "title": headline, "body": "\n\n".join(paragraphs)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return planted


def family_alone(path: Path) -> tuple[dict[str, float], int, int, dict[str, list], float, int, dict[str, list]]:
    """CPU seconds per DUP rule over every document, the shared tokenisation, and the corpus phase; and the
    bytes written to the shingle spill file."""
    spilled = minhash._spill().size
    rules = [rule() for rule in duplicates.RULES]
    seconds: dict[str, float] = defaultdict(float)
    signatures: dict[str, list] = defaultdict(list)
    documents = words = 0
    for doc in load_jsonl(str(path), path.name, FieldMap(), 1 << 30):
        if not isinstance(doc, Document):
            continue
        documents += 1
        ctx = DocContext(doc)
        start = time.process_time()
        words += sum(len(ctx.words(block)) for block in doc.blocks)
        seconds["tokens (shared by all families)"] += time.process_time() - start
        for rule in rules:
            start = time.process_time()
            if isinstance(rule, DocumentRule):
                list(rule.check(doc, ctx))
            else:
                signature = rule.signature(doc, ctx)
                if signature is not None:
                    signatures[rule.code].append(signature)
            seconds[rule.code] += time.process_time() - start
    corpus_start = time.process_time()
    findings: dict[str, list] = {}
    for rule in rules:
        if isinstance(rule, CorpusRule):
            findings[rule.code] = list(rule.check_corpus(signatures[rule.code]))
    corpus = time.process_time() - corpus_start
    return seconds, documents, words, findings, corpus, minhash._spill().size - spilled, signatures


def held_bytes(path: Path, limit: int) -> dict[str, float]:
    """Bytes per document held by each corpus rule's signatures once unpickled in the main process (as they
    arrive from workers), measured with tracemalloc on the first `limit` documents."""
    rules = [rule() for rule in duplicates.RULES if issubclass(rule, CorpusRule)]
    per_file: dict[str, list] = defaultdict(list)
    count = 0
    for doc in load_jsonl(str(path), path.name, FieldMap(), 1 << 30):
        if isinstance(doc, Document) and count < limit:
            count += 1
            ctx = DocContext(doc)
            for rule in rules:
                per_file[rule.code].append(rule.signature(doc, ctx))
    payload = pickle.dumps(dict(per_file))  # one file's worth, as a worker sends it
    result: dict[str, float] = {}
    for code in [*per_file, "all"]:
        wanted = payload if code == "all" else pickle.dumps({code: per_file[code]})
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        held = pickle.loads(wanted)
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        result[code] = (after - before) / count
        del held
    return result


def datasketch_lsh_bytes(path: Path, limit: int) -> float:
    """For comparison: bytes per document held by datasketch's MinHashLSH index (same bands x rows) for the same
    MinHash values."""
    rule = duplicates.NearDuplicateDocument()
    options = rule.options
    bands, rows = minhash.lsh_shape(options.threshold, options.num_perm, options.lsh_recall)
    values = []
    for doc in load_jsonl(str(path), path.name, FieldMap(), 1 << 30):
        if isinstance(doc, Document) and len(values) < limit:
            signature = rule.signature(doc, DocContext(doc))
            values.append((doc.id, signature.minhash))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = MinHashLSH(num_perm=bands * rows, params=(bands, rows))
    for key, raw in values:
        hashvalues = np.frombuffer(raw, dtype=np.uint16)[: bands * rows].astype(np.uint64)
        index.insert(key, LeanMinHash(seed=1, hashvalues=hashvalues, scheme="legacy"), check_duplication=False)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    return (after - before) / len(values)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="corpuslint-bench-") as folder:
        path = Path(folder) / "generated.jsonl"
        started = time.perf_counter()
        planted = generate(count, path)
        size = path.stat().st_size / 1e6
        print(f"generated {count:,} documents ({size:.0f} MB) in {time.perf_counter() - started:.0f} s")

        seconds, documents, words, findings, corpus, spilled, signatures = family_alone(path)
        family = sum(v for k, v in seconds.items() if k.startswith("DUP")) + corpus
        print(f"\nDUP family alone, one process, {documents:,} documents, {words / documents:.0f} words/document")
        print(f"(CPU time; machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
        for name, value in sorted(seconds.items()):
            print(f"  {name:<34} {value / documents * 1e6:8.1f} us/doc")
        print(f"  {'corpus phase (DUP003-005)':<34} {corpus / documents * 1e6:8.1f} us/doc ({corpus:.1f} s)")
        print(f"  {'family total':<34} {family / documents * 1e6:8.1f} us/doc = {documents / family:,.0f} docs/s")

        near = {(f.related[0].location.document, f.location.document) for f in findings["DUP003"]}
        later = {f.location.document for f in findings["DUP003"]}
        print(
            f"\ncorpus phase: {len(findings['DUP003']):,} DUP003, {len(findings['DUP004']):,} DUP004, "
            f"{len(findings['DUP005']):,} DUP005 findings"
        )
        by_id = {sig.anchor[1]: sig for sig in signatures["DUP003"]}
        threshold = duplicates.NearDuplicateOptions().threshold
        expected = [
            copy
            for copy, source in planted.items()
            if minhash.jaccard(by_id[copy].shingles(), by_id[source].shingles()) >= threshold
        ]
        print(
            f"  planted copies (exact J >= {threshold} with their source) reported: "
            f"{sum(c in later for c in expected):,}/{len(expected):,}"
        )
        print(
            f"  all planted copies reported: {sum(c in later for c in planted):,}/{len(planted):,}; the related "
            f"location is their own source for {sum((s, c) in near for c, s in planted.items()):,} "
            f"(else an earlier copy of the same source)"
        )

        held = held_bytes(path, min(count, 20_000))
        spill = spilled / documents
        print("\nmemory held per document by the corpus rules' signatures (main process):")
        for code, value in held.items():
            print(f"  {code:<8} {value:8.0f} bytes/doc")
        print(f"  shingle fingerprints in the spill file (disk, not memory): {spill:.0f} bytes/doc")
        reference = datasketch_lsh_bytes(path, min(count, 20_000))
        print(f"  for comparison, datasketch MinHashLSH, same bands x rows: {reference:.0f} bytes/doc")

        started = time.perf_counter()
        result = run([path], Settings(select=["DUP"], jobs=2, cache=False), cwd=path.parent)
        wall = time.perf_counter() - started
        print(
            f"\nengine end to end (--select DUP, 2 processes, loading included): {result.documents:,} documents in "
            f"{wall:.1f} s = {result.documents / wall:,.0f} docs/s; {len(result.findings):,} findings"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
