"""Refuse symbolic links that lead out of the project from the folders the site is built from.

Everything under content/, site_templates/ and logo/ can end up published,
so a link there to /etc/passwd or /proc/self/environ (the build's own
environment, with any secret a CI job holds) would publish that file. Links
that stay inside the project are allowed, and folders they lead to are
checked the same way. Every offending link is listed, by its own path.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import Config
from .errors import DataError, InvalidData


def source_folders(cfg: Config) -> list[Path]:
    return [cfg.content_dir, cfg.templates_dir, cfg.logo_dir]


def check_sources(cfg: Config) -> None:
    """Raise InvalidData naming every symbolic link in the sources that resolves outside the project."""
    root = Path(os.path.realpath(cfg.root))
    problems: list[DataError] = []
    seen: set[Path] = set()
    pending = list(source_folders(cfg))
    while pending:
        path = pending.pop()
        if os.path.islink(path):
            target = Path(os.path.realpath(path))
            if not _inside(target, root):
                problems.append(_outside(cfg, path, target))
                continue
        for link in _walk(path, seen):
            target = Path(os.path.realpath(link))
            if not _inside(target, root):
                problems.append(_outside(cfg, link, target))
            elif target.is_dir():
                pending.append(target)
    if problems:
        raise InvalidData(problems)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _walk(folder: Path, seen: set[Path]) -> list[Path]:
    """Every symbolic link under `folder`, without following any (each folder is walked once)."""
    real = Path(os.path.realpath(folder))
    if real in seen or not real.is_dir():
        return []
    seen.add(real)
    links = []
    for parent, folders, files in os.walk(real):
        for name in folders + files:
            path = Path(parent) / name
            if path.is_symlink():
                links.append(Path(folder) / path.relative_to(real))
    return sorted(links)


def _outside(cfg: Config, link: Path, target: Path) -> DataError:
    message = (f"is a symbolic link to {str(target)!r}, outside the project: the site is built only from files "
               "inside the project, so replace the link with a copy of the file")
    return DataError(cfg.display(link), 1, 1, None, None, message)
