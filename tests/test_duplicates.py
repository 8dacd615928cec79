"""DUP family: repeated headlines and paragraphs, near-duplicate documents, duplicate headlines, boilerplate."""

from __future__ import annotations

import json
import pickle
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import xxhash
from datasketch import MinHash

from conftest import check, codes, write_corpus
from corpuslint import minhash
from corpuslint.checks.duplicates import DocumentSignature, NearDuplicateOptions, SignatureBatch, _keys_held_by
from corpuslint.text import words

PORT = [
    "Harbour City's container port handled a record 4.2 million containers last year, up 6% on the year before, "
    "the port authority said on Tuesday.",
    "The authority said exports of refrigerated food and machinery drove most of the growth, while imports of "
    "consumer electronics were flat. Operating profit rose to 318 million dollars from 295 million dollars.",
    "Chief executive Marta Lindqvist said the new deep-water berth, which opened in March, had cut average waiting "
    "times for large vessels from 31 hours to 19 hours, and that shipping lines were moving services south.",
    "The authority plans to spend 1.1 billion dollars over five years on a second berth and an automated rail "
    "terminal. Environmental groups have asked for a full review of dredging plans for the outer channel.",
]
# The same news (record container volumes) told in other words: a different article on the same story.
PORT_OTHER_ARTICLE = [
    "Record container traffic passed through Harbour City last year as refrigerated food exports boomed, according "
    "to figures published by the port authority on Tuesday.",
    "Marta Lindqvist, who runs the port, credited the deep-water berth opened in March for shorter queues of "
    "ships. Critics say the planned dredging of the outer channel will harm fish nurseries.",
    "A second berth and a rail terminal are planned, at a cost the authority puts at 1.1 billion dollars, and "
    "unions want guarantees that automation will not cost jobs at the docks.",
]
FARM = [
    "Farmers in the northern valleys have started harvesting wheat two weeks early after the driest spring in "
    "forty years, the agriculture ministry said.",
    "Yields are expected to fall by about a fifth, and the ministry will release emergency feed stocks for cattle "
    "from next month, officials told a briefing in the capital.",
]
NEWSLETTER = "Sign up for our morning newsletter to get the top stories in your inbox."


def article(headline: str, paragraphs: list[str]) -> str:
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n"


def shingle_set(paragraphs: list[str], size: int = 5) -> set[tuple[str, ...]]:
    """Brute-force reference: word 5-grams per paragraph, plain Python, no hashing."""
    found: set[tuple[str, ...]] = set()
    for paragraph in paragraphs:
        tokens = words(paragraph)
        if len(tokens) < size:
            found.add(tuple(tokens))
        found.update(zip(*(tokens[i:] for i in range(size)), strict=False))
    return found


def exact_jaccard(a: list[str], b: list[str]) -> float:
    first, second = shingle_set(a), shingle_set(b)
    return len(first & second) / len(first | second)


def by_code(result, code: str):
    return [f for f in result.findings if f.code == code]


# --- DUP001 headline-repeated-in-body ---------------------------------------------------------------------------


def test_headline_repeated_points_from_the_repeat_to_the_headline(tmp_path: Path) -> None:
    headline = "Port handles record number of containers"
    text = article(headline, [PORT[0], headline, PORT[1]])
    write_corpus(tmp_path, {"a.txt": text})
    [finding] = by_code(check(tmp_path, select=["DUP001"], cache=False), "DUP001")
    assert (finding.location.line, finding.related[0].location.line) == (5, 1)
    assert finding.evidence["kind"] == "exact"
    [edit] = finding.fix.edits
    assert finding.fix.safe and text[: edit.start] + text[edit.end :] == article(headline, PORT[:2])


def test_headline_glued_to_first_paragraph_is_reported_on_the_glued_words(tmp_path: Path) -> None:
    headline = "Port handles record number of containers"
    write_corpus(tmp_path, {"a.txt": article(headline, [headline + ". " + PORT[0], PORT[1]])})
    [finding] = by_code(check(tmp_path, select=["DUP001"], cache=False), "DUP001")
    assert finding.text == headline
    assert (finding.location.line, finding.location.column, finding.location.end_column) == (3, 1, 1 + len(headline))


