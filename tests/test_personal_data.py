"""`check` warns, and still passes, when a public field holds what looks like a person's email or phone number."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import VALID_RECORD, run_cli, write_register

from svcharter.cli import github_annotation
from svcharter.errors import DataError
from svcharter.personal import ROLE_ADDRESSES, personal_details


@pytest.mark.parametrize(("text", "found"), [
    ("Ask ann.smith@example.org", [("email address", "ann.smith@example.org")]),
    ("Write to info@example.org or enquiries@example.org", []),
    ("Call 07700 900123 today", [("phone number", "07700 900123")]),
    ("Tel: +44 (0)1743 000000.", [("phone number", "+44 (0)1743 000000")]),
    ("Ring 01743-000-000 or jo@example.net", [("phone number", "01743-000-000"), ("email address", "jo@example.net")]),
    ("Company GB-COH-01234567, charity 1234567, since 2019, £1,200,000 spent", []),
    ("Apprentices: 12 of 40 hires (30%)", []),
    ("https://www.example.org/team?who=ben@example.org", [("email address", "ben@example.org")]),
])
def test_what_counts_as_personal(text: str, found: list[tuple[str, str]]) -> None:
    assert personal_details(text) == found


def test_role_addresses_are_the_documented_ones() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs/comms-guide.md").read_text(encoding="utf-8")
    for local in sorted(ROLE_ADDRESSES):
        assert f"`{local}@`" in guide, f"docs/comms-guide.md does not list the role address {local}@"


RECORD = VALID_RECORD + """\
    location: "Ludlow, ring 07700 900123"
    statement: "Ask Ann Smith (ann.smith@example.org) or info@example.org."
    reports:
      - year: 2019
        values: {local-growth-initiatives: "Jo Bloggs ran it: jo@example.net"}
"""


def test_check_warns_at_each_field_and_exits_0(tmp_path: Path) -> None:
    write_register(tmp_path, RECORD)
    result = run_cli("check", "--signatories", "signatories.yaml", "--build-date", "2025-01-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "signatories.yaml:7:15: warning: 'acme-ltd': location: '07700 900123' may be a person's own phone number, "
        "and this field is published: if it is, remove it here and keep it in the private contacts file "
        "(contacts.yaml) instead",
        "signatories.yaml:8:16: warning: 'acme-ltd': statement: 'ann.smith@example.org' may be a person's own email "
        "address, and this field is published: if it is, remove it here and keep it in the private contacts file "
        "(contacts.yaml) instead",
        "signatories.yaml:11:44: warning: 'acme-ltd': reports.values.local-growth-initiatives: 'jo@example.net' may be "
        "a person's own email address, and this field is published: if it is, remove it here and keep it in the "
        "private contacts file (contacts.yaml) instead",
    ]
    assert result.stdout == "signatories.yaml: 1 signatories, no problems found (3 warnings to look at).\n"


def test_check_for_github_prints_warning_annotations(tmp_path: Path) -> None:
    write_register(tmp_path, RECORD)
    result = run_cli("check", "--signatories", "signatories.yaml", "--build-date", "2025-01-01", "--format", "github",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::warning file=signatories.yaml,line=7,col=15::'acme-ltd': location: '07700 900123' may")
    assert [line.split("::")[1] for line in lines[:3]] == [
        "warning file=signatories.yaml,line=7,col=15", "warning file=signatories.yaml,line=8,col=16",
        "warning file=signatories.yaml,line=11,col=44"]
    assert lines[3] == "signatories.yaml: 1 signatories, no problems found (3 warnings to look at)."


def test_a_quiet_check_still_warns(tmp_path: Path) -> None:
    write_register(tmp_path, RECORD)
    result = run_cli("check", "--signatories", "signatories.yaml", "--build-date", "2025-01-01", "--quiet", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 3


def test_an_error_annotation_is_unchanged() -> None:
    error = DataError("signatories.yaml", 3, 5, "acme", "size", "bad")
    assert github_annotation(error) == "::error file=signatories.yaml,line=3,col=5::'acme': size: bad"
    warning = DataError("signatories.yaml", 3, 5, "acme", "size", "odd", "warning")
    assert str(warning) == "signatories.yaml:3:5: warning: 'acme': size: odd"
    assert github_annotation(warning) == "::warning file=signatories.yaml,line=3,col=5::'acme': size: odd"
