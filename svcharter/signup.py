"""The sign-up page, /sign-up/: the form, its rules, and the plain-text template for people without JavaScript.

How an application reaches the charter team is set in mkdocs.yml under
`extra.signup`: `email` (the form opens the applicant's mail app), or
`form_url` (the council's own forms service replaces our form), or neither
(a note for the council, and the form still writes the text to copy).
Pure: returns page text and file contents; writer.py writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from . import field_messages as say
from .application import BEGIN, DECLARATION, DECLARATION_YES, END, KEYS, WIDTH, format_template
from .errors import BuildError
from .fields import EMAIL_PATTERN, FIELDS_BY_NAME
from .measures import Survey
from .pages import PageMaker, front_matter
from .signup_rules import answer_rules, whitespace_class

PAGE = "sign-up/index.md"
TEMPLATE = "sign-up/application.txt"
MAIL_LINK_LIMIT = 2000
"""Mail links longer than this are cut short or refused by some mail apps."""
SETTINGS_KEYS = ("email", "form_url")


@dataclass(frozen=True)
class Sending:
    """Where applications go, from mkdocs.yml's extra.signup."""

    email: str | None = None
    form_url: str | None = None


@dataclass(frozen=True)
class Question:
    """What the applicant reads for one answer: the label (or legend) and a hint."""

    label: str
    hint: str = ""
    short: str = ""
    """The answer's name out of its fieldset: in the error summary and on "Check your answers"."""

    @property
    def name(self) -> str:
        return self.short or self.label


QUESTIONS: dict[str, Question] = {
    "name": Question("Organisation name", "As it should appear in the register."),
    "sector": Question("Which sector is your organisation in?", short="Sector"),
    "size": Question("How many staff does your organisation have?", short="Size"),
    "activities": Question("What are your organisation's areas of activity?", "Select all that apply.",
                           short="Areas of activity"),
    "website": Question("Website", "An address that starts with https:// or http://, for example "
                                   "https://www.example.org"),
    "identifier": Question("Organisation identifier", FIELDS_BY_NAME["identifier"].help),
    "location": Question("Town or area", f"For example, {FIELDS_BY_NAME['location'].example}."),
    "commitments": Question("Which measures will your organisation commit to?",
                            "Select all that apply. The measures are grouped by theme.", short="Commitments"),
    "statement": Question("Public statement", "A short statement in plain text, shown on your organisation's "
                                              "page in the register."),
    "contact.name": Question("Full name", short="Contact name"),
    "contact.role": Question("Role or job title", short="Contact role"),
    "contact.email": Question("Email address", short="Contact email address"),
    "contact.phone": Question("Phone number", short="Contact phone number"),
    DECLARATION: Question("I am authorised to sign the charter for this organisation", short="Declaration"),
}
"""The applicant's words for each answer of an application, in its order."""


def _fail(message: str) -> BuildError:
    return BuildError(f"extra.signup in mkdocs.yml: {message}")


def sending(settings: dict) -> Sending:
    """Read and check extra.signup; an address that is not an email or https address stops the build."""
    raw = (settings.get("extra") or {}).get("signup") or {}
    if not isinstance(raw, dict):
        raise _fail("must be a mapping holding email: ADDRESS or form_url: URL")
    unknown = sorted(set(raw) - set(SETTINGS_KEYS))
    if unknown:
        raise _fail(f"unknown setting {', '.join(map(repr, unknown))} (allowed: {', '.join(SETTINGS_KEYS)})")
    email, form_url = raw.get("email"), raw.get("form_url")
    if email is not None and not (isinstance(email, str) and re.fullmatch(EMAIL_PATTERN, email)):
        raise _fail(f"email must be an email address (got {email!r})")
    if form_url is not None and not _is_https(form_url):
        raise _fail(f"form_url must be an https:// address with no spaces or quotes (got {form_url!r})")
    if email and form_url:
        raise _fail("set email or form_url, not both: with form_url the council's own form replaces ours")
    return Sending(email=email or None, form_url=form_url or None)


