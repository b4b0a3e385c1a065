"""The sign-up page: its three ways of sending, its rules taken from the validator, and the no-JavaScript template."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import DATA, ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from svcharter import field_messages as say
from svcharter.application import KEYS, format_template, parse_application
from svcharter.build import load_register
from svcharter.config import Config
from svcharter.errors import BuildError
from svcharter.fields import CONTACT_MESSAGES, EMAIL_PATTERN, FIELD_RULES, PHONE_PATTERN, SECTORS, TEXT_RULES
from svcharter.measures import load_survey
from svcharter.pages import PageMaker
from svcharter.signup import PAGE, TEMPLATE, Sending, sending, signup_files, template_hints
from svcharter.signup_rules import WEB_ADDRESS_START, answer_rules, js_pattern

SURVEY = load_survey(ROOT / "content")
ADOPTED = [m for m in SURVEY.measures.values() if m.adopted]


@pytest.fixture(scope="module")
def maker() -> PageMaker:
    cfg = Config(signatories=DATA / "fixture-register.yaml")
    return PageMaker(load_register(cfg), cfg.templates_dir)


def _page(maker: PageMaker, signup: dict) -> BeautifulSoup:
    text = signup_files(maker, {"extra": {"signup": signup}})[PAGE]
    return BeautifulSoup(text, "html.parser")


@pytest.mark.parametrize(("signup", "expected"), [
    ({}, Sending()),
    ({"email": "socialvalue@example.org"}, Sending(email="socialvalue@example.org")),
    ({"form_url": "https://forms.example.org/charter"}, Sending(form_url="https://forms.example.org/charter")),
])
def test_sending_is_read_from_mkdocs_settings(signup: dict, expected: Sending) -> None:
    assert sending({"extra": {"signup": signup}}) == expected


@pytest.mark.parametrize(("signup", "message"), [
    ({"email": "not an address"}, "extra.signup in mkdocs.yml: email must be an email address (got 'not an address')"),
    ({"form_url": "http://forms.example.org/"},
     "extra.signup in mkdocs.yml: form_url must be an https:// address with no spaces or quotes "
     "(got 'http://forms.example.org/')"),
    ({"form_url": 'https://forms.example.org/"><script>'},
     "extra.signup in mkdocs.yml: form_url must be an https:// address with no spaces or quotes "
     "(got 'https://forms.example.org/\"><script>')"),
    ({"form_url": "https://[::1"}, "extra.signup in mkdocs.yml: form_url must be an https:// address with no spaces "
     "or quotes (got 'https://[::1')"),
    ({"email": "a@example.org", "form_url": "https://forms.example.org/"},
     "extra.signup in mkdocs.yml: set email or form_url, not both: with form_url the council's own form replaces ours"),
    ({"emial": "a@example.org"}, "extra.signup in mkdocs.yml: unknown setting 'emial' (allowed: email, form_url)"),
    ("a@example.org", "extra.signup in mkdocs.yml: must be a mapping holding email: ADDRESS or form_url: URL"),
])
def test_bad_sending_settings_stop_the_build(signup: object, message: str) -> None:
    with pytest.raises(BuildError) as caught:
        sending({"extra": {"signup": signup}})
    assert str(caught.value) == message


def test_email_mode_offers_the_mail_app_and_the_address(maker: PageMaker) -> None:
    page = _page(maker, {"email": "social.value@example.org"})
    assert page.select_one("#signup-mail")["href"] == "mailto:social.value@example.org"
    assert "social.value@example.org" in page.select_one("#signup-send").get_text()
    assert "extra.signup" not in page.get_text()  # the council's note is gone once the address is set
    assert page.select_one(".signup-no-js a[href^='mailto:']")["href"] == "mailto:social.value@example.org"
    assert page.select_one("#signup-form") is not None


def test_form_url_mode_links_to_the_councils_form_instead_of_ours(maker: PageMaker) -> None:
    page = _page(maker, {"form_url": "https://forms.example.org/charter?x=1&y=2"})
    assert page.select_one("#signup-form") is None
    assert page.select_one("script") is None
    link = page.select_one("a.md-button")
    assert link["href"] == "https://forms.example.org/charter?x=1&y=2"
    assert link.get_text() == "Apply on the council's forms service"
    assert page.select_one(".signup-next h2").get_text() == "What happens next"


def test_neither_set_is_a_marked_note_and_the_form_still_writes_the_text(maker: PageMaker) -> None:
    page = _page(maker, {})
    notes = [n.get_text(" ", strip=True) for n in page.select(".admonition")]
    assert any("For the council to complete" in n and "extra.signup" in n for n in notes)
    assert page.select_one("#signup-mail") is None
    assert page.select_one("#signup-text") is not None and page.select_one("#signup-copy") is not None


def test_form_asks_every_answer_with_the_report_measures_grouped_by_theme(maker: PageMaker) -> None:
    page = _page(maker, {})
    names = {field["name"] for field in page.select("#signup-form [name]")}
    assert names == set(KEYS)
    assert [i["value"] for i in page.select("input[name=sector]")] == list(SECTORS)
    commitments = page.select("input[name=commitments]")
    assert len(commitments) == len(ADOPTED) == 12
    for measure in ADOPTED:
        box = page.select_one(f"#signup-commitments-{measure.id}")
        assert page.select_one(f"label[for='{box['id']}']").get_text() == measure.wording
        theme = next(t for t in SURVEY.themes if t.id == measure.theme)
        assert box.find_parent("fieldset").legend.get_text() == theme.title
    assert "GB-COH-01234567" in page.select_one("#signup-identifier-hint").get_text()
    assert "GB-CHC-1234567" in page.select_one("#signup-identifier-hint").get_text()
    contact = page.select_one("#signup-contact-hint")
    assert "never publish" in contact.get_text() and contact.a["href"] == "../privacy/"
    assert page.select_one("[data-key=name]")["data-limit"] == "150"
    assert page.select_one("[data-key=statement]")["data-limit"] == "600"


def test_template_holds_every_key_and_every_choice_and_parses_empty() -> None:
    template = format_template(template_hints(SURVEY))
    for key in SECTORS:
        assert key in template
    for measure in ADOPTED:
        assert measure.id in template
    assert all(len(line) <= 72 for line in template.splitlines())
    assert not any(parse_application(template).answers.values())


_SAMPLES = ["a@b.org", "a\ufeff@b.org", "a\x1c@b.org", "a\xa0@b.org", "a\u3000b@c.d", 'a"b@c.d', "a'b@c.d",
            "01743 000000", "+44 (0)1743-000000", "0174\u20093", "https://a.org/x y", "https://a.org/`", "https://a.org"]


@pytest.mark.parametrize("pattern", [EMAIL_PATTERN, PHONE_PATTERN, say.WEB_ADDRESS_FORBIDDEN])
@pytest.mark.parametrize("sample", _SAMPLES)
def test_patterns_rewritten_for_javascript_mean_the_same_to_python(pattern: str, sample: str) -> None:
    rewritten = js_pattern(pattern)
    assert '\\"' not in rewritten and "\\s" not in rewritten
    assert bool(re.search(rewritten, sample)) == bool(re.search(pattern, sample))


def _urlsplit_accepts(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="hHtTpPsS:/?#@[]x.", max_size=14))
def test_web_address_start_accepts_what_urlsplit_accepts(value: str) -> None:
    try:
        expected = _urlsplit_accepts(value)
    except ValueError:  # urlsplit refuses some bracketed hosts outright
        return
    assert bool(re.search(WEB_ADDRESS_START, value)) == expected


def test_a_web_address_urlsplit_cannot_read_is_checks_message_not_a_traceback(tmp_path: Path) -> None:
    register = tmp_path / "signatories.yaml"
    register.write_text('signatories:\n  - id: acme\n    name: Acme\n    sector: private\n    size: small\n'
                        '    signed: 2018-03-01\n    website: "http://[::1"\n', encoding="utf-8")
    result = run_cli("check", "--signatories", str(register), "--build-date", "2026-11-25")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'acme': website: " + say.NOT_A_WEB_ADDRESS.format(value="http://[::1") in result.stderr


def test_rules_take_limits_and_messages_from_the_validator() -> None:
    rules = answer_rules()
    assert list(rules) == list(KEYS)
    assert {r["rule"]: r.get("limit") for r in rules["name"]["rules"]}["max_length"] == 150
    assert rules["name"]["missing"] == say.MISSING.format(name="name", help="The organisation's name, shown exactly as written.")
    assert [r["message"] for r in rules["contact.email"]["rules"]][-1] == CONTACT_MESSAGES["email"]
    assert not rules["website"]["required"] and rules["authorised"]["required"]


def test_text_rules_declared_in_fields_are_exported_in_order() -> None:
    """Every answer gets the shared text rules, then its field's own, then its length limit, as _text checks them."""
    name = answer_rules()["name"]["rules"]
    shared = [say.FOUND.replace("{message}", rule.message) for rule in TEXT_RULES]
    own = [rule.message for rule in FIELD_RULES["name"]]
    assert [r["message"] for r in name] == [*shared, *own, say.TOO_LONG, say.GLYPHS]
    assert [r["match"] for r in name[:len(shared) + len(own)]] == [False] * len(shared) + [not r.refuse for r in FIELD_RULES["name"]]
    location = [r["message"] for r in answer_rules()["location"]["rules"]]
    assert location == [*shared, say.TOO_LONG]


def test_built_site_links_to_the_sign_up_page_and_loads_its_script_there_only(fixture_site: Path) -> None:
    def soup(path: str) -> BeautifulSoup:
        return BeautifulSoup((fixture_site / path).read_text(encoding="utf-8"), "html.parser")

    for path, href in [("index.html", "sign-up/"), ("how-to-sign/index.html", "../sign-up/"),
                       ("register/index.html", "../sign-up/")]:
        assert soup(path).select_one(f"article a[href='{href}']") is not None, path
    scripts = [s["src"] for s in soup("sign-up/index.html").select("script[src]")]
    assert "../assets/signup.js" in scripts
    for path in ("index.html", "register/index.html", "how-to-sign/index.html"):
        assert not any("signup.js" in s.get("src", "") for s in soup(path).select("script"))
    template = (fixture_site / TEMPLATE).read_text(encoding="utf-8")
    assert template == format_template(template_hints(SURVEY))
