"""One table of rules: built-in families, third-party plugins (entry-point group `corpuslint.rules`) and
YAML rule packs; plus selection (`select`/`ignore`) and per-rule options and severities from the settings."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Any

from pydantic import ValidationError

from corpuslint.checks import duplicates, figures, headlines, inputs, languages
from corpuslint.checks.packs import pack_rules
from corpuslint.config import ConfigError, Settings
from corpuslint.model import Severity
from corpuslint.rule import CODE_RE, NAME_RE, CorpusRule, DocumentRule, Rule

ENTRY_POINT_GROUP = "corpuslint.rules"
BUILTIN_FAMILIES = (inputs, duplicates, languages, headlines, figures)

# Extra rule sources (e.g. YAML packs) register a loader here: settings -> rule classes.
RuleSource = Callable[[Settings], Iterable[type[Rule]]]
EXTRA_SOURCES: list[RuleSource] = [pack_rules]


def builtin_rules() -> list[type[Rule]]:
    return [rule for family in BUILTIN_FAMILIES for rule in family.RULES]


@functools.cache
def plugin_rules() -> tuple[type[Rule], ...]:
    """Rules from installed packages: an entry point may name a Rule class, a list of them, or a function
    returning a list."""
    found: list[type[Rule]] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the linter
            raise ConfigError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
        if callable(obj) and not isinstance(obj, type):
            obj = obj()
        for rule in obj if isinstance(obj, list | tuple) else [obj]:
            if not (isinstance(rule, type) and issubclass(rule, Rule)):
                raise ConfigError(f"plugin {ep.name!r} ({ep.value}) provides {rule!r}, not a corpuslint Rule")
            if rule.origin == "built-in":
                rule.origin = f"plugin {ep.name}"
            found.append(rule)
    return tuple(found)


def all_rules(settings: Settings) -> list[type[Rule]]:
    """Every known rule, checked for unique, well-formed codes and names."""
    rules = [*builtin_rules(), *plugin_rules()]
    for source in EXTRA_SOURCES:
        rules.extend(source(settings))
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        if not CODE_RE.match(rule.code) or not NAME_RE.match(rule.name):
            raise ConfigError(f"rule {rule.code!r} / {rule.name!r} ({rule.origin}): bad code or name")
        for key in (rule.code, rule.name):
            if key in seen and seen[key] is not rule:
                raise ConfigError(f"rule {key!r} is defined twice ({seen[key].origin} and {rule.origin})")
            seen[key] = rule
    return sorted(rules, key=lambda r: (r.code.rstrip("0123456789"), r.code))


def matches(code: str, name: str, selector: str) -> bool:
    """Does `selector` pick the rule? `ALL`, a family or code prefix (`DUP`, `DUP00`), a code, or a rule name."""
    return selector == "ALL" or code.startswith(selector) or name == selector


def _check_selectors(selectors: Iterable[str], rules: list[type[Rule]], where: str) -> None:
    for selector in selectors:
        if not any(matches(rule.code, rule.name, selector) for rule in rules):
            raise ConfigError(f"{where}: unknown rule selector {selector!r} (see `corpuslint rules`)")


def specificity(selector: str) -> int:
    """How specific a selector is: names and full codes beat prefixes, longer prefixes beat shorter."""
    return 100 if not selector.isupper() or CODE_RE.match(selector) else len(selector)


class RuleSet:
    """The enabled rules, instantiated once per process with their options."""

    def __init__(self, settings: Settings) -> None:
        known = all_rules(settings)
        where = settings.source or "settings"
        _check_selectors([*settings.select, *settings.extend_select, *settings.ignore], known, where)
        _check_selectors(settings.severity, known, f"{where}: severity")
        for selectors in settings.per_path_ignores.values():
            _check_selectors(selectors, known, f"{where}: per-path-ignores")
        _check_selectors(settings.rule_options, known, f"{where}: rule-options")
        self.known = known
        self.settings = settings  # reporters that re-read documents (html) need the field map and size limit
        self.severities = settings.severity
        enabled = [
            rule
            for rule in known
            if any(matches(rule.code, rule.name, s) for s in [*settings.select, *settings.extend_select])
            and not any(matches(rule.code, rule.name, s) for s in settings.ignore)
        ]
        self.rules = [rule(_options(rule, settings.rule_options, where)) for rule in enabled]
        self.document_rules = [r for r in self.rules if isinstance(r, DocumentRule)]
        self.corpus_rules = [r for r in self.rules if isinstance(r, CorpusRule)]
        self.input_rules = {r.kind: r for r in self.rules if isinstance(r, inputs.InputRule)}
        self.rule_failed = inputs.RuleFailed()
        self.rule_timeout = inputs.RuleTimeout()
        self.findings_limit = inputs.FindingsLimit()

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        best = max((s for s in self.severities if matches(code, name, s)), key=specificity, default=None)
        return self.severities[best] if best is not None else default


def _options(rule: type[Rule], table: dict[str, dict[str, Any]], where: str) -> Any:
    merged: dict[str, Any] = {}
    for key in (rule.code, rule.name):
        merged.update(table.get(key, {}))
    try:
        return rule.Options.model_validate({k.replace("-", "_"): v for k, v in merged.items()})
    except ValidationError as exc:
        problems = "; ".join(f"`{'.'.join(map(str, e['loc']))}`: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{where}: rule-options for {rule.code} ({rule.name}): {problems}") from exc


def find_rule(key: str, settings: Settings) -> type[Rule] | None:
    for rule in all_rules(settings):
        if key in (rule.code, rule.name):
            return rule
    return None
