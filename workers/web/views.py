"""The explorer's pages as view models built from stored records: pure, no database, no HTTP.

Every string here is still untrusted text: the templates escape it (Jinja2 autoescape);
the only markup is the highlighted body, built by :mod:`workers.web.highlight`.
Links to outside the explorer are made only from ``http(s)`` URLs (a ``javascript:``
URL stays text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from workers.web.highlight import highlight_mentions
from workers.web.source import (
    ArticleSummary,
    Neighbour,
    StoredArticle,
    StoredClaim,
    StoredEntity,
    StoredMention,
    StorySummary,
)

__all__ = [
    "STANCES",
    "ArticleItem",
    "ArticleListPage",
    "ArticlePage",
    "ClaimView",
    "CopyItem",
    "EntityLink",
    "EntityPage",
    "StoryItem",
    "article_href",
    "article_item",
    "article_list_page",
    "article_page",
    "entity_href",
    "entity_page",
    "external_link",
    "map_link",
    "plural",
    "story_href",
    "story_item",
]

#: Stances of the claim schema; each has a colour class ``stance-<name>``.
STANCES = ("assert", "confirm", "deny", "accuse", "warn", "promise", "question")

_SNIPPET_CHARS = 160


def article_href(article_id: str) -> str:
    """The article page's path (the id percent-encoded)."""
    return f"/articles/{quote(article_id, safe='')}"


def entity_href(entity_id: str) -> str:
    """The entity page's path (the id percent-encoded, ``:`` kept)."""
    return f"/entities/{quote(entity_id, safe=':')}"


