"""One self-contained HTML page: a summary (counts by rule and severity, a bar chart, the documents with most
findings), then every document with its findings listed and the flagged spans highlighted in its text.

Findings carry only locations, so the page re-reads (read-only, through the loaders) the documents that have
findings or are pointed at by a related location, and maps each span to its block by field and offsets.

Design choices:
- The page is XHTML-compatible HTML (every element closed, attributes quoted, script in CDATA), so an XML parser
  can check it; it needs no network, no external asset and no server.
- Hostile text: everything from the corpus is escaped; control characters, lone surrogates and other code points
  XML forbids become one visible substitute each (offsets stay aligned); invisible format characters (bidi
  overrides, zero-width) are shown by name, so they can neither hide nor reorder anything.
- Size: per document, only the blocks with spans (long ones cut to windows around the spans), the edges of
  their neighbours and the headline are embedded, at most `MAX_DOCUMENT_CHARS` characters in all.
- Large reports: documents are `<details>`, the first `OPEN_DOCUMENTS` open; with JavaScript the documents are
  paginated (`PAGE_SIZE` a page) and filtered by rule and severity; without it, everything is plainly readable.
- Deterministic: no timestamps, everything ordered by path, record and position.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpuslint import __version__
from corpuslint.config import Settings
from corpuslint.engine import RunResult
from corpuslint.loaders import SourceFile, load_file
from corpuslint.model import Block, Document, Finding, Location, Severity
from corpuslint.reporters.text import summary_line

MAX_DOCUMENT_CHARS = 20_000  # document text embedded per document
LONG_BLOCK_CHARS = 2_000  # longer blocks are shown as windows around their spans
CONTEXT_CHARS = 300  # characters shown either side of a span in a long block
WORD_SLACK = 40  # a context window may shrink this much to end at a space
NEIGHBOUR_BLOCKS = 1  # blocks shown before and after a block with a span
OPEN_DOCUMENTS = 20  # documents expanded when the page opens
PAGE_SIZE = 50  # documents a page (pagination needs JavaScript)
TOP_DOCUMENTS = 10
TITLE_CHARS = 160  # of a mark's tooltip

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
INPUT_FAMILY = "INPUT"
TEXT_FIELD = "text"  # the field of .txt/.md documents (locations leave it out)

DocKey = tuple[str, int]  # (path, record or -1)


# --- escaping ---------------------------------------------------------------------------------------------------

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def _substitute(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def _visible(text: str) -> str:
    """Text that any HTML or XML parser accepts, one code point for one: C0 controls become their Control
    Pictures (U+2400 block); C1 controls, lone surrogates and noncharacters become U+FFFD."""
    return _UNSAFE.sub(_substitute, text) if _UNSAFE.search(text) else text


def esc(text: object) -> str:
    return html.escape(_visible(str(text)), quote=True)


# Invisible format characters (zero-width, bidi controls, BOM, soft hyphen) are shown by name in document text,
# so a finding about one is visible and a bidi override cannot reorder the page.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def esc_text(text: str) -> str:
    out, last = [], 0
    for match in _INVISIBLE.finditer(text):
        name = f"U+{ord(match.group()):04X}"
        out.append(f'{esc(text[last : match.start()])}<span class="cp" title="{name}">{name}</span>')
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# --- what the page shows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A highlighted range of a block's text: a finding (`mark`) or a finding's related location (`rel`)."""

    start: int  # relative to the block
    end: int
    anchor: str  # element id of the span's first segment
    finding: int  # index in the run's findings
    related: bool = False


@dataclass
class Entry:
    """One document of the report (or a record that could not be read)."""

    key: DocKey
    anchor: str
    findings: list[int] = field(default_factory=list)
    pointed_by: set[int] = field(default_factory=set)  # findings elsewhere whose related locations are here
    document: Document | None = None
    blocks: list[Block] = field(default_factory=list)  # the document's blocks in the order of its source
    spans: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))  # block index -> spans
    windows: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # block index -> ranges embedded
    cut: bool = False  # a block with a span was left out to keep within the character budget

    @property
    def path(self) -> str:
        return self.key[0]

    @property
    def record(self) -> int | None:
        return None if self.key[1] < 0 else self.key[1]


def _key(loc: Location) -> DocKey:
    return (loc.path, -1 if loc.record is None else loc.record)


