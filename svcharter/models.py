"""Strict signatory records, and the rules that span records.

Each scalar is read according to the field it fills, from the raw text the
author typed, so `name: no` is caught rather than becoming False, and
`signed: 2017-02-30` is an error rather than a crash.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import field_messages as say
from .errors import DataError, InvalidData
from .fields import (
    FIELDS,
    FIELDS_BY_NAME,
    IDENTIFIER_PATTERN,
    NARRATIVE_MAX,
    NUMBER_PATTERN,
    SLUG_PATTERN,
    Field,
)
from .load import Position
from .measures import Measure
from .textcheck import similar_names, text_problem

STR_TAG = "tag:yaml.org,2002:str"
YAML_READS_AS = {
    "tag:yaml.org,2002:bool": "a yes/no value",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "empty",
    "tag:yaml.org,2002:timestamp": "a date",
}


@dataclass(frozen=True)
class Report:
    """One year's progress figures, keyed by measure id."""

    year: int
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Signatory:
    """A validated signatory record: every field is public (contact details live in contacts.yaml)."""

    id: str
    name: str
    sector: str
    size: str
    signed: dt.date
    activities: tuple[str, ...] = ()
    website: str | None = None
    identifier: str | None = None
    location: str | None = None
    founding: bool = False
    commitments: tuple[str, ...] = ()
    statement: str | None = None
    withdrawn: dt.date | None = None
    withdrawn_reason: str | None = None
    reaffirmed: tuple[dt.date, ...] = ()
    reports: tuple[Report, ...] = ()
    line: int = 0


class _Record:
    """Collects the errors of one record while its fields are read."""

    def __init__(self, file: str, node: MappingNode, index: int) -> None:
        self.file = file
        self.node = node
        self.label = f"record {index + 1}"
        self.errors: list[DataError] = []

    def fail(self, node: Node, field: str | None, message: str) -> None:
        self.errors.append(Position.of(self.file, node).error(message, self.label, field))


def _key(node: Node) -> str:
    """A mapping key as text; a key that is itself a list or mapping becomes '?'."""
    return node.value if isinstance(node, ScalarNode) else "?"


def _hint(value: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    close = difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.6)
    text = f"allowed: {', '.join(allowed)}"
    if close:
        text += f"; did you mean '{close[0]}'?"
    return f"({text})"


def _text(rec: _Record, node: Node, name: str, max_length: int | None) -> str | None:
    if not isinstance(node, ScalarNode):
        rec.fail(node, name, "must be a single piece of text, not a list or a mapping")
        return None
    if node.tag != STR_TAG:
        reads_as = YAML_READS_AS.get(node.tag, "something other than text")
        if node.tag.endswith(":null"):
            rec.fail(node, name, say.EMPTY)
        else:
            rec.fail(node, name, f"YAML reads {node.value!r} as {reads_as}: put it in quotes, e.g. {name}: \"{node.value}\"")
        return None
    value = node.value
    if not value.strip():
        rec.fail(node, name, say.EMPTY)
        return None
    problem = text_problem(name, value)
    if problem:
        rec.fail(node, name, problem)
        return None
    if max_length is not None and len(value) > max_length:
        rec.fail(node, name, say.TOO_LONG.format(length=len(value), limit=max_length))
        return None
    return value


def _date(rec: _Record, node: Node, name: str, today: dt.date) -> dt.date | None:
    if not isinstance(node, ScalarNode) or node.tag not in (STR_TAG, "tag:yaml.org,2002:timestamp"):
        shown = node.value if isinstance(node, ScalarNode) else "a list or mapping"
        rec.fail(node, name, f"must be a date written YYYY-MM-DD, e.g. 2017-04-01 (found {shown!r})")
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.value):
        rec.fail(node, name, f"must be a date written YYYY-MM-DD, e.g. 2017-04-01 (found {node.value!r})")
        return None
    try:
        value = dt.date.fromisoformat(node.value)
    except ValueError:
        rec.fail(node, name, f"{node.value} is not a real date: check the day and month")
        return None
    if value > today:
        rec.fail(node, name, f"{node.value} is in the future (the build date is {today.isoformat()})")
        return None
    return value


def _bool(rec: _Record, node: Node, name: str) -> bool | None:
    if isinstance(node, ScalarNode) and node.value in ("true", "false"):
        return node.value == "true"
    shown = node.value if isinstance(node, ScalarNode) else "a list or mapping"
    rec.fail(node, name, f"must be true or false (found {shown!r})")
    return None


