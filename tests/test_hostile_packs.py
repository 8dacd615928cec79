"""Hostile rule packs and configuration, and a 2 GB single-line file: each ends as a clear error or finding,
quickly and in bounded memory. (The catastrophic-regex case is
tests/test_packs.py::test_catastrophic_regex_is_reported_and_the_run_goes_on.)"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import check, write_corpus
from corpuslint.checks import packs
from corpuslint.config import ConfigError, Settings
from corpuslint.registry import RuleSet
from test_packs import ARTICLE, PACK, SIGN_OFF, write_pack


def billion_laughs(levels: int = 10) -> str:
    """Each level is a list of nine aliases of the level below: 9**10 strings if expanded."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def merge_key_bomb(levels: int = 10) -> str:
    """The same with YAML merge keys (`<<`), which copy mappings rather than share them."""
    lines = ["m0: &m0 {a: 1, b: 2, c: 3}"]
    lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}]}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


HOSTILE_RULE_FILES = {
    "alias bomb as the token list": SIGN_OFF.replace(
        "tokens: [Reporting by the Daily Example desk]", billion_laughs().rstrip() + "\ntokens: *l9"
    ),
    "alias bomb in unknown keys": billion_laughs() + SIGN_OFF,
    "alias bomb as the examples": SIGN_OFF.split("examples:")[0]
    + billion_laughs()
    + "examples: {bad: *l9, good: *l9}\n",
    "merge-key bomb": merge_key_bomb() + SIGN_OFF,
}


@pytest.mark.parametrize("content", HOSTILE_RULE_FILES.values(), ids=HOSTILE_RULE_FILES.keys())
def test_yaml_bombs_in_a_rule_file_are_config_errors_quickly(tmp_path: Path, content: str) -> None:
    folder = write_pack(tmp_path / "house", {"Bomb.yml": content})
    before, started = max_rss_mb(), time.monotonic()
    with pytest.raises(ConfigError, match=r"Bomb\.yml:\d+: "):
        packs.load_pack(folder, "test")
    assert time.monotonic() - started < 2
    assert max_rss_mb() - before < 50


def test_yaml_bomb_in_pack_yml(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "house", {"SignOff.yml": SIGN_OFF}, pack=billion_laughs() + PACK)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"pack\.yml:1: unknown key `l0`"):
        packs.load_pack(folder, "test")
    assert time.monotonic() - started < 2


