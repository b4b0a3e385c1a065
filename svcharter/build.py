"""The pipeline: load -> validate -> transform everything in memory -> write once -> MkDocs renders -> swap."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.plugins import BasePlugin

from . import changes, opendata, security, site_extras
from .config import Config
from .errors import BuildError, DataError, InvalidData
from .load import load_records
from .measures import load_survey
from .models import Signatory, validate
from .pages import PageMaker, front_matter
from .register import Register, SiteInfo
from .register_cache import cached_register
from .textpath import missing_glyphs
from .writer import FileSet, add_files, staging_for, swap_in, sync_tree


@dataclass
class BuildReport:
    """What a build did, for the summary line and the tests."""

    signatories: int = 0
    pages_written: int = 0
    badges_rendered: int = 0
    cards_rendered: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    changes: str = ""


class Progress:
    """Progress for long steps, on stderr, unless quiet; and the wall time of every phase.

    The build times itself, so the benchmark and the tests read the same
    numbers the build reports, and a renamed function cannot lose a timing.
    """

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    def step(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the wall time of the block to `timings[name]`, even when it fails."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def read_mkdocs_settings(cfg: Config) -> dict:
    """mkdocs.yml as plain data (it must hold no Python tags, so safe loading is enough)."""
    with cfg.mkdocs_file.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def site_info(cfg: Config, settings: dict) -> SiteInfo:
    url = cfg.site_url or settings.get("site_url") or ""
    if not url.startswith(("http://", "https://")):
        raise BuildError(f"site_url must be an http or https address (got {url!r}): set it in mkdocs.yml or pass --site-url")
    extra = settings.get("extra") or {}
    months = extra.get("renewal_months")
    if months is not None and (not isinstance(months, int) or months < 1):
        raise BuildError("extra.renewal_months in mkdocs.yml must be a whole number of months, or left out")
    return SiteInfo(site_url=url.rstrip("/") + "/", build_date=cfg.build_date, renewal_months=months,
                    misuse_email=extra.get("misuse_email") or None, site_name=settings.get("site_name", ""),
                    register_page_rows=cfg.register_page_rows)


def glyph_checker() -> Callable[[str], set[str]]:
    """The badge font's coverage check, so a name the badge cannot draw fails validation."""
    return missing_glyphs


def load_register(cfg: Config, settings: dict | None = None) -> Register:
    """Load and validate everything the site is made from. Raises InvalidData listing every problem."""
    settings = settings if settings is not None else read_mkdocs_settings(cfg)
    survey = load_survey(cfg.content_dir)
    display = cfg.display(cfg.signatories)
    nodes = load_records(cfg.signatories, display, "signatories")
    signatories: list[Signatory] = validate(display, nodes, survey.measures, cfg.build_date, glyph_checker())
    return Register(tuple(signatories), survey, site_info(cfg, settings))


def check(cfg: Config) -> Register:
    """Validate only: the `check` command."""
    return load_register(cfg)


def build(cfg: Config, progress: Progress | None = None) -> BuildReport:
    """Build the whole site into cfg.output, or raise and leave the old output untouched."""
    progress = progress or Progress(cfg.quiet)
    report = BuildReport(timings=progress.timings)
    phase = progress.phase
    settings = read_mkdocs_settings(cfg)
    register = validated_register(cfg, settings, progress)
    report.signatories = len(register.signatories)
    progress.step(f"validated {report.signatories} signatories")

    with phase("extras"):
        extras = site_extras.make_extras(cfg, register, progress)
    report.badges_rendered = extras.badges_rendered
    with phase("markdown"):
        docs = make_docs(cfg, register, extras.page_context)
    with phase("cards"):
        report.cards_rendered, card_files = site_extras.share_cards(cfg, register, docs, progress)
    extras.files.update(card_files.files)
    with phase("sync_tree"):
        report.pages_written = sync_tree(cfg.cache_dir / "docs", docs)
    progress.step(f"wrote {report.pages_written} changed Markdown files of {len(docs)}")
    # MkDocs reads the pages from disk and holds them all itself: free our copies first, to lower the peak.
    del docs
    extras.page_context.clear()

    with staging_for(cfg.output) as staging:
        with phase("mkdocs"):
            policy = security.PolicyPlugin()
            run_mkdocs(cfg, register.site.site_url, cfg.cache_dir / "docs", staging, {"svcharter-csp": policy})
        progress.step("MkDocs rendered the pages")
        with phase("secure_site"):
            security.secure_site(staging, policy.secured)  # any HTML file the plugin did not see
        with phase("add_files"):
            add_files(staging, extras.files)
        with phase("changes"):
            published = changes.compare_with_published(cfg.output, str(extras.files.files["data/signatories.json"]))
            changes.write_markdown(published, cfg.cache_dir)
            report.changes = published.text()
        with phase("swap_in"):
            swap_in(staging, cfg.output)
    progress.step(f"site ready in {cfg.display(cfg.output)}")
    return report


