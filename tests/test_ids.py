from __future__ import annotations

from workers.ids import content_hash, entity_id, stable_id


def test_stable_id_is_deterministic_and_separates_parts() -> None:
    assert stable_id("a", 1) == stable_id("a", 1)
    assert stable_id("ab", "c") != stable_id("a", "bc")
    assert len(stable_id("x", length=24)) == 24


def test_content_hash_ignores_whitespace_layout_only() -> None:
    assert content_hash("Hello   world\n") == content_hash("Hello world")
    assert content_hash("Hello world") != content_hash("Hello World")


def test_entity_id_is_readable_and_folds_accents() -> None:
    assert entity_id("PERSON", "Bashar Assad") == "person:bashar-assad"
    assert entity_id("GPE", "Zürich") == "gpe:zurich"


def test_entity_id_of_non_latin_name_is_a_hash() -> None:
    eid = entity_id("GPE", "دمشق")
    assert eid.startswith("gpe:") and len(eid) > len("gpe:")
