"""Attribution patterns of real copy beyond the plain ones (issue #21): ordinary cues
in less ordinary syntax, continuation quotes, source phrases and the broad boundary.
Every sentence here is made up."""

from __future__ import annotations

import pytest

from tests.test_nlp.claim_helpers import Parse
from tests.test_nlp.claim_helpers import claims_of as _claims
from tests.test_nlp.claim_helpers import one_claim as _one

# Ordinary cues in less ordinary syntax.


def test_a_date_after_the_cue_dates_the_saying_not_the_claim(parse: Parse) -> None:
    claim = _one(parse, "The minister said in Brussels on Friday a second bridge was no longer needed.")
    assert claim.content.text == "a second bridge was no longer needed"
    assert claim.cue.lemma == "say" and not claim.broad


def test_a_date_inside_a_that_clause_stays_in_the_claim(parse: Parse) -> None:
    claim = _one(parse, "The minister said that on Friday a second bridge would open.")
    assert claim.content.text == "on Friday a second bridge would open"


def test_a_notice_that_reads_a_quotation_is_its_claimant(parse: Parse) -> None:
    claim = _one(parse, "“Closed until further notice,” the notice read.")
    assert claim.claimant is not None and claim.claimant.text == "the notice"
    assert (claim.cue.text, claim.content.text, claim.kind) == ("read", "Closed until further notice", "direct")
    assert not claim.broad  # written words are what was said


def test_a_message_that_reads_with_a_colon(parse: Parse) -> None:
    claim = _one(parse, "The message read: “We are closed for the holidays.”")
    assert claim.claimant is not None and claim.claimant.text == "The message"
    assert claim.content.text == "We are closed for the holidays"


def test_reading_a_statement_attributes_the_quotation_after_it(parse: Parse) -> None:
    claim = _one(parse, "The spokesman read a statement on the steps of the court. “Our client is innocent.”")
    assert claim.claimant is not None and claim.claimant.text == "The spokesman"
    assert claim.content.text == "Our client is innocent"


def test_reading_a_report_is_no_attribution(parse: Parse) -> None:
    assert _claims(parse, "I read the report twice before the meeting.") == []


# Continuation quotes.


def test_a_quotation_after_a_sentence_of_narration_goes_on_with_the_speaker(parse: Parse) -> None:
    text = (
        "“We are proud of the team,” she wrote in a letter to staff on Monday. “We will not close the plant.” "
        "The company employs 400 people in the town. “Every job is safe.”"
    )
    contents = {c.content.text: c for c in _claims(parse, text)}
    assert set(contents) == {"We are proud of the team", "We will not close the plant", "Every job is safe"}
    assert contents["Every job is safe"].cue.text == "wrote"


def test_narration_naming_someone_else_ends_the_speech(parse: Parse) -> None:
    text = (
        "“We will not close the plant,” Ms Diaz said. Union leader Tom Reed met workers on Friday. “Every job is safe.”"
    )
    assert [c.content.text for c in _claims(parse, text)] == ["We will not close the plant"]


def test_a_quotation_paragraph_after_reported_speech_goes_on_with_it(parse: Parse) -> None:
    text = (
        "The engineer said the bridge was unsafe and should be closed at once.\n"
        "“We told them in 2019 and again last spring. Nobody listened.”"
    )
    claims = _claims(parse, text)
    assert [c.content.text for c in claims] == [
        "the bridge was unsafe and should be closed at once",
        "We told them in 2019 and again last spring. Nobody listened",
    ]
    assert claims[1].claimant is not None and claims[1].claimant.text == "The engineer"


def test_an_aside_that_reports_nobody_speaking_keeps_the_speaker(parse: Parse) -> None:
    text = (
        "“The bridge is unsafe,” the engineer said.\n"
        "The council has not commented on the report.\n"
        "“We told them in 2019 and again last spring.”"
    )
    contents = [c.content.text for c in _claims(parse, text)]
    assert contents == ["The bridge is unsafe", "We told them in 2019 and again last spring"]


def test_after_reported_speech_an_aside_paragraph_ends_the_speech(parse: Parse) -> None:
    text = (
        "The engineer said the bridge was unsafe.\n"
        "The council met on Tuesday.\n"
        "“We told them in 2019 and again last spring.”"
    )
    assert [c.content.text for c in _claims(parse, text)] == ["the bridge was unsafe"]


# "according to X" inside the clause it attributes.


def test_according_to_between_subject_and_verb_attributes_the_whole_clause(parse: Parse) -> None:
    claim = _one(parse, "The new tax, according to the finance ministry, would raise 2 billion euros a year.")
    assert claim.claimant is not None and claim.claimant.text == "the finance ministry"
    assert claim.cue.lemma == "according to"
    assert claim.content.text == "The new tax, according to the finance ministry, would raise 2 billion euros a year"


