"""The benchmark's machinery at N = 100, asserting cache behaviour rather than times.

Why here and not only in bench/run.py: the targets "a rebuild with nothing
changed regenerates nothing" and "one changed record re-renders one badge
kit" are properties of the build, so CI should catch a regression in them
even though nobody runs the full benchmark on every change. Times are not
asserted: the machine is shared and small.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run, synthetic  # noqa: E402
from svcharter.build import check  # noqa: E402
from svcharter.config import Config  # noqa: E402
from svcharter.fields import FIELDS  # noqa: E402
from svcharter.kit import published_files  # noqa: E402

N = 100


def test_synthetic_register_is_deterministic_valid_and_uses_every_field(tmp_path: Path) -> None:
    """The generator must produce the same valid register for a seed, with every public field and name length in it."""
    assert synthetic.generate(300, seed=7) == synthetic.generate(300, seed=7)
    assert synthetic.generate(300, seed=7) != synthetic.generate(300, seed=8)
    path = tmp_path / "register.yaml"
    records = synthetic.write_register(path, 300, seed=7)
    used = {key for record in records for key in record}
    assert used == {f.name for f in FIELDS} - {"contact"}  # contact details are leaving signatories.yaml
    assert {len(str(r["name"])) for r in records} == set(range(1, synthetic.NAME_MAX + 1))
    text = "".join(str(r["name"]) for r in records)
    assert set("ŵŷâêéïô’&") <= set(text)
    assert any("withdrawn_reason" in r for r in records)
    register = check(Config(signatories=path, build_date=synthetic.BUILD_DATE, site_url=run.SITE_URL, quiet=True))
    assert len(register.signatories) == 300
    assert all(s.signed <= synthetic.BUILD_DATE for s in register.signatories)
    assert dt.date.fromisoformat(run.BUILD_DATE) == synthetic.BUILD_DATE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Cold build, nothing-changed rebuild, then one renamed record: the benchmark's three builds at N = 100."""
    work = tmp_path_factory.mktemp("bench")
    register, cache, site = work / "register.yaml", work / "cache", work / "site"
    records = synthetic.write_register(register, N)
    cold = run.run_build(register, site, cache)
    stamps = run.badge_stamps(site)
    again = run.run_build(register, site, cache)
    stamps_again = run.badge_stamps(site)
    renamed = synthetic.change_one_name(register, records)
    changed = run.run_build(register, site, cache)
    return {"work": work, "cache": cache, "site": site, "records": records, "cold": cold,
            "stamps": stamps, "again": again, "stamps_again": stamps_again, "renamed": renamed, "changed": changed,
            "stamps_changed": run.badge_stamps(site)}


def test_cold_build_renders_every_current_badge(built: dict) -> None:
    current = sum(1 for r in built["records"] if "withdrawn" not in r)
    cold = built["cold"].result
    assert cold["signatories"] == N
    assert cold["badges_rendered"] == current
    assert cold["pages_written"] > N
    assert built["cold"].peak_rss_kib > 0
    assert len(built["stamps"]) == current * len(published_files("x"))


def test_nothing_changed_rebuild_regenerates_nothing(built: dict) -> None:
    again = built["again"].result
    assert again["badges_rendered"] == 0
    assert again.get("cards_rendered", 0) == 0
    assert again["pages_written"] == 0
    assert built["stamps_again"] == built["stamps"], "a rebuild replaced or touched published badge files"


def test_one_changed_record_renders_one_badge_kit(built: dict) -> None:
    changed = built["changed"].result
    assert changed["badges_rendered"] == 1
    assert changed.get("cards_rendered", 1) == 1  # the renamed signatory's page card only
    assert changed["pages_written"] >= 1
    prefix = f"register/{built['renamed']}/"
    before = {k: v for k, v in built["stamps"].items() if not k.startswith(prefix)}
    after = {k: v for k, v in built["stamps_changed"].items() if not k.startswith(prefix)}
    assert after == before, "badge files of unchanged signatories were touched"
    assert any(k.startswith(prefix) and v != built["stamps"].get(k) for k, v in built["stamps_changed"].items())


def test_mkdocs_floor_runs_on_the_same_pages(built: dict, tmp_path: Path) -> None:
    """The MkDocs floor must work on the build's generated pages with the real mkdocs.yml (strict, custom_dir)."""
    docs = tmp_path / "docs"
    shutil.copytree(built["cache"] / "docs", docs)
    floor = run.mkdocs_floor(docs, tmp_path)
    assert floor.wall > 0


def test_results_render_from_the_committed_numbers() -> None:
    """RESULTS.md renders from bench/results.json, whose older entries still hold the retired badge floor's numbers."""
    store = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    machine = {"cores": 2, "memory_gib": 1.0, "cpu": "test", "python": "3", "platform": "test", "cairo": "?",
               "chromium": "not found", "packages": {}}
    text = run.render(store, machine, run.NOTES)
    assert "floor (b)" not in text and "badge floor" not in text
    assert "| cold ÷ mkdocs floor" in text
    assert "N=10,000: cold build ≤ 5 minutes" in text
    cold, floor = store["1000"]["cold"]["wall"], min(r["wall"] for r in store["1000"]["mkdocs_floor"])
    assert run.derived(store["1000"])["cold_ratio"] == pytest.approx(cold / floor)
