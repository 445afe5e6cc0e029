"""Language detection on prose: English that is not prose stays English.

The texts here were written for these tests and are not in seeds/language/, the set the
detector and its threshold were chosen on.
"""

# Turkish dotless i and Chinese commas are letters and punctuation of those languages, not look-alikes:
# ruff: noqa: RUF001

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.checks import assert_valid_event
from workers.models import RawArticle
from workers.pipeline import language
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import encode
from workers.pipeline.language import MIN_CONFIDENCE, cld2, guess_language, prose
from workers.pipeline.screening import screen

ENGLISH_NOT_PROSE = {
    "dutch-league-table": (
        "Keuken Kampioen Divisie table\n1 ADO Den Haag 20 14 3 3 41-18 45\n2 De Graafschap 20 13 3 4 38-20 42\n"
        "3 FC Volendam 20 12 4 4 36-22 40\n4 Roda JC Kerkrade 20 11 5 4 33-21 38\n5 SC Cambuur 20 10 5 5 30-24 35\n"
        "6 Jong Ajax 20 9 4 7 35-31 31\n7 FC Dordrecht 20 8 6 6 27-25 30\n8 VVV-Venlo 20 8 4 8 26-28 28"
    ),
    "badminton-draw": (
        "Thailand Masters, women's singles, first round\n"
        "Pornpawee Chochuwong (THA) bt Ruselli Hartawan (INA) 21-15 21-18\n"
        "Supanida Katethong (THA) bt Mia Blichfeldt (DEN) 19-21 21-16 21-12\nPutri Kusuma Wardani (INA) bt "
        "Busanan Ongbamrungphan (THA) 21-10 21-19\nGregoria Mariska Tunjung (INA) bt Yeo Jia Min (SGP) 21-17 21-14"
    ),
    "philippine-basketball": (
        "PBA Governors' Cup\nSan Miguel 108 - Ginebra 101\n"
        "San Miguel: Fajardo 27, Perez 22, Ross 14, Lassiter 12, Cruz 9, "
        "Tautuaa 8\nGinebra: Thompson 25, Pringle 20, Standhardinger 18, Malonzo 15, Aguilar 11\nQuarters: 28-24, "
        "55-50, 83-77, 108-101"
    ),
    "commodity-prices": (
        "Cash prices, Chicago (cents per bushel)\nCorn 452 1/4 +3\nSoybeans 1,198 1/2 -4 3/4\nWheat SRW 589 +6 1/2\n"
        "Wheat HRW 611 3/4 +2\nOats 372 -1 1/4\nSoymeal ($/short ton) 341.80 -2.10\nSoyoil (c/lb) 44.12 +0.35"
    ),
    "bourse-closing-prices": (
        "Paris CAC 40 closing prices\nAir Liquide 171.22 +0.6%\nAirbus 141.08 -0.4%\nBNP Paribas 60.45 +1.3%\n"
        "Crédit Agricole 13.87 +0.9%\nDanone 58.90 -0.2%\nEssilorLuxottica 196.35 +0.1%\nL'Oréal 433.10 -1.0%\n"
        "Société Générale 23.61 +2.2%\nTotalEnergies 61.02 -0.7%"
    ),
    "election-returns-spain": (
        "Results by constituency (seats)\nMadrid: PP 16, PSOE 10, Sumar 5, Vox 5\nBarcelona: PSC 13, Junts 5, ERC 5, "
        "Sumar 5, PP 3, Vox 1\nValència: PP 6, PSOE 5, Vox 2, Sumar 2\nSevilla: PSOE 5, PP 4, Vox 2, Sumar 1\n"
        "Málaga: PP 5, PSOE 4, Vox 2\nBizkaia: PNV 3, EH Bildu 3, PSOE 2"
    ),
    "election-returns-turkey": (
        "Mayoral vote, provisional\nİstanbul: Ekrem İmamoğlu 51.1%, Murat Kurum 39.6%\nAnkara: Mansur Yavaş 60.4%, "
        "Turgut Altınok 31.7%\nİzmir: Cemil Tugay 48.9%, Hamza Dağ 37.0%\nBursa: Mustafa Bozbey 47.2%, "
        "Alinur Aktaş 38.6%\nAntalya: Muhittin Böcek 49.2%, Hakan Tütüncü 42.9%"
    ),
    "box-score-football": (
        "Stats: Ajax 2 PSV 2\nPossession 46% 54%\nShots 11 15\nOn target 5 6\nCorners 4 7\nFouls 12 9\n"
        "Yellow cards: Kaplan, Hato (Ajax); Schouten (PSV)\n"
        "Goals: Brobbey 12, Godts 77; De Jong 34, Til 81\nAtt: 54,322"
    ),
    "box-score-baseball": (
        "Yankees 6, Red Sox 3\n"
        "New York AB R H BI: Volpe ss 4 1 1 0, Soto rf 4 2 2 1, Judge cf 3 1 1 3, Stanton dh 4 0 1 1, "
        "Rizzo 1b 4 0 0 0, Torres 2b 4 1 2 0, Wells c 3 1 1 1\nE: Devers. LOB: NY 5, BOS 7. HR: Judge (24), Wells (6). "
        "SB: Volpe (12)."
    ),
    "marathon-list": (
        "Valencia Marathon, top finishers\n1 Sisay Lemma Kasaye (ETH) 2:01:48\n2 Daniel Mateiko Kiptoo (KEN) 2:04:24\n"
        "3 Kenenisa Bekele Beyecha (ETH) 2:04:41\n4 Gabriel Geay Gotfrid (TAN) 2:05:10\n5 Juan Ignacio Pérez Lozano "
        "(ESP) 2:07:45\n6 Pau Capell Saavedra (ESP) 2:08:03"
    ),
    "awards-list": (
        "Honours list, provincial medals\nMaria Theresia van Leeuwen-Bakker, 71, Zwolle\n"
        "Hendrikus Johannes de Boer, 64, "
        "Kampen\nAnneke Wilhelmina Smit, 58, Deventer\nGerrit Jan Mulder, 80, Hardenberg\nJohanna Cornelia "
        "Veenstra-Hoekstra, 69, Ommen"
    ),
    "bulletin-capitals": (
        "FLASH - TURKISH CENTRAL BANK RAISES ONE-WEEK REPO RATE TO 50 PCT FROM 45 PCT\n"
        "BANK SAYS TIGHT STANCE WILL BE KEPT UNTIL INFLATION FALLS SIGNIFICANTLY\nLIRA FIRMS 0.8 PCT AGAINST DOLLAR"
    ),
    "bulletin-capitals-quake": (
        "URGENT - STRONG QUAKE HITS MINDANAO, PHILIPPINES; TSUNAMI WARNING ISSUED FOR SURIGAO DEL SUR - PHIVOLCS\n"
        "RESIDENTS OF COASTAL BARANGAYS TOLD TO MOVE TO HIGHER GROUND"
    ),
    "cricket-scorecard": (
        "Pakistan 1st innings\nAbdullah Shafique c Hasaranga b Theekshana 52\nImam-ul-Haq lbw b Rajitha 11\n"
        "Babar Azam c Mendis b Hasaranga 39\nSaud Shakeel not out 88\nMohammad Rizwan run out 24\nExtras 9\n"
        "Total (5 wkts, 74 ov) 223"
    ),
    "currency-table": (
        "Indicative rates against the euro\nDKK 7.4601\nSEK 11.2340\nNOK 11.6815\nPLN 4.3120\nCZK 25.011\n"
        "HUF 389.42\nRON 4.9712\nTRY 35.2281\nIDR 17,102\nPHP 61.04"
    ),
    "swedish-skating-results": (
        "Ladies' 1500m\n1. Ebba Lindqvist-Sjöberg (SWE) 1:54.21\n2. Ragne Wiklund Johansen (NOR) 1:54.66\n"
        "3. Joy Beune van der Meer (NED) 1:54.90\n4. Francesca Lollobrigida (ITA) 1:55.34\n"
        "5. Karolina Bosiek (POL) 1:55.88"
    ),
}