@pytest.mark.parametrize(
    "body_line",
    [
        "Port handles a record number of ships",  # 5 of 8 distinct words shared: below 0.8
        "The port handles record numbers, officials said, despite the container shortage of last year",
    ],
)
def test_headline_near_misses_are_not_reported(tmp_path: Path, body_line: str) -> None:
    write_corpus(tmp_path, {"a.txt": article("Port handles record number of containers", [PORT[0], body_line])})
    assert codes(check(tmp_path, select=["DUP001"], cache=False)) == []


# --- DUP002 duplicate-paragraph ---------------------------------------------------------------------------------


def test_exact_and_near_repeated_paragraphs(tmp_path: Path) -> None:
    edited = PORT[1].replace("drove most", "drove much")
    write_corpus(tmp_path, {"a.txt": article("Port news", [PORT[0], PORT[1], PORT[2], PORT[0], edited])})
    found = by_code(check(tmp_path, select=["DUP002"], cache=False), "DUP002")
    assert [(f.location.line, f.related[0].location.line, f.evidence["exact"]) for f in found] == [
        (9, 3, True),
        (11, 5, False),
    ]
    assert found[1].evidence["jaccard"] == pytest.approx(exact_jaccard([PORT[1]], [edited]), abs=1e-4)


@pytest.mark.parametrize("ascii_only", [True, False])
def test_repeated_paragraph_column_in_jsonl_with_escapes(tmp_path: Path, ascii_only: bool) -> None:
    body = 'He said "no" \U0001f600 twice.\n\n' + PORT[0] + "\n\n" + FARM[0] + "\n\n" + PORT[0]
    line = json.dumps({"id": "r1", "title": "Port news today", "body": body}, ensure_ascii=ascii_only)
    write_corpus(tmp_path, {"feed.jsonl": (line + "\n").encode()})
    [finding] = by_code(check(tmp_path, select=["DUP002"], cache=False), "DUP002")
    escaped = json.dumps(PORT[0], ensure_ascii=ascii_only)[1:-1]
    assert finding.location.column == line.rindex(escaped) + 1
    assert finding.related[0].location.column == line.index(escaped) + 1


def test_paragraph_near_misses_and_short_repeats_are_not_reported(tmp_path: Path) -> None:
    half = " ".join(PORT[2].split()[:18]) + " and the union said it would fight job cuts at the rail terminal."
    assert exact_jaccard([PORT[2]], [half]) < 0.65
    write_corpus(tmp_path, {"a.txt": article("Port news", [PORT[2], "Read more.", half, "Read more."])})
    assert codes(check(tmp_path, select=["DUP002"], cache=False)) == []


# --- DUP003 near-duplicate-document -----------------------------------------------------------------------------


def test_exact_near_and_figure_only_copies(tmp_path: Path) -> None:
    near = [PORT[0], PORT[1].replace("were flat", "fell slightly"), PORT[2]]
    figures = [p.replace("4.2", "4.4").replace("318", "331") for p in PORT]
    write_corpus(
        tmp_path,
        {
            "a.txt": article("Port record", PORT),
            "b.txt": article("Port record", PORT),
            "c.txt": article("Port sets record", near),
            "d.txt": article("Port record", figures),
            "e.txt": article("Farm", FARM),
        },
    )
    found = {f.location.path: f for f in by_code(check(tmp_path, select=["DUP003"], cache=False), "DUP003")}
    assert sorted(found) == ["b.txt", "c.txt", "d.txt"]
    assert found["b.txt"].evidence["kind"] == "exact"
    assert found["c.txt"].evidence["kind"] == "near"
    assert found["c.txt"].evidence["jaccard"] == pytest.approx(exact_jaccard(PORT, near), abs=1e-3)
    assert found["d.txt"].evidence["kind"] == "figures"
    assert "differs only in figures" in found["d.txt"].message
    assert all(f.related[0].location.path == "a.txt" for f in found.values())
    assert {f.evidence["cluster_size"] for f in found.values()} == {4}
    assert "one of 4 documents" in found["c.txt"].message


