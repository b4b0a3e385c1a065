"""A Content-Security-Policy for every built page, with the theme's inline scripts allowed by hash.

MkDocs has rendered the HTML by the time this runs; the policy goes in a
meta tag straight after <meta charset> so it governs everything after it.
Only directives that browsers honour in a meta tag are used (no
frame-ancestors, report-uri or sandbox).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Collection
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)
INLINE_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
DATA_TYPES = ("application/json", "application/ld+json")
CHARSET = '<meta charset="utf-8">'
POLICY_TAG = '<meta http-equiv="Content-Security-Policy"'


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy_for(html: str) -> str:
    """The policy for one page: its own origin only, plus hashes of its inline scripts and styles."""
    scripts = sorted({_hash(body) for attrs, body in INLINE_SCRIPT.findall(html)
                      if not any(kind in attrs for kind in DATA_TYPES)})
    styles = sorted({_hash(body) for body in INLINE_STYLE.findall(html)})
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *scripts]),
        "style-src " + " ".join(["'self'", *styles]),
        "img-src 'self' data:",  # the theme's CSS draws its icons from data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def add_policy(html: str) -> str:
    """Insert the policy right after the charset declaration (or at the top of <head>), once."""
    if -1 < html.find(POLICY_TAG) < html.find("</head>"):  # already in the head (text in the body does not count)
        return html
    tag = f'{POLICY_TAG} content="{policy_for(html)}">'
    if CHARSET in html:
        return html.replace(CHARSET, CHARSET + "\n" + tag, 1)
    return html.replace("<head>", "<head>\n" + tag, 1)


class PolicyPlugin(BasePlugin):
    """Adds the policy to each page as MkDocs renders it, so no page is read back and written twice."""

    def __init__(self) -> None:
        super().__init__()
        self.secured: set[Path] = set()

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        self.secured.add(Path(page.file.abs_dest_path))
        return add_policy(output)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        if not template_name.endswith(".html"):
            return output_content
        self.secured.add(Path(config.site_dir) / template_name)
        return add_policy(output_content)


def secure_site(site: Path, secured: Collection[Path] = ()) -> int:
    """Add the policy to every HTML file of a built site that MkDocs did not render through PolicyPlugin
    (static HTML copied from the docs folder, say). Returns how many files it changed."""
    count = 0
    for folder, _dirs, names in os.walk(site):
        for name in names:
            page = Path(folder, name)
            if not name.endswith(".html") or page in secured:
                continue
            html = page.read_text(encoding="utf-8")
            secured_html = add_policy(html)
            if secured_html != html:
                page.write_text(secured_html, encoding="utf-8")
                count += 1
    return count
