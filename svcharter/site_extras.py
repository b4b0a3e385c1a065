"""Everything published beside the MkDocs pages: open data, feeds, news, robots.txt, badges."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import yaml

from . import artwork, badges, cards, kit, openbadges, opendata, pool
from .config import Config
from .errors import BuildError
from .pages import PageMaker, front_matter
from .register import CURRENT, LAPSED, WITHDRAWN, Register
from .writer import Content, FileSet

if TYPE_CHECKING:
    from .build import Progress

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class NewsPost:
    slug: str
    title: str
    date: dt.date | None
    summary: str
    body: str


@dataclass
class Extras:
    """Files to add after MkDocs runs, and the facts generated pages need about them."""

    files: FileSet = field(default_factory=FileSet)
    page_context: dict[str, object] = field(default_factory=dict)
    badges_rendered: int = 0
    art: artwork.Artwork | None = None  # read once per build, for the badges, the logo files and the cards


def kb(content: Content) -> str:
    size = content.stat().st_size if isinstance(content, Path) else len(
        content.encode("utf-8") if isinstance(content, str) else content)
    return f"{max(1, round(size / 1024))}"


def make_extras(cfg: Config, register: Register, progress: Progress) -> Extras:
    art = artwork.load_artwork(cfg.logo_dir)  # read at each build, so an edited logo is drawn at once
    extras = Extras(art=art)
    kits = badge_kits(cfg, register, extras, progress, art)
    badge_files = {sid: [f["name"] for f in kit["files"]] for sid, kit in kits.items()}
    data = {
        "data/signatories.csv": opendata.signatories_csv(register),
        "data/signatories.json": opendata.signatories_json(register, badge_files),
        "data/signatories.schema.json": opendata.json_schema(register),
        "data/signatories.csv-metadata.json": opendata.csvw_metadata(register),
        "register/feed.xml": opendata.atom_feed(register),
        "news/feed.xml": news_feed(register, news_posts(cfg)),
        "robots.txt": f"User-agent: *\nAllow: /\n\nSitemap: {register.url('sitemap.xml')}\n",
    }
    extras.files.update(data)
    if len(register.with_status(CURRENT)) > register.site.register_page_rows:
        extras.files.add("register/rows.json", opendata.register_rows(register))
    extras.page_context.update(
        data_sizes={path.removeprefix("data/"): kb(text) for path, text in data.items()},
        organisation_jsonld={s.id: opendata.organisation_jsonld(register, s) for s in register.signatories},
        badges=kits,
        logo_files=logo_files(cfg, extras, progress, art),
    )
    return extras


def revocation_reason(register: Register, signatory) -> str | None:  # noqa: ANN001 - a Signatory
    """Why a badge is no longer valid, in the words the register page uses; None while current."""
    status = register.status(signatory)
    if status == WITHDRAWN:
        reason = signatory.withdrawn_reason or "no reason given"
        return f"Withdrew from the charter on {signatory.withdrawn.isoformat()}: {reason}"
    if status == LAPSED:
        return f"Lapsed on {register.lapses_on(signatory).isoformat()}: the commitment was not renewed in time"
    return None


def badge_kits(cfg: Config, register: Register, extras: Extras, progress: Progress,
               art: artwork.Artwork) -> dict[str, dict]:
    """Open Badges documents for everyone, badge kits for current signatories only."""
    site_url = register.site.site_url
    extras.files.add("openbadges/issuer.json", openbadges.to_json(openbadges.issuer(site_url)) + "\n")
    extras.files.add("openbadges/badge-class.json", openbadges.to_json(openbadges.badge_class(site_url)) + "\n")
    extras.files.add(GUIDE_PATH, kit.GUIDE_TEMPLATE)
    assertions, subjects = badge_subjects(register)
    for ident, text in assertions.items():
        extras.files.add(f"register/{ident}/badge/assertion.json", text + "\n")
    progress.step(f"rendering badge kits for {len(subjects)} current signatories")
    with progress.phase("badges"):
        output = badges.render_badges(subjects, cfg.cache_dir, cfg.worker_count, art=art)
    extras.badges_rendered = output.rendered
    progress.step(f"badge kits ready ({output.rendered} rendered, {len(subjects) - output.rendered} from the cache)")
    extras.files.update(output.files)
    return {subject.id: kit_context(subject, output.files) for subject in subjects}


def badge_subjects(register: Register) -> tuple[dict[str, str], list[badges.BadgeSubject]]:
    """Every signatory's hosted assertion (by id), and what shapes the badge of each current one."""
    site_url = register.site.site_url
    assertions: dict[str, str] = {}
    subjects: list[badges.BadgeSubject] = []
    for signatory in register.signatories:
        page_url = register.url(register.page_path(signatory))
        document = openbadges.assertion(site_url, signatory.id, signatory.website or page_url, signatory.signed,
                                        revocation_reason(register, signatory))
        assertions[signatory.id] = text = openbadges.to_json(document)
        if register.status(signatory) == CURRENT:
            subjects.append(badges.BadgeSubject(signatory.id, signatory.name, signatory.signed.year, page_url,
                                                openbadges.assertion_id(site_url, signatory.id), text))
    return assertions, subjects


