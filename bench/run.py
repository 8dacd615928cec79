"""Speed and scale benchmark: corpuslint on a generated corpus vs the floor (read + split + tokenise) and vs datatrove.

In one run, on the same corpus and with the same number of processes, prints:
  (a) the floor: read every document, split paragraphs, tokenise words (`re.findall(r"\\w+", text.lower())`);
  (b) `corpuslint check` with the default rule set (`--no-cache`): docs/s, MB/s, peak RSS of the process tree,
      ratio to the floor, and its `--timings`; the bytes per document the main process holds for the corpus
      rules and for the findings (`bench/held.py`);
  (c) the same with a cache folder, cold then warm: time and speed-up;
  (d) the cross-document duplicate stage alone (`--select DUP003`) vs datatrove's 4-stage MinHash dedup (installed
      only into bench/out/.venv-datatrove) on the first `--dup-docs` documents: docs/s, ratio, recall;
  (e) only with `--steps e`: the local engine vs `--engine dask` (a LocalCluster of `--jobs` workers) on the first
      `--dask-docs` documents: docs/s, the client's peak RSS, byte-identical reports;
  and the recall of every planted defect per rule family, with findings on clean documents.

Steps run in the order a+b (with the recall), d, c. Every corpuslint command runs from a snapshot of its source
taken at the start. Wall-clock figures depend on what else runs on the machine: CPU milliseconds per document
(whole process tree) and the load average are printed beside them.

    python bench/run.py --docs 100000 [--jobs 2] [--workdir DIR] [--dup-docs 10000] [--no-datatrove] [--steps abcde]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import venv
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generate import GENERATOR_VERSION, generate

BENCH = Path(__file__).resolve().parent
DATATROVE_VENV = BENCH / "out" / ".venv-datatrove"
DATATROVE_REQUIREMENTS = ["datatrove[io,processing]==0.10.1", "spacy>=3.8"]  # spaCy: its English word tokenizer
DUP_SUBSET_PARTS = 4  # files in the duplicate-stage subset, so that datatrove's stages 1 and 4 use every worker
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TARGETS = {
    "docs_per_second": 3000,
    "floor_ratio": 0.3,
    "peak_rss_mb": 1000,
    "warm_speedup": 20,
    "dup_ratio": 10,
    "held_bytes": 1500,
}
HELD_DOCS = 5000  # documents over which bench/held.py measures the bytes held per document
# planted defect kind -> the rule meant to find it (and related rules reported beside it)
FAMILY_RULES = {
    "exact_duplicate": ("DUP003",),
    "near_duplicate": ("DUP003",),
    "foreign_fragment": ("LANG001",),
    "wrong_headline": ("HEAD001", "HEAD002"),
    "repeated_headline": ("DUP004",),
}


# --- measuring a process tree -------------------------------------------------------------------------------------


class TreeMonitor(threading.Thread):
    """Polls /proc for the summed RSS of a process and all its descendants (keeps the peak), and for the CPU time
    of every process of the tree (counted even when a pool never reaps its workers)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_bytes = 0
        self.peak_root_bytes = 0  # the root process alone (the client of a Dask run)
        self.peak_processes = 0
        self.cpu_ticks: dict[int, int] = {}
        self._halt = threading.Event()

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / CLOCK_TICKS

    def run(self) -> None:
        while not self._halt.is_set():
            tree = _descendants(self.pid)
            total = sum(_rss(pid) for pid in tree)
            self.peak_root_bytes = max(self.peak_root_bytes, _rss(self.pid))
            if total > self.peak_bytes:
                self.peak_bytes, self.peak_processes = total, len(tree)
            for pid, ticks in tree.items():
                self.cpu_ticks[pid] = max(ticks, self.cpu_ticks.get(pid, 0))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _descendants(root: int) -> dict[int, int]:
    """pid -> user + system CPU ticks, for `root` and every process below it."""
    children: dict[int, list[int]] = defaultdict(list)
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()  # fields[1] = ppid, [11] = utime, [12] = stime
        pid = int(entry.name)
        children[int(fields[1])].append(pid)
        ticks[pid] = int(fields[11]) + int(fields[12])
    found: dict[int, int] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        found[pid] = ticks.get(pid, 0)
        stack.extend(children.get(pid, []))
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system of the whole process tree
    peak_rss: int = 0
    peak_processes: int = 0
    peak_root_rss: int = 0
    returncode: int = 0
    stderr: str = ""
    extra: dict = field(default_factory=dict)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(
    command: list[str], cwd: Path, stdout_path: Path | None = None, env: dict[str, str] | None = None
) -> Measured:
    cpu_before, started = _children_cpu(), time.perf_counter()
    stdout = stdout_path.open("wb") if stdout_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, env=env)
        monitor = TreeMonitor(process.pid)
        monitor.start()
        _, stderr = process.communicate()
        monitor.stop()
    finally:
        if stdout_path:
            stdout.close()
    seconds, cpu = time.perf_counter() - started, max(_children_cpu() - cpu_before, monitor.cpu_seconds)
    text = stderr.decode("utf-8", "replace")
    peaks = (monitor.peak_bytes, monitor.peak_processes, monitor.peak_root_bytes)
    return Measured(seconds, cpu, peaks[0], peaks[1], peaks[2], process.returncode, text)


