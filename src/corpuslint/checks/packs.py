"""Rule packs: checks written in YAML, not Python (`rules/<pack>/<Rule>.yml`, as in Vale styles).

A pack is a folder holding `pack.yml` (its code `prefix`, e.g. `BOIL`, and a description) and one file per
rule. A rule file names its kind with `extends` and its stable `number` (code = prefix + number, so adding a file
never renumbers the others); the rule's name is the kebab-case file name. Four kinds:

- `existence`: phrases (`tokens`) or regexes (`patterns`) found in a scope;
- `script`: characters of given Unicode scripts or general categories, or listed characters;
- `metric`: a number about the scope (words, duplicate-line share, top n-gram share, ...) outside `min`/`max`;
- `position`: a pattern at the start or end of the scope (a dangling "Read more", a trailing "…").

Files are read with a safe YAML loader that keeps line numbers, and validated by pydantic models with
`extra="forbid"`: a mistake is a `ConfigError` naming the file, the line and the key. Regexes are compiled once
per process and run with the `regex` module under a time limit; a pattern that backtracks catastrophically
raises `PatternTimeout` (reported by the engine as INPUT008 for that document), and the rule is then switched
off for the rest of the run in that process, so the run goes on.

Speed: phrase lists become one alternation per rule, and cheap gates run first, computed once per document and
shared by the rules (`ctx.memo`): does some line start with a token of the line-anchored rules (one search for
all of them)? are all the words of some phrase in the document (the phrase words are looked up in its tokens)?
does the text contain a `requires-any` string? does a Latin-1 document hold a character of the script rule (a
`bytes.translate`)? Metric rules share one unit per scope with its word hashes, lengths and line and duplicate
counts, and try bounds cheapest first (hash buckets before distinct-word counts for the top n-gram share). Every
gate and bound is a necessary condition of a finding, so the findings are those of the plain computation.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, filterfalse
from operator import methodcaller
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from corpuslint.config import ConfigError, Settings
from corpuslint.loaders.textfile import parse_text_document
from corpuslint.model import Block, Document, Finding, Location, Role, Severity
from corpuslint.rule import CODE_RE, NAME_RE, DocContext, DocumentRule, Rule, drop_line
from corpuslint.text import lines, sentences, words

PACK_FILE = "pack.yml"
REGEX_TIMEOUT = 1.0  # seconds per search; a news document takes well under a millisecond
_TAIL_WINDOW = 500  # position rules look only this far into a block's start or end
_SHOWN_MATCH = 80  # characters of the matched text quoted in a message

Scope = Literal["headline", "summary", "paragraph", "line", "body", "document"]
BlockRole = Literal["headline", "summary", "heading", "paragraph", "bullet"]

# ---------------------------------------------------------------------------------------------------------------
# The rule-file models (the JSON schema in rules/schema.json is generated from these)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, frozen=True)


class Examples(_Spec):
    """Example documents in the `.txt` form (first line the headline, then paragraphs separated by blank lines)."""

    bad: list[str] = Field(min_length=1, description="Documents on which the rule must fire.")
    good: list[str] = Field(min_length=1, description="Documents on which the rule must not fire.")


class RuleSpec(_Spec):
    """Keys every rule file has."""

    number: int = Field(ge=1, le=999, description="The rule's number in its pack; the code is prefix + 3 digits.")
    message: str = Field(
        min_length=1,
        description="The finding's message. Placeholders: {match} (the matched text), {name}, {code}; metric "
        "rules also {value}, {min}, {max}, {metric}.",
    )
    severity: Severity = Field(Severity.WARNING, description="error, warning or info.")
    scope: Scope = Field(
        "paragraph",
        description="Where to look: headline, summary, paragraph (each body block), line (each line of the body), "
        "body (the body as a whole), document (headline, summary and body).",
    )
    roles: list[BlockRole] | None = Field(
        None,
        description="Only blocks with these roles (for position rules: fire only when the first/last block has "
        "one of them).",
    )
    description: str = Field(
        min_length=1,
        description="What the rule finds and why it matters (Markdown); the first paragraph is the summary.",
    )
    examples: Examples
    link: str | None = Field(None, pattern=r"^https?://\S+$", description="A page explaining the rule.")

    @field_validator("message")
    @classmethod
    def _known_placeholders(cls, message: str) -> str:
        try:
            message.format(match="", name="", code="", value=0.0, min=0.0, max=0.0, metric="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"unknown or malformed placeholder in message: {exc}") from None
        return message


class _MatcherSpec(RuleSpec):
    """Keys of the kinds that search text: phrases and regexes, combined into one alternation."""

    tokens: list[Annotated[str, Field(min_length=1)]] = Field(
        [], description="Literal phrases (matched as whole words where the script separates words by spaces)."
    )
    patterns: list[Annotated[str, Field(min_length=1)]] = Field(
        [], description="Regular expressions (`regex` module syntax; ^ and $ match at line boundaries)."
    )
    ignorecase: bool = Field(True, description="Match regardless of case.")
    word_boundaries: bool = Field(True, description="Tokens must not start or end inside a word.")

    @model_validator(mode="after")
    def _something_to_find(self) -> _MatcherSpec:
        if not self.tokens and not self.patterns:
            raise ValueError("give `tokens` or `patterns` (or both)")
        return self


class ExistenceSpec(_MatcherSpec):
    """Report every occurrence of the tokens or patterns in the scope."""

    extends: Literal["existence"]
    at: Literal["anywhere", "line-start", "whole-line"] = Field(
        "anywhere",
        description="anywhere; line-start (the match starts a line); whole-line (the line is the match, apart from "
        "spaces and punctuation).",
    )
    requires_any: list[Annotated[str, Field(min_length=1)]] = Field(
        [],
        description="Speed hint for `patterns`: they run only on text containing one of these strings (compared "
        "case-insensitively). Tokens need no hint.",
    )
    fix: Literal["remove-line"] | None = Field(
        None,
        description="remove-line: `corpuslint fix` may delete the line holding the match (a safe fix; only with "
        "`at: line-start` or `at: whole-line`, where the line is the boilerplate).",
    )

    @model_validator(mode="after")
    def _fix_needs_a_line(self) -> ExistenceSpec:
        if self.fix == "remove-line" and self.at == "anywhere":
            raise ValueError("`fix: remove-line` needs `at: line-start` or `at: whole-line`")
        return self


class PositionSpec(_MatcherSpec):
    """Report the tokens or patterns when they start or end the scope."""

    extends: Literal["position"]
    position: Literal["start", "end"] = Field(description="Where the match must not be: start or end of the scope.")
    min_words: int | None = Field(None, ge=0, description="Only when that first/last block has at least N words.")
    max_words: int | None = Field(None, ge=0, description="Only when that first/last block has at most N words.")


class ScriptSpec(RuleSpec):
    """Report runs of characters from the given scripts, general categories or list."""

    extends: Literal["script"]
    scripts: list[str] = Field([], description="Unicode script names, e.g. Cyrillic, Han.")
    categories: list[str] = Field([], description="Unicode general categories, e.g. Cc, Cf, Co, Cs.")
    characters: list[Annotated[str, Field(min_length=1, max_length=1)]] = Field(
        [], description='Single characters, e.g. "\\uFFFD".'
    )
    allow: list[Annotated[str, Field(min_length=1, max_length=1)]] = Field(
        [], description="Characters never reported, e.g. tab and newline."
    )

    @model_validator(mode="after")
    def _something_to_find(self) -> ScriptSpec:
        if not (self.scripts or self.categories or self.characters):
            raise ValueError("give `scripts`, `categories` or `characters`")
        return self


MetricName = Literal[
    "words",
    "characters",
    "sentences",
    "blocks",
    "lines",
    "uppercase-share",
    "mean-word-length",
    "max-word-length",
    "hash-word-ratio",
    "ellipsis-word-ratio",
    "ellipsis-line-share",
    "bullet-line-share",
    "alpha-word-share",
    "stop-word-count",
    "terminal-punctuation-line-share",
    "short-line-share",
    "duplicate-line-share",
    "duplicate-line-char-share",
    "duplicate-block-share",
    "duplicate-block-char-share",
    "top-ngram-char-share",
    "duplicate-ngram-char-share",
]


class MetricSpec(RuleSpec):
    """Report the scope when a number about it is below `min` or above `max`."""

    extends: Literal["metric"]
    metric: MetricName = Field(description="What to measure.")
    n: int | None = Field(None, ge=1, le=20, description="The n of the n-gram metrics.")
    min: float | None = Field(None, description="Fire when the value is below this.")
    max: float | None = Field(None, description="Fire when the value is above this.")
    min_words: int | None = Field(None, ge=0, description="Measure only scopes with at least N words.")

    @model_validator(mode="after")
    def _bounded(self) -> MetricSpec:
        if self.min is None and self.max is None:
            raise ValueError("give `min` or `max` (or both)")
        if ("ngram" in self.metric) != (self.n is not None):
            raise ValueError("`n` is required by the n-gram metrics and only by them")
        return self


class PackSpec(_Spec):
    """`pack.yml`: the pack's code prefix and description."""

    prefix: str = Field(pattern=r"^[A-Z]+$", description="Upper-case letters; rule codes are prefix + 3 digits.")
    description: str = Field(min_length=1)
    link: str | None = Field(None, pattern=r"^https?://\S+$")


