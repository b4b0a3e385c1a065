"""Realistic synthetic registers for the benchmark and its test.

Why synthetic: the real register has a few dozen entries, but the site must
stay fast at 10,000. A benchmark on toy data would hide exactly the costs
that grow with size (long names that wrap on badges, accented text, many
reports per page), so every record here is the kind an editor could write:
names of every length from 1 to 150 characters with Welsh and accented
letters, every public field in use (no contact details: they live in a
private contacts file, not in signatories.yaml), some signatories withdrawn
with a reason. Everything comes from one seeded random generator, so a given (N, seed) always yields the same bytes
and two runs of the benchmark measure the same work.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
from pathlib import Path

from svcharter.config import ROOT
from svcharter.fields import ACTIVITIES, FIELDS, SECTORS, SIZES
from svcharter.measures import Measure, load_survey

BUILD_DATE = dt.date(2026, 11, 25)
"""Fixed so dates (and hence pages and badges) do not change from day to day."""
FIRST_SIGNED = dt.date(2017, 1, 1)
NAME_MAX = 150
WITHDRAWN_SHARE = 0.08

WORDS = (
    "Shropshire", "Severn", "Valley", "Ludlow", "Shrewsbury", "Oswestry", "Telford", "Wrekin", "Clun", "Corvedale",
    "Bridgnorth", "Much Wenlock", "Church Stretton", "Market Drayton", "Whitchurch", "Ellesmere", "Wem", "Craven Arms",
    "Bishop’s Castle", "Llanymynech", "Llanfair", "Tŷ Bryn", "Caffi", "Gweithdy", "Cwm", "Pen-y-bont", "Ŵyn",
    "Bryn Ŷd", "Dôl", "Glân", "Tân", "Môr", "Hêdd", "Llŷn", "Crêperie", "Café", "Naïve", "Brasserie Élan", "Château",
    "Joinery", "Brewery", "Surgery", "Crafts", "Bakery", "Builders", "Care", "Trust", "Partnership", "Foundation",
    "Community", "Housing", "Transport", "Engineering", "Consulting", "Training", "Academy", "School", "Farm",
    "Dairy", "Garage", "Print", "Design", "Digital", "Solicitors", "Accountants", "Nursery", "Hospice", "Leisure",
    "Sports Club", "Parish Council", "Town Council", "& Sons", "& Daughters", "& Co", "Hafod", "Maes", "Nant",
    "Rhôs", "Ffynnon", "Garth", "Coed", "Eglwys", "Sïon", "Gwên", "Bêl", "Owain’s", "Dafydd’s", "Siân’s",
)
SUFFIXES = ("Ltd", "Limited", "LLP", "CIC", "Trust", "Cyf", "plc", "Co-operative", "Group", "Association")
TOWNS = ("Shrewsbury", "Telford", "Oswestry", "Ludlow", "Bridgnorth", "Market Drayton", "Whitchurch", "Church Stretton",
         "Bishop’s Castle", "Much Wenlock", "Llanymynech", "Craven Arms", "Ellesmere", "Wem", "Clun", "Shropshire")
STATEMENT_BITS = (
    "We buy from local suppliers wherever we can & pay the real living wage.",
    "Rydym yn falch o gefnogi’r siarter: croeso i bawb.",
    "Our apprentices train with partners across the county, from Ludlow to Oswestry.",
    "We run a café where young people gain their first qualifications.",
    "Staff volunteer two days a year with charities in Shropshire & Powys.",
    "We publish our progress every year, à la carte: measures we chose, figures we checked.",
)
NARRATIVES = (
    "Ran a market stall for local growers at Ludlow Food Festival.",
    "Hosted a ‘meet the buyer’ event with Shropshire Chamber & the council’s procurement team.",
    "Co-funded a rural broadband scheme for Clun, Bettws-y-Crwyn and Llanfair Waterdine.",
    "Mentored six start-ups in Telford; two now supply us.",
)
REASONS = (
    "The company closed its Shropshire site.",
    "Merged with another signatory & now reports through them.",
    "Ceased trading.",
    "Chose not to renew after the trustees’ review.",
)


def adopted_measures() -> list[Measure]:
    """The adopted measures from content/measures.yaml, so commitments and reports always validate."""
    survey = load_survey(ROOT / "content")
    return [m for m in survey.measures.values() if m.adopted]


def slug(text: str) -> str:
    """A readable id fragment: accents folded, a-z and 0-9 only."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "org"