def validated_register(cfg: Config, settings: dict, progress: Progress) -> Register:
    """The register from the cache, or validated afresh: timed as "register", and as "validate" only when it ran."""
    def load() -> Register:
        with progress.phase("validate"):
            return load_register(cfg, settings)

    with progress.phase("register"):
        return cached_register(cfg, settings, load)


def make_docs(cfg: Config, register: Register, context: dict[str, object]) -> FileSet:
    """Every Markdown page and asset MkDocs needs, in memory."""
    maker = PageMaker(register, cfg.templates_dir, context)
    docs = FileSet()
    for path in sorted(cfg.content_dir.rglob("*")):
        relative = path.relative_to(cfg.content_dir).as_posix()
        if path.is_dir() or path.suffix in (".yaml", ".yml") or relative.startswith("news/posts/"):
            continue
        if path.suffix == ".md":
            docs.add(relative, maker.content_page(path.read_text(encoding="utf-8")))
        else:
            docs.add(relative, path)
    docs.update(site_extras.news_pages(cfg, maker))
    docs.update(maker.register_pages())
    for signatory in register.signatories:
        docs.add(f"register/{signatory.id}/index.md", maker.signatory_page(signatory))
    docs.add("measures/index.md", maker.measures_index())
    for measure in register.survey.measures.values():
        if measure.adopted:
            docs.add(f"measures/{measure.id}.md", maker.measure_page(measure.id))
    docs.add("statistics/index.md", maker.statistics_page())
    docs.add("data/index.md", opendata_page(maker, context))
    for asset in sorted((cfg.templates_dir / "assets").rglob("*")):
        if asset.is_file():
            docs.add("assets/" + asset.relative_to(cfg.templates_dir / "assets").as_posix(), asset)
    for font in sorted((cfg.logo_dir / "fonts").glob("*")):
        if font.suffix in (".ttf", ".woff2", ".txt"):
            docs.add(f"assets/fonts/{font.name}", font)
    return docs


def opendata_page(maker: PageMaker, context: dict[str, object]) -> str:
    columns = [(name, text, kind) for name, text, kind, _ in opendata.COLUMNS]
    body = maker.render("opendata.html.j2", columns=columns, licence_url=opendata.LICENCE_URL,
                        sizes=context["data_sizes"], dataset=opendata.dataset_jsonld(maker.register))
    return front_matter("Open data", body, description="Download the register of signatories as open data.")


def run_mkdocs(cfg: Config, site_url: str, docs_dir: Path, site_dir: Path,
               own_plugins: Mapping[str, BasePlugin] | None = None) -> None:
    """Render with MkDocs in this process, with its plugins' start-up and shut-down events.

    `own_plugins` join mkdocs.yml's plugins for this build only (the policy plugin), so mkdocs.yml
    stays a plain MkDocs configuration that needs no package entry points.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING if cfg.quiet else logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s %(message)s"))
        logger.addHandler(handler)
    # MkDocs stamps the sitemap and its gzip header with the build date: make it ours, not the clock's.
    epoch = dt.datetime(cfg.build_date.year, cfg.build_date.month, cfg.build_date.day, tzinfo=dt.UTC).timestamp()
    previous_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        config = load_config(config_file=str(cfg.mkdocs_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                             site_url=site_url, strict=True)
        for name, plugin in (own_plugins or {}).items():
            config.plugins[name] = plugin
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, SystemExit, OSError) as exc:
        raise BuildError(f"MkDocs could not build the site: {exc}") from exc
    finally:
        if previous_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous_epoch


__all__ = ["BuildReport", "Config", "DataError", "InvalidData", "build", "check", "load_register"]