#: Other languages: a sentence or two each, and a headline or short sentence each.
OTHER_LANGUAGES = {
    "de": "Die Landesregierung will die Grundsteuer im kommenden Jahr senken, teilte der Finanzminister mit.",
    "de-short": "Zug entgleist bei Köln, keine Verletzten",
    "fr": "La mairie a décidé de fermer la piscine municipale pendant tout l'été à cause des travaux.",
    "fr-short": "Les prix de l'essence baissent encore",
    "es": "Los agricultores volvieron a cortar las carreteras para protestar contra los bajos precios del aceite.",
    "es-short": "Suben los precios del alquiler en Valencia",
    "it": "Il treno è rimasto fermo per tre ore a causa di un guasto alla linea elettrica vicino a Bologna.",
    "it-short": "Sciopero dei trasporti venerdì a Milano",
    "pt": "A câmara municipal anunciou que o metro vai funcionar durante toda a noite na véspera de Ano Novo.",
    "pt-short": "Chuva forte provoca cheias em Lisboa",
    "nl": "De gemeente wil volgend jaar meer fietsenstallingen bouwen bij het station, maakte de wethouder bekend.",
    "nl-short": "Kabinet wil minimumloon verder verhogen",
    "sv": "Kommunen har bestämt att skolorna ska hålla stängt i morgon på grund av det kraftiga snöfallet.",
    "sv-short": "Tåget till Malmö är inställt i dag",
    "pl": "Samorząd zapowiedział, że od przyszłego miesiąca bilety komunikacji miejskiej będą droższe.",
    "pl-short": "Wichura zerwała dachy w kilku wsiach",
    "tr": "Belediye, kış aylarında evsizler için yeni barınma merkezleri açacağını duyurdu.",
    "tr-short": "İstanbul'da kar yağışı trafiği durdurdu",
    "id": "Pemerintah daerah akan membangun jembatan baru untuk menghubungkan dua desa yang terisolasi.",
    "id-short": "Gempa kuat guncang pantai selatan Jawa",
    "tl": "Nagsimula na ang pagpapatayo ng bagong ospital sa bayan, ayon sa alkalde ng lungsod.",
    "tl-short": "Tumaas ang presyo ng bigas ngayong linggo",
    "sw": "Wakulima wa kahawa wameomba serikali iwasaidie baada ya bei kushuka kwa kiasi kikubwa mwaka huu.",
    "sw-short": "Watoto wengi hawaendi shule kwa sababu ya mvua",
}

