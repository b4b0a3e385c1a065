"""The private contacts file: who the charter team asks about each signatory's entry.

The repository is public (GitHub Pages on a free plan needs that) and git
keeps every old version, so a person's name, email and phone never go into
signatories.yaml. They live in `contacts.yaml` beside it, which .gitignore
lists and the build never reads: only `check` (which validates it when it
exists) and `add` (which appends to it) open it. It is either a list of
entries or a mapping from id to entry:

    - id: acme-ltd              acme-ltd:
      name: Ann Example           name: Ann Example
      email: ann@example.org      email: ann@example.org

Entries are appended as text, like `add` does to the register, so the
team's own notes in the file survive.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import field_messages as say
from .errors import DataError, InvalidData
from .fields import CONTACT_KEYS, CONTACT_MESSAGES, CONTACT_PATTERNS, SLUG_PATTERN
from .load import Position, compose, read_text
from .models import _hint, _key, _Record, _text
from .writer import replace_file

ENTRY_KEYS = ("id", *CONTACT_KEYS)
"""The keys of one entry in list form; in mapping form the id is the entry's key."""
HEADER = ("# Private: the contact person for each signatory, for the charter team only.\n"
          "# Never commit this file or publish it: .gitignore lists it, and the site never reads it.\n")
"""The first lines of a contacts file that `add` creates."""


def contact_problem(key: str, value: str) -> str | None:
    """What is wrong with one contact answer (its length, then its pattern), in the words `check` uses."""
    limit = CONTACT_KEYS[key]
    if len(value) > limit:
        return say.TOO_LONG.format(length=len(value), limit=limit)
    pattern = CONTACT_PATTERNS.get(key)
    if pattern and not re.fullmatch(pattern, value):
        return CONTACT_MESSAGES[key]
    return None


def _entries(display: str, root: Node, errors: list[DataError]) -> list[tuple[Node | None, Node]]:
    """(id node, entry node) for each entry, in either form; a wrong shape is one error."""
    if isinstance(root, ScalarNode) and root.tag.endswith(":null"):
        return []
    if isinstance(root, SequenceNode):
        found: list[tuple[Node | None, Node]] = []
        for item in root.value:
            ids = [v for k, v in item.value if _key(k) == "id"] if isinstance(item, MappingNode) else []
            found.append((ids[0] if ids else None, item))
        return found
    if isinstance(root, MappingNode):
        return [(key, value) for key, value in root.value]
    errors.append(Position.of(display, root).error(
        "must be a list of contacts, each starting with '- id:' (the signatory's id)"))
    return []


