"""Typed errors. Library code raises these; only the command line prints them."""

from __future__ import annotations

from dataclasses import dataclass


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
        where = f"{self.file}:{self.line}:{self.column}:"
        parts = [where]
        if self.severity != "error":
            parts.append(f"{self.severity}:")
        if self.record:
            parts.append(f"'{self.record}':")
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        return " ".join(parts)


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