def test_according_to_after_an_auxiliary(parse: Parse) -> None:
    claim = _one(parse, "The factory will, according to the union, close in March.")
    assert claim.claimant is not None and claim.claimant.text == "the union"
    assert claim.content.text == "The factory will, according to the union, close in March"


def test_according_to_between_dashes_after_a_subject(parse: Parse) -> None:
    text = "The country's biggest lender — according to two people familiar with the talks — is preparing a bid."
    claim = _one(parse, text)
    assert claim.content.text.startswith("The country's biggest lender") and claim.content.text.endswith("a bid")


def test_according_to_at_the_end_keeps_the_clause_before_it(parse: Parse) -> None:
    claim = _one(parse, "The road has been closed to traffic since Monday, according to police.")
    assert claim.content.text == "The road has been closed to traffic since Monday"


# The broad boundary: uttered or written is narrow, whatever the verb's attitude.


def test_assuring_is_speech(parse: Parse) -> None:
    claim = _one(parse, "The chairman assured shareholders that the dividend was safe.")
    assert (claim.cue.lemma, claim.content.text, claim.broad) == ("assure", "the dividend was safe", False)


def test_confessing_is_speech(parse: Parse) -> None:
    claim = _one(parse, "The driver confessed that he had fallen asleep at the wheel.")
    assert (claim.content.text, claim.stance, claim.broad) == ("he had fallen asleep at the wheel", "confirm", False)


def test_an_urged_quotation_is_speech(parse: Parse) -> None:
    claim = _one(parse, "“Stay indoors and keep your windows closed,” police urged.")
    assert (claim.content.text, claim.kind, claim.broad) == (
        "Stay indoors and keep your windows closed",
        "direct",
        False,
    )


def test_advising_that_is_speech_and_advising_someone_to_act_is_a_request(parse: Parse) -> None:
    assert not _one(parse, "Doctors advised that the outbreak could spread.").broad
    request = _one(parse, "The agency advised travellers to avoid the region.")
    assert (request.content.text, request.broad) == ("travellers to avoid the region", True)


def test_a_belief_in_quoted_words_was_said(parse: Parse) -> None:
    claim = _one(parse, "“The market will recover by spring,” she believes.")
    assert (claim.kind, claim.broad) == ("direct", False)


def test_a_belief_is_still_broad(parse: Parse) -> None:
    claim = _one(parse, "The governor believes that the tax will pass.")
    assert (claim.kind, claim.broad) == ("belief", True)


def test_a_judgment_as_a_quoted_name_gives_the_claimants_words(parse: Parse) -> None:
    claim = _one(parse, "The union condemned the decision as “a slap in the face”.")
    assert (claim.content.text, claim.kind, claim.broad) == ("a slap in the face", "direct", False)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "The mayor described the plan as “a betrayal of every family on this street”.",
            "a betrayal of every family on this street",
        ),
        ("Residents called it “a disgrace to this town” after the water was cut again.", "a disgrace to this town"),
    ],
)
def test_a_quoted_naming_is_a_quote(parse: Parse, text: str, words: str) -> None:
    claim = _one(parse, text)
    assert (claim.content.text, claim.kind, claim.broad) == (words, "direct", False)


def test_a_word_or_two_in_marks_after_a_naming_is_a_scare_quote(parse: Parse) -> None:
    claim = _one(parse, "Residents called the repairs “cosmetic” after the water was cut again.")
    assert (claim.content.text, claim.broad) == ("cosmetic", True)


def test_agreeing_is_a_position_not_a_statement(parse: Parse) -> None:
    assert _one(parse, "The two leaders agreed that talks should resume.").broad


# Indirect attribution on a broad scheme.


def test_a_report_noun_with_its_maker_after_it(parse: Parse) -> None:
    claim = _one(parse, "The claim by the opposition that the vote was rigged was rejected by the court.")
    assert claim.claimant is not None and claim.claimant.text == "the opposition"
    assert (claim.cue.text, claim.content.text, claim.broad) == ("claim", "the vote was rigged", True)


def test_a_suggestion_by_a_named_speaker(parse: Parse) -> None:
    claim = _one(parse, "The suggestion by the mayor that parking fees could double drew criticism.")
    assert claim.claimant is not None and claim.claimant.text == "the mayor"
    assert claim.content.text == "parking fees could double"


def test_a_forecast_is_a_statement(parse: Parse) -> None:
    claim = _one(parse, "Economists have forecast that the recession will end this year.")
    assert (claim.cue.lemma, claim.content.text, claim.broad) == ("forecast", "the recession will end this year", False)


