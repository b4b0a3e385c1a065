"""The application block: how a sign-up travels from the form on the site to `add --application`.

The form on /sign-up/ writes an application as a block of `key: value` lines
between two marker lines, and the applicant sends it by email. The charter
team pastes the email into `python build.py add --application -`. The block
has to survive what mail programs do to text, so the parser:

- ignores everything outside the markers (greetings, signatures, replies);
- strips `>` quoting, however deep;
- joins a line that does not start with a known key onto the value before it,
  because mail programs re-wrap long lines (the writer wraps at 72 columns
  itself, with continuation lines indented, so most never do);
- ignores blank lines and lines that start with `#` in their first column
  (hints in the plain-text template that people without JavaScript download
  and fill in; the writer indents continuation lines, so a value's own `#`
  is never taken for a hint).

Whitespace inside a value is collapsed to single spaces on both sides, so a
value reads back exactly as the form showed it on "Check your answers".
The browser writes the same format (site_templates/assets/signup.js); a test
checks the two agree.
"""

from __future__ import annotations

import difflib
import re
import textwrap
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .errors import DataError, InvalidData

BEGIN = "----- BEGIN SOCIAL VALUE CHARTER APPLICATION -----"
END = "----- END SOCIAL VALUE CHARTER APPLICATION -----"
WIDTH = 72
"""Lines are wrapped here, under the 78 columns mail programs keep."""

RECORD_KEYS = ("name", "sector", "size", "activities", "website", "identifier", "location", "commitments",
               "statement")
"""Answers that become the public record, in the order the form asks them."""
LIST_KEYS = frozenset({"activities", "commitments"})
"""Answers that hold several ids, written comma-separated."""
CONTACT_KEYS = ("contact.name", "contact.role", "contact.email", "contact.phone")
"""Private answers: they go to the contacts file, never to signatories.yaml."""
DECLARATION = "authorised"
"""The applicant's declaration that they may sign for the organisation; its only accepted value."""
DECLARATION_YES = "yes"
KEYS = (*RECORD_KEYS, *CONTACT_KEYS, DECLARATION)

_QUOTING = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_KEY_LINE = re.compile(r"^([a-z]+(?:\.[a-z]+)?):(?:[ \t]+(.*))?$")


@dataclass(frozen=True)
class Application:
    """A parsed block: each answer with the line of the pasted text it started on."""

    answers: dict[str, str | tuple[str, ...]]
    lines: dict[str, int]
    source: str

    def record(self) -> dict[str, str | tuple[str, ...]]:
        """The answers that are public, without empty ones."""
        return {key: value for key, value in self.answers.items() if key in RECORD_KEYS and value}

    def contact(self) -> dict[str, str]:
        """The contact person's answers, keyed without the `contact.` prefix, without empty ones."""
        return {key.removeprefix("contact."): str(value) for key, value in self.answers.items()
                if key in CONTACT_KEYS and value}


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _value_text(key: str, value: str | Sequence[str]) -> str:
    if isinstance(value, str):
        return _one_line(value)
    return ", ".join(_one_line(item) for item in value if _one_line(item))


def _wrapped(key: str, text: str) -> list[str]:
    if not text:
        return [f"{key}:"]
    return textwrap.wrap(f"{key}: {text}", width=WIDTH, subsequent_indent="  ",
                         break_long_words=False, break_on_hyphens=False)


def format_application(answers: Mapping[str, str | Sequence[str]]) -> str:
    """The block for these answers, every key in order (an unanswered one is left empty)."""
    unknown = sorted(set(answers) - set(KEYS))
    if unknown:
        raise ValueError(f"not application keys: {', '.join(unknown)}")
    lines = [BEGIN]
    for key in KEYS:
        lines.extend(_wrapped(key, _value_text(key, answers.get(key, ""))))
    lines.append(END)
    return "\n".join(lines) + "\n"


def format_template(hints: Mapping[str, str]) -> str:
    """An empty block to fill in by hand, each key preceded by a `#` line holding its hint."""
    lines = [BEGIN]
    for key in KEYS:
        for hint in textwrap.wrap(hints.get(key, ""), width=WIDTH - 2, break_long_words=False, break_on_hyphens=False):
            lines.append(f"# {hint}")
        lines.append(f"{key}:")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _fail(source: str, line: int, field: str | None, message: str) -> DataError:
    return DataError(file=source, line=line, column=1, record="application", field=field, message=message)


