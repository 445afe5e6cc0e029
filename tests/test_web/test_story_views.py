from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from tests.test_web.factories import hama_event
from tests.test_web.memory import MemorySource
from workers.web.app import create_app
from workers.web.source import LedgerClaim, StoredEntity, StoryEntity, StoryMember, StorySummary
from workers.web.story_views import proposition_views, story_list_page, story_members, story_page
from workers.web.views import entity_counts

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def member(article_id: str, hour: int, duplicate_of: str | None = None, *, stored: bool = True) -> StoryMember:
    return StoryMember(
        article_id=article_id,
        at=AT + timedelta(hours=hour),
        source=f"source of {article_id}",
        matched="duplicate" if duplicate_of else "new",
        title=f"title of {article_id}" if stored else None,
        duplicate_of=duplicate_of,
        stored=stored,
    )


def ledger_claim(proposition: str, claim_id: str, polarity: str, claimant: str | None = "Someone") -> LedgerClaim:
    return LedgerClaim(proposition, claim_id, f"art-{claim_id}", claimant, "assert", polarity, f"text {claim_id}", 0, 5)


def summary(story_id: str = "s1", label: str = "Hama", **overrides: object) -> StorySummary:
    fields: dict[str, object] = dict(
        id=story_id,
        label=label,
        first_seen=AT,
        last_seen=AT,
        articles=5,
        originals=2,
        sources=4,
        entities=(StoryEntity("gpe:hama", "Hama", 0.9), StoryEntity("weird", "Odd", 0.1)),
    )
    fields.update(overrides)
    return StorySummary(**fields)  # type: ignore[arg-type]


def test_copies_of_a_member_collapse_under_it() -> None:
    views = story_members([member("a", 0), member("b", 1, "a"), member("c", 2, "a"), member("d", 3)])
    assert [v.id for v in views] == ["a", "d"]
    assert [c.href for c in views[0].copies] == ["/articles/b", "/articles/c"]
    assert views[1].copies == ()


def test_a_copy_of_an_article_outside_the_story_is_its_own_row() -> None:
    assert [v.id for v in story_members([member("a", 0), member("b", 1, "elsewhere")])] == ["a", "b"]


def test_a_member_not_stored_yet_has_no_link() -> None:
    (view,) = story_members([member("later", 0, stored=False)])
    assert view.href is None and view.heading == "later"


def test_the_ledger_puts_asserting_and_denying_claims_side_by_side_contradictions_first() -> None:
    ledger = [
        ledger_claim("p-agreed", "x1", "asserts"),
        ledger_claim("p-agreed", "x2", "asserts"),
        ledger_claim("p-agreed", "x3", "asserts"),
        ledger_claim("p-disputed", "p-disputed", "asserts"),
        ledger_claim("p-disputed", "y2", "denies", claimant=None),
    ]
    disputed, agreed = proposition_views(ledger)
    assert (disputed.id, disputed.contradicted, disputed.statement) == ("p-disputed", True, "text p-disputed")
    assert [c.claim_id for c in disputed.asserting] == ["p-disputed"]
    assert [(c.claim_id, c.claimant) for c in disputed.denying] == [("y2", "(no claimant)")]
    assert disputed.denying[0].href == "/articles/art-y2#claim-y2"
    assert (agreed.contradicted, len(agreed.asserting), agreed.denying) == (False, 3, ())


def test_the_story_page_counts_contradictions_and_links_its_leading_entities() -> None:
    page = story_page(
        summary(), [member("a", 0)], [ledger_claim("p", "p", "asserts"), ledger_claim("p", "q", "denies")]
    )
    assert page.contradictions == 1
    assert [(e.href, e.label) for e in page.entities] == [("/entities/gpe:hama", "GPE"), ("/entities/weird", "")]
    assert page.story.sizes == "2 articles (5 with copies), 4 sources"


def test_the_story_list_does_not_repeat_an_active_story_among_the_recent() -> None:
    page = story_list_page([summary("s1")], [summary("s1"), summary("s2")])
    assert [s.id for s in page.active] == ["s1"] and [s.id for s in page.recent] == ["s2"]


def test_entity_counts_name_stories_sources_and_copies_only_when_there_are_some() -> None:
    full = StoredEntity("p:x", "X", "PERSON", mentions=20, articles=14, with_copies=20, sources=12, stories=3)
    assert entity_counts(full) == "20 mentions in 3 stories, 12 sources, 14 articles (20 with copies)"
    plain = StoredEntity("p:x", "X", "PERSON", mentions=1, articles=1, with_copies=1, sources=1)
    assert entity_counts(plain) == "1 mention in 1 source, 1 article"


def client_with_story(label: str = "Hama") -> TestClient:
    source = MemorySource([hama_event("hama-1", source="Wire")])
    source.stories = [summary("s/1", label)]
    source.members = {"s/1": [member("hama-1", 0)]}
    source.ledger = {"s/1": [ledger_claim("p", "p", "asserts"), ledger_claim("p", "q", "denies")]}
    return TestClient(create_app(source))


def test_the_story_page_escapes_its_label_and_an_unknown_story_is_not_found() -> None:
    client = client_with_story("<script>x</script>Hama")
    page = client.get("/stories/s%2F1")
    assert page.status_code == 200 and "&lt;script&gt;x" in page.text and "<script>x" not in page.text
    assert page.text.count('class="ledger-claim') == 2 and "1 contradicted" in page.text
    assert client.get("/stories/nope").status_code == 404


def test_the_front_page_the_story_list_and_the_article_page_link_the_story() -> None:
    client = client_with_story()
    for path in ("/", "/stories", "/articles/hama-1"):
        assert 'href="/stories/s%2F1"' in client.get(path).text, path
    assert "Story: " in client.get("/articles/hama-1").text


def test_appears_with_leaves_dates_out_unless_asked() -> None:
    client = client_with_story()
    plain = client.get("/entities/person:ahmed-karim").text
    assert "/entities/gpe:hama" in plain and "/entities/date:thursday" not in plain
    assert 'href="/entities/person:ahmed-karim?with=all"' in plain
    everything = client.get("/entities/person:ahmed-karim", params={"with": "all"}).text
    assert "/entities/date:thursday" in everything