def _list(rec: _Record, node: Node, name: str) -> list[Node] | None:
    if isinstance(node, SequenceNode):
        return list(node.value)
    example = FIELDS_BY_NAME[name].example or "[first, second]"
    rec.fail(node, name, f"must be a list, e.g. {name}: {example}")
    return None


def _choice(rec: _Record, node: Node, name: str, choices: dict[str, str]) -> str | None:
    if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
        rec.fail(node, name, f"must be one of the listed values {_hint('', choices)}")
        return None
    if node.value not in choices:
        rec.fail(node, name, f"{node.value!r} is not a known value {_hint(node.value, choices)}")
        return None
    return node.value


def _choices(rec: _Record, node: Node, name: str, choices: dict[str, str]) -> tuple[str, ...] | None:
    items = _list(rec, node, name)
    if items is None:
        return None
    values = [_choice(rec, item, name, choices) for item in items]
    if None in values:
        return None
    return _unique(rec, node, name, [v for v in values if v])


def _unique(rec: _Record, node: Node, name: str, values: list[str]) -> tuple[str, ...] | None:
    repeated = sorted(v for v, count in Counter(values).items() if count > 1)
    if repeated:
        rec.fail(node, name, f"lists {', '.join(repeated)} more than once")
        return None
    return tuple(values)


def _url(rec: _Record, node: Node, name: str, max_length: int | None) -> str | None:
    value = _text(rec, node, name, max_length)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:  # a bracketed host that is not an IPv6 address, such as http://[::1
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        rec.fail(node, name, say.NOT_A_WEB_ADDRESS.format(value=value))
        return None
    if re.search(say.WEB_ADDRESS_FORBIDDEN, value):
        rec.fail(node, name, say.NOT_WEB_ADDRESS_CHARACTERS.format(value=value))
        return None
    return value


def _pattern(rec: _Record, node: Node, name: str, max_length: int | None, pattern: str, advice: str) -> str | None:
    value = _text(rec, node, name, max_length)
    if value is not None and not re.fullmatch(pattern, value):
        rec.fail(node, name, f"{value!r} {advice}")
        return None
    return value


def _measures(rec: _Record, node: Node, name: str, measures: dict[str, Measure]) -> tuple[str, ...] | None:
    items = _list(rec, node, name)
    if items is None:
        return None
    adopted = [m.id for m in measures.values() if m.adopted]
    values: list[str] = []
    for item in items:
        value = item.value if isinstance(item, ScalarNode) else ""
        measure = measures.get(value)
        if measure is None:
            rec.fail(item, name, f"{value!r} is not a measure {_hint(value, adopted)}")
        elif not measure.adopted:
            rec.fail(item, name, f"'{value}' was not adopted as a measure: {measure.not_adopted_reason}")
        else:
            values.append(value)
    if len(values) != len(items):
        return None
    return _unique(rec, node, name, values)


def _reports(rec: _Record, node: Node, name: str, measures: dict[str, Measure], today: dt.date) -> tuple[Report, ...] | None:
    items = _list(rec, node, name)
    if items is None:
        return None
    reports = []
    for item in items:
        report = _report(rec, item, name, measures, today)
        if report is None:
            return None
        reports.append(report)
    years = [r.year for r in reports]
    if len(set(years)) != len(years):
        rec.fail(node, name, "has two reports for the same year: merge them")
        return None
    return tuple(sorted(reports, key=lambda r: r.year))


def _report(rec: _Record, node: Node, name: str, measures: dict[str, Measure], today: dt.date) -> Report | None:
    if not isinstance(node, MappingNode):
        rec.fail(node, name, "each report must be a mapping: {year: 2018, values: {apprenticeships: 3}}")
        return None
    keys = {_key(k): v for k, v in node.value}
    unknown = set(keys) - {"year", "values"}
    if unknown or "year" not in keys or "values" not in keys:
        rec.fail(node, name, "each report needs exactly 'year' and 'values'")
        return None
    year_node = keys["year"]
    if not (isinstance(year_node, ScalarNode) and re.fullmatch(r"\d{4}", year_node.value)) or not (
        2013 <= int(year_node.value) <= today.year
    ):
        rec.fail(year_node, f"{name}.year", f"must be a year from 2013 to {today.year}")
        return None
    values_node = keys["values"]
    if not isinstance(values_node, MappingNode) or not values_node.value:
        rec.fail(values_node, f"{name}.values", "must map measure ids to values, e.g. {apprenticeships: 3}")
        return None
    values = []
    for key, value in values_node.value:
        checked = _report_value(rec, key, value, f"{name}.values", measures)
        if checked is None:
            return None
        values.append((_key(key), checked))
    return Report(int(year_node.value), tuple(values))


