"""Fuzz the loaders and the whole default rule set for a fixed budget (outside the unit tests).

    python bench/fuzz.py --inputs 100000 --seconds 1200

Drives the hypothesis strategies of tests/test_fuzz.py at high example counts, plus raw and mutated bytes, as
.txt/.md/.jsonl/.jsonl.gz/.json files, through loading, every document rule, the corpus rules and finalisation.
Counts inputs tried, crashes (an exception escaping, or a rule crash reported as INPUT008), hangs (a rule over the
per-document time limit, INPUT009, or an input slower than the limit overall), findings whose span points outside
their document, and non-deterministic output; the inputs checked twice also have every report format written to a
file by the CLI's own writer. Each failing input is saved under bench/out/fuzz-failures/.
One process; seeded (`--seed`), so a run can be repeated.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import test_fuzz as harness  # noqa: E402  (the strategies and invariants of the unit tests)
from corpuslint.cli import _write as write_report  # noqa: E402  (the CLI's own writer, encoding included)
from corpuslint.config import Settings  # noqa: E402
from corpuslint.engine import RunResult  # noqa: E402
from corpuslint.findings import FindingList  # noqa: E402
from corpuslint.model import Finding  # noqa: E402
from corpuslint.reporters import FORMATS  # noqa: E402

OUT = REPO / "bench" / "out" / "fuzz-failures"
SUFFIXES = [".txt", ".md", ".jsonl", ".jsonl.gz", ".json"]
LONG_CHARS = 200_000
LONG_SHARE = 100  # one long-document input for this many others: each takes about a second


@dataclass
class Tally:
    deadline: float
    limit: int
    timeout: float
    inputs: int = 0
    documents_bytes: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_target: Counter[str] = field(default_factory=Counter)
    first_failures: dict[str, str] = field(default_factory=dict)

    def done(self) -> bool:
        return self.inputs >= self.limit or time.monotonic() >= self.deadline

    def record(self, target: str, files: list[tuple[str, bytes]], check_determinism: bool) -> None:
        self.inputs += 1
        self.by_target[target] += 1
        self.documents_bytes += sum(len(data) for _, data in files)
        started = time.monotonic()
        try:
            with tempfile.TemporaryDirectory() as folder:
                findings = harness.lint_files(Path(folder), files)
            if check_determinism:
                with tempfile.TemporaryDirectory() as folder:
                    again = harness.lint_files(Path(folder), files)
                if [f.model_dump(mode="json") for f in findings] != [f.model_dump(mode="json") for f in again]:
                    self.fail("non-deterministic", files, "two runs differ")
                write_reports(findings, len(files))
            for finding in findings:
                if finding.code == "INPUT008":
                    self.fail("rule crash (INPUT008)", files, finding.message)
                elif finding.code == "INPUT009":
                    self.fail("hang (INPUT009)", files, finding.message)
            harness.assert_invariants(files, [f for f in findings if f.code not in ("INPUT008", "INPUT009")])
        except AssertionError as exc:
            self.fail("span outside document", files, str(exc)[:2000])
        except Exception:
            self.fail("crash (exception escaped)", files, traceback.format_exc()[-3000:])
        elapsed = time.monotonic() - started
        if elapsed > self.timeout * (2 if check_determinism else 1):
            self.fail("slow input (over the time limit)", files, f"{elapsed:.1f}s")

    def fail(self, kind: str, files: list[tuple[str, bytes]], detail: str) -> None:
        self.outcomes[kind] += 1
        digest = hashlib.sha256(b"".join(s.encode() + d for s, d in files)).hexdigest()[:12]
        folder = OUT / kind.split(" ")[0] / digest
        folder.mkdir(parents=True, exist_ok=True)
        for index, (suffix, data) in enumerate(files):
            (folder / f"f{index}{suffix}").write_bytes(data)
        (folder / "detail.txt").write_text(detail, encoding="utf-8", errors="backslashreplace")
        self.first_failures.setdefault(kind, f"{folder.relative_to(REPO)}: {detail.splitlines()[-1][:300]}")


def write_reports(findings: list[Finding], files: int) -> None:
    """Write every report format to a file the way `check --output` does (a failure raises)."""
    result = RunResult(FindingList(findings), files, files, harness.rules())
    with tempfile.TemporaryDirectory() as folder:
        for fmt in FORMATS:
            write_report(fmt, result, Path(folder) / f"report.{fmt}", statistics_only=False)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Flip, delete, duplicate or insert a few bytes, or truncate: the raw material of broken files."""
    raw = bytearray(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(raw))
        choice = rng.randrange(5)
        if choice == 0 and raw:
            raw[min(position, len(raw) - 1)] = rng.randrange(256)
        elif choice == 1:
            del raw[position : position + rng.randint(1, 8)]
        elif choice == 2:
            raw[position:position] = raw[position : position + rng.randint(1, 64)] * rng.randint(1, 50)
        elif choice == 3:
            raw[position:position] = rng.choice([b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\r", b"\\u", b'"', b"{"])
        else:
            del raw[position:]
    return bytes(raw)


def make_targets(tally: Tally, rng: random.Random) -> dict[str, object]:
    every = 20  # check determinism on every 20th input

    def run(target: str, files: list[tuple[str, bytes]]) -> None:
        if not tally.done():
            tally.record(target, files, tally.inputs % every == 0)

    @given(harness.text_files)
    def text_document(file: tuple[str, bytes]) -> None:
        run("text document", [file])

    @given(harness.json_files())
    def json_records(file: tuple[str, bytes]) -> None:
        run("json records", [file])

    @given(harness.corpus_files)
    def mixed_corpus(files: list[tuple[str, bytes]]) -> None:
        run("mixed corpus", files)

    @given(st.sampled_from(SUFFIXES), st.binary(max_size=2000))
    def raw_bytes(suffix: str, data: bytes) -> None:
        run("raw bytes", [(suffix, gzip.compress(data, mtime=0) if suffix.endswith(".gz") else data)])

    @given(st.one_of(harness.text_files, harness.json_files()))
    def mutated_file(file: tuple[str, bytes]) -> None:
        suffix, data = file
        broken = mutate(data, rng)
        run("mutated file", [(suffix, gzip.compress(broken, mtime=0) if suffix.endswith(".gz") else broken)])

    @given(st.lists(harness.pieces, min_size=1, max_size=4).map("".join).filter(bool), st.sampled_from(SUFFIXES[:2]))
    def long_document(unit: str, suffix: str) -> None:
        """One 200,000-character line (or paragraphs) of a repeated unit: finds work that grows faster than the
        text (quadratic regexes, pairwise comparisons)."""
        line = unit * (LONG_CHARS // len(unit))
        run("long document", [(suffix, ("Headline\n\n" + line + "\n").encode("utf-8", "replace"))])

    return {f.__name__: f for f in (text_document, json_records, mixed_corpus, raw_bytes, mutated_file, long_document)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="stop after this many inputs")
    parser.add_argument("--seconds", type=float, default=1200, help="stop after this long")
    parser.add_argument("--timeout", type=float, default=5.0, help="per-document time limit (document-timeout)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--batch", type=int, default=2000, help="inputs per target before moving to the next")
    args = parser.parse_args()
    harness.SETTINGS = Settings(cache=False, jobs=1, document_timeout=args.timeout)
    started = time.monotonic()
    harness.rules()
    tally = Tally(started + args.seconds, args.inputs, args.timeout)
    rng = random.Random(args.seed)
    rounds = 0
    while not tally.done():  # round-robin over the targets in batches, each batch with its own seed
        for name, target in make_targets(tally, rng).items():
            batch = settings(
                max_examples=args.batch if name != "long_document" else max(1, args.batch // LONG_SHARE),
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )(target)
            seed(args.seed * 1_000_003 + rounds * 31 + len(name))(batch)()
            if tally.done():
                break
        rounds += 1
    elapsed = time.monotonic() - started
    failures = sum(tally.outcomes.values())
    print(f"corpuslint fuzz: seed {args.seed}, per-document limit {args.timeout:g}s, {elapsed:.0f}s")
    print(f"{'target':<20}{'inputs':>10}")
    for name, count in sorted(tally.by_target.items()):
        print(f"{name:<20}{count:>10,}")
    print(
        f"{'total':<20}{tally.inputs:>10,}   ({tally.documents_bytes / 1e6:.1f} MB of input, "
        f"{tally.inputs / elapsed:.0f} inputs/s)"
    )
    for kind in (
        "crash (exception escaped)",
        "rule crash (INPUT008)",
        "hang (INPUT009)",
        "slow input (over the time limit)",
        "span outside document",
        "non-deterministic",
    ):
        print(f"{kind:<34}{tally.outcomes[kind]:>6}")
    for kind, where in sorted(tally.first_failures.items()):
        print(f"first {kind}: {where}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
