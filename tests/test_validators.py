"""Everything we publish passes the validators its users run.

Editors and JavaScript tools read the editor schema (check-jsonschema, AJV),
data reusers read the CSV through its CSV on the Web metadata (csvw) and the
JSON through its schema, and every page is checked by the Nu HTML checker
(vnu). Each test runs the real tool and fails with the tool's own message.
The patterns inside the schemas have their own tests in tests/test_patterns.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import BUILD_DATE, DATA, ROOT
from csvw import CSVW
from validator_support import EDITOR_SCHEMA, ajv_check, check_jsonschema, run_vnu, tool_output

from svcharter.build import check
from svcharter.config import Config
from svcharter.errors import CharterError

BROKEN_RECORD = """
  - id: broken-website
    name: Broken Website Ltd
    sector: private
    size: small
    signed: 2018-03-01
    website: "https://example.org/a b"
"""

# The theme's own errors, each allowed only where it occurs, with the reason it is left alone.
KNOWN_THEME_ERRORS = (
    ("Attribute “autocomplete” is only allowed when the input type is", 'id="__drawer"',
     "mkdocs-material's base.html puts autocomplete=off on its menu checkbox so that Firefox does not "
     "restore the menu open when a visitor goes back; HTML allows the attribute only on text-like inputs."),
    ("Attribute “autocomplete” is only allowed when the input type is", 'id="__search"',
     "The same, on the theme's search checkbox in base.html."),
)


# The editor schema, as check-jsonschema and AJV read it.

@pytest.fixture(scope="module")
def valid_registers() -> list[Path]:
    """signatories.yaml and every register under tests/data that the project's own check accepts."""
    found = []
    for path in [ROOT / "signatories.yaml", *sorted(DATA.rglob("*.yaml"))]:
        try:
            check(Config(signatories=path, build_date=dt.date.fromisoformat(BUILD_DATE)))
        except CharterError:
            continue
        found.append(path)
    assert {ROOT / "signatories.yaml", DATA / "fixture-register.yaml", DATA / "hostile-register.yaml"} <= set(found)
    return found


def _broken_register(folder: Path) -> Path:
    path = folder / "broken-signatories.yaml"
    path.write_text((ROOT / "signatories.yaml").read_text(encoding="utf-8") + BROKEN_RECORD, encoding="utf-8")
    return path


