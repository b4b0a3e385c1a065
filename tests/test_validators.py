"""Everything we publish passes the validators its users run.

Editors and JavaScript tools read the editor schema (check-jsonschema, AJV),
data reusers read the CSV through its CSV on the Web metadata (csvw), and
every page is checked by the Nu HTML checker (vnu). Each test runs the real
tool and fails with the tool's own message.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import regress
import yaml
from bs4 import BeautifulSoup
from conftest import BUILD_DATE, DATA, ROOT
from csvw import CSVW

import svcharter
from svcharter.build import check
from svcharter.config import Config
from svcharter.errors import CharterError

EDITOR_SCHEMA = ROOT / "schema" / "signatories.schema.json"
AJV_CHECK = ROOT / "tests" / "ajv_check.mjs"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
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


def run_tool(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=ROOT, capture_output=True, text=True, timeout=300)


def tool_output(result: subprocess.CompletedProcess[str]) -> str:
    return f"{' '.join(result.args)} exited {result.returncode}:\n{result.stdout}{result.stderr}"


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema in its default regex mode: ECMAScript patterns with the `u` flag."""
    return run_tool(sys.executable, "-m", "check_jsonschema", *args)


def ajv_check(schema: Path, *documents: Path) -> subprocess.CompletedProcess[str]:
    if not (ROOT / "node_modules" / "ajv").is_dir():
        pytest.fail("AJV is not installed: run `npm ci` (tests/run.sh does)")
    return run_tool("node", AJV_CHECK, schema, *documents)


# Patterns: every one compiles in Python, in ECMAScript with the `u` flag, and as a JSON Schema regex.

def _schema_patterns(node: object, path: str = "#") -> dict[str, str]:
    if isinstance(node, list):
        return {k: v for i, item in enumerate(node) for k, v in _schema_patterns(item, f"{path}/{i}").items()}
    if not isinstance(node, dict):
        return {}
    found = {f"{path}/pattern": node["pattern"]} if isinstance(node.get("pattern"), str) else {}
    for key, value in node.items():
        found |= _schema_patterns(value, f"{path}/{key}")
    return found


def defined_patterns() -> dict[str, str]:
    """Every *_PATTERN string in every svcharter module, by dotted name, each value once."""
    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(svcharter.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"svcharter.{info.name}")
        for name, value in sorted(vars(module).items()):
            if name.endswith("_PATTERN") and isinstance(value, str) and value not in found.values():
                found[f"{module.__name__}.{name}"] = value
    return found


def every_pattern() -> dict[str, str]:
    """The constants, and every pattern in the editor schema as editors read it."""
    return defined_patterns() | _schema_patterns(json.loads(EDITOR_SCHEMA.read_text(encoding="utf-8")))


def patterns_schema(folder: Path) -> Path:
    """A schema holding every pattern, so one run of a tool compiles them all and names any it refuses."""
    properties = {label: {"type": "string", "pattern": p} for label, p in every_pattern().items()}
    path = folder / "patterns.schema.json"
    path.write_text(json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                                "properties": properties}),
                    encoding="utf-8")
    return path


def constant(name: str) -> str:
    matches = [value for label, value in defined_patterns().items() if label.endswith(f".{name}")]
    assert matches, f"{name} is no longer defined in svcharter: drop its examples from this test"
    return matches[0]


def test_the_scan_finds_the_constants_and_the_schema_patterns() -> None:
    patterns = every_pattern()
    assert {"svcharter.fields.SLUG_PATTERN", "svcharter.schema.URL_PATTERN"} <= set(patterns)
    assert "#/definitions/signatory/properties/website/pattern" in patterns


def test_every_schema_pattern_is_a_named_constant() -> None:
    """So the engine tests and the examples below cover it; an inline pattern in schema.py would escape them."""
    named = set(defined_patterns().values())
    inline = {label: p for label, p in every_pattern().items() if label.startswith("#") and p not in named}
    assert not inline


def test_every_pattern_compiles_in_python() -> None:
    for label, pattern in every_pattern().items():
        try:
            re.compile(pattern)
        except re.error as error:
            pytest.fail(f"{label}: {pattern!r}: {error}")