def test_same_story_in_other_words_is_not_a_duplicate(tmp_path: Path) -> None:
    assert exact_jaccard(PORT, PORT_OTHER_ARTICLE) < 0.1
    below = [*PORT[:2], FARM[0], FARM[1]]  # half the text shared: Jaccard below 0.5
    assert 0.2 < exact_jaccard(PORT, below) < 0.5
    write_corpus(
        tmp_path,
        {
            "a.txt": article("Port record", PORT),
            "b.txt": article("Port record", PORT_OTHER_ARTICLE),
            "c.txt": article("Port", below),
        },
    )
    assert codes(check(tmp_path, select=["DUP003"], cache=False)) == []


def test_reported_pairs_are_confirmed_by_exact_jaccard(tmp_path: Path) -> None:
    """Every pair is checked against a brute-force Jaccard of plain-Python shingle sets."""
    rng = np.random.default_rng(7)
    sentences = [s for p in PORT + FARM + PORT_OTHER_ARTICLE for s in p.split(". ")]
    docs = {}
    for index in range(12):
        picked = rng.choice(len(sentences), size=8, replace=False)
        docs[f"doc{index:02}.txt"] = [
            ". ".join(sentences[i] for i in picked[:4]),
            ". ".join(sentences[i] for i in picked[4:]),
        ]
    docs["doc12.txt"] = [docs["doc03.txt"][0], docs["doc03.txt"][1] + " Officials declined to comment."]
    write_corpus(tmp_path, {name: article("Story", paragraphs) for name, paragraphs in docs.items()})
    found = by_code(
        check(tmp_path, select=["DUP003"], cache=False, rule_options={"DUP003": {"min-words": 10}}), "DUP003"
    )
    reported = {(f.related[0].location.path, f.location.path): f.evidence["jaccard"] for f in found}
    expected = {
        (a, b): exact_jaccard(docs[a], docs[b])
        for a, b in combinations(sorted(docs), 2)
        if exact_jaccard(docs[a], docs[b]) >= 0.5
    }
    assert ("doc03.txt", "doc12.txt") in expected
    assert set(reported) <= set(expected)
    assert {b for _, b in reported} == {b for _, b in expected}
    for pair, value in reported.items():
        assert value == pytest.approx(expected[pair], abs=1e-3)


def test_jsonl_records_and_odd_text_do_not_crash(tmp_path: Path) -> None:
    body = "\n\n".join(PORT)
    records = [
        {"id": "r1", "title": "Port record", "body": body},
        {"id": "r2", "title": "Empty", "body": ""},
        {"id": "r3", "title": "Odd \ud800 text", "body": "😀 " * 50 + "\ud800 lone surrogate " + "word " * 3000},
        {"id": "r4", "title": "Port record again", "body": body.replace("Tuesday", "Wednesday")},
    ]
    lines = "".join(json.dumps(record) + "\n" for record in records)  # ASCII escapes keep the lone surrogate
    write_corpus(tmp_path, {"feed.jsonl": lines.encode()})
    result = check(tmp_path, select=["DUP"], cache=False)
    assert not [f for f in result.findings if f.code.startswith("INPUT")]
    [finding] = by_code(result, "DUP003")
    assert (finding.location.document, finding.related[0].location.document) == ("r4", "r1")
    assert finding.location.line == 4


# --- DUP004 duplicate-headline ----------------------------------------------------------------------------------


