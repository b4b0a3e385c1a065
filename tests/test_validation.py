"""Every class of bad input gives its file, line, column, record and field, and exit code 1."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import BUILD_DATE, ROOT, VALID_RECORD, write_register
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcharter.cli import main
from svcharter.errors import InvalidData
from svcharter.load import MAX_FILE_BYTES, load_records
from svcharter.measures import load_survey
from svcharter.models import validate

BASE = "  - id: acme\n    name: Acme\n    sector: private\n    size: small\n    signed: 2018-01-01\n"

CASES = [
    ("syntax", "  - id: a\n    name: [x\n",
     "signatories.yaml:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>' (while parsing a flow "
     "sequence that starts on line 3); check indentation, colons and quotes on this line and the one above"),
    ("tab", "\t- id: a\n", "signatories.yaml:2:1: a tab is used for indentation: indent with spaces only"),
    ("duplicate key", BASE + "    name: Other\n",
     "signatories.yaml:7:5: 'acme': name: 'name' appears twice in one record (first on line 3): keep one"),
    ("duplicate id", BASE + BASE.replace("Acme", "Acme Two"),
     "signatories.yaml:2:9: 'acme': id: 'acme' is used by more than one signatory (lines 2, 7): ids must be unique"),
    ("missing", "  - id: acme\n    name: Acme\n    sector: private\n    signed: 2018-01-01\n",
     "signatories.yaml:2:5: 'acme': size: is missing: every signatory needs size (Number of staff, as in survey question 2.)"),
    ("unknown and misspelt", BASE + "    websit: https://acme.example\n",
     "signatories.yaml:7:5: 'acme': websit: unknown field (allowed: id, name, sector, size, activities, signed, website, "
     "identifier, location, founding, commitments, statement, withdrawn, withdrawn_reason, reaffirmed, reports; "
     "did you mean 'website'?)"),
    ("yaml 1.1 no", BASE.replace("name: Acme", "name: no"),
     "signatories.yaml:3:11: 'acme': name: YAML reads 'no' as a yes/no value: put it in quotes, e.g. name: \"no\""),
    ("yaml 1.1 on", BASE + "    founding: on\n", "signatories.yaml:7:15: 'acme': founding: must be true or false (found 'on')"),
    ("bare number", BASE + "    location: 1234\n",
     "signatories.yaml:7:15: 'acme': location: YAML reads '1234' as a number: put it in quotes, e.g. location: \"1234\""),
    ("impossible date", BASE.replace("2018-01-01", "2018-02-30"),
     "signatories.yaml:6:13: 'acme': signed: 2018-02-30 is not a real date: check the day and month"),
    ("future date", BASE.replace("2018-01-01", "2030-01-01"),
     "signatories.yaml:6:13: 'acme': signed: 2030-01-01 is in the future (the build date is 2026-11-25)"),
    ("not a url", BASE + "    website: ftp://acme.example\n",
     "signatories.yaml:7:14: 'acme': website: 'ftp://acme.example' is not a web address: it must start with https:// or http://"),
    ("javascript url", BASE + "    website: javascript:alert(1)\n",
     "signatories.yaml:7:14: 'acme': website: 'javascript:alert(1)' is not a web address: it must start with https:// or http://"),
    ("data url", BASE + "    website: data:text/html,hi\n",
     "signatories.yaml:7:14: 'acme': website: 'data:text/html,hi' is not a web address: it must start with https:// or http://"),
    ("file url", BASE + "    website: file:///etc/passwd\n",
     "signatories.yaml:7:14: 'acme': website: 'file:///etc/passwd' is not a web address: it must start with https:// or http://"),
    ("unknown choice", BASE.replace("sector: private", "sector: privat"),
     "signatories.yaml:4:13: 'acme': sector: 'privat' is not a known value (allowed: private, public, parish-or-town-council, "
     "voluntary, social-enterprise, other; did you mean 'private'?)"),
    ("too long", BASE.replace("name: Acme", "name: " + "x" * 151),
     "signatories.yaml:3:11: 'acme': name: is 151 characters long; the limit is 150"),
    ("path id", BASE.replace("id: acme", "id: ../../etc"),
     "signatories.yaml:2:9: 'record 1': id: '../../etc' is not a valid id: use a-z, 0-9 and single hyphens, e.g. shropshire-council"),
    ("reserved id", BASE.replace("id: acme", "id: page"),
     "signatories.yaml:2:9: 'page': id: 'page' is reserved for the register's own pages: choose another id"),
    ("not adopted", BASE + "    commitments: [staff-turnover]\n",
     "signatories.yaml:7:19: 'acme': commitments: 'staff-turnover' was not adopted as a measure: "),
    ("withdrawn before signed", BASE + "    withdrawn: 2017-01-01\n",
     "signatories.yaml:7:16: 'acme': withdrawn: 2017-01-01 is before the signing date 2018-01-01"),
    ("reason without date", BASE + "    withdrawn_reason: Closed\n",
     "signatories.yaml:7:23: 'acme': withdrawn_reason: is set but 'withdrawn' (the date it left) is missing"),
    ("percentage over 100", BASE + "    reports:\n      - year: 2019\n        values: {staff-training-cpd: 120}\n",
     "signatories.yaml:9:38: 'acme': reports.values.staff-training-cpd: must be a percentage from 0 to 100 (found '120')"),
    ("alias", "  - &a\n    id: acme\n", "signatories.yaml:2:5: YAML anchors (& and *) are not allowed: write each value out in full"),
]


@pytest.mark.parametrize(("label", "records", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_line_record_and_field(label: str, records: str, expected: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_register(tmp_path, records)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines()[0].startswith(expected), err
    assert "Traceback" not in err


def test_every_problem_is_reported_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    records = BASE.replace("sector: private", "sector: privat") + BASE.replace("id: acme", "id: second").replace(
        "2018-01-01", "2018-13-01")
    write_register(tmp_path, records)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("signatories.yaml:4:13: 'acme': sector:")
    assert lines[1] == "signatories.yaml:11:13: 'second': signed: 2018-13-01 is not a real date: check the day and month"
    assert lines[2] == "2 problems found: nothing was built."


def test_valid_register_passes_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_register(tmp_path, VALID_RECORD)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE]) == 0
    assert capsys.readouterr().out == "signatories.yaml: 1 signatories, no problems found.\n"


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    layers = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    layers += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(layers) + "\nsignatories: *a9\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InvalidData) as caught:
        load_records(path, "bomb.yaml", "signatories")
    assert time.perf_counter() - started < 1.0
    assert str(caught.value) == "bomb.yaml:1:5: YAML anchors (& and *) are not allowed: write each value out in full"


def test_oversized_file_is_refused_with_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_register(tmp_path, VALID_RECORD)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("#" + "x" * (30 * 1024 * 1024) + "\n")
    assert path.stat().st_size > MAX_FILE_BYTES
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE]) == 1
    assert capsys.readouterr().err.startswith(
        "signatories.yaml:1:1: file is 30.0 MB; the limit is 20 MB (far more than 10,000 full records)")


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--build-date", "yesterday"]) == 2
    assert "is not a date written YYYY-MM-DD" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2


SURVEY = load_survey(ROOT / "content")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("signatores:-_ \n\t[]{}&*!|>'\"#,?0123456789abcdeéŵ.@%`\\")), max_size=200))
def test_loader_turns_any_text_into_records_or_located_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        nodes = load_records(path, "fuzz.yaml", "signatories")
        validate("fuzz.yaml", nodes, SURVEY.measures, __import__("datetime").date(2026, 11, 25))
    except InvalidData as error:
        assert error.errors
        assert all(e.line >= 1 and e.column >= 1 and e.file == "fuzz.yaml" for e in error.errors)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["id", "name", "sector", "size", "signed", "website", "activities", "reports",
                                        "contact", "founding", "commitments", "reaffirmed", "withdrawn"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                                 st.lists(st.text(max_size=5), max_size=3),
                                 st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)),
                       max_size=8))
def test_validator_turns_any_record_shape_into_records_or_errors(tmp_path: Path, record: dict) -> None:
    import json

    path = tmp_path / "shape.yaml"
    path.write_text("signatories:\n  - " + json.dumps(record) + "\n", encoding="utf-8")
    try:
        validate("shape.yaml", load_records(path, "shape.yaml", "signatories"), SURVEY.measures,
                 __import__("datetime").date(2026, 11, 25))
    except InvalidData as error:
        assert all(e.line >= 1 for e in error.errors)


def _same_tree(a: object, b: object) -> bool:
    from yaml.nodes import ScalarNode, SequenceNode

    if type(a) is not type(b) or a.tag != b.tag or (a.start_mark.line, a.start_mark.column) != (
            b.start_mark.line, b.start_mark.column):
        return False
    if isinstance(a, ScalarNode):
        return (a.value, a.style) == (b.value, b.style)
    if isinstance(a, SequenceNode):
        return len(a.value) == len(b.value) and all(_same_tree(x, y) for x, y in zip(a.value, b.value, strict=True))
    return len(a.value) == len(b.value) and all(
        _same_tree(k1, k2) and _same_tree(v1, v2) for (k1, v1), (k2, v2) in zip(a.value, b.value, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("signatores:-_ \n[]{}'\"#,!0123456789abyesnoé.")), max_size=200))
def test_fast_composer_builds_the_same_tree_as_pyyaml(text: str) -> None:
    """The LibYAML event composer is only a speed-up: where it succeeds, PyYAML's composer agrees exactly."""
    import yaml

    from svcharter.load import _compose_fast, _StrictComposer

    try:
        fast = _compose_fast(text)
    except yaml.YAMLError:
        return  # the caller re-reads such text with PyYAML to explain the problem
    slow = yaml.compose(text, Loader=_StrictComposer)
    assert (fast is None and slow is None) or _same_tree(fast, slow)
