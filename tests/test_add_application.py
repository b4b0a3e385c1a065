"""`add --application`: an emailed sign-up becomes a record equal to what was sent, or nothing is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import APPLICATION_ANSWERS as ANSWERS
from conftest import DATA, ROOT

from svcharter.application import format_application, slug, unique_id

BUILD_DATE = "2025-01-01"
PRIVATE = ("Siân O'Brien-Jones", "sian@example.org", "+44 1632 960000", "Director")


def email(answers: dict, quote: str = "> ") -> str:
    """A reply quoting the application, with the text a mail program puts around it."""
    block = format_application(answers)
    quoted = "".join(f"{quote}{line}\n" for line in block.splitlines())
    return f"Thanks, forwarding this on.\n\nOn 1 Jan, the applicant wrote:\n> Hello,\n>\n{quoted}>\n> Regards\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copyfile(DATA / "commented-signatories.yaml", tmp_path / "signatories.yaml")
    return tmp_path


def add(folder: Path, text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`python build.py add --application -` with `text` on standard input, as the charter team runs it."""
    command = [sys.executable, str(ROOT / "build.py"), "add", "--application", "-", "--signatories", "signatories.yaml",
               "--build-date", BUILD_DATE, *extra]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=folder, input=text, capture_output=True, text=True, timeout=300, env=env)


def last_record(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["signatories"][-1]


def test_a_quoted_email_becomes_the_record_that_was_sent(folder: Path) -> None:
    register = folder / "signatories.yaml"
    before = register.read_bytes()
    result = add(folder, email(ANSWERS, quote=">> "), "--contacts", "contacts.yaml")
    assert result.returncode == 0, result.stderr
    assert register.read_bytes().startswith(before)  # every comment and record kept, byte for byte
    record = last_record(register)
    sent = {key: value for key, value in ANSWERS.items() if "." not in key and key != "authorised"}
    expected = {key: " ".join(value.split()) if isinstance(value, str) else value for key, value in sent.items()}
    assert record == {"id": "cwmni-cydweithredol-llanfair-ac-wyn-sians-cafe-and-oeuvre", "signed": BUILD_DATE,
                      **expected}
    assert "Added to the end of signatories.yaml:\n\n  - id: \"cwmni-cydweithredol" in result.stdout
    checked = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--signatories", "signatories.yaml",
                              "--build-date", BUILD_DATE], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "3 signatories, no problems found" in checked.stdout


def test_contacts_go_to_the_contacts_file_only(folder: Path) -> None:
    result = add(folder, email(ANSWERS), "--contacts", "contacts.yaml")
    assert result.returncode == 0, result.stderr
    register = (folder / "signatories.yaml").read_text(encoding="utf-8")
    assert not [value for value in PRIVATE if value in register]
    assert not [value for value in PRIVATE if value in result.stdout]
    entries = yaml.safe_load((folder / "contacts.yaml").read_text(encoding="utf-8"))
    assert entries == [{"id": "cwmni-cydweithredol-llanfair-ac-wyn-sians-cafe-and-oeuvre", "name": "Siân O'Brien-Jones",
                        "role": "Director", "email": "sian@example.org", "phone": "+44 1632 960000"}]
    assert "Added the contact person to contacts.yaml (private: never commit it)." in result.stdout
    again = add(folder, email({**ANSWERS, "contact.email": "other@example.net"}), "--contacts", "contacts.yaml")
    assert again.returncode == 0, again.stderr
    text = (folder / "contacts.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Private:") and "id: cwmni-cydweithredol-llanfair-ac-wyn-sians-cafe-and-oeuvre-2" in text
    checked = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--signatories", "signatories.yaml",
                              "--build-date", BUILD_DATE], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr  # contacts.yaml beside the register: every id is in it


def test_without_contacts_file_the_contact_is_printed_once_and_written_nowhere(folder: Path) -> None:
    result = add(folder, email(ANSWERS))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("sian@example.org") == 1
    assert "for your own records only" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["signatories.yaml"]
    assert "sian@example.org" not in (folder / "signatories.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "message"), [
    ({"sector": "privat"}, "<standard input>:8:1: 'application': sector: 'privat' is not a known value (allowed: private, "
     "public, parish-or-town-council, voluntary, social-enterprise, other; did you mean 'private'?)"),
    ({"commitments": ["apprenticeship"]}, "<standard input>:14:1: 'application': commitments: 'apprenticeship' is not a "
     "measure"),
    ({"website": "www.example.org"}, "<standard input>:11:1: 'application': website: 'www.example.org' is not a web "
     "address: it must start with https:// or http://"),
    ({"name": ""}, "<standard input>:7:1: 'application': name: is missing: every signatory needs name"),
    ({"contact.email": "sian at example.org"}, "<standard input>:18:1: 'application': contact.email: is not an email "
     "address"),
    ({"contact.phone": "ring the office"}, "<standard input>:19:1: 'application': contact.phone: is not a phone number: "
     "use digits, spaces, +, ( ) and -"),
    ({"authorised": ""}, "<standard input>:20:1: 'application': authorised: is not answered: the applicant must declare "
     "that they are authorised to sign for the organisation"),
    ({"authorised": "no"}, "<standard input>:20:1: 'application': authorised: is 'no', not 'yes'"),
])
def test_a_bad_answer_names_its_line_of_the_pasted_text_and_writes_nothing(folder: Path, change: dict, message: str) -> None:
    answers = {**ANSWERS, "statement": "Short.", **change}
    before = (folder / "signatories.yaml").read_bytes()
    result = add(folder, email(answers), "--contacts", "contacts.yaml")
    assert result.returncode == 1
    assert any(line.startswith(message) for line in result.stderr.splitlines()), result.stderr
    assert (folder / "signatories.yaml").read_bytes() == before
    assert not (folder / "contacts.yaml").exists()


