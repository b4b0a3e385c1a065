"""The signatory record format, declared once.

The validator, the JSON Schema for editors, the open data page and the
comms guide are all generated from this table, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SECTORS = {
    "private": "Private sector",
    "public": "Public sector",
    "parish-or-town-council": "Parish or town council",
    "voluntary": "Voluntary or third sector",
    "social-enterprise": "Social enterprise",
    "other": "Other",
}
"""Survey question 3, in the survey's order."""

SIZES = {
    "micro": "Micro (0 to 9 staff)",
    "small": "Small (10 to 49 staff)",
    "medium": "Medium (50 to 249 staff)",
    "large": "Large (250 or more staff)",
}
"""Survey question 2, in the survey's order."""

ACTIVITIES = {
    "health": "Health",
    "social-care": "Social care",
    "education": "Education",
    "training-and-employability": "Training and employability",
    "leisure-recreation-and-sport": "Leisure, recreation and sport",
    "transport": "Transport",
    "manufacturing": "Manufacturing",
    "retail": "Retail",
    "construction-and-property": "Construction and property",
    "admin-and-support": "Admin and support",
    "professional-services": "Professional services",
    "other": "Other",
}
"""Survey question 4, in the survey's order."""

# Python, JavaScript editors (ECMAScript, `u` flag) and JSON Schema's `regex` format all read these:
# write them in the syntax the three share, e.g. a quote bare in a character class, never as \".
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
IDENTIFIER_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,12}-[A-Za-z0-9-]{1,60}$"
EMAIL_PATTERN = r"""^[^@\s<>"']+@[^@\s<>"']+\.[^@\s<>"']+$"""
PHONE_PATTERN = r"^[0-9 +()-]{6,25}$"
NUMBER_PATTERN = r"^[0-9]{1,12}([.][0-9]{1,4})?$"
"""A report's figure: plain digits, below a trillion, so every page and total can print it exactly."""


@dataclass(frozen=True)
class Field:
    """One key a signatory record may hold."""

    name: str
    kind: str  # slug, text, choice, choices, date, dates, url, identifier, bool, measures, reports
    help: str
    required: bool = False
    max_length: int | None = None
    choices: dict[str, str] = field(default_factory=dict)
    public: bool = True
    example: str = ""


FIELDS: tuple[Field, ...] = (
    Field("id", "slug",
          "Permanent web address of the signatory's page: a-z, 0-9 and single hyphens. Never change it once published.",
          required=True, max_length=60, example="shropshire-council"),
    Field("name", "text", "The organisation's name, shown exactly as written.", required=True, max_length=150,
          example="Shropshire Council"),
    Field("sector", "choice", "Sector, as in survey question 3.", required=True, choices=SECTORS, example="public"),
    Field("size", "choice", "Number of staff, as in survey question 2.", required=True, choices=SIZES, example="large"),
    Field("activities", "choices", "Areas of activity, as in survey question 4.", choices=ACTIVITIES,
          example="[health, social-care]"),
    Field("signed", "date", "The date the organisation signed, as YYYY-MM-DD. Not in the future.", required=True,
          example="2017-04-01"),
    Field("website", "url", "The organisation's website: an http or https address.", max_length=300,
          example="https://www.example.org"),
    Field("identifier", "identifier",
          "An org-id style identifier: a list code and the number, such as GB-COH-01234567 (Companies House) "
          "or GB-CHC-1234567 (charity).", max_length=80, example="GB-COH-01234567"),
    Field("location", "text", "Town or area.", max_length=80, example="Shrewsbury"),
    Field("founding", "bool", "true for a member of the Social Value Group that adopted the charter.",
          example="true"),
    Field("commitments", "measures", "Ids of the adopted measures the organisation commits to.",
          example="[apprenticeships, jobs-created]"),
    Field("statement", "text", "A short public statement in plain text.", max_length=600),
    Field("withdrawn", "date", "The date the organisation left the charter, as YYYY-MM-DD.", example="2019-05-01"),
    Field("withdrawn_reason", "text", "The public reason for leaving. Needs 'withdrawn'.", max_length=300),
    Field("reaffirmed", "dates", "Dates the organisation renewed its commitment, as a list of YYYY-MM-DD.",
          example="[2019-04-01]"),
    Field("reports", "reports",
          "Progress reports: a list of {year, values: {measure-id: value}}. Values must suit the measure: "
          "a number, a percentage from 0 to 100, or a short narrative."),
)