def test_every_pattern_is_a_json_schema_regex(tmp_path: Path) -> None:
    result = check_jsonschema("--check-metaschema", patterns_schema(tmp_path))
    assert result.returncode == 0, tool_output(result)


def test_every_pattern_compiles_in_javascript_with_the_u_flag(tmp_path: Path) -> None:
    result = ajv_check(patterns_schema(tmp_path))
    assert result.returncode == 0, tool_output(result)


# Each constant with strings it must accept and strings it must reject.
EXAMPLES = {
    "SLUG_PATTERN": (["acme-ltd", "a1"], ["Acme", "acme--ltd", "-acme", "acme_ltd", ""]),
    "IDENTIFIER_PATTERN": (["GB-COH-01234567", "GB-CHC-1234567"], ["gb-coh-1", "GB-COH-", "GB COH 1"]),
    "EMAIL_PATTERN": (["comms@shropshire.gov.uk", "a.b+c@x.co"],
                      ["no-at-sign", "a@@x.org", 'quote"d@x.org', "it's@x.org", "a b@x.org", "a\u00a0b@x.org",
                       "<a>@x.org", "a@nodot", "a@x.org\n"]),
    "PHONE_PATTERN": (["01743 123456", "+44 (0)1743 123-456"], ["12345", "call me", "0" * 26]),
    "DATE_PATTERN": (["2017-04-01"], ["2017-4-1", "1/1/2017", "2017-04-01T00:00"]),
    "DECIMAL_PATTERN": (["12", "0.5"], ["-1", "1e3", ".5", "1."]),
    "URL_PATTERN": (["https://www.example.org", "http://x.org/a?b=c#d"],
                    ["ftp://x.org", "https://", "https://x.org/a b", 'https://x.org/"', "https://x.org/'",
                     "https://x.org/`", "https://x.org/a\\b", "https://x.org/<b>"]),
}

# The patterns as they were before they were rewritten for ECMAScript: the Python validator must not change.
BEFORE = {
    "EMAIL_PATTERN": r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$",
    "URL_PATTERN": r"^https?://[^\s<>\"'`\\]+$",
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_python_and_ecmascript_accept_and_reject_the_same_examples(name: str) -> None:
    pattern = constant(name)
    accepted, rejected = EXAMPLES[name]
    ecmascript = regress.Regex(pattern, flags="u")  # the engine check-jsonschema uses by default
    for text in accepted + rejected:
        expected = text in accepted
        assert (re.fullmatch(pattern, text) is not None) == expected, f"Python: {name} on {text!r}"
        assert (ecmascript.find(text) is not None) == expected, f"ECMAScript: {name} on {text!r}"


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_rewritten_patterns_match_exactly_as_before_in_python(name: str) -> None:
    accepted, rejected = EXAMPLES[name]
    for text in accepted + rejected:
        assert bool(re.fullmatch(constant(name), text)) == bool(re.fullmatch(BEFORE[name], text)), text
        assert bool(re.search(constant(name), text)) == bool(re.search(BEFORE[name], text)), text


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

def _vnu(site: Path) -> tuple[list[dict], set[str]]:
    """One run of the checker on every page (starting Java once per page would take minutes).

    Errors only: its warnings here are all about the Content-Security-Policy, which it misreads on files
    from disk ('self' matches no file: address, and JSON data blocks count as scripts). The browser
    tests check the policy where it applies, failing on any console error Chromium reports.
    """
    if shutil.which("java") is None:
        pytest.fail("java is not installed: run tests/run.sh, which installs Debian's default-jre-headless")
    if not VNU_JAR.is_file():
        pytest.fail("the Nu HTML checker is not installed: run `npm ci` (tests/run.sh does)")
    result = run_tool("java", "-jar", VNU_JAR, "--format", "json", "--errors-only", "--verbose", "--skip-non-html", site)
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(tool_output(result))
    return messages, {line.strip() for line in result.stdout.splitlines() if line.strip()}


def _allowance(message: dict) -> int | None:
    for index, (text, where, _reason) in enumerate(KNOWN_THEME_ERRORS):
        if message["message"].startswith(text) and where in message.get("extract", ""):
            return index
    return None


def test_every_page_passes_the_nu_html_checker(fixture_site: Path) -> None:
    messages, checked = _vnu(fixture_site)
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
