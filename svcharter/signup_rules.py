"""The rules an application's answers must pass, exported as data for the form on /sign-up/.

The browser must refuse exactly what `check` refuses, in the same words, so
nothing here restates a rule: limits, choices and patterns come from
fields.py, the words from field_messages.py, the font's coverage from the
badge font itself. Each answer gets an ordered list of generic rules
(`pattern`, `max_length`, `characters`), in the order models.py applies
them, so the first message the form shows is the one `check` would print.

Python's regular expressions and JavaScript's differ in a few places, so
each pattern is rewritten for JavaScript's `u` flag here, once: `\\s` becomes
the characters Python counts as whitespace, and escapes JavaScript refuses
(such as `\\"`) lose their backslash.
"""

from __future__ import annotations

from . import field_messages as say
from . import textpath
from .application import CONTACT_KEYS as APPLICATION_CONTACT_KEYS
from .application import DECLARATION, DECLARATION_YES, KEYS, LIST_KEYS
from .fields import (
    CONTACT_KEYS,
    CONTACT_MESSAGES,
    CONTACT_PATTERNS,
    FIELD_RULES,
    FIELDS_BY_NAME,
    IDENTIFIER_PATTERN,
    TEXT_RULES,
)

JS_SYNTAX = frozenset("^$\\.*+?()[]{}|/-")
"""Characters JavaScript lets a backslash escape under the `u` flag (besides letters and digits)."""
WEB_ADDRESS_START = r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]"
"""What urlsplit accepts in models.py: an http or https scheme (any case) and a non-empty host part."""


def _ranges(points: list[int]) -> list[list[int]]:
    """Sorted code points as inclusive [first, last] runs."""
    runs: list[list[int]] = []
    for point in points:
        if runs and runs[-1][1] == point - 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return runs


def _escape_runs(runs: list[list[int]]) -> str:
    def one(point: int) -> str:
        return f"\\u{point:04x}" if point < 0x10000 else f"\\u{{{point:x}}}"
    return "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in runs)


WHITESPACE_CLASS = _escape_runs(_ranges([c for c in range(0x10000) if chr(c).isspace()]))
"""The inside of a JavaScript character class holding exactly what Python's str.split() splits on
(all of it in the Basic Multilingual Plane). A fact of this Python's Unicode tables, so worked out once."""


def whitespace_class() -> str:
    return WHITESPACE_CLASS


def js_pattern(pattern: str) -> str:
    """A Python pattern rewritten to mean the same to JavaScript with the `u` flag."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped == "s":
                out.append(whitespace_class() if in_class else f"[{whitespace_class()}]")
            elif escaped.isalnum() or escaped in JS_SYNTAX:
                out.append(char + escaped)
            else:
                out.append(escaped)
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def _pattern(pattern: str, must_match: bool, message: str) -> dict[str, object]:
    return {"rule": "pattern", "pattern": js_pattern(pattern), "match": must_match, "message": message}


def shared_text_rules(key: str) -> list[dict[str, object]]:
    """The rules every piece of text must pass before its length is checked (fields.TEXT_RULES, whose
    messages name the character found), then the field's own (fields.FIELD_RULES)."""
    rules = [_pattern(rule.pattern, False, say.FOUND.replace("{message}", rule.message)) for rule in TEXT_RULES]
    return rules + [_pattern(rule.pattern, not rule.refuse, rule.message) for rule in FIELD_RULES.get(key, ())]


def _text_rules(key: str, limit: int | None) -> list[dict[str, object]]:
    """What models._text checks for every piece of text, in its order."""
    rules = shared_text_rules(key)
    if limit is not None:
        rules.append({"rule": "max_length", "limit": limit, "message": say.TOO_LONG})
    return rules


def font_ranges() -> list[list[int]]:
    """Code points both badge fonts can draw (a space is always allowed)."""
    fonts = (textpath.regular(), textpath.bold())
    return _ranges(sorted(set(fonts[0].cmap).intersection(*(f.cmap for f in fonts[1:]))))


def _record_rules(key: str) -> dict[str, object]:
    spec = FIELDS_BY_NAME[key]
    answer: dict[str, object] = {"required": spec.required, "list": key in LIST_KEYS}
    if spec.required:
        answer["missing"] = say.MISSING.format(name=spec.name, help=spec.help)
    if spec.kind in ("choice", "choices", "measures"):
        answer["rules"] = []
        return answer
    rules = _text_rules(key, spec.max_length)
    if spec.kind == "url":
        rules += [_pattern(WEB_ADDRESS_START, True, say.NOT_A_WEB_ADDRESS),
                  _pattern(say.WEB_ADDRESS_FORBIDDEN, False, say.NOT_WEB_ADDRESS_CHARACTERS)]
    elif spec.kind == "identifier":
        rules.append(_pattern(IDENTIFIER_PATTERN, True, "{value!r} " + say.NOT_AN_IDENTIFIER))
    if key == "name":
        rules.append({"rule": "characters", "ranges": font_ranges(), "message": say.GLYPHS})
    answer["rules"] = rules
    return answer


def _contact_rules(key: str) -> dict[str, object]:
    short = key.removeprefix("contact.")
    rules = _text_rules(short, CONTACT_KEYS.get(short))
    if short in CONTACT_PATTERNS:
        rules.append(_pattern(CONTACT_PATTERNS[short], True, CONTACT_MESSAGES[short]))
    return {"required": False, "list": False, "rules": rules}


def answer_rules() -> dict[str, dict[str, object]]:
    """Every answer of an application, in order, with the rules `check` applies to it."""
    rules: dict[str, dict[str, object]] = {}
    for key in KEYS:
        if key in APPLICATION_CONTACT_KEYS:
            rules[key] = _contact_rules(key)
        elif key == DECLARATION:
            rules[key] = {"required": True, "list": False, "missing": say.NOT_DECLARED, "value": DECLARATION_YES,
                          "rules": []}
        else:
            rules[key] = _record_rules(key)
    return rules
