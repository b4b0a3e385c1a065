"""The sign-up form in Chromium: the same rules and words as `check`, the block `add --application` reads, access.

Two builds of the small fixture register are served side by side: the
project as shipped (no address set: the form only writes the text to copy)
at /, and a copy with `extra.signup.email` set at /mail/. Every page a test
opens is watched for console errors, dialogs, requests off the site and
Content-Security-Policy violations.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from browser_support import (
    BUILD_DATE,
    PageLog,
    Site,
    build_site,
    describe_violations,
    launch_browser,
    require_browser,
    run_axe,
    served_site,
    tab_to,
)

from svcharter import field_messages as say
from svcharter.application import KEYS, format_application
from svcharter.contacts import validate_contacts
from svcharter.errors import InvalidData
from svcharter.load import load_records
from svcharter.measures import load_survey
from svcharter.models import validate
from svcharter.signup import QUESTIONS
from svcharter.textpath import missing_glyphs

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "fixture-register.yaml"
ADDRESS = "social.value@example.org"
CSP_WATCH = ("window.__cspViolations = [];"
             "document.addEventListener('securitypolicyviolation',"
             " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The project as shipped at /, and a copy with `extra.signup.email` set at /mail/."""
    require_browser()
    work = tmp_path_factory.mktemp("signup-site")
    project = work / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench"))
    settings = project / "mkdocs.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  signup: {}", f"  signup: {{email: {ADDRESS}}}"),
                        encoding="utf-8")

    def build(root: Path, origin: str) -> None:
        build_site(FIXTURE, root, work / "cache", origin)
        mail = [sys.executable, str(project / "build.py"), "build", "--quiet", "--output", str(root / "mail"),
                "--cache-dir", str(work / "cache-mail"), "--build-date", BUILD_DATE, "--site-url",
                origin + "mail/", "--signatories", str(FIXTURE)]
        result = subprocess.run(mail, cwd=project, capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, result.stderr

    with served_site(work, build) as served:
        yield served


@pytest.fixture(scope="session")
def chromium(sites: Site, playwright_driver: Any) -> Iterator[Any]:
    browser = launch_browser(playwright_driver)
    try:
        yield browser
    finally:
        browser.close()


class Tab:
    """One page in a fresh context, with what it logged."""

    def __init__(self, chromium: Any, sites: Site, **options: Any) -> None:
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", **options)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sites.origin.rstrip("/"))
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.add_init_script(CSP_WATCH)
        self.log = PageLog(sites.origin)
        self.log.attach(self.page)
        self.sites = sites

    def open(self, path: str) -> Any:
        response = self.page.goto(self.sites.origin + path, wait_until="load")
        assert response is not None and response.status == 200
        return self.page

    def problems(self) -> list[str]:
        found = self.log.problems()
        if self.page.evaluate("() => Array.isArray(window.__cspViolations)"):
            found += [f"CSP violation: {v}" for v in self.page.evaluate("() => window.__cspViolations")]
        return found


@pytest.fixture
def tab(chromium: Any, sites: Site) -> Iterator[Tab]:
    opened = Tab(chromium, sites)
    try:
        yield opened
        problems = opened.problems()
        assert not problems, "\n".join(problems)
    finally:
        opened.context.close()


def assert_axe_clean(page: Any) -> None:
    """No WCAG 2.2 AA violation, checked once the theme's colour transitions have ended (a colour mid-fade,
    such as a button's just after it was pressed, is not one the page shows)."""
    page.evaluate("() => Promise.all(document.getAnimations().map(animation => animation.finished))")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)


