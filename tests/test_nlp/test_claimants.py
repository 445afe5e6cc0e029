"""Behaviour of claimant spans and their links to entities."""

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


def test_the_group_refers_back_to_the_last_organisation(parse: Parse) -> None:
    text = "Amnesty International published a report on Monday. The group said that prisons were overcrowded."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.text == "The group"
    assert claim.claimant.entity_id == "org:amnesty-international"


def test_the_president_refers_back_to_the_person_with_that_title(parse: Parse) -> None:
    text = "President Joe Biden visited Kyiv on Monday. The president said that aid would continue."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.entity_id == "person:joe-biden"


def test_the_city_does_not_refer_to_a_country(parse: Parse) -> None:
    text = "Officials in Italy met on Monday. The city said that the tax was legal."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.entity_id is None


def test_indefinite_description_is_not_resolved(parse: Parse) -> None:
    text = "Amnesty International published a report. A group said that prisons were overcrowded."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.entity_id is None


def test_pronoun_prefers_a_person_earlier_in_its_own_sentence(parse: Parse) -> None:
    text = "Mark Tedeschi told the court that the girl suffered. Thomas Sam's sister pleaded with him, "
    text += 'but he replied "I am not able to do that".'
    last = _claims(parse, text)[-1]
    assert last.claimant is not None and last.claimant.text == "he"
    assert last.claimant.entity_id == "person:thomas-sam"


def test_pronoun_skips_the_previous_speaker_when_another_became_the_subject(parse: Parse) -> None:
    text = "Steve Whitmore said that the case was closed. Mark Rathbun requested donations on his blog. "
    text += "He said that the boy was innocent."
    last = _claims(parse, text)[-1]
    assert last.claimant is not None and last.claimant.entity_id == "person:mark-rathbun"


def test_author_of_a_statement_is_its_claimant(parse: Parse) -> None:
    text = 'Senator John Cornyn spoke on Monday. Cornyn\'s statement added, "There is no question Houston lost."'
    last = _claims(parse, text)[-1]
    assert last.claimant is not None and last.claimant.entity_id == "person:john-cornyn"


def _claimant(parse: Parse, text: str) -> tuple[str, str | None]:
    claim = _claims(parse, text)[-1]
    assert claim.claimant is not None
    return claim.claimant.text, claim.claimant.entity_id


def test_possessive_country_before_a_titled_person_is_dropped(parse: Parse) -> None:
    text = "Kenya's President William Ruto said the tax would stay."
    assert _claimant(parse, text) == ("President William Ruto", "person:william-ruto")


def test_possessive_country_before_a_title_compound_is_dropped(parse: Parse) -> None:
    text = "Germany's Chancellor Olaf Scholz told reporters that talks would go on."
    assert _claimant(parse, text) == ("Chancellor Olaf Scholz", "person:olaf-scholz")


def test_possessive_company_before_a_described_person_is_dropped(parse: Parse) -> None:
    text = "Microsoft's chief executive Satya Nadella said the deal was done."
    assert _claimant(parse, text) == ("chief executive Satya Nadella", "person:satya-nadella")


def test_possessive_pronoun_before_a_described_person_stays(parse: Parse) -> None:
    assert _claimant(parse, "His father Mohamed Hassan said the school was wrong.")[0].startswith("His father")


def test_possessive_stays_when_no_person_is_named(parse: Parse) -> None:
    assert _claimant(parse, "Kenya's government said the tax would stay.")[0] == "Kenya's government"


def test_dateline_with_region_and_agency_is_no_claimant(parse: Parse) -> None:
    text = "NAIROBI, Kenya (AP) \u2014 Kenya's President William Ruto said on Monday that the tax would stay."
    assert _claimant(parse, text) == ("President William Ruto", "person:william-ruto")


def test_dateline_with_agency_and_hyphen_is_no_claimant(parse: Parse) -> None:
    text = "LONDON (Reuters) - The Bank of England said inflation would fall."
    assert _claimant(parse, text) == ("The Bank of England", "org:bank-of-england")


def test_dateline_city_is_not_what_the_city_refers_to(parse: Parse) -> None:
    assert _claimant(parse, "NAIROBI \u2014 The city said the road was closed.") == ("The city", None)


def test_dateline_city_is_no_antecedent_of_it(parse: Parse) -> None:
    text = "NAIROBI \u2014 Heavy rain fell on Monday.\nIt said the road was closed."
    assert _claimant(parse, text)[1] != "gpe:nairobi"


def test_hyphenated_capitals_are_no_dateline(parse: Parse) -> None:
    claim = _claims(parse, "US-China talks resumed on Monday, officials said.")[0]
    assert claim.content.text.startswith("US-China")


def test_the_bank_is_the_organisation_named_a_bank(parse: Parse) -> None:
    text = "The World Bank cut its forecast on Monday. The IMF agreed. The bank said growth would slow."
    assert _claimant(parse, text) == ("The bank", "org:world-bank")


def test_the_bank_without_a_bank_named_takes_the_nearest_organisation(parse: Parse) -> None:
    text = "The IMF cut its forecast on Monday. The bank said growth would slow."
    assert _claimant(parse, text) == ("The bank", "org:imf")


def test_the_court_is_the_organisation_named_a_court(parse: Parse) -> None:
    text = "The Supreme Court ruled on Monday. Lawyers for Apple appealed. The court said the case was closed."
    assert _claimant(parse, text) == ("The court", "org:supreme-court")


def test_the_ministry_is_the_organisation_named_a_ministry(parse: Parse) -> None:
    text = "The Ministry of Finance met Oxfam on Monday. The ministry said that the budget was final."
    assert _claimant(parse, text)[1] == "org:ministry-of-finance"


def test_the_company_is_an_organisation_named_as_a_company(parse: Parse) -> None:
    text = "Acme Corp bought a stake in the BBC last year. The company said the deal was closed."
    assert _claimant(parse, text)[1] == "org:acme-corp"


def test_a_description_without_a_named_match_takes_the_nearest_organisation(parse: Parse) -> None:
    text = "Amnesty International published a report on Monday. The agency said that prisons were overcrowded."
    assert _claimant(parse, text)[1] == "org:amnesty-international"


def test_an_organisation_named_in_a_clause_of_the_speaker_is_not_whom_it_speaks_for(parse: Parse) -> None:
    text = (
        "Security researchers who examined a sample of data posted by the Black Heron group "
        "said that the files held passwords."
    )
    assert _claimant(parse, text)[1] is None


def test_the_author_of_a_published_study_speaks_through_it(parse: Parse) -> None:
    text = "A study published last year by researchers at Eduardo Mondlane University said that floods would worsen."
    assert _claimant(parse, text)[1] == "org:eduardo-mondlane-university"
    assert _claimant(parse, "A spokesman for Microsoft said that the files were old.")[1] == "org:microsoft"


def test_a_company_spokesperson_speaks_for_the_company_the_article_named(parse: Parse) -> None:
    text = "Harland Foods raised its offer on Monday. A company spokesperson said that the offer stood."
    assert _claimant(parse, text) == ("A company spokesperson", "org:harland-foods")
    text = "The Interior Ministry closed the border. A ministry official said that the closure was temporary."
    assert _claimant(parse, text) == ("A ministry official", "org:interior-ministry")
