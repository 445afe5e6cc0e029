"""The story stage's rows in the sink's transaction: which event of a key wins, and the writes.

Called by :class:`~workers.sink.store.SinkStore` inside the transaction that writes the
batch's articles and moves its offsets, so a story-stage event is stored exactly once
in effect as an article is. Each table keeps, per primary key, one event's row; an
incoming event is (:func:`decide`):

- ``new``: nothing stored under its key;
- ``duplicate``: the same event again (a stage that crashed and replayed, a sink that
  reads a batch again): left alone, nothing written;
- ``replace``: another stage version's (a reassignment, a re-run of the stage after an
  upgrade: the later read wins), or the same version's and later in the stream;
- ``stale``: the same version's and earlier than the stored one (a replay that sends
  old events again after newer ones were stored): left alone.

What "the same event" and "later" mean, per table (:data:`KINDS`):

========================  ==================  =====================  ==========================
table (key)               same event when     later when             one event per
========================  ==================  =====================  ==========================
``stories`` (story id)    same ``version``    larger (``last_seen``, each article that joins:
                                              ``size``)              the story as it stands
``story_articles``        same ``story_id``   (never: one event      article
(article id)              and ``version``     per article and
                                              version)
``claim_links`` (link id) same ``version``    (never)                pair of claims
``trends`` (trend id)     same ``version``    larger (``window_end``, entity and window
                                              ``count``)
========================  ==================  =====================  ==========================

A story's events are keyed by its id, so they arrive in order, and its
(``last_seen``, ``size``) grows with every article that joins (``size`` by one, ``last_seen``
never shrinks): ordering by it rather than by offset keeps a replay of older events
from rolling the story back, since re-sent events have *later* offsets. Across stage
versions nothing orders two events (a version is a fingerprint, not a number), so the
one read later wins, as an upgraded stage's events come after the old one's.

Within a batch the events of one key are folded the same way, in read order; the
batch's other events of the key count as duplicates (or stale, when they differ from the
one kept), as for articles. A ``stories`` event counts in ``sink_events_total`` by what
became of its article's membership (the story row is the story's summary, written once
per batch however many of its articles came).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from workers.sink.tables import ClaimLinkRow, StageRows, StoryArticleRow, StoryEventRows, StoryRow, TrendRow

if TYPE_CHECKING:
    from workers.sink.store import Outcome

__all__ = ["KINDS", "STAGE_TABLES", "Kind", "StageWrite", "decide", "write_stage_rows"]

#: The story stage's tables, in the order a batch writes them.
STAGE_TABLES: Final = ("stories", "story_articles", "claim_links", "trends")


@dataclass(frozen=True, slots=True)
class Kind:
    """How one story-stage table keeps one event per key.

    Args:
        table: the table.
        row_type: its row ``NamedTuple`` (columns in order; the first is the key).
        same: the columns whose values, all equal, make two events of a key one event.
        order: the columns that order one version's events of a key (a later event has
            larger values); empty when a key has one event per version.
        touch: whether the table has a ``written_at`` to set when a row is replaced.
    """

    table: str
    row_type: Any
    same: tuple[str, ...]
    order: tuple[str, ...] = ()
    touch: bool = False

    @property
    def key(self) -> str:
        return str(self.row_type._fields[0])

    def state(self, row: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """What :func:`decide` compares of ``row``: its identity and its order."""
        return tuple(getattr(row, c) for c in self.same), tuple(getattr(row, c) for c in self.order)


STORIES: Final = Kind("stories", StoryRow, same=("version",), order=("last_seen", "size"), touch=True)
MEMBERS: Final = Kind("story_articles", StoryArticleRow, same=("story_id", "version"))
LINKS: Final = Kind("claim_links", ClaimLinkRow, same=("version",))
TRENDS: Final = Kind("trends", TrendRow, same=("version",), order=("window_end", "count"))
KINDS: Final = {k.table: k for k in (STORIES, MEMBERS, LINKS, TRENDS)}

State = tuple[tuple[Any, ...], tuple[Any, ...]]


def decide(stored: State | None, incoming: State) -> Outcome:
    """What to do with an event whose state (:meth:`Kind.state`) is ``incoming`` when the
    row stored under its key has the state ``stored`` (None: no row)."""
    if stored is None:
        return "new"
    if stored[0] != incoming[0]:
        return "replace"  # another version's, or another story's: the later read wins
    if incoming[1] > stored[1]:
        return "replace"
    return "duplicate" if incoming[1] == stored[1] else "stale"


@dataclass(slots=True)
class StageWrite:
    """What the story-stage part of a transaction did: rows written by table, and the
    events by outcome (``new``, ``replace``, ``duplicate``, ``stale``)."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGE_TABLES, 0))
    outcomes: Counter[str] = field(default_factory=Counter)