def test_same_headline_over_a_different_body(tmp_path: Path) -> None:
    write_corpus(
        tmp_path,
        {
            "a.txt": article("Port handles record container traffic", PORT),
            "b.txt": article("PORT handles record container traffic!", PORT_OTHER_ARTICLE),
            "c.txt": article("Port handles record container traffic", PORT),  # same body as a: DUP003's
            "d.txt": article("Port handles container traffic", FARM),  # a different headline
        },
    )
    [finding] = by_code(check(tmp_path, select=["DUP004"], cache=False), "DUP004")
    assert (finding.location.path, finding.related[0].location.path) == ("b.txt", "a.txt")
    assert finding.evidence["documents"] == 3 and finding.evidence["bodies"] == 2


# --- DUP005 boilerplate-paragraph -------------------------------------------------------------------------------


def test_boilerplate_paragraph_reported_once_per_document_with_count(tmp_path: Path) -> None:
    files = {
        f"{name}.txt": article(f"Story {name}", [paragraph, NEWSLETTER, NEWSLETTER])
        for name, paragraph in zip("abcd", [PORT[0], PORT[1], FARM[0], FARM[1]], strict=True)
    }
    write_corpus(tmp_path, files)
    found = by_code(check(tmp_path, select=["DUP005"], cache=False), "DUP005")
    assert [f.location.path for f in found] == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert all(f.evidence["documents"] == 4 and f.location.line == 5 for f in found)
    assert [r.location.path for f in found for r in f.related] == ["a.txt"] * 3


def test_boilerplate_near_miss_below_min_documents_and_copies_count_once(tmp_path: Path) -> None:
    files = {f"{n}.txt": article(f"Story {n}", [p, NEWSLETTER]) for n, p in zip("abc", PORT, strict=False)}
    files["d.txt"] = files["c.txt"]  # an exact copy of c: the same body, not a fourth document
    write_corpus(tmp_path, files)
    assert codes(check(tmp_path, select=["DUP005"], cache=False)) == []


# --- engine-level behaviour -------------------------------------------------------------------------------------


def corpus_for_determinism(root: Path) -> Path:
    files = {
        f"s{index}.txt": article(f"Story {index}", [PORT[index % 4], FARM[index % 2], NEWSLETTER]) for index in range(8)
    }
    files["t0.txt"] = article("Port sets container record", PORT)
    files["t1.txt"] = article("Port sets container record", [p.replace("4.2", "4.9") for p in PORT])
    files["t2.txt"] = article("Port sets container record", [*PORT, PORT[0]])
    return write_corpus(root, files)


def test_same_output_for_any_number_of_processes(tmp_path: Path) -> None:
    root = corpus_for_determinism(tmp_path)
    serial = check(root, select=["DUP"], jobs=1, cache=False)
    parallel = check(root, select=["DUP"], jobs=2, cache=False)
    assert {"DUP002", "DUP003", "DUP004", "DUP005"} <= set(codes(serial))
    assert [f.model_dump() for f in serial.findings] == [f.model_dump() for f in parallel.findings]


def test_cached_signatures_give_the_same_findings(tmp_path: Path) -> None:
    root = corpus_for_determinism(tmp_path / "corpus")
    settings = {"select": ["DUP"], "jobs": 2, "cache_dir": str(tmp_path / "cache")}
    first, second = check(root, **settings), check(root, **settings)
    assert [f.model_dump() for f in first.findings] == [f.model_dump() for f in second.findings]


def test_cli_reports_figure_only_copy(tmp_path: Path, cli) -> None:
    write_corpus(
        tmp_path,
        {"a.txt": article("Port record", PORT), "b.txt": article("Port record", [p.replace("6%", "8%") for p in PORT])},
    )
    result = cli(["check", ".", "--select", "DUP003", "--format", "json", "--no-cache"], cwd=tmp_path)
    assert result.exit_code == 1
    report = json.loads(result.output)
    findings = report["findings"] if isinstance(report, dict) else report
    [finding] = findings
    assert finding["code"] == "DUP003" and "differs only in figures" in finding["message"]


# --- corpuslint.minhash -----------------------------------------------------------------------------------------