KINDS: dict[str, type[RuleSpec]] = {
    "existence": ExistenceSpec,
    "position": PositionSpec,
    "script": ScriptSpec,
    "metric": MetricSpec,
}
AnyRuleSpec = Annotated[ExistenceSpec | PositionSpec | ScriptSpec | MetricSpec, Field(discriminator="extends")]


def rule_file_schema() -> dict[str, Any]:
    """The JSON schema of a rule file (what `rules/schema.json` holds)."""
    schema = TypeAdapter(AnyRuleSpec).json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "corpuslint rule file (rules/<pack>/<Rule>.yml)",
        **schema,
    }


def pack_file_schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **PackSpec.model_json_schema(by_alias=True)}


# ---------------------------------------------------------------------------------------------------------------
# YAML with line numbers


class _LineMap(dict):
    """A YAML mapping that remembers the line of each key."""

    lines: dict[Any, int]


class _LineList(list):
    """A YAML sequence that remembers the line of each item."""

    lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with mappings that know their keys' lines and refuse duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_LineMap]:
    loader.flatten_mapping(node)
    data = _LineMap()
    data.lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool):
            raise ConfigError(f"{line}: a key must be a plain scalar")
        if key in data:
            raise ConfigError(f"{line}: key {key!r} is given twice (first at line {data.lines[key]})")
        data.lines[key] = line
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_LineList]:
    data = _LineList()
    data.lines = []
    yield data
    for item in node.value:
        data.lines.append(item.start_mark.line + 1)
        data.append(loader.construct_object(item, deep=True))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read rule file: {exc}") from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # _LineLoader is a SafeLoader
    except ConfigError as exc:
        raise ConfigError(f"{path}:{exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None


def _line_of(data: Any, loc: Sequence[int | str]) -> int:
    """The line of the deepest key of `loc` that the YAML data knows."""
    line = 1
    for part in loc:
        known = (isinstance(data, _LineMap) and part in data.lines) or (
            isinstance(data, _LineList) and isinstance(part, int) and 0 <= part < len(data)
        )
        if not known:
            break
        line = data.lines[part]
        data = data[part]
    return line


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            key = ".".join(str(p) for p in loc) or "(file)"
            line = _line_of(data, loc)
            if error["type"] == "extra_forbidden":
                problems.append(f"{path}:{line}: unknown key `{key}`")
            else:
                problems.append(f"{path}:{line}: `{key}`: {error['msg']}")
        raise ConfigError("; ".join(problems)) from None


def _load_spec(path: Path) -> RuleSpec:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a rule file must be a mapping of keys")
    kind = data.get("extends")
    if kind not in KINDS:
        line = _line_of(data, ["extends"])
        raise ConfigError(f"{path}:{line}: `extends` must be one of {', '.join(KINDS)} (found {kind!r})")
    return _validate(KINDS[kind], data, path)


# ---------------------------------------------------------------------------------------------------------------
# Compiling phrases and patterns

_NO_SPACE_SCRIPTS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
_WORD_CHAR = regex.compile(r"\w")
_WHOLE_LINE_SLACK = 40  # spaces and punctuation allowed around a whole-line token


class PatternTimeout(Exception):
    """A rule's regex took longer than REGEX_TIMEOUT on a document."""


def _bounded_token(token: str, word_boundaries: bool) -> str:
    """The escaped token, with word boundaries at ends that are word characters of space-separated scripts."""
    escaped = regex.escape(token)
    if not word_boundaries:
        return escaped

    def needs_boundary(char: str) -> bool:
        return bool(_WORD_CHAR.match(char)) and not _NO_SPACE_SCRIPTS.match(char)

    head = r"(?<!\w)" if needs_boundary(token[0]) else ""
    tail = r"(?!\w)" if needs_boundary(token[-1]) else ""
    return f"{head}{escaped}{tail}"


@functools.cache
def _compile(pattern: str, flags: int, where: str) -> regex.Pattern:
    try:
        return regex.compile(pattern, flags)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise ConfigError(f"{where}: invalid regular expression: {exc}") from None


_GATE_WORDS: set[str] = set()  # every word of every phrase gated by words, in any rule loaded in this process


class Gate:
    """A cheap test of whether a matcher can match some text, run before the regex.

    - word keys: every word of some phrase appears among the text's words (sound because phrase tokens have
      word boundaries and are split by the one tokeniser);
    - substrings: some lower-cased string occurs in the lower-cased text;
    - always: a pattern without a `requires-any` hint.
    """

    def __init__(self, spec: _MatcherSpec) -> None:
        self.always = bool(spec.patterns) and not getattr(spec, "requires_any", [])
        self.word_keys: list[frozenset[str]] = []
        self.substrings: list[str] = [s.lower() for s in getattr(spec, "requires_any", [])]
        for token in spec.tokens:
            keys = words(token)
            space_separated = spec.word_boundaries and keys and not _NO_SPACE_SCRIPTS.search(token)
            if space_separated and " ".join(keys) == " ".join(words(token.lower())):
                self.word_keys.append(frozenset(keys))
                _GATE_WORDS.update(keys)
            else:
                self.substrings.append(token.lower())
        longest_words = {max(keys, key=len) for keys in self.word_keys}
        self.some_word = frozenset(longest_words)  # one C-level test rules out most documents
        self.needles = [_needle(s) for s in self.substrings]
        self.block_needles = [_needle(s) for s in sorted(longest_words | set(self.substrings))]

    def passes(self, words_present: set[str], lowered: str) -> bool:
        """`words_present`: the document's words among the phrase words (see `_gate_text`)."""
        return (
            self.always
            or (not self.some_word.isdisjoint(words_present) and any(k <= words_present for k in self.word_keys))
            or _contains_any(lowered, self.needles)
        )

    def passes_text(self, lowered: str) -> bool:
        """The per-block test: one substring per phrase (its longest word; weaker, still sound)."""
        return self.always or _contains_any(lowered, self.block_needles)


_RARE_LETTERS_FIRST = "zqxjkvbpygfwmucldrhsnioate"


def _needle(text: str) -> tuple[str, str]:
    """(the needle's rarest-looking character, the needle): finding one character is a memchr, far faster than
    finding a short string, so the character is looked for first."""

    def commonness(char: str) -> int:
        if not char.isascii():
            return 0
        if char.isspace():
            return 99
        if not char.isalnum():
            return 1
        return 2 if char.isdigit() else 3 + _RARE_LETTERS_FIRST.find(char)

    return min(text, key=commonness), text


def _contains_any(text: str, needles: list[tuple[str, str]]) -> bool:
    for char, needle in needles:  # noqa: SIM110 (a loop: any(generator) costs more, ~20 calls per document)
        if char in text and needle in text:
            return True
    return False


class LineStartGate:
    """One search per document for all rules made of tokens that must start a line (`at: line-start` or
    `whole-line`): when no line of the document starts with one of their tokens, none of them can match.

    Sound because it searches what those rules' patterns need, with the same engine and case flag: every match
    starts a line of a block, after spaces or tabs, with a token; a line starts after \\n, \\r or at a block's start,
    and each of those is a \\n in the searched text ("\\n" + the blocks joined by blank lines, \\r made \\n). The
    word-boundary look-arounds, the line's end and the scope are left out, which only lets more documents through.
    """

    def __init__(self) -> None:
        self.tokens: set[tuple[bool, str]] = set()  # (ignorecase, token)
        self.pattern: regex.Pattern | None = None

    def add(self, tokens: Iterable[str], ignorecase: bool) -> None:
        self.tokens.update((ignorecase, token) for token in tokens)
        self.pattern = None

    def passes(self, ctx: DocContext, doc: Document) -> bool:
        # the key holds the token count, which only grows: a pack loaded later gets a fresh answer
        return ctx.memo(("packs.line-start", len(self.tokens)), lambda: self.search(_joined_text(ctx, doc)))

    def search(self, text: str) -> bool:
        if self.pattern is None:
            # the spaces and tabs are taken possessively (no backtracking into a long run of them), so tokens
            # are looked for without their own leading spaces and tabs, which that run takes: still all matches
            folded = _by_first_character(t.lstrip(" \t") for ignorecase, t in self.tokens if ignorecase)
            exact = _by_first_character(t.lstrip(" \t") for ignorecase, t in self.tokens if not ignorecase)
            alternatives = ([f"(?i:{'|'.join(folded)})"] if folded else []) + exact
            self.pattern = regex.compile(rf"\n[ \t]*+(?:{'|'.join(alternatives)})")
        if "\r" in text:
            text = text.replace("\r", "\n")
        return self.pattern.search("\n" + text) is not None


def _by_first_character(strings: Iterable[str]) -> list[str]:
    """Regex alternatives matching exactly `strings` (at a given position), one per first character so that a
    position costs one comparison per distinct first character ("" matches the empty string)."""
    groups: dict[str, list[str]] = defaultdict(list)
    strings = set(strings)
    for string in sorted(strings - {""}):
        groups[string[0]].append(regex.escape(string[1:]))
    alternatives = [f"{regex.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items())]
    return alternatives + ([""] if "" in strings else [])


_LINE_START_GATE = LineStartGate()


def _matcher_regex(spec: _MatcherSpec, where: str, wrap: Callable[[str], str], flags: int = 0) -> regex.Pattern:
    parts = [_bounded_token(t, spec.word_boundaries) for t in spec.tokens]
    parts += [f"(?:{p})" for p in spec.patterns]
    for pattern in spec.patterns:
        _compile(pattern, regex.MULTILINE, where)  # report a bad pattern on its own, not inside the alternation
    flags |= regex.MULTILINE | (regex.IGNORECASE if spec.ignorecase else 0)
    return _compile(wrap("|".join(parts)), flags, where)


# ---------------------------------------------------------------------------------------------------------------
# Scopes


def _scope_blocks(doc: Document, scope: Scope) -> list[Block]:
    if scope == "headline":
        return [doc.headline] if doc.headline is not None else []
    if scope == "summary":
        return doc.summary
    if scope == "document":
        return doc.blocks
    return doc.body


def _role_filter(blocks: list[Block], roles: frozenset[Role] | None) -> list[Block]:
    return blocks if roles is None else [b for b in blocks if b.role in roles]


def _gate_text(ctx: DocContext, doc: Document) -> tuple[set[str], str]:
    """The gates' view of the document: which words of any gated phrase it holds (`_GATE_WORDS` & its word set),
    and its lower-cased text. Taken over the whole document whatever a rule's scope: a superset keeps the gate
    sound and is built once. Every phrase word is in `_GATE_WORDS`, so a gate answers as with the full word set,
    which is not built: the phrase words are looked up in the tokens (one C-level pass)."""

    def compute() -> tuple[set[str], str]:
        lowered = _joined_text(ctx, doc).lower()
        present = _GATE_WORDS.intersection(chain.from_iterable(map(ctx.words, doc.blocks)))
        # "more's" is one token, but a phrase ending in "more" matches inside it: its pieces count too
        present.update(_GATE_WORDS.intersection(_apostrophe_pieces(lowered)))
        return present, lowered

    # the key holds the size of `_GATE_WORDS`, which only grows: a pack loaded later gets a fresh answer
    return ctx.memo(("packs.gate", len(_GATE_WORDS)), compute)


# The run of word characters after an apostrophe that has one before it: the tokeniser's words hold apostrophes
# only between word characters, so these runs (and, in the reversed text, those before such an apostrophe) are
# exactly the pieces of the words that hold an apostrophe. The apostrophe comes first: a fast scan finds it.
_PIECE_AFTER = {apostrophe: re.compile(rf"{apostrophe}(?<=\w{apostrophe})(\w+)") for apostrophe in "'’"}


def _apostrophe_pieces(lowered: str) -> list[str]:
    """The pieces (split at apostrophes) of the words of `lowered` that hold an apostrophe."""
    pieces: list[str] = []
    for apostrophe, after in _PIECE_AFTER.items():
        if apostrophe in lowered:
            pieces += after.findall(lowered)
            pieces += [piece[::-1] for piece in after.findall(lowered[::-1])]
    return pieces


def _joined_text(ctx: DocContext, doc: Document) -> str:
    """All the document's blocks in one string (a superset of any scope's text)."""
    return ctx.memo("packs.text", lambda: "\n\n".join(block.text for block in doc.blocks))


def _latin1_text(ctx: DocContext, doc: Document) -> bytes | None:
    """`_joined_text` as Latin-1 bytes (one byte per character), or None when it holds a character above U+00FF."""

    def compute() -> bytes | None:
        try:
            return _joined_text(ctx, doc).encode("latin-1")
        except UnicodeEncodeError:
            return None

    return ctx.memo("packs.latin1", compute)


def _lowered(ctx: DocContext, block: Block) -> str:
    return ctx.memo(("packs.lower", id(block)), block.text.lower)


def _visible(text: str) -> str:
    """`text` for a message: invisible and control characters as \\uXXXX, long text shortened."""
    shown = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in text[: _SHOWN_MATCH + 1])
    return shown[:_SHOWN_MATCH] + "…" if len(text) > _SHOWN_MATCH else shown


# ---------------------------------------------------------------------------------------------------------------
# The rule classes; each rule file becomes a subclass with its spec and compiled patterns as class attributes


class PackRule(DocumentRule):
    spec: ClassVar[RuleSpec]
    source: ClassVar[Path]
    pack: ClassVar[str]
    roles: ClassVar[frozenset[Role] | None]

    @classmethod
    def docs(cls) -> str:
        spec = cls.spec
        parts = [_summary(spec.description), "", *_details(spec.description), "## Example", "Fires on:"]
        parts += [_fenced(text) for text in spec.examples.bad]
        parts += ["Does not fire on:"]
        parts += [_fenced(text) for text in spec.examples.good]
        where = (
            f"Defined in `{_shown_path(cls.source)}` (pack {cls.pack}, kind `{spec.extends}`, scope `{spec.scope}`)."  # type: ignore[attr-defined]
        )
        parts += ["", where]
        if spec.link:
            parts.append(f"See {spec.link}")
        return "\n".join(parts)

    @classmethod
    def prepare(cls, where: str) -> None:
        """Compile what the rule needs (once per process)."""

    def identity(self) -> str:
        """Cached results are keyed on the rule's definition too, so editing the YAML file invalidates them."""
        return f"{super().identity()}:{self.spec.model_dump_json()}"

    def blocks(self, doc: Document) -> list[Block]:
        return _role_filter(_scope_blocks(doc, self.spec.scope), self.roles)

    def message(self, matched: str, **values: Any) -> str:
        return self.spec.message.format(
            match=_visible(matched),
            name=self.name,
            code=self.code,
            **{"value": "", "min": "", "max": "", "metric": "", **values},
        )


def _shown_path(path: Path) -> str:
    """Built-in rule files as `rules/<pack>/<Rule>.yml` wherever the package is installed; others as given."""
    builtin = builtin_packs_dir()
    return str(Path("rules") / path.relative_to(builtin)) if path.is_relative_to(builtin) else str(path)


def _summary(description: str) -> str:
    """The description's first paragraph on one line."""
    return " ".join(description.strip().split("\n\n", 1)[0].split())


def _details(description: str) -> list[str]:
    rest = description.strip().partition("\n\n")[2].strip()
    return [rest, ""] if rest else []


def _fenced(text: str) -> str:
    return "```\n" + text.rstrip("\n") + "\n```"


class _RegexRule(PackRule):
    pattern: ClassVar[regex.Pattern]
    timed_out: ClassVar[bool] = False

    def search(
        self, text: str, pos: int = 0, endpos: int | None = None, anchored: bool = False
    ) -> Iterator[regex.Match]:
        """Matches in `text[pos:endpos]` (only one starting at `pos` when `anchored`), under the time limit."""
        cls = type(self)
        if cls.timed_out:
            return
        end = len(text) if endpos is None else endpos
        try:
            if anchored:
                match = self.pattern.match(text, pos, end, timeout=REGEX_TIMEOUT)
                if match:
                    yield match
            else:
                yield from self.pattern.finditer(text, pos, end, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise self.timeout() from None

    def first_match(self, text: str, pos: int) -> regex.Match | None:
        """The first match in `text[pos:]` (as `search` would yield it first), under the time limit."""
        cls = type(self)
        if cls.timed_out:
            return None
        try:
            return self.pattern.search(text, pos, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise self.timeout() from None

    def timeout(self) -> PatternTimeout:
        """Switch the rule off for the rest of the run; the error that says so."""
        type(self).timed_out = True
        return PatternTimeout(
            f"the regular expression of {self.code} ({self.source}) ran for more than {REGEX_TIMEOUT:g} s on "
            "this document (catastrophic backtracking?); the rule is switched off for the rest of this run — "
            "simplify the pattern"
        )


class ExistenceRule(_RegexRule):
    spec: ClassVar[ExistenceSpec]
    gate: ClassVar[Gate]
    longest_line: ClassVar[int | None]  # whole-line rules made of tokens skip longer lines
    line_gated: ClassVar[bool]  # tokens at a line start: `_LINE_START_GATE` rules out most documents at once

    @classmethod
    def prepare(cls, where: str) -> None:
        at = cls.spec.at
        wrap = {
            "anywhere": lambda alt: alt,
            "line-start": lambda alt: rf"[ \t]*(?:{alt})",
            "whole-line": lambda alt: rf"[ \t]*(?:{alt})[\s\p{{P}}\p{{S}}]*\Z",
        }[at]
        cls.pattern = _matcher_regex(cls.spec, where, wrap)
        cls.gate = Gate(cls.spec)
        tokens_only = at == "whole-line" and not cls.spec.patterns
        cls.longest_line = max(map(len, cls.spec.tokens)) + _WHOLE_LINE_SLACK if tokens_only else None
        cls.line_gated = at != "anywhere" and not cls.spec.patterns
        if cls.line_gated:
            _LINE_START_GATE.add(cls.spec.tokens, cls.spec.ignorecase)

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        """The gates run at once (most documents stop there, returning no generator); the matching is lazy."""
        if self.line_gated and not _LINE_START_GATE.passes(ctx, doc):
            return ()
        if not self.gate.passes(*_gate_text(ctx, doc)):
            return ()
        return self.findings(doc, ctx)

    def findings(self, doc: Document, ctx: DocContext) -> Iterator[Finding]:
        for block in self.blocks(doc):
            if self.may_match(block.text) and (
                self.spec.at != "anywhere" or self.gate.passes_text(_lowered(ctx, block))
            ):
                for match in self.matches(block.text):
                    raw = match.group()
                    text = raw.strip()
                    start = match.start() + len(raw) - len(raw.lstrip())
                    location = doc.locate_block(block, start, start + len(text))
                    fix = None
                    if self.spec.fix == "remove-line":
                        fix = drop_line(doc, block, start, start + len(text), f"remove the {self.name} line")
                    yield self.finding(location, self.message(text), text=text, fix=fix)

    def may_match(self, text: str) -> bool:
        """False when every line is too long to be a whole-line match (most paragraphs): checked before anything
        else because it costs nothing."""
        if self.longest_line is None or len(text) <= self.longest_line:
            return True
        return any(end - start <= self.longest_line for start, end in lines(text))

    def matches(self, text: str) -> Iterator[regex.Match]:
        if self.spec.at == "anywhere":
            yield from self.search(text)
            return
        for start, end in lines(text):
            if self.longest_line is None or end - start <= self.longest_line:
                yield from self.search(text, start, end, anchored=True)


class PositionRule(_RegexRule):
    spec: ClassVar[PositionSpec]

    @classmethod
    def prepare(cls, where: str) -> None:
        if cls.spec.position == "start":
            cls.pattern = _matcher_regex(cls.spec, where, lambda alt: rf"\A\s*(?:{alt})")
        else:  # searched backwards from the end, so the cost does not grow with the block
            cls.pattern = _matcher_regex(cls.spec, where, lambda alt: rf"(?:{alt})\s*\Z", regex.REVERSE)

    def check(self, doc: Document, ctx: DocContext) -> list[Finding]:
        """At most one finding, computed at once."""
        spec = self.spec
        blocks = _scope_blocks(doc, spec.scope)
        if not blocks:
            return []
        at_start = spec.position == "start"
        block = blocks[0] if at_start else blocks[-1]
        if self.roles is not None and block.role not in self.roles:
            return []
        text, offset = block.text, 0
        if spec.scope == "line":
            spans = list(lines(text))
            line_start, line_end = spans[0] if at_start else spans[-1]
            text, offset = text[line_start:line_end], line_start
        if spec.min_words is not None or spec.max_words is not None:
            count = len(ctx.words(block)) if offset == 0 and text is block.text else len(words(text))
            if (spec.min_words is not None and count < spec.min_words) or (
                spec.max_words is not None and count > spec.max_words
            ):
                return []
        window = (text[:_TAIL_WINDOW], 0) if at_start else (text, max(0, len(text) - _TAIL_WINDOW))
        match = self.first_match(*window)
        if match is None:
            return []
        matched = match.group().strip()
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        location = doc.locate_block(block, offset + start, offset + start + len(matched))
        return [self.finding(location, self.message(matched), text=matched)]


class ScriptRule(PackRule):
    spec: ClassVar[ScriptSpec]
    pattern: ClassVar[regex.Pattern]
    latin1_misses: ClassVar[bytes]  # the Latin-1 characters the pattern does not match

    @classmethod
    def prepare(cls, where: str) -> None:
        spec = cls.spec
        members = [rf"\p{{Script={name}}}" for name in spec.scripts]
        members += [rf"\p{{gc={name}}}" for name in spec.categories]
        members += [f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in spec.characters]
        allowed = "".join(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in spec.allow)
        char_class = f"[[{''.join(members)}]--[{allowed}]]" if allowed else f"[{''.join(members)}]"
        cls.pattern = _compile(f"{char_class}+", regex.VERSION1, where)
        cls.latin1_misses = bytes(i for i in range(256) if not cls.pattern.match(chr(i)))

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        # one scan of the whole document rules out nearly every document
        return self.findings(doc) if self.may_match(ctx, doc) else ()

    def findings(self, doc: Document) -> Iterator[Finding]:
        for block in self.blocks(doc):
            for match in self.pattern.finditer(block.text):
                found = match.group()
                codepoints = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
                yield self.finding(
                    doc.locate_block(block, *match.span()),
                    self.message(found),
                    text=found,
                    evidence={"codepoints": codepoints, "count": len(found)},
                )

    def may_match(self, ctx: DocContext, doc: Document) -> bool:
        """Whether some character of the document matches. Most documents are Latin-1: their bytes with every
        character the pattern misses deleted are then empty (one C-level pass); other text is searched."""
        latin1 = _latin1_text(ctx, doc)
        if latin1 is not None:
            return bool(latin1.translate(None, self.latin1_misses))
        return self.pattern.search(_joined_text(ctx, doc)) is not None


class MetricRule(PackRule):
    spec: ClassVar[MetricSpec]
    bounds: ClassVar[tuple[Callable[[Unit, int | None], float | None], ...]]  # cheapest first
    bounds_are_upper: ClassVar[bool]
    text_bounded: ClassVar[bool]  # a max-only rule on words or characters: short blocks cannot fire
    unit_key: ClassVar[tuple[str, str, frozenset[Role] | None]]  # of the unit of a body/summary/document scope

    @classmethod
    def prepare(cls, where: str) -> None:
        spec = cls.spec
        cls.bounds_are_upper = spec.min is None and spec.max is not None
        if cls.bounds_are_upper:
            cls.bounds = _UPPER_BOUNDS.get(spec.metric, ())
        elif spec.max is None and spec.min is not None:
            cls.bounds = _LOWER_BOUNDS.get(spec.metric, ())
        else:
            cls.bounds = ()
        cls.text_bounded = cls.bounds_are_upper and spec.metric in _MOST_OF_TEXT
        cls.unit_key = ("packs.unit", spec.scope, cls.roles)

    def check(self, doc: Document, ctx: DocContext) -> list[Finding]:
        """Computed at once (nothing here can run long): most documents return an empty list."""
        if self.spec.scope in ("body", "summary", "document"):  # one unit, shared by the rules of that scope
            unit = ctx.memo(self.unit_key, lambda: self.whole_unit(doc, ctx))
            value = self.out_of_bounds(unit)
            return [] if value is None else [self.report(doc, unit, value)]
        found = [(unit, self.out_of_bounds(unit)) for unit in self.units(doc, ctx)]
        return [self.report(doc, unit, value) for unit, value in found if value is not None]

    def out_of_bounds(self, unit: Unit) -> float | None:
        """The unit's value when it is outside the rule's bounds (the rule fires), else None."""
        spec = self.spec
        if spec.min_words is not None and len(unit.words) < spec.min_words:
            return None
        if self.bounds and self.cannot_fire(unit):
            return None
        value = unit.measure(spec.metric, spec.n)
        if value is None:
            return None
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            return value
        return None

    def report(self, doc: Document, unit: Unit, value: float) -> Finding:
        spec = self.spec
        shown = round(value, 3)
        message = self.message(
            unit.text(),
            value=shown,
            min=_bound(spec.min),
            max=_bound(spec.max),
            metric=spec.metric if spec.n is None else f"{spec.metric} (n={spec.n})",
        )
        evidence = {"metric": spec.metric, "value": shown, "min": spec.min, "max": spec.max}
        if spec.n is not None:
            evidence["n"] = spec.n
        return self.finding(unit.location(doc), message, text=unit.text()[:_SHOWN_MATCH], evidence=evidence)

    def cannot_fire(self, unit: Unit) -> bool:
        """A cheap bound proves the value within its one limit, so the metric need not be computed."""
        spec = self.spec
        upper = self.bounds_are_upper
        limit = spec.max if upper else spec.min
        for bound in self.bounds:
            value = bound(unit, spec.n)
            if value is not None and (value <= limit if upper else value >= limit):  # type: ignore[operator]
                return True
        return False

    def whole_unit(self, doc: Document, ctx: DocContext) -> Unit:
        blocks = self.blocks(doc)
        return Unit(blocks, list(chain.from_iterable(map(ctx.words, blocks))))

    def units(self, doc: Document, ctx: DocContext) -> list[Unit]:
        """The units of a headline, summary, paragraph or line scope."""
        blocks = self.blocks(doc)
        if self.spec.scope == "line":
            pieces = [_line_block(block, start, end) for block in blocks for start, end in lines(block.text)]
            return [Unit([piece], words(piece.text)) for piece in pieces]
        if self.text_bounded:  # skip the blocks that do not exceed `max` before building their units
            metric, limit = self.spec.metric, self.spec.max
            blocks = [b for b in blocks if _MOST_OF_TEXT[metric](b.text) > limit]  # type: ignore[operator]
            if metric == "words":  # the count itself is a look-up: only the blocks that fire get a unit
                blocks = [b for b in blocks if len(ctx.words(b)) > limit]  # type: ignore[operator]
        return [ctx.memo(("packs.unit", id(b)), lambda b=b: Unit([b], ctx.words(b))) for b in blocks]


def _line_block(block: Block, start: int, end: int) -> Block:
    return block.model_copy(
        update={"text": block.text[start:end], "start": block.start + start, "end": block.start + end}
    )


def _most_words(text: str) -> int:
    """The most word tokens `text` can hold: a word takes a character and is followed by a non-word one, in the
    lower-cased text, which only U+0130 (two characters lower-cased) makes longer."""
    return (len(text) + text.count("\u0130") + 1) // 2


_MOST_OF_TEXT: dict[str, Callable[[str], int]] = {"words": _most_words, "characters": len}


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# ---------------------------------------------------------------------------------------------------------------
# Metrics (definitions follow datatrove's Gopher, C4 and FineWeb filters; see the quality pack's descriptions)

GOPHER_STOP_WORDS = frozenset(["the", "be", "to", "of", "and", "that", "have", "with"])
_TERMINAL = (".", "!", "?", '"', "'", "”", "’", "»", "。", "！", "？", "」", "』")
_ELLIPSES = ("...", "…")
_SHORT_LINE = 30  # FineWeb's short_line_length
_NO_POSITIONS = np.zeros(0, dtype=np.int64)


class Unit:
    """Blocks measured together, with their words; measurements (and what several metrics share: lines, word
    hashes and lengths, duplicate counts) are computed once per unit, whichever rule asks first."""

    __slots__ = (
        "_cache",
        "_characters",
        "_hashes",
        "_keys",
        "_lengths",
        "_lines",
        "_masses",
        "_no_repeat_from",
        "_parts",
        "_repeats",
        "_text",
        "blocks",
        "words",
    )

    def __init__(self, blocks: list[Block], unit_words: list[str]) -> None:
        self.blocks = blocks
        self.words = unit_words
        self._cache: dict[tuple[str, int | None], float | None] = {}
        self._parts: dict[Any, Any] = {}
        self._text: str | None = None
        self._characters: int | None = None
        self._lines: list[str] | None = None
        self._hashes: np.ndarray | None = None
        self._lengths: np.ndarray | None = None
        self._masses: tuple[np.ndarray, int] | None = None
        self._keys: dict[int, np.ndarray] = {}
        self._repeats: dict[int, np.ndarray] = {}
        self._no_repeat_from = len(unit_words) + 1  # no n-gram longer than the text repeats

    def text(self) -> str:
        if self._text is None:
            self._text = "\n\n".join(b.text for b in self.blocks)
        return self._text

    def location(self, doc: Document) -> Location:
        if not self.blocks:
            return doc.locate_block(doc.headline) if doc.headline is not None else doc.start_location()
        if len(self.blocks) == 1:
            return doc.locate_block(self.blocks[0])
        return doc.locate_block(self.blocks[0], 0, 0)

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = [line for block in self.blocks for line in _split_lines(block.text)]
        return self._lines

    def characters(self) -> int:
        if self._characters is None:
            self._characters = sum(len(b.text) for b in self.blocks)
        return self._characters

    def shared(self, key: Any, compute: Callable[[Unit], Any]) -> Any:
        """`compute(self)` once per unit: a part that several metrics use."""
        if key not in self._parts:
            self._parts[key] = compute(self)
        return self._parts[key]

    def word_hashes(self) -> np.ndarray:
        """Each word's string hash, by position: equal words have equal hashes; no Python-level loop."""
        if self._hashes is None:
            self._hashes = np.fromiter(map(hash, self.words), np.int64, len(self.words)).astype(np.uint64)
        return self._hashes

    def word_lengths(self) -> np.ndarray:
        if self._lengths is None:
            self._lengths = np.fromiter(map(len, self.words), np.int64, len(self.words))
        return self._lengths

    def word_masses(self) -> tuple[np.ndarray, int]:
        """(count x length of each distinct word, in ascending order; the largest count)."""
        if self._masses is None:
            _, first, counts = np.unique(self.word_hashes(), return_index=True, return_counts=True)
            self._masses = np.sort(self.word_lengths()[first] * counts), int(counts.max(initial=0))
        return self._masses

    def repeated_ngrams(self, n: int) -> np.ndarray:
        """Positions of all but one occurrence of each repeated word n-gram (empty when none repeats; a repeated
        n-gram implies a repeated shorter one, so n above one found without repeats is answered at once)."""
        if n >= self._no_repeat_from:
            return _NO_POSITIONS
        if n not in self._repeats:
            keys = self.ngram_keys(n)
            ordered = np.sort(keys)
            if not (ordered[1:] == ordered[:-1]).any():  # the common case: a sort, no positions to find
                self._repeats[n] = _NO_POSITIONS
                self._no_repeat_from = n
                return _NO_POSITIONS
            # k equal n-grams give k - 1 positions; which ones does not matter (equal n-grams, equal lengths)
            order = np.argsort(keys)
            ordered = keys[order]
            self._repeats[n] = order[1:][ordered[1:] == ordered[:-1]]
        return self._repeats[n]

    def ngram_keys(self, n: int) -> np.ndarray:
        if n not in self._keys:
            self._keys[n] = _ngram_keys(self, n)
        return self._keys[n]

    def measure(self, metric: str, n: int | None) -> float | None:
        key = (metric, n)
        if key not in self._cache:
            self._cache[key] = _METRICS[metric](self, n)
        return self._cache[key]


def _split_lines(text: str) -> list[str]:
    if "\r" not in text:
        return text.split("\n")
    return [text[start:end] for start, end in lines(text)]


def _share(count: float, total: int) -> float | None:
    return count / total if total else None


def _duplicates(items: list[str]) -> tuple[int, int]:
    """(duplicate items, their characters): every repeat after the first occurrence counts (Gopher)."""
    if len(set(items)) == len(items):
        return 0, 0
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


def _duplicate_lines(unit: Unit) -> tuple[int, int]:
    return unit.shared("duplicate-lines", lambda u: _duplicates(u.lines()))


def _duplicate_blocks(unit: Unit) -> tuple[int, int]:
    return unit.shared("duplicate-blocks", lambda u: _duplicates([b.text for b in u.blocks]))


_KEY_BASE = 1_000_003


def _ngram_keys(unit: Unit, n: int) -> np.ndarray:
    """A 64-bit key per n-gram position: the polynomial sum of hash(word i) x BASE^(n-1-i), modulo 2**64
    (collisions are negligible). Built from the (cached) keys of two shorter n-grams, k + (n - k) words, as
    key(n-gram) = key(first k words) x BASE^(n-k) + key(last n - k words): the same numbers, fewer array passes."""
    if n == 1:
        return unit.word_hashes()
    first = n // 2 if n % 2 == 0 else n - 1  # 5 = 4 + 1, 4 = 2 + 2, 10 = 5 + 5, ...
    count = len(unit.words) - n + 1
    head, tail = unit.ngram_keys(first), unit.ngram_keys(n - first)
    return head[:count] * np.uint64(pow(_KEY_BASE, n - first, 1 << 64)) + tail[first : first + count]


def _ngram_chars(unit: Unit, n: int) -> np.ndarray:
    """Characters of the n-gram at each position, written with single spaces as Gopher measures it."""
    cumulative = np.concatenate(([0], np.cumsum(unit.word_lengths())))
    return cumulative[n:] - cumulative[:-n] + (n - 1)


_BUCKETS = 1024  # a power of two, far above the n of any n-gram metric
_MAX_N = 20  # the largest n of an n-gram metric (MetricSpec.n)


def _bucket_totals(unit: Unit) -> tuple[list[int], int]:
    """Words put in buckets by hash: (the largest bucket totals of length, ascending, as many as the largest n of
    an n-gram metric; the largest bucket count)."""
    buckets = (unit.word_hashes() & np.uint64(_BUCKETS - 1)).astype(np.intp)
    totals = np.bincount(buckets, weights=unit.word_lengths(), minlength=_BUCKETS)  # exact: sums of small ints
    largest = np.sort(totals)[-_MAX_N:].astype(np.int64).tolist()
    return largest, int(np.bincount(buckets).max())


def _top_ngram_bucket_bound(unit: Unit, n: int | None) -> float | None:
    """A looser bound than `_top_ngram_bound` that needs no counting of distinct words: a bucket's total length
    (count x length summed over its words) is at least the mass of each word in it, so the n largest bucket
    totals are at least the n largest masses, and the largest bucket count is at least the largest word count."""
    assert n is not None
    if not unit.words:
        return None
    totals, largest_count = unit.shared("bucket-totals", _bucket_totals)
    return _share(sum(totals[-n:]) + (n - 1) * largest_count, unit.characters())


def _top_ngram_bound(unit: Unit, n: int | None) -> float | None:
    """An upper bound of `top-ngram-char-share` from word counts alone: an n-gram seen c times uses c copies of
    each of its words, so c x its length <= the n largest word "masses" (count x length) + (n - 1) x c."""
    assert n is not None
    masses, most_frequent = unit.word_masses()
    if not len(masses):
        return None
    return _share(int(masses[-n:].sum()) + (n - 1) * most_frequent, unit.characters())


def _top_ngram_char_share(unit: Unit, n: int | None) -> float | None:
    """Gopher's top n-gram character fraction; among equally frequent n-grams the longest counts."""
    assert n is not None
    if len(unit.words) < n:
        return None
    _, inverse, counts = np.unique(unit.ngram_keys(n), return_inverse=True, return_counts=True)
    best = int(counts.max())
    longest = int(_ngram_chars(unit, n)[counts[inverse] == best].max())
    return _share(best * longest, unit.characters())


def _duplicate_ngram_char_share(unit: Unit, n: int | None) -> float | None:
    """Gopher's duplicate n-gram character fraction: walk the n-grams; one seen before adds its characters and
    the walk jumps past it."""
    assert n is not None
    if len(unit.words) < n:
        return None
    if not len(unit.repeated_ngrams(n)):
        return 0.0
    keys = unit.ngram_keys(n)
    chars = _ngram_chars(unit, n).tolist()
    seen: set[int] = set()
    repeated = index = 0
    key_list = keys.tolist()
    while index < len(key_list):
        if key_list[index] in seen:
            repeated += chars[index]
            index += n
        else:
            seen.add(key_list[index])
            index += 1
    return _share(repeated, unit.characters())


def _duplicate_ngram_bound(unit: Unit, n: int | None) -> float | None:
    """An upper bound of `duplicate-ngram-char-share`: the walk only counts n-grams seen before, so at most the
    characters of all but one occurrence of each repeated n-gram."""
    assert n is not None
    if len(unit.words) < n:
        return None
    later = unit.repeated_ngrams(n)
    return _share(int(_ngram_chars(unit, n)[later].sum()) if len(later) else 0, unit.characters())


_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LETTERS = _ASCII_UPPER + _ASCII_UPPER.lower()


def _uppercase_share(unit: Unit, n: int | None) -> float | None:
    text = unit.text()
    if text.isascii():  # upper case letters are A-Z, letters A-Z and a-z: counted by deleting them
        data = text.encode("ascii")
        upper = len(data) - len(data.translate(None, _ASCII_UPPER))
        return _share(upper, len(data) - len(data.translate(None, _ASCII_LETTERS)))
    return _share(sum(map(str.isupper, text)), sum(map(str.isalpha, text)))


def _mean_word_length(unit: Unit, n: int | None) -> float | None:
    return _share(int(unit.word_lengths().sum()), len(unit.words))


def _alpha_word_share(unit: Unit, n: int | None) -> float | None:
    without_letters = sum(1 for w in filterfalse(str.isalpha, unit.words) if not any(map(str.isalpha, w)))
    return _share(len(unit.words) - without_letters, len(unit.words))


# Bytes of the UTF-8 text that may belong to a word that is not all letters: ASCII digits, underscore and
# apostrophe, and every byte of a non-ASCII character (a non-ASCII digit, a curly apostrophe, ...).
_NOT_ALL_LETTERS_BYTES = b"0123456789_'" + bytes(range(0x80, 0x100))


def _alpha_text_bound(unit: Unit, n: int | None) -> float | None:
    """A lower bound of the all-letter word share (so of `alpha-word-share`) from the text, not the words: a word
    that is not all letters holds a digit, an underscore or an apostrophe (ASCII or not) or another non-ASCII
    character, no two words hold the same one, and lower-casing (which the tokeniser does) makes none of them."""
    if not unit.words:
        return None
    encoded = unit.text().encode("utf-8", "surrogatepass")
    suspects = len(encoded) - len(encoded.translate(None, _NOT_ALL_LETTERS_BYTES))
    return _share(len(unit.words) - suspects, len(unit.words))


_STOP_WORD_PREFIX = 25  # news has two stop words among its first few; if not, the full count is taken


def _stop_word_prefix_bound(unit: Unit, n: int | None) -> float | None:
    """A lower bound of `stop-word-count`: the stop words among the first words."""
    return sum(map(GOPHER_STOP_WORDS.__contains__, unit.words[:_STOP_WORD_PREFIX]))


def _bullet_line_share(unit: Unit, n: int | None) -> float | None:
    bullets = sum(1 for b in unit.blocks if b.role is Role.BULLET)
    return _share(bullets, len(unit.lines()))


def _text_count(unit: Unit, needles: tuple[str, ...]) -> int:
    """Occurrences of the needles in the blocks (counted in the joined text: no needle spans a blank line)."""
    return unit.shared(("count", needles), lambda u: sum(u.text().count(needle) for needle in needles))


def _line_share(unit: Unit, ends: tuple[str, ...]) -> float | None:
    """The share of lines ending (trailing spaces aside) with one of `ends`."""
    return _share(sum(map(methodcaller("endswith", ends), map(str.rstrip, unit.lines()))), len(unit.lines()))


_METRICS: dict[str, Callable[[Unit, int | None], float | None]] = {
    "words": lambda u, n: len(u.words),
    "characters": lambda u, n: u.characters(),
    "sentences": lambda u, n: sum(len(sentences(b.text)) for b in u.blocks),
    "blocks": lambda u, n: len(u.blocks),
    "lines": lambda u, n: len(u.lines()),
    "uppercase-share": _uppercase_share,
    "mean-word-length": _mean_word_length,
    "max-word-length": lambda u, n: int(u.word_lengths().max(initial=0)),
    "hash-word-ratio": lambda u, n: _share(_text_count(u, ("#",)), len(u.words)),
    "ellipsis-word-ratio": lambda u, n: _share(_text_count(u, _ELLIPSES), len(u.words)),
    "ellipsis-line-share": lambda u, n: _line_share(u, _ELLIPSES),
    "bullet-line-share": _bullet_line_share,
    "alpha-word-share": _alpha_word_share,
    "stop-word-count": lambda u, n: sum(map(GOPHER_STOP_WORDS.__contains__, u.words)),
    "terminal-punctuation-line-share": lambda u, n: _line_share(u, _TERMINAL),
    "short-line-share": lambda u, n: _share(sum(map(_SHORT_LINE.__ge__, map(len, u.lines()))), len(u.lines())),
    "duplicate-line-share": lambda u, n: _share(_duplicate_lines(u)[0], len(u.lines())),
    "duplicate-line-char-share": lambda u, n: _share(_duplicate_lines(u)[1], u.characters()),
    "duplicate-block-share": lambda u, n: _share(_duplicate_blocks(u)[0], len(u.blocks)),
    "duplicate-block-char-share": lambda u, n: _share(_duplicate_blocks(u)[1], u.characters()),
    "top-ngram-char-share": _top_ngram_char_share,
    "duplicate-ngram-char-share": _duplicate_ngram_char_share,
}
# Cheap bounds, cheapest first: a `max`-only rule with an upper bound within `max` (a `min`-only rule with a lower
# bound reaching `min`) cannot fire, so the metric is not computed.
_UPPER_BOUNDS: dict[str, tuple[Callable[[Unit, int | None], float | None], ...]] = {
    "top-ngram-char-share": (_top_ngram_bucket_bound, _top_ngram_bound),
    "duplicate-ngram-char-share": (_duplicate_ngram_bound,),
    # a line ending with an ellipsis holds one, and no ellipsis spans two lines
    "ellipsis-line-share": (lambda u, n: _share(_text_count(u, _ELLIPSES), len(u.lines())),),
}
_LOWER_BOUNDS: dict[str, tuple[Callable[[Unit, int | None], float | None], ...]] = {
    "alpha-word-share": (
        _alpha_text_bound,
        lambda u, n: _share(sum(map(str.isalpha, u.words)), len(u.words)),  # all-letter words
    ),
    "stop-word-count": (_stop_word_prefix_bound,),
}
assert set(_METRICS) == set(MetricName.__args__), "every metric name needs a definition"  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------------------------------------------
# Loading packs

_RULE_CLASSES: dict[str, type[PackRule]] = {
    "existence": ExistenceRule,
    "position": PositionRule,
    "script": ScriptRule,
    "metric": MetricRule,
}
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def rule_name(stem: str) -> str:
    """The kebab-case rule name of a rule file: `ReadMore.yml` -> read-more, `html_tag.yml` -> html-tag."""
    return re.sub(r"[-_\s]+", "-", _CAMEL_RE.sub("-", stem)).strip("-").lower()


def builtin_packs_dir() -> Path:
    """`rules/` inside the installed package (wheel), or the repository's top-level `rules/` (source/editable)."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "rules"
    return shipped if shipped.is_dir() else package.parents[1] / "rules"


def _pack_dirs(root: Path) -> list[Path]:
    """`root` itself when it is a pack, else its sub-folders that are packs."""
    if (root / PACK_FILE).is_file():
        return [root]
    if not root.is_dir():
        raise ConfigError(f"rule path {root}: not a folder")
    packs = sorted(p for p in root.iterdir() if (p / PACK_FILE).is_file())
    if not packs:
        raise ConfigError(f"rule path {root}: no pack found (a pack is a folder with a {PACK_FILE})")
    return packs


def load_pack(folder: Path, origin: str) -> list[type[PackRule]]:
    """The rule classes of the pack in `folder`."""
    pack = _validate(PackSpec, _read_yaml(folder / PACK_FILE), folder / PACK_FILE)
    rules: list[type[PackRule]] = []
    numbers: dict[int, Path] = {}
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        if path.name == PACK_FILE:
            continue
        spec = _load_spec(path)
        if spec.number in numbers:
            raise ConfigError(f"{path}: number {spec.number} is already used by {numbers[spec.number]}")
        numbers[spec.number] = path
        rules.append(_rule_class(spec, pack, folder.name, path, origin))
    return rules


def _rule_class(spec: RuleSpec, pack: PackSpec, pack_name: str, path: Path, origin: str) -> type[PackRule]:
    code = f"{pack.prefix}{spec.number:03d}"
    name = rule_name(path.stem)
    if not CODE_RE.match(code) or not NAME_RE.match(name):
        raise ConfigError(f"{path}: cannot make a rule code/name from it ({code!r}, {name!r})")
    base = _RULE_CLASSES[spec.extends]  # type: ignore[attr-defined]
    cls = type(
        "".join(part.title() for part in name.split("-")),
        (base,),
        {
            "__doc__": _summary(spec.description),
            "__module__": __name__,
            "code": code,
            "name": name,
            "severity": spec.severity,
            "origin": origin,
            "spec": spec,
            "source": path,
            "pack": pack_name,
            "roles": frozenset(Role(r) for r in spec.roles) if spec.roles is not None else None,
        },
    )
    cls.prepare(str(path))
    return cls


@functools.cache
def _load_root(root: str, builtin: bool) -> tuple[type[PackRule], ...]:
    rules: list[type[PackRule]] = []
    for folder in _pack_dirs(Path(root)):
        origin = f"pack {folder.name}" if builtin else f"pack {folder.name} ({folder})"
        rules.extend(load_pack(folder, origin))
    return tuple(rules)


def pack_rules(settings: Settings) -> list[type[Rule]]:
    """The built-in packs and the packs under `settings.rule_paths` (the registry's extra rule source)."""
    rules: list[type[Rule]] = list(_load_root(str(builtin_packs_dir()), True))
    for path in settings.rule_paths:
        rules.extend(_load_root(str(Path(path).resolve()), False))
    return rules


def example_documents(rule: type[PackRule]) -> Iterable[tuple[bool, Document]]:
    """(should fire, document) for each of the rule's examples, parsed like a `.txt` file."""
    for should_fire, texts in ((True, rule.spec.examples.bad), (False, rule.spec.examples.good)):
        for index, text in enumerate(texts, 1):
            yield should_fire, parse_text_document(text, f"{rule.name}-{'bad' if should_fire else 'good'}{index}.txt")
