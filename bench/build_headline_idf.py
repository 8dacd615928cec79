"""Rebuild `src/corpuslint/data/headline_idf.tsv`, the fallback IDF table of the HEAD rules, from gensim's Lee
background corpus (300 news articles, LGPL-2.1; shipped in the gensim wheel as
`gensim/test/test_data/lee_background.cor`).

Usage: `python bench/build_headline_idf.py [path/to/lee_background.cor]` (default: ../shared/data/gensim_lee/).
Deterministic: the same input gives the same bytes. Keeps terms found in at least 2 articles.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

from corpuslint.checks.headlines import content_terms
from corpuslint.text import words

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CORPUSLINT_DATA", REPO.parent / "shared" / "data"))
OUTPUT = REPO / "src" / "corpuslint" / "data" / "headline_idf.tsv"
MIN_DOCUMENTS = 2


def build(source: Path) -> str:
    articles = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    frequencies: Counter[str] = Counter()
    for article in articles:
        frequencies.update(set(content_terms(words(article))))
    rows = sorted((term, df) for term, df in frequencies.items() if df >= MIN_DOCUMENTS)
    return f"# documents {len(articles)}\n" + "".join(f"{term}\t{df}\n" for term, df in rows)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "gensim_lee" / "lee_background.cor"
    OUTPUT.write_text(build(source), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)} from {source}")


if __name__ == "__main__":
    main()
