"""Behaviour of quotation finding in raw text."""

from __future__ import annotations

from workers.nlp.quotes import Quotation, Quotations, find_quotes


def test_curly_quotation_is_found_with_its_marks() -> None:
    text = "He said “We will win.” Then he left."
    assert find_quotes(text) == [Quotation(8, 22)]


def test_quotation_open_at_paragraph_end_runs_to_it() -> None:
    text = '"We have learned a lot.\nIt was an emotional day.'
    assert find_quotes(text) == [Quotation(0, 23, open=True)]


def test_inch_mark_after_a_digit_does_not_open_a_quotation() -> None:
    assert find_quotes('A 12" record and "a song".') == [Quotation(17, 25)]


def test_lookup_by_offset_finds_the_enclosing_quotation() -> None:
    quotes = Quotations('He said "yes" and "no".')
    assert quotes.at(9) == Quotation(8, 13) and quotes.at(14) is None


def test_whole_quotation_inside_a_range_is_detected() -> None:
    quotes = Quotations('the plan was "dead on arrival" today')
    assert quotes.any_within(0, 30) and not quotes.any_within(0, 20)


def test_paragraph_closing_a_carried_quotation_holds_one_from_its_start() -> None:
    text = 'He said, "We learned.\nIt was emotional."\nNext.'
    assert find_quotes(text)[1] == Quotation(22, 40, unopened=True)


def test_fresh_opening_mark_is_not_a_carried_close() -> None:
    text = 'He said, "We learned.\n"It was emotional."'
    assert find_quotes(text)[1] == Quotation(22, 41)