def name_of_length(rng: random.Random, length: int) -> str:
    """An organisation-like name of exactly `length` characters, no leading or trailing space."""
    parts: list[str] = []
    while len(" ".join(parts)) < length:
        parts.append(rng.choice(WORDS if len(parts) % 3 != 2 else (*WORDS, *SUFFIXES)))
    text = " ".join(parts)[:length].rstrip()
    while len(text) < length:  # trimming may leave a space at the cut; pad with letters instead
        text += rng.choice("aeiouwyâêîôûŵŷéï")
    return text


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def report_value(rng: random.Random, measure: Measure) -> str | int:
    if measure.kind == "narrative":
        return rng.choice(NARRATIVES)
    if measure.kind == "percentage":
        return rng.randint(0, 100)
    return rng.randint(0, 250)


def make_record(rng: random.Random, index: int, length: int, measures: list[Measure]) -> dict[str, object]:
    """One signatory record; most use every optional field, a few are minimal like a quick sign-up."""
    name = name_of_length(rng, length)
    signed = random_date(rng, FIRST_SIGNED, BUILD_DATE - dt.timedelta(days=30))
    record: dict[str, object] = {
        "id": f"{slug(name)[:48].strip('-')}-{index}",
        "name": name,
        "sector": rng.choice(list(SECTORS)),
        "size": rng.choice(list(SIZES)),
        "signed": signed,
    }
    minimal = rng.random() < 0.1
    if not minimal:
        record["activities"] = rng.sample(list(ACTIVITIES), rng.randint(1, 3))
        record["website"] = f"https://www.{slug(name)[:40].strip('-')}-{index}.example.org/"
        kind = rng.choice(("COH", "CHC"))
        record["identifier"] = f"GB-{kind}-{rng.randint(10**6, 10**8 - 1):08d}"
        record["location"] = rng.choice(TOWNS)
        chosen = rng.sample(measures, rng.randint(1, 5))
        record["commitments"] = [m.id for m in chosen]
        record["statement"] = " ".join(rng.sample(STATEMENT_BITS, rng.randint(1, 3)))[:600]
        years = list(range(signed.year, BUILD_DATE.year))
        reports = []
        for year in sorted(rng.sample(years, min(len(years), rng.randint(0, 4)))):
            reports.append({"year": year, "values": {m.id: report_value(rng, m) for m in chosen}})
        if reports:
            record["reports"] = reports
        reaffirmed = sorted({random_date(rng, signed, BUILD_DATE) for _ in range(rng.randint(0, 2))})
        if reaffirmed:
            record["reaffirmed"] = reaffirmed
    if signed < dt.date(2017, 7, 1) and rng.random() < 0.5:
        record["founding"] = True
    if rng.random() < WITHDRAWN_SHARE:
        record["withdrawn"] = random_date(rng, signed, BUILD_DATE)
        record["withdrawn_reason"] = rng.choice(REASONS)
    return record


def generate(count: int, seed: int = 2017) -> list[dict[str, object]]:
    """`count` records; name lengths cycle through 1..150 in a shuffled order so every length appears once N >= 150."""
    rng = random.Random(seed)
    measures = adopted_measures()
    lengths = [(i % NAME_MAX) + 1 for i in range(count)]
    rng.shuffle(lengths)
    return [make_record(rng, i, length, measures) for i, length in enumerate(lengths)]


def scalar(value: object) -> str:
    """A YAML scalar the strict loader reads as the field expects: text always double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def flow(value: object) -> str:
    """Inline YAML for lists and mappings, as editors write them in signatories.yaml."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return scalar(value)


def dump(records: list[dict[str, object]]) -> str:
    """The register as YAML text, in the field order of fields.FIELDS."""
    order = [f.name for f in FIELDS]
    lines = [f"# Synthetic register: {len(records)} signatories, generated by bench/synthetic.py.", "signatories:"]
    for record in records:
        first = True
        for key in sorted(record, key=order.index):
            value = record[key]
            prefix = "  - " if first else "    "
            first = False
            if key == "reports":
                lines.append(f"{prefix}reports:")
                lines.extend(f"      - {{year: {r['year']}, values: {flow(r['values'])}}}" for r in value)  # type: ignore[attr-defined]
            else:
                lines.append(f"{prefix}{key}: {flow(value)}")
        lines.append("")
    return "\n".join(lines)


def write_register(path: Path, count: int, seed: int = 2017) -> list[dict[str, object]]:
    """Write a register file and return its records (so callers can change one and write it again)."""
    records = generate(count, seed)
    path.write_text(dump(records), encoding="utf-8")
    return records


def change_one_name(path: Path, records: list[dict[str, object]]) -> str:
    """Rename one current (badge-holding) signatory and rewrite the file; returns its id.

    The renamed record is the first current one with a short name, so the new
    name stays within the 150-character limit.
    """
    for record in records:
        name = str(record["name"])
        if "withdrawn" not in record and len(name) < NAME_MAX - 12:
            record["name"] = name + " (renamed)"
            path.write_text(dump(records), encoding="utf-8")
            return str(record["id"])
    raise ValueError("no current signatory to rename")