# --- (a) the floor ------------------------------------------------------------------------------------------------

_PARAGRAPH_RE = re.compile(r"\n\s*\n")
_WORD_RE = re.compile(r"\w+")


def floor_file(path: str) -> tuple[int, int]:
    """Read one file, split every document into paragraphs, tokenise each: (documents, words)."""
    documents = words = 0
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as handle:
            texts: Iterable[tuple[str, str]] = ((r["title"], r["body"]) for r in map(json.loads, handle))
            for title, body in texts:
                documents += 1
                words += len(_WORD_RE.findall(title.lower()))
                for paragraph in _PARAGRAPH_RE.split(body):
                    words += len(_WORD_RE.findall(paragraph.lower()))
    else:
        text = Path(path).read_text(encoding="utf-8")
        documents = 1
        for paragraph in _PARAGRAPH_RE.split(text):
            words += len(_WORD_RE.findall(paragraph.lower()))
    return documents, words


def floor_chunk(paths: list[str]) -> tuple[int, int]:
    totals = [floor_file(p) for p in paths]
    return sum(t[0] for t in totals), sum(t[1] for t in totals)


def measure_floor(files: list[Path], jobs: int) -> Measured:
    chunks = [[str(p) for p in files[i :: jobs * 8]] for i in range(jobs * 8)] if len(files) > jobs else None
    cpu_self = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = _children_cpu() + cpu_self.ru_utime + cpu_self.ru_stime
    started = time.perf_counter()
    if jobs == 1 or chunks is None:
        documents, words = floor_chunk([str(p) for p in files])
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(floor_chunk, [c for c in chunks if c])
        documents, words = sum(r[0] for r in results), sum(r[1] for r in results)
    seconds = time.perf_counter() - started
    cpu_self = resource.getrusage(resource.RUSAGE_SELF)
    cpu = _children_cpu() + cpu_self.ru_utime + cpu_self.ru_stime - cpu_before
    return Measured(seconds, cpu, extra={"documents": documents, "words": words})


# --- corpuslint ---------------------------------------------------------------------------------------------------


_SNAPSHOT_ENV: dict[str, str] | None = None  # set by snapshot_source()


def snapshot_source(workdir: Path) -> Path:
    """Copy corpuslint's source (and its rule packs) as it is now, and run every corpuslint command from the copy:
    the cache is salted with the source files' mtimes, so edits made in the tree during a long benchmark would
    otherwise invalidate the warm run, and the runs would not measure the same code."""
    global _SNAPSHOT_ENV
    import corpuslint
    from corpuslint.checks.packs import builtin_packs_dir

    target = workdir / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__")
    package = shutil.copytree(Path(corpuslint.__file__).parent, target / "corpuslint", ignore=ignore)
    if not (package / "rules").is_dir():
        shutil.copytree(builtin_packs_dir(), package / "rules", ignore=ignore)
    _SNAPSHOT_ENV = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")])),
    }
    return target


