"""Typed errors. Library code raises these; only the command line prints them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Controls, format and invisible characters, surrogates, private-use and unassigned code points, line breaks."""


def printable(text: str) -> str:
    """Text safe to print on one line: every character a terminal could act on or hide is written as an escape.

    A YAML key or value can hold a newline (to forge a second, fake message line), an ANSI escape (to
    recolour or clear the terminal), a direction override or a lone surrogate (which stops Python printing
    at all). Messages quote such text, so each is shown as \\n, \\x1b, \\u202e or \\ud800 instead.
    """
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in UNPRINTABLE else c for c in text)


def printable_lines(text: str) -> str:
    """Like printable(), but keeps the line breaks of a message that is meant to span lines (each line is
    made printable on its own, so no line can hold a terminal code)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _escape(char: str) -> str:
    code = ord(char)
    if char in "\n\r\t":
        return repr(char)[1:-1]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@dataclass(frozen=True)
class DataError:
    """One problem in an input file, located precisely enough for a person to fix it."""

    file: str
    line: int
    column: int
    record: str | None
    field: str | None
    message: str
    severity: str = "error"  # or "warning": reported, but the build goes ahead

    def __str__(self) -> str:
        """FILE:LINE:COL: 'record': field: message (with `warning:` after the place for a warning)."""
        severity = f" {self.severity}:" if self.severity != "error" else ""
        return f"{printable(self.file)}:{self.line}:{self.column}:{severity} {self.text()}"

    def text(self) -> str:
        """'record': field: message, without the place, with anything unprintable escaped."""
        parts = []
        if self.record:
            parts.append(f"'{self.record}':")
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        return printable(" ".join(parts))


class CharterError(Exception):
    """Base class for every error the command line knows how to report."""


class InvalidData(CharterError):
    """The input holds one or more problems; all of them are listed."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line, e.column, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


class BuildError(CharterError):
    """A build stage failed for a reason other than bad signatory data."""


class UsageError(CharterError):
    """The command was given options that do not go together; nothing was read or changed."""
