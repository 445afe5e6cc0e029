"""Behaviour of the GUM converter on small hand-made CoNLL-U documents."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from workers.evaluation import load_gold
from workers.evaluation.gum import convert_document, main, parse_conllu

#: One word: (form, lemma, UPOS, XPOS, head, deprel, MISC); MISC "_" for none.
Word = tuple[str, str, str, str, int, str, str]


def conllu(*sentences: Sequence[Word | tuple[str, str]], doc_id: str = "GUM_news_test", newpar: bool = False) -> str:
    """Factory: a GUM document; a 2-tuple is a multi-word token line ("2-3", form)."""
    lines = [f"# newdoc id = {doc_id}", "# meta::title = A test"]
    for number, sentence in enumerate(sentences, start=1):
        if newpar or number == 1:
            lines.append("# newpar")
        lines.append(f"# sent_id = {doc_id}-{number}")
        word_id = 0
        for row in sentence:
            if len(row) == 2:
                ident, form = row
                lines.append(f"{ident}\t{form}\t_\t_\t_\t_\t_\t_\t_\t_")
                continue
            word_id += 1
            form, lemma, upos, xpos, head, deprel, misc = row
            lines.append(f"{word_id}\t{form}\t{lemma}\t{upos}\t{xpos}\t_\t{head}\t{deprel}\t_\t{misc}")
        lines.append("")
    return "\n".join(lines) + "\n"


def convert(text: str) -> dict[str, Any]:
    (doc,) = parse_conllu(text.splitlines(keepends=True))
    return convert_document(doc, genre="news")


def said(subject: Sequence[Word], content: Sequence[Word], *, verb: str = "said", lemma: str = "say") -> list[Word]:
    """Factory: ``subject verb content .``, the subject unit attributing the content unit.

    The subject's words hang from the verb (their head 0 is read as the verb), the
    content's from their own first word, which hangs from the verb as ``ccomp``.
    """
    n = len(subject)
    verb_id = n + 1
    rows: list[Word] = []
    for i, (form, lem, upos, xpos, head, deprel, misc) in enumerate(subject):
        extra = "Discourse=attribution-positive:1->2:0" if i == 0 else ""
        rows.append((form, lem, upos, xpos, head or verb_id, deprel, _misc(misc, extra)))
    rows.append((verb, lemma, "VERB", "VBD", 0, "root", "_"))
    for i, (form, lem, upos, xpos, head, deprel, misc) in enumerate(content):
        extra = "Discourse=ROOT:2:0" if i == 0 else ""
        rows.append((form, lem, upos, xpos, head + verb_id if head else verb_id, deprel, _misc(misc, extra)))
    rows.append((".", ".", "PUNCT", ".", verb_id, "punct", "_"))
    return rows


def _misc(misc: str, extra: str) -> str:
    parts = [p for p in (extra, misc) if p and p != "_"]
    return "|".join(parts) or "_"


def w(form: str, upos: str = "NOUN", xpos: str = "NN", *, head: int = 0, deprel: str = "dep", misc: str = "_") -> Word:
    return (form, form.lower(), upos, xpos, head, deprel, misc)


PLAN_FAILED = [
    w("the", "DET", "DT", head=3, deprel="det"),
    w("plan", head=3, deprel="nsubj"),
    w("failed", "VERB", "VBD", deprel="ccomp"),
]


def test_text_is_rebuilt_with_space_after() -> None:
    record = convert(
        conllu([w("Hello", "INTJ", "UH", misc="SpaceAfter=No"), w("!", "PUNCT", ".", head=1, deprel="punct")])
    )
    assert record["text"] == "Hello!"


def test_a_new_paragraph_starts_a_new_line() -> None:
    record = convert(conllu([w("One", "NUM", "CD")], [w("Two", "NUM", "CD")], newpar=True))
    assert record["text"] == "One\nTwo"


def test_sentences_of_one_paragraph_are_joined_by_a_space() -> None:
    record = convert(conllu([w("One", "NUM", "CD")], [w("Two", "NUM", "CD")]))
    assert record["text"] == "One Two"


def test_words_of_a_multiword_token_get_their_own_offsets() -> None:
    text = conllu(
        [
            ("1-2", "Don't"),
            w("Do", "AUX", "VB", head=3, deprel="aux"),
            w("n't", "PART", "RB", head=3, deprel="advmod"),
            w("go", "VERB", "VB", misc="Entity=(1-event-new-n-cf1-1-sgl)"),
        ]
    )
    (doc,) = parse_conllu(text.splitlines())
    assert [doc.text[t.start : t.end] for t in doc.tokens] == ["Do", "n't", "go"]


def test_a_named_person_is_per_without_their_title() -> None:
    record = convert(
        conllu(
            [
                w("President", "PROPN", "NNP", head=3, deprel="compound", misc="Entity=(1-person-new-s-cf1-1,2,3-sgl"),
                w("Ann", "PROPN", "NNP", head=3, deprel="flat"),
                w("Lee", "PROPN", "NNP", misc="Entity=1)"),
            ]
        )
    )
    assert [(e["text"], e["label"]) for e in record["entities"]] == [("Ann Lee", "PER")]


def test_a_mention_headed_by_a_common_noun_is_left_out() -> None:
    record = convert(
        conllu([w("the", "DET", "DT", head=2, misc="Entity=(1-person-new-s-cf1-2-sgl"), w("team", misc="Entity=1)")])
    )
    assert record["entities"] == []


def test_a_named_time_is_left_out() -> None:
    record = convert(conllu([w("Friday", "PROPN", "NNP", misc="Entity=(1-time-new-n-cf1-1-sgl)")]))
    assert record["entities"] == []


@pytest.mark.parametrize(("etype", "label"), [("place", "LOC"), ("organization", "ORG"), ("event", "MISC")])
def test_gum_types_map_to_conll_labels(etype: str, label: str) -> None:
    record = convert(conllu([w("Mecca", "PROPN", "NNP", misc=f"Entity=(1-{etype}-new-s-cf1-1-sgl)")]))
    assert record["entities"][0]["label"] == label


def test_a_name_nested_in_a_name_is_left_to_the_outer_one() -> None:
    record = convert(
        conllu(
            [
                w(
                    "Kenya",
                    "PROPN",
                    "NNP",
                    head=2,
                    deprel="compound",
                    misc="Entity=(1-organization-new-s-cf1-1,2-sgl(2-place-new-s-cf2-1-sgl)",
                ),
                w("Airways", "PROPN", "NNP", misc="Entity=1)"),
            ]
        )
    )
    assert [(e["text"], e["label"]) for e in record["entities"]] == [("Kenya Airways", "ORG")]


def test_an_attribution_becomes_an_indirect_claim_without_that() -> None:
    subject = [w("Officials", deprel="nsubj", misc="Entity=(1-person-new-s-cf1-1-sgl)")]
    content = [
        w("that", "SCONJ", "IN", head=4, deprel="mark"),
        *[(*r[:4], r[4] + 1 if r[4] else 0, *r[5:]) for r in PLAN_FAILED],
    ]
    (claim,) = convert(conllu(said(subject, content)))["claims"]
    assert (claim["claimant"]["text"], claim["cue"]["text"], claim["content"]["text"], claim["kind"]) == (
        "Officials",
        "said",
        "the plan failed",
        "indirect",
    )
    assert "broad" not in claim


def test_content_inside_quote_markup_is_direct_without_its_marks() -> None:
    subject = [w("She", "PRON", "PRP", deprel="nsubj", misc="Entity=(1-person-new-s-cf1-1-sgl)")]
    content = [
        w('"', "PUNCT", "``", head=2, deprel="punct", misc="SpaceAfter=No|XML=<q>"),
        w("Never", "ADV", "RB", deprel="ccomp", misc="SpaceAfter=No"),
        w('"', "PUNCT", "''", head=2, deprel="punct", misc="XML=</q>"),
    ]
    (claim,) = convert(conllu(said(subject, content)))["claims"]
    assert (claim["content"]["text"], claim["kind"]) == ("Never", "direct")


def test_a_belief_is_a_broad_belief_claim() -> None:
    subject = [w("Officials", deprel="nsubj", misc="Entity=(1-person-new-s-cf1-1-sgl)")]
    (claim,) = convert(conllu(said(subject, PLAN_FAILED, verb="believe", lemma="believe")))["claims"]
    assert (claim["kind"], claim["broad"]) == ("belief", True)


def test_a_negative_attribution_is_not_a_claim() -> None:
    subject = [w("Officials", deprel="nsubj")]
    rows = said(subject, PLAN_FAILED)
    rows[0] = (*rows[0][:6], "Discourse=attribution-negative:1->2:0")
    assert convert(conllu(rows))["claims"] == []


def test_a_pronoun_claimant_resolves_to_the_first_name_of_its_chain() -> None:
    first = [w("Ann", "PROPN", "NNP", misc="Entity=(1-person-new-s-cf1-1-coref)|Discourse=ROOT:1:0")]
    rows = said([w("She", "PRON", "PRP", deprel="nsubj", misc="Entity=(1-person-giv-s-cf1-1-ana)")], PLAN_FAILED)
    rows = [(*r[:6], r[6].replace("1->2", "2->3").replace("ROOT:2", "ROOT:3")) for r in rows]
    claim = convert(conllu(first, rows))["claims"][0]
    assert (claim["claimant"]["text"], claim["claimant_resolved"]) == ("She", "Ann")


def test_according_to_is_the_cue_and_its_object_the_claimant() -> None:
    rows: list[Word] = [
        w("According", "VERB", "VBG", head=3, deprel="case", misc="Discourse=attribution-positive:1->2:0"),
        w("to", "ADP", "IN", head=1, deprel="fixed"),
        w("police", head=7, deprel="obl", misc="Entity=(1-organization-new-s-cf1-1-sgl)|SpaceAfter=No"),
        w(",", "PUNCT", ",", head=3, deprel="punct"),
        *[(*r[:4], r[4] + 4 if r[4] else 0, *r[5:]) for r in PLAN_FAILED],
    ]
    rows[4] = (*rows[4][:6], "Discourse=ROOT:2:0")
    rows[6] = (*rows[6][:4], 0, "root", "_")
    (claim,) = convert(conllu(rows))["claims"]
    assert (claim["cue"]["text"], claim["cue"]["lemma"], claim["claimant"]["text"]) == (
        "According to",
        "according to",
        "police",
    )


def test_every_span_quotes_the_text_so_the_gold_loader_accepts_it(
    tmp_path: Path, write_conllu: Callable[..., Path]
) -> None:
    subject = [w("Officials", deprel="nsubj", misc="Entity=(1-person-new-s-cf1-1-sgl)")]
    dep = write_conllu(conllu(said(subject, PLAN_FAILED)))
    out = tmp_path / "gum.gold.jsonl"
    assert main([str(dep), "-o", str(out)]) == 0
    (doc,) = load_gold(out).documents
    assert len(doc.claims or ()) == 1


def test_the_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "docs/gum.md" in capsys.readouterr().out


@pytest.fixture
def write_conllu(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a dep/ directory holding the given document as GUM_news_test.conllu."""

    def write(text: str) -> Path:
        dep = tmp_path / "dep"
        dep.mkdir(exist_ok=True)
        (dep / "GUM_news_test.conllu").write_text(text, encoding="utf-8")
        return dep

    return write


