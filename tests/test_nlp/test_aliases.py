"""Behaviour of ``alias_candidates`` and ``short_form_targets``."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.nlp.aliases import alias_candidates, short_form_targets
from workers.nlp.labels import resolve_labels
from workers.nlp.mentions import candidates
from workers.nlp.names import name_key

ParseWithEnts = Callable[[str, list[tuple[str, str]]], Doc]


def _aliases(doc: Doc) -> list[tuple[str, tuple[str, ...]]]:
    found = candidates(doc)
    labels = resolve_labels(found, {})
    redirect = short_form_targets(found, labels)
    return [(c.mention.text, c.key) for c in alias_candidates(doc, doc.text, found, labels, redirect)]


def test_untagged_repetition_of_a_name_is_a_mention(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Kristen Wilkins spoke. Then Kristen Wilkins left.", [("Kristen Wilkins", "PERSON")])
    assert _aliases(doc) == [("Kristen Wilkins", ("kristen", "wilkins"))]


def test_untagged_surname_is_a_mention_of_the_full_name(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Mark Rathbun wrote a blog. Later Rathbun wrote again.", [("Mark Rathbun", "PERSON")])
    assert _aliases(doc) == [("Rathbun", ("mark", "rathbun"))]


def test_surname_shared_by_two_people_is_nobody(parse_with_ents: ParseWithEnts) -> None:
    text = "John Smith met Jane Smith. Later Smith left."
    doc = parse_with_ents(text, [("John Smith", "PERSON"), ("Jane Smith", "PERSON")])
    assert _aliases(doc) == []


def test_organisation_head_after_the_is_a_mention(parse_with_ents: ParseWithEnts) -> None:
    text = "The Syrian Observatory for Human Rights counted. The Observatory's chief spoke."
    doc = parse_with_ents(text, [("Syrian Observatory for Human Rights", "ORG")])
    assert _aliases(doc) == [("Observatory", name_key("Syrian Observatory for Human Rights"))]


def test_organisation_head_without_the_is_not_a_mention(parse_with_ents: ParseWithEnts) -> None:
    text = "The Syrian Observatory for Human Rights counted. Observatory staff spoke."
    doc = parse_with_ents(text, [("Syrian Observatory for Human Rights", "ORG")])
    assert _aliases(doc) == []


def test_name_inside_a_longer_name_is_not_a_mention(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Hama fell. Troops left Hama Road.", [("Hama", "GPE")])
    assert _aliases(doc) == []


def test_acronym_of_an_organisation_is_its_short_form(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("The Korean Central News Agency said so. KCNA added more.", [
        ("Korean Central News Agency", "ORG"), ("KCNA", "ORG"),
    ])  # fmt: skip
    found = candidates(doc)
    targets = short_form_targets(found, resolve_labels(found, {}))
    assert targets == {("kcna",): name_key("Korean Central News Agency")}


def test_a_city_closing_an_organisations_name_is_no_short_form_of_it(parse_with_ents: ParseWithEnts) -> None:
    text = "She works at Central Hospital Leipzig. Leipzig has two universities."
    doc = parse_with_ents(text, [("Central Hospital Leipzig", "ORG"), ("Leipzig", "GPE")])
    found = candidates(doc)
    assert short_form_targets(found, resolve_labels(found, {})) == {}
