"""What a build changes for the public, compared with the site as last published.

Comms staff edit one YAML file; before they merge, they (and a reviewer)
should see in plain words who will appear, who will be shown as withdrawn
and whose public entry will read differently. The comparison uses the
published open data (data/signatories.json), which holds exactly the public
fields, so private contact details can never show up in a summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import printable

PUBLISHED_JSON = "data/signatories.json"
WITHDRAWAL_KEYS = ("status", "withdrawn", "withdrawn_reason")
"""Keys a withdrawal changes by itself; other differences are edits."""


@dataclass(frozen=True)
class Entry:
    """One signatory named in the summary, with the public fields that differ (for edits)."""

    id: str
    name: str
    fields: tuple[str, ...] = ()

    def label(self) -> str:
        return f"{self.name} ({self.id})"


@dataclass(frozen=True)
class Changes:
    """The public difference between two builds' register JSON."""

    total: int
    previous_found: bool
    added: tuple[Entry, ...] = ()
    withdrawn: tuple[Entry, ...] = ()
    edited: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def any(self) -> bool:
        return bool(self.added or self.withdrawn or self.edited or self.removed)

    def _groups(self) -> list[tuple[str, tuple[Entry, ...]]]:
        return [("Added", self.added), ("Withdrawn", self.withdrawn), ("Edited", self.edited),
                ("Removed from the register (their pages disappear)", self.removed)]

    def headline(self) -> str:
        if not self.previous_found:
            return f"No published site to compare with: this build publishes {self.total} signatories."
        if not self.any:
            return f"No changes to the public register ({self.total} signatories)."
        counts = [f"{len(entries)} {title.split(' ')[0].lower()}" for title, entries in self._groups() if entries]
        return f"Changes to the public register: {', '.join(counts)} ({self.total} signatories in all)."

    def text(self) -> str:
        """For the terminal: a headline, then one line per signatory."""
        lines = [*self.notes, self.headline()]
        for title, entries in self._groups():
            for entry in entries:
                detail = f": {', '.join(entry.fields)}" if entry.fields else ""
                lines.append(f"  {title.split(' ')[0].lower()}: {entry.label()}{detail}")
        return "\n".join(lines)

    def markdown(self) -> str:
        """For a pull-request comment or a job summary."""
        lines = ["### What this change does to the public register", "", *self.notes, self.headline()]
        for title, entries in self._groups():
            if entries:
                lines += ["", f"**{title}**", ""]
                lines += [_markdown_item(entry) for entry in entries]
        return "\n".join(lines) + "\n"


def _markdown_item(entry: Entry) -> str:
    detail = f": {', '.join(f'`{name}`' for name in entry.fields)}" if entry.fields else ""
    return f"- {_escape(entry.name)} (`{entry.id}`){detail}"


def _escape(text: str) -> str:
    """Names are free text: keep Markdown and HTML in them from changing the comment."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|" else c for c in text)


def _records(text: str) -> dict[str, dict[str, object]]:
    """The published records by id. Raises ValueError for anything that is not the register's JSON.

    The file comes from the output folder, which anyone may have edited or damaged: the JSON parser
    recurses, so nesting thousands deep raises RecursionError, which is caught here like any bad JSON.
    """
    try:
        data = json.loads(text)
        records = {str(r["id"]): r for r in data["signatories"]}
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValueError(type(exc).__name__) from None
    return records


def _is_withdrawn(record: dict[str, object]) -> bool:
    return bool(record.get("withdrawn"))


def _differing(old: dict[str, object], new: dict[str, object]) -> tuple[str, ...]:
    return tuple(printable(key) for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key))


def _entry(record: dict[str, object], fields: tuple[str, ...] = ()) -> Entry:
    """The published JSON is not validated again: escape what it holds, so it prints and saves as UTF-8."""
    return Entry(printable(str(record["id"])), printable(str(record.get("name", ""))), fields)


def _by_name(entries: list[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.name.casefold(), e.id)))


def summarise(previous_json: str | None, current_json: str) -> Changes:
    """Compare the previous build's register JSON (None if there was none) with this build's."""
    current = _records(current_json)
    if previous_json == current_json:  # the usual rebuild: nothing to compare record by record
        return Changes(total=len(current), previous_found=True)
    notes: tuple[str, ...] = ()
    try:
        previous = _records(previous_json) if previous_json is not None else None
    except ValueError:
        previous, notes = None, (f"The previous build's {PUBLISHED_JSON} could not be read (it is not the register's "
                                 "JSON), so there is nothing to compare with.",)
    if previous is None:
        return Changes(total=len(current), previous_found=False, notes=notes)
    added, withdrawn, edited = [], [], []
    for key, new in current.items():
        old = previous.get(key)
        if old is None:
            added.append(_entry(new))
            continue
        fields = _differing(old, new)
        if _is_withdrawn(new) and not _is_withdrawn(old):
            withdrawn.append(_entry(new))
            fields = tuple(f for f in fields if f not in WITHDRAWAL_KEYS)
        if fields:
            edited.append(_entry(new, fields))
    removed = [_entry(old) for key, old in previous.items() if key not in current]
    return Changes(len(current), True, _by_name(added), _by_name(withdrawn), _by_name(edited), _by_name(removed))


def compare_with_published(output: Path, current_json: str) -> Changes:
    """Summarise against the JSON in the output folder, which holds the last build (or the fetched live site)."""
    previous = output / PUBLISHED_JSON
    try:
        text = previous.read_text(encoding="utf-8") if previous.is_file() else None
    except (OSError, UnicodeDecodeError):
        text = "not readable"  # summarised as unreadable, with a note, like any damaged file
    return summarise(text, current_json)


def write_markdown(changes: Changes, cache_dir: Path) -> Path:
    """Save the Markdown summary as cache_dir/changes.md for CI to post. Written here, not by writer.py,
    because it is a report about the build, not part of the site."""
    target = cache_dir / "changes.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(changes.markdown(), encoding="utf-8")
    return target
