"""A Content-Security-Policy for every built page, with the theme's inline scripts allowed by hash.

The renderer has written the HTML by the time this runs; the policy goes in a
meta tag straight after <meta charset> so it governs everything after it.
Only directives that browsers honour in a meta tag are used (no
frame-ancestors, report-uri or sandbox). Under MkDocs a plugin adds it as each
page is rendered; Zensical runs no plugins, so `secure_site` does it afterwards,
and also allows the <style> that Zensical's search dialog adds at run time.
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

from svcharter.compact import compact

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)
INLINE_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
DATA_TYPES = ("application/json", "application/ld+json")
CHARSET = '<meta charset="utf-8">'
POLICY_TAG = '<meta http-equiv="Content-Security-Policy"'
# Zensical's search dialog puts `C("style",{},NAME.toString())` into a shadow root, NAME a CSS string literal.
RUNTIME_STYLE_CALL = re.compile(r'\("style",\{\},([\w$]+)\.toString\(\)\)')
JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy_for(html: str, runtime_styles: Collection[str] = ()) -> str:
    """The policy for one page: its own origin only, plus hashes of its inline scripts and styles
    (those in the HTML, and those the theme's script adds at run time)."""
    scripts = sorted({_hash(body) for attrs, body in INLINE_SCRIPT.findall(html)
                      if not any(kind in attrs for kind in DATA_TYPES)})
    styles = sorted({_hash(body) for body in [*INLINE_STYLE.findall(html), *runtime_styles]})
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


def add_policy(html: str, runtime_styles: Collection[str] = ()) -> str:
    """Insert the policy right after the charset declaration (or at the top of <head>), once.

    The page's indentation is squeezed first (compact.py), here because every page of both renderers passes
    through once; that leaves scripts and styles as they are, so the hashes hold either way."""
    if -1 < html.find(POLICY_TAG) < html.find("</head>"):  # already in the head (text in the body does not count)
        return html
    html = compact(html)
    tag = f'{POLICY_TAG} content="{policy_for(html, runtime_styles)}">'
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


def secure_site(site: Path, secured: Collection[Path] = (), runtime_styles: Collection[str] = ()) -> int:
    """Add the policy to every HTML file of a built site that MkDocs did not render through PolicyPlugin
    (static HTML copied from the docs folder, say, or every page Zensical wrote), allowing
    `runtime_styles` as well. Returns how many files it changed."""
    count = 0
    for folder, _dirs, names in os.walk(site):
        for name in names:
            page = Path(folder, name)
            if not name.endswith(".html") or page in secured:
                continue
            html = page.read_text(encoding="utf-8")
            secured_html = add_policy(html, runtime_styles)
            if secured_html != html:
                page.write_text(secured_html, encoding="utf-8")
                count += 1
    return count


def runtime_styles(site: Path) -> list[str]:
    """The CSS that the theme's bundled script inserts as <style> elements at run time, read from the
    bundle itself so that the hashes follow the theme's version. Empty when the bundle inserts none."""
    styles: list[str] = []
    for bundle in sorted((site / "assets" / "javascripts").glob("bundle.*.js")):
        script = bundle.read_text(encoding="utf-8")
        for name in dict.fromkeys(RUNTIME_STYLE_CALL.findall(script)):
            literal = re.search(r"(?<![\w$])" + re.escape(name) + r"""\s*=\s*(['"])((?:(?!\1)[^\\]|\\.)*)\1""", script, re.S)
            if literal:
                styles.append(_unescape_js(literal.group(2)))
    return styles


def _unescape_js(text: str) -> str:
    """A JavaScript string literal's value: the text the browser hashes."""
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code == "\n":  # a line continuation
            return ""
        return JS_SIMPLE_ESCAPES.get(code, code)
    return JS_ESCAPE.sub(one, text)
