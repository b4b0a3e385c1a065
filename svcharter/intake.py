"""`add --application`: an application emailed from the sign-up form becomes a record, with nothing retyped.

The charter team pastes the email into `python build.py add --application -`.
The block is parsed (application.py), the declaration checked, and the
record appended with `add`'s own machinery (edit.py), checked by the real
validator first. The validator's messages name lines of signatories.yaml,
which the team never typed, so each is moved to the line of the pasted text
that holds the answer. The contact person's answers are checked by the
contacts file's own rules and then go to the private contacts file, or are
handed back for printing; never into signatories.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from . import contacts
from .application import DECLARATION, DECLARATION_YES, Application, add_answers, parse_application, unique_id
from .config import Config
from .edit import EditRefused, RegisterFile, append_record, register_list
from .errors import DataError, InvalidData
from .models import RESERVED_IDS

STDIN = "-"
STDIN_NAME = "<standard input>"


@dataclass(frozen=True)
class Added:
    """What `add --application` did: the new record's id and text, and the contact entry."""

    record_id: str
    record_text: str
    contact_text: str  # the entry for the contacts file; empty when the application names no contact
    contacts_file: Path | None  # where the entry was written; None when it was not written


def read_application(argument: str, stdin: TextIO) -> tuple[str, str]:
    """(text, name for messages) of `--application FILE`, or of standard input for `-`.

    Bytes are decoded here, not by the terminal's settings, so a pasted email that is not UTF-8 is a message.
    """
    name = STDIN_NAME if argument == STDIN else argument
    try:
        if argument != STDIN:
            return Path(argument).read_bytes().decode("utf-8"), name
        return (stdin.buffer.read().decode("utf-8") if hasattr(stdin, "buffer") else stdin.read()), name
    except (OSError, UnicodeDecodeError) as exc:
        raise EditRefused(f"cannot read the application {name}: {exc}") from None


def _first_line(app: Application) -> int:
    return min(app.lines.values(), default=1)


def _at(app: Application, field: str | None, message: str) -> DataError:
    """A message at the line of the pasted text that holds `field`'s answer."""
    line = app.lines.get(field or "") or _first_line(app)
    return DataError(app.source, line, 1, "application", field, message)


def declaration_problems(app: Application) -> list[DataError]:
    """The applicant must say they may sign for the organisation: anything but `yes` is refused."""
    value = str(app.answers.get(DECLARATION, "")).strip()
    if value.lower() == DECLARATION_YES:
        return []
    said = f"is {value!r}, not '{DECLARATION_YES}'" if value else "is not answered"
    message = (f"{said}: the applicant must declare that they are authorised to sign for the organisation; "
               f"ask them to send the application again with '{DECLARATION}: {DECLARATION_YES}'")
    line = app.lines.get(DECLARATION) or _first_line(app)
    return [DataError(app.source, line, 1, "application", DECLARATION, message)]


def _taken(register: RegisterFile) -> set[str]:
    items = register_list(register.text, register.display)
    records = items.value if isinstance(items, SequenceNode) else []
    return {value.value for record in records if isinstance(record, MappingNode)
            for key, value in record.value if isinstance(key, ScalarNode) and key.value == "id"
            and isinstance(value, ScalarNode)} | RESERVED_IDS


def _record_problems(register: RegisterFile, text: str, answers: dict[str, str], app: Application) -> list[DataError]:
    """The validator's messages about the new record, at the application's lines; options' problems refused."""
    count = len(register_list(text, register.display).value)  # type: ignore[union-attr]
    labels = {answers["id"], f"record {count}"}
    found = dict.fromkeys((p.field, p.message) for p in register.problems(text) if p.record in labels)
    options = [f"  --{field}: {message}" for field, message in found if field in ("id", "signed")]
    if options:
        raise EditRefused(f"{register.display} was not changed: an option is not accepted:\n" + "\n".join(options))
    return [_at(app, field, message) for field, message in found]


def _contact_problems(app: Application, record_id: str, register: RegisterFile) -> list[DataError]:
    """The contact answers checked by the contacts file's rules, at the application's lines."""
    entry = "\n".join(contacts.entry_lines(record_id, app.contact())) + "\n"
    found = contacts.validate_contacts(entry, app.source, register.display, {record_id})
    return [DataError(app.source, app.lines.get(f"contact.{p.field}") or _first_line(app), 1, "application",
                      f"contact.{p.field}" if p.field else None, p.message) for p in found]


def add_application(cfg: Config, text: str, source: str, record_id: str | None = None,
                    signed: str | None = None, contacts_file: Path | None = None) -> Added:
    """Append the application in `text` to the register, or raise, writing nothing, naming each line at fault."""
    app = parse_application(text, source)
    register = RegisterFile(cfg)
    register.require_valid()
    taken = _taken(register)
    if record_id in taken:
        raise EditRefused(f"--id: '{record_id}' is already taken in {register.display}: choose another id")
    answers = add_answers(app)
    answers["id"] = record_id or unique_id(str(app.answers.get("name", "")), taken)
    answers["signed"] = signed or cfg.build_date.isoformat()
    new_text = append_record(register.text, register.display, answers)
    errors = declaration_problems(app) + _record_problems(register, new_text, answers, app)
    contact = app.contact()
    if contact:
        errors += _contact_problems(app, answers["id"], register)
    if errors:
        raise InvalidData(errors)
    planned = None
    if contacts_file is not None and not contacts_file.parent.is_dir():
        raise EditRefused(f"{cfg.display(contacts_file)}: there is no folder {cfg.display(contacts_file.parent)} "
                          f"(nothing was changed)")
    if contacts_file is not None and contact:
        planned = contacts.planned_contacts(contacts_file, cfg.display(contacts_file), register.display,
                                            answers["id"], contact)
    register.save(new_text)
    if planned is not None and contacts_file is not None:
        contacts.write_private(contacts_file, planned)
    entry = "".join(line + "\n" for line in contacts.entry_lines(answers["id"], contact)) if contact else ""
    return Added(answers["id"], new_text[len(register.text):], entry, contacts_file if planned else None)
