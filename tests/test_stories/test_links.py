"""Claims of a story that corroborate or contradict each other."""

from __future__ import annotations

from tests.test_stories.events import claim, enriched
from workers.stories.article import StoryClaim, story_article
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.links import link, party, polarity, states_a_proposition

BODY_A = "The ministry said the dam at Kariba had not cracked. Engineers said the dam at Kariba had cracked."
BODY_B = "The operator said the dam at Kariba had cracked after the floods."


def _claims(article_id: str, body: str, *specs: tuple[str, str, str, str]) -> dict:  # type: ignore[type-arg]
    return enriched(
        article_id,
        body,
        entities={"FAC:Kariba": 0.9},
        claims=[claim(body, cid, who, what, stance) for cid, who, what, stance in specs],
    )


def _one(content: str, stance: str = "assert") -> StoryClaim:
    return StoryClaim("c", "a", "x", "x", "say", stance, content, (0, 1), frozenset(), False)


def test_a_denial_and_a_negation_each_flip_the_polarity() -> None:
    assert polarity(_one("the dam cracked")) == 1
    assert polarity(_one("the dam cracked", "deny")) == -1
    assert polarity(_one("the dam had not cracked")) == -1
    assert polarity(_one("the dam had not cracked", "deny")) == 1


def test_opposite_claims_by_different_claimants_contradict() -> None:
    event = _claims(
        "a1",
        BODY_A,
        ("c1", "The ministry", "the dam at Kariba had not cracked", "assert"),
        ("c2", "Engineers", "the dam at Kariba had cracked", "assert"),
    )
    (found,) = StoryAssigner().assign(story_article(event)).links
    assert (found.kind, found.claim.id, found.other.id) == ("contradicts", "c2", "c1")
    assert found.shared_entities == ("Kariba",)


def test_the_same_claim_by_another_source_in_the_story_corroborates() -> None:
    assigner = StoryAssigner()
    assigner.assign(
        story_article(_claims("a1", BODY_A, ("c2", "Engineers", "the dam at Kariba had cracked", "assert")))
    )
    joined = assigner.assign(
        story_article(_claims("a2", BODY_B, ("c3", "The operator", "the dam at Kariba had cracked", "assert")))
    )
    assert [(lk.kind, lk.claim.id, lk.other.id) for lk in joined.links] == [("corroborates", "c3", "c2")]


def test_a_claimant_is_never_linked_with_itself() -> None:
    body = "Engineers said the dam at Kariba had cracked. Engineers said the dam at Kariba had not cracked."
    second = body.index("the dam at Kariba had not")
    event = _claims("a1", body, ("c1", "Engineers", "the dam at Kariba had cracked", "assert"))
    event["claims"].append(
        {
            **event["claims"][0],
            "id": "c2",
            "content": {"text": "the dam at Kariba had not cracked", "start": second, "end": second + 33},
        }
    )
    assert StoryAssigner().assign(story_article(event)).links == ()


def test_two_negations_in_one_sentence_cancel() -> None:
    assert polarity(_one("there is no village we have not reached")) == 1
    assert polarity(_one("no help has reached us. Not one tent has arrived")) == -1


def test_an_entity_the_whole_story_is_about_is_not_evidence_of_one_proposition() -> None:
    body = (
        "Kariba officials said the Kariba dam had cracked near its northern wall. "
        "The Kariba operator said the Kariba turbines would restart on Monday morning."
    )
    specs = [
        ("c1", "Kariba officials", "the Kariba dam had cracked near its northern wall", "assert"),
        ("c2", "The Kariba operator", "the Kariba turbines would restart on Monday morning", "assert"),
    ]
    params = StoryParams(link_threshold=0.9, link_shared_threshold=0.0)
    about_kariba = StoryAssigner(params)
    about_kariba.assign(story_article(_claims("a0", "Kariba dam Kariba lake Kariba town.")))
    assert about_kariba.assign(story_article(_claims("a1", body, *specs))).links == ()
    first_article = StoryAssigner(params).assign(story_article(_claims("a1", body, *specs)))
    assert [(lk.claim.id, lk.other.id) for lk in first_article.links] == [("c2", "c1")]


def _said(
    claim_id: str,
    who: str,
    content: str,
    *,
    article: str = "a",
    entity: str | None = None,
    cue: str = "say",
    stance: str = "assert",
    entities: frozenset[str] = frozenset(),
) -> StoryClaim:
    """A claim as the stage reads it; ``entity``: the claimant's entity id, else its words."""
    claimant = entity or " ".join(who.lower().split())
    return StoryClaim(claim_id, article, claimant, who, cue, stance, content, (0, 1), entities, False)


