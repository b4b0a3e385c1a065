"""The editor schema is generated from FIELDS, so it cannot fall behind the validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from svcharter import fields
from svcharter.cli import main
from svcharter.config import ROOT
from svcharter.fields import FIELDS, Field
from svcharter.measures import load_survey
from svcharter.schema import SCHEMA_PATH, schema_text, signatories_schema

CHECKED_IN = ROOT / SCHEMA_PATH


def test_checked_in_schema_is_up_to_date() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == schema_text(), "run `python build.py schema` and commit the result"


def test_every_field_is_in_the_checked_in_schema() -> None:
    record = json.loads(CHECKED_IN.read_text(encoding="utf-8"))["definitions"]["signatory"]
    assert set(record["properties"]) == {f.name for f in FIELDS}
    assert set(record["required"]) == {f.name for f in FIELDS if f.required}


def test_a_new_field_reaches_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    before = signatories_schema()
    extra = Field("twitter", "text", "The organisation's social media handle.", max_length=40)
    monkeypatch.setattr(fields, "FIELDS", (*FIELDS, extra))
    after = signatories_schema()
    assert after != before
    assert after["definitions"]["signatory"]["properties"]["twitter"]["maxLength"] == 40
    assert after["definitions"]["signatory"]["properties"]["twitter"]["description"] == extra.help


def test_a_field_of_an_unknown_kind_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "FIELDS", (*FIELDS, Field("logo", "image", "A logo.")))
    with pytest.raises(ValueError, match="kind 'image'"):
        signatories_schema()


def test_commitments_and_report_values_list_only_adopted_measures() -> None:
    adopted = [m.id for m in load_survey(ROOT / "content").measures.values() if m.adopted]
    properties = signatories_schema()["definitions"]["signatory"]["properties"]
    assert properties["commitments"]["items"]["enum"] == adopted
    assert "sickness-rates" not in properties["commitments"]["items"]["enum"]
    assert list(properties["reports"]["items"]["properties"]["values"]["properties"]) == adopted


def _as_json(path: Path) -> object:
    """YAML read as an editor's YAML 1.2 language server sees it: dates stay strings."""
    loader = yaml.SafeLoader
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("path", [ROOT / "signatories.yaml", ROOT / "tests/data/commented-signatories.yaml"])
def test_valid_registers_satisfy_the_schema(path: Path) -> None:
    jsonschema.Draft7Validator(signatories_schema()).validate(_as_json(path))


def test_the_schema_rejects_what_the_validator_rejects() -> None:
    validator = jsonschema.Draft7Validator(signatories_schema())
    bad = {"signatories": [{"id": "Bad Id", "name": "", "sector": "privat", "size": "large", "signed": "1/1/2017",
                            "withdrawn_reason": "no date", "nickname": "x", "commitments": ["sickness-rates"]}]}
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    for fragment in ("'Bad Id' does not match", "'privat' is not one of", "'1/1/2017' does not match",
                     "'withdrawn' is a dependency of 'withdrawn_reason'", "'nickname' was unexpected",
                     "'sickness-rates' is not one of"):
        assert fragment in messages


def test_signatories_yaml_points_editors_at_the_schema() -> None:
    first = (ROOT / "signatories.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_PATH.as_posix()}"


def test_schema_command_writes_and_checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    import svcharter.config

    monkeypatch.setattr(svcharter.config, "ROOT", tmp_path)
    (tmp_path / "content").symlink_to(ROOT / "content")
    assert main(["schema", "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["schema"]) == 0
    assert (tmp_path / SCHEMA_PATH).read_text(encoding="utf-8") == schema_text()
    assert main(["schema", "--check"]) == 0