def test_yaml_bomb_in_a_pack_named_by_config_rule_paths_exits_2(tmp_path: Path, cli) -> None:
    write_pack(
        tmp_path / "style" / "house",
        {
            "SignOff.yml": SIGN_OFF,
            "Bomb.yml": HOSTILE_RULE_FILES["alias bomb as the token list"].replace("number: 1", "number: 2"),
        },
    )
    write_corpus(tmp_path, {"corpus/a.txt": ARTICLE, "corpuslint.toml": 'rule-paths = ["style"]\n'})
    started = time.monotonic()
    result = cli(["check", "corpus", "--no-cache"], cwd=tmp_path)
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert "Bomb.yml:" in result.output and "`tokens.0`: Input should be a valid string" in result.output


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_yaml_tags_that_construct_objects_are_refused(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    hostile = SIGN_OFF.replace("message: 'Publisher", f"x: {tag.format(marker=marker)}\nmessage: 'Publisher")
    folder = write_pack(tmp_path / "house", {"Evil.yml": hostile})
    with pytest.raises(ConfigError, match=r"Evil\.yml:\d+: invalid YAML: could not determine a constructor"):
        packs.load_pack(folder, "test")
    assert not marker.exists()


def test_object_tag_in_pack_yml_through_the_cli(tmp_path: Path, cli) -> None:
    marker = tmp_path / "pwned"
    evil = f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    write_pack(tmp_path / "house", {"SignOff.yml": SIGN_OFF}, pack=evil + PACK)
    write_corpus(tmp_path, {"corpus/a.txt": ARTICLE})
    result = cli(["check", "corpus", "--rules", "house", "--no-cache"], cwd=tmp_path)
    assert result.exit_code == 2 and "invalid YAML" in result.output
    assert not marker.exists()


# --- thousands of rules --------------------------------------------------------------------------------------------

RULES_PER_PACK = 750  # numbers run from 1 to 999 in a pack; 4 packs of 750 make 3,000 rules


def write_generated_packs(root: Path, packs_count: int, per_pack: int) -> None:
    for p in range(packs_count):
        prefix = "GEN" + "ABCDEFGHIJ"[p]
        rules = {
            f"Gen{p}Phrase{n:04d}.yml": SIGN_OFF.replace("number: 1", f"number: {n}").replace(
                "Reporting by the Daily Example desk", f"generated phrase {p} {n}"
            )
            for n in range(1, per_pack + 1)
        }
        write_pack(root / f"gen{p}", rules, pack=f"prefix: {prefix}\ndescription: Generated pack {p}.\n")


def test_three_thousand_rules_load_and_run(tmp_path: Path) -> None:
    """Decision: there is no limit on the number of packs; 3,000 rules load and run in a few seconds."""
    write_generated_packs(tmp_path / "rules", 4, RULES_PER_PACK)
    article = ARTICLE.replace("Reporting by the Daily Example desk", "It was generated phrase 3 750 today.")
    write_corpus(tmp_path / "corpus", {"a.txt": article, "b.txt": ARTICLE})
    started = time.monotonic()
    ruleset = RuleSet(Settings(rule_paths=[str(tmp_path / "rules")]))
    assert sum(r.code.startswith("GEN") for r in ruleset.rules) == 3000
    result = check(tmp_path / "corpus", select=["GEN"], rule_paths=[str(tmp_path / "rules")], jobs=1)
    assert time.monotonic() - started < 60
    assert [(f.code, f.location.path) for f in result.findings] == [("GEND750", "a.txt")]


def test_a_pack_cannot_hold_more_than_999_rules(tmp_path: Path) -> None:
    """A pack's rule numbers are three digits: the 1,000th rule file of a pack is refused with a clear error."""
    folder = write_pack(tmp_path / "house", {"SignOff.yml": SIGN_OFF})
    (folder / "Thousandth.yml").write_text(SIGN_OFF.replace("number: 1", "number: 1000"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Thousandth\.yml:2: `number`: Input should be less than or equal to 999"):
        packs.load_pack(folder, "test")


# --- a 2 GB single-line file -------------------------------------------------------------------------------------

TWO_GB = 2 * 1024**3
BIG_FILE_RUN = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from corpuslint.config import Settings
    from corpuslint.engine import run
    root = Path(sys.argv[1])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = run([root], Settings(cache=False, jobs=1), cwd=root)
    print(json.dumps({
        "seconds": time.monotonic() - started,
        "documents": result.documents,
        "growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
        "findings": [(f.code, f.location.path, f.location.line, f.message) for f in result.findings],
    }))
    """
)


def sparse_single_line(path: Path, head: bytes, tail: bytes) -> None:
    """A 2 GB file of one line: `head`, a hole of NUL bytes (no disk used), `tail`."""
    with open(path, "wb") as handle:
        handle.write(head)
    os.truncate(path, TWO_GB)
    with open(path, "r+b") as handle:
        handle.seek(0, os.SEEK_END)
        handle.write(tail)


def test_two_gigabyte_single_line_files_are_streamed(tmp_path: Path) -> None:
    sparse_single_line(tmp_path / "huge.txt", b"Rates held steady\n\nThe bank ", b" held rates.\n")
    sparse_single_line(tmp_path / "huge.jsonl", b'{"title": "Rates held", "body": "The bank ', b' held rates."}\n')
    write_corpus(tmp_path, {"ok.txt": "Rates held steady\n\nThe central bank held rates on Thursday.\n"})
    try:
        output = subprocess.run(
            [sys.executable, "-c", BIG_FILE_RUN, str(tmp_path)], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    finally:
        for name in ("huge.txt", "huge.jsonl"):
            (tmp_path / name).unlink()
    report = json.loads(output)
    found = [(code, path, line) for code, path, line, _ in report["findings"] if code.startswith("INPUT")]
    assert found == [("INPUT007", "huge.jsonl", 1), ("INPUT007", "huge.txt", 1)]
    messages = {path: message for code, path, _, message in report["findings"] if code == "INPUT007"}
    assert "line 1 is longer than max-document-bytes" in messages["huge.jsonl"]
    assert "file is larger than max-document-bytes" in messages["huge.txt"]
    assert report["documents"] == 1  # ok.txt is still checked
    assert report["growth_mb"] < 200  # the 2 GB line is never held: at most max-document-bytes (32 MiB) at once
    assert report["seconds"] < 60
