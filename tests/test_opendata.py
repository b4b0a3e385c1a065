"""Open data, feeds and share metadata agree with each other and with signatories.yaml."""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import BUILD_DATE, DATA, ROOT, SITE_URL, run_cli

FIXTURE = {r["id"]: r for r in yaml.safe_load((DATA / "fixture-register.yaml").read_text(encoding="utf-8"))["signatories"]}
LIST_FIELDS = ("activities", "commitments", "reaffirmed")


def _csv(site: Path) -> list[dict[str, str]]:
    text = (site / "data/signatories.csv").read_bytes().decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _json(site: Path) -> dict:
    return json.loads((site / "data/signatories.json").read_text(encoding="utf-8"))


def _yaml_value(record: dict, field: str) -> str:
    value = record.get(field)
    if value is None:
        return "false" if field == "founding" else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def test_csv_matches_yaml_field_by_field(fixture_site: Path) -> None:
    rows = _csv(fixture_site)
    assert sorted(row["id"] for row in rows) == sorted(FIXTURE)
    for row in rows:
        record = FIXTURE[row["id"]]
        for field in ("sector", "size", "signed", "website", "identifier", "location", "statement", "withdrawn",
                      "withdrawn_reason", "founding", *LIST_FIELDS):
            assert row[field] == _yaml_value(record, field), (row["id"], field)
        name = record["name"]
        assert row["name"] == ("'" + name if name.startswith("=") else name)
        assert row["status"] == ("withdrawn" if "withdrawn" in record else "current")
        assert row["page_url"] == f"{SITE_URL}register/{row['id']}/"


