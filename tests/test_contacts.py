"""Contact details live in a private contacts.yaml that check validates and the build never reads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT, VALID_RECORD, run_cli, write_register

from svcharter.contacts import HEADER, appended, contact_problem, planned_contacts, write_private
from svcharter.fields import CONTACT_KEYS, CONTACT_MESSAGES
from svcharter.personal import EMAIL

BUILD_DATE = "2025-01-01"
RESERVED_DOMAINS = ("example.org", "example.com", "example.net")
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")
REFUSAL_FIXTURES = {"tests/data/guide/contact.yaml": "shows check's refusal of an old contact block"}
"""Tracked YAML files allowed a `contact:` key, and why: each must still hold one (so the list cannot go stale)."""


def check(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE, *extra, cwd=folder)


def test_check_refuses_a_contact_block_and_says_why_and_where(tmp_path: Path) -> None:
    write_register(tmp_path, VALID_RECORD + "    contact: {name: Ann Example, email: ann@example.org}\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "signatories.yaml:7:5: 'acme-ltd': contact: is no longer a field of signatories.yaml, because the repository "
        "is public and git keeps every old version: move it to contacts.yaml (private: .gitignore lists it and the "
        "site never reads it) under '- id: acme-ltd' with its name, role, email and phone, and delete it here")


@pytest.mark.parametrize(("contacts", "message"), [
    ("- id: acme\n  name: Ann\n", "contacts.yaml:1:7: 'acme': id: 'acme' is not the id of any signatory in "
     "signatories.yaml; did you mean 'acme-ltd'?"),
    ("- id: acme-ltd\n  email: ann at example.org\n", "contacts.yaml:2:10: 'acme-ltd': email: is not an email address"),
    ("- id: acme-ltd\n  phone: ask reception\n",
     "contacts.yaml:2:10: 'acme-ltd': phone: is not a phone number: use digits, spaces, +, ( ) and -"),
    ("- id: acme-ltd\n  role: " + "r" * 101 + "\n", "contacts.yaml:2:9: 'acme-ltd': role: is 101 characters long; the limit is 100"),
    ("- id: acme-ltd\n  mail: ann@example.org\n",
     "contacts.yaml:2:3: 'acme-ltd': mail: unknown field (allowed: id, name, role, email, phone; did you mean 'email'?)"),
    ("- name: Ann\n", "contacts.yaml:1:3: 'contact 1': id: is missing: every contact needs the id of its signatory in "
     "signatories.yaml"),
    ("acme-ltd:\n  phone: 12\n", "contacts.yaml:2:10: 'acme-ltd': phone: YAML reads '12' as a number: put it in quotes, "
     "e.g. phone: \"12\""),
    ("just text\n", "contacts.yaml:1:1: must be a list of contacts, each starting with '- id:' (the signatory's id)"),
    ("- id: acme-ltd\n\tname: Ann\n", "contacts.yaml:2:1: a tab is used for indentation: indent with spaces only"),
])
def test_check_validates_the_contacts_file_beside_the_register(tmp_path: Path, contacts: str, message: str) -> None:
    write_register(tmp_path, VALID_RECORD)
    (tmp_path / "contacts.yaml").write_text(contacts, encoding="utf-8")
    result = check(tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message


@pytest.mark.parametrize("contacts", [
    "# Private.\n- id: acme-ltd\n  name: Ann Example\n  role: Director\n  email: ann@example.org\n  phone: '01632 960000'\n",
    "acme-ltd:\n  name: Ann Example\n  email: ann@example.org\n",
    "# nobody yet\n",
])
def test_check_accepts_both_forms_and_an_empty_file(tmp_path: Path, contacts: str) -> None:
    write_register(tmp_path, VALID_RECORD)
    (tmp_path / "contacts.yaml").write_text(contacts, encoding="utf-8")
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "signatories.yaml: 1 signatories, no problems found.\n"


def test_contacts_option_names_another_file_which_must_exist(tmp_path: Path) -> None:
    write_register(tmp_path, VALID_RECORD)
    (tmp_path / "team.yaml").write_text("- id: nobody\n", encoding="utf-8")
    assert "team.yaml:1:7: 'nobody': id:" in check(tmp_path, "--contacts", "team.yaml").stderr
    result = check(tmp_path, "--contacts", "missing.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "missing.yaml:1:1: file not found"


def test_register_and_contacts_problems_are_reported_together(tmp_path: Path) -> None:
    write_register(tmp_path, VALID_RECORD.replace("sector: private", "sector: privat"))
    (tmp_path / "contacts.yaml").write_text("- id: acme-ltd\n  email: nowhere\n", encoding="utf-8")
    lines = check(tmp_path).stderr.splitlines()
    assert any(line.startswith("signatories.yaml:4:13: 'acme-ltd': sector:") for line in lines)
    assert "contacts.yaml:2:10: 'acme-ltd': email: is not an email address" in lines
    assert lines[-1] == "2 problems found: nothing was built."


def test_the_shared_fixture_site_was_built_beside_a_broken_contacts_file(fixture_site: Path) -> None:
    """test_site checks no byte of it reached the site; here, that it really is broken, so the build never read it."""
    result = run_cli("check", "--signatories", str(DATA / "fixture-register.yaml"), "--contacts",
                     str(DATA / "fixture-contacts.yaml"), "--build-date", "2026-11-25")
    assert result.returncode == 1
    assert "3 problems found" in result.stderr
    assert (fixture_site / "register/acme-ltd/index.html").is_file()


def test_contact_messages_are_the_ones_the_form_shows() -> None:
    assert contact_problem("email", "ann at example.org") == CONTACT_MESSAGES["email"] == "is not an email address"
    assert contact_problem("phone", "ask reception") == CONTACT_MESSAGES["phone"]
    assert contact_problem("name", "n" * 101) == "is 101 characters long; the limit is 100"
    assert contact_problem("email", "ann@example.org") is None
    assert CONTACT_KEYS == {"name": 100, "role": 100, "email": 254, "phone": 25}


def test_appending_keeps_comments_and_the_files_own_layout() -> None:
    contact = {"name": 'Ann "A" Example', "email": "ann@example.org"}
    listed = "# ours\n  - id: a   # note\n    name: B\n"
    assert appended(listed, "contacts.yaml", "acme-ltd", contact) == (
        listed + '  - id: acme-ltd\n    name: "Ann \\"A\\" Example"\n    email: "ann@example.org"\n')
    mapping = "a:\n   name: B\n"
    assert appended(mapping, "contacts.yaml", "acme-ltd", {"role": "Director"}) == (
        mapping + 'acme-ltd:\n   role: "Director"\n')
    crlf = "# ours\r\n- id: a\r\n"
    assert appended(crlf, "contacts.yaml", "b", {"phone": "01632 960000"}) == crlf + '- id: b\r\n  phone: "01632 960000"\r\n'


def test_a_new_contacts_file_has_a_warning_header_and_only_its_owner_can_read_it(tmp_path: Path) -> None:
    path = tmp_path / "contacts.yaml"
    text = planned_contacts(path, "contacts.yaml", "signatories.yaml", "acme-ltd", {"email": "ann@example.org"})
    assert text == HEADER + '- id: acme-ltd\n  email: "ann@example.org"\n'
    write_private(path, text)
    assert path.read_text(encoding="utf-8") == text
    assert path.stat().st_mode & 0o777 == 0o600
    assert yaml.safe_load(text) == [{"id": "acme-ltd", "email": "ann@example.org"}]


def test_gitignore_lists_the_contacts_file() -> None:
    for path in ("contacts.yaml", "tests/contacts.yaml"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert done.returncode == 0, f"{path} is not ignored by git"


def _tracked_yaml() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "*.yaml", "*.yml"], cwd=ROOT, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def _contact_keys(data: object) -> int:
    """How many mappings anywhere in `data` have a `contact` key."""
    if isinstance(data, dict):
        return ("contact" in data) + sum(_contact_keys(value) for value in data.values())
    if isinstance(data, list):
        return sum(_contact_keys(item) for item in data)
    return 0


def _emails(data: object) -> list[str]:
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in _emails(key) + _emails(value)]
    if isinstance(data, list):
        return [found for item in data for found in _emails(item)]
    return EMAIL.findall(str(data))


def test_no_tracked_yaml_file_holds_a_contact_block() -> None:
    tracked = _tracked_yaml()
    assert "signatories.yaml" in tracked and len(tracked) > 10
    for name in tracked:
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree, not yet committed
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            data = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text: fixtures hold impossible dates
        except yaml.YAMLError:
            assert "contact:" not in text, f"{name} cannot be parsed and mentions contact:"
            continue
        found = _contact_keys(data)
        if name in REFUSAL_FIXTURES:
            assert found, f"{name} is allowed a contact block ({REFUSAL_FIXTURES[name]}) but no longer has one"
        else:
            assert not found, f"{name} holds a contact block: move it to contacts.yaml, which is never committed"


def test_every_address_in_a_tracked_yaml_file_is_a_reserved_example() -> None:
    checked = 0
    for name in _tracked_yaml():
        path = ROOT / name
        if not path.is_file():
            continue
        try:
            data = yaml.load(path.read_bytes().decode("utf-8", "replace"), Loader=yaml.BaseLoader)
        except yaml.YAMLError:
            continue
        for address in _emails(data):
            domain = address.rsplit("@", 1)[1].lower()
            checked += 1
            assert domain in RESERVED_DOMAINS or domain.endswith(RESERVED_SUFFIXES) or domain.endswith(
                tuple("." + d for d in RESERVED_DOMAINS)), f"{name}: {address} is not in a reserved example domain"
    assert checked >= 5


def test_a_contacts_path_that_is_a_folder_is_a_message(tmp_path: Path) -> None:
    write_register(tmp_path, VALID_RECORD)
    (tmp_path / "contacts.yaml").mkdir()
    result = check(tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("contacts.yaml:1:1: is not a regular file (it is a folder, a device or a pipe): give the file itself")
    assert "Traceback" not in result.stderr
