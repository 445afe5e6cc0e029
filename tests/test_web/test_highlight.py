from __future__ import annotations

import re

import pytest

from workers.web.errors import UnsafeRendering
from workers.web.highlight import LABELS, highlight_mentions, label_css
from workers.web.rows import MentionRow

HREF = "/entities/{id}"


def mention(body: str, text: str, label: str = "GPE", entity_id: str = "gpe:x", nth: int = 0) -> MentionRow:
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    return MentionRow(entity_id, text, label, start, start + len(text), text)


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
    )
    assert html.count("<mark") == 3
    assert re.findall(r'<a href="([^"]+)">', html) == [
        "/entities/gpe:hama",
        "/entities/gpe:aleppo",
        "/entities/gpe:hama",
    ]


def test_mentions_given_out_of_order_are_rendered_in_body_order() -> None:
    body = "Hama and Aleppo"
    html = highlight_mentions(body, [mention(body, "Aleppo"), mention(body, "Hama")], HREF)
    assert html.index(">Hama<") < html.index(">Aleppo<")


def test_markup_in_the_body_and_in_a_mention_is_escaped() -> None:
    body = '<script>window.__xss=1</script> <img src=x onerror="alert(1)"> <b>Hama</b>'
    html = highlight_mentions(body, [mention(body, "<b>Hama</b>")], HREF)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "&lt;b&gt;Hama&lt;/b&gt;</a>" in html


def test_newlines_become_line_breaks() -> None:
    html = highlight_mentions("one\ntwo", [], HREF)
    assert "one<br>two" in html


def test_no_inline_style_is_left_for_the_csp_to_block() -> None:
    body = "Hama"
    assert "style=" not in highlight_mentions(body, [mention(body, "Hama")], HREF)


def test_a_label_outside_the_schema_is_refused() -> None:
    body = "Hama"
    with pytest.raises(UnsafeRendering, match=r"\[E922\].*label"):
        highlight_mentions(body, [mention(body, "Hama", label='GPE" onmouseover="x')], HREF)


def test_an_entity_id_outside_the_schema_is_refused() -> None:
    body = "Hama"
    with pytest.raises(UnsafeRendering, match=r"\[E922\].*entity id"):
        highlight_mentions(body, [mention(body, "Hama", entity_id='gpe:"><script>')], HREF)


def test_offsets_that_do_not_quote_the_body_are_refused() -> None:
    with pytest.raises(UnsafeRendering, match=r"\[E922\].*offsets"):
        highlight_mentions("Hama", [MentionRow("gpe:hama", "Hama", "GPE", 1, 5, "Hama")], HREF)


def test_overlapping_mentions_are_refused() -> None:
    body = "New York City"
    with pytest.raises(UnsafeRendering, match=r"\[E922\].*overlaps"):
        highlight_mentions(body, [mention(body, "New York"), mention(body, "York City")], HREF)


def test_every_label_has_a_colour_rule() -> None:
    css = label_css()
    assert all(f".ent-{label} {{ background: #" in css for label in LABELS)
