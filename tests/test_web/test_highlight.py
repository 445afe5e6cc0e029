from __future__ import annotations

import re

import pytest

from workers.web.exceptions import UnsafeRendering
from workers.web.highlight import LABELS, highlight_mentions, label_css
from workers.web.source import StoredMention

HREF = "/entities/{id}"


def mention(body: str, text: str, label: str = "GPE", entity_id: str = "gpe:x", nth: int = 0) -> StoredMention:
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    return StoredMention(entity_id, text, label, start, start + len(text), text)


def test_each_mention_is_one_mark_linked_to_its_entity() -> None:
    body = "Hama and Aleppo, then Hama again."
    html = highlight_mentions(
        body,
        [
            mention(body, "Hama", entity_id="gpe:hama"),
            mention(body, "Aleppo", entity_id="gpe:aleppo"),
            mention(body, "Hama", entity_id="gpe:hama", nth=1),
        ],
        HREF,
    ).html
    assert html.count("<mark") == 3
    assert re.findall(r'<a href="([^"]+)">', html) == [
        "/entities/gpe:hama",
        "/entities/gpe:aleppo",
        "/entities/gpe:hama",
    ]


def test_mentions_given_out_of_order_are_rendered_in_body_order() -> None:
    body = "Hama and Aleppo"
    html = highlight_mentions(body, [mention(body, "Aleppo"), mention(body, "Hama")], HREF).html
    assert html.index(">Hama<") < html.index(">Aleppo<")


def test_markup_in_the_body_and_in_a_mention_is_escaped() -> None:
    body = '<script>window.__xss=1</script> <img src=x onerror="alert(1)"> <b>Hama</b>'
    html = highlight_mentions(body, [mention(body, "<b>Hama</b>")], HREF).html
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "&lt;b&gt;Hama&lt;/b&gt;</a>" in html


def test_newlines_become_line_breaks() -> None:
    html = highlight_mentions("one\ntwo", [], HREF).html
    assert "one<br>two" in html


def test_no_inline_style_is_left_for_the_csp_to_block() -> None:
    body = "Hama"
    assert "style=" not in highlight_mentions(body, [mention(body, "Hama")], HREF).html


def test_a_label_outside_the_schema_is_left_unmarked() -> None:
    body = "Hama and Aleppo"
    done = highlight_mentions(body, [mention(body, "Hama", label='GPE" onmouseover="x'), mention(body, "Aleppo")], HREF)
    assert done.html.count("<mark") == 1 and "onmouseover" not in done.html and "Hama and" in done.html
    assert len(done.skipped) == 1 and re.match(r"\[E922\] mention 'Hama' .*label", done.skipped[0])


def test_an_entity_id_outside_the_schema_is_left_unmarked() -> None:
    body = "Hama"
    done = highlight_mentions(body, [mention(body, "Hama", entity_id='gpe:"><script>')], HREF)
    assert "<mark" not in done.html and "<script" not in done.html
    assert "entity id does not match" in done.skipped[0]


def test_offsets_that_do_not_quote_the_body_are_left_unmarked() -> None:
    done = highlight_mentions("Hama", [StoredMention("gpe:hama", "Hama", "GPE", 1, 5, "Hama")], HREF)
    assert "<mark" not in done.html and "Hama" in done.html
    assert "offsets do not quote the body" in done.skipped[0]


def test_a_mention_overlapping_the_one_before_is_left_unmarked() -> None:
    body = "New York City"
    done = highlight_mentions(body, [mention(body, "New York"), mention(body, "York City")], HREF)
    assert done.html.count("<mark") == 1 and "New York</a>" in done.html and "City" in done.html
    assert "overlaps the mention before it" in done.skipped[0]


def test_a_clean_article_skips_nothing() -> None:
    body = "Hama"
    assert highlight_mentions(body, [mention(body, "Hama")], HREF).skipped == ()


def test_every_label_has_a_colour_rule() -> None:
    css = label_css()
    assert all(f".ent-{label} {{ background: #" in css for label in LABELS)


def test_a_displacy_that_wraps_its_output_otherwise_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("workers.web.highlight._WRAP_OPEN", '<div class="other">')
    with pytest.raises(UnsafeRendering, match=r"\[E923\]"):
        highlight_mentions("Hama", [], HREF)