def test_anticipating_is_an_expectation(parse: Parse) -> None:
    claim = _one(parse, "The airline anticipates that demand will recover by summer.")
    assert (claim.kind, claim.broad) == ("belief", True)


# Beliefs in an adjective and in more verbs of holding true (broad).


@pytest.mark.parametrize(
    ("text", "claimant", "content"),
    [
        ("Officials are confident that the bridge will reopen in May.", "Officials", "the bridge will reopen in May"),
        ("The union is concerned that hundreds of jobs will be lost.", "The union", "hundreds of jobs will be lost"),
        ("Farmers remain worried the harvest will fail.", "Farmers", "the harvest will fail"),
        # parsed as a passive verb
        (
            "Local charities are concerned the council will cut their grants.",
            "Local charities",
            "the council will cut their grants",
        ),
    ],
)
def test_a_belief_adjective_with_a_clause_is_a_belief(parse: Parse, text: str, claimant: str, content: str) -> None:
    claim = _one(parse, text)
    assert claim.claimant is not None and claim.claimant.text == claimant
    assert (claim.content.text, claim.kind, claim.broad) == (content, "belief", True)


def test_a_belief_adjective_without_a_clause_claims_nothing(parse: Parse) -> None:
    assert _claims(parse, "Officials are confident about the bridge.") == []
    assert _claims(parse, "Officials are not sure that the bridge will reopen.") == []


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("The skipper reckons he has crossed the river 200,000 times.", "he has crossed the river 200,000 times"),
        ("Most economists assume rates will stay high.", "rates will stay high"),
        ("Many nurses feel the new rota is unfair.", "the new rota is unfair"),
    ],
)
def test_more_verbs_of_holding_true_are_beliefs(parse: Parse, text: str, content: str) -> None:
    claim = _one(parse, text)
    assert (claim.content.text, claim.kind, claim.broad) == (content, "belief", True)


# A present-tense cue the small model tags as a noun ("show", "forecasts").


def test_evidence_that_shows_a_clause_with_the_verb_misread_as_a_noun(parse: Parse) -> None:
    claim = _one(parse, "Figures released on Monday show unemployment rose to 5 percent.")
    assert claim.claimant is not None and claim.claimant.text == "Figures released on Monday"
    assert (claim.cue.text, claim.content.text, claim.broad) == ("show", "unemployment rose to 5 percent", True)


def test_a_forecast_in_the_present_with_the_verb_misread_as_a_noun(parse: Parse) -> None:
    claim = _one(parse, "The IMF forecasts that growth will slow next year.")
    assert claim.claimant is not None and claim.claimant.text == "The IMF"
    assert (claim.cue.lemma, claim.content.text, claim.broad) == ("forecast", "growth will slow next year", False)


@pytest.mark.parametrize(
    "text",
    [
        "The IMF forecasts were published on Monday.",
        "The company's forecasts that were published in May proved wrong.",
        "Media reports say the talks have stalled.",
    ],
)
def test_a_report_noun_without_a_clause_of_its_own_is_not_a_cue(parse: Parse, text: str) -> None:
    assert all(c.cue.lemma not in ("forecast", "report") for c in _claims(parse, text))


def test_evidence_named_with_a_capital_still_presents_evidence(parse: Parse) -> None:
    claim = _one(parse, "Records show the house was sold in 1998.")
    assert (claim.content.text, claim.broad) == ("the house was sold in 1998", True)


@pytest.mark.parametrize(
    ("text", "content", "broad"),
    [
        ("The World Bank forecasts growth of 2 percent next year.", "growth of 2 percent next year", False),
        ("Analysts expect a cut in interest rates.", "a cut in interest rates", True),
    ],
)
def test_a_forecast_or_expectation_of_a_thing(parse: Parse, text: str, content: str, broad: bool) -> None:
    claim = _one(parse, text)
    assert (claim.content.text, claim.broad) == (content, broad)


# A nominal report whose sentence verb the parser took into the reported clause.


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("The ministry's announcement that fuel prices would rise angered drivers.", "fuel prices would rise"),
        ("The mayor's warning that the river would flood prompted an evacuation.", "the river would flood"),
        ("The union's fear that jobs would go proved right.", "jobs would go"),
    ],
)
def test_a_nominal_reports_content_ends_before_the_sentences_verb(parse: Parse, text: str, content: str) -> None:
    claim = _one(parse, text)
    assert (claim.content.text, claim.broad) == (content, True)