def one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------- what `check` says


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar for any text, as edit.py writes one."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def check_messages(tmp_path: Path, cases: list[tuple[str, str]]) -> list[str]:
    """`check`'s message for each (key, value): a public answer in its own otherwise valid record of the
    register, a contact answer in its own entry of the private contacts file."""
    found = {f"r{i}": "" for i in range(len(cases))}
    contact_lines = []
    lines = ["signatories:"]
    for index, (key, value) in enumerate(cases):
        record = {"id": f"r{index}", "name": '"Acme Ltd"', "sector": "private", "size": "small", "signed": "2018-03-01"}
        if key.startswith("contact."):
            contact_lines += [f"- id: r{index}", f"  {key.removeprefix('contact.')}: {_yaml_string(value)}"]
        elif value:
            record[key] = _yaml_string(value)
        else:
            record.pop(key)
        lines.append(f"  - id: r{index}")
        lines += [f"    {k}: {v}" for k, v in record.items() if k != "id"]
    for problem in validate_contacts("\n".join(contact_lines) + "\n", "contacts.yaml", "signatories.yaml", None):
        found[str(problem.record)] = problem.message
    path = tmp_path / "cases.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    nodes = load_records(path, "cases.yaml", "signatories")
    try:
        validate("cases.yaml", nodes, load_survey(ROOT / "content").measures, dt.date.fromisoformat(BUILD_DATE),
                 missing_glyphs)
    except InvalidData as error:
        for problem in error.errors:
            found[str(problem.record)] = problem.message
    return [found[f"r{i}"] for i in range(len(cases))]


# ------------------------------------------------------------- the block


_ALPHABET = list("abc XYZ-,.:;'\"<>&#\\/%+") + ["\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "\ufeff",
                                                "Ŵ", "ŷ", "é", "e\u0301", "Œ", "😀", "𝔘", "\u200b", "–", "\x07", "\x9b"]


def _random_text(rng: random.Random, longest: int) -> str:
    words = []
    for _ in range(rng.randint(0, longest)):
        words.append("".join(rng.choice(_ALPHABET) for _ in range(rng.choice([1, 3, 8, 30, 80]))))
    return " ".join(words)


def test_javascript_writes_exactly_the_block_python_writes(tab: Tab) -> None:
    rng = random.Random(12)
    cases = []
    for _ in range(150):
        answers: dict[str, object] = {key: _random_text(rng, 12) for key in KEYS if rng.random() < 0.7}
        answers["activities"] = [_random_text(rng, 2) for _ in range(rng.randint(0, 3))]
        cases.append(answers)
    page = tab.open("sign-up/")
    written = page.evaluate("""cases => {
        const rules = svcharterSignup.Rules(JSON.parse(document.getElementById('signup-rules').textContent));
        return cases.map(answers => rules.block(answers));
    }""", cases)
    for answers, text in zip(cases, written, strict=True):
        assert text == format_application(answers)


def test_javascript_refuses_what_check_refuses_in_its_words(tab: Tab, tmp_path: Path) -> None:
    rng = random.Random(7)
    keys = ["name", "website", "identifier", "location", "contact.email", "contact.phone", "contact.name"]
    prefixes = {"website": ["https://", "http://", "HTTPS://x.org/", ""], "identifier": ["GB-COH-", "GB-CHC-", ""],
                "contact.email": ["a@b.", "x@", ""], "contact.phone": ["01743 ", "+44 ", ""]}
    cases = []
    for key in keys:
        for _ in range(40):
            value = rng.choice(prefixes.get(key, [""])) + _random_text(rng, rng.choice([1, 2, 40]))
            cases.append((key, one_line(value)))
    cases = [(key, value) for key, value in cases if value]
    page = tab.open("sign-up/")
    said = page.evaluate("""cases => {
        const rules = svcharterSignup.Rules(JSON.parse(document.getElementById('signup-rules').textContent));
        return cases.map(([key, value]) => rules.problem(key, value));
    }""", cases)
    assert said == check_messages(tmp_path, cases)
    assert sum(1 for message in said if message) > len(cases) / 4  # the sample does reach the rules


# ------------------------------------------------------------- errors


ROUNDS = [
    {"name": "x" * 151, "website": "www.example.org", "identifier": "12345", "location": "y" * 81,
     "contact.email": "not an email", "contact.phone": "call me", "statement": "z" * 601},
    {"name": "Acme 😀 Ltd", "website": "https://example.org/it's", "identifier": "GB-COH-\u200b123",
     "contact.name": "n" * 101, "sector": None},
    {"name": "", "website": "https://example.org/" + "a" * 290, "size": None, "authorised": None},
    {"name": "Acme\x07Ltd", "website": "https://example.org/a b"},
]


