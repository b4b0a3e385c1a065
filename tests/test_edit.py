"""`add` and `withdraw` change signatories.yaml as text: only their lines change, byte for byte."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from svcharter.cli import main
from svcharter.config import Config
from svcharter.edit import EditRefused, quote, withdrawal_text

DATA = Path(__file__).parent / "data"
BUILD_DATE = "2025-01-01"
NEW_RECORD = """
  - id: "acme-ltd"
    name: "Acme \\"Widgets\\" Ltd"
    sector: "private"
    size: "small"
    activities: ["retail", "manufacturing"]
    signed: 2024-03-01
    website: "https://acme.example"
    founding: true
    commitments: ["apprenticeships"]
    statement: "Local jobs: 100% of our hires."
"""
NEW_OPTIONS = ["--id", "acme-ltd", "--name", 'Acme "Widgets" Ltd', "--sector", "private", "--size", "small",
               "--activities", "retail, manufacturing", "--signed", "2024-03-01", "--website", "https://acme.example",
               "--founding", "--commitments", "apprenticeships", "--statement", "Local jobs: 100% of our hires."]


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "signatories.yaml"
    shutil.copyfile(DATA / "commented-signatories.yaml", path)
    return path


def run(register: Path, *args: str) -> int:
    command, *rest = args
    return main([command, "--signatories", str(register), "--build-date", BUILD_DATE, *rest])


def test_add_appends_a_quoted_record_and_changes_nothing_else(register: Path, capsys) -> None:
    before = register.read_bytes()
    assert run(register, "add", "--yes", *NEW_OPTIONS) == 0
    assert register.read_bytes() == before + NEW_RECORD.encode()
    out = capsys.readouterr().out
    assert "https://charter.example.org/register/acme-ltd/" in out


def test_add_quiet_prints_only_the_page_address(register: Path, capsys) -> None:
    assert run(register, "add", "--yes", "--quiet", *NEW_OPTIONS) == 0
    assert capsys.readouterr().out == "https://charter.example.org/register/acme-ltd/\n"


def test_add_keeps_crlf_line_ends(register: Path) -> None:
    crlf = register.read_bytes().replace(b"\n", b"\r\n")
    register.write_bytes(crlf)
    assert run(register, "add", "--yes", *NEW_OPTIONS) == 0
    assert register.read_bytes() == crlf + NEW_RECORD.replace("\n", "\r\n").encode()


def test_add_to_an_empty_list(tmp_path: Path) -> None:
    register = tmp_path / "signatories.yaml"
    register.write_text("# Nobody yet.\nsignatories: []  # fill me\n", encoding="utf-8")
    options = ["--id", "first", "--name", "First", "--sector", "public", "--size", "large", "--signed", "2020-01-01"]
    assert run(register, "add", "--yes", *options) == 0
    assert register.read_text(encoding="utf-8") == (
        '# Nobody yet.\nsignatories:  # fill me\n  - id: "first"\n    name: "First"\n'
        '    sector: "public"\n    size: "large"\n    signed: 2020-01-01\n'
    )


def test_add_refuses_an_invalid_record_and_writes_nothing(register: Path, capsys) -> None:
    before = register.read_bytes()
    options = ["--id", "alpha-trust", "--name", "Again", "--sector", "privat", "--size", "small", "--signed", "2030-01-01"]
    assert run(register, "add", "--yes", *options) == 1
    assert register.read_bytes() == before
    err = capsys.readouterr().err
    assert "was not changed" in err
    assert "id: 'alpha-trust' is used by more than one signatory" in err
    assert "sector: 'privat' is not a known value" in err
    assert "signed: 2030-01-01 is in the future" in err
    assert not list(register.parent.glob(".*.tmp"))


def test_add_refuses_a_missing_required_field(register: Path, capsys) -> None:
    assert run(register, "add", "--yes", "--id", "lonely") == 1
    assert "name: is missing" in capsys.readouterr().err


def test_add_asks_again_with_the_validators_message(register: Path, monkeypatch, capsys) -> None:
    answers = iter(["alpha-trust", "acme-ltd", "", "Acme", "privat", "1", "2", "retail, 7", "2030-01-01", "2024-03-01",
                    "www.acme.example", "", "", "", "maybe", "", "", "", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    before = register.read_bytes()
    assert run(register, "add") == 0
    out = capsys.readouterr().out
    assert "Not accepted: 'alpha-trust' is used by more than one signatory" in out
    assert "Name is required." in out
    assert "Not accepted: 'privat' is not a known value" in out
    assert "did you mean 'private'?" in out
    assert "Not accepted: 2030-01-01 is in the future (the build date is 2025-01-01)" in out
    assert "Not accepted: 'www.acme.example' is not a web address" in out
    assert "Not accepted: must be true or false (found 'maybe')" in out
    assert register.read_bytes() == before + (
        b'\n  - id: "acme-ltd"\n    name: "Acme"\n    sector: "private"\n    size: "small"\n'
        b'    activities: ["retail", "manufacturing"]\n    signed: 2024-03-01\n'
    )


def test_add_can_be_cancelled(register: Path, monkeypatch) -> None:
    answers = iter(["acme-ltd", "Acme", "private", "small", "", "2024-03-01"] + [""] * 6 + ["n"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    before = register.read_bytes()
    assert run(register, "add") == 1
    assert register.read_bytes() == before


def test_add_refuses_a_register_that_is_already_broken(register: Path, capsys) -> None:
    register.write_bytes(register.read_bytes() + b"  - id: Broken\n")
    before = register.read_bytes()
    assert run(register, "add", "--yes", *NEW_OPTIONS) == 1
    assert register.read_bytes() == before
    assert "already has problems" in capsys.readouterr().err


def test_withdraw_inserts_two_lines_at_the_end_of_the_record(register: Path, capsys) -> None:
    before = register.read_text(encoding="utf-8")
    assert run(register, "withdraw", "alpha-trust", "--date", "2024-06-30", "--reason", 'Merged into "Beta"') == 0
    anchor = "    location: Ludlow\n"
    expected = before.replace(anchor, anchor + '    withdrawn: 2024-06-30\n    withdrawn_reason: "Merged into \\"Beta\\""\n')
    assert register.read_text(encoding="utf-8") == expected
    assert "Recorded the withdrawal of 'alpha-trust'" in capsys.readouterr().out


def test_withdraw_the_last_record_goes_before_the_trailing_comment(register: Path) -> None:
    before = register.read_bytes()
    assert run(register, "withdraw", "beta-works", "--date", "2024-06-30") == 0
    anchor = b"      - jobs-created\n"
    assert register.read_bytes() == before.replace(anchor, anchor + b"    withdrawn: 2024-06-30\n")


def test_withdraw_after_a_block_scalar_skips_its_trailing_blank_lines() -> None:
    text = "signatories:\n  - id: a\n    name: A\n    sector: public\n    size: large\n    signed: 2017-01-01\n" \
           "    statement: >-\n      One line.\n\n\n  - id: b\n"
    result = withdrawal_text(text, "signatories.yaml", "a", dt.date(2020, 1, 1), None)
    assert result == text.replace("One line.\n", "One line.\n    withdrawn: 2020-01-01\n")


def test_withdraw_refuses_unknown_ids_twice_withdrawn_and_bad_dates(register: Path, capsys) -> None:
    before = register.read_bytes()
    assert run(register, "withdraw", "alpha-trus", "--date", "2024-06-30") == 1
    assert "no signatory in" in capsys.readouterr().err
    assert run(register, "withdraw", "alpha-trust", "--date", "2016-01-01") == 1
    assert "withdrawn: 2016-01-01 is before the signing date 2017-04-01" in capsys.readouterr().err
    assert run(register, "withdraw", "alpha-trust", "--date", "2026-01-01") == 1
    assert register.read_bytes() == before
    assert run(register, "withdraw", "alpha-trust", "--date", "2024-06-30") == 0
    assert run(register, "withdraw", "alpha-trust", "--date", "2024-07-30") == 1
    assert "already withdrawn (withdrawn: 2024-06-30)" in capsys.readouterr().err


def test_withdraw_suggests_a_close_id(register: Path) -> None:
    cfg = Config(signatories=register)
    with pytest.raises(EditRefused, match="did you mean 'alpha-trust'"):
        withdrawal_text(register.read_text(encoding="utf-8"), cfg.display(register), "alpha-tust", dt.date(2020, 1, 1), None)


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "tab\there", "line\nbreak", "\u2028sep", "del\x7f", "café ✓"])
def test_quote_round_trips_through_yaml(value: str) -> None:
    import yaml

    assert yaml.safe_load(f"key: {quote(value)}\n") == {"key": value}


def test_withdraw_usage_errors_exit_2(register: Path) -> None:
    assert main(["withdraw", "alpha-trust", "--signatories", str(register)]) == 2
    assert main(["withdraw", "alpha-trust", "--date", "30/06/2024", "--signatories", str(register)]) == 2
