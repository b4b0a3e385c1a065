"""The pipeline: load -> validate -> transform everything in memory -> write once -> MkDocs renders -> swap."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

from . import artwork, changes, contacts, guard, locks, opendata, renderers, security, signup, site_extras, writer
from .config import Config, site_url_problem
from .errors import BuildError, DataError, InvalidData
from .load import load_records, read_text
from .measures import Survey, load_survey
from .models import Signatory, validate
from .pages import PageMaker, front_matter, marker_errors
from .personal import personal_data_warnings
from .register import Register, SiteInfo
from .register_cache import cached_register
from .sources import check_sources
from .textpath import missing_glyphs
from .writer import FileSet, add_files, remove_from_staging, staging_for, swap_in, sync_tree


@dataclass
class BuildReport:
    """What a build did, for the summary line and the tests."""

    signatories: int = 0
    pages_written: int = 0
    badges_rendered: int = 0
    cards_rendered: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    changes: str = ""
    warnings: list[DataError] = field(default_factory=list)


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

    def notice(self, message: str) -> None:
        """Why the build is waiting: printed even when quiet, so a pause is never a mystery."""
        print(message, file=sys.stderr, flush=True)


def read_mkdocs_settings(cfg: Config) -> dict:
    """mkdocs.yml as plain data (it must hold no Python tags, so safe loading is enough)."""
    with cfg.mkdocs_file.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def site_info(cfg: Config, settings: dict) -> SiteInfo:
    url = cfg.site_url or settings.get("site_url") or ""
    problem = site_url_problem(url) if isinstance(url, str) else f"must be an http or https address (got {url!r})"
    if problem:
        raise BuildError(f"site_url {problem}: set it in mkdocs.yml or pass --site-url")
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


def load_register(cfg: Config, settings: dict | None = None, warnings: list[DataError] | None = None) -> Register:
    """Load and validate everything the site is made from. Raises InvalidData listing every problem.

    Warnings (problems for a person to judge, which do not stop the build) are added to `warnings`.
    """
    settings = settings if settings is not None else read_mkdocs_settings(cfg)
    survey = load_survey(cfg.content_dir)
    require_known_markers(cfg, survey)
    display = cfg.display(cfg.signatories)
    nodes = load_records(cfg.signatories, display, "signatories")
    if warnings is not None:
        warnings.extend(personal_data_warnings(display, nodes))
    signatories: list[Signatory] = validate(display, nodes, survey.measures, cfg.build_date, glyph_checker(), warnings)
    return Register(tuple(signatories), survey, site_info(cfg, settings))


def require_known_markers(cfg: Config, survey: Survey) -> None:
    """Refuse a content page whose marker names nothing: checked on every build, as pages are not cached."""
    ids = {s.id for s in survey.statements}
    errors = [problem for path in sorted(cfg.content_dir.rglob("*.md")) if path.is_file()
              for problem in marker_errors(read_text(path, cfg.display(path)), cfg.display(path), ids)]
    if errors:
        raise InvalidData(errors)


def check(cfg: Config, warnings: list[DataError] | None = None) -> Register:
    """Validate only: the `check` command. It refuses what `build` would refuse in the sources, checks the
    private contacts file, which the build never reads, and where the sign-up page sends applications."""
    check_sources(cfg)
    signup.sending(read_mkdocs_settings(cfg))
    register_display, display = cfg.display(cfg.signatories), cfg.display(cfg.contacts_file)
    required = cfg.contacts is not None
    try:
        register = load_register(cfg, warnings=warnings)
    except InvalidData as error:
        found = contacts.check_file(cfg.contacts_file, display, register_display, None, required)
        raise InvalidData(error.errors + found) from None
    found = contacts.check_file(cfg.contacts_file, display, register_display, set(register.by_id), required)
    if found:
        raise InvalidData(found)
    return register


def build(cfg: Config, progress: Progress | None = None) -> BuildReport:
    """Build the whole site into cfg.output, or raise and leave the old output untouched.

    Nothing is written until the output, the cache and the sources have been
    checked, and then only while this build holds the locks on the cache and
    the output, so no two builds can mix their files.
    """
    progress = progress or Progress(cfg.quiet)
    guard.check_cache(cfg)
    guard.check_output(cfg)
    check_sources(cfg)
    artwork.cairo_library_version()  # a missing cairo is one message saying what to install, before any work
    settings = read_mkdocs_settings(cfg)
    with locks.build_lock(cfg, progress.notice):
        if writer.recover(cfg.output):
            progress.step(f"restored {cfg.display(cfg.output)}, which an interrupted build had left aside")
        return _build(cfg, progress, settings)


Result = TypeVar("Result")


def _timed(phase: Callable[[str], AbstractContextManager[None]], name: str, work: Callable[..., Result],
           *args: object) -> Result:
    """`work(*args)` timed as phase `name`: for work that runs on a thread beside another phase."""
    with phase(name):
        return work(*args)


def _build(cfg: Config, progress: Progress, settings: dict) -> BuildReport:
    """The stages of a build, once it is known that it may write."""
    report = BuildReport(timings=progress.timings)
    phase = progress.phase
    # Warnings come with validation: a rebuild of unchanged data (from the cache) has shown them already.
    register = validated_register(cfg, settings, progress, report.warnings)
    require_known_markers(cfg, register.survey)
    report.signatories = len(register.signatories)
    progress.step(f"validated {report.signatories} signatories")

    with phase("extras"):
        extras = site_extras.make_extras(cfg, register, progress)
    report.badges_rendered = extras.badges_rendered
    with phase("markdown"):
        docs = make_docs(cfg, register, extras.page_context)
    subjects = site_extras.card_subjects(register, docs)
    with phase("sync_tree"):
        report.pages_written = sync_tree(renderers.docs_dir(cfg), docs)
    progress.step(f"wrote {report.pages_written} changed Markdown files of {len(docs)}")
    # MkDocs reads the pages from disk and holds them all itself: free our copies first, to lower the peak.
    del docs
    extras.page_context.clear()

    with phase("cards"):
        card_plan = site_extras.plan_cards(cfg, subjects, progress, extras.art)
    report.cards_rendered = len(card_plan.jobs)

    with staging_for(cfg.output) as staging, ThreadPoolExecutor(1, thread_name_prefix="cards") as beside:
        # No page needs its card, so the missing ones are drawn while the renderer, which uses one core, renders.
        cards_drawn = beside.submit(_timed, phase, "draw_cards", site_extras.draw_cards, cfg, card_plan)
        with phase("render"):
            rendered = renderers.render(cfg, settings, register.site.site_url, renderers.docs_dir(cfg), staging)
        progress.step(f"{renderers.RENDERERS[cfg.renderer]} rendered the pages")
        remove_from_staging(staging, renderers.unused_theme_files(staging, settings))
        extras.files.update(cards_drawn.result().files)
        with phase("secure_site"):
            security.secure_site(staging, rendered.secured, rendered.runtime_styles)  # any page the plugin did not see
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


def validated_register(cfg: Config, settings: dict, progress: Progress, warnings: list[DataError]) -> Register:
    """The register from the cache, or validated afresh: timed as "register", and as "validate" only when it ran."""
    def load() -> Register:
        with progress.phase("validate"):
            return load_register(cfg, settings, warnings)

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
            docs.add(f"measures/{measure.id}/index.md", maker.measure_page(measure.id))
    docs.add("statistics/index.md", maker.statistics_page())
    docs.add("data/index.md", opendata_page(maker, context))
    docs.update(signup.signup_files(maker, read_mkdocs_settings(cfg)))
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


__all__ = ["BuildReport", "Config", "DataError", "InvalidData", "build", "check", "load_register"]