def write_stage_rows(cur: psycopg.Cursor[Any], rows: Sequence[StageRows]) -> StageWrite:
    """Write the rows of a batch's story-stage events (in read order) in the cursor's transaction."""
    done = StageWrite()
    if not rows:
        return done
    stories = [r.story for r in rows if isinstance(r, StoryEventRows)]
    members = [r.member for r in rows if isinstance(r, StoryEventRows)]
    links = [r for r in rows if isinstance(r, ClaimLinkRow)]
    trends = [r for r in rows if isinstance(r, TrendRow)]
    for kind, of_kind, counted in ((STORIES, stories, False), (MEMBERS, members, True), (LINKS, links, True)):
        done.rows[kind.table] = _write(cur, kind, of_kind, done.outcomes if counted else Counter())
    done.rows["trends"] = _write(cur, TRENDS, trends, done.outcomes)
    return done


def _write(cur: psycopg.Cursor[Any], kind: Kind, rows: Sequence[Any], outcomes: Counter[str]) -> int:
    """Write ``rows`` of ``kind``: each key's winning event, if it beats the stored row;
    counts every event's outcome into ``outcomes``; returns the rows written."""
    if not rows:
        return 0
    kept: dict[str, Any] = {}
    for row in rows:
        held = kept.get(row[0])
        if held is None or decide(kind.state(held), kind.state(row)) == "replace":
            kept[row[0]] = row
    for row in rows:  # the batch's other events of a key: a repeat of, or older than, the one kept
        winner = kept[row[0]]
        if row is not winner:
            outcomes["duplicate" if kind.state(row) == kind.state(winner) else "stale"] += 1
    keys = sorted(kept)
    columns = (kind.key, *kind.same, *kind.order)
    found = cur.execute(
        sql.SQL("SELECT {} FROM {} WHERE {} = ANY(%s) ORDER BY {} FOR UPDATE").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.Identifier(kind.table),
            sql.Identifier(kind.key),
            sql.Identifier(kind.key),
        ),
        (keys,),
    ).fetchall()
    cut = 1 + len(kind.same)
    stored = {r[0]: (tuple(r[1:cut]), tuple(r[cut:])) for r in found}
    winners = []
    for key in keys:
        outcome = decide(stored.get(key), kind.state(kept[key]))
        outcomes[outcome] += 1
        if outcome in ("new", "replace"):
            winners.append(_adapted(kept[key]))
    if winners:
        cur.executemany(_upsert(kind), winners)
    return len(winners)


def _adapted(row: Any) -> tuple[Any, ...]:
    """``row``'s values as psycopg sends them (a story's entities as ``jsonb``)."""
    if isinstance(row, StoryRow):
        return tuple(Jsonb(v) if name == "entities" else v for name, v in zip(row._fields, row, strict=True))
    return tuple(row)


def _upsert(kind: Kind) -> sql.Composed:
    fields: tuple[str, ...] = kind.row_type._fields
    updates: list[sql.Composable] = [sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in fields[1:]]
    if kind.touch:
        updates.append(sql.SQL("written_at = now()"))
    return sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}").format(
        sql.Identifier(kind.table),
        sql.SQL(", ").join(map(sql.Identifier, fields)),
        sql.SQL(", ").join(sql.Placeholder() * len(fields)),
        sql.Identifier(kind.key),
        sql.SQL(", ").join(updates),
    )