GUIDE_PATH = "register/badge-kit-guide.txt"
"""The ZIP kit's usage guide, published once with blanks that the browser fills in for each signatory."""


def kit_context(subject: badges.BadgeSubject, files: dict[str, Path]) -> dict:
    """What the signatory page says about its kit: the published files with their sizes, and what the browser makes."""
    folder = f"register/{subject.id}/badge/"
    entries = [{"name": f.name, "label": f.label, "source": f.source, "width": f.width,
                "kb": kb(files[folder + f.name]) if not f.source else ""} for f in kit.kit_files(subject.id)]
    return {"files": [e for e in entries if not e["source"]], "made": [e for e in entries if e["source"]],
            "zip_members": kit.zip_members(subject.id), "guide": "../" + GUIDE_PATH.removeprefix("register/"),
            "year": subject.year, "page_url": subject.page_url, "preview": f"{subject.id}-badge.svg",
            "alt": badges.badge_title(subject), "preview_height": round(300 * badges.HEIGHT / badges.WIDTH)}


def logo_files(cfg: Config, extras: Extras, progress: Progress, art: artwork.Artwork) -> list[dict[str, str]]:
    """The master logo downloads for the logo page (which is served from /logo/)."""
    with progress.phase("logo_files"):
        files = badges.render_logo_files(cfg.cache_dir, art=art)
    extras.files.update(files)
    return [{"href": path.removeprefix("logo/"), "label": _logo_label(path), "kb": kb(file)}
            for path, file in files.items()]


def _logo_label(path: str) -> str:
    name = path.rsplit("/", 1)[1]
    colour = "one-colour white, for dark backgrounds" if "-white" in name else "colour"
    match = re.search(r"-(\d+)\.png$", name)
    if match:
        return f"PNG, {match.group(1)} pixels wide, transparent background, {colour}"
    kind = {"svg": "SVG (vector, for screens and print)", "pdf": "PDF (vector, for print)"}[name.rsplit(".", 1)[1]]
    return f"{kind}, {colour}"


def news_posts(cfg: Config) -> list[NewsPost]:
    """News posts from content/news/posts/, newest first; undated drafts last."""
    posts = []
    for path in sorted((cfg.content_dir / "news" / "posts").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        try:
            meta = yaml.safe_load(match.group(1)) if match else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 2}" if mark else ""  # + 2: the opening '---' line, and 1-based lines
            raise BuildError(f"content/news/posts/{path.name}{line}: the front matter is not valid YAML "
                             f"({getattr(exc, 'problem', None) or exc})") from None
        if not isinstance(meta, dict) or not meta.get("title"):
            raise BuildError(f"content/news/posts/{path.name}: needs front matter with a title")
        date = meta.get("date")
        if date is not None and not isinstance(date, dt.date):
            raise BuildError(f"content/news/posts/{path.name}: date must be YYYY-MM-DD or null")
        posts.append(NewsPost(path.stem, str(meta["title"]), date, str(meta.get("summary") or ""),
                              text[match.end():] if match else text))
    return sorted(posts, key=lambda p: (p.date is not None, p.date or dt.date.min, p.slug), reverse=True)


