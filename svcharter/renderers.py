"""The two renderers of the generated pages: MkDocs (the default) and Zensical, Material's successor.

Both read the same generated Markdown, templates and mkdocs.yml. MkDocs runs in
this process and writes straight into the staging folder, the policy plugin
securing each page as it goes. Zensical insists that its pages and its output
lie inside the folder of its config, and always keeps its own cache in
`<that folder>/.cache`, so it is given a folder of its own inside our cache
folder (never the project root, whose `.cache` it would treat as its own): a
generated config, the pages, its output and its cache. It runs in a child
process, so its messages can be read and its memory is returned when it ends.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.plugins import BasePlugin

from . import security
from .config import RENDERERS, Config
from .errors import BuildError

ZENSICAL_FOLDER = "zensical"
"""Zensical's own folder inside the cache folder: its config, pages, output and its .cache."""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ZENSICAL_WARNING = re.compile(r"^\s*Warning:\s*(.+)$")
ZENSICAL_PLACE = re.compile(r"\[\s*([^\]\s][^\]]*?:\d+:\d+)\s*\]")
PYTHON_ERROR = re.compile(r"^(?:[\w.]+Error|Error): (.+)$")


@dataclass
class Rendered:
    """What the after-build policy pass needs to know about a render."""

    secured: set[Path] = field(default_factory=set)
    """Pages that already carry the policy (MkDocs' plugin saw them)."""
    runtime_styles: tuple[str, ...] = ()
    """CSS that the theme's script inserts as <style> at run time, to allow by hash."""


__all__ = ["RENDERERS", "Rendered", "docs_dir", "render", "run_mkdocs", "run_zensical"]


def docs_dir(cfg: Config) -> Path:
    """Where the generated pages are kept for cfg's renderer: Zensical's must lie inside its own folder."""
    if cfg.renderer == "zensical":
        return cfg.cache_dir / ZENSICAL_FOLDER / "docs"
    return cfg.cache_dir / "docs"


def render(cfg: Config, settings: dict, site_url: str, docs: Path, staging: Path) -> Rendered:
    """Render the pages in `docs` into the empty folder `staging` with cfg's renderer."""
    if cfg.renderer == "zensical":
        return run_zensical(cfg, settings, site_url, docs, staging)
    policy = security.PolicyPlugin()
    run_mkdocs(cfg, site_url, docs, staging, {"svcharter-csp": policy})
    return Rendered(policy.secured)


def unused_theme_files(site: Path, settings: dict) -> list[Path]:
    """Files the theme ships that no reader's browser ever asks for, under `site`.

    Source maps are read only by a developer's tools. The search's language
    files (`assets/javascripts/lunr/`, 2 MB with Thai word segmentation) are
    loaded only for languages other than English, so they go when the search is
    English only. At 1,000 signatories these were 2 KB of every signatory's share
    of the site.
    """
    assets = site / "assets"
    unused = sorted(path for path in assets.rglob("*.map") if path.is_file()) if assets.is_dir() else []
    lunr = assets / "javascripts" / "lunr"
    if search_languages(settings) == ["en"] and lunr.is_dir():
        unused.append(lunr)
    return unused


def search_languages(settings: dict) -> list[str]:
    """The search plugin's `lang` in mkdocs.yml, as a list (MkDocs' default is the theme's language)."""
    for plugin in settings.get("plugins") or []:
        options = plugin.get("search") if isinstance(plugin, dict) else None
        if plugin == "search" or options is not None:
            lang = (options or {}).get("lang") or (settings.get("theme") or {}).get("language") or "en"
            return [lang] if isinstance(lang, str) else [str(item) for item in lang]
    return []


@contextmanager
def build_date_epoch(cfg: Config) -> Iterator[None]:
    """SOURCE_DATE_EPOCH set to the build date, so dates the renderer stamps are ours, not the clock's."""
    epoch = dt.datetime(cfg.build_date.year, cfg.build_date.month, cfg.build_date.day, tzinfo=dt.UTC).timestamp()
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


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
    try:
        with build_date_epoch(cfg):
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