def _kinds(
    claim: StoryClaim,
    others: list[StoryClaim],
    similarity: float = 0.5,
    *,
    names: dict[str, str] | None = None,
    lead: str | None = None,
    topic: frozenset[str] = frozenset(),
    agree_threshold: float = 0.6,
) -> list[str]:
    """The kinds and other claims of ``claim``'s links, every other at ``similarity``."""
    found = link(
        claim,
        others,
        [similarity] * len(others),
        same_threshold=0.3,
        shared_threshold=0.25,
        names=names,
        topic=topic,
        lead=lead,
        agree_threshold=agree_threshold,
    )
    return [f"{lk.kind}:{lk.other.id}" for lk in found]


def test_verbs_of_stopping_failing_and_denying_flip_the_polarity() -> None:
    for content in (
        "filming has been halted",
        "the tour was cancelled",
        "the talks were called off",
        "the company failed to report the release",
        "the union refused to meet",
        "the reports are untrue",
    ):
        assert polarity(_one(content)) == -1, content


def test_a_negated_stop_asserts_the_going_on() -> None:
    assert polarity(_one("production has not stopped")) == 1
    assert polarity(_one("the company did not fail to report it")) == 1


def test_bad_news_is_not_a_negation() -> None:
    for content in ("deliveries were delayed", "shares fell 5%", "the club lost the final", "the wall collapsed"):
        assert polarity(_one(content)) == 1, content


def test_an_activity_going_ahead_contradicts_its_halt() -> None:
    going = _said("c2", "the studio", "filming was going ahead in Vancouver")
    halted = _said("c1", "the crew", "filming in Vancouver has been halted")
    assert _kinds(going, [halted]) == ["contradicts:c1"]


def test_requests_and_questions_state_no_proposition_and_are_not_linked() -> None:
    advice = _said("c2", "the researcher", "customers to change their passwords", cue="advise")
    question = _said("c3", "the bank", "whether passwords were taken", cue="ask", stance="question")
    statement = _said("c1", "the bank", "no passwords were taken")
    assert not states_a_proposition(advice) and not states_a_proposition(question)
    assert states_a_proposition(statement)
    assert _kinds(advice, [statement]) == [] and _kinds(statement, [advice, question]) == []


def test_a_representative_named_by_its_principal_speaks_for_that_entity() -> None:
    names = {"person:brandon-kessler": "Brandon Kessler", "gpe:vancouver": "Vancouver"}
    for who in ("Kessler's agent", "Kessler\u2019s longtime publicist", "a spokesperson for Kessler"):
        assert party(_said("c", who, "x"), names) == "person:brandon-kessler", who


def test_a_representative_of_a_pronoun_or_a_description_speaks_for_the_story_lead() -> None:
    lead = "person:lana-corwin"
    for who in ("her representative", "his agent", "the singer's representatives", "her publicist Dana Whitfield"):
        assert party(_said("c", who, "x", entity="person:dana-whitfield"), {}, lead) == lead, who
    assert party(_said("c", "her representative", "x"), {}, None) == "her representative"


def test_one_party_under_two_names_is_not_linked_with_itself() -> None:
    names = {"person:brandon-kessler": "Brandon Kessler"}
    agent = _said("c2", "Kessler's agent", "the actor entered rehabilitation", article="a2")
    his_agent = _said("c1", "his agent", "the actor has entered rehabilitation", article="a1")
    assert _kinds(agent, [his_agent], names=names, lead="person:brandon-kessler") == []
    assert _kinds(agent, [his_agent], 0.9, names=names, lead="gpe:vancouver") == ["corroborates:c1"]


def test_indefinite_claimants_of_two_articles_are_two_parties() -> None:
    crew = _said("c2", "Two crew members", "filming has been halted", article="a2")
    other_crew = _said("c1", "two crew members", "filming has been halted", article="a1")
    same_article = _said("c3", "two crew members", "filming has been halted", article="a2")
    assert party(crew) != party(other_crew) and party(crew) == party(same_article)
    assert _kinds(crew, [other_crew, same_article], 0.9) == ["corroborates:c1"]
    union, other_union = _said("c2", "the union", "x", article="a2"), _said("c1", "The union", "x", article="a1")
    assert party(union) == party(other_union)


def test_a_corroboration_needs_an_anchor_or_nearly_the_same_words() -> None:
    sent_home = _said("c2", "the crew", "most of the cast had been sent home", entities=frozenset({"gpe:set"}))
    behind = _said("c1", "an actress", "the cast was all behind him")
    assert _kinds(sent_home, [behind], 0.4) == []
    assert _kinds(sent_home, [behind], 0.4, agree_threshold=0.35) == ["corroborates:c1"]
    same_place = _said("c3", "a driver", "the cast left the set early", entities=frozenset({"gpe:set"}))
    assert _kinds(sent_home, [same_place], 0.4) == ["corroborates:c3"]
    assert _kinds(sent_home, [same_place], 0.4, topic=frozenset({"gpe:set"})) == []
    strikers = _said("c4", "the union", "600 staff had joined the strike")
    figure = _said("c5", "a picket", "600 staff were on the picket line")
    assert _kinds(strikers, [figure], 0.4) == ["corroborates:c5"]