def _is_https(value: object) -> bool:
    if not isinstance(value, str) or re.search(say.WEB_ADDRESS_FORBIDDEN, value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def label(key: str, rules: dict[str, dict[str, object]]) -> str:
    """The question, marked "(optional)" when `check` lets it be left out, as the GOV.UK pattern asks."""
    text = QUESTIONS[key].label
    return text if rules[key]["required"] or key == DECLARATION else f"{text} (optional)"


def _choice_list(choices: dict[str, str]) -> str:
    return "; ".join(f"{key} ({text})" for key, text in choices.items())


def _template_question(key: str, rules: dict[str, dict[str, object]]) -> str:
    if key == DECLARATION:
        return f"Write {DECLARATION_YES} to confirm: {QUESTIONS[key].label}."
    question = label(key, rules)
    if key.startswith("contact."):  # out of the form's "Contact person" fieldset, the short name says whose
        question = QUESTIONS[key].name + question.removeprefix(QUESTIONS[key].label)
    return question if question.endswith("?") else question + "."


def _template_format(key: str, survey: Survey) -> str:
    """How to write the answer by hand: the hint, or for a choice the ids it takes."""
    spec = FIELDS_BY_NAME.get(key)
    if key == "commitments":
        return "Write the ids, separated by commas: " + _choice_list(adopted(survey)) + "."
    if spec is not None and spec.kind == "choice":
        return "Write one of: " + _choice_list(spec.choices) + "."
    if spec is not None and spec.kind == "choices":
        return "Write the ids, separated by commas: " + _choice_list(spec.choices) + "."
    return QUESTIONS[key].hint


def template_hints(survey: Survey, rules: dict[str, dict[str, object]] | None = None) -> dict[str, str]:
    """The `#` lines of the plain-text template: each question, how to answer it, and its limit."""
    rules = rules or answer_rules()
    hints: dict[str, str] = {}
    for key in KEYS:
        limits = [f"Up to {r['limit']} characters." for r in rules[key]["rules"] if r["rule"] == "max_length"]  # type: ignore[attr-defined]
        parts = [_template_question(key, rules), _template_format(key, survey), *limits]
        hints[key] = " ".join(part for part in parts if part)
    return hints


def adopted(survey: Survey) -> dict[str, str]:
    """The adopted measures' ids and wording, in the report's order."""
    return {m.id: m.wording for m in survey.measures.values() if m.adopted}


def _themes(survey: Survey) -> list[tuple[str, list[tuple[str, str]]]]:
    grouped = []
    for theme in survey.themes:
        measures = [(m.id, m.wording) for m in survey.measures.values() if m.adopted and m.theme == theme.id]
        if measures:
            grouped.append((theme.title, measures))
    return grouped


def browser_rules(survey: Survey, sent: Sending, site_name: str,
                  rules: dict[str, dict[str, object]]) -> dict[str, object]:
    """Everything signup.js needs, generated: the block's format, each answer's rules, where to send."""
    return {
        "labels": {key: QUESTIONS[key].name for key in KEYS},
        "keys": list(KEYS), "begin": BEGIN, "end": END, "width": WIDTH, "whitespace": whitespace_class(),
        "answers": rules, "email": sent.email, "mail_limit": MAIL_LINK_LIMIT,
        "subject": f"Application to sign the {site_name}", "choices": _choice_labels(survey),
    }


def _choice_labels(survey: Survey) -> dict[str, dict[str, str]]:
    """The words shown on "Check your answers" for each id a choice question can hold."""
    labels = {key: dict(FIELDS_BY_NAME[key].choices) for key in ("sector", "size", "activities")}
    labels["commitments"] = adopted(survey)
    labels[DECLARATION] = {DECLARATION_YES: "Yes"}
    return labels


def signup_files(maker: PageMaker, settings: dict) -> dict[str, str]:
    """The sign-up page's Markdown and the plain-text template beside it."""
    sent = sending(settings)
    survey = maker.register.survey
    rules = answer_rules()
    template = format_template(template_hints(survey, rules))
    mailto = "mailto:" + quote(sent.email, safe="@") if sent.email else ""
    body = maker.render("signup.html.j2", sent=sent, questions=QUESTIONS, rules=rules, mailto=mailto,
                        labels={key: label(key, rules) for key in KEYS}, themes=_themes(survey),
                        template_kb=max(1, round(len(template.encode("utf-8")) / 1024)),
                        browser_rules=browser_rules(survey, sent, maker.register.site.site_name, rules))
    page = front_matter("Sign up to the charter", body,
                        description="Apply for your organisation to sign the Shropshire Social Value Charter.")
    return {PAGE: page, TEMPLATE: template}
