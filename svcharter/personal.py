"""Warnings for what looks like a person's email address or phone number in a public field.

Everything in a public field is published on the site, in the open data and
in the repository's history. Contact details belong in the private contacts
file, so `check` warns (it does not refuse: a shared office number may be
meant to be public) when a public field holds:

- an email address whose local part is not a role address (ROLE_ADDRESSES,
  such as info@ or enquiries@): `ann.smith@example.org` warns,
  `info@example.org` does not;
- a phone number: a run of 10 to 13 digits that starts with 0 (UK) or +
  (international), optionally broken up by spaces, hyphens, dots or brackets,
  such as `01743 000000`, `07700 900123` or `+44 (0)1743 000000`. Company and
  charity numbers (7 or 8 digits), years and amounts do not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DataError
from .load import Position, _record_label

PUBLIC_TEXT_FIELDS = ("name", "statement", "location", "withdrawn_reason", "website")
"""Public fields of free text; the narratives inside `reports` are checked too."""
ROLE_ADDRESSES = frozenset({"info", "enquiries", "enquiry", "hello", "contact", "office", "admin", "mail",
                            "reception", "sales", "support", "team", "general", "press"})
"""Local parts of shared mailboxes, which an organisation publishes on purpose."""
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w+])(?:\+|0)[\d().\- ]{8,22}\d(?![\w])")
PHONE_DIGITS = range(10, 14)


def personal_details(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each email address and phone number in `text` that may be a person's own, in order."""
    found = [(m.start(), "email address", m.group()) for m in EMAIL.finditer(text)
             if m.group().split("@")[0].lower() not in ROLE_ADDRESSES]
    blanked = EMAIL.sub(lambda m: " " * len(m.group()), text)  # digits inside an address are not a phone number
    for match in PHONE.finditer(blanked):
        number = match.group().strip()
        if len(re.sub(r"\D", "", number)) in PHONE_DIGITS:
            found.append((match.start(), "phone number", number))
    return [(kind, detail) for _, kind, detail in sorted(found)]


def _report_values(node: Node) -> Iterator[tuple[str, ScalarNode]]:
    """Each value in `reports` (a list of {year, values: {measure: value}}), labelled as `check` labels it."""
    reports = node.value if isinstance(node, SequenceNode) else []
    for report in reports:
        for key, values in report.value if isinstance(report, MappingNode) else []:
            if isinstance(key, ScalarNode) and key.value == "values" and isinstance(values, MappingNode):
                for measure, value in values.value:
                    if isinstance(measure, ScalarNode) and isinstance(value, ScalarNode):
                        yield f"reports.values.{measure.value}", value


def _record_fields(node: MappingNode) -> Iterator[tuple[str, ScalarNode]]:
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else ""
        if name in PUBLIC_TEXT_FIELDS and isinstance(value, ScalarNode):
            yield name, value
        elif name == "reports":
            yield from _report_values(value)


def personal_data_warnings(file: str, nodes: list[Node]) -> list[DataError]:
    """A warning at each public value that holds what looks like a personal email address or phone number."""
    warnings: list[DataError] = []
    for index, node in enumerate(nodes):
        if not isinstance(node, MappingNode):
            continue
        label = _record_label(node) or f"record {index + 1}"
        for field, value in _record_fields(node):
            for kind, detail in personal_details(value.value):
                message = (f"{detail!r} may be a person's own {kind}, and this field is published: if it is, "
                           "remove it here and keep it in the private contacts file (contacts.yaml) instead")
                warnings.append(DataError(file, *_where(file, value), label, field, message, "warning"))
    return warnings


def _where(file: str, node: Node) -> tuple[int, int]:
    position = Position.of(file, node)
    return position.line, position.column
