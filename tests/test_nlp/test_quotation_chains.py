"""Behaviour of quotation chains: quotations without a reporting verb of their own
that continue a speech, or that a colon or the next sentence attributes."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _claims(parse: Parse, text: str) -> list[Claim]:
    doc = parse(text)
    return extract_claims(doc, group_entities(doc), article_id="t")


def _speakers(claims: list[Claim]) -> list[tuple[str | None, str]]:
    return [(c.claimant.text if c.claimant else None, c.content.text) for c in claims]


def test_paragraph_closing_a_quote_left_open_continues_it_without_an_opening_mark(parse: Parse) -> None:
    claims = _claims(parse, 'The coach said, "We have learned a lot.\nIt was an emotional day."')
    assert [c.content.text for c in claims] == ["We have learned a lot", "It was an emotional day"]
    assert claims[1].cue == claims[0].cue


def test_quotation_sentence_after_indirect_speech_continues_it(parse: Parse) -> None:
    text = (
        'Heald noted the findings show pollution reduction is important. "An air-quality cleanup would improve yields."'
    )
    claims = _claims(parse, text)
    assert [c.kind for c in claims] == ["indirect", "direct"]
    assert claims[1].cue == claims[0].cue and claims[1].claimant == claims[0].claimant


def test_quotation_left_open_continues_in_the_next_paragraph(parse: Parse) -> None:
    text = '"We have learned a lot," the coach said. "It was a long season.\n"Next year we will be ready."'
    claims = _claims(parse, text)
    assert claims[-1].content.text == "Next year we will be ready"
    assert {c.cue.start for c in claims} == {claims[0].cue.start}


def test_paragraph_that_is_one_quotation_continues_the_speaker_before_it(parse: Parse) -> None:
    text = '"Seventeen years ago, this would not have been possible," said Ambassador Mohib.\n'
    text += '"They represent our aspirations and resilience."'
    claims = _claims(parse, text)
    assert [c.content.text for c in claims][-1] == "They represent our aspirations and resilience"
    assert claims[-1].claimant == claims[0].claimant


def test_quotation_after_another_sentence_does_not_continue(parse: Parse) -> None:
    text = 'The minister said that taxes would rise. The weather was cold. "We are ready," the coach said.'
    claims = _claims(parse, text)
    assert claims[-1].claimant is not None and claims[-1].claimant.text == "the coach"
    assert len(claims) == 2


def test_quoted_word_inside_a_sentence_is_no_continuation(parse: Parse) -> None:
    text = 'The minister said that taxes would rise. The team listed their country as "Hope" on their shirts.'
    assert len(_claims(parse, text)) == 1


def test_speech_continues_across_one_short_paragraph_of_narration(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\nThe club has lost four games this season.\n“We will be back.”"
    claims = _claims(parse, text)
    assert _speakers(claims) == [("Ana Diaz", "We will win"), ("Ana Diaz", "We will be back")]
    assert claims[1].cue == claims[0].cue


def test_speech_left_open_continues_across_a_short_paragraph(parse: Parse) -> None:
    text = 'The coach, Ana Diaz, said: "We have trained hard.\nThe team flies to Rome on Friday.\n'
    text += '"Next year we will be ready."'
    assert _speakers(_claims(parse, text))[-1] == ("Ana Diaz", "Next year we will be ready")


def test_a_heading_ends_the_chain(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\nTransfer news\n“We will be back.”"
    assert _speakers(_claims(parse, text)) == [("Ana Diaz", "We will win")]


def test_a_paragraph_naming_another_person_ends_the_chain(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\nThe striker, Maria Lopez, was injured.\n“We will be back.”"
    assert _speakers(_claims(parse, text)) == [("Ana Diaz", "We will win")]


def test_a_long_paragraph_between_is_a_change_of_topic(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\n" + "The club, founded in 1901, has " + "lost many games " * 8
    text += "this season.\n“We will be back.”"
    assert _speakers(_claims(parse, text)) == [("Ana Diaz", "We will win")]


def test_a_paragraph_with_its_own_attribution_ends_the_chain(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\nThe club said the stadium was full.\n“We will be back.”"
    claims = _claims(parse, text)
    # Not Ana Diaz's any more: the quotation paragraph goes on with the club's speech.
    assert [(c.claimant.text if c.claimant else None, c.content.text) for c in claims][1:] == [
        ("The club", "the stadium was full"),
        ("The club", "We will be back"),
    ]


def test_two_paragraphs_between_end_the_chain(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\nThe club lost.\nIt rained.\n“We will be back.”"
    assert _speakers(_claims(parse, text)) == [("Ana Diaz", "We will win")]


def test_a_new_speaker_ends_the_chain(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\n“They will not,” said Maria Lopez.\n“We never lose at home.”"
    assert _speakers(_claims(parse, text))[-1] == ("Maria Lopez", "We never lose at home")


def test_a_quoted_title_paragraph_is_no_continuation(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\nThe club lost.\n“Champions of Europe”"
    assert _speakers(_claims(parse, text)) == [("Ana Diaz", "We will win")]


def test_a_quoted_title_in_the_next_paragraph_is_no_continuation(parse: Parse) -> None:
    text = "“We will win,” said Ana Diaz.\n“Champions of Europe”"
    assert _speakers(_claims(parse, text)) == [("Ana Diaz", "We will win")]


def test_colon_after_a_clause_attributes_the_quotation_to_its_subject(parse: Parse) -> None:
    (claim,) = _claims(parse, "The minister was blunt: “We will not pay.”")
    assert claim.claimant is not None and claim.claimant.text == "The minister"
    assert (claim.cue.text, claim.cue.lemma, claim.content.text) == ("was", "be", "We will not pay")


def test_colon_at_paragraph_end_attributes_the_quotation_below(parse: Parse) -> None:
    (claim,) = _claims(parse, "Ana Diaz was in no mood to compromise:\n“We will not pay a cent.”")
    assert claim.claimant is not None and claim.claimant.text == "Ana Diaz"
    assert (claim.cue.text, claim.content.text) == ("was", "We will not pay a cent")


def test_colon_attribution_goes_on_in_the_next_quotation_paragraph(parse: Parse) -> None:
    text = "Ana Diaz was blunt: “We will not pay.”\n“The deal is dead.”"
    claims = _claims(parse, text)
    assert [c.content.text for c in claims] == ["We will not pay", "The deal is dead"]
    assert claims[1].claimant == claims[0].claimant


def test_colon_after_a_thing_is_no_speech(parse: Parse) -> None:
    assert _claims(parse, "The sign on the door was clear: “No entry after dark.”") == []


def test_colon_opening_an_example_is_no_speech(parse: Parse) -> None:
    text = "The newspaper cited several questions, including: “Did you travel alone?”"
    assert _claims(parse, text) == []


def test_colon_before_a_title_is_no_claim(parse: Parse) -> None:
    assert _claims(parse, "Ana Diaz gave her book a long name: “Champions of Europe” and sold it.") == []


def test_next_sentence_naming_the_speaker_with_put_it(parse: Parse) -> None:
    (claim,) = _claims(parse, "“It is over.” That was how Ms Diaz put it.")
    assert claim.claimant is not None and claim.claimant.text == "Ms Diaz"
    assert (claim.cue.text, claim.content.text) == ("put", "It is over")


def test_next_sentence_naming_the_speaker_with_a_reporting_verb(parse: Parse) -> None:
    (claim,) = _claims(parse, "“We lost.” That is what the coach told reporters on Sunday.")
    assert claim.claimant is not None and claim.claimant.text == "the coach"
    assert claim.cue.lemma == "tell"


def test_next_sentence_naming_the_speaker_by_the_words_of(parse: Parse) -> None:
    (claim,) = _claims(parse, "“It is over.” Those were the words of the coach, Ana Diaz.")
    assert claim.claimant is not None and claim.claimant.text == "Ana Diaz"
    assert (claim.cue.text, claim.cue.lemma) == ("words of", "words of")


def test_next_sentence_without_a_pointer_attributes_nothing(parse: Parse) -> None:
    assert _claims(parse, "“It is over.” The coach put the ball away.") == []


def test_scare_quote_before_a_pointer_sentence_is_no_claim(parse: Parse) -> None:
    assert _claims(parse, "The plan was called “bold”. That is what Ana Diaz told reporters.") == []