def _as_json(register: Path, folder: Path) -> Path:
    """The register as a YAML 1.2 editor hands it to a JSON Schema validator: dates stay strings."""
    data = yaml.safe_load(register.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{register.stem}.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


def test_check_jsonschema_accepts_every_valid_register(valid_registers: list[Path]) -> None:
    result = check_jsonschema("--schemafile", EDITOR_SCHEMA, *valid_registers)
    assert result.returncode == 0, tool_output(result)


def test_check_jsonschema_rejects_a_broken_register(tmp_path: Path) -> None:
    result = check_jsonschema("--schemafile", EDITOR_SCHEMA, _broken_register(tmp_path))
    assert result.returncode == 1, tool_output(result)
    assert "'https://example.org/a b' does not match" in result.stdout, tool_output(result)


def test_ajv_compiles_the_editor_schema_and_accepts_every_valid_register(tmp_path: Path, valid_registers: list[Path]) -> None:
    documents = [_as_json(path, tmp_path / str(index)) for index, path in enumerate(valid_registers)]
    result = ajv_check(EDITOR_SCHEMA, *documents)
    assert result.returncode == 0, tool_output(result)


def test_ajv_rejects_a_broken_register(tmp_path: Path) -> None:
    result = ajv_check(EDITOR_SCHEMA, _as_json(_broken_register(tmp_path), tmp_path))
    assert result.returncode == 1, tool_output(result)
    assert "/website must match" in result.stderr, tool_output(result)


def test_the_published_json_passes_its_own_schema_in_check_jsonschema_and_ajv(fixture_site: Path) -> None:
    """data/signatories.schema.json is published for reusers, who run these tools on it too."""
    schema, data = fixture_site / "data" / "signatories.schema.json", fixture_site / "data" / "signatories.json"
    for result in (check_jsonschema("--schemafile", schema, data), ajv_check(schema, data)):
        assert result.returncode == 0, tool_output(result)


# Open data, as a CSV on the Web reader sees it.

def test_csv_passes_csvw_validation_against_its_metadata(fixture_site: Path) -> None:
    table = CSVW(str(fixture_site / "data" / "signatories.csv-metadata.json"), validate=True)
    assert table.is_valid, "\n".join(str(w.message) for w in table.warnings)


def test_csvw_reads_every_list_column_back_as_the_list_in_the_json(fixture_site: Path) -> None:
    metadata = json.loads((fixture_site / "data" / "signatories.csv-metadata.json").read_text(encoding="utf-8"))
    published = {r["id"]: r for r in json.loads((fixture_site / "data" / "signatories.json").read_text(encoding="utf-8"))["signatories"]}
    columns = {c["name"]: c for c in metadata["tableSchema"]["columns"]}
    lists = {name for name, column in columns.items() if "separator" in column}
    assert lists == {name for name, value in published["acme-ltd"].items() if isinstance(value, list) and name in columns}
    assert columns["reaffirmed"]["datatype"] == "date"
    rows = {row["id"]: row for row in CSVW(str(fixture_site / "data" / "signatories.csv-metadata.json")).tables[0].iterdicts()}
    assert rows["acme-ltd"]["activities"] == ["manufacturing", "retail"]
    for signatory, record in published.items():
        for name in lists:
            read = [v.date().isoformat() if hasattr(v, "date") else v for v in rows[signatory][name]]
            assert read == record[name], f"{signatory}: {name}"


# Pages, as the Nu HTML checker sees them.

def _allowance(message: dict) -> int | None:
    for index, (text, where, _reason) in enumerate(KNOWN_THEME_ERRORS):
        if message["message"].startswith(text) and where in message.get("extract", ""):
            return index
    return None


def test_every_page_passes_the_nu_html_checker(fixture_site: Path) -> None:
    messages, checked = run_vnu(fixture_site)
    assert checked == {str(page) for page in fixture_site.rglob("*.html")}
    unexpected = [m for m in messages if _allowance(m) is None]
    assert not unexpected, "\n".join(
        f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}\n    {m.get('extract', '').strip()}"
        for m in unexpected)
    used = {_allowance(m) for m in messages}
    stale = [KNOWN_THEME_ERRORS[i][:2] for i in range(len(KNOWN_THEME_ERRORS)) if i not in used]
    assert not stale, f"the theme no longer makes these errors: drop them from KNOWN_THEME_ERRORS: {stale}"


def test_every_label_names_a_control_on_its_page(fixture_site: Path) -> None:
    for page in sorted(fixture_site.rglob("*.html")):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        ids = {element["id"] for element in html.select("input[id], select[id], textarea[id], button[id]")}
        missing = [label["for"] for label in html.select("label[for]") if label["for"] not in ids]
        assert not missing, f"{page.relative_to(fixture_site)}: labels for {missing}"


def test_a_news_post_keeps_its_contents_title_for_readers(fixture_site: Path) -> None:
    html = BeautifulSoup((fixture_site / "news/posts/launch/index.html").read_text(encoding="utf-8"), "html.parser")
    contents = html.select_one("nav.md-nav--secondary")
    assert contents["aria-label"] == "Table of contents"
    assert contents.select_one(".md-nav__title").get_text(strip=True) == "Table of contents"
    assert [a.get_text(strip=True) for a in contents.select("a.md-nav__link")][:2] == ["What people told us", "What happens next"]


def test_a_page_in_the_navigation_keeps_the_theme_contents_toggle(fixture_site: Path) -> None:
    html = BeautifulSoup((fixture_site / "charter/index.html").read_text(encoding="utf-8"), "html.parser")
    assert html.select_one("input#__toc") is not None
    assert html.select_one('nav.md-nav--secondary > label.md-nav__title[for="__toc"]') is not None