def test_minhash_estimate_agrees_with_datasketch_and_exact_jaccard() -> None:
    base = words(" ".join(PORT + FARM + PORT_OTHER_ARTICLE))
    rng = np.random.default_rng(3)
    for keep in (0.95, 0.8, 0.6):
        other = [w if rng.random() < keep else "changed" for w in base]
        ours, theirs, sets = [], [], []
        for tokens in (base, other):
            hashes, _ = minhash.shingle_hashes([tokens], 5)
            ours.append(minhash.signature(hashes, 256))
            reference = MinHash(num_perm=256, seed=1)
            reference.update_batch([" ".join(g).encode() for g in zip(*(tokens[i:] for i in range(5)), strict=False)])
            theirs.append(reference)
            sets.append(minhash.fingerprints(hashes))
        exact = minhash.jaccard(*sets)
        assert exact == pytest.approx(exact_jaccard([" ".join(base)], [" ".join(other)]), abs=2e-3)
        tolerance = 4 * (exact * (1 - exact) / 256) ** 0.5 + 0.01
        assert abs(float(minhash.estimate(*ours)) - exact) < tolerance
        assert abs(theirs[0].jaccard(theirs[1]) - exact) < tolerance


def test_lsh_shape_meets_recall_at_threshold() -> None:
    bands, rows = minhash.lsh_shape(0.5, 128, 0.995)
    assert bands * rows <= 128
    assert 1 - (1 - 0.5**rows) ** bands >= 0.995
    assert 1 - (1 - 0.5 ** (rows + 1)) ** (128 // (rows + 1)) < 0.995  # one more row would miss the target


def test_candidate_pairs_find_identical_band_keys() -> None:
    signatures = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 3, 4], [5, 5, 5, 5]], dtype=np.uint16)
    assert _candidates(signatures, bands=2, rows=2) == [(0, 1), (0, 2)]


def _candidates(
    signatures: np.ndarray, bands: int, rows: int, chunk: int = 1 << 16, subset: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """Every candidate pair, sorted; each must come exactly once."""
    parts = minhash.candidate_pairs(signatures, bands, rows, chunk, subset)
    pairs = [tuple(p) for part in parts for p in part.tolist()]
    assert len(pairs) == len(set(pairs)), "a pair came twice"
    return sorted(pairs)


def test_candidate_pairs_come_once_from_the_first_band_they_agree_on_in_chunks() -> None:
    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 2**16, size=(60, 12), dtype=np.uint16)
    signatures[1] = signatures[0]  # agrees on every band
    signatures[2, 6:] = signatures[0, 6:]  # agrees on bands 2 and 3 only
    signatures[3:40, :3] = 9  # a bucket of 37 (above HOT_BUCKET) on band 0
    signatures[3:5, 3:6] = 4  # ... two of which also agree on band 1
    expected = [(0, 1), (0, 2), (1, 2), (3, 4)]
    assert _candidates(signatures, bands=4, rows=3) == expected
    assert _candidates(signatures, bands=4, rows=3, chunk=1) == expected
    subset = np.array([2, 1, 7, 4, 3])  # positions in the subset, as if its rows had been gathered
    assert _candidates(signatures, bands=4, rows=3, subset=subset) == _candidates(signatures[subset], 4, 3)
    assert _candidates(signatures, bands=4, rows=3, subset=subset) == [(0, 1), (2, 3), (2, 4), (3, 4)]  # a small bucket


def _document_signatures() -> list[DocumentSignature]:
    """Four signatures: two with MinHash values, one short document without, one more with."""
    found = []
    for index, text in enumerate([PORT[0], PORT[1], "Too short.", PORT[0] + " " + PORT[1]]):
        hashes, _ = minhash.shingle_hashes([words(text)], 5)
        values = minhash.signature(hashes, 128) if index != 2 else None
        anchor = (f"{index}.txt", f"{index}.txt", None, bytes([index]) * 32)
        found.append(DocumentSignature(anchor, 10 + index, 20 + index, values, minhash.fingerprints(hashes)))
    return found