def _report_value(rec: _Record, key: Node, value: Node, name: str, measures: dict[str, Measure]) -> str | None:
    key_text = _key(key)
    measure = measures.get(key_text)
    if measure is None or not measure.adopted:
        adopted = [m.id for m in measures.values() if m.adopted]
        rec.fail(key, name, f"{key_text!r} is not an adopted measure {_hint(key_text, adopted)}")
        return None
    label = f"{name}.{key_text}"
    if measure.kind == "narrative":
        return _text(rec, value, label, NARRATIVE_MAX)
    raw = value.value if isinstance(value, ScalarNode) else ""
    try:
        number: Decimal | None = Decimal(raw)
    except InvalidOperation:
        number = None
    wanted = "a percentage from 0 to 100" if measure.kind == "percentage" else "a number, 0 or more"
    if number is None or not number.is_finite() or number < 0 or (measure.kind == "percentage" and number > 100):
        rec.fail(value, label, f"must be {wanted} (found {raw!r})")
        return None
    if not re.fullmatch(NUMBER_PATTERN, raw):
        rec.fail(value, label, f"must be {wanted}, written in plain digits, at most 12 before the point and 4 after, "
                               f"such as 1500 or 64.5 (found {raw!r})")
        return None
    return raw


def _contact_moved(label: str) -> str:
    """Why a contact block is refused, and where it goes: the repository is public and keeps its history."""
    entry = f"'- id: {label}'" if re.fullmatch(SLUG_PATTERN, label) else "the record's id"
    return ("is no longer a field of signatories.yaml, because the repository is public and git keeps every old "
            f"version: move it to contacts.yaml (private: .gitignore lists it and the site never reads it) "
            f"under {entry} with its name, role, email and phone, and delete it here")


def _read_field(rec: _Record, spec: Field, node: Node, measures: dict[str, Measure], today: dt.date) -> object:
    readers: dict[str, Callable[[], object]] = {
        "slug": lambda: _pattern(rec, node, spec.name, spec.max_length, SLUG_PATTERN,
                                 say.NOT_AN_ID),
        "text": lambda: _text(rec, node, spec.name, spec.max_length),
        "choice": lambda: _choice(rec, node, spec.name, spec.choices),
        "choices": lambda: _choices(rec, node, spec.name, spec.choices),
        "date": lambda: _date(rec, node, spec.name, today),
        "dates": lambda: _dates(rec, node, spec.name, today),
        "url": lambda: _url(rec, node, spec.name, spec.max_length),
        "identifier": lambda: _pattern(rec, node, spec.name, spec.max_length, IDENTIFIER_PATTERN,
                                       say.NOT_AN_IDENTIFIER),
        "bool": lambda: _bool(rec, node, spec.name),
        "measures": lambda: _measures(rec, node, spec.name, measures),
        "reports": lambda: _reports(rec, node, spec.name, measures, today),
    }
    return readers[spec.kind]()


def _dates(rec: _Record, node: Node, name: str, today: dt.date) -> tuple[dt.date, ...] | None:
    items = _list(rec, node, name)
    if items is None:
        return None
    values = [_date(rec, item, name, today) for item in items]
    if any(v is None for v in values):
        return None
    return tuple(sorted(v for v in values if v))


def _signatory(file: str, node: Node, index: int, measures: dict[str, Measure], today: dt.date,
               glyph_check: Callable[[str], set[str]] | None) -> tuple[Signatory | None, list[DataError]]:
    if not isinstance(node, MappingNode):
        rec = _Record(file, MappingNode("tag:yaml.org,2002:map", [], node.start_mark, node.end_mark), index)
        rec.fail(node, None, "each signatory must be a set of 'field: value' lines starting with '- id:'")
        return None, rec.errors
    rec = _Record(file, node, index)
    ids = [v.value for k, v in node.value if _key(k) == "id" and isinstance(v, ScalarNode)]
    if ids and re.fullmatch(SLUG_PATTERN, ids[0]):
        rec.label = ids[0]
    values: dict[str, object] = {}
    nodes: dict[str, Node] = {}
    for key, value in node.value:
        spec = FIELDS_BY_NAME.get(_key(key))
        if spec is None:
            name = _key(key)
            rec.fail(key, name, _contact_moved(rec.label) if name == "contact" else
                     f"unknown field {_hint(name, FIELDS_BY_NAME)}")
            continue
        values[spec.name] = _read_field(rec, spec, value, measures, today)
        nodes[spec.name] = value
    for spec in FIELDS:
        if spec.required and spec.name not in values:
            rec.fail(node, spec.name, say.MISSING.format(name=spec.name, help=spec.help))
    _cross_field_rules(rec, lambda name: nodes.get(name, node), values, glyph_check)
    if rec.errors:
        return None, rec.errors
    public = {k: v for k, v in values.items() if FIELDS_BY_NAME[k].public and v is not None}
    return Signatory(line=node.start_mark.line + 1, **public), []  # type: ignore[arg-type]


