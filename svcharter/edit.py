"""`add` and `withdraw`: change signatories.yaml as text, so every comment and line people wrote survives.

Comms staff keep notes in the register's comments ("PLACEHOLDER date") and
reviewers read diffs, so the file is never round-tripped through a YAML
dumper: a new record is appended as text, a withdrawal is inserted as two
lines at the end of one record, and nothing else moves. Every value is
written double-quoted with JSON-style escapes (valid YAML, so no answer can
break the file's structure), dates unquoted ISO. Before anything is written
the whole new text is checked by the real validator; the file is replaced
atomically, so a failure leaves it exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import fields
from .config import Config
from .errors import CharterError, DataError, InvalidData
from .load import compose, load_records, read_limited
from .measures import load_survey
from .models import validate
from .writer import replace_file

TOP_KEY = "signatories"
NOT_ASKED = ("withdrawn", "withdrawn_reason", "reaffirmed", "reports")
"""Fields that record later events: `withdraw` sets the first two, the others are edited by hand."""
DEFAULT_DASH, DEFAULT_KEY = 2, 4
YES, NO = ("y", "yes", "true"), ("n", "no", "false")
UNSAFE_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
"""Characters JSON leaves bare that YAML reads as line breaks or refuses: written as \\uXXXX instead."""

Ask = Callable[[str], str]
Say = Callable[[str], None]


class EditRefused(CharterError):
    """The register was not changed; the message says why."""


@dataclass(frozen=True)
class Question:
    """One answer `add` collects: a field of the record."""

    key: str
    label: str
    help: str
    spec: fields.Field

    @property
    def required(self) -> bool:
        return self.spec.required


def questions() -> list[Question]:
    """Every answer `add` collects, in FIELDS order, so a new field is asked for without a code change here."""
    found: list[Question] = []
    for spec in fields.FIELDS:
        if spec.name in NOT_ASKED:
            continue
        found.append(Question(spec.name, spec.name.replace("_", " ").capitalize(), spec.help, spec))
    return found


# --- writing values --------------------------------------------------------------------------


def quote(value: str) -> str:
    """A double-quoted YAML scalar: JSON escapes, plus escapes for what YAML would misread."""
    quoted = json.dumps(value, ensure_ascii=False)
    return UNSAFE_IN_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def yaml_value(spec: fields.Field, raw: str) -> str:
    """The text after `name: ` for an answer; anything unexpected is quoted so the validator can name it."""
    if spec.kind in ("choices", "measures"):
        return "[" + ", ".join(quote(item) for item in _items(raw)) + "]"
    if spec.kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return raw
    if spec.kind == "bool" and raw.lower() in YES + NO:
        return "true" if raw.lower() in YES else "false"
    return quote(raw)


def normalise(question: Question, raw: str, options: dict[str, str]) -> str:
    """Accept an option's number from the printed list as well as its value."""
    values = list(options)

    def pick(item: str) -> str:
        return values[int(item) - 1] if item.isdigit() and 1 <= int(item) <= len(values) else item

    if question.spec.kind in ("choices", "measures"):
        return ", ".join(pick(item) for item in _items(raw))
    return pick(raw) if values else raw


def record_lines(answers: dict[str, str], dash: int, key: int) -> list[str]:
    """The new record's lines (without line ends), fields in FIELDS order."""
    lines: list[str] = []
    for spec in fields.FIELDS:
        if answers.get(spec.name):
            lines.append(f"{spec.name}: {yaml_value(spec, answers[spec.name])}")
    first = " " * dash + "-" + " " * (key - dash - 1)
    return [(first if i == 0 else " " * key) + line for i, line in enumerate(lines)]


# --- finding places in the text ---------------------------------------------------------------


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def register_list(text: str, display: str) -> Node | None:
    """The node under `signatories:`, or None if the file has no such key (the validator will say so)."""
    root = compose(text, display)
    if isinstance(root, MappingNode):
        for key, value in root.value:
            if isinstance(key, ScalarNode) and key.value == TOP_KEY:
                return value
    return None


def _empty_list_removed(text: str, items: Node) -> str:
    """`signatories: []` or `signatories: null` cannot take a `- ` item after it: drop the value text."""
    if isinstance(items, SequenceNode) and items.value:
        raise EditRefused(f"the '{TOP_KEY}:' list is written on one line in [ ]: add the record by hand")
    before = text[: items.start_mark.index].rstrip(" ")
    return before + text[items.end_mark.index :]


