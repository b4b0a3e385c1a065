"""Register -> open data: CSV, JSON, JSON Schema, CSVW metadata, Atom feed and JSON-LD. Pure, stable order."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from xml.sax.saxutils import escape as xml_escape

from .fields import ACTIVITIES, SECTORS, SIZES
from .models import Signatory
from .register import CURRENT, Register

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
LICENCE_NAME = "Open Government Licence v3.0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FEED_LIMIT = 100


def xml_attr(text: str) -> str:
    """Text for a double-quoted XML attribute: a quote in an address must not end the attribute."""
    return xml_escape(text, {'"': "&quot;"})


LIST_SEPARATOR = ";"
"""How a CSV cell joins a list; the CSVW metadata declares it, so CSVW tools read the list back."""
LIST_ITEM_TYPES = {"activities": "string", "reaffirmed": "date", "commitments": "string"}
"""The CSV's list columns and the CSVW datatype of each item in them."""


def _join(values: tuple[object, ...]) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# Column name, description, CSVW datatype, and how to read it from (register, signatory).
COLUMNS: tuple[tuple[str, str, str, Callable[[Register, Signatory], str]], ...] = (
    ("id", "Permanent identifier; the page is at register/ID/", "string", lambda r, s: s.id),
    ("name", "Organisation name, as written", "string", lambda r, s: s.name),
    ("status", "current, withdrawn or lapsed on the build date", "string", lambda r, s: r.status(s)),
    ("sector", f"One of: {', '.join(SECTORS)}", "string", lambda r, s: s.sector),
    ("size", f"One of: {', '.join(SIZES)}", "string", lambda r, s: s.size),
    ("activities", f"Semicolon-separated, from: {', '.join(ACTIVITIES)}", "string", lambda r, s: _join(s.activities)),
    ("signed", "Date signed (YYYY-MM-DD)", "date", lambda r, s: s.signed.isoformat()),
    ("reaffirmed", "Semicolon-separated renewal dates", "string", lambda r, s: _join(s.reaffirmed)),
    ("founding", "true for a member of the Social Value Group", "boolean", lambda r, s: "true" if s.founding else "false"),
    ("website", "The organisation's website", "anyURI", lambda r, s: s.website or ""),
    ("identifier", "Org-id style identifier", "string", lambda r, s: s.identifier or ""),
    ("location", "Town or area", "string", lambda r, s: s.location or ""),
    ("commitments", "Semicolon-separated ids of adopted measures", "string", lambda r, s: _join(s.commitments)),
    ("statement", "The organisation's public statement", "string", lambda r, s: s.statement or ""),
    ("withdrawn", "Date withdrawn (YYYY-MM-DD)", "date", lambda r, s: _iso(s.withdrawn)),
    ("withdrawn_reason", "Public reason for withdrawing", "string", lambda r, s: s.withdrawn_reason or ""),
    ("lapsed", "Date the signatory lapsed, when renewal applies", "date", lambda r, s: _iso(r.lapses_on(s))),
    ("page_url", "Address of the signatory's register page", "anyURI", lambda r, s: r.url(r.page_path(s))),
)


def neutralise(cell: str) -> str:
    """Stop a spreadsheet reading a cell as a formula (OWASP CSV injection advice).

    Spreadsheets skip leading spaces, including no-break spaces, before they look for `=`, so the test
    is made after every leading white-space character Python knows (str.lstrip), as well as before.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) or cell.lstrip().startswith(FORMULA_STARTS) else cell


def signatories_csv(register: Register) -> str:
    """RFC 4180 CSV (CRLF line ends), a header row, every signatory including withdrawn ones."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([name for name, *_ in COLUMNS])
    for signatory in register.signatories:
        writer.writerow([neutralise(read(register, signatory)) for *_, read in COLUMNS])
    return out.getvalue()