def fill(page: Any, answers: dict[str, object]) -> None:
    """Type each answer; a choice is ticked by its value, a list by each of its values."""
    for key, value in answers.items():
        field_id = "signup-" + key.replace(".", "-")
        if key in ("sector", "size"):
            page.check(f"#{field_id}-{value}")
        elif key in ("activities", "commitments"):
            for each in value:  # type: ignore[union-attr]
                page.check(f"#{field_id}-{each}")
        elif key == "authorised":
            page.check("#signup-authorised-yes")
        else:
            page.fill(f"#{field_id}", str(value))


def valid_answers(**changes: object) -> dict[str, object]:
    answers: dict[str, object] = {"name": "Acme Ltd", "sector": "private", "size": "small", "authorised": "yes"}
    answers.update(changes)
    return answers


@pytest.mark.parametrize("answers", ROUNDS, ids=["limits-and-patterns", "font-quotes-invisible", "missing", "control"])
def test_each_invalid_answer_shows_checks_message_in_the_summary_and_at_the_field(
        tab: Tab, tmp_path: Path, answers: dict[str, object | None]) -> None:
    page = tab.open("sign-up/")
    fill(page, {k: v for k, v in {**valid_answers(), **answers}.items() if v is not None})
    page.click("#signup-form button[type=submit]")
    assert page.evaluate("() => document.activeElement.id") == "signup-errors"
    assert page.title().startswith("Error: ")
    bad = [key for key in KEYS if key in answers]
    record_cases = [(key, one_line(str(answers[key] or ""))) for key in bad if key != "authorised"]
    expected = dict(zip([k for k, _ in record_cases], check_messages(tmp_path, record_cases), strict=True))
    if "authorised" in answers:
        expected["authorised"] = say.NOT_DECLARED
    assert all(expected.values()), expected
    entries = page.locator("#signup-errors-list a").all_inner_texts()
    assert entries == [f"{QUESTIONS[key].name}: {expected[key]}" for key in bad]
    for key in bad:
        note = page.locator(f".signup-group[data-key='{key}'] .signup-error")
        assert note.text_content() == f"Error: {expected[key]}"
    assert_axe_clean(page)
    page.locator("#signup-errors-list a").last.click()
    last = bad[-1]
    focused = page.evaluate("() => document.activeElement.name")
    assert focused == last


# ------------------------------------------------------------- the whole journey


def _welsh_name() -> str:
    base = "Cwmni Cydweithredol Ŵyn a Ŷd – Llanfair-ym-Muallt, Siân & Zoë’s Café <b>“Œuvre”</b> Ñandú "
    name = (base * 2)[:150].rstrip()
    return name + "ŵ" * (150 - len(name))


FULL = {
    "name": _welsh_name(),
    "sector": "social-enterprise",
    "size": "micro",
    "activities": ["health", "social-care"],
    "website": "https://www.example.org/cy/amdanom-ni?iaith=cy&x=1",
    "identifier": "GB-CHC-1234567",
    "location": "Llanfair Caereinion",
    "commitments": ["local-supply-chain-spend", "apprenticeships", "jobs-created"],
    "statement": "Rydym yn prynu'n lleol. <img src=x onerror=alert(1)> \"; DROP TABLE x; {{ 7*7 }} $(rm -rf /) "
                 "# not a hint\nname: not a key   \t spaced  out  " + "Prynwn yn Sir Amwythig yn gyntaf. " * 12,
    "contact.name": "Siân O'Brien-Jones",
    "contact.role": "Rheolwr Gwerth Cymdeithasol",
    "contact.email": "sian@example.org",
    "contact.phone": "+44 (0)1743 000000",
    "authorised": "yes",
}


def _as_sent(answers: dict[str, object]) -> dict[str, object]:
    return {k: v if isinstance(v, list) else one_line(str(v)) for k, v in answers.items()}


