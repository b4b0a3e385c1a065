"""Text that deceives: the shared text rules applied, and names that look like one another.

The register is public and a badge names its holder, so a name must read as
what it is. Characters that draw nothing or reorder text are refused by the
rules in fields.py; two names that differ only by such tricks as a Cyrillic
'а' for a Latin 'a' are not wrong in themselves (a real organisation may
share a name with another), so they are reported as warnings for a person
to look at.
"""

from __future__ import annotations

import re
import unicodedata

from yaml.nodes import ScalarNode

from . import field_messages as say
from .errors import DataError
from .fields import FIELD_RULES, TEXT_RULES, TextRule
from .load import Position

_COMPILED: tuple[tuple[TextRule, re.Pattern[str]], ...] = tuple((rule, re.compile(rule.pattern)) for rule in TEXT_RULES)
_ANY = re.compile("|".join(rule.pattern for rule in TEXT_RULES))
"""Every character rule at once: most text breaks none, and one search costs a fifth of five."""
_FIELD_COMPILED = {name: tuple((rule, re.compile(rule.pattern)) for rule in rules) for name, rules in FIELD_RULES.items()}


def code_point(char: str) -> str:
    """How a message names a character it must not print: U+200B."""
    return f"U+{ord(char):04X}"


def text_problem(field: str, value: str) -> str | None:
    """The message for the first text rule `value` breaks, or None.

    A character rule names the character it found by its code point, because printing an invisible or
    direction-changing character would hide it again (or let it rearrange the message).
    """
    for rule, pattern in _COMPILED if _ANY.search(value) else ():
        found = pattern.search(value)
        if found:
            return say.FOUND.format(message=rule.message, found=code_point(found.group()))
    for rule, pattern in _FIELD_COMPILED.get(field, ()):
        if bool(pattern.search(value)) == rule.refuse:
            return rule.message
    return None


CONFUSABLES = str.maketrans({
    # Cyrillic lower case (upper case is folded to these first)
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "н": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "с": "c", "ѕ": "s", "т": "t", "у": "y", "ү": "y",
    "ѵ": "v", "ԝ": "w", "х": "x", "ԁ": "d",
    # Greek lower case
    "α": "a", "β": "b", "ϲ": "c", "ε": "e", "η": "h", "ι": "i", "ϳ": "j", "κ": "k", "μ": "m", "ν": "n",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "y", "χ": "x", "ζ": "z",
})
"""Cyrillic and Greek letters that look like a Latin letter in the fonts people read the register in.

It covers the letters of those two scripts whose capital or small form is drawn like a Latin letter (А В Е Н
І Ј К М О Р С Ѕ Т Х У and Α Β Ε Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ Ζ, and small а е о р с у х and the like). Because names
are case-folded before they are compared, each maps from its small form, to the Latin letter its capital
resembles where the two differ (Greek ν to n, for Ν). It is not Unicode's full confusables list: digits,
punctuation and other scripts are left out, and NFKC already folds full-width and mathematical letters.
"""


def folded(name: str) -> str:
    """The name as compared for equality: NFKC, case-folded, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def skeleton(name: str) -> str:
    """The name as compared for looks: folded, then Cyrillic and Greek look-alikes read as Latin letters."""
    return folded(folded(name).translate(CONFUSABLES))


def similar_names(file: str, named: list[tuple[str, ScalarNode]]) -> list[DataError]:
    """A warning on each name that equals or looks like an earlier record's, in one pass over the register.

    Each name is reduced to two keys (folded, and its look-alike skeleton) and looked up in a dictionary
    of the names seen before it, so a register of any size costs one pass.
    """
    seen_same: dict[str, tuple[str, int]] = {}
    seen_like: dict[str, tuple[str, int]] = {}
    warnings = []
    for record_id, node in named:
        line = node.start_mark.line + 1
        same, like = folded(node.value), skeleton(node.value)
        message = _likeness(seen_same.get(same), seen_like.get(like))
        seen_same.setdefault(same, (record_id, line))
        seen_like.setdefault(like, (record_id, line))
        if message:
            position = Position.of(file, node)
            warnings.append(DataError(file, position.line, position.column, record_id, "name", message, "warning"))
    return warnings


def _likeness(same: tuple[str, int] | None, like: tuple[str, int] | None) -> str | None:
    if same:
        return f"is the same as the name of '{same[0]}' (line {same[1]}): check they are different organisations"
    if like:
        return (f"looks like the name of '{like[0]}' (line {like[1]}) but is spelt with different characters "
                "(such as a Cyrillic or Greek letter for a Latin one): check it is typed in plain letters")
    return None
