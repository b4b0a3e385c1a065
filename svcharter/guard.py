"""Refuse, before any work, an output or cache folder that a build could destroy.

A build replaces its whole output folder and prunes its cache, so a slip such
as `--output .` or `--output content` would delete the project. The output
must therefore be a folder of its own: not the project, its sources, the
cache or the register file, nor inside or around any of them. An existing
output is replaced only when this tool wrote it, which it records in a file
beside the folder (see writer.marker_for), never inside, so hosts never
publish it. The one exception is the shape CI prepares: a folder holding
nothing but the published `data/signatories.json`, fetched to compare with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .changes import PUBLISHED_JSON
from .config import Config
from .errors import BuildError
from .writer import marker_for

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Protected:
    """A path a build must never replace, and whether an output may lie inside it."""

    path: Path
    name: str
    inside_allowed: bool = False


def protected_paths(cfg: Config) -> list[Protected]:
    """Everything the site is made from, and the tool itself."""
    return [
        Protected(cfg.root, "the project folder", inside_allowed=True),
        Protected(cfg.root / ".git", "the project's history"),
        Protected(cfg.content_dir, "the charter's pages"),
        Protected(cfg.templates_dir, "the site's templates"),
        Protected(cfg.logo_dir, "the logo and fonts"),
        Protected(cfg.mkdocs_file, "the site's settings"),
        Protected(PACKAGE_DIR, "the build's own code"),
        Protected(cfg.signatories, "the register file"),
    ]


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _relation(folder: Path, guarded: Protected) -> str | None:
    """How `folder` overlaps a protected path, in words, or None when it does not."""
    path = _resolved(guarded.path)
    if folder == path:
        return "is"
    if folder in path.parents:
        return "contains"
    if not guarded.inside_allowed and path in folder.parents:
        return "is inside"
    return None


def _refuse_overlap(label: str, folder: Path, guarded: list[Protected], cfg: Config) -> None:
    if folder.parent == folder:
        raise BuildError(f"the {label} {folder} is the top of the file system: choose a folder of its own, "
                         "such as site/")
    for item in guarded:
        relation = _relation(folder, item)
        if relation:
            raise BuildError(f"the {label} {cfg.display(folder)} {relation} {item.name} ({cfg.display(item.path)}): "
                             f"the build replaces its {label}, so it must be a folder of its own, such as "
                             f"{'site/' if label == 'output folder' else '.cache/'}")


def check_output(cfg: Config) -> None:
    """Raise BuildError unless cfg.output is a folder a build may replace."""
    output = _resolved(cfg.output)
    cache = Protected(cfg.cache_dir, "the cache")
    _refuse_overlap("output folder", output, [*protected_paths(cfg), cache], cfg)
    shown = cfg.display(output)
    if os.path.lexists(output) and not output.is_dir():
        raise BuildError(f"the output folder {shown} is a file, not a folder: choose a folder, such as site/")
    if output.is_dir() and not is_ours(output):
        raise BuildError(f"the output folder {shown} already holds files that this tool did not write, and a build "
                         f"replaces the whole folder: choose a new or empty folder, or delete {shown} yourself "
                         "if it is an old copy of the site")
    _require_writable(output, shown)


CACHE_ENTRIES = frozenset({"build.lock", "changes.md", "docs", "register", "badges", "cards", "logo", "zensical"})
"""What builds keep in a cache folder: one holding only these (or the lock) was made by a build."""


def check_cache(cfg: Config) -> None:
    """Raise BuildError if the cache folder (which builds prune) would overlap the sources or is not ours.

    Run before check_output, which refuses an output that overlaps the cache.
    """
    cache = _resolved(cfg.cache_dir)
    _refuse_overlap("cache folder", cache, protected_paths(cfg), cfg)
    shown = cfg.display(cache)
    if os.path.lexists(cache) and not cache.is_dir():
        raise BuildError(f"the cache folder {shown} is a file, not a folder: choose a folder, such as .cache/")
    if cache.is_dir() and not _cache_is_ours(cache):
        raise BuildError(f"the cache folder {shown} already holds files that this tool did not write, and builds "
                         "prune it: choose a new or empty folder, such as .cache/")


def _cache_is_ours(cache: Path) -> bool:
    names = {entry.name for entry in cache.iterdir()}
    return "build.lock" in names or names <= CACHE_ENTRIES


def is_ours(output: Path) -> bool:
    """Whether this tool may replace `output`: it says so beside it, or it holds only the fetched register."""
    marker = marker_for(output)
    if marker.is_file() and not marker.is_symlink():
        return True
    return _holds_only_published_register(output)


def _holds_only_published_register(output: Path) -> bool:
    """True for empty folders, and for the one file CI fetches from the live site before a build."""
    allowed = output / PUBLISHED_JSON
    for folder, folders, files in os.walk(output):
        for name in folders:
            if os.path.islink(os.path.join(folder, name)):
                return False
        for name in files:
            path = Path(folder) / name
            if path != allowed or path.is_symlink():
                return False
    return True


def _require_writable(output: Path, shown: str) -> None:
    """A read-only output or parent is found now, not half way through the swap."""
    parent = output.parent
    while not parent.exists() and parent.parent != parent:
        parent = parent.parent
    for folder in ([output] if output.is_dir() else []) + [parent]:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise BuildError(f"cannot write {shown}: {os.path.relpath(folder) if folder != output else 'the folder'} "
                             "is read-only: make it writable, or choose another --output "
                             "(the last good site was not changed)")
