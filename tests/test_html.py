"""HTML report: well-formed (XML-parsable) page, spans highlighted where the findings are, hostile text escaped,
duplicates linked to their twin, bounded text per document, deterministic; and rendered for real in headless
Chromium (scripts run, marks present, a screenshot is produced)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, SEEDS, check, write_corpus
from corpuslint.config import Settings
from corpuslint.engine import RunResult, run
from corpuslint.loaders import SourceFile, load_file
from corpuslint.model import Document, Finding, RelatedLocation, Severity
from corpuslint.registry import RuleSet
from corpuslint.reporters import html as html_report

NS = "{http://www.w3.org/1999/xhtml}"
SEED = "seeds/000_4995c744223b7cfd.txt"
PARAGRAPH = "The central bank held its main rate at 4.5 percent on Thursday, citing sticky \u00e9nergie prices."
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
BODY = (
    "The port authority said on Tuesday that it handled a record 4.2 million containers last year.\n\n"
    "Officials expect growth to continue as new cranes arrive next spring and the second berth opens.\n\n"
    "Shipping lines have added weekly calls from Asia and northern Europe to the harbour.\n"
)


def parse(page: str) -> ET.Element:
    """The page as XML: raises on any unclosed, mis-nested or unescaped markup."""
    return ET.fromstring(page.encode("utf-8"))


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def marks(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{NS}mark"))


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    found: dict[str, ET.Element] = {}
    for element in root.iter():
        if "id" in element.attrib:
            assert element.attrib["id"] not in found, f"duplicate id {element.attrib['id']}"
            found[element.attrib["id"]] = element
    return found


def mark_texts(root: ET.Element, code: str) -> list[str]:
    """The highlighted text of each finding of one code (a span cut into segments by overlapping spans joined)."""
    code_of = {li.attrib["id"][1:]: li.attrib["data-code"] for li in root.iter(f"{NS}li") if "data-code" in li.attrib}
    spans: dict[str, str] = {}
    for mark in marks(root):
        for number in mark.attrib["data-f"].split():
            if code_of[number] == code:
                spans[number] = spans.get(number, "") + text_of(mark)
    return list(spans.values())


def seeds_report() -> tuple[RunResult, str]:
    result = run([SEEDS], Settings(), cwd=REPO)
    return result, html_report.render(result, root=REPO)


@pytest.fixture(scope="module")
def seeds_page() -> tuple[RunResult, str]:
    return seeds_report()


# --- structure --------------------------------------------------------------------------------------------------


def test_seeds_page_is_well_formed_and_complete(seeds_page: tuple[RunResult, str]) -> None:
    result, page = seeds_page
    root = parse(page)
    ids = by_id(root)
    assert result.findings
    for number, finding in enumerate(result.findings, start=1):
        item = ids[f"f{number}"]
        assert item.attrib["data-code"] == finding.code and item.attrib["data-sev"] == finding.severity.value
    for link in root.iter(f"{NS}a"):
        assert link.attrib["href"].startswith("#") and link.attrib["href"][1:] in ids  # no dangling or outside link
    assert [s.attrib.get("src") for s in root.iter(f"{NS}script")] == [None]  # one inline script, nothing loaded
    assert not [e for e in root.iter() if e.tag in (f"{NS}link", f"{NS}img", f"{NS}iframe") or "src" in e.attrib]
    style = text_of(next(root.iter(f"{NS}style")))
    assert "url(" not in style and "@import" not in style  # nothing fetched by the style sheet either


def test_seed_spans_are_highlighted_with_their_codes(seeds_page: tuple[RunResult, str]) -> None:
    result, page = seeds_page
    root = parse(page)
    headline = "Anthropic CEO Dario Amodei could still be trying to make a deal with Pentagon"
    assert headline in mark_texts(root, "DUP001")
    faq = [f for f in result.findings if f.location.path == SEED and f.text == "常见问题"]
    assert faq, "the seed's trailing 常见问题 should be flagged"
    for finding in faq:
        assert "常见问题" in mark_texts(root, finding.code)
    seed = next(s for s in root.iter(f"{NS}section") if text_of(next(s.iter(f"{NS}summary"), s)).startswith(SEED))
    (faq_mark,) = [m for m in marks(seed) if text_of(m) == "常见问题"]
    assert faq_mark.attrib["data-code"].split() == sorted({f.code for f in faq})
    assert faq_mark.attrib["class"] == f"s-{max((f.severity for f in faq), key=lambda s: s.rank).value}"


def test_summary_counts_rules_and_severities(seeds_page: tuple[RunResult, str]) -> None:
    result, page = seeds_page
    root = parse(page)
    table = next(t for t in root.iter(f"{NS}table") if t.attrib.get("class") == "rules")
    rows = {text_of(r[0]): [text_of(c) for c in r] for r in table.iter(f"{NS}tr") if r[0].tag == f"{NS}td"}
    for code in {f.code for f in result.findings}:
        assert rows[code][5] == str(sum(f.code == code for f in result.findings))
    cards = {text_of(c[1]): text_of(c[0]) for c in root.iter(f"{NS}div") if "card" in c.attrib.get("class", "").split()}
    assert cards == {s.value: str(sum(f.severity is s for f in result.findings)) for s in Severity}


def test_output_is_deterministic(seeds_page: tuple[RunResult, str]) -> None:
    _, page = seeds_page
    assert seeds_report()[1] == page


# --- mapping spans to text --------------------------------------------------------------------------------------


def test_json_record_spans_map_to_the_decoded_text(tmp_path: Path) -> None:
    records = [
        {
            "id": "a",
            "title": "Harbour ports reopen today",
            "body": "Caf\u00e9 \u00e0 la une\n\nHarbour ports reopen today",
        },
        {"id": "b", "title": "Rates", "body": f"\u201cQuoted\u201d intro.\n\n{PARAGRAPH}\n\nMiddle.\n\n{PARAGRAPH}\n"},
    ]
    root = write_corpus(tmp_path, {"feed.jsonl": records})
    result = check(root, select=["DUP001", "DUP002"])
    page = parse(html_report.render(result, root=root))
    assert {f.code for f in result.findings} == {"DUP001", "DUP002"}
    for finding in result.findings:
        assert finding.text.strip() in mark_texts(page, finding.code)


def test_duplicates_link_to_their_twin(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"a.txt": "Port handles record volume\n\n" + BODY, "b.txt": "Port record\n\n" + BODY})
    result = check(root, select=["DUP003"])
    (finding,) = result.findings
    page = parse(html_report.render(result, root=root))
    ids = by_id(page)
    twin = finding.related[0].location.path
    link = next(a for a in page.iter(f"{NS}a") if text_of(a).startswith(twin + ":"))
    assert link.attrib["href"] == "#r1-1"  # straight to the twin's related span, shown in the twin's text

    def section_of(element: ET.Element) -> ET.Element:
        return next(s for s in page.iter(f"{NS}section") if element in list(s.iter()))

    twin_section = section_of(ids["r1-1"])
    assert twin_section is not section_of(ids["f1"])
    assert text_of(next(twin_section.iter(f"{NS}summary"))).startswith(twin)


def test_input_problems_are_listed_without_text(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"feed.jsonl": b'{"id": "x", "body": "ok text here"}\n{"id": \n'})
    result = check(root, select=["INPUT"])
    page = parse(html_report.render(result, root=root))
    (item,) = [li for li in page.iter(f"{NS}li") if li.attrib.get("data-code") == "INPUT005"]
    assert "record 2" in text_of(item)
    assert not marks(page)
    assert "No text shown" in text_of(page)


# --- hostile and large input ------------------------------------------------------------------------------------


def test_an_empty_run_gives_a_valid_page(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"a.txt": "A clean headline\n\nA clean body paragraph.\n"})
    tree = parse(html_report.render(check(root, select=["DUP001"]), root=root))
    assert "No findings." in text_of(tree) and not marks(tree)


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    body = f"Intro.\n\n{HOSTILE}\n\nctl \x01 lone \ud800 rlo \u202e zw \u200b end ]]> --> </script>"
    records = [{"id": '"><script>', "title": HOSTILE, "body": body, "lang": "en"}]
    root = write_corpus(tmp_path, {"evil</script>.jsonl": "".join(json.dumps(r) + "\n" for r in records)})
    result = check(root, select=["DUP001", "ENC"])
    dup = next(f for f in result.findings if f.code == "DUP001")  # messages may quote the text too
    related = [RelatedLocation(location=dup.related[0].location, message=HOSTILE)]
    result.findings.append(dup.model_copy(update={"message": HOSTILE, "name": HOSTILE, "related": related}))
    page = html_report.render(result, root=root)
    page.encode("utf-8")  # no lone surrogate left
    tree = parse(page)
    assert page.count("<script") == 1 and page.count("</script>") == 1
    assert "<img" not in page
    assert HOSTILE in mark_texts(tree, "DUP001")
    assert text_of(by_id(tree)[f"f{len(result.findings)}"]).count(HOSTILE) == 3
    assert "U+202E" in text_of(tree)  # the bidi override is shown by name, not applied
    assert "\u202e" not in page and "\x01" not in page


def synthetic_result(root: Path, name: str, spans: list[tuple[int, int, int]]) -> tuple[RunResult, Document]:
    """A run result with one finding per (block index, start, end) in the one document of `name`."""
    (doc,) = [
        d for d in load_file(SourceFile(name, str(root / name)), Settings().fields, 10**8) if isinstance(d, Document)
    ]
    findings = [
        Finding(
            code="DUP002",
            name="duplicate-paragraph",
            severity=Severity.WARNING,
            message=f"span {n}",
            location=doc.locate_block(doc.blocks[b], s, e),
            text=doc.blocks[b].text[s:e],
        )
        for n, (b, s, e) in enumerate(spans)
    ]
    return RunResult(findings, 1, 1, RuleSet(Settings())), doc


def test_long_documents_embed_only_text_around_findings(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {n} " + "word " * 150 for n in range(200)]
    huge = "x" * 50_000 + " NEEDLE " + "y" * 50_000
    root = write_corpus(tmp_path, {"long.txt": "Headline here\n\n" + "\n\n".join([*paragraphs, huge]) + "\n"})
    result, doc = synthetic_result(root, "long.txt", [(100, 0, 9), (201, 50_001, 50_007)])
    page = html_report.render(result, root=root)
    tree = parse(page)
    assert mark_texts(tree, "DUP002") == [doc.blocks[100].text[:9], "NEEDLE"]
    shown = sum(len(text_of(d)) for d in tree.iter(f"{NS}div") if d.attrib.get("class") == "bt")
    assert shown <= html_report.MAX_DOCUMENT_CHARS
    assert "Headline here" in text_of(tree) and "Paragraph 150" not in text_of(tree)
    assert len(page) < 80_000


def test_overlapping_spans_nest_cleanly(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"a.txt": "Headline\n\nalpha beta gamma delta\n"})
    result, _ = synthetic_result(root, "a.txt", [(1, 0, 10), (1, 6, 16), (1, 6, 10), (1, 3, 3)])
    tree = parse(html_report.render(result, root=root))
    assert sorted(mark_texts(tree, "DUP002")) == ["alpha beta", "beta", "beta gamma"]
    assert [m.attrib["data-f"] for m in marks(tree)] == ["1", "1 2 3", "2"]
    assert "f4" in by_id(tree) and "m4" not in by_id(tree)  # an empty span is listed, with nothing to mark


# --- CLI --------------------------------------------------------------------------------------------------------


def test_cli_writes_an_html_report(tmp_path: Path, cli) -> None:
    write_corpus(tmp_path, {"a.txt": "Rates held steady\n\nThe bank held rates.\n\nRates held steady\n"})
    outcome = cli(
        ["check", ".", "--no-cache", "--select", "DUP001", "--format", "html", "--output", "report.html"], cwd=tmp_path
    )
    assert outcome.exit_code == 1
    tree = parse((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert mark_texts(tree, "DUP001") == ["Rates held steady"]


# --- a real browser ---------------------------------------------------------------------------------------------


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (.ci/run installs it)")
    pytest.skip("chromium is not installed")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120, check=True)


def test_browser_renders_the_seeds_report(tmp_path: Path, seeds_page: tuple[RunResult, str]) -> None:
    from html.parser import HTMLParser

    binary = chromium()
    result, page = seeds_page
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    dom = run_chromium(binary, tmp_path / "profile", "--dump-dom", report.as_uri()).stdout

    class Marks(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, str]] = []
            self.open: list[str] = []
            self.form_hidden: bool | None = None
            self.status = ""
            self._in_status = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "mark":
                self.open.append(values.get("data-code") or "")
                self.found.append((self.open[-1], ""))
            if values.get("id") == "filters":
                self.form_hidden = "hidden" in values
            self._in_status = values.get("id") == "shown"

        def handle_endtag(self, tag: str) -> None:
            if tag == "mark":
                self.open.pop()
            self._in_status = False

        def handle_data(self, data: str) -> None:
            if self.open:
                code, text = self.found[-1]
                self.found[-1] = (code, text + data)
            if self._in_status:
                self.status += data

    parser = Marks()
    parser.feed(dom)
    headline = "Anthropic CEO Dario Amodei could still be trying to make a deal with Pentagon"
    assert ("DUP001", headline) in parser.found
    assert any(text == "常见问题" and code for code, text in parser.found)
    assert parser.form_hidden is False  # the script ran: filters shown
    total, documents = len(result.findings), page.count('<section class="doc"')
    assert parser.status == f"showing {total} of {total} findings; {documents} documents listed"
    shot = tmp_path / "shot.png"
    run_chromium(binary, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_browser_paginates_and_reveals_link_targets(tmp_path: Path) -> None:
    binary = chromium()
    count = html_report.PAGE_SIZE + 10
    files = {f"doc{n:03d}.txt": f"Harbour story number {n}\n\nHarbour story number {n}\n" for n in range(count)}
    root = write_corpus(tmp_path / "corpus", files)
    result = check(root, select=["DUP001"])
    assert len(result.findings) == count
    report = tmp_path / "report.html"
    report.write_text(html_report.render(result, root=root), encoding="utf-8")
    profile = tmp_path / "profile"

    def visible_sections(dom: str) -> list[str]:
        return re.findall(r'<section class="doc" id="(d\d+)">', dom)

    first_page = run_chromium(binary, profile, "--dump-dom", report.as_uri()).stdout
    assert visible_sections(first_page) == [f"d{n}" for n in range(1, html_report.PAGE_SIZE + 1)]
    assert "page 1 of 2" in first_page
    last = f"f{count}"  # a finding of the last document, on page 2: following a link to it switches page
    jumped = run_chromium(binary, profile, "--dump-dom", f"{report.as_uri()}#{last}").stdout
    assert f"d{count}" in visible_sections(jumped) and "page 2 of 2" in jumped
    # Without scripts the page is the HTML as written: every document shown (the first ones open), no controls.
    written = report.read_text(encoding="utf-8")
    assert len(visible_sections(written)) == count
    assert written.count('<details open="">') == html_report.OPEN_DOCUMENTS
    assert (
        '<form id="filters" class="filters" hidden="hidden">' in written
        and 'id="pager" class="pager" hidden' in written
    )


def test_a_span_over_several_blocks_is_marked_in_each(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"a.txt": "Headline\n\nFirst paragraph here.\n\nSecond paragraph here.\n\nThird.\n"})
    result, doc = synthetic_result(root, "a.txt", [])
    first, second = doc.blocks[1], doc.blocks[2]
    location = doc.locate(first.field, first.start + 6, second.end)
    finding = Finding(code="QUAL002", name="q", severity=Severity.INFO, message="m", location=location)
    result.findings.append(finding)
    tree = parse(html_report.render(result, root=root))
    assert [text_of(m) for m in marks(tree)] == ["paragraph here.", "Second paragraph here."]
    assert "m1" in by_id(tree)  # one anchor, on the first piece


# Appended to a copy of a report: untick every severity but "error", as a user would, and let the page react.
ONLY_ERRORS = """<script>[].forEach.call(document.querySelectorAll('#filters input[name="sev"]'),function(box){
box.checked=box.value==='error';});document.getElementById('filters').dispatchEvent(new Event('change'));</script>"""


def test_browser_filters_by_severity(tmp_path: Path, seeds_page: tuple[RunResult, str]) -> None:
    binary = chromium()
    result, page = seeds_page
    errors = [n for n, f in enumerate(result.findings, start=1) if f.severity is Severity.ERROR]
    assert errors and len(errors) < len(result.findings)
    report = tmp_path / "report.html"
    report.write_text(page.replace("</body>", ONLY_ERRORS + "</body>"), encoding="utf-8")
    dom = run_chromium(binary, tmp_path / "profile", "--dump-dom", report.as_uri()).stdout
    items = re.findall(r'<li class="finding [^"]*" id="f(\d+)"([^>]*)>', dom)
    assert len(items) == len(result.findings)
    assert [int(n) for n, attributes in items if "hidden" not in attributes] == errors
    lit = re.findall(r'<mark class="s-\w+" data-code="[^"]*" data-f="([^"]*)"', dom)  # class "s-... off" when off
    dimmed = re.findall(r'<mark class="s-\w+ off"', dom)
    assert lit and dimmed
    assert all(any(int(n) in errors for n in ids.split()) for ids in lit)
    assert f"showing {len(errors)} of {len(result.findings)} findings" in dom


def test_a_block_too_long_for_the_budget_keeps_what_fits(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"a.txt": "Headline\n\n" + "abcdefghij" * 6_000 + "\n"})
    result, _ = synthetic_result(root, "a.txt", [(1, n, n + 5) for n in range(0, 60_000, 100)])
    tree = parse(html_report.render(result, root=root))
    shown = sum(len(text_of(d)) for d in tree.iter(f"{NS}div") if d.attrib.get("class") == "bt")
    assert html_report.MAX_DOCUMENT_CHARS - 10 <= shown <= html_report.MAX_DOCUMENT_CHARS + 10  # + the "…" marks
    assert len(mark_texts(tree, "DUP002")) >= html_report.MAX_DOCUMENT_CHARS // 100 - 1
    assert "Text cut at" in text_of(tree)
