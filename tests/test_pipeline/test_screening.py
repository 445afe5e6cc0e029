from __future__ import annotations

from workers.pipeline.screening import screen

ENGLISH = (
    "The mayor said on Monday that the bridge would reopen next week after repairs, and the "
    "city council agreed to pay for the work from its reserve fund, officials said."
)
GERMAN = (
    "Der Bürgermeister sagte am Montag, dass die Brücke nach den Reparaturen nächste Woche "
    "wieder geöffnet werde, und der Stadtrat stimmte zu, die Arbeiten aus der Rücklage zu bezahlen."
)


def test_html_tags_are_blanked_to_the_same_length() -> None:
    body = "<p>The mayor <b>said</b> it.</p><script>var x = 1;</script>"
    result = screen(body)
    assert result.flags == ("html",)
    assert len(result.text) == len(body)
    assert result.text.split() == ["The", "mayor", "said", "it."]


def test_plain_text_is_passed_through_unchanged() -> None:
    result = screen(ENGLISH)
    assert result.text is ENGLISH and result.flags == () and result.english


def test_a_less_than_sign_in_prose_is_not_html() -> None:
    body = "Turnout was < 40 percent, and 3 < 5 as everyone knows, the mayor said."
    assert screen(body).flags == ()


def test_non_english_text_is_detected() -> None:
    result = screen(GERMAN)
    assert not result.english and "non_english" in result.flags


def test_declared_language_wins_over_detection() -> None:
    assert screen(GERMAN, "en-GB").english
    assert not screen(ENGLISH, "de").english


def test_short_text_is_assumed_english() -> None:
    assert screen("Hallo Welt").english


def test_long_text_without_sentence_punctuation_is_flagged() -> None:
    assert "no_sentence_punctuation" in screen("the word and the word " * 100).flags


def test_a_results_table_with_foreign_names_is_not_flagged() -> None:
    table = (
        "Allsvenskan results\nMalmö FF 3 Hammarby IF 1\nDjurgårdens IF 0 IFK Göteborg 0\n"
        "BK Häcken 2 AIK 2\nIFK Norrköping 1 Kalmar FF 2\nIF Elfsborg 4 Halmstads BK 0"
    )
    result = screen(table)
    assert result.english and "non_english" not in result.flags


def test_screening_reports_the_detected_language_and_confidence() -> None:
    result = screen(GERMAN)
    assert result.detected_language == "de"
    assert result.language_confidence is not None and 0.7 <= result.language_confidence <= 1
