"""Every path, address and option of a build, declared once with its default."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

RENDERERS = {"mkdocs": "MkDocs", "zensical": "Zensical"}
"""What can render the pages: each renderer's name on the command line, and as people write it."""
ROOT = Path(__file__).resolve().parent.parent
"""The project folder: mkdocs.yml, content/, site_templates/ and logo/ live here."""


@dataclass(frozen=True)
class Config:
    """What one build reads, where it writes, and the facts it must not guess."""

    signatories: Path = ROOT / "signatories.yaml"
    output: Path = ROOT / "site"
    site_url: str | None = None  # None: take site_url from mkdocs.yml
    build_date: dt.date = field(default_factory=dt.date.today)
    quiet: bool = False
    root: Path = ROOT
    cache_dir: Path = ROOT / ".cache"
    workers: int = 0  # badge render processes; 0 means one per core
    register_page_rows: int = 1000  # rows per register page; the filter loads the rest as JSON
    renderer: str = "mkdocs"  # a key of RENDERERS

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "site_templates"

    @property
    def mkdocs_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def logo_dir(self) -> Path:
        return self.root / "logo"

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    def display(self, path: Path) -> str:
        """A path as a person would type it: relative to the working folder when possible."""
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)
