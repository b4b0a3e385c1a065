"""Squeeze the indentation that the theme's templates leave between tags out of every built page.

mkdocs-material's Jinja templates leave lines of spaces between tags: about a
seventh of a signatory page's bytes. A browser collapses each run of HTML
whitespace to one space (or drops it) wherever `white-space` is `normal` or
`pre-line`, so the run can shrink to one character without changing what is
shown, read out or searched. Nothing is removed outright, so no two words or
inline elements are ever joined.

Left byte for byte as they are:
- tags, with their attribute values, and comments;
- the contents of <pre>, <textarea>, <script> and <style>; of <code> and
  <kbd>, which the theme sets to `white-space: pre-wrap` when printing; and of
  inline <svg>, whose text SVG 1.1 treats by its own rule (a line break is
  dropped, not read as a space).
  Scripts and styles staying as they are also keeps their CSP hashes valid.

Pages carry text from the register, so the scan is linear: every repetition
in the patterns is possessive (they never backtrack), and every alternative
that starts at `<` consumes up to its end or the end of the page, so no part
of the input is scanned twice. The split runs in C; the white space between
tags repeats from page to page, so its squeezed form is remembered. About
0.4 to 0.7 ms a page, against 10 ms or more for MkDocs to render one.
"""

from __future__ import annotations

import re
from functools import lru_cache

PRESERVED = ("pre", "textarea", "script", "style", "code", "kbd", "svg")
"""Elements whose contents keep every byte (raw text, or white space that a style makes significant)."""

_SPACE = r"[ \t\n\r\f]"  # HTML's white space only: a no-break space is text
_NAME_END = rf"(?:{_SPACE}|/|>|\Z)"
# The rest of a tag after `<` and its first character: attribute values quoted after `=` are skipped whole
# (so a `>` inside one does not end the tag), and an unclosed tag or quote runs to the end, as in a browser.
_TAG_REST = rf"""(?:[^"'>=]++|={_SPACE}*+"[^"]*+"?|={_SPACE}*+'[^']*+'?|[="'])*+>?"""
# A preserved element: its start tag, then its contents up to its end tag (or the end of the page).
_PRESERVED = "|".join(rf"<{name}(?={_NAME_END}){_TAG_REST}(?:.*?(?=</{name}{_NAME_END})|.*)" for name in PRESERVED)
KEPT = re.compile(rf"(<!--.*?(?:-->|\Z)|{_PRESERVED}|<[a-z/!?]{_TAG_REST})", re.IGNORECASE | re.DOTALL)
"""What is kept byte for byte: a comment, a preserved element, or any other tag. One group, for re.split."""
RUNS = re.compile(r"[ \t\r\f]*+(\n)[ \t\n\r\f]*+|( )[ \t\r\f]++")
"""A run holding a line break (group 1 keeps one newline), or two or more blanks after a space (group 2 keeps it)."""
SHORT = 256
"""Text up to this long is remembered once squeezed: the indentation between tags is the same on every page."""


def compact(html: str) -> str:
    """`html` with each run of white space outside tags, comments and preserved elements cut to one character.

    A run that held a line break becomes a newline (so lines stay short for anyone reading the source), any
    other run of two or more characters starting with a space becomes one space; a lone tab is left alone.
    """
    parts = KEPT.split(html)  # text, kept, text, kept, ..., text
    parts[::2] = [_squeeze_short(text) if len(text) <= SHORT else _squeeze(text) for text in parts[::2]]
    return "".join(parts)


def _squeeze(text: str) -> str:
    """One stretch of text between two kept parts, squeezed."""
    return RUNS.sub(r"\1\2", text)


@lru_cache(maxsize=4096)
def _squeeze_short(text: str) -> str:
    """_squeeze, remembered: a bounded cache, so a long build cannot grow it."""
    return _squeeze(text)