def record(register: Register, signatory: Signatory, badge_files: list[str]) -> dict[str, object]:
    """One signatory as published in the JSON: public fields only, with addresses."""
    data: dict[str, object] = {
        "id": signatory.id, "name": signatory.name, "status": register.status(signatory),
        "sector": signatory.sector, "size": signatory.size, "activities": list(signatory.activities),
        "signed": signatory.signed.isoformat(), "reaffirmed": [d.isoformat() for d in signatory.reaffirmed],
        "founding": signatory.founding, "website": signatory.website, "identifier": signatory.identifier,
        "location": signatory.location, "commitments": list(signatory.commitments),
        "statement": signatory.statement, "withdrawn": _iso(signatory.withdrawn) or None,
        "withdrawn_reason": signatory.withdrawn_reason, "lapsed": _iso(register.lapses_on(signatory)) or None,
        "page_url": register.url(register.page_path(signatory)),
        "reports": [{"year": r.year, "values": dict(r.values)} for r in signatory.reports],
        "badge": {
            "assertion_url": register.url(f"register/{signatory.id}/badge/assertion.json"),
            "files": [register.url(f"register/{signatory.id}/badge/{name}") for name in badge_files],
        },
    }
    return data


def signatories_json(register: Register, badge_files: dict[str, list[str]]) -> str:
    """The register as JSON, one signatory per line.

    One line each keeps the file readable and makes a diff show one line per
    changed signatory; it also lets the fast C encoder write each record
    (an indented dump is five times slower at 10,000 signatories).
    """
    header = {
        "title": "Shropshire Social Value Charter: register of signatories",
        "licence": LICENCE_URL,
        "register_checked": register.site.build_date.isoformat(),
        "schema": register.url("data/signatories.schema.json"),
    }
    rows = [json.dumps(record(register, s, badge_files.get(s.id, [])), ensure_ascii=False)
            for s in register.signatories]
    opening = json.dumps(header, ensure_ascii=False, indent=1).removesuffix("\n}")
    return opening + ',\n "signatories": [\n  ' + ",\n  ".join(rows) + "\n ]\n}\n"


def json_schema(register: Register) -> str:
    """JSON Schema (2020-12) for signatories.json."""
    nullable_text = {"type": ["string", "null"]}
    date = {"type": "string", "format": "date"}
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "status", "sector", "size", "signed", "page_url", "badge"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 60},
            "name": {"type": "string", "minLength": 1, "maxLength": 150},
            "status": {"enum": ["current", "withdrawn", "lapsed"]},
            "sector": {"enum": list(SECTORS)},
            "size": {"enum": list(SIZES)},
            "activities": {"type": "array", "items": {"enum": list(ACTIVITIES)}},
            "signed": date,
            "reaffirmed": {"type": "array", "items": date},
            "founding": {"type": "boolean"},
            "website": {"type": ["string", "null"], "format": "uri"},
            "identifier": nullable_text, "location": nullable_text,
            "commitments": {"type": "array", "items": {"enum": [m.id for m in register.survey.measures.values() if m.adopted]}},
            "statement": nullable_text,
            "withdrawn": {"type": ["string", "null"], "format": "date"},
            "withdrawn_reason": nullable_text,
            "lapsed": {"type": ["string", "null"], "format": "date"},
            "page_url": {"type": "string", "format": "uri"},
            "reports": {"type": "array", "items": {
                "type": "object", "required": ["year", "values"],
                "properties": {"year": {"type": "integer"},
                               "values": {"type": "object", "additionalProperties": {"type": "string"}}}}},
            "badge": {"type": "object", "required": ["assertion_url", "files"],
                      "properties": {"assertion_url": {"type": "string", "format": "uri"},
                                     "files": {"type": "array", "items": {"type": "string", "format": "uri"}}}},
        },
    }
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": register.url("data/signatories.schema.json"),
        "title": "Shropshire Social Value Charter register",
        "type": "object",
        "required": ["title", "licence", "register_checked", "signatories"],
        "properties": {
            "title": {"type": "string"}, "licence": {"type": "string", "format": "uri"},
            "register_checked": date, "schema": {"type": "string", "format": "uri"},
            "signatories": {"type": "array", "items": item},
        },
    }
    return json.dumps(schema, indent=1) + "\n"


def _list_column(name: str) -> dict[str, str]:
    """A list column's separator and item datatype, so a reuser gets two values, not one joined string."""
    if name not in LIST_ITEM_TYPES:
        return {}
    return {"datatype": LIST_ITEM_TYPES[name], "separator": LIST_SEPARATOR}