def _check_id(rec: _Record, node: Node, register: str, ids: Collection[str] | None) -> None:
    value = _text(rec, node, "id", None)
    if value is None or ids is None or value in ids:
        return
    close = difflib.get_close_matches(value, list(ids), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    rec.fail(node, "id", f"'{value}' is not the id of any signatory in {register}{hint}")


def _check_entry(rec: _Record, entry: Node, listed: bool) -> None:
    if not isinstance(entry, MappingNode):
        rec.fail(entry, None, "each contact must be a set of 'field: value' lines (allowed: "
                 + ", ".join(ENTRY_KEYS if listed else CONTACT_KEYS) + ")")
        return
    allowed = ENTRY_KEYS if listed else tuple(CONTACT_KEYS)
    for key, value in entry.value:
        name = _key(key)
        if name not in allowed:
            rec.fail(key, name, f"unknown field {_hint(name, allowed)}")
        elif name != "id":
            text = _text(rec, value, name, None)
            problem = contact_problem(name, text) if text is not None else None
            if problem:
                rec.fail(value, name, problem)


def validate_contacts(text: str, display: str, register: str, ids: Collection[str] | None) -> list[DataError]:
    """Every problem in a contacts file's text; `ids` are the register's ids (None: do not check them)."""
    try:
        root = compose(text, display)
    except InvalidData as error:
        return error.errors
    if root is None:
        return []
    errors: list[DataError] = []
    listed = isinstance(root, SequenceNode)
    for index, (id_node, entry) in enumerate(_entries(display, root, errors)):
        rec = _Record(display, entry if isinstance(entry, MappingNode) else root, index)  # type: ignore[arg-type]
        rec.label = f"contact {index + 1}"
        if isinstance(id_node, ScalarNode) and re.fullmatch(SLUG_PATTERN, id_node.value):
            rec.label = id_node.value
        if id_node is None:
            rec.fail(entry, "id", "is missing: every contact needs the id of its signatory in " + register)
        else:
            _check_id(rec, id_node, register, ids)
        _check_entry(rec, entry, listed)
        errors += rec.errors
    return errors


def check_file(path: Path, display: str, register: str, ids: Collection[str] | None,
               required: bool = False) -> list[DataError]:
    """The problems of the contacts file at `path`; none when there is no such file, unless it was asked for."""
    if not path.exists() and not required:
        return []
    try:
        return validate_contacts(read_text(path, display), display, register, ids)
    except InvalidData as error:
        return error.errors
    except OSError as exc:  # a folder, or a file we may not read
        return [DataError(display, 1, 1, None, None, f"cannot be read: {exc.strerror or exc}")]


def entry_lines(record_id: str, contact: dict[str, str], listed: bool = True, dash: int = 0, key: int = 2) -> list[str]:
    """One entry's lines, every value double-quoted (the escapes `add` uses), keys in CONTACT_KEYS order."""
    from .edit import quote  # late: edit imports the validator, which imports this module's neighbours

    values = [f"{name}: {quote(contact[name])}" for name in CONTACT_KEYS if contact.get(name)]
    if not listed:
        return [f"{record_id}:", *(" " * key + line for line in values)]
    first = " " * dash + "-" + " " * (key - dash - 1) + f"id: {record_id}"
    return [first, *(" " * key + line for line in values)]


def appended(text: str, display: str, record_id: str, contact: dict[str, str]) -> str:
    """The contacts text with an entry for `record_id` added at the end, in the form the file already uses."""
    from .edit import EditRefused

    root = compose(text, display)
    listed, dash, key = True, 0, 2
    if isinstance(root, (MappingNode, SequenceNode)) and root.flow_style and root.value:
        raise EditRefused(f"{display} is written on one line in [ ] or {{ }}: add the contact by hand")
    if isinstance(root, MappingNode) and root.value:
        listed, key = False, root.value[0][1].start_mark.column if isinstance(root.value[0][1], MappingNode) else 2
    elif isinstance(root, SequenceNode) and root.value:
        dash, key = root.start_mark.column, root.value[0].start_mark.column
        key = key if key > dash else dash + 2
    elif root is not None and not (isinstance(root, ScalarNode) and root.tag.endswith(":null")):
        raise EditRefused(f"{display} must be a list of contacts, each starting with '- id:': fix it first")
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    return text + "".join(line + newline for line in entry_lines(record_id, contact, listed, dash, key))


def planned_contacts(path: Path, display: str, register: str, record_id: str, contact: dict[str, str]) -> str:
    """The contacts file's new text, checked: refuses (writing nothing) if the file or the result has problems."""
    from .edit import EditRefused

    try:
        text = read_text(path, display) if path.exists() else HEADER
    except OSError as exc:
        raise EditRefused(f"cannot read {display}: {exc.strerror or exc} (nothing was changed)") from None
    found = validate_contacts(text, display, register, None)
    if found:
        listed = "\n".join(f"  {problem}" for problem in found)
        raise EditRefused(f"{display} already has problems; fix them first (nothing was changed):\n{listed}")
    new = appended(text, display, record_id, contact)
    found = validate_contacts(new, display, register, None)
    if found:
        listed = "\n".join(f"  {problem}" for problem in found)
        raise EditRefused(f"{display} was not changed: the result would not be valid:\n{listed}")
    return new


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically; a new file is readable by its owner only (it holds personal data)."""
    from .edit import EditRefused

    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise EditRefused(f"cannot write {path}: {exc.strerror or exc}") from None