RESERVED_IDS = {"page"}
"""Ids that would share an address with the register's own pages (register/page/2/ ...)."""


def _cross_field_rules(rec: _Record, at: Callable[[str], Node], values: dict[str, object],
                       glyph_check: Callable[[str], set[str]] | None) -> None:
    """Rules between fields of one record. Each message points at the field it is about (`at`)."""
    if values.get("id") in RESERVED_IDS:
        rec.fail(at("id"), "id", f"'{values['id']}' is reserved for the register's own pages: choose another id")
    signed, withdrawn = values.get("signed"), values.get("withdrawn")
    if values.get("withdrawn_reason") and "withdrawn" not in values:
        rec.fail(at("withdrawn_reason"), "withdrawn_reason", "is set but 'withdrawn' (the date it left) is missing")
    if isinstance(signed, dt.date) and isinstance(withdrawn, dt.date) and withdrawn < signed:
        rec.fail(at("withdrawn"), "withdrawn", f"{withdrawn.isoformat()} is before the signing date {signed.isoformat()}")
    reaffirmed = values.get("reaffirmed") or ()
    if isinstance(signed, dt.date) and any(d < signed for d in reaffirmed):  # type: ignore[union-attr]
        rec.fail(at("reaffirmed"), "reaffirmed", f"a date is before the signing date {signed.isoformat()}")
    name = values.get("name")
    if glyph_check and isinstance(name, str):
        missing = glyph_check(name)
        if missing:
            rec.fail(at("name"), "name", say.GLYPHS.format(shown=say.glyph_list(missing)))


def validate(file: str, nodes: list[Node], measures: dict[str, Measure], today: dt.date,
             glyph_check: Callable[[str], set[str]] | None = None,
             warnings: list[DataError] | None = None) -> list[Signatory]:
    """Turn record nodes into signatories, or raise InvalidData listing every problem.

    Problems that need a person's judgement rather than a fix (a name like another signatory's) are
    added to `warnings` when it is given, and do not stop the build.
    """
    errors: list[DataError] = []
    signatories: list[Signatory] = []
    for index, node in enumerate(nodes):
        signatory, problems = _signatory(file, node, index, measures, today, glyph_check)
        errors.extend(problems)
        if signatory:
            signatories.append(signatory)
    errors.extend(_duplicate_ids(file, nodes))
    if errors:
        raise InvalidData(errors)
    if warnings is not None:
        warnings.extend(similar_names(file, _name_nodes(nodes)))
    return signatories


def _name_nodes(nodes: list[Node]) -> list[tuple[str, ScalarNode]]:
    """(id, name node) of every record, in file order, for the cross-record name check."""
    named = []
    for node in nodes:
        fields = {_key(k): v for k, v in node.value} if isinstance(node, MappingNode) else {}
        record_id, name = fields.get("id"), fields.get("name")
        if isinstance(record_id, ScalarNode) and isinstance(name, ScalarNode):
            named.append((record_id.value, name))
    return named


def _duplicate_ids(file: str, nodes: list[Node]) -> list[DataError]:
    """Ids are permanent addresses: two records must never share one."""
    seen: dict[str, list[Node]] = {}
    for node in nodes:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if _key(key) == "id" and isinstance(value, ScalarNode):
                    seen.setdefault(value.value, []).append(value)
    errors = []
    for value, found in seen.items():
        if len(found) > 1:
            lines = ", ".join(str(n.start_mark.line + 1) for n in found)
            for node in found:
                message = f"'{value}' is used by more than one signatory (lines {lines}): ids must be unique"
                errors.append(Position.of(file, node).error(message, value, "id"))
    return errors
