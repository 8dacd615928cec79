"""Regenerate the JSON schemas of rule-pack files from the pydantic models in `corpuslint.checks.packs`:
`rules/schema.json` (a rule file) and `rules/pack.schema.json` (a pack's `pack.yml`).

Editors validate YAML against them (each built-in file starts with a `yaml-language-server: $schema=...` line).
Usage: `python bench/build_rule_schema.py` (writes the files) or `--check` (exit 1 if they are out of date).
Deterministic: the same models give the same bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from corpuslint.checks.packs import pack_file_schema, rule_file_schema

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = {
    REPO / "rules" / "schema.json": rule_file_schema,
    REPO / "rules" / "pack.schema.json": pack_file_schema,
}


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    check = "--check" in sys.argv[1:]
    stale = []
    for path, build in SCHEMAS.items():
        text = render(build())
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.relative_to(REPO))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    if stale:
        raise SystemExit(f"out of date: {', '.join(map(str, stale))}; run python bench/build_rule_schema.py")


if __name__ == "__main__":
    main()
