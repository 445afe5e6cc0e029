"""Unusual but valid inputs, and a body with NUL, through a real worker: the events that come out.

docs/reliability.md, "Bad input": HTML is blanked for the NLP and flagged ``html``, with offsets
that still index the body as received; non-English text is published flagged
``non_english`` without entities or claims; NUL characters in a body make one dead
letter, ``invalid_body``, that keeps the original value. Every event is checked
against its schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tests.checks import assert_claim_or_entity_spans, assert_spans_index_body, assert_valid_event
from tests.integration.accounting import read_topic, settle_ledger, wait_until_accounted
from tests.integration.conftest import WorkerProcess, all_alive
from workers.inputs.files import InputArticle
from workers.kafka.feed import feed_articles
from workers.settings import Settings

HTML_BODY = (
    '<html><head><style>p { color: red; }</style><script>var said = "Paris";</script></head>'
    "<body><p>The mayor of <b>Boston</b>, Michelle Wu, said on Monday that the bridge would reopen.</p>\n"
    "<!-- an editor's note about London -->"
    '<p>Critics in <a href="https://example.org">Cambridge</a> denied it.</p></body></html>'
)
GERMAN_BODY = (
    "Der Bürgermeister von Berlin sagte am Montag, dass die Brücke im März wieder geöffnet werde. "
    "Kritiker bestritten das und erklärten, die Arbeiten seien ins Stocken geraten."
)
FRENCH_AS_ENGLISH = (
    "Le maire de Paris a déclaré lundi que le pont serait rouvert en mars. "
    "Les critiques l'ont nié et ont affirmé que les travaux étaient au point mort."
)
ENGLISH_BODY = "The mayor of Boston said on Monday that the bridge would reopen. Critics in Cambridge denied it."
NUL_VALUE = b'{"id": "nul-body", "body": "The mayor of Boston said\\u0000 the bridge would reopen."}'


def article(article_id: str, body: str, **fields: Any) -> InputArticle:
    return InputArticle(article_id, article_id.encode(), orjson.dumps({"id": article_id, "body": body, **fields}))


def values(settings: Settings, topic: str) -> list[dict[str, Any]]:
    return [orjson.loads(r.value or b"") for r in read_topic(settings, topic)]


def test_html_non_english_and_nul_bodies_come_out_as_the_readme_says(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings = pipeline_settings
    fed = [
        article("html", HTML_BODY),
        article("declared-german", GERMAN_BODY, language="de"),
        article("undeclared-german", GERMAN_BODY + " "),
        article("french-declared-english", FRENCH_AS_ENGLISH, language="fr"),
        article("english-control", ENGLISH_BODY),
        InputArticle("nul-body", b"nul-body", NUL_VALUE),
    ]
    ids = [a.origin for a in fed]
    worker = start_worker(settings)
    assert feed_articles(fed, settings).sent == len(fed)
    wait_until_accounted(settings, ids, timeout=240, alive=all_alive(worker))
    ledger = settle_ledger(settings, ids)
    assert not ledger.missing and not ledger.derived_missing(), (ledger.missing, ledger.derived_missing())

    articles = {a["id"]: a for a in values(settings, settings.topic_enriched)}
    claims = values(settings, settings.topic_claims)
    entities = values(settings, settings.topic_entities)
    letters = values(settings, settings.topic_dlq)
    for event in [*articles.values(), *claims, *entities, *letters]:
        assert_valid_event(event)
    fed_bodies = {a.origin: orjson.loads(a.value)["body"] for a in fed if a.origin != "nul-body"}
    assert set(articles) == set(fed_bodies), sorted(articles)
    for article_id, body in fed_bodies.items():
        assert articles[article_id]["body"] == body, f"{article_id}: body not kept as received"
    derived_of: dict[str, int] = {}
    for event in claims + entities:
        article_id = event["article"]["id"]
        derived_of[article_id] = derived_of.get(article_id, 0) + 1
        assert_claim_or_entity_spans(event, fed_bodies[article_id])

    # Non-English: flagged, published, with nothing from the English model.
    for article_id in ("declared-german", "undeclared-german", "french-declared-english"):
        value = articles[article_id]
        assert "non_english" in value["flags"], (article_id, value["flags"])
        assert (value["entities"], value["claims"]) == ([], []), article_id
        assert article_id not in derived_of, f"{article_id}: claims or entities events for a non-English article"

    # HTML: flagged, enriched, every span indexes the body as received and covers no markup.
    html = articles["html"]
    assert "html" in html["flags"], html["flags"]
    assert "non_english" not in html["flags"]
    assert html["entities"], "the HTML article's text was not enriched at all"
    assert_spans_index_body(html)
    names = {e["name"] for e in html["entities"]}
    assert {"Boston", "Michelle Wu", "Cambridge"} <= names, names
    assert not names & {"Paris", "London"}, f"entities from a script or a comment: {names}"
    spans = [m for e in html["entities"] for m in e["mentions"]]
    spans += [c[part] for c in html["claims"] for part in ("cue", "content", "claimant") if c[part]]
    for span in spans:
        assert "<" not in span["text"] and ">" not in span["text"], span

    # The control article: not flagged, enriched (so the checks above are not vacuous).
    control = articles["english-control"]
    assert not {"html", "non_english"} & set(control["flags"]), control["flags"]
    assert control["entities"] and control["claims"]

    # NUL: exactly one dead letter, invalid_body, the value kept byte for byte.
    [letter] = [x for x in letters if x["key"] == "nul-body"]
    assert len(letters) == 1, letters
    assert letter["reason"] == "invalid_body"
    assert (letter["value_encoding"], letter["value"].encode()) == ("utf-8", NUL_VALUE)
    assert "nul-body" not in articles
