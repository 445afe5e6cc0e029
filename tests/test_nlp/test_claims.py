"""Behaviour of ``extract_claims``: who said what, with which cue."""

from __future__ import annotations

from pathlib import Path

import spacy

from tests.test_nlp.claim_helpers import Parse
from tests.test_nlp.claim_helpers import claims_of as _claims
from tests.test_nlp.claim_helpers import one_claim as _one
from workers.ids import stable_id
from workers.nlp.claims import extract_claims


def test_indirect_claim_with_that_complement(parse: Parse) -> None:
    claim = _one(parse, "The minister said that the bridge would reopen in May.")
    assert claim.claimant is not None and claim.claimant.text == "The minister"
    assert (claim.cue.text, claim.cue.lemma) == ("said", "say")
    assert claim.content.text == "the bridge would reopen in May"
    assert (claim.kind, claim.stance) == ("indirect", "assert")


def test_direct_quote_after_attribution_with_colon(parse: Parse) -> None:
    claim = _one(parse, 'The mayor told reporters: "We will rebuild the bridge."')
    assert claim.claimant is not None and claim.claimant.text == "The mayor"
    assert claim.cue.lemma == "tell"
    assert (claim.content.text, claim.kind) == ("We will rebuild the bridge", "direct")


def test_direct_quote_before_attribution(parse: Parse) -> None:
    claim = _one(parse, "“We will rebuild the bridge,” the mayor said.")
    assert claim.claimant is not None and claim.claimant.text == "the mayor"
    assert (claim.content.text, claim.kind) == ("We will rebuild the bridge", "direct")


def test_quote_left_open_at_paragraph_end_runs_to_it(parse: Parse) -> None:
    first = _claims(parse, 'The coach said, "We have learned a lot.\nIt was an emotional day."')[0]
    assert (first.content.text, first.kind) == ("We have learned a lot", "direct")


def test_according_to_names_claimant_and_cue(parse: Parse) -> None:
    claim = _one(parse, "According to the police, the suspect fled on foot.")
    assert claim.claimant is not None and claim.claimant.text == "the police"
    assert (claim.cue.text, claim.cue.lemma) == ("According to", "according to")
    assert claim.content.text == "the suspect fled on foot"


def test_according_to_after_the_content(parse: Parse) -> None:
    claim = _one(parse, "The suspect fled on foot, according to the police.")
    assert claim.content.text == "The suspect fled on foot"


def test_deny_stance(parse: Parse) -> None:
    claim = _one(parse, "The company denied that it had misled investors.")
    assert (claim.stance, claim.content.text) == ("deny", "it had misled investors")


def test_confirm_takes_direct_object_as_content(parse: Parse) -> None:
    claim = _one(parse, "Officials confirmed heavy fighting near the border.")
    assert (claim.stance, claim.content.text) == ("confirm", "heavy fighting near the border")


def test_warn_promise_and_ask_stances(parse: Parse) -> None:
    text = "The union warned that strikes would follow. The president promised that taxes would fall."
    text += " Reporters asked whether the plant would close."
    assert [c.stance for c in _claims(parse, text)] == ["warn", "promise", "question"]


def test_pronoun_claimant_resolves_to_previous_claimant(parse: Parse) -> None:
    text = "The Red Cross said that aid had arrived. It added that more trucks were coming."
    first, second = _claims(parse, text)
    assert first.claimant is not None and first.claimant.entity_id == "org:red-cross"
    assert second.claimant is not None and second.claimant.text == "It"
    assert second.claimant.entity_id == "org:red-cross"


def test_he_resolves_to_preceding_person_mention(parse: Parse) -> None:
    claim = _one(parse, "John Smith arrived in London on Monday. He said that the talks had failed.")
    assert claim.claimant is not None and claim.claimant.entity_id == "person:john-smith"


def test_pronoun_without_compatible_antecedent_is_unresolved(parse: Parse) -> None:
    claim = _one(parse, "London was quiet on Monday. He said that the talks had failed.")
    assert claim.claimant is not None and claim.claimant.text == "He"
    assert claim.claimant.entity_id is None


def test_passive_report_has_no_claimant(parse: Parse) -> None:
    claim = _one(parse, "It was reported that the talks had collapsed.")
    assert claim.claimant is None
    assert claim.content.text == "the talks had collapsed"


def test_claimant_excludes_descriptive_apposition(parse: Parse) -> None:
    claim = _one(parse, "The Observatory, a monitoring group, said that fighting continued.")
    assert claim.claimant is not None and claim.claimant.text == "The Observatory"


def test_named_apposition_is_the_claimant(parse: Parse) -> None:
    claim = _one(parse, "The agency's chief, Maria Lopez, said that the budget was cut.")
    assert claim.claimant is not None
    assert (claim.claimant.text, claim.claimant.entity_id) == ("Maria Lopez", "person:maria-lopez")