def test_two_attributions_of_one_content_make_one_claim_the_saying() -> None:
    rows = said([w("Officials", deprel="nsubj")], PLAN_FAILED)
    believe: list[Word] = [
        w("I", "PRON", "PRP", head=2, deprel="nsubj", misc="Discourse=attribution-positive:1->3:0"),
        w("think", "VERB", "VBP", head=0, deprel="parataxis"),
    ]
    rows = [*believe, *[(*r[:4], r[4] + 2 if r[4] else 0, *r[5:]) for r in rows]]
    rows = [
        (*r[:6], r[6].replace("attribution-positive:1->2", "attribution-positive:2->3").replace("ROOT:2", "ROOT:3"))
        for r in rows
    ]
    (claim,) = convert(conllu(rows))["claims"]
    assert claim["cue"]["text"] == "said"


def test_a_full_stop_after_the_closing_mark_is_not_quoted() -> None:
    subject = [w("She", "PRON", "PRP", deprel="nsubj")]
    content = [
        w('"', "PUNCT", "``", head=2, deprel="punct", misc="SpaceAfter=No|XML=<q>"),
        w("Never", "ADV", "RB", deprel="ccomp", misc="SpaceAfter=No"),
        w('"', "PUNCT", "''", head=2, deprel="punct", misc="SpaceAfter=No"),
        w(".", "PUNCT", ".", head=2, deprel="punct", misc="XML=</q>"),
    ]
    rows = said(subject, content)[:-1]
    (claim,) = convert(conllu(rows))["claims"]
    assert claim["content"]["text"] == "Never"