MIXED = {
    "german-quote": (
        'Workers at the car plant walked out on Wednesday after talks on pay broke down. "Wir lassen uns nicht '
        'länger hinhalten", a union official told the crowd outside the gates. The company said it had made a fair '
        "offer and hoped talks would resume next week."
    ),
    "spanish-quote": (
        "The striker scored twice on his return from injury and dedicated both goals to his late grandmother. "
        '"Esto es para ella, siempre creyó en mí", he said after the match. His coach said he would start again '
        "on Sunday."
    ),
    "tagalog-quote": (
        'Vendors at the public market said sales had fallen by half since the price of rice went up. "Hindi na '
        'kami kumikita, pero kailangan pa rin naming magtinda", said one vendor. The agriculture department promised '
        "to release more rice from its stocks."
    ),
}

NEWS_PROSE = (
    "The mayor of Rotterdam said on Monday that the city would build two thousand new homes next year, "
    "and the housing minister promised to help pay for them."
)


@pytest.mark.parametrize("name", sorted(ENGLISH_NOT_PROSE))
def test_english_that_is_not_prose_is_not_flagged(name: str) -> None:
    result = screen(ENGLISH_NOT_PROSE[name])
    assert result.english and "non_english" not in result.flags, (name, result)


@pytest.mark.parametrize("name", sorted(OTHER_LANGUAGES))
def test_other_languages_are_flagged_short_items_too(name: str) -> None:
    result = screen(OTHER_LANGUAGES[name])
    assert not result.english and "non_english" in result.flags, (name, result)
    assert result.detected_language == name.split("-")[0]
    assert result.language_confidence is not None and result.language_confidence >= MIN_CONFIDENCE