def news_pages(cfg: Config, maker: PageMaker) -> dict[str, str]:
    posts = news_posts(cfg)
    pages = {"news/index.md": front_matter("News", maker.render("news.html.j2", posts=posts),
                                           description="News about the Shropshire Social Value Charter.")}
    for post in posts:
        meta = {"description": post.summary} if post.summary else {}
        pages[f"news/posts/{post.slug}.md"] = front_matter(post.title, maker.content_page(post.body), **meta)
    return pages


def news_feed(register: Register, posts: list[NewsPost]) -> str:
    """Atom feed of news posts. Undated posts take the build date until the council dates them."""
    feed_url = register.url("news/feed.xml")
    dates = [p.date or register.site.build_date for p in posts]
    updated = max(dates, default=register.site.build_date)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>Shropshire Social Value Charter: news</title>",
        f'<link rel="self" href="{opendata.xml_attr(feed_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{opendata.xml_attr(register.url("news/"))}"/>',
        f"<id>{xml_escape(feed_url)}</id>",
        f"<updated>{updated.isoformat()}T00:00:00Z</updated>",
        "<author><name>Shropshire Social Value Group</name></author>",
    ]
    for post, date in zip(posts, dates, strict=True):
        page = register.url(f"news/posts/{post.slug}/")
        lines += ["<entry>", f"<title>{xml_escape(post.title)}</title>",
                  f'<link rel="alternate" type="text/html" href="{opendata.xml_attr(page)}"/>',
                  f"<id>{xml_escape(page)}</id>", f"<updated>{date.isoformat()}T00:00:00Z</updated>",
                  f"<summary>{xml_escape(post.summary or post.title)}</summary>", "</entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def page_url_path(markdown_path: str) -> str:
    """The directory address MkDocs gives a Markdown file: 'x/index.md' and 'x.md' -> 'x/', 'index.md' -> ''."""
    stem = markdown_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


SIGNATORY_PAGE = re.compile(r"^register/([a-z0-9-]+)/index\.md$")


def card_subjects(register: Register, docs: FileSet) -> list[cards.CardSubject]:
    """What each page's 800x420 share card (card.png beside the page) says, worked out from the pages."""
    parts = urlsplit(register.site.site_url)
    address = (parts.netloc + parts.path).rstrip("/")
    subjects = []
    for path, content in sorted(docs.files.items()):
        if not path.endswith(".md") or not isinstance(content, str):
            continue
        headline, subline = _card_words(register, path, content)
        subjects.append(cards.CardSubject(page_url_path(path) + "card.png", headline, subline, address=address))
    return subjects


def plan_cards(cfg: Config, subjects: list[cards.CardSubject], progress: Progress,
               art: artwork.Artwork | None = None) -> cards.CardPlan:
    """Every page's share card from the cache, and the ones still to draw."""
    plan = cards.plan_cards(subjects, cfg.cache_dir, cfg.worker_count, art=art or artwork.load_artwork(cfg.logo_dir))
    progress.step(f"drawing {len(plan.jobs)} share cards of {len(subjects)}")
    return plan


def draw_cards(cfg: Config, plan: cards.CardPlan) -> FileSet:
    """Draw the cards the cache lacked, beside the renderer and below its priority; returns every card's file."""
    cards.run_jobs(plan.jobs, cfg.worker_count, pool.BESIDE_RENDERER)
    drawn = FileSet()
    drawn.update(plan.files)
    return drawn


def _card_words(register: Register, path: str, content: str) -> tuple[str, str]:
    """Headline and second line of a page's card: from the register for signatories, else the page title."""
    match = SIGNATORY_PAGE.match(path)
    signatory = register.by_id.get(match.group(1)) if match else None
    if signatory is not None:  # read from the data, not the page: 10,000 front matters are slow to parse
        if register.status(signatory) == CURRENT:
            return signatory.name, "has signed the Shropshire Social Value Charter"
        return signatory.name, "is a former signatory of the Shropshire Social Value Charter"
    if path == "index.md":
        return register.site.site_name, "A shared commitment to social, economic and environmental value"
    front = FRONT_MATTER.match(content)
    meta = (yaml.safe_load(front.group(1)) if front else None) or {}
    return html.unescape(str(meta.get("title") or register.site.site_name)), register.site.site_name