def zensical_settings(cfg: Config, settings: dict, site_url: str) -> dict:
    """mkdocs.yml for Zensical: its pages and output inside its own folder, the theme's overrides
    where mkdocs.yml puts them, strict, and the `classic` look (today's) unless mkdocs.yml picks one."""
    generated = dict(settings)
    theme = dict(generated.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((cfg.root / theme["custom_dir"]).resolve())
    theme.setdefault("variant", "classic")
    generated.update(docs_dir="docs", site_dir="site", site_url=site_url, strict=True, theme=theme)
    return generated


def run_zensical(cfg: Config, settings: dict, site_url: str, docs: Path, staging: Path) -> Rendered:
    """Render with Zensical in its own folder, then move its output into `staging`."""
    if importlib.util.find_spec("zensical") is None:
        raise BuildError('Zensical is not installed: run  python3 -m pip install -e ".[zensical]"  or build with '
                         "--renderer mkdocs")
    folder = cfg.cache_dir / ZENSICAL_FOLDER
    if docs.resolve() != (folder / "docs").resolve():
        raise BuildError(f"Zensical can only render pages kept in {cfg.display(folder / 'docs')}")
    config = folder / "mkdocs.yml"
    output = folder / "site"
    try:
        config.write_text("# Generated for Zensical from mkdocs.yml by each build: edit mkdocs.yml instead.\n"
                          + yaml.safe_dump(zensical_settings(cfg, settings, site_url), sort_keys=False,
                                           allow_unicode=True), encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)  # left by a failed build: no page of an old register may be published
        with build_date_epoch(cfg):
            result = subprocess.run([sys.executable, "-m", "zensical", "build", "--config-file", config.name, "--strict"],
                                    cwd=folder, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True,
                                    check=False)
    except OSError as exc:
        raise BuildError(f"Zensical could not be run in {cfg.display(folder)}: {exc.strerror or exc}") from exc
    if result.returncode != 0:
        raise BuildError(f"Zensical could not build the site: {zensical_problem(result.stdout + result.stderr)}")
    styles = security.runtime_styles(output)
    if not styles:
        raise BuildError("Zensical's theme script changed: the style its search dialog adds could not be found, so the "
                         "Content-Security-Policy cannot allow it. Use the Zensical version pinned in pyproject.toml.")
    move_contents(output, staging)
    return Rendered(set(), tuple(styles))


def zensical_problem(log: str) -> str:
    """Zensical's own words for what went wrong, one line: its error (unless it is only the strict abort), then each warning."""
    lines = [ANSI.sub("", line).rstrip() for line in log.splitlines()]
    warnings: list[str] = []
    for number, line in enumerate(lines):
        warning = ZENSICAL_WARNING.match(line)
        if warning:
            place = next((m.group(1) for m in map(ZENSICAL_PLACE.search, lines[number + 1:number + 4]) if m), "")
            warnings.append(f"{place}: {warning.group(1)}" if place else warning.group(1))
    errors = [m.group(1) for m in map(PYTHON_ERROR.match, lines) if m]
    # In strict mode Zensical aborts after warnings; any other error is the cause, and its
    # warnings may only be what it led to (a template that fails makes every link "not exist").
    fatal = [error for error in errors if "--strict" not in error]
    if fatal or warnings:
        return "; ".join(fatal[-1:] + warnings)
    if errors:
        return errors[-1]
    shown = [line for line in lines if line.strip()]
    return shown[-1].strip() if shown else "it stopped without saying why"


def move_contents(source: Path, target: Path) -> None:
    """Move everything in `source` into the folder `target` (a rename on one file system)."""
    for entry in sorted(source.iterdir()):
        shutil.move(str(entry), str(target / entry.name))