def _same(first: DocumentSignature, second: DocumentSignature) -> bool:
    both_minhash = first.minhash is None and second.minhash is None
    return (
        first[:3] == second[:3]
        and (both_minhash or np.array_equal(first.minhash, second.minhash))
        and np.array_equal(first.shingles, second.shingles)
    )


def test_a_signature_batch_holds_columns_and_gives_the_documents_back() -> None:
    signatures = _document_signatures()
    batch = SignatureBatch.of(signatures)
    assert len(batch) == 4 and batch.minhashes.shape == (3, 128)
    assert batch.minhash_rows.tolist() == [0, 1, -1, 2]
    assert all(_same(batch[i], signatures[i]) for i in range(4))
    assert _same(batch[-1], signatures[3])
    with pytest.raises(IndexError):
        batch[4]


def test_a_signature_batch_pickles_with_its_fingerprints_and_joins_in_order() -> None:
    signatures = _document_signatures()
    copy = pickle.loads(pickle.dumps(SignatureBatch.of(signatures[:3])))
    parts: list = [copy, [], signatures[3:]]  # a batch, an empty part, a plain list (as a Dask worker sends)
    joined = SignatureBatch.join(parts)
    assert parts == []  # each part released as it is copied
    assert len(joined) == 4 and joined.minhash_rows.tolist() == [0, 1, -1, 2]
    assert all(_same(joined[i], signatures[i]) for i in range(4))

    later, earlier = SignatureBatch.of(signatures[2:]), SignatureBatch.of(signatures[:2])
    scattered = pickle.loads(pickle.dumps(SignatureBatch.join([earlier, later])))  # spilled out of order
    assert all(_same(scattered[i], signatures[i]) for i in range(4))


def test_options_reject_unknown_keys() -> None:
    with pytest.raises(ValueError):
        NearDuplicateOptions(thresold=0.4)


def test_a_hot_lsh_bucket_pairs_only_members_that_share_a_second_band() -> None:
    """300 signatures that agree on band 0 only (as wire copies or templated pages can) would give 44,850
    candidate pairs; only the two planted near-duplicate pairs, which also agree on other bands, are taken.
    A small bucket still gives all its pairs."""
    rng = np.random.default_rng(3)
    bands, rows = 42, 3
    signatures = rng.integers(0, 2**16, size=(300, 128), dtype=np.uint16)
    signatures[:, :rows] = 7  # every signature agrees on band 0
    for original, copy in ((10, 200), (50, 250)):
        signatures[copy, :64] = signatures[original, :64]  # half the values: Jaccard about 0.5
    assert _candidates(signatures, bands, rows) == [(10, 200), (50, 250)]

    small = signatures[: minhash.HOT_BUCKET]
    assert len(_candidates(small, bands, rows)) == minhash.HOT_BUCKET * (minhash.HOT_BUCKET - 1) // 2


def test_token_hashes_are_xxh3_of_each_token() -> None:
    def one_by_one(tokens: list[str]) -> list[int]:
        return [xxhash.xxh3_64_intdigest(t.encode("utf-8", "surrogatepass")) for t in tokens]

    for tokens in (["the", "minister", "said", "£15.8m", "don't"], [], [""], ["a\x00b", "c"], ["\ud800", "é", "日本"]):
        assert minhash.token_hashes(tokens).tolist() == one_by_one(tokens)


def test_keys_held_by_counts_distinct_owners_like_a_dictionary():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, 500).astype(np.uint64)
    owners = rng.integers(0, 25, 500).astype(np.uint64)
    holders: dict[int, set[int]] = {}
    for key, owner in zip(keys.tolist(), owners.tolist(), strict=True):
        holders.setdefault(key, set()).add(owner)
    for at_least in (1, 2, 12, 20):
        expected = {key for key, held in holders.items() if len(held) >= at_least}
        assert _keys_held_by(keys, owners, at_least) == expected
    assert _keys_held_by(np.empty(0, np.uint64), np.empty(0, np.uint64), 1) == set()