def csvw_metadata(register: Register) -> str:
    """CSV on the Web metadata whose columns match the CSV header, in order."""
    columns = [{"name": name, "titles": name, "dc:description": text, "datatype": kind,
                **({"required": True} if name in ("id", "name", "status", "sector", "size", "signed") else {}),
                **_list_column(name)}
               for name, text, kind, _ in COLUMNS]
    data = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": "signatories.csv",
        "dc:title": "Shropshire Social Value Charter: register of signatories",
        "dc:license": LICENCE_URL,
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"]},
        "tableSchema": {"columns": columns, "primaryKey": "id"},
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def events(register: Register) -> list[tuple[dt.date, str, Signatory]]:
    """Signings and withdrawals, newest first, in a stable order."""
    found = [(s.signed, "signed", s) for s in register.signatories]
    found += [(s.withdrawn, "withdrew", s) for s in register.signatories if s.withdrawn]
    return sorted(found, key=lambda e: (e[0], e[1], e[2].id), reverse=True)


def atom_feed(register: Register) -> str:
    """Atom 1.0 feed of new signatories and withdrawals. Its dates come from the data, never the clock."""
    feed_url = register.url("register/feed.xml")
    latest = events(register)[:FEED_LIMIT]
    updated = latest[0][0] if latest else register.site.build_date
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>Shropshire Social Value Charter: new signatories and withdrawals</title>",
        f'<link rel="self" href="{xml_attr(feed_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{xml_attr(register.url("register/"))}"/>',
        f"<id>{xml_escape(feed_url)}</id>",
        f"<updated>{updated.isoformat()}T00:00:00Z</updated>",
        "<author><name>Shropshire Social Value Group</name></author>",
    ]
    for day, kind, signatory in latest:
        page = register.url(register.page_path(signatory))
        title = f"{signatory.name} {'signed the charter' if kind == 'signed' else 'withdrew from the charter'}"
        summary = title + f" on {day.day} {day:%B %Y}."
        if kind == "withdrew" and signatory.withdrawn_reason:
            summary += f" Reason: {signatory.withdrawn_reason}"
        lines += [
            "<entry>",
            f"<title>{xml_escape(title)}</title>",
            f'<link rel="alternate" type="text/html" href="{xml_attr(page)}"/>',
            f"<id>{xml_escape(page)}#{kind}-{day.isoformat()}</id>",
            f"<updated>{day.isoformat()}T00:00:00Z</updated>",
            f"<summary>{xml_escape(summary)}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def register_jsonld(register: Register, rows: list[Signatory], first: int = 0) -> dict[str, object]:
    """schema.org ItemList of the current signatories on one register page."""
    return {
        "@context": "https://schema.org", "@type": "ItemList",
        "name": "Shropshire Social Value Charter: current signatories",
        "numberOfItems": len(register.with_status(CURRENT)),
        "itemListElement": [
            {"@type": "ListItem", "position": first + i, "name": s.name, "url": register.url(register.page_path(s))}
            for i, s in enumerate(rows, start=1)
        ],
    }


def register_rows(register: Register) -> str:
    """Every current signatory in a compact form, for the register's filter when the table is split into pages."""
    current = register.with_status(CURRENT)
    rows = [[s.id, s.name, s.sector, s.size, " ".join(s.activities), s.signed.isoformat(),
             f"{s.signed.day} {s.signed:%B %Y}", int(s.founding)] for s in current]
    data = {"columns": ["id", "name", "sector", "size", "activities", "signed", "signed_label", "founding"],
            "sectors": SECTORS, "sizes": SIZES, "rows": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def organisation_jsonld(register: Register, signatory: Signatory) -> dict[str, object]:
    """schema.org Organization for a signatory's page."""
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "Organization", "name": signatory.name,
        "url": signatory.website or register.url(register.page_path(signatory)),
        "mainEntityOfPage": register.url(register.page_path(signatory)),
    }
    if signatory.location:
        data["location"] = {"@type": "Place", "name": signatory.location}
    if signatory.identifier:
        data["identifier"] = signatory.identifier
    return data


def dataset_jsonld(register: Register) -> dict[str, object]:
    """schema.org Dataset for the open data page."""
    return {
        "@context": "https://schema.org", "@type": "Dataset",
        "name": "Shropshire Social Value Charter: register of signatories",
        "description": "Every organisation that has signed the Shropshire Social Value Charter, "
                       "with its sector, size, date signed and status.",
        "url": register.url("data/"), "license": LICENCE_URL,
        "creator": {"@type": "Organization", "name": "Shropshire Social Value Group"},
        "dateModified": register.site.build_date.isoformat(),
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": register.url("data/signatories.csv")},
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": register.url("data/signatories.json")},
        ],
    }