def test_a_nominal_report_parsed_right_keeps_its_clause(parse: Parse) -> None:
    claim = _one(parse, "Smith's claim that the vote was rigged sparked protests across the country.")
    assert claim.content.text == "the vote was rigged"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("The police said in Lyon on Monday prices had fallen.", "prices had fallen"),
        ("The minister told reporters on Tuesday oil exports would double.", "oil exports would double"),
    ],
)
def test_a_date_the_parser_joined_to_the_claims_subject_dates_the_saying(parse: Parse, text: str, content: str) -> None:
    claim = _one(parse, text)
    assert claim.content.text == content


# Findings, hearings and rulings with a finite clause (broad).


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The researchers found that ozone pollution caused half of the damage.",
            "ozone pollution caused half of the damage",
        ),
        ("Investigators discovered that the brakes had been cut.", "the brakes had been cut"),
        ("The newspaper has learned that the minister will resign.", "the minister will resign"),
        (
            "The court heard that he transferred the money over seven years.",
            "he transferred the money over seven years",
        ),
        (
            "A Greek court has ruled that worshippers may meet at ancient sites.",
            "worshippers may meet at ancient sites",
        ),
        ("The board decided that the school would close.", "the school would close"),
    ],
)
def test_a_finding_or_ruling_with_a_clause_is_broad(parse: Parse, text: str, content: str) -> None:
    claim = _one(parse, text)
    assert (claim.content.text, claim.broad) == (content, True)


@pytest.mark.parametrize(
    "text",
    [
        "The team found the keys under a rock.",
        "She heard him say it.",
        "I found that hard to believe.",
        "The court ruled out an appeal.",
    ],
)
def test_finding_a_thing_or_hearing_someone_claims_nothing(parse: Parse, text: str) -> None:
    assert _claims(parse, text) == []


# Reporting verbs in unusual syntax: a that-clause the parser made an object.


@pytest.mark.parametrize(
    ("text", "claimant", "content"),
    [
        (
            "Maseko rejected suggestions that the bank was reacting to the currency.",
            "Maseko",
            "the bank was reacting to the currency",
        ),
        (
            "The minister dismissed claims that the deal had been signed in secret.",
            "The minister",
            "the deal had been signed in secret",
        ),
    ],
)
def test_rejecting_a_report_noun_with_a_clause_claims_the_clause(
    parse: Parse, text: str, claimant: str, content: str
) -> None:
    claim = _one(parse, text)
    assert claim.claimant is not None and claim.claimant.text == claimant
    assert (claim.content.text, claim.broad) == (content, True)


def test_rejecting_a_thing_claims_nothing(parse: Parse) -> None:
    assert _claims(parse, "She rejected the offer and dismissed the coach.") == []


def test_a_that_clause_misread_as_the_cues_object(parse: Parse) -> None:
    text = "Wilkins observed that the 2007 starting date of the donation program coincided with the anniversary."
    claim = _one(parse, text)
    assert claim.content.text == "the 2007 starting date of the donation program coincided with the anniversary"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The coach realises the team is too young.", "belief"),
        ("The BBC understands that the minister will resign.", "belief"),
        ("Engineers noticed that the bridge was moving.", "indirect"),
        ("The regulator recognised that the rules had failed.", "indirect"),
    ],
)
def test_knowing_and_noticing_with_a_clause_are_broad(parse: Parse, text: str, kind: str) -> None:
    claim = _one(parse, text)
    assert (claim.kind, claim.broad) == (kind, True)


def test_understanding_a_thing_claims_nothing(parse: Parse) -> None:
    assert _claims(parse, "The coach understands the game and noticed the problem.") == []


# "In a statement" with a verb that is not one of saying (broad).


@pytest.mark.parametrize(
    ("text", "claimant", "content"),
    [
        (
            "In a statement, the company apologised to customers for the delay.",
            "the company",
            "apologised to customers for the delay",
        ),
        ("In an interview with the BBC, the coach ruled out a return.", "the coach", "ruled out a return"),
        ("The airline, in a letter to passengers, offered full refunds.", "The airline", "offered full refunds"),
    ],
)
def test_a_statement_named_without_a_verb_of_saying(parse: Parse, text: str, claimant: str, content: str) -> None:
    claim = _one(parse, text)
    assert claim.claimant is not None and claim.claimant.text == claimant
    assert (claim.content.text, claim.broad) == (content, True)


@pytest.mark.parametrize(
    "text",
    ["The suspect appeared in a video posted online.", "The minister slipped in the interview room."],
)
def test_a_channel_that_is_not_a_statement_claims_nothing(parse: Parse, text: str) -> None:
    assert _claims(parse, text) == []


def test_a_verb_of_saying_with_a_statement_keeps_its_own_claim(parse: Parse) -> None:
    claim = _one(parse, "The minister said in a statement that the talks had failed.")
    assert (claim.cue.text, claim.content.text, claim.broad) == ("said", "the talks had failed", False)
