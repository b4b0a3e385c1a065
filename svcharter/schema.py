"""JSON Schema for signatories.yaml, generated from the same FIELDS table the validator reads.

Editors (VS Code with the YAML extension, via the `# yaml-language-server`
line at the top of signatories.yaml) use it to complete field names and flag
mistakes while comms staff type. Generating it from `fields.FIELDS` means a
new field cannot reach the validator without reaching the editor too. The
validator stays the authority: the schema is a typing aid and is written to
accept everything the validator accepts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from . import fields
from .config import ROOT
from .fields import (
    IDENTIFIER_PATTERN,
    NARRATIVE_MAX,
    SLUG_PATTERN,
    Field,
)
from .measures import Measure, load_survey

SCHEMA_PATH = Path("schema/signatories.schema.json")
"""Where `python build.py schema` writes, relative to the project folder."""

# Written in the syntax Python, ECMAScript and JSON Schema share, with the same meaning in each,
# like the patterns in fields.py.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # not \d, which is any Unicode digit in Python
DECIMAL_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
URL_PATTERN = r"""^https?://[^\s<>"'`\\]+$"""
STRING_KINDS = ("slug", "text", "choice", "date", "url", "identifier")
Schema = dict[str, object]


def _text(spec: Field, pattern: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "minLength": 1}
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if pattern:
        schema["pattern"] = pattern
    return schema


def _date() -> Schema:
    return {"type": "string", "format": "date", "pattern": DATE_PATTERN}


def _enum(choices: dict[str, str] | list[str]) -> Schema:
    return {"type": "string", "enum": list(choices)}


def _unique_list(item: Schema) -> Schema:
    return {"type": "array", "items": item, "uniqueItems": True}


def _report_value(measure: Measure) -> Schema:
    """A value that suits the measure; numbers may also be quoted, as the validator allows."""
    if measure.kind == "narrative":
        return {"type": "string", "minLength": 1, "maxLength": NARRATIVE_MAX}
    number: Schema = {"type": "number", "minimum": 0}
    if measure.kind == "percentage":
        number["maximum"] = 100
    return {"anyOf": [number, {"type": "string", "pattern": DECIMAL_PATTERN}]}


def _reports(adopted: list[Measure]) -> Schema:
    values = {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {m.id: _report_value(m) for m in adopted},
    }
    report = {
        "type": "object",
        "additionalProperties": False,
        "required": ["year", "values"],
        "properties": {"year": {"type": "integer", "minimum": 2013}, "values": values},
    }
    return {"type": "array", "items": report}


def _kinds(spec: Field, adopted: list[Measure]) -> dict[str, Callable[[], Schema]]:
    """One schema maker per Field.kind: a kind missing here fails loudly, not silently."""
    return {
        "slug": lambda: _text(spec, SLUG_PATTERN),
        "text": lambda: _text(spec),
        "choice": lambda: _enum(spec.choices),
        "choices": lambda: _unique_list(_enum(spec.choices)),
        "date": _date,
        "dates": lambda: {"type": "array", "items": _date()},
        "url": lambda: _text(spec, URL_PATTERN) | {"format": "uri"},
        "identifier": lambda: _text(spec, IDENTIFIER_PATTERN),
        "bool": lambda: {"type": "boolean"},
        "measures": lambda: _unique_list(_enum([m.id for m in adopted])),
        "reports": lambda: _reports(adopted),
    }


def field_schema(spec: Field, adopted: list[Measure]) -> Schema:
    """The schema of one field, with its help text as the editor's hover description."""
    makers = _kinds(spec, adopted)
    if spec.kind not in makers:
        raise ValueError(f"field {spec.name!r} has kind {spec.kind!r}, which schema.py does not know")
    schema = {"title": spec.name, "description": spec.help, **makers[spec.kind]()}
    if spec.example and spec.kind in STRING_KINDS:  # other kinds' examples are YAML snippets, not values
        schema["examples"] = [spec.example]
    return schema


def signatories_schema(content_dir: Path = ROOT / "content") -> dict:
    """The JSON Schema (draft-07, which editors support best) for signatories.yaml."""
    survey = load_survey(content_dir)
    adopted = [m for m in survey.measures.values() if m.adopted]
    specs = fields.FIELDS  # read at call time, so the schema always follows the table
    record = {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in specs if f.required],
        "properties": {f.name: field_schema(f, adopted) for f in specs},
        "dependencies": {"withdrawn_reason": ["withdrawn"]},
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Shropshire Social Value Charter: signatories.yaml",
        "description": "Generated from svcharter/fields.py by `python build.py schema`; do not edit by hand.",
        "type": "object",
        "additionalProperties": False,
        "required": ["signatories"],
        "properties": {"signatories": {"type": ["array", "null"], "items": {"$ref": "#/definitions/signatory"}}},
        "definitions": {"signatory": record},
    }


def schema_text(content_dir: Path = ROOT / "content") -> str:
    """The schema as the checked-in file holds it: stable key order, two-space indent, final newline."""
    return json.dumps(signatories_schema(content_dir), indent=2, ensure_ascii=False) + "\n"


def write_schema(root: Path = ROOT) -> Path:
    """Write schema/signatories.schema.json under `root`; returns the path written."""
    target = root / SCHEMA_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(root / "content"), encoding="utf-8")
    return target