def append_record(text: str, display: str, answers: dict[str, str]) -> str:
    """The register text with a record for `answers` appended to the end of the list."""
    items = register_list(text, display)
    dash, key = DEFAULT_DASH, DEFAULT_KEY
    if isinstance(items, SequenceNode) and items.value and not items.flow_style:
        dash, key = items.start_mark.column, items.value[0].start_mark.column
        key = key if key > dash else dash + 2  # a flow-style first record: keep the usual layout
    elif items is not None:
        text = _empty_list_removed(text, items)
    newline = _newline(text)
    if text and not text.endswith("\n"):
        text += newline
    if isinstance(items, SequenceNode) and items.value and not text.endswith(newline * 2):
        text += newline  # records are separated by a blank line
    return text + "".join(line + newline for line in record_lines(answers, dash, key))


def _leaves(node: Node) -> list[Node]:
    """Nodes whose end marks are exact: scalars and flow collections (block collections end at the next token)."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        return [node]
    children: list[Node] = []
    if isinstance(node, MappingNode):
        for key, value in node.value:
            children += [key, value]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    return [leaf for child in children for leaf in _leaves(child)]


def record_end(text: str, record: MappingNode) -> int:
    """The index just after the line holding the record's last value (its trailing comment included)."""
    end = max(leaf.end_mark.index for leaf in _leaves(record))
    while end > record.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1  # block scalars (| and >) end after their trailing blank lines
    line_end = text.find("\n", end)
    return len(text) if line_end < 0 else line_end + 1