FIELDS_BY_NAME = {f.name: f for f in FIELDS}
CONTACT_KEYS = {"name": 100, "role": 100, "email": 254, "phone": 25}
"""The private contact person's keys and their length limits: contacts.yaml and the sign-up form read them.
Contacts are never a field of signatories.yaml (see contacts.py)."""
CONTACT_PATTERNS = {"email": EMAIL_PATTERN, "phone": PHONE_PATTERN}
CONTACT_MESSAGES = {"email": "is not an email address", "phone": "is not a phone number: use digits, spaces, +, ( ) and -"}
"""What `check` says when a contact's email or phone does not match its pattern; the sign-up form says the same."""
REPORT_KEYS = ("year", "values")
NARRATIVE_MAX = 600


def char_class(ranges: tuple[tuple[int, int], ...], *, negate: bool = False) -> str:
    """A regular-expression character class that Python `re` and ECMAScript (with the `u` flag) read alike.

    Characters of the Basic Multilingual Plane are written as `\\uXXXX`, which both accept. Python has no
    escape for the other planes that ECMAScript shares, so those characters are written as themselves:
    a literal character means the same in both, and in JSON it travels as an escaped surrogate pair.
    """
    def one(code: int) -> str:
        return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)

    parts = [one(low) if low == high else f"{one(low)}-{one(high)}" for low, high in ranges]
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


@dataclass(frozen=True)
class TextRule:
    """One rule for free text, shared by the validator and the sign-up form in the browser.

    `pattern` is written in the subset of regular expressions that Python `re` and ECMAScript with the
    `u` flag read the same way (no `\\p{...}`, no `\\U`, no named groups, no look-behind). A rule with
    `refuse=True` fails text that the pattern finds anywhere in it; one with `refuse=False` fails text
    in which the pattern finds nothing. `message` is what a person reads after the field's name.
    """

    name: str
    pattern: str
    message: str
    refuse: bool = True


CONTROL_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029))
"""C0 and C1 controls (tab and line feed among them) and the Unicode line and paragraph separators."""
SURROGATE_RANGES = ((0xD800, 0xDFFF),)
"""Half of a UTF-16 pair: no text can hold one alone, and no UTF-8 file can be written with one."""
BIDI_RANGES = ((0x061C, 0x061C), (0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069))
"""Marks, embeddings, overrides and isolates that reorder text, so it can read otherwise than it is stored."""
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F),
    (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
"""Characters that draw nothing: Unicode's format characters (general category Cf, as of Unicode 15) together
with its Default_Ignorable_Code_Point set (soft hyphen, zero-width spaces and joiners, word joiner, invisible
operators, variation selectors, Hangul fillers, the combining grapheme joiner, tag characters). A test checks
that every Cf character Python knows is covered."""
NONCHARACTER_RANGES = ((0xFDD0, 0xFDEF), *((plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF) for plane in range(17)))
"""The 66 code points Unicode reserves never to be characters (U+FDD0 to U+FDEF and the last two of each plane).
U+FFFE makes an XML feed invalid."""
NOT_SHOWN_RANGES = ((0x00, 0x20), (0x7F, 0xA0), (0x00AD, 0x00AD), (0x0300, 0x036F), (0x1680, 0x1680),
                    (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x206F), (0x3000, 0x3000), (0x3164, 0x3164),
                    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0))
"""Spaces, controls, invisible characters and combining accents: a name made only of these shows nothing."""

TEXT_RULES: tuple[TextRule, ...] = (
    TextRule("control", char_class(CONTROL_RANGES),
             "holds a line break, tab or control character: keep it to plain text on one line"),
    TextRule("surrogate", char_class(SURROGATE_RANGES),
             "holds half of a character (a lone surrogate), which cannot be saved as text: retype the value"),
    TextRule("bidi", char_class(BIDI_RANGES),
             "holds an invisible character that changes the direction of text, so it can read differently "
             "from what it says: delete it (retype the value if you cannot see it)"),
    TextRule("invisible", char_class(INVISIBLE_RANGES),
             "holds an invisible character (such as a zero-width space or soft hyphen), usually pasted by "
             "accident: delete it (retype the value if you cannot see it)"),
    TextRule("noncharacter", char_class(NONCHARACTER_RANGES),
             "holds a Unicode noncharacter, which is not text and breaks the feeds: delete it"),
)
"""Refused in every text field, in this order (the first rule broken is reported)."""

FIELD_RULES: dict[str, tuple[TextRule, ...]] = {
    "name": (TextRule("visible", char_class(NOT_SHOWN_RANGES, negate=True),
                      "has no visible character: write the organisation's name in letters", refuse=False),),
    "website": (TextRule("userinfo", r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@",
                         "holds a user name or password before '@', which would send readers to another "
                         "site: write only the organisation's address, e.g. https://www.example.org"),),
}
"""Rules for one field, checked after TEXT_RULES."""