def _block(text: str, source: str) -> list[tuple[int, str]]:
    """The unquoted lines between the markers, numbered as in the pasted text."""
    unquoted = [(number, _QUOTING.sub("", line).rstrip()) for number, line in enumerate(text.splitlines(), 1)]
    starts = [number for number, line in unquoted if line.strip() == BEGIN]
    if not starts:
        raise InvalidData([_fail(source, 1, None, f"no application found: it starts with the line {BEGIN}")])
    if len(starts) > 1:
        raise InvalidData([_fail(source, starts[1], None,
                                 f"holds more than one application (the first starts on line {starts[0]}): "
                                 "add them one at a time")])
    inside = [(number, line) for number, line in unquoted if number > starts[0]]
    for index, (_number, line) in enumerate(inside):
        if line.strip() == END:
            return inside[:index]
    raise InvalidData([_fail(source, starts[0], None,
                             f"the application is cut off: no line {END} after line {starts[0]}")])


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "..."


def _misspelt_key(line: str) -> str | None:
    """A message for an unindented `word: ...` line whose word is nearly a key, e.g. `nmae:`.

    Any other line is a continuation: a re-wrapped statement may well start
    with `Our aims: ...`, and the validator checks the joined value anyway.
    """
    match = _KEY_LINE.match(line)
    if not match:
        return None
    close = difflib.get_close_matches(match.group(1), KEYS, n=1, cutoff=0.75)
    if not close:
        return None
    return f"'{_shorten(match.group(1))}' is not a field of an application: did you mean '{close[0]}'?"


def parse_application(text: str, source: str = "<application>") -> Application:
    """Read the one block in `text` (an email body, quoted or re-wrapped), or raise InvalidData naming each line."""
    parts: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    errors: list[DataError] = []
    current: str | None = None
    for number, line in _block(text, source):
        stripped = line.strip()
        if not stripped or line.startswith("#"):
            continue
        match = _KEY_LINE.match(line)
        if match and match.group(1) in KEYS:
            current = match.group(1)
            if current in parts:
                errors.append(_fail(source, number, current, f"is given twice (first on line {lines[current]})"))
                current = None
                continue
            parts[current], lines[current] = [match.group(2) or ""], number
            continue
        misspelt = _misspelt_key(line)
        if misspelt:
            errors.append(_fail(source, number, None, misspelt))
        elif current is not None:
            parts[current].append(stripped)
        else:
            errors.append(_fail(source, number, None,
                                f"{_shorten(stripped)!r} is not a line of the form 'field: answer' "
                                f"(fields: {', '.join(KEYS)})"))
    if errors:
        raise InvalidData(errors)
    answers: dict[str, str | tuple[str, ...]] = {}
    for key, pieces in parts.items():
        value = _one_line(" ".join(pieces))
        answers[key] = tuple(item.strip() for item in value.split(",") if item.strip()) if key in LIST_KEYS else value
    return Application(answers=answers, lines=lines, source=source)


_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l",
                          "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i",
                          "&": " and "})
"""Letters that Unicode does not decompose into a plain letter and an accent."""
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`]")


def slug(name: str, limit: int = 60) -> str:
    """An id for `name`: ASCII letters and digits joined by single hyphens, at most `limit` long.

    Accents are dropped ("Siân's Café" gives "sians-cafe"); a letter that has no
    plain form is dropped too, so the result may be empty.
    """
    plain = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", name).translate(_LETTERS))
    ascii_only = plain.encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_only)
    text = "-".join(words)
    if len(text) > limit:
        cut = text[:limit]
        if text[limit] != "-" and "-" in cut:  # cut mid-word: drop the part-word
            cut = cut.rsplit("-", 1)[0]
        text = cut
    return text.strip("-")


def unique_id(name: str, taken: Collection[str], fallback: str = "signatory", limit: int = 60) -> str:
    """`slug(name)`, or with -2, -3 ... added when that id is taken; `fallback` when nothing is left of the name."""
    base = slug(name, limit) or fallback
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = slug(base, limit - len(suffix)) + suffix
        if candidate not in taken:
            return candidate
        number += 1


def add_answers(app: Application) -> dict[str, str]:
    """The public answers as `add` takes them: text as given, lists comma-separated."""
    return {key: value if isinstance(value, str) else ", ".join(value) for key, value in app.record().items()}