def _mail_body(href: str) -> tuple[str, str, str]:
    parts = urlsplit(href)
    query = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    return unquote(parts.path), unquote(query["subject"]), unquote(query["body"]).replace("\r\n", "\n")


def test_full_application_by_email_is_added_by_the_charter_teams_command(tab: Tab, tmp_path: Path) -> None:
    assert len(FULL["name"]) == 150  # type: ignore[arg-type]
    page = tab.open("mail/sign-up/")
    fill(page, FULL)
    page.click("#signup-form button[type=submit]")
    assert page.locator("#signup-errors").is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "signup-check-title"
    rows = page.locator(".signup-summary__row")
    assert rows.count() == len(KEYS)
    assert page.locator(".signup-summary__row").first.locator("dd").first.inner_text() == FULL["name"]
    assert_axe_clean(page)

    page.locator(".signup-summary__row", has_text="Town or area").get_by_role("link").click()
    assert page.evaluate("() => document.activeElement.id") == "signup-location"
    assert page.input_value("#signup-name") == FULL["name"]
    page.fill("#signup-location", "Y Trallwng")
    page.click("#signup-form button[type=submit]")
    sent = _as_sent({**FULL, "location": "Y Trallwng"})
    summary = page.locator("#signup-summary").inner_text()
    assert "Y Trallwng" in summary and "Rydym yn prynu'n lleol. <img src=x onerror=alert(1)>" in summary

    page.click("#signup-confirm")
    text = page.input_value("#signup-text")
    assert text == format_application(sent)
    address, subject, body = _mail_body(page.get_attribute("#signup-mail", "href"))
    assert (address, body) == (ADDRESS, text)
    assert subject.endswith(sent["name"])  # type: ignore[arg-type]
    assert len(page.get_attribute("#signup-mail", "href")) > 2000
    assert page.locator("#signup-too-long").is_visible()
    page.click("#signup-copy")
    page.wait_for_function("() => document.getElementById('signup-copy-status').textContent.startsWith('Copied')")
    assert page.evaluate("() => navigator.clipboard.readText()") == text

    register, contacts = tmp_path / "signatories.yaml", tmp_path / "contacts.yaml"
    shutil.copy(FIXTURE, register)
    before = register.read_text(encoding="utf-8")
    add = subprocess.run([sys.executable, str(ROOT / "build.py"), "add", "--application", "-", "--signatories",
                          str(register), "--contacts", str(contacts), "--build-date", BUILD_DATE, "--signed", BUILD_DATE],
                         input=f"Hello,\n\n{body}\nThanks\n", cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert add.returncode == 0, add.stderr
    after = register.read_text(encoding="utf-8")
    assert after.startswith(before)
    added = yaml.safe_load(after)["signatories"][-1]
    expected = {k: v for k, v in sent.items() if not k.startswith("contact.") and k != "authorised"}
    assert {k: v for k, v in added.items() if k != "id"} == {**expected, "signed": dt.date.fromisoformat(BUILD_DATE)}
    assert "sian@example.org" not in after
    contact = next(entry for entry in yaml.safe_load(contacts.read_text(encoding="utf-8")) if entry["id"] == added["id"])
    assert contact == {"id": added["id"], **{k.removeprefix("contact."): v for k, v in sent.items() if k.startswith("contact.")}}
    check = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--signatories", str(register),
                            "--contacts", str(contacts), "--build-date", BUILD_DATE],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr


def test_short_application_fits_the_mail_link_without_a_warning(tab: Tab) -> None:
    page = tab.open("mail/sign-up/")
    fill(page, valid_answers())
    page.click("#signup-form button[type=submit]")
    page.click("#signup-confirm")
    href = page.get_attribute("#signup-mail", "href")
    assert len(href) <= 2000 and page.locator("#signup-too-long").is_hidden()
    assert _mail_body(href)[2] == format_application(_as_sent(valid_answers()))


