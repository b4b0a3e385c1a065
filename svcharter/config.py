"""Every path, address and option of a build, declared once with its default."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

RENDERERS = {"mkdocs": "MkDocs", "zensical": "Zensical"}
"""What can render the pages: each renderer's name on the command line, and as people write it."""
ROOT = Path(__file__).resolve().parent.parent
"""The project folder: mkdocs.yml, content/, site_templates/ and logo/ live here."""
CONTACTS_NAME = "contacts.yaml"
"""The private contacts file, beside the register unless --contacts says otherwise; .gitignore lists it."""


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
    lock_wait: float = 0.0  # seconds to wait for another build using the cache or output; then refuse
    contacts: Path | None = None  # None: contacts.yaml beside the register; only `check` and `add` read it

    @property
    def contacts_file(self) -> Path:
        return self.contacts or self.signatories.with_name(CONTACTS_NAME)
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


SITE_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::[0-9]{1,5})?"
    r"(?:/(?:[a-z0-9._~!$()*+,;=:-]|%[0-9a-f]{2})*)*", re.IGNORECASE | re.ASCII)
"""An http(s) address of a host and a path, nothing else: no user name or password, query or fragment,
and none of the characters (quotes, <, >, &, spaces, line breaks) that would need escaping where it lands."""


def site_url_problem(url: str) -> str | None:
    """Why `url` cannot be the published address, or None when it can."""
    if SITE_URL.fullmatch(url):
        return None
    if not url.startswith(("http://", "https://")):
        return f"must be an http or https address (got {url!r})"
    if "@" in url.split("/", 3)[2]:
        return f"must not hold a user name or password (got {url!r})"
    return (f"must be a plain http or https address such as https://charter.example.org/, with no spaces, quotes, "
            f"line breaks, <, >, &, query or fragment (got {url!r})")
