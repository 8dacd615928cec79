"""The incremental cache (and corpus index): per work unit, each rule's findings and signatures.

An entry is reused when the file's (size, mtime, inode) are unchanged, so a re-run over an unchanged corpus
reads no document text. Each rule's part carries a hash of that rule's identity and options: changing one
rule's options re-runs only that rule. Corpus-phase findings are cached under a digest of every signature's
source, so an unchanged corpus skips that phase too; the last run's final report is kept under a digest of
every unit, the configuration and the rules, so a re-run over an unchanged corpus only checks that nothing
changed. Stored in one SQLite file (atomic commits, one writer: the main process), salted with corpuslint's
version and source so an upgrade never reuses stale results.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpuslint import __version__
from corpuslint.findings import FindingList
from corpuslint.loaders import remote
from corpuslint.model import Finding, Problem

CACHE_DIR_NAME = ".corpuslint_cache"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS units (key TEXT PRIMARY KEY, stat TEXT NOT NULL, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS corpus (rule TEXT PRIMARY KEY, digest TEXT NOT NULL, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (key TEXT, rule TEXT, payload BLOB NOT NULL, PRIMARY KEY (key, rule));
CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY, payload BLOB NOT NULL);
"""


@dataclass
class RuleOutput:
    """What one rule produced on one unit: findings, and signatures (corpus rules) in document order."""

    rule_hash: str
    findings: list[Finding] = field(default_factory=list)
    # None: stored in the cache and not loaded (`Cache.signatures`); the corpus phase is cached too, so a
    # re-run over an unchanged corpus never unpickles them.
    signatures: Sequence[Any] | None = field(default_factory=list)


@dataclass
class UnitEntry:
    """Everything known about one work unit; `loader_hash` guards the input problems and document count."""

    loader_hash: str
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    rules: dict[str, RuleOutput] = field(default_factory=dict)


@functools.cache
def code_salt() -> str:
    """corpuslint's version plus a digest of its installed source files (sizes and mtimes): a development
    checkout that changes a rule's code never reuses results of the old code."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".yml", ".yaml", ".json", ".txt"} and path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def stat_key(path: str) -> str | None:
    if remote.is_url(path):
        return remote.stat_key(path)
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


class Cache:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        gitignore = folder / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# created by corpuslint\n*\n")
        # Concurrent runs on one cache wait for each other's commits rather than fail.
        self._db = sqlite3.connect(folder / f"cache-{code_salt()}.sqlite", timeout=60)
        self._db.executescript(_SCHEMA)
        self._pending = 0

    def get(self, key: str, stat: str | None) -> UnitEntry | None:
        """The unit's entry, its corpus-rule signatures left in the cache (`signatures` None)."""
        row = self._db.execute("SELECT stat, payload FROM units WHERE key = ?", (key,)).fetchone()
        if row is None or stat is None or row[0] != stat:
            return None
        try:
            return pickle.loads(row[1])
        except Exception:  # a corrupt or incompatible entry is a miss, never an error
            return None

    def signatures(self, key: str, rule: str) -> Sequence[Any]:
        row = self._db.execute("SELECT payload FROM signatures WHERE key = ? AND rule = ?", (key, rule)).fetchone()
        if row is None:
            raise LookupError(f"the cache has lost the {rule} signatures of {key}; run again with --no-cache")
        return pickle.loads(row[0])

    def put(self, key: str, stat: str | None, entry: UnitEntry) -> None:
        """Store the entry; signatures apart, per rule. Outputs whose signatures were never loaded keep theirs."""
        if stat is None:
            return
        outputs = {}
        for code, output in entry.rules.items():
            if output.signatures:
                blob = pickle.dumps(output.signatures, protocol=pickle.HIGHEST_PROTOCOL)
                self._db.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?, ?)", (key, code, blob))
                output = replace(output, signatures=None)
            outputs[code] = output
        payload = pickle.dumps(replace(entry, rules=outputs), protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", (key, stat, payload))
        self._pending += 1
        if self._pending >= 64:  # short transactions: a concurrent run is never locked out for long
            self.commit()

    def get_corpus(self, rule: str, digest: str) -> list[Finding] | None:
        row = self._db.execute("SELECT digest, payload FROM corpus WHERE rule = ?", (rule,)).fetchone()
        if row is None or row[0] != digest:
            return None
        try:
            return pickle.loads(row[1])
        except Exception:
            return None

    def put_corpus(self, rule: str, digest: str, findings: list[Finding]) -> None:
        payload = pickle.dumps(findings, protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute("INSERT OR REPLACE INTO corpus VALUES (?, ?, ?)", (rule, digest, payload))

    def get_report(self, key: str) -> tuple[FindingList, int] | None:
        """A whole run's final findings and document count, stored under a key of everything they depend on."""
        row = self._db.execute("SELECT payload FROM reports WHERE key = ?", (key,)).fetchone()
        try:
            return None if row is None else pickle.loads(row[0])
        except Exception:
            return None

    def put_report(self, key: str, findings: FindingList, documents: int) -> None:
        """Keep the latest report only: one per cache, however many runs."""
        self._db.execute("DELETE FROM reports")
        payload = pickle.dumps((findings, documents), protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute("INSERT INTO reports VALUES (?, ?)", (key, payload))

    def commit(self) -> None:
        self._db.commit()
        self._pending = 0

    def close(self) -> None:
        self._db.commit()
        self._db.close()