def test_without_an_address_the_form_still_writes_the_text_to_copy(tab: Tab) -> None:
    page = tab.open("sign-up/")
    assert "For the council to complete" in page.locator("#signup").inner_text()
    fill(page, valid_answers(commitments=["apprenticeships"]))
    page.click("#signup-form button[type=submit]")
    page.click("#signup-confirm")
    assert page.locator("#signup-mail").count() == 0
    assert page.input_value("#signup-text") == format_application(_as_sent(valid_answers(commitments=["apprenticeships"])))
    assert page.locator(".signup-next").last.is_visible()


def test_character_counts_are_announced_politely(tab: Tab) -> None:
    page = tab.open("sign-up/")
    page.fill("#signup-name", "x" * 148)
    live = page.locator("[data-key=name] [aria-live=polite]")
    page.wait_for_function("el => el.textContent === 'You have 2 characters remaining'", arg=live.element_handle())
    page.fill("#signup-statement", "y" * 601)
    page.wait_for_function("() => document.querySelector('[data-key=statement] [aria-live=polite]').textContent"
                           " === 'You have 1 character too many'")
    assert page.locator("[data-key=statement] .signup-count").inner_text() == "You have 1 character too many"


# ------------------------------------------------------------- access


def test_empty_form_passes_axe_and_shows_no_no_javascript_steps(tab: Tab) -> None:
    page = tab.open("mail/sign-up/")
    assert page.locator("#signup-form").is_visible() and page.locator(".signup-no-js").is_hidden()
    assert_axe_clean(page)


def test_without_javascript_the_page_offers_the_template(chromium: Any, sites: Site) -> None:
    opened = Tab(chromium, sites, java_script_enabled=False)
    try:
        page = opened.open("mail/sign-up/")
        assert page.locator("#signup-form").is_hidden()
        steps = page.locator(".signup-no-js")
        assert steps.is_visible() and ADDRESS in steps.inner_text()
        with page.expect_download() as download:
            page.click("a[href='application.txt']")
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.startswith("----- BEGIN SOCIAL VALUE CHARTER APPLICATION -----\n")
        assert not opened.log.problems()
    finally:
        opened.context.close()


def enter_on(page: Any, predicate: str) -> str:
    """Tab to the element where `predicate` holds, press Enter, and return the id of what has focus then:
    each step of the form moves focus to what a keyboard user must read or answer next."""
    tab_to(page, predicate)
    page.keyboard.press("Enter")
    return page.evaluate("() => document.activeElement.id")


def test_whole_journey_by_keyboard_alone_at_320_px(tab: Tab) -> None:
    page = tab.page
    page.set_viewport_size({"width": 320, "height": 720})
    tab.open("mail/sign-up/")
    wide = "() => document.documentElement.scrollWidth"
    submit = "el.type === 'submit'"
    assert page.evaluate(wide) <= 320
    tab_to(page, "el.id === 'signup-name'")
    page.keyboard.type("Cwmni Ŵyn")
    tab_to(page, "el.name === 'sector'")
    page.keyboard.press("Space")
    tab_to(page, "el.name === 'size'")
    page.keyboard.press("ArrowDown")
    assert enter_on(page, submit) == "signup-errors"
    assert page.evaluate(wide) <= 320
    assert_axe_clean(page)
    assert enter_on(page, "el.closest('#signup-errors-list')") == "signup-authorised-yes"
    page.keyboard.press("Space")
    assert enter_on(page, submit) == "signup-check-title"
    assert page.evaluate(wide) <= 320
    name_row = "el.closest('.signup-summary__row') && el.textContent.includes('organisation name')"
    assert enter_on(page, name_row) == "signup-name"
    page.keyboard.press("End")
    page.keyboard.type(" Cyf")
    enter_on(page, submit)
    assert enter_on(page, "el.id === 'signup-confirm'") == "signup-send-title"
    assert page.evaluate(wide) <= 320
    assert "name: Cwmni Ŵyn Cyf\nsector: private\nsize: small\n" in page.input_value("#signup-text")
    enter_on(page, "el.id === 'signup-copy'")
    page.wait_for_function("() => document.getElementById('signup-copy-status').textContent.startsWith('Copied')")
    assert_axe_clean(page)
