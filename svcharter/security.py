"""A Content-Security-Policy for every built page, with the theme's inline scripts allowed by hash.

MkDocs has rendered the HTML by the time this runs; the policy goes in a
meta tag straight after <meta charset> so it governs everything after it.
Only directives that browsers honour in a meta tag are used (no
frame-ancestors, report-uri or sandbox).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)
INLINE_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
DATA_TYPES = ("application/json", "application/ld+json")
CHARSET = '<meta charset="utf-8">'


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
    """Insert the policy right after the charset declaration (or at the top of <head>)."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    if CHARSET in html:
        return html.replace(CHARSET, CHARSET + "\n" + tag, 1)
    return html.replace("<head>", "<head>\n" + tag, 1)


def secure_site(site: Path) -> int:
    """Add the policy to every HTML page of a built site. Returns how many pages it changed."""
    count = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        page.write_text(add_policy(html), encoding="utf-8")
        count += 1
    return count
