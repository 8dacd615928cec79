"""HTML report at scale: a seeded synthetic corpus with about 10,000 findings (real rules, real re-reading),
then the report's build time, file size, and load time in headless Chromium (DOM after scripts ran, and a
screenshot, i.e. layout and paint of the first page).

    /work/venv/bin/python bench/bench_html.py [--documents N]

Needs no evaluation data (the corpus is generated); the browser figures need `chromium` on PATH.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from corpuslint.config import Settings
from corpuslint.engine import run
from corpuslint.reporters import html as html_report

SEED = 20261127
WORDS = (
    "council port minister budget river city market school hospital station rail harbour energy price wage "
    "union court police museum festival water road housing farmers exports bank rate inflation growth plan"
).split()
DEFECTS = (
    "Click here to subscribe to our daily briefing.",
    "Advertisement",
    "Read more: the full story on our website",
    "Prices rose 4% &amp; wages 3% over the year, the statistics office said on Monday.",
)
SELECT = ["DUP001", "BOIL001", "BOIL002", "BOIL004", "MARK002"]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 22))]
    return " ".join(words).capitalize() + "."


def document(rng: random.Random, number: int) -> dict[str, str]:
    headline = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} plan {number} approved after long debate"
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(3, 5))) for _ in range(9)]
    for position, defect in zip(rng.sample(range(1, 10), len(DEFECTS)), DEFECTS, strict=True):
        paragraphs.insert(position, defect)
    paragraphs.insert(rng.randint(1, len(paragraphs)), headline)
    return {"id": f"doc-{number:05d}", "title": headline, "body": "\n\n".join(paragraphs), "lang": "en"}


# Appended to a copy of the report: when the page has loaded, time the first layout and record the times in
# attributes that --dump-dom prints (milliseconds since navigation start).
PROBE = """<script>window.addEventListener('load',function(){var root=document.documentElement,
ready=performance.now();document.body.getBoundingClientRect();var nav=performance.getEntriesByType('navigation')[0];
root.setAttribute('data-dom-ready',Math.round(nav.domContentLoadedEventEnd));
root.setAttribute('data-loaded',Math.round(ready));root.setAttribute('data-laid-out',Math.round(performance.now()));
root.setAttribute('data-visible-docs',document.querySelectorAll('section.doc:not([hidden])').length);});</script>"""


def probe(binary: str, report: Path, profile: Path) -> dict[str, int]:
    """In-page timings of the report, best of three loads."""
    probed = report.with_name("probed.html")
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    best: dict[str, int] = {}
    for _ in range(3):
        dom = run_chromium(binary, probed, profile, "--dump-dom").stdout
        head = re.search(r"<html[^>]*>", dom).group()  # type: ignore[union-attr]
        values = {k: int(v) for k, v in re.findall(r'data-(dom-ready|loaded|laid-out|visible-docs)="(\d+)"', head)}
        best = {k: min(v, best.get(k, v)) for k, v in values.items()}
    return best


def chromium_seconds(binary: str, page: Path, profile: Path, *args: str) -> float:
    started = time.perf_counter()
    run_chromium(binary, page, profile, *args)
    return time.perf_counter() - started


def run_chromium(binary: str, page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]  # fmt: skip
    return subprocess.run(
        [binary, *flags, *args, page.as_uri()], capture_output=True, text=True, check=True, timeout=600
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2_000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with (root / "corpus.jsonl").open("w", encoding="utf-8") as handle:
            for number in range(args.documents):
                handle.write(json.dumps(document(rng, number), ensure_ascii=False) + "\n")
        result = run([root], Settings(select=SELECT, jobs=1), cwd=root)
        started = time.perf_counter()
        page = html_report.render(result, root=root)
        build = time.perf_counter() - started
        again = html_report.render(result, root=root)
        report = root / "report.html"
        report.write_text(page, encoding="utf-8")
        rows = [
            ("findings", f"{len(result.findings):,}"),
            ("documents with findings", f"{len({f.location.record for f in result.findings}):,}"),
            ("report size", f"{len(page.encode()) / 1e6:.2f} MB"),
            ("bytes per finding", f"{len(page.encode()) / max(1, len(result.findings)):,.0f}"),
            ("build time (render, incl. re-reading)", f"{build:.2f} s"),
            ("byte-identical on a second render", str(page == again)),
        ]
        binary = shutil.which("chromium")
        if binary:
            tiny = root / "tiny.html"
            tiny.write_text("<!DOCTYPE html><title>t</title><p>t</p>", encoding="utf-8")
            profile = root / "profile"
            chromium_seconds(binary, tiny, profile, "--dump-dom")  # warm the profile and the disk cache
            base = min(chromium_seconds(binary, tiny, profile, f"--screenshot={root / 'shot.png'}") for _ in range(3))
            inside = probe(binary, report, profile)
            shot = min(
                chromium_seconds(
                    binary, report, profile, f"--screenshot={root / 'shot.png'}", "--window-size=1280,2000"
                )
                for _ in range(3)
            )
            rows += [
                ("in page: HTML parsed + script ran (DOMContentLoaded)", f"{inside['dom-ready']:,} ms"),
                ("in page: load event", f"{inside['loaded']:,} ms"),
                ("in page: first layout done", f"{inside['laid-out']:,} ms"),
                ("documents visible on the first page", f"{inside['visible-docs']:,}"),
                ("chromium process, empty page screenshot (baseline)", f"{base:.2f} s"),
                ("chromium process, report screenshot", f"{shot:.2f} s (+{shot - base:.2f} s over baseline)"),
            ]
        else:
            rows.append(("chromium", "not installed: browser figures skipped"))
    width = max(len(name) for name, _ in rows)
    print(f"HTML report bench ({args.documents:,} JSON Lines documents, seed {SEED}, rules {', '.join(SELECT)})")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
