"""Every pattern we publish compiles in Python, in ECMAScript with the `u` flag and as a JSON Schema regex.

The validator reads them with Python's `re`; editors and JavaScript tools read
the editor schema's copies as ECMAScript, and check-jsonschema checks each one
against the JSON Schema `regex` format. Every *_PATTERN constant in svcharter
is scanned, so a pattern added later is covered too.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
import regress
from validator_support import EDITOR_SCHEMA, ajv_check, check_jsonschema, tool_output

import svcharter


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
    """Every *_PATTERN string in every svcharter module, by dotted name, each value once.

    A module that imports a pattern from another holds it too; the name kept is
    the module that assigns it (found from its source), so the labels stay put
    when another module starts importing a pattern.
    """
    found: dict[str, str] = {}
    modules = [importlib.import_module(f"svcharter.{info.name}")
               for info in sorted(pkgutil.iter_modules(svcharter.__path__), key=lambda i: i.name)]
    for module in modules:
        source = Path(module.__file__).read_text(encoding="utf-8")
        for name, value in sorted(vars(module).items()):
            assigned = f"\n{name} = " in source
            if name.endswith("_PATTERN") and isinstance(value, str) and assigned and value not in found.values():
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
    "DATE_PATTERN": (["2017-04-01"], ["2017-4-1", "1/1/2017", "2017-04-01T00:00", "\u0662\u0660\u0661\u0667-\u0660\u0664-\u0660\u0661"]),
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