def test_the_other_language_items_cover_at_least_ten_languages() -> None:
    assert len({name.split("-")[0] for name in OTHER_LANGUAGES}) >= 10


@pytest.mark.parametrize("name", sorted(MIXED))
def test_english_with_a_quoted_foreign_sentence_stays_english(name: str) -> None:
    result = screen(MIXED[name])
    assert result.english and result.detected_language == "en", (name, result)


def test_a_foreign_table_with_a_foreign_lead_is_flagged_by_its_lead() -> None:
    body = (
        "Der Trainer sagte nach dem Spiel, seine Mannschaft habe zu viele Chancen vergeben und verdient verloren.\n"
        "1. Bayern München 24 59\n2. Bayer Leverkusen 24 57\n3. VfB Stuttgart 24 50"
    )
    assert screen(body).detected_language == "de" and not screen(body).english


def test_the_same_table_without_its_lead_is_assumed_english() -> None:
    result = screen("1. Bayern München 24 59\n2. Bayer Leverkusen 24 57\n3. VfB Stuttgart 24 50")
    assert result.english and result.detected_language is None and result.language_confidence is None


def test_prose_keeps_the_headline_and_sentences_and_drops_table_rows() -> None:
    assert "Den Haag" not in prose(ENGLISH_NOT_PROSE["dutch-league-table"])
    kept = prose("Ajax won again on Sunday, and the coach was happy.\n1. Ajax 20 14 3 3 41-18 45")
    assert kept == "Ajax won again on Sunday, and the coach was happy."


def test_prose_reads_a_bulletin_in_capitals_in_lowercase() -> None:
    assert (
        prose("FLASH - CENTRAL BANK RAISES ITS MAIN RATE TO 5 PCT")
        == "flash - central bank raises its main rate to 5 pct"
    )


def test_prose_keeps_text_in_scripts_without_case() -> None:
    chinese = "政府周三宣布，将从明年一月起提高最低工资标准，以帮助低收入家庭应对物价上涨。"
    assert prose(chinese) == chinese
    assert screen(chinese).detected_language == "zh" and not screen(chinese).english


def test_prose_of_html_table_cells_is_found_between_blanked_tags() -> None:
    body = (
        "<p>The league leaders dropped points at home again on Saturday, their coach said.</p>"
        "<table><tr><td>Jong Ajax</td><td>20</td><td>31</td></tr><tr><td>De Graafschap</td><td>20</td><td>42</td></tr>"
        "</table>"
    )
    result = screen(body)
    assert result.english and result.detected_language == "en" and "html" in result.flags


def test_a_detector_that_is_not_confident_does_not_flag() -> None:
    def unsure(_: str) -> tuple[str, float]:
        return "nl", MIN_CONFIDENCE - 0.01

    def sure(_: str) -> tuple[str, float]:
        return "nl", MIN_CONFIDENCE

    assert guess_language(NEWS_PROSE, unsure).english
    assert not guess_language(NEWS_PROSE, sure).english


def test_too_little_prose_is_not_sent_to_the_detector() -> None:
    def must_not_be_called(_: str) -> tuple[str, float]:
        raise AssertionError("detector called")

    guess = guess_language("Ajax 2 PSV 2", must_not_be_called)
    assert guess.english and guess.language is None


def test_cld2_reads_control_characters_and_lone_surrogates_as_spaces() -> None:
    language, confidence = cld2("The mayor\x00 said on\x85 Monday \ud800that the bridge would reopen next week.")
    assert language == "en" and 0 < confidence <= 1


def test_declared_language_wins_but_detection_is_still_recorded() -> None:
    declared_german = screen(NEWS_PROSE, "de")
    assert not declared_german.english and "non_english" in declared_german.flags
    assert declared_german.detected_language == "en"
    declared_english = screen(OTHER_LANGUAGES["nl"], "en-US")
    assert declared_english.english and declared_english.detected_language == "nl"


