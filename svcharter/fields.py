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

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
IDENTIFIER_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,12}-[A-Za-z0-9-]{1,60}$"
EMAIL_PATTERN = r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"
PHONE_PATTERN = r"^[0-9 +()-]{6,25}$"


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
