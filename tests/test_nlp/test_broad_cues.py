"""Behaviour of the broad cues: beliefs, speech acts beyond saying (narrow when what
they report was uttered, broad for a request's act or a naming), evidence from
documents and data, nominal reports, and attributions set inside their clause.

Most tests read the attributions (``cues.attributions``), where the classification
is made; the ``broad`` flag reaches a ``Claim`` through ``claims.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from workers.nlp.article_index import ArticleIndex
from workers.nlp.claims import extract_claims
from workers.nlp.cues import Attribution, attributions
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _found(parse: Parse, text: str) -> list[tuple[Attribution, str, str, bool]]:
    """(attribution, speaker text, content text, broad) for every content found."""
    doc = parse(text)
    article = ArticleIndex(doc, group_entities(doc))
    rows = []
    for a in attributions(article):
        speaker = doc[a.speaker[0].i : a.speaker[1].i + 1].text if a.speaker else ""
        for c in a.contents:
            rows.append((a, speaker, text[c.start : c.end], c.broad))
    return rows


def _one(parse: Parse, text: str) -> tuple[Attribution, str, str, bool]:
    rows = _found(parse, text)
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("text", "lemma", "content"),
    [
        ("She believes that the economy will recover.", "believe", "the economy will recover"),
        ("He fears the talks will collapse.", "fear", "the talks will collapse"),
        ("The minister doubts that the deal will hold.", "doubt", "the deal will hold"),
        ("Officials expect that prices will fall next year.", "expect", "prices will fall next year"),
        ("The coach thinks his team can win the title.", "think", "his team can win the title"),
    ],
)
def test_belief_with_a_clause_is_a_broad_belief(parse: Parse, text: str, lemma: str, content: str) -> None:
    attribution, _, found, broad = _one(parse, text)
    assert (attribution.lemma, found, broad) == (lemma, content, True)
    assert attribution.contents[0].kind == "belief"


def test_belief_keeps_kind_belief_in_the_claim(parse: Parse) -> None:
    doc = parse("She believes that the economy will recover.")
    (claim,) = extract_claims(doc, group_entities(doc), article_id="t")
    assert (claim.kind, claim.stance) == ("belief", "assert")


def test_doubt_has_stance_deny_and_fear_warn(parse: Parse) -> None:
    doc = parse("The minister doubts that the deal will hold. He fears the talks will collapse.")
    claims = extract_claims(doc, group_entities(doc), article_id="t")
    assert [c.stance for c in claims] == ["deny", "warn"]


@pytest.mark.parametrize(
    "text",
    [
        "He wants to win the race.",
        "The government plans to raise taxes.",
        "She knows the area well.",
        "He does not believe that the plan will work.",
        "Critics might think that the plan is too costly.",
        "The minister said she believed the deal would hold.",  # one claim: the minister's
    ],
)
def test_belief_without_a_proposition_or_inside_a_report_is_not_its_own_claim(parse: Parse, text: str) -> None:
    doc = parse(text)
    claims = extract_claims(doc, group_entities(doc), article_id="t")
    assert all(c.cue.lemma == "say" for c in claims)


@pytest.mark.parametrize(
    ("text", "lemma", "content"),
    [
        ("Unions urged the government to raise wages.", "urge", "the government to raise wages"),
        ("The opposition called for an inquiry into the deal.", "call", "an inquiry into the deal"),
        ("The opposition called for the minister to resign.", "call", "the minister to resign"),
        ("Residents demanded that the plant be closed.", "demand", "the plant be closed"),
        ("The union condemned the decision as a betrayal, and said it would strike.", "say", "it would strike"),
    ],
)
def test_requests_are_broad_and_what_was_said_is_narrow(parse: Parse, text: str, lemma: str, content: str) -> None:
    # A request's addressee and act is what was asked, broad; a demand that-clause
    # and a saying are statements uttered, narrow (issue #21: uttered or written).
    rows = [(a.lemma, found, broad) for a, _, found, broad in _found(parse, text)]
    assert (lemma, content, lemma not in ("say", "demand")) in rows


@pytest.mark.parametrize(
    "text",
    [
        "The mayor criticised the decision.",  # a judgment with no words reported
        "The senator praised the court's ruling.",
        "She called the office on Monday.",
        "He called on the minister at her home.",
        "There was little support for the plan.",
        "The party will support the bill.",
    ],
)
def test_judgments_and_calls_without_content_are_not_claims(parse: Parse, text: str) -> None:
    assert _found(parse, text) == []


def test_praise_with_a_quotation_is_a_narrow_claim(parse: Parse) -> None:
    rows = _found(parse, "“They saved the plant,” the president praised.")
    assert [(a.lemma, found, broad) for a, _, found, broad in rows] == [("praise", "They saved the plant", False)]


def test_narrow_speech_verbs_stay_narrow(parse: Parse) -> None:
    for text in ("The minister insisted that the deal would hold.", "She promised that taxes would fall."):
        (_, _, _, broad) = _one(parse, text)
        assert broad is False


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("Polls show that most voters oppose the plan.", "Polls", "most voters oppose the plan"),
        ("A study found that children sleep less.", "A study", "children sleep less"),
        ("The data showed a sharp rise in prices.", "The data", "a sharp rise in prices"),
        (
            "Figures released on Monday showed that inflation rose to 4 percent.",
            "Figures released on Monday",
            "inflation rose to 4 percent",
        ),
    ],
)
def test_evidence_from_documents_is_broad(parse: Parse, text: str, speaker: str, content: str) -> None:
    _, found_speaker, found, broad = _one(parse, text)
    assert (found_speaker, found, broad) == (speaker, content, True)


def test_narrow_cue_with_a_document_subject_stays_narrow(parse: Parse) -> None:
    # The development sets count "the report concluded" and "reports have revealed".
    _, speaker, content, broad = _one(parse, "The report concluded that the agency had failed.")
    assert (speaker, content, broad) == ("The report", "the agency had failed", False)


@pytest.mark.parametrize(
    "text",
    [
        "The team found the keys under the desk.",
        "He showed the visitors around the plant.",
        "If the data show a rise, the bank will act.",
        "The report, published on Monday, runs to 300 pages.",
        "The study will examine whether children sleep less.",
        "The survey did not find that prices rose.",
    ],
)
def test_evidence_verbs_without_a_finding_are_not_claims(parse: Parse, text: str) -> None:
    assert _found(parse, text) == []


@pytest.mark.parametrize(
    ("text", "speaker", "lemma", "content"),
    [
        (
            "The senator's claim that the election was rigged was rejected.",
            "The senator",
            "claim",
            "the election was rigged",
        ),
        ("Critics dismissed Smith's warning that prices would rise.", "Smith", "warning", "prices would rise"),
        (
            "The ministry's statement that the border was closed came late.",
            "The ministry",
            "statement",
            "the border was closed",
        ),
    ],
)
def test_nominal_report_is_a_broad_claim_of_its_possessor(
    parse: Parse, text: str, speaker: str, lemma: str, content: str
) -> None:
    attribution, found_speaker, found, broad = _one(parse, text)
    assert (found_speaker, attribution.lemma, found, broad) == (speaker, lemma, content, True)


def test_nominal_warning_has_stance_warn(parse: Parse) -> None:
    doc = parse("Critics dismissed Smith's warning that prices would rise.")
    (claim,) = extract_claims(doc, group_entities(doc), article_id="t")
    assert (claim.cue.text, claim.stance) == ("warning", "warn")


@pytest.mark.parametrize(
    "text",
    [
        "The claim that the election was rigged was rejected.",  # nobody's claim
        "The senator's claim, which he made on Monday, was rejected.",
        "The senator repeated the claim that he made last year.",
    ],
)
def test_report_noun_without_owner_or_that_clause_is_not_a_claim(parse: Parse, text: str) -> None:
    assert [a for a, *_ in _found(parse, text) if a.lemma == "claim"] == []


def test_statement_speaks_for_its_issuer(parse: Parse) -> None:
    _, speaker, content, broad = _one(parse, "A statement from the Interior Ministry said the border would reopen.")
    assert (speaker, content, broad) == ("the Interior Ministry", "the border would reopen", False)


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("The plan, officials said, will cost more.", "officials", "The plan, officials said, will cost more"),
        (
            "It is on the premier's watch, the opposition leader said, that debt doubled.",
            "the opposition leader",
            "It is on the premier's watch, the opposition leader said, that debt doubled",
        ),
        (
            "The new tax, the minister told reporters, would be scrapped.",
            "the minister",
            "The new tax, the minister told reporters, would be scrapped",
        ),
        (
            "Prices, the bank said in a statement, will keep rising.",
            "the bank",
            "Prices, the bank said in a statement, will keep rising",
        ),
    ],
)
def test_attribution_inside_its_clause_reports_the_whole_clause(
    parse: Parse, text: str, speaker: str, content: str
) -> None:
    _, found_speaker, found, broad = _one(parse, text)
    assert (found_speaker, found, broad) == (speaker, content, False)


def test_inverted_speaker_stops_before_the_channel(parse: Parse) -> None:
    _, speaker, content, _ = _one(parse, '"We will not pay," said Ms Diaz in an email on Tuesday.')
    assert (speaker, content) == ("Ms Diaz", "We will not pay")


@pytest.mark.parametrize(
    "text",
    [
        "The company has not said whether it will appeal.",
        "The minister declined to comment on the report.",
        "Officials have yet to say whether the plan, which was delayed, will go ahead.",
    ],
)
def test_refusals_and_silences_are_not_claims(parse: Parse, text: str) -> None:
    doc = parse(text)
    assert extract_claims(doc, group_entities(doc), article_id="t") == []


def test_object_split_from_an_evidence_clause_is_part_of_it(parse: Parse) -> None:
    text = "Figures published today show a record 45,756 migrants crossing the sea last year drove claims up."
    _, _, content, broad = _one(parse, text)
    assert (content, broad) == ("a record 45,756 migrants crossing the sea last year drove claims up", True)


def test_fact_that_became_known_is_nobodys_belief(parse: Parse) -> None:
    assert _found(parse, "He resigned after it became known that he had left the documents behind.") == []


def test_pictures_showing_a_scene_are_not_evidence_claims(parse: Parse) -> None:
    assert _found(parse, "Photos released of the scene showed bodies in the street.") == []