def _collect(findings: list[Finding]) -> dict[DocKey, Entry]:
    keys = {_key(f.location) for f in findings} | {_key(r.location) for f in findings for r in f.related}
    entries = {key: Entry(key, f"d{number}") for number, key in enumerate(sorted(keys), start=1)}
    for index, finding in enumerate(findings):
        entries[_key(finding.location)].findings.append(index)
        for related in finding.related:
            entries[_key(related.location)].pointed_by.add(index)
    return entries


def _load_documents(entries: dict[DocKey, Entry], findings: list[Finding], settings: Settings, root: Path) -> None:
    """Re-read each file once, stopping as soon as the documents the report needs have been seen. Input problems
    are listed without text, so a document with nothing else is not looked for."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for (path, record), entry in entries.items():
        if entry.pointed_by or any(not findings[i].code.startswith(INPUT_FAMILY) for i in entry.findings):
            wanted[path].add(record)
    for path in sorted(wanted):
        missing = set(wanted[path])
        source = SourceFile(path, str(root / path))
        for item in load_file(source, settings.fields, settings.max_document_bytes):
            if not isinstance(item, Document):
                continue
            key = (path, -1 if item.record is None else item.record)
            if key[1] in missing:
                entries[key].document = item
                entries[key].blocks = _source_order(item)
                missing.discard(key[1])
                if not missing:
                    break


def _source_order(doc: Document) -> list[Block]:
    """Blocks as they appear in the file (a text file's summary section may come after its first paragraphs)."""
    field_rank: dict[str, int] = {}
    for block in doc.blocks:
        field_rank.setdefault(block.field, len(field_rank))
    return sorted(doc.blocks, key=lambda b: (field_rank[b.field], b.start))


def _blocks_under(blocks: list[Block], loc: Location) -> Iterable[tuple[int, int, int]]:
    """(block index, start, end relative to the block) for each block the location's span overlaps."""
    field_name = loc.field or TEXT_FIELD
    if loc.end <= loc.start:  # nothing to highlight (e.g. a rule failure pointing at the document)
        return
    for number, block in enumerate(blocks):
        if block.field == field_name and block.start < loc.end and loc.start < block.end:
            yield number, max(loc.start, block.start) - block.start, min(loc.end, block.end) - block.start


def _place_spans(entries: dict[DocKey, Entry], findings: list[Finding]) -> None:
    for index, finding in enumerate(findings):
        places = [(finding.location, f"m{index + 1}", False)]
        places += [(r.location, f"r{index + 1}-{n}", True) for n, r in enumerate(finding.related, start=1)]
        for loc, anchor, related in places:
            entry = entries[_key(loc)]
            for number, start, end in _blocks_under(entry.blocks, loc):
                entry.spans[number].append(Span(start, end, anchor, index, related))


# --- document text ----------------------------------------------------------------------------------------------


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _span_windows(size: int, spans: list[Span]) -> list[tuple[int, int]]:
    """A block with spans: all of it, or (when long) windows around its spans."""
    if size <= LONG_BLOCK_CHARS:
        return [(0, size)]
    return _merge(
        [(max(0, s.start - CONTEXT_CHARS), min(size, s.end + CONTEXT_CHARS, s.start + LONG_BLOCK_CHARS)) for s in spans]
    )


def _context_windows(text: str, before_span: bool, after_span: bool) -> list[tuple[int, int]]:
    """A neighbour of a block with spans: the end that touches it (its tail if it comes before, its head if it
    comes after), cut at a space; the headline (neither) up to `LONG_BLOCK_CHARS`."""
    size = len(text)
    if not (before_span or after_span):
        return [(0, min(size, LONG_BLOCK_CHARS))]
    ranges = []
    if before_span:
        start = max(0, size - CONTEXT_CHARS)
        space = text.find(" ", start, start + WORD_SLACK)
        ranges.append((start if start == 0 or space < 0 else space + 1, size))
    if after_span:
        end = min(size, CONTEXT_CHARS)
        space = text.rfind(" ", end - WORD_SLACK, end)
        ranges.append((0, end if end == size or space <= 0 else space))
    return _merge(ranges)


def _choose_blocks(entry: Entry) -> None:
    """Which blocks (and which parts of them) to embed: blocks with spans first, then the headline and the
    neighbours, as long as the document's character budget lasts."""
    blocks = entry.blocks
    hot = set(entry.spans)
    wanted = [(n, _span_windows(len(blocks[n].text), entry.spans[n])) for n in sorted(hot)]
    around = {n + d for n in hot for d in range(-NEIGHBOUR_BLOCKS, NEIGHBOUR_BLOCKS + 1) if 0 <= n + d < len(blocks)}
    if blocks:
        around.add(0)  # the headline, or whatever the document starts with
    for number in sorted(around - hot):
        before = any(number < n <= number + NEIGHBOUR_BLOCKS for n in hot)
        after = any(n < number <= n + NEIGHBOUR_BLOCKS for n in hot)
        wanted.append((number, _context_windows(blocks[number].text, before, after)))
    budget = MAX_DOCUMENT_CHARS
    for number, windows in wanted:
        kept = []
        for start, end in windows:
            if end - start > budget:  # the rest does not fit: a block with spans keeps what does
                if number in hot and budget > 0:
                    kept.append((start, start + budget))
                entry.cut = entry.cut or number in hot
                budget = 0
                break
            kept.append((start, end))
            budget -= end - start
        if kept:
            entry.windows[number] = kept


def _segments(start: int, end: int, spans: list[Span]) -> Iterable[tuple[int, int, list[Span]]]:
    """Split [start, end) at every span boundary (one sweep); each piece with the spans covering it."""
    opening: dict[int, list[Span]] = defaultdict(list)
    closing: dict[int, list[Span]] = defaultdict(list)
    active: dict[Span, None] = {}  # insertion-ordered set
    for span in spans:
        if span.start <= start < span.end:
            active[span] = None
        elif start < span.start < end:
            opening[span.start].append(span)
        if start < span.end < end:
            closing[span.end].append(span)
    points = sorted({start, end, *opening, *closing})
    for left, right in itertools.pairwise(points):
        for span in closing.get(left, []):
            active.pop(span, None)
        for span in opening.get(left, []):
            active[span] = None
        yield left, right, list(active)


def _render_piece(
    text: str, start: int, end: int, spans: list[Span], findings: list[Finding], emitted: set[str]
) -> str:
    out = []
    for left, right, covering in _segments(start, end, spans):
        for span in covering:
            if span.anchor not in emitted:
                emitted.add(span.anchor)
                out.append(f'<span class="anchor" id="{span.anchor}"></span>')
        piece = esc_text(text[left:right])
        marks = sorted({s.finding for s in covering if not s.related})
        pointing = sorted({findings[s.finding].code for s in covering if s.related})
        if pointing:
            piece = f'<span class="rel" title="pointed at by {esc(", ".join(pointing))}">{piece}</span>'
        if marks:
            codes = " ".join(sorted({findings[i].code for i in marks}))
            worst = max((findings[i].severity for i in marks), key=lambda s: s.rank)
            title = "\n".join(f"{findings[i].code} {findings[i].message}" for i in marks)
            if len(title) > TITLE_CHARS:
                title = title[: TITLE_CHARS - 1] + "…"
            ids = " ".join(str(i + 1) for i in marks)
            piece = (
                f'<mark class="s-{worst.value}" data-code="{esc(codes)}" data-f="{ids}" title="{esc(title)}">'
                f"{piece}</mark>"
            )
        out.append(piece)
    return "".join(out)


def _render_text(entry: Entry, findings: list[Finding]) -> str:
    doc = entry.document
    if doc is None:
        return '<p class="note">No text shown for this input.</p>'
    blocks = entry.blocks
    emitted: set[str] = set()
    out = ['<div class="text">']
    previous = -1
    for number in sorted(entry.windows):
        if number > previous + 1:
            out.append(f'<p class="gap">… {_plural(number - previous - 1, "block")} not shown …</p>')
        previous = number
        block = blocks[number]
        spans = entry.spans.get(number, [])
        gutter = str(doc.locate_block(block).line) if doc.record is None else block.field
        pieces = []
        for start, end in entry.windows[number]:
            prefix = "…" if start > 0 else ""
            suffix = "…" if end < len(block.text) else ""
            pieces.append(prefix + _render_piece(block.text, start, end, spans, findings, emitted) + suffix)
        out.append(
            f'<div class="blk {block.role.value}"><span class="ln" title="{esc(block.role.value)}">{esc(gutter)}</span>'
            f'<div class="bt">{" ".join(pieces)}</div></div>'
        )
    if previous < len(blocks) - 1:
        out.append(f'<p class="gap">… {_plural(len(blocks) - previous - 1, "block")} not shown …</p>')
    if entry.cut:
        out.append(
            f'<p class="note">Text cut at {MAX_DOCUMENT_CHARS:,} characters: some findings are listed without '
            "their text.</p>"
        )
    out.append("</div>")
    return "".join(out)


# --- findings ---------------------------------------------------------------------------------------------------


def _where(loc: Location) -> str:
    record = f"record {loc.record}, " if loc.record is not None else ""
    field_name = f"{loc.field} " if loc.field else ""
    return f"{record}{field_name}{loc.line}:{loc.column}"


def _related_link(loc: Location, anchor: str, entries: dict[DocKey, Entry], targets: set[str]) -> str:
    """A link to the related span when its text is shown, else to its document."""
    target = anchor if anchor in targets else entries[_key(loc)].anchor
    return f'<a href="#{target}">{esc(f"{loc.path}:{loc.line}:{loc.column}")}</a>'


def _render_findings(entry: Entry, findings: list[Finding], entries: dict[DocKey, Entry], targets: set[str]) -> str:
    if not entry.findings:
        return '<p class="note">No findings of its own; other findings point here.</p>'
    out = ['<ol class="findings">']
    for index in entry.findings:
        finding = findings[index]
        number = index + 1
        anchor = f"m{number}"
        code = esc(finding.code)
        code_html = (
            f'<a class="code" href="#{anchor}">{code}</a>' if anchor in targets else f'<b class="code">{code}</b>'
        )
        related = "".join(
            f"<li>{esc(r.message)}: {_related_link(r.location, f'r{number}-{n}', entries, targets)}</li>"
            for n, r in enumerate(finding.related, start=1)
        )
        out.append(
            f'<li class="finding s-{finding.severity.value}" id="f{number}" data-code="{code}" '
            f'data-sev="{finding.severity.value}">{code_html} <span class="sev">{finding.severity.value}</span> '
            f'<span class="where">{esc(_where(finding.location))}</span> <span class="name">{esc(finding.name)}</span>'
            f'<div class="msg">{esc(finding.message)}</div>'
            + (f'<ul class="related">{related}</ul>' if related else "")
            + "</li>"
        )
    out.append("</ol>")
    return "".join(out)


def _title(entry: Entry) -> str:
    record = f' <span class="rec">record {entry.record}</span>' if entry.record is not None else ""
    doc = entry.document
    headline = f' <span class="hl">{esc(doc.headline.text[:160])}</span>' if doc and doc.headline else ""
    return f'<span class="path">{esc(entry.path)}</span>{record}{headline}'


def _severity_chips(counts: Counter[str]) -> str:
    return "".join(f'<span class="chip s-{s.value}">{counts[s.value]}</span>' for s in SEVERITIES if counts[s.value])


def _render_entry(
    entry: Entry, position: int, findings: list[Finding], entries: dict[DocKey, Entry], targets: set[str]
) -> str:
    text = _render_text(entry, findings)
    listed = _render_findings(entry, findings, entries, targets)
    counts = Counter(findings[i].severity.value for i in entry.findings)
    opened = ' open=""' if position < OPEN_DOCUMENTS else ""
    pointed = "" if entry.findings else f' data-ref="{" ".join(str(i + 1) for i in sorted(entry.pointed_by))}"'
    return (
        f'<section class="doc" id="{entry.anchor}"{pointed}><details{opened}>'
        f'<summary>{_title(entry)} <span class="count">{_plural(len(entry.findings), "finding")}</span>'
        f'{_severity_chips(counts)}</summary><div class="docbody">{listed}{text}</div></details></section>'
    )


def _choose_text(entries: dict[DocKey, Entry]) -> set[str]:
    """Decide which blocks each document embeds; the anchors of the spans that will be shown (link targets)."""
    targets: set[str] = set()
    for entry in entries.values():
        if entry.document is None:
            continue
        _choose_blocks(entry)
        for number in entry.windows:
            targets.update(s.anchor for s in entry.spans.get(number, []))
    return targets


# --- summary ----------------------------------------------------------------------------------------------------


def _render_summary(result: RunResult, entries: dict[DocKey, Entry]) -> str:
    findings = result.findings
    by_severity = Counter(f.severity.value for f in findings)
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for finding in findings:
        by_rule[finding.code][finding.severity.value] += 1
        names[finding.code] = finding.name
    summaries = {r.code: r.summary() for r in result.rule_set.known}
    cards = "".join(
        f'<div class="card s-{s.value}"><b>{by_severity[s.value]:,}</b><span>{s.value}</span></div>' for s in SEVERITIES
    )
    if not findings:
        return f'<section class="summary"><div class="cards">{cards}</div></section>'
    rows = []
    most = max((sum(c.values()) for c in by_rule.values()), default=1)
    ordered = sorted(by_rule.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    for code, counts in ordered:
        total = sum(counts.values())
        bars = "".join(
            f'<span class="s-{s.value}" style="width:{100 * counts[s.value] / most:.2f}%"></span>'
            for s in SEVERITIES
            if counts[s.value]
        )
        cells = "".join(f'<td class="n">{counts[s.value] or ""}</td>' for s in SEVERITIES)
        rows.append(
            f'<tr><td><b class="code">{esc(code)}</b></td><td class="name" title="{esc(summaries.get(code, ""))}">'
            f'{esc(names[code])}</td>{cells}<td class="n">{total:,}</td><td class="chart"><span class="bar">{bars}'
            "</span></td></tr>"
        )
    head = "".join(f'<th class="n">{s.value}</th>' for s in SEVERITIES)
    table = (
        f'<table class="rules"><thead><tr><th>Rule</th><th>Name</th>{head}<th class="n">total</th>'
        f'<th class="chart">count</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    top = sorted((e for e in entries.values() if e.findings), key=lambda e: (-len(e.findings), e.key))[:TOP_DOCUMENTS]
    top_items = "".join(
        f'<li><a href="#{e.anchor}">{esc(e.path)}{f" record {e.record}" if e.record is not None else ""}</a> '
        f'<span class="count">{_plural(len(e.findings), "finding")}</span></li>'
        for e in top
    )
    return (
        f'<section class="summary"><div class="cards">{cards}</div><div class="cols"><div><h2>Findings by rule</h2>'
        f'{table}</div><div><h2>Documents with most findings</h2><ol class="top">{top_items}</ol></div></div></section>'
    )


def _render_filters(findings: list[Finding]) -> str:
    codes = Counter(f.code for f in findings)
    severities = Counter(f.severity.value for f in findings)
    rule_boxes = "".join(
        f'<label><input type="checkbox" name="code" value="{esc(code)}" checked="checked"/> {esc(code)} '
        f'<span class="count">{count:,}</span></label>'
        for code, count in sorted(codes.items())
    )
    severity_boxes = "".join(
        f'<label class="s-{s.value}"><input type="checkbox" name="sev" value="{s.value}" checked="checked"/> '
        f'{s.value} <span class="count">{severities[s.value]:,}</span></label>'
        for s in SEVERITIES
    )
    return (
        '<form id="filters" class="filters" hidden="hidden"><fieldset><legend>Severity</legend>'
        f"{severity_boxes}</fieldset><fieldset><legend>Rule</legend>{rule_boxes}"
        '<button type="button" data-all="1">all</button><button type="button" data-all="0">none</button>'
        '</fieldset><p id="shown" class="count"></p></form>'
        '<nav id="pager" class="pager" hidden="hidden"><button type="button" data-step="-1">← previous</button> '
        '<span id="page"></span> <button type="button" data-step="1">next →</button></nav>'
    )


# --- the page ---------------------------------------------------------------------------------------------------

_STYLE = """
:root{--err:#b3261e;--err-bg:#fbe4e2;--warn:#8a5300;--warn-bg:#fff0c2;--info:#1f5fa8;--info-bg:#e2eefb;
--ink:#1d2430;--muted:#5d6778;--line:#e3e7ee;--paper:#fff;--page:#f5f6f8}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;background:var(--page);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"Noto Sans","WenQuanYi Micro Hei",sans-serif}
main{max-width:1240px;margin:0 auto;padding:28px 24px 64px}
h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}h2{font-size:17px;margin:26px 0 10px}
.sub{color:var(--muted);margin:0 0 20px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:var(--paper);border:1px solid var(--line);border-left:5px solid;border-radius:8px;
padding:10px 18px;min-width:130px}.card b{display:block;font-size:26px;line-height:1.2}
.card span{color:var(--muted);text-transform:uppercase;font-size:12px;letter-spacing:.06em}
.card.s-error{border-left-color:var(--err)}.card.s-warning{border-left-color:#d89400}
.card.s-info{border-left-color:var(--info)}
table.rules{border-collapse:collapse;width:100%;background:var(--paper);border:1px solid var(--line);
border-radius:8px;overflow:hidden}
.rules th,.rules td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
.rules th{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);background:#fafbfc}
.rules .n{text-align:right;font-variant-numeric:tabular-nums;width:58px;padding-left:4px}
.rules .chart{width:28%}.rules .name{white-space:nowrap}
.bar{display:flex;height:12px;border-radius:3px;overflow:hidden}.bar span{display:block;height:100%;min-width:3px}
.bar .s-error{background:var(--err)}.bar .s-warning{background:#e0a000}.bar .s-info{background:#5b8fd0}
.code{font:600 13px/1 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
a.code{color:inherit}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:0 28px}
.top{margin:0;padding:8px 14px 8px 36px;background:var(--paper);border:1px solid var(--line);border-radius:8px}
.top li{margin:3px 0;overflow-wrap:anywhere}.top a{color:var(--ink)}
.docbody{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,400px)}
.docbody>.findings,.docbody>.note:first-child{grid-column:2;grid-row:1;border-left:1px solid var(--line)}
.docbody>.text{grid-column:1;grid-row:1}
@media (max-width:900px){.cols,.docbody{display:block}}
.count{color:var(--muted);font-size:13px}
.filters{background:var(--paper);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:26px 0 12px}
.filters fieldset{border:0;margin:0;padding:4px 0;display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center}
.filters legend{float:left;font-weight:600;margin-right:12px;width:70px;padding:0}
.filters label{white-space:nowrap;font-size:14px}.filters button{font-size:12px}
.pager{margin:10px 0;display:flex;gap:10px;align-items:center}
.doc{background:var(--paper);border:1px solid var(--line);border-radius:8px;margin:12px 0;overflow:hidden}
.doc>details>summary{cursor:pointer;padding:10px 14px;background:#fafbfc;border-bottom:1px solid var(--line)}
.doc .path{font:600 14px ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.doc .rec{color:var(--muted);font-size:13px}.doc .hl{color:var(--muted);margin-left:6px}
.chip{display:inline-block;min-width:22px;text-align:center;border-radius:10px;font-size:12px;font-weight:600;
padding:0 7px;margin-left:6px}
.chip.s-error,.finding.s-error .sev{background:var(--err-bg);color:var(--err)}
.chip.s-warning,.finding.s-warning .sev{background:var(--warn-bg);color:var(--warn)}
.chip.s-info,.finding.s-info .sev{background:var(--info-bg);color:var(--info)}
.findings{margin:0;padding:10px 14px 10px 36px;font-size:14px;background:#fcfcfd}
.finding{margin:6px 0}.finding .sev{border-radius:4px;padding:0 6px;font-size:12px;font-weight:600}
.finding .where{color:var(--muted);font-size:13px;font-variant-numeric:tabular-nums}
.finding .name{color:var(--muted);font-size:13px}
.msg,.related li,.hl,mark,.path{unicode-bidi:isolate}
.related{margin:2px 0;padding-left:18px;color:var(--muted);font-size:13px}
.text{padding:10px 14px 14px}
.blk{display:flex;gap:12px;margin:6px 0}
.blk .ln{flex:0 0 44px;text-align:right;color:#9aa3b2;font:12px/2 ui-monospace,"DejaVu Sans Mono",monospace;
overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bt{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:plaintext;min-width:0}
.blk.headline .bt{font-weight:600;font-size:16px}.blk.heading .bt{font-weight:600}
.blk.summary .bt{font-style:italic}
mark{color:inherit;border-radius:3px;padding:1px 0}
mark.s-error{background:var(--err-bg);box-shadow:inset 0 -2px var(--err)}
mark.s-warning{background:var(--warn-bg);box-shadow:inset 0 -2px #d89400}
mark.s-info{background:var(--info-bg);box-shadow:inset 0 -2px var(--info)}
mark.off{background:none;box-shadow:none}
.cp{font:11px ui-monospace,"DejaVu Sans Mono",monospace;border:1px solid #9aa3b2;border-radius:3px;padding:0 2px;
margin:0 1px;color:var(--muted)}
.rel{text-decoration:underline dotted #7a8599;text-underline-offset:3px}
.gap,.note{color:var(--muted);font-size:13px;margin:6px 0 6px 52px;font-style:italic}
.note{margin:10px 14px}
:target,.anchor:target+mark{outline:2px solid #7a5cff;outline-offset:2px}
footer{color:var(--muted);font-size:13px;margin-top:30px}
"""

# Filters, pagination, and revealing a link's target (open its <details>, switch to its page). No data inside:
# the script reads the DOM, so the page stays plain, readable HTML without it.
_SCRIPT = """
(function(){
var PAGE=%(page)d,all=[].slice.call(document.querySelectorAll('section.doc')),
items=[].slice.call(document.querySelectorAll('li.finding')),
marks=[].slice.call(document.querySelectorAll('mark[data-f]')),
form=document.getElementById('filters'),pager=document.getElementById('pager'),
label=document.getElementById('page'),shown=document.getElementById('shown'),live=all,page=0;
items.forEach(function(li){li._doc=li.closest('section.doc').id;});
function any(list,on){return list.split(' ').some(function(n){return on[n];});}
function checked(name){var on={};[].forEach.call(form.querySelectorAll('input[name="'+name+'"]'),
function(box){if(box.checked)on[box.value]=1;});return on;}
function paginate(){var pages=Math.max(1,Math.ceil(live.length/PAGE));page=Math.max(0,Math.min(page,pages-1));
var from=page*PAGE;all.forEach(function(d){d.hidden=true;});
live.slice(from,from+PAGE).forEach(function(d){d.hidden=false;});
pager.hidden=pages<2;label.textContent='page '+(page+1)+' of '+pages;}
function apply(){var codes=checked('code'),sevs=checked('sev'),on={},docs={},n=0;
items.forEach(function(li){var ok=!!(codes[li.dataset.code]&&sevs[li.dataset.sev]);li.hidden=!ok;
if(ok){on[li.id.slice(1)]=1;docs[li._doc]=1;n++;}});
marks.forEach(function(m){m.classList.toggle('off',!any(m.dataset.f,on));});
live=all.filter(function(d){return docs[d.id]||(d.dataset.ref!==undefined&&any(d.dataset.ref,on));});
shown.textContent='showing '+n+' of '+items.length+' findings; '+live.length+' documents listed';paginate();}
function reveal(id){var el=id&&document.getElementById(id);if(!el)return null;var d=el.closest('section.doc');
if(d){var at=live.indexOf(d);if(at<0){live.push(d);at=live.length-1;}page=Math.floor(at/PAGE);paginate();}
for(var p=el;p;p=p.parentElement){if(p.tagName==='DETAILS')p.open=true;}return el;}
function go(){var el=reveal(decodeURIComponent(location.hash.slice(1)));if(el)el.scrollIntoView();}
form.addEventListener('change',apply);
form.addEventListener('click',function(e){var on=e.target.getAttribute('data-all');if(on===null)return;
[].forEach.call(form.querySelectorAll('input[name="code"]'),function(b){b.checked=on==='1';});apply();});
pager.addEventListener('click',function(e){var step=+e.target.getAttribute('data-step');if(!step)return;
page+=step;paginate();form.scrollIntoView();});
document.addEventListener('click',function(e){var a=e.target.closest('a[href^="#"]');
if(a)reveal(a.getAttribute('href').slice(1));},true);
window.addEventListener('hashchange',go);
form.hidden=false;apply();go();
})();
"""


def render(result: RunResult, root: Path | None = None) -> str:
    """The report page. Document paths are resolved against `root` (default: the working folder, which is what
    the paths in findings are relative to when the run came from the command line)."""
    findings = list(result.findings)  # addressed by position below
    entries = _collect(findings)
    _load_documents(entries, findings, result.rule_set.settings, root or Path.cwd())
    _place_spans(entries, findings)
    ordered = [entries[key] for key in sorted(entries)]
    targets = _choose_text(entries)
    sections = "".join(_render_entry(e, n, findings, entries, targets) for n, e in enumerate(ordered))
    title = f"corpuslint report: {_plural(len(findings), 'finding')}"
    body = (
        f'<main><h1>corpuslint report</h1><p class="sub">{esc(summary_line(result))}</p>'
        f"{_render_summary(result, entries)}{_render_filters(findings)}"
        f'<div id="documents">{sections or "<p>No findings.</p>"}</div>'
        f"<footer>corpuslint {esc(__version__)}. Document text is embedded only around findings (at most "
        f"{MAX_DOCUMENT_CHARS:,} characters a document).</footer></main>"
    )
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>{body}"
        f"<script>//<![CDATA[{_SCRIPT % {'page': PAGE_SIZE}}//]]></script></body></html>\n"
    )