def external_link(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None (shown as text).

    Args:
        url: an article's URL as received (untrusted: may be ``javascript:...``).
    """
    if not url:
        return None
    stripped = url.strip()
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 for ch in stripped):
        return None
    return stripped


def map_link(latitude: float | None, longitude: float | None) -> str | None:
    """An OpenStreetMap link centred on a place, or None without coordinates."""
    if latitude is None or longitude is None:
        return None
    lat, lon = float(latitude), float(longitude)
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=9/{lat:.5f}/{lon:.5f}"


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``"1 article"``, ``"3 articles"`` (``nouns``: the plural, when not ``noun + "s"``)."""
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


@dataclass(frozen=True)
class CopyItem:
    """A copy of a listed article: a link to it, and its source."""

    href: str
    source: str


@dataclass(frozen=True)
class ArticleItem:
    """One article in a list; an original with its copies (``copies`` counts them all,
    ``copy_items`` are the first of them)."""

    id: str
    href: str
    heading: str
    source: str
    published: str
    snippet: str
    copies: int = 0
    copy_items: tuple[CopyItem, ...] = ()


def article_item(row: ArticleSummary) -> ArticleItem:
    """A list item: the title, or the body's start for an article without one."""
    snippet = " ".join(row.snippet.split())
    if len(snippet) > _SNIPPET_CHARS:
        snippet = snippet[: _SNIPPET_CHARS - 1].rstrip() + "…"
    heading = (row.title or "").strip() or snippet or row.id
    return ArticleItem(
        id=row.id,
        href=article_href(row.id),
        heading=heading,
        source=row.source or "",
        published=_when(row.published_at or row.stored_at),
        snippet=snippet if heading != snippet else "",
        copies=row.copies,
        copy_items=tuple(CopyItem(article_href(c.id), c.source or "") for c in row.copy_refs),
    )


def story_href(story_id: str) -> str:
    """The story page's path (the id percent-encoded)."""
    return f"/stories/{quote(story_id, safe='')}"


@dataclass(frozen=True)
class StoryItem:
    """A story in a list, or as the story of an article: its label and sizes."""

    id: str
    href: str
    label: str
    articles: int
    originals: int
    sources: int
    sizes: str
    first_seen: str
    last_seen: str


def story_item(story: StorySummary) -> StoryItem:
    """A story's list item; ``sizes`` counts an original and its copies once
    ("3 articles (5 with copies), 4 sources")."""
    sizes = plural(story.originals, "article")
    if story.articles > story.originals:
        sizes += f" ({story.articles} with copies)"
    return StoryItem(
        id=story.id,
        href=story_href(story.id),
        label=story.label.strip() or story.id,
        articles=story.articles,
        originals=story.originals,
        sources=story.sources,
        sizes=f"{sizes}, {plural(story.sources, 'source')}",
        first_seen=_when(story.first_seen),
        last_seen=_when(story.last_seen),
    )


@dataclass(frozen=True)
class ArticleListPage:
    """The front page: latest articles, or those matching a search, and the active stories."""

    query: str
    items: tuple[ArticleItem, ...]
    live: bool
    stories: tuple[StoryItem, ...] = ()


def article_list_page(
    rows: Sequence[ArticleSummary], query: str | None, stories: Sequence[StorySummary] = ()
) -> ArticleListPage:
    """The front page's model; new articles stream in only on the unfiltered list."""
    q = (query or "").strip()
    return ArticleListPage(
        query=q, items=tuple(article_item(r) for r in rows), live=not q, stories=tuple(story_item(s) for s in stories)
    )


@dataclass(frozen=True)
class EntityLink:
    """A link to an entity's page."""

    id: str
    href: str
    name: str
    label: str


@dataclass(frozen=True)
class ClaimView:
    """A claim as claimant → cue → content, with its stance's colour class."""

    id: str
    claimant: str
    claimant_link: EntityLink | None
    cue: str
    content: str
    stance: str
    stance_class: str
    kind: str
    broad: bool
    article_href: str
    article_title: str
    mentioned: tuple[EntityLink, ...]


def claim_view(claim: StoredClaim, names: dict[str, EntityLink], mentions: Sequence[StoredMention] = ()) -> ClaimView:
    """One claim's view.

    Args:
        claim: the row.
        names: entity links by id, for the claimant's link.
        mentions: the article's mentions; those inside the content are linked.
    """
    claimant_link = names.get(claim.claimant_entity_id or "") if claim.claimant_entity_id else None
    if claim.claimant_entity_id and claimant_link is None:
        claimant_link = EntityLink(
            claim.claimant_entity_id, entity_href(claim.claimant_entity_id), claim.claimant_text or "", ""
        )
    inside: dict[str, EntityLink] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        if claim.content_start <= m.start and m.end <= claim.content_end and m.entity_id not in inside:
            inside[m.entity_id] = names.get(m.entity_id) or EntityLink(
                m.entity_id, entity_href(m.entity_id), m.name, m.label
            )
    stance = claim.stance if claim.stance in STANCES else "unknown"
    return ClaimView(
        id=claim.id,
        claimant=claim.claimant_text or "(no claimant)",
        claimant_link=claimant_link,
        cue=claim.cue_text,
        content=claim.content_text,
        stance=claim.stance,
        stance_class=f"stance-{stance}",
        kind=claim.kind,
        broad=claim.broad,
        article_href=article_href(claim.article_id),
        article_title=(claim.article_title or "").strip() or claim.article_id,
        mentioned=tuple(inside.values()),
    )


@dataclass(frozen=True)
class ArticlePage:
    """One article: its body with mentions highlighted, its entities and claims."""

    id: str
    title: str
    source: str
    published: str
    url_text: str
    url_link: str | None
    body_html: Markup | None
    mention_count: int
    unhighlighted: tuple[str, ...]
    entities: tuple[EntityLink, ...]
    claims: tuple[ClaimView, ...]
    flags: tuple[str, ...]
    story: StoryItem | None = None


def article_page(
    article: StoredArticle,
    mentions: Sequence[StoredMention],
    claims: Sequence[StoredClaim],
    story: StorySummary | None = None,
) -> ArticlePage:
    """The article page's model (mentions that cannot be marked are listed, unmarked).

    Raises:
        UnsafeRendering: displaCy's output changed shape ([E923]).
    """
    links: dict[str, EntityLink] = {}
    for m in mentions:
        links.setdefault(m.entity_id, EntityLink(m.entity_id, entity_href(m.entity_id), m.name, m.label))
    highlighted = None if article.body is None else highlight_mentions(article.body, mentions, "/entities/{id}")
    return ArticlePage(
        id=article.id,
        title=(article.title or "").strip() or article.id,
        source=article.source or "",
        published=_when(article.published_at),
        url_text=article.url or "",
        url_link=external_link(article.url),
        body_html=None if highlighted is None else highlighted.html,
        mention_count=len(mentions),
        unhighlighted=() if highlighted is None else highlighted.skipped,
        entities=tuple(sorted(links.values(), key=lambda e: (e.label, e.name))),
        claims=tuple(claim_view(c, links, mentions) for c in sorted(claims, key=lambda c: c.content_start)),
        flags=article.flags,
        story=None if story is None else story_item(story),
    )


@dataclass(frozen=True)
class EntityPage:
    """One entity: its counts, chart of mentions, stories, claims by and about it,
    neighbours (dates and numbers only when ``all_neighbours``), map link."""

    id: str
    name: str
    label: str
    mentions: int
    articles: int
    counts: str
    chart_href: str
    place: str
    map_href: str | None
    claims_by: tuple[ClaimView, ...]
    claims_about: tuple[ClaimView, ...]
    neighbours: tuple[tuple[EntityLink, int], ...]
    stories: tuple[StoryItem, ...] = ()
    all_neighbours: bool = False
    neighbours_toggle: str = ""


def entity_counts(entity: StoredEntity) -> str:
    """``"35 mentions in 3 stories, 12 sources, 14 articles (20 with copies)"``: the
    stories only when there are any, the copies only when there are any."""
    parts = [plural(entity.stories, "story", "stories")] if entity.stories else []
    parts.append(plural(entity.sources, "source"))
    articles = plural(entity.articles, "article")
    if entity.with_copies > entity.articles:
        articles += f" ({entity.with_copies} with copies)"
    parts.append(articles)
    return f"{plural(entity.mentions, 'mention')} in " + ", ".join(parts)


def entity_page(
    entity: StoredEntity,
    claims_by: Sequence[StoredClaim],
    claims_about: Sequence[StoredClaim],
    neighbours: Sequence[Neighbour],
    stories: Sequence[StorySummary] = (),
    *,
    all_neighbours: bool = False,
) -> EntityPage:
    """The entity page's model (claims it made are not repeated among claims about it).

    Args:
        all_neighbours: ``neighbours`` include dates and numbers (the page links the
            other choice).
    """
    me = {entity.id: EntityLink(entity.id, entity_href(entity.id), entity.name, entity.label)}
    made = {(c.article_id, c.id) for c in claims_by}
    place = ", ".join(p for p in (entity.place_name, entity.country_code) if p)
    return EntityPage(
        id=entity.id,
        name=entity.name,
        label=entity.label,
        mentions=entity.mentions,
        articles=entity.articles,
        counts=entity_counts(entity),
        chart_href=entity_href(entity.id) + "/mentions.svg",
        place=place,
        map_href=map_link(entity.latitude, entity.longitude),
        claims_by=tuple(claim_view(c, me) for c in claims_by),
        claims_about=tuple(claim_view(c, me) for c in claims_about if (c.article_id, c.id) not in made),
        neighbours=tuple(
            (EntityLink(n.entity_id, entity_href(n.entity_id), n.name, n.label), n.articles) for n in neighbours
        ),
        stories=tuple(story_item(s) for s in stories),
        all_neighbours=all_neighbours,
        neighbours_toggle=entity_href(entity.id) + ("" if all_neighbours else "?with=all"),
    )
