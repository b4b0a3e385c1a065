"""The application block survives what mail programs do to it, and a broken one is refused line by line."""

from __future__ import annotations

import textwrap

import pytest
from conftest import APPLICATION_ANSWERS as ANSWERS
from hypothesis import given, settings
from hypothesis import strategies as st

from svcharter.application import BEGIN, END, KEYS, format_application, format_template, parse_application
from svcharter.errors import InvalidData


def _expected(answers: dict) -> dict:
    """What a parse should give back: every key, whitespace collapsed, lists as tuples."""
    out: dict = {}
    for key in KEYS:
        value = answers.get(key, "")
        out[key] = tuple(value) if isinstance(value, list) else " ".join(value.split())
    return out


def test_round_trip_keeps_every_answer() -> None:
    parsed = parse_application(format_application(ANSWERS))
    assert parsed.answers == _expected(ANSWERS)
    assert parsed.record()["activities"] == ("health", "social-care")
    assert "contact.name" not in parsed.record()
    assert parsed.contact() == {"name": "Siân O'Brien-Jones", "role": "Director", "email": "sian@example.org",
                                "phone": "+44 1632 960000"}


def test_lines_are_wrapped_for_mail() -> None:
    text = format_application(ANSWERS)
    assert all(len(line) <= 72 for line in text.splitlines() if " " in line.strip())
    assert text.splitlines()[0] == BEGIN and text.splitlines()[-1] == END


def test_quoted_rewrapped_and_surrounded_email_still_parses() -> None:
    block = format_application(ANSWERS)
    flat = block.replace("\n  ", " ")  # a mail program that joined the continuation lines
    rewrapped = "\n".join(textwrap.fill(line, 50) if line.startswith("statement") else line for line in flat.splitlines())
    email = "Hello charter team,\n\n" + "".join(f">> {line}\n" for line in rewrapped.splitlines()) + "\n-- \nSent from my phone\n"
    assert parse_application(email).answers == _expected(ANSWERS)


def test_line_numbers_point_into_the_pasted_text() -> None:
    email = "Dear team,\n\nPlease add us.\n" + format_application(ANSWERS)
    parsed = parse_application(email)
    assert parsed.lines["name"] == 5
    assert email.splitlines()[parsed.lines["size"] - 1] == "size: micro"


@pytest.mark.parametrize(("text", "message"), [
    ("name: Acme\n", f"<application>:1:1: 'application': no application found: it starts with the line {BEGIN}"),
    (f"{BEGIN}\nname: Acme\n", f"<application>:1:1: 'application': the application is cut off: no line {END} after line 1"),
    (f"{BEGIN}\nname: Acme\nname: Acme Ltd\n{END}\n", "<application>:3:1: 'application': name: is given twice (first on line 2)"),
    (f"{BEGIN}\nnmae: Acme\n{END}\n", "<application>:2:1: 'application': 'nmae' is not a field of an application: did you mean 'name'?"),
    (f"{BEGIN}\nAcme Ltd\n{END}\n", "<application>:2:1: 'application': 'Acme Ltd' is not a line of the form 'field: answer' (fields: "
     + ", ".join(KEYS) + ")"),
    (f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n", "<application>:3:1: 'application': holds more than one application (the first starts on line 1): add them one at a time"),
])
def test_broken_blocks_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidData) as caught:
        parse_application(text)
    assert str(caught.value) == message


def test_a_value_may_start_a_wrapped_line_with_a_word_and_colon() -> None:
    text = f"{BEGIN}\nstatement: We have three aims.\nOur aims: local jobs, local spend.\n{END}\n"
    assert parse_application(text).answers["statement"] == "We have three aims. Our aims: local jobs, local spend."


def test_template_has_every_key_and_parses_empty() -> None:
    template = format_template({"name": "The organisation's name, as it should appear in the register."})
    assert "# The organisation's name" in template
    parsed = parse_application(template)
    assert set(parsed.answers) == set(KEYS) and not any(parsed.answers.values())


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=200).filter(lambda s: BEGIN not in s and END not in s)


@settings(max_examples=200, deadline=None)
@given(name=_text, statement=_text, location=_text)
def test_any_text_round_trips(name: str, statement: str, location: str) -> None:
    answers = {"name": name, "statement": statement, "location": location}
    parsed = parse_application(format_application(answers))
    assert parsed.answers["name"] == " ".join(name.split())
    assert parsed.answers["statement"] == " ".join(statement.split())
    assert parsed.answers["location"] == " ".join(location.split())