def test_a_contradiction_needs_no_anchor() -> None:
    reached = _said("c2", "regulators", "the material did get into the river")
    held = _said("c1", "the plant manager", "none of it reached the river")
    assert _kinds(reached, [held], 0.35) == ["contradicts:c1"]


def test_words_of_the_story_topic_alone_do_not_link_two_claims() -> None:
    body = "Kariba officials said Kariba Kariba would reopen. The Kariba operator said Kariba Kariba would never close."
    specs = [
        ("c1", "Kariba officials", "Kariba Kariba would reopen", "assert"),
        ("c2", "The Kariba operator", "Kariba Kariba would never close", "assert"),
    ]
    params = StoryParams(link_threshold=0.1, link_shared_threshold=0.1)
    first = StoryAssigner(params)
    assert [lk.claim.id for lk in first.assign(story_article(_claims("a1", body, *specs))).links] == ["c2"]
    about_kariba = StoryAssigner(params)
    about_kariba.assign(story_article(_claims("a0", "Kariba dam Kariba lake Kariba town.")))
    assert about_kariba.assign(story_article(_claims("a1", body, *specs))).links == ()


def test_a_party_whose_most_similar_claim_makes_no_link_is_linked_by_its_next_one() -> None:
    """The minister's "no village we have not reached" is nearest to the mayor's "cut off"
    (same polarity, no anchor: no link), and contradicts his "no help has reached us"."""
    minister = _said("m", "The minister", "there is no village we have not reached", article="a2")
    cut_off = _said("c1", "The mayor", "the village had been cut off since the quake")
    no_help = _said("c2", "The mayor", "no help has reached us")
    found = link(minister, [cut_off, no_help], [0.41, 0.35], same_threshold=0.3, shared_threshold=0.25)
    assert [(lk.kind, lk.other.id) for lk in found] == [("contradicts", "c2")]


def test_each_proposition_of_a_claim_has_its_own_polarity() -> None:
    """ "No disruption, and that agency staff were covering" denies one thing and asserts
    another: the worker who saw agency staff corroborates the second."""
    body = (
        "Corvel said the strike had caused no disruption to customers and that agency staff were covering "
        "the shifts. A picker said agency staff were covering the shifts every morning."
    )
    event = _claims(
        "a1",
        body,
        (
            "c1",
            "Corvel",
            "the strike had caused no disruption to customers and that agency staff were covering the shifts",
            "assert",
        ),
        ("c2", "A picker", "agency staff were covering the shifts every morning", "assert"),
    )
    article = story_article(event)
    assert [(c.id, c.part, polarity(c)) for c in article.claims] == [
        ("c1", "the strike had caused no disruption to customers", -1),
        ("c1", "agency staff were covering the shifts", 1),
        ("c2", "agency staff were covering the shifts every morning", 1),
    ]
    (found,) = StoryAssigner().assign(article).links
    assert (found.kind, found.claim.id, found.other.id) == ("corroborates", "c2", "c1")
    # The link names the whole claim, as its claim event does.
    assert found.other.content_span == (body.index("the strike"), body.index(". A picker"))


def test_a_representative_named_after_its_organisation_speaks_for_it() -> None:
    names = {"org:environment-canada": "Environment Canada", "gpe:canada": "Canada", "person:julie-hahn": "Julie Hahn"}
    hahn = _said("c1", "Environment Canada spokesperson Julie Hahn", "the office is closed", entity="person:julie-hahn")
    raisinghani = _said("c2", "Environment Canada spokeswoman Sujata Raisinghani", "the office is open", article="b")
    assert party(hahn, names) == party(raisinghani, names) == "org:environment-canada"
    assert _kinds(raisinghani, [hahn], names=names) == []
    # A description before the role names nobody: the claimant is its own party.
    assert party(_said("c3", "A company spokesperson", "the offer stood"), names) == "a/a company spokesperson"
    assert party(_said("c4", "department spokesman Keith Moran", "x", entity="person:keith-moran")) == (
        "person:keith-moran"
    )


def test_two_propositions_of_one_claim_that_find_one_other_claim_make_one_link() -> None:
    body = (
        "Engineers said the dam at Kariba had cracked. The dam at Kariba had cracked badly. "
        "The ministry said the dam at Kariba had not cracked."
    )
    event = _claims(
        "a1",
        body,
        ("c1", "Engineers", "the dam at Kariba had cracked. The dam at Kariba had cracked badly", "assert"),
        ("c2", "The ministry", "the dam at Kariba had not cracked", "assert"),
    )
    article = story_article(event)
    assert [c.id for c in article.claims] == ["c1", "c1", "c2"]
    assert [(lk.kind, lk.claim.id, lk.other.id) for lk in StoryAssigner().assign(article).links] == [
        ("contradicts", "c2", "c1")
    ]