def test_json_matches_csv_and_its_schema(fixture_site: Path) -> None:
    data = _json(fixture_site)
    schema = json.loads((fixture_site / "data/signatories.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    by_id = {row["id"]: row for row in _csv(fixture_site)}
    for item in data["signatories"]:
        row = by_id[item["id"]]
        for field, value in item.items():
            if field in ("reports", "badge"):
                continue
            if isinstance(value, list):
                value = ";".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            expected = row[field].removeprefix("'") if field == "name" else row[field]
            assert (value or "") == expected, (item["id"], field)
    acme = next(i for i in data["signatories"] if i["id"] == "acme-ltd")
    assert acme["reports"] == [{"year": 2018, "values": {"apprenticeships": "3", "jobs-created": "5"}},
                               {"year": 2019, "values": {"apprenticeships": "4"}}]
    assert acme["badge"]["files"] == [f"https://charter.example.org/register/acme-ltd/badge/{name}"
                                      for name in ("acme-ltd-badge.svg", "acme-ltd-badge-white.svg", "acme-ltd-badge.pdf")]
    for url in acme["badge"]["files"] + [acme["badge"]["assertion_url"]]:
        assert (fixture_site / url.removeprefix(SITE_URL)).is_file()


def test_json_has_one_signatory_per_line(fixture_site: Path) -> None:
    """So a diff of the published file shows exactly the signatories that changed."""
    text = (fixture_site / "data" / "signatories.json").read_text(encoding="utf-8")
    document = json.loads(text)
    rows = [line.strip().removesuffix(",") for line in text.splitlines() if line.lstrip().startswith('{"id"')]
    assert [json.loads(row) for row in rows] == document["signatories"]
    assert len(rows) == len(document["signatories"]) > 1 and text.endswith("]\n}\n")


def test_csvw_columns_match_the_csv_header(fixture_site: Path) -> None:
    metadata = json.loads((fixture_site / "data/signatories.csv-metadata.json").read_text(encoding="utf-8"))
    header = (fixture_site / "data/signatories.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert [c["name"] for c in metadata["tableSchema"]["columns"]] == header
    assert [c["titles"] for c in metadata["tableSchema"]["columns"]] == header
    assert metadata["url"] == "signatories.csv"


def test_open_data_page_explains_every_column(fixture_site: Path) -> None:
    page = BeautifulSoup((fixture_site / "data/index.html").read_text(encoding="utf-8"), "html.parser")
    documented = {code.get_text() for code in page.select("table.data-fields td:first-child code")}
    header = (fixture_site / "data/signatories.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(header) <= documented
    assert "Open Government Licence v3.0" in page.get_text()
    dataset = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert dataset["@type"] == "Dataset"


def test_register_feed_is_atom_with_signings_and_withdrawals(fixture_site: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.parse(fixture_site / "register/feed.xml").getroot()
    titles = [e.findtext(f"{atom}title") for e in root.findall(f"{atom}entry")]
    assert titles[0] == "Old Works Ltd withdrew from the charter" or "signed" in titles[0]
    assert "Old Works Ltd withdrew from the charter" in titles
    assert "Severn Care Trust signed the charter" in titles
    assert root.findtext(f"{atom}updated") == "2020-01-10T00:00:00Z"


def test_every_page_has_a_share_card_of_the_size_its_tags_state(fixture_site: Path) -> None:
    pages = sorted(fixture_site.rglob("index.html"))
    assert len(pages) > 20
    for page in pages:
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        image = html.select_one('meta[property="og:image"]')["content"]
        assert image.startswith(SITE_URL)
        card = fixture_site / image.removeprefix(SITE_URL)
        data = card.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        stated = (int(html.select_one('meta[property="og:image:width"]')["content"]),
                  int(html.select_one('meta[property="og:image:height"]')["content"]))
        assert struct.unpack(">II", data[16:24]) == stated == (800, 420)
        assert html.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"
        assert html.select_one('link[rel="canonical"]')["href"].startswith(SITE_URL)


def test_signatory_card_names_the_signatory(fixture_site: Path) -> None:
    html = BeautifulSoup((fixture_site / "register/acme-ltd/index.html").read_text(encoding="utf-8"), "html.parser")
    assert html.select_one('meta[property="og:title"]')["content"] == "Acme Ltd"
    assert html.select_one('meta[property="og:description"]')["content"] == \
        "Acme Ltd has signed the Shropshire Social Value Charter."


def test_sitemap_and_robots(fixture_site: Path) -> None:
    sitemap = (fixture_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}register/acme-ltd/</loc>" in sitemap
    assert (fixture_site / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {SITE_URL}sitemap.xml\n")


@pytest.fixture(scope="module")
def renewal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture register built with a 24-month renewal rule set in mkdocs.yml."""
    base = tmp_path_factory.mktemp("renewal")
    project = base / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench"))
    settings = project / "mkdocs.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("renewal_months: null", "renewal_months: 24"),
                        encoding="utf-8")
    result = run_cli("build", "--signatories", str(DATA / "fixture-register.yaml"), "--output", str(base / "site"),
                     "--cache-dir", str(base / "cache"), "--build-date", BUILD_DATE, "--site-url", SITE_URL, "--quiet",
                     cwd=project, script=project / "build.py")
    assert result.returncode == 0, result.stderr
    return base / "site"


def test_lapsed_signatory_is_lapsed_in_every_output(renewal_site: Path) -> None:
    # Everyone in the fixture last signed or renewed more than 24 months before the build date.
    page = BeautifulSoup((renewal_site / "register/acme-ltd/index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("#verification").get_text(" ", strip=True).startswith("Lapsed on 1 March 2022")
    assert not (renewal_site / "register/acme-ltd/badge/acme-ltd-badge.svg").exists()
    register = BeautifulSoup((renewal_site / "register/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Acme Ltd" in register.select_one("#lapsed-table").get_text()
    assert "Acme Ltd" not in register.select_one("#register-table").get_text()
    assert {r["id"]: r["status"] for r in _csv(renewal_site)}["acme-ltd"] == "lapsed"
    item = next(i for i in _json(renewal_site)["signatories"] if i["id"] == "acme-ltd")
    assert (item["status"], item["lapsed"]) == ("lapsed", "2022-03-01")
    assertion = json.loads((renewal_site / "register/acme-ltd/badge/assertion.json").read_text(encoding="utf-8"))
    assert assertion["revoked"] is True
    assert assertion["revocationReason"].startswith("Lapsed on 2022-03-01")
