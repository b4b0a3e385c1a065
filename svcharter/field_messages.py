"""The words `check` uses for a bad value, as templates that both the validator and the sign-up form fill in.

models.py formats them with `str.format`; the form on /sign-up/ gets the
same templates at build time (svcharter/signup.py) and fills the same
placeholders in the browser, so an applicant reads exactly the sentence the
charter team would see from `check`. Placeholders: {name}, {help}, {length},
{limit}, {shown}, and {value!r} (the value as Python's repr writes it).
A contact's email and phone messages live beside their patterns, in
fields.CONTACT_MESSAGES.
"""

from __future__ import annotations

MISSING = "is missing: every signatory needs {name} ({help})"
EMPTY = "is empty: write a value or remove the line"
FOUND = "{message} (found {found})"
"""A character rule's message (fields.TEXT_RULES) with the code point it found, e.g. U+200B."""
TOO_LONG = "is {length} characters long; the limit is {limit}"
NOT_A_WEB_ADDRESS = "{value!r} is not a web address: it must start with https:// or http://"
NOT_WEB_ADDRESS_CHARACTERS = "{value!r} holds a space, quote, bracket or other character a web address cannot hold"
WEB_ADDRESS_FORBIDDEN = r"[\s<>\"'`\\{}|^]"
"""Characters a published web address may not hold."""
NOT_AN_ID = "is not a valid id: use a-z, 0-9 and single hyphens, e.g. shropshire-council"
NOT_AN_IDENTIFIER = "is not an org-id style identifier such as GB-COH-01234567"
"""Pattern advice: the validator writes the value's repr and a space before it."""
GLYPHS = "holds characters the charter's font cannot draw: {shown}"
NOT_DECLARED = "is missing: tick the box to confirm you may sign the charter for the organisation"
"""The application's declaration (`authorised: yes`), which the register does not keep."""


def glyph_list(missing: set[str]) -> str:
    """The characters a font lacks, in code point order, as the glyph message shows them."""
    return ", ".join(f"'{c}' (U+{ord(c):04X})" for c in sorted(missing))