def find_record(text: str, display: str, record_id: str) -> MappingNode:
    """The record whose id is `record_id`, or a refusal that suggests a close id."""
    items = register_list(text, display)
    records = [n for n in (items.value if isinstance(items, SequenceNode) else []) if isinstance(n, MappingNode)]
    ids: dict[str, MappingNode] = {}
    for record in records:
        for key, value in record.value:
            if key.value == "id" and isinstance(value, ScalarNode):
                ids.setdefault(value.value, record)
    if record_id in ids:
        return ids[record_id]
    close = difflib.get_close_matches(record_id, list(ids), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise EditRefused(f"no signatory in {display} has the id '{record_id}'{hint}")


def withdrawal_text(text: str, display: str, record_id: str, day: dt.date, reason: str | None) -> str:
    """The register text with `withdrawn:` (and `withdrawn_reason:`) added at the end of one record."""
    record = find_record(text, display, record_id)
    if record.flow_style:
        raise EditRefused(f"'{record_id}' is written on one line in {{ }}: add the withdrawal by hand")
    present = {key.value: value for key, value in record.value}
    if "withdrawn" in present:
        raise EditRefused(f"'{record_id}' is already withdrawn (withdrawn: {present['withdrawn'].value})")
    indent = " " * record.value[0][0].start_mark.column
    newline = _newline(text)
    lines = [f"{indent}withdrawn: {day.isoformat()}"]
    if reason:
        lines.append(f"{indent}withdrawn_reason: {quote(reason)}")
    at = record_end(text, record)
    before = text[:at] if text[:at].endswith("\n") else text[:at] + newline
    return before + "".join(line + newline for line in lines) + text[at:]


# --- checking and saving -----------------------------------------------------------------------


class RegisterFile:
    """signatories.yaml as text, with the real validator to check any proposed new text."""

    def __init__(self, cfg: Config) -> None:
        from .build import glyph_checker  # late: build imports the whole pipeline

        self.cfg = cfg
        self.path = cfg.signatories
        self.display = cfg.display(cfg.signatories)
        try:
            self.text = read_limited(self.path, self.display).decode("utf-8")  # bytes, so CRLF line ends survive
        except InvalidData as error:
            raise EditRefused(f"cannot read {self.display}: {error.errors[0].message}") from None
        except UnicodeDecodeError as exc:
            raise EditRefused(f"cannot read {self.display}: {exc}") from None
        self.measures = load_survey(cfg.content_dir).measures
        self.glyph_check = glyph_checker()

    def options(self, question: Question) -> dict[str, str]:
        """The values an answer may take, numbered when asked: the field's choices or the adopted measures."""
        if question.spec.kind == "measures":
            return {m.id: m.wording for m in self.measures.values() if m.adopted}
        return dict(question.spec.choices)

    def problems_in_file(self, path: Path) -> list[DataError]:
        """Everything the validator finds in `path`, reported under the register's own name."""
        try:
            nodes = load_records(path, self.display, TOP_KEY)
            validate(self.display, nodes, self.measures, self.cfg.build_date, self.glyph_check)
        except InvalidData as error:
            return error.errors
        return []

    def problems(self, text: str) -> list[DataError]:
        with tempfile.TemporaryDirectory(prefix="svcharter-edit-") as folder:
            path = Path(folder) / "signatories.yaml"
            path.write_bytes(text.encode("utf-8"))
            return self.problems_in_file(path)

    def require_valid(self) -> None:
        """Refuse to edit a register that is already broken: the new errors would hide among the old."""
        found = self.problems(self.text)
        if found:
            listed = "\n".join(f"  {problem}" for problem in found)
            raise EditRefused(f"{self.display} already has problems; fix them first (nothing was changed):\n{listed}")

    def save(self, text: str) -> None:
        """Write `text` in place of the register, only if the validator accepts it, atomically.

        A register that is a symbolic link is written through to its target, which keeps the link:
        replacing the link itself with a file would leave the real register without the change.
        """
        target = Path(os.path.realpath(self.path))
        try:
            replace_file(target, text.encode("utf-8"), check=self._refuse_invalid)
        except OSError as exc:
            raise EditRefused(f"{self.display} was not changed: cannot write beside it: {exc.strerror or exc}") from None

    def _refuse_invalid(self, written: Path) -> None:
        """Validate the bytes as written, not the text meant, so what replaces the register is what passed."""
        found = self.problems_in_file(written)
        if found:
            lines = dict.fromkeys(f"  {p.field + ': ' if p.field else ''}{p.message}" for p in found)
            listed = "\n".join(lines)
            raise EditRefused(f"{self.display} was not changed: the result would not be valid:\n{listed}")


# --- the commands --------------------------------------------------------------------------------


def _answer_problems(register: RegisterFile, answers: dict[str, str], question: Question) -> list[str]:
    """The validator's messages about one answer, checked in place at the end of the real register."""
    candidate = append_record(register.text, register.display, answers)
    count = len(register_list(candidate, register.display).value)  # type: ignore[union-attr]
    labels = {answers.get("id"), f"record {count}"}
    messages = [p.message for p in register.problems(candidate)
                if p.record in labels and p.field == question.key]
    return list(dict.fromkeys(messages))


def _prompt(question: Question, default: str, options: dict[str, str]) -> str:
    lines = [f"\n{question.label}: {question.help}"]
    lines += [f"  {i}. {value} ({label})" for i, (value, label) in enumerate(options.items(), 1)]
    if question.spec.kind in ("choices", "measures"):
        lines.append("  Several answers: separate them with commas.")
    need = "required" if question.required else "optional: press Enter to skip"
    shown_default = f" [{default}]" if default else ""
    return "\n".join(lines) + f"\n{question.label} ({need}){shown_default}: "


def _ask_one(register: RegisterFile, answers: dict[str, str], question: Question, given: str | None,
             ask: Ask, say: Say) -> None:
    """Ask until the validator accepts the answer (or an optional one is skipped)."""
    default = register.cfg.build_date.isoformat() if question.key == "signed" else ""
    options = register.options(question)
    raw, prompt = given, _prompt(question, default, options)
    while True:
        if raw is None:
            raw = ask(prompt).strip() or default
            prompt = prompt.rsplit("\n", 1)[-1]  # after the first time, only the question itself
        if not raw:
            if not question.required:
                return
            say(f"  {question.label} is required.")
        else:
            answers[question.key] = normalise(question, raw, options)
            messages = _answer_problems(register, answers, question)
            if not messages:
                return
            del answers[question.key]
            for message in messages:
                say(f"  Not accepted: {message}")
        raw = None


def add(cfg: Config, given: dict[str, str], ask: Ask | None, say: Say) -> str:
    """Collect a record (from `given`, then by asking unless `ask` is None), append it, return its id."""
    register = RegisterFile(cfg)
    register.require_valid()
    answers: dict[str, str] = {}
    for question in questions():
        if ask is None:
            if given.get(question.key, "").strip():
                answers[question.key] = normalise(question, given[question.key].strip(), register.options(question))
        else:
            _ask_one(register, answers, question, given.get(question.key), ask, say)
    text = append_record(register.text, register.display, answers)
    if ask is not None:
        added = text[len(register.text):]
        say(f"\nThis will be added to the end of {register.display}:\n\n{added}")
        if ask("Add it? [y/N]: ").strip().lower() not in YES:
            raise EditRefused(f"cancelled: {register.display} was not changed")
    register.save(text)
    return answers.get("id", "")


def withdraw(cfg: Config, record_id: str, day: dt.date, reason: str | None) -> None:
    """Record that a signatory left the charter on `day`."""
    register = RegisterFile(cfg)
    register.require_valid()
    register.save(withdrawal_text(register.text, register.display, record_id, day, reason))


def page_address(cfg: Config, record_id: str) -> str:
    """Where the signatory's page will be once the site is next built and published."""
    from .build import read_mkdocs_settings, site_info

    return site_info(cfg, read_mkdocs_settings(cfg)).site_url + f"register/{record_id}/"