def test_the_line_named_is_the_answers_line(folder: Path) -> None:
    text = email({**ANSWERS, "statement": "Short.", "sector": "privat"})
    assert text.splitlines()[7] == "> sector: privat"  # line 8, as the message above says


def test_an_edited_block_is_refused_at_the_edited_line(folder: Path) -> None:
    text = email(ANSWERS).replace("> size: micro", "> sise: micro")
    before = (folder / "signatories.yaml").read_bytes()
    result = add(folder, text)
    assert result.returncode == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "sise" in row)
    assert f"<standard input>:{line}:1: 'application': 'sise' is not a field of an application: did you mean 'size'?" \
        in result.stderr
    assert (folder / "signatories.yaml").read_bytes() == before


def test_a_cut_off_block_is_refused(folder: Path) -> None:
    text = email(ANSWERS).split("> authorised")[0]
    result = add(folder, text)
    assert result.returncode == 1
    assert "the application is cut off" in result.stderr


def test_id_and_signed_options(folder: Path) -> None:
    result = add(folder, email(ANSWERS), "--id", "llanfair-coop", "--signed", "2024-12-01")
    assert result.returncode == 0, result.stderr
    assert last_record(folder / "signatories.yaml")["id"] == "llanfair-coop"
    assert last_record(folder / "signatories.yaml")["signed"] == "2024-12-01"
    taken = add(folder, email(ANSWERS), "--id", "alpha-trust")
    assert taken.returncode == 1
    assert "--id: 'alpha-trust' is already taken in signatories.yaml: choose another id" in taken.stderr
    future = add(folder, email(ANSWERS), "--signed", "2030-01-01")
    assert future.returncode == 1
    assert "--signed: 2030-01-01 is in the future (the build date is 2025-01-01)" in future.stderr
    bad_id = add(folder, email(ANSWERS), "--id", "Llanfair Co-op")
    assert "--id: 'Llanfair Co-op' is not a valid id" in bad_id.stderr


def test_other_answer_options_are_a_usage_error(folder: Path) -> None:
    result = add(folder, email(ANSWERS), "--name", "Other")
    assert result.returncode == 2
    assert "--application takes every answer from the application: leave out --name" in result.stderr


def test_an_application_file_can_be_named(folder: Path) -> None:
    (folder / "mail.txt").write_text(email(ANSWERS), encoding="utf-8")
    command = [sys.executable, str(ROOT / "build.py"), "add", "--application", "mail.txt", "--signatories",
               "signatories.yaml", "--build-date", BUILD_DATE, "--quiet"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    missing = subprocess.run(command[:4] + ["nowhere.txt"] + command[5:], cwd=folder, capture_output=True, text=True)
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: cannot read the application nowhere.txt:")


@pytest.mark.parametrize(("name", "expected"), [
    ("Siân's Café", "sians-cafe"),
    ("Caffi Tŷ Bryn – Café & Bar’s", "caffi-ty-bryn-cafe-and-bars"),
    ("Œuvre Straße Łódź Ærø", "oeuvre-strasse-lodz-aero"),
    ("  --Acme   Ltd.-- ", "acme-ltd"),
    ("北京 Trading", "trading"),
    ("北京", ""),
    ("Shropshire " * 10, "shropshire-shropshire-shropshire-shropshire-shropshire"),
])
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected
    assert len(slug(name)) <= 60


def test_unique_id_counts_up_and_keeps_within_the_limit() -> None:
    assert unique_id("Acme Ltd", {"acme-ltd", "acme-ltd-2"}) == "acme-ltd-3"
    assert unique_id("北京", set()) == "signatory"
    assert unique_id("a" * 70, {"a" * 60}) == "a" * 58 + "-2"
    assert unique_id("Page", {"page"}) == "page-2"


def test_a_contacts_file_in_a_missing_folder_writes_nothing(folder: Path) -> None:
    before = (folder / "signatories.yaml").read_bytes()
    result = add(folder, email(ANSWERS), "--contacts", "nowhere/contacts.yaml")
    assert result.returncode == 1
    assert result.stderr.startswith("error: nowhere/contacts.yaml: there is no folder nowhere (nothing was changed)")
    assert (folder / "signatories.yaml").read_bytes() == before


def test_a_broken_contacts_file_is_refused_before_the_register_is_changed(folder: Path) -> None:
    (folder / "contacts.yaml").write_text("- id: alpha-trust\n  phone: call me\n", encoding="utf-8")
    before = (folder / "signatories.yaml").read_bytes()
    result = add(folder, email(ANSWERS), "--contacts", "contacts.yaml")
    assert result.returncode == 1
    assert "contacts.yaml already has problems; fix them first (nothing was changed)" in result.stderr
    assert "contacts.yaml:2:10: 'alpha-trust': phone: is not a phone number" in result.stderr
    assert (folder / "signatories.yaml").read_bytes() == before


def test_contacts_without_an_application_is_a_usage_error(folder: Path) -> None:
    command = [sys.executable, str(ROOT / "build.py"), "add", "--yes", "--id", "x", "--contacts", "contacts.yaml",
               "--signatories", "signatories.yaml"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr == "error: --contacts is for the contact details in an application: give --application too\n"


def test_an_email_that_is_not_utf8_is_a_message(folder: Path) -> None:
    command = [sys.executable, str(ROOT / "build.py"), "add", "--application", "-", "--signatories", "signatories.yaml"]
    done = subprocess.run(command, cwd=folder, input=email(ANSWERS).encode("utf-8") + b"\xff\xfe", capture_output=True,
                          timeout=300)
    assert done.returncode == 1
    assert done.stderr.decode().startswith("error: cannot read the application <standard input>: 'utf-8' codec")