def _enriched(enricher: Enricher, article: RawArticle) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(encode(enricher(article)))
    assert_valid_event(value)
    return value


@pytest.mark.parametrize("name", ["badminton-draw", "election-returns-turkey", "dutch-league-table", "awards-list"])
def test_english_tables_are_enriched_with_entities(enricher: Enricher, name: str) -> None:
    value = _enriched(enricher, RawArticle(id=name, body=ENGLISH_NOT_PROSE[name]))
    assert "non_english" not in value["flags"]
    assert value["language"] == "en"
    assert value["entities"], name


def test_enriched_article_carries_the_detected_language_and_confidence(enricher: Enricher) -> None:
    english = _enriched(enricher, RawArticle(id="en", body=NEWS_PROSE))
    assert english["detected_language"] == "en" and 0.5 <= english["language_confidence"] <= 1
    dutch = _enriched(enricher, RawArticle(id="nl", body=OTHER_LANGUAGES["nl"]))
    assert dutch["detected_language"] == "nl" and dutch["language_confidence"] >= MIN_CONFIDENCE
    assert "non_english" in dutch["flags"] and dutch["language"] is None and not dutch["entities"]
    table = _enriched(enricher, RawArticle(id="table", body="Ajax 2 PSV 2\nFeyenoord 1 AZ 0"))
    assert table["detected_language"] is None and table["language_confidence"] is None


def test_enriched_article_records_detection_beside_a_declared_language(enricher: Enricher) -> None:
    value = _enriched(enricher, RawArticle(id="declared", body=OTHER_LANGUAGES["de"], language="en"))
    assert value["language"] == "en" and value["detected_language"] == "de"
    assert "non_english" not in value["flags"] and value["entities"] is not None


# The screening counts words of ASCII segments by regex and others by a Python loop over
# tokens; a segment whose only non-ASCII characters are typographic quotes and dashes is
# counted as ASCII after mapping them. Both shortcuts must count what the loop counts.
_TOKEN_PARTS = st.sampled_from([*"abzAQZ07", *"'-\"()[]{}:;,.!?", *"/*|_#&+=<~@%$`^\\>"])
_ASCII_SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f"])
_TYPOGRAPHIC = st.sampled_from(["\u2018", "\u2019", "\u201c", "\u201d", "\u00ab", "\u00bb", "\u2013", "\u2014"])


@st.composite
def _segments(draw: st.DrawFn, parts: st.SearchStrategy[str]) -> str:
    tokens = draw(st.lists(st.lists(parts, min_size=1, max_size=8).map("".join), max_size=12))
    out = ""
    for token in tokens:
        out += draw(_ASCII_SPACES) + token
    return out + draw(st.sampled_from(["", " ", "\n"]))


@given(_segments(_TOKEN_PARTS))
@settings(max_examples=3000, deadline=None)
def test_ascii_word_counts_by_regex_equal_the_token_loop(segment: str) -> None:
    assert language._ascii_word_counts(segment) == language._word_counts(segment)


@given(_segments(st.one_of(_TOKEN_PARTS, _TYPOGRAPHIC)))
@settings(max_examples=3000, deadline=None)
def test_typographic_punctuation_counts_as_its_ascii_stand_in(segment: str) -> None:
    mapped = segment.translate(language._TYPOGRAPHIC_AS_ASCII)
    assert mapped.isascii()
    assert language._ascii_word_counts(mapped) == language._word_counts(segment)
    assert language._case_counts(mapped, True) == language._case_counts(segment, False)


@given(st.lists(st.sampled_from([*"ab A.!?\n\r\t\"'(\u201c\u2018[", "   "]), max_size=40).map("".join))
@settings(max_examples=3000, deadline=None)
def test_segments_are_cut_where_the_plain_split_cuts_them(text: str) -> None:
    plain = re.compile("\n|\r|\t| {3,}|(?<=[.!?])\\s+(?=[\"'\u201c\u2018(\\[]?[A-Z])")
    assert list(language._segments(text)) == [p.strip() for p in plain.split(text) if p.strip()]