def corpuslint(paths: list[str], cwd: Path, report: Path, *options: str) -> Measured:
    command = [sys.executable, "-m", "corpuslint", "check", *paths, "--format", "json", "-o", str(report)]
    command += ["--fail-on", "never", "--timings", *options]
    measured = run_command(command, cwd, env=_SNAPSHOT_ENV)
    if measured.returncode != 0:
        raise SystemExit(f"corpuslint failed ({measured.returncode}):\n{measured.stderr[-4000:]}")
    return measured


def held_per_document(files: list[Path], documents: int) -> dict[str, float]:
    command = [sys.executable, str(BENCH / "held.py"), *map(str, files), "--docs", str(documents)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=_SNAPSHOT_ENV)
    return json.loads(done.stdout)


def registered_rules() -> set[str]:
    output = subprocess.run(
        [sys.executable, "-m", "corpuslint", "rules", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env=_SNAPSHOT_ENV,
    ).stdout
    return {row["code"] for row in json.loads(output)}


def load_findings(report: Path) -> list[dict]:
    with report.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return data["findings"] if isinstance(data, dict) else data


# --- (d) datatrove ------------------------------------------------------------------------------------------------


def datatrove_python() -> Path:
    """The benchmark venv's interpreter, created (with datatrove) on first use."""
    python = DATATROVE_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {DATATROVE_VENV} and installing {' '.join(DATATROVE_REQUIREMENTS)} ...", file=sys.stderr)
        venv.create(DATATROVE_VENV, with_pip=True)
    probe = subprocess.run([python, "-c", "import datatrove, spacy, orjson"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", *DATATROVE_REQUIREMENTS], check=True)
    return python


def run_datatrove(subset: Path, work: Path, jobs: int) -> tuple[Measured, dict]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    output = work / "result.json"
    command = [str(datatrove_python()), str(BENCH / "datatrove_dedup.py"), "--input", str(subset)]
    command += ["--work", str(work), "--workers", str(jobs)]
    measured = run_command(command, work, stdout_path=output)
    if measured.returncode != 0:
        raise SystemExit(f"datatrove failed ({measured.returncode}):\n{measured.stderr[-4000:]}")
    return measured, json.loads(output.read_text(encoding="utf-8"))


def make_subset(files: list[Path], docs: int, target: Path) -> int:
    """The first `docs` documents of the corpus, in DUP_SUBSET_PARTS JSON Lines files (same order)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    per_part = -(-docs // DUP_SUBSET_PARTS)
    written = 0
    handles = [(target / f"part-{i:02d}.jsonl").open("w", encoding="utf-8") for i in range(DUP_SUBSET_PARTS)]
    try:
        for path in files:
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if written >= docs:
                        break
                    handles[written // per_part].write(line)
                    written += 1
    finally:
        for handle in handles:
            handle.close()
    return written


# --- recall -------------------------------------------------------------------------------------------------------


def planted_pairs(manifest: dict, kinds: tuple[str, ...], limit: int | None = None) -> dict[str, tuple[str, str]]:
    """target document -> (source document, kind) for the planted copies (both inside the first `limit` docs)."""
    pairs = {}
    for entry in manifest["defects"]:
        if entry["kind"] in kinds and (limit is None or int(entry["doc"].split("-")[1]) < limit):
            pairs[entry["doc"]] = (entry["source"], entry["kind"])
    return pairs


def dup003_pairs(findings: list[dict]) -> set[tuple[str, str]]:
    return {
        (f["location"]["document"], f["evidence"].get("earlier_document")) for f in findings if f["code"] == "DUP003"
    }


def pair_recall(found: set[tuple[str, str]], planted: dict[str, tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """kind -> (found, planted): a planted pair counts when the tool pairs its two documents."""
    groups = {frozenset(pair) for pair in found}
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for target, (source, kind) in planted.items():
        result[kind][1] += 1
        result[kind][0] += frozenset((target, source)) in groups
    return {kind: (hit, total) for kind, (hit, total) in result.items()}


def datatrove_pairs(clusters: dict[str, int]) -> set[tuple[str, str]]:
    members: dict[int, list[str]] = defaultdict(list)
    for doc, cluster in clusters.items():
        members[cluster].append(doc)
    return {(a, b) for group in members.values() for i, a in enumerate(sorted(group)) for b in sorted(group)[i + 1 :]}


def family_recall(findings: list[dict], manifest: dict) -> list[tuple[str, str, int, int, str]]:
    """(kind, rule, found, planted, note) per planted kind and rule; located = the finding names the planted text."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        by_doc[finding["location"]["document"]].append(finding)
    pairs = dup003_pairs(findings)
    rows = []
    for kind, rules in FAMILY_RULES.items():
        entries = [e for e in manifest["defects"] if e["kind"] == kind]
        for rule in rules:
            if kind in ("exact_duplicate", "near_duplicate"):
                hits = sum((e["doc"], e["source"]) in pairs for e in entries)
                note = "pair named"
            elif kind == "foreign_fragment":
                flagged = [e for e in entries if any(f["code"] == rule for f in by_doc[e["doc"]])]
                hits = len(flagged)
                located = sum(any(_overlaps(f, e["fragment"]) for f in by_doc[e["doc"]]) for e in flagged)
                scripts = Counter(_script(e["fragment"]) for e in entries)
                found_scripts = Counter(_script(e["fragment"]) for e in flagged)
                note = f"located {located}; " + ", ".join(
                    f"{s} {found_scripts[s]}/{n}" for s, n in sorted(scripts.items())
                )
            else:
                hits = sum(any(f["code"] == rule for f in by_doc[e["doc"]]) for e in entries)
                note = "document flagged"
            rows.append((kind, rule, hits, len(entries), note))
    return rows


def _overlaps(finding: dict, fragment: str) -> bool:
    text = finding.get("text") or ""
    if finding["code"] != "LANG001" or not text:
        return False
    words, wanted = set(_WORD_RE.findall(text.lower())), set(_WORD_RE.findall(fragment.lower()))
    return text in fragment or fragment in text or len(words & wanted) >= 0.5 * max(1, len(wanted))


def _script(text: str) -> str:
    return "latin" if all(ord(c) < 0x250 or not c.isalpha() for c in text) else "other"


def clean_flags(findings: list[dict], manifest: dict) -> Counter:
    """Findings per rule on documents with no planted defect (copied sources count as clean)."""
    targets = {e["doc"] for e in manifest["defects"]}
    return Counter(f["code"] for f in findings if f["location"]["document"] not in targets)


# --- the table ----------------------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def rate(docs: int, measured: Measured) -> float:
    return docs / measured.seconds if measured.seconds else float("inf")


def ensure_corpus(args: argparse.Namespace, corpus: Path) -> dict:
    manifest_path = corpus / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        wanted = (GENERATOR_VERSION, args.docs, args.seed, args.format)
        if (manifest.get("generator"), manifest["docs"], manifest["seed"], manifest["format"]) == wanted:
            print(f"reusing {corpus}", file=sys.stderr)
            return manifest
        shutil.rmtree(corpus)  # another size, seed, format or generator version
    started = time.perf_counter()
    manifest = generate(args.docs, corpus, args.seed, args.shard_size, args.format)
    print(f"generated {args.docs:,} documents in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return manifest


class Table:
    """Prints each line as it comes and keeps the table in `<workdir>/table.txt`, so a long run shows its progress."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


@dataclass
class Bench:
    args: argparse.Namespace
    workdir: Path
    manifest: dict
    files: list[Path]
    documents_dir: Path
    say: Table

    @property
    def docs(self) -> int:
        return self.manifest["docs"]

    @property
    def megabytes(self) -> float:
        return self.manifest["bytes"] / 1e6

    @property
    def reports(self) -> Path:
        return self.workdir / "reports"

    def floor_and_check(self) -> Measured:
        """(a) and (b); returns run (b)."""
        say, docs, jobs = self.say, self.docs, str(self.args.jobs)
        floor = measure_floor(self.files, self.args.jobs)
        say(f"{'step':<44} {'seconds':>8} {'docs/s':>9} {'MB/s':>7} {'CPU ms/doc':>10} {'peak RSS':>9}  target")
        say(_row("(a) floor: read + split + \\w+ tokenise", docs, self.megabytes, floor))
        say(f"    {floor.extra['words'] / max(floor.extra['documents'], 1):.0f} words per document")
        cold = corpuslint(
            [str(self.documents_dir)], self.workdir, self.reports / "check.json", "--jobs", jobs, "--no-cache"
        )
        cold_rate, rss_mb = rate(docs, cold), cold.peak_rss / 1e6
        ratio = cold_rate / rate(docs, floor)
        say(
            _row("(b) corpuslint check (default rules)", docs, self.megabytes, cold)
            + f"  >= {TARGETS['docs_per_second']:,} docs/s: {mark(cold_rate >= TARGETS['docs_per_second'])}; "
            f"RSS < {TARGETS['peak_rss_mb']} MB: {mark(rss_mb < TARGETS['peak_rss_mb'])}"
        )
        say(
            f"    ratio to the floor: {ratio:.3f} (target >= {TARGETS['floor_ratio']}: "
            f"{mark(ratio >= TARGETS['floor_ratio'])}); CPU ratio (floor CPU / check CPU): "
            f"{floor.cpu_seconds / cold.cpu_seconds:.3f}; peak processes {cold.peak_processes}"
        )
        held = held_per_document(self.files, HELD_DOCS)
        by_rule = ", ".join(f"{code} {held[code]:,.0f}" for code in sorted(held) if code[:1].isupper())
        say(
            f"    bytes held per document in the main process (first {held['documents']:,} documents, bench/held.py): "
            f"corpus rules {held['corpus rules']:,.0f} ({by_rule}; target < {TARGETS['held_bytes']:,}: "
            f"{mark(held['corpus rules'] < TARGETS['held_bytes'])}); findings, compressed, {held['findings']:,.0f}"
        )
        return cold

    def recall(self, cold: Measured) -> None:
        say, manifest = self.say, self.manifest
        findings = load_findings(self.reports / "check.json")
        say()
        say(f"recall of planted defects, corpuslint default rules (run b, {len(findings):,} findings)")
        say(f"    {'planted kind':<18} {'rule':<8} {'found':>13}  note")
        for kind, rule, hits, total, note in family_recall(findings, manifest):
            say(f"    {kind:<18} {rule:<8} {hits:>5}/{total:<5} {hits / max(total, 1):>5.1%}  {note}")
        flags = clean_flags(findings, manifest)
        clean_docs = self.docs - len({e["doc"] for e in manifest["defects"]})
        say(f"findings on the {clean_docs:,} documents with no planted defect (per 1,000 clean documents):")
        say("    " + (", ".join(f"{c} {n:,} ({1000 * n / clean_docs:.1f})" for c, n in flags.most_common()) or "none"))
        say()
        say("--timings of run (b):")
        for line in cold.stderr.splitlines():
            say("    " + line)

    def duplicates(self) -> None:
        """(d): DUP003 alone vs datatrove on the first `--dup-docs` documents."""
        say, args, workdir = self.say, self.args, self.workdir
        if args.format != "jsonl":
            say("\n(d) skipped: the duplicate-stage comparison reads JSON Lines (--format jsonl)")
            return
        subset_dir = workdir / "dup-subset"
        subset = make_subset(self.files, min(args.dup_docs, self.docs), subset_dir)
        say()
        say(f"(d) duplicate stage on the first {subset:,} documents ({DUP_SUBSET_PARTS} files), {args.jobs} processes")
        planted = planted_pairs(self.manifest, ("exact_duplicate", "near_duplicate"), subset)
        planted_counts = Counter(kind for _, kind in planted.values())
        say(f"    planted pairs inside: {', '.join(f'{k} {v}' for k, v in sorted(planted_counts.items()))}")
        dup = ours = None
        if "DUP003" in registered_rules():
            report = self.reports / "dup003.json"
            options = ["--select", "DUP003", "--no-cache", "--jobs", str(args.jobs)]
            dup = corpuslint([str(subset_dir)], workdir, report, *options)
            ours = dup003_pairs(load_findings(report))
            say(_dup_row("corpuslint --select DUP003", subset, dup, ours, planted))
        else:
            say("    corpuslint --select DUP003: n/a (DUP003 is not registered)")
        if args.no_datatrove:
            say("    datatrove: skipped (--no-datatrove)")
            return
        measured, result = run_datatrove(subset_dir, workdir / "datatrove", args.jobs)
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in result["seconds"].items())
        theirs = datatrove_pairs(result["clusters"])
        say(_dup_row("datatrove MinHash (4 stages)", subset, measured, theirs, planted))
        say(f"        stages: {stages}; removed {result['removed']:,} of {result['documents']:,}")
        if dup is not None and ours is not None:
            dup_ratio = rate(subset, dup) / rate(subset, measured)
            recalled = [sum(hit for hit, _ in pair_recall(found, planted).values()) for found in (ours, theirs)]
            say(
                f"    DUP003 / datatrove throughput: {dup_ratio:.1f}x  "
                f"(target >= {TARGETS['dup_ratio']}x: {mark(dup_ratio >= TARGETS['dup_ratio'])}); "
                f"by CPU time per document: {measured.cpu_seconds / dup.cpu_seconds:.1f}x; planted pairs found "
                f"{recalled[0]} vs {recalled[1]} (at least datatrove's: {mark(recalled[0] >= recalled[1])})"
            )

    def dask(self) -> None:
        """(e): the same check on a Dask LocalCluster (`--jobs` workers) vs the local engine, on the first
        `--dask-docs` documents: docs/s, the client's own peak RSS, and whether the reports are identical."""
        say, args, workdir = self.say, self.args, self.workdir
        subset_dir = workdir / "dask-subset"
        subset = make_subset(self.files, min(args.dask_docs, self.docs), subset_dir)
        say()
        say(f"(e) local engine vs Dask LocalCluster({args.jobs} workers) on the first {subset:,} documents")
        reports = {}
        for engine in ("local", "dask"):
            reports[engine] = self.reports / f"engine-{engine}.json"
            options = ["--engine", engine, "--jobs", str(args.jobs), "--no-cache"]
            measured = corpuslint([str(subset_dir)], workdir, reports[engine], *options)
            say(
                f"    {engine:<6} {measured.seconds:>7.1f}s {subset / measured.seconds:>8,.0f} docs/s  "
                f"CPU {1000 * measured.cpu_seconds / subset:.2f} ms/doc  client peak RSS "
                f"{measured.peak_root_rss / 1e6:,.0f} MB  (process tree {measured.peak_rss / 1e6:,.0f} MB)"
            )
        same = reports["local"].read_bytes() == reports["dask"].read_bytes()
        say(f"    reports byte-identical: {same}")

    def cache_runs(self) -> None:
        """(c): the same check with a cache folder, cold then warm."""
        say, docs = self.say, self.docs
        cache = self.workdir / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        common = ["--jobs", str(self.args.jobs), "--cache-dir", str(cache)]
        cold_report, warm_report = self.reports / "cache-cold.json", self.reports / "cache-warm.json"
        first = corpuslint([str(self.documents_dir)], self.workdir, cold_report, *common)
        second = corpuslint([str(self.documents_dir)], self.workdir, warm_report, *common)
        speedup = first.seconds / second.seconds
        say()
        say(_row("(c) with cache, cold (fills the cache)", docs, self.megabytes, first))
        say(
            _row("    with cache, warm (unchanged corpus)", docs, self.megabytes, second)
            + f"  >= {TARGETS['warm_speedup']}x: {mark(speedup >= TARGETS['warm_speedup'])}"
        )
        same = cold_report.read_bytes() == warm_report.read_bytes()
        say(f"    warm speed-up: {speedup:.1f}x over the cold cache run; reports identical: {same}")
        say(f"    cold: {_units_line(first)}; warm: {_units_line(second)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None, help="default: bench/out/bench-<docs>")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shard-size", type=int, default=10_000)
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    parser.add_argument("--dup-docs", type=int, default=10_000, help="documents for the DUP003-vs-datatrove stage")
    parser.add_argument("--no-datatrove", action="store_true", help="skip datatrove (it runs at ~100 docs/s)")
    parser.add_argument("--no-cache-runs", action="store_true", help="skip (c), the cold and warm cache runs")
    parser.add_argument("--dask-docs", type=int, default=10_000, help="documents for the local-vs-Dask step (e)")
    parser.add_argument(
        "--steps", default="abcd", help="run only these steps, e.g. 'd' (a and b go together; e: Dask, not default)"
    )
    args = parser.parse_args(argv)
    workdir = (args.workdir or BENCH / "out" / f"bench-{args.docs}").resolve()
    corpus = workdir / "corpus"
    (workdir / "reports").mkdir(parents=True, exist_ok=True)
    (workdir / "corpuslint.toml").write_text("# the default rule set: no options\n")
    manifest = ensure_corpus(args, corpus)
    snapshot = snapshot_source(workdir)
    documents_dir = corpus / "docs"
    files = sorted(p for p in documents_dir.rglob("*") if p.suffix in (".jsonl", ".txt"))
    bench = Bench(args, workdir, manifest, files, documents_dir, Table(workdir / "table.txt"))
    say = bench.say
    say(
        f"corpus: {bench.docs:,} documents, {bench.megabytes:,.1f} MB, {len(files)} files ({args.format}), "
        f"seed {args.seed}"
    )
    say(f"machine: {os.cpu_count()} cores; --jobs {args.jobs}; load average before: {_load()}")
    say(f"corpuslint: run from a snapshot of its source taken now ({snapshot})")
    say(f"planted: {', '.join(f'{k} {v:,}' for k, v in manifest['counts'].items())}")
    say()
    if "a" in args.steps or "b" in args.steps:
        bench.recall(bench.floor_and_check())
    if "d" in args.steps:
        bench.duplicates()
    if "c" in args.steps and not args.no_cache_runs:
        bench.cache_runs()
    if "e" in args.steps:
        bench.dask()
    say(f"load average after: {_load()}")
    return 0


def _row(label: str, docs: int, megabytes: float, m: Measured) -> str:
    rss = f"{m.peak_rss / 1e6:,.0f} MB" if m.peak_rss else "-"
    cpu = 1000 * m.cpu_seconds / docs
    return (
        f"{label:<44} {m.seconds:>8.1f} {docs / m.seconds:>9,.0f} {megabytes / m.seconds:>7.1f} {cpu:>10.3f} {rss:>9}"
    )


def _dup_row(label: str, docs: int, m: Measured, found: set, planted: dict) -> str:
    recall = pair_recall(found, planted)
    planted_set = {frozenset((t, s)) for t, (s, _) in planted.items()}
    extra = sum(frozenset(pair) not in planted_set for pair in found)
    parts = ", ".join(f"{kind} {hit}/{total}" for kind, (hit, total) in sorted(recall.items()))
    return (
        f"    {label:<30} {m.seconds:>7.1f}s {docs / m.seconds:>8,.0f} docs/s"
        f"  CPU {1000 * m.cpu_seconds / docs:.2f} ms/doc  peak RSS {m.peak_rss / 1e6:,.0f} MB\n"
        f"        pairs found {len(found):,} (not planted: {extra:,}); recall: {parts}"
    )


def _units_line(m: Measured) -> str:
    return next((line for line in m.stderr.splitlines() if line.startswith("units read")), "units: ?")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