def test_title_before_name_links_claimant_to_the_person(parse: Parse) -> None:
    claim = _one(parse, "The ambassador to France Hamdullah Mohib said that the team shows progress.")
    assert claim.claimant is not None
    assert claim.claimant.text == "The ambassador to France Hamdullah Mohib"
    assert claim.claimant.entity_id == "person:hamdullah-mohib"


def test_spokesman_for_organisation_links_to_it(parse: Parse) -> None:
    claim = _one(parse, "A spokesman for Microsoft said the update was delayed.")
    assert claim.claimant is not None and claim.claimant.entity_id == "org:microsoft"


def test_no_duplicate_claim_for_one_quote(parse: Parse) -> None:
    claim = _one(parse, 'The coach told reporters: "We will win," he added.')
    assert claim.content.text == "We will win"


def test_said_as_adjective_is_not_a_cue(parse: Parse) -> None:
    assert _claims(parse, "The said company paid the fine.") == []


def test_report_as_noun_is_not_a_cue(parse: Parse) -> None:
    assert _claims(parse, "The report that the flood caused was published on Monday.") == []


def test_negated_cue_is_not_a_claim(parse: Parse) -> None:
    assert _claims(parse, "The minister did not say whether the bridge would reopen.") == []


def test_hypothetical_cue_is_not_a_claim(parse: Parse) -> None:
    assert _claims(parse, "Critics might argue that the plan is flawed.") == []


def test_verb_without_statement_is_not_a_claim(parse: Parse) -> None:
    assert _claims(parse, "The fire claimed 40 lives and added to the damage.") == []


def test_content_stays_in_the_cue_paragraph(parse: Parse) -> None:
    text = "Rebels said on Thursday that they had entered the city\nState media confirmed clashes."
    claims = _claims(parse, text)
    assert claims[0].content.text == "they had entered the city"


def test_claim_id_is_stable_id_of_article_cue_and_content(parse: Parse) -> None:
    claim = _one(parse, "The minister said that the bridge would reopen in May.")
    expected = stable_id("test-article", claim.cue.start, claim.content.start, claim.content.end)
    assert claim.id == expected


def test_claims_are_sorted_by_content_start(parse: Parse) -> None:
    text = "Aid had arrived, the Red Cross said. The minister said that the bridge would reopen."
    text += ' "We will win," the coach said.'
    starts = [c.content.start for c in _claims(parse, text)]
    assert len(starts) == 3 and starts == sorted(starts)


def test_doc_without_parse_yields_no_claims() -> None:
    doc = spacy.blank("en")("The minister said that the bridge would reopen.")
    assert extract_claims(doc, [], article_id="x") == []


def test_report_nested_in_reported_speech_is_part_of_it(parse: Parse) -> None:
    text = "Memon also said she believed the social movement helped improve relations."
    (claim,) = _claims(parse, text)
    assert claim.cue.text == "said"


def test_named_speaker_inside_according_to_is_a_claim_of_its_own(parse: Parse) -> None:
    text = "According to ABC News, Basya also believes the asylum seekers left the boat on purpose."
    claims = _claims(parse, text)
    assert sorted(c.cue.lemma for c in claims) == ["according to", "believe"]


def test_seed_article_has_the_eight_gold_claims(parse: Parse) -> None:
    text = (Path(__file__).resolve().parents[2] / "seeds" / "articles" / "000_3393e2ca348ff21d.txt").read_text(
        encoding="utf-8"
    )
    claims = _claims(parse, text)
    expected = [
        ("Syrian insurgents", "said", "assert"), ("Syrian state media", "confirmed", "confirm"),
        ("Syrian state media", "denied", "deny"), ("The insurgents", "claimed", "assert"),
        ("the insurgents", "said", "assert"),
        ("The Britain-based Syrian Observatory for Human Rights", "said", "assert"),
        ("It", "added", "assert"), ("Rami Abdurrahman", "told", "assert"),
    ]  # fmt: skip
    assert [(c.claimant.text if c.claimant else None, c.cue.text, c.stance) for c in claims] == expected
    assert claims[6].claimant is not None
    assert claims[6].claimant.entity_id == "org:syrian-observatory-for-human-rights"


def test_admitting_is_a_confirm_stance(parse: Parse) -> None:
    claim = _one(parse, "The company admitted that it had misled investors.")
    assert claim.stance == "confirm"


def test_a_parenthetical_attribution_inside_its_own_content_is_kept(parse: Parse) -> None:
    claim = _one(parse, "The plan, officials said, will cost more than expected.")
    assert (claim.claimant and claim.claimant.text, claim.cue.lemma) == ("officials", "say")
    assert claim.content.text == "The plan, officials said, will cost more than expected"


def test_a_broad_content_makes_a_broad_claim(parse: Parse) -> None:
    belief = _one(parse, "The opposition leader believes the budget will fail.")
    assert (belief.kind, belief.broad) == ("belief", True)
    said = _one(parse, "The minister said taxes would rise.")
    assert said.broad is False
    request = _one(parse, "The mayor urged residents to “stay indoors tonight.”")
    assert (request.cue.lemma, request.broad) == ("urge", True)
