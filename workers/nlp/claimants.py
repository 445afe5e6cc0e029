"""Who made a claim: the claimant span as written, and the entity it refers to.

The span is the speaker as the article writes it, without descriptive add-ons
("The Observatory, an opposition war monitor,"). Linking it to an entity takes, in
order: the entity the speaker's head word belongs to; for a pronoun ("It added",
"he said") the previous speaker or the nearest compatible mention; for a
description ("the group said", "the president told") the nearest earlier entity of
the kind the noun names (a title the article gave a person counts: "the president"
is the person mentioned as "President X"); for a spokesperson the organisation or
place named inside the phrase ("a spokesman for Microsoft"), not inside a clause of
it ("researchers who examined data posted by the group" do not speak for the group;
the agent of a verb of authorship does: "a study published by X"), or the one the
noun before the role describes ("a company spokesperson", as "the company" would be
read); for a statement, its
author ("Cornyn's statement added").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Final

from spacy.tokens import Token

from workers.models import Claimant, Entity
from workers.nlp.article_index import ArticleIndex
from workers.nlp.lexicon import CHANNEL_NOUNS

__all__ = ["SPEAKER_NOUNS", "Speaker", "claimant_for", "speaker_tokens"]

#: Subject modifiers that describe the speaker rather than name it; the claimant
#: span stops before them ("the Observatory, an opposition war monitor, said").
_DESCRIPTIVE_DEPS: Final = frozenset({"appos", "relcl", "acl", "parataxis"})
#: Which entity labels a subject pronoun can stand for. Countries and companies are
#: "it"; nationalities and organisations seen as their members are "they".
_PRONOUN_LABELS: Final = {
    "he": frozenset({"PERSON"}),
    "she": frozenset({"PERSON"}),
    "it": frozenset({"ORG", "GPE"}),
    "they": frozenset({"ORG", "NORP"}),
}
#: Tags of an unnamed earlier speaker that a pronoun most likely continues.
_PRONOUN_TAGS: Final = {"it": frozenset({"NN"}), "they": frozenset({"NNS", "NNPS"})}
#: Common nouns that, as "the <noun>", refer back to an entity of these labels.
_DESCRIPTION_LABELS: Final = {
    **dict.fromkeys(
        (
            "group",
            "organisation",
            "organization",
            "monitor",
            "agency",
            "company",
            "firm",
            "ministry",
            "department",
            "party",
            "movement",
            "militia",
            "network",
            "union",
            "alliance",
            "coalition",
            "office",
            "council",
            "committee",
            "newspaper",
            "broadcaster",
            "watchdog",
            "charity",
            "bank",
            "court",
            "tribunal",
            "commission",
            "university",
        ),
        frozenset({"ORG"}),
    ),
    **dict.fromkeys(("country", "city", "town", "state", "kingdom", "republic", "nation"), frozenset({"GPE"})),
}
#: Nouns for people who speak in the news, by role: "The minister was blunt:" names
#: a speaker, "The report was blunt:" does not.
SPEAKER_NOUNS: Final = frozenset(
    {
        "minister", "president", "premier", "chancellor", "spokesman", "spokeswoman", "spokesperson",
        "official", "officials", "coach", "manager", "chief", "leader", "governor", "mayor", "senator",
        "director", "secretary", "chairman", "chairwoman", "chair", "executive", "ambassador", "judge",
        "prosecutor", "lawyer", "attorney", "witness", "analyst", "expert", "economist", "scientist",
        "researcher", "doctor", "author", "captain", "player", "police", "commander", "general", "king",
        "queen", "prince", "pope", "bishop", "priest", "founder", "owner", "head", "lawmaker", "candidate",
        "activist", "teacher", "student", "resident", "residents", "mother", "father", "victim", "survivor",
    }
)  # fmt: skip
#: Words in an organisation's name that say it is what a description names ("the
#: company" is "Acme Inc"); a description not listed is looked for as itself.
_NAME_WORDS: Final = {
    "company": frozenset({"company", "inc", "corp", "corporation", "co", "ltd", "plc", "llc", "group", "holdings"}),
    "firm": frozenset({"firm", "inc", "corp", "corporation", "co", "ltd", "plc", "llc", "group", "holdings"}),
    "court": frozenset({"court"}),
    "party": frozenset({"party"}),
    "union": frozenset({"union"}),
}
#: The GeoNames feature class a GPE description needs when the place is geocoded:
#: "the city" is no country, "the country" no city.
_DESCRIPTION_FEATURE: Final = {"city": "P", "town": "P", "country": "A", "kingdom": "A", "republic": "A", "nation": "A"}
#: A claimant whose head is not a named thing ("a spokesman for Microsoft") speaks
#: for the organisation or place named inside it; never for a person ("Smith's
#: lawyer" is not Smith) nor for a nationality ("Syrian insurgents").
_REPRESENTED_LABELS: Final = frozenset({"ORG", "GPE"})
#: Roles that speak for an organisation or a place a noun before them describes ("a
#: company spokesperson", "a ministry official").
_REPRESENTATIVES: Final = frozenset({"spokesman", "spokeswoman", "spokesperson", "representative", "official"})
#: Dependencies of a clause inside a noun phrase (a relative clause, a participle's,
#: an adverbial one): what it names is what the speaker did, not whom it speaks for.
_CLAUSE_DEPS: Final = frozenset({"relcl", "acl", "advcl"})
#: Verbs whose agent is the author of what the phrase names ("a survey published by
#: X", "a report commissioned by X"): X speaks through it.
_AUTHORING_VERBS: Final = frozenset(
    {"publish", "write", "conduct", "commission", "release", "issue", "produce", "prepare", "compile", "author",
     "sign", "carry", "draft", "send", "post", "file", "submit", "lead", "fund", "sponsor"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Speaker:
    """A claimant already seen in the article, for the pronouns after it."""

    cue_start: int
    claimant: Claimant
    head_tag: str


def speaker_tokens(subject: Token, para: tuple[int, int]) -> tuple[Token, Token] | None:
    """First and last token of the speaker as written, without descriptive add-ons.

    "The Observatory's chief, Rami Abdurrahman," names the speaker by the
    apposition, so a common-noun subject with a proper-noun apposition yields it.
    """
    doc = subject.doc
    for child in subject.children:
        # Not a parenthesis: "(Italian Episcopal Conference)" spells out an acronym.
        bracketed = child.left_edge.i > 0 and doc[child.left_edge.i - 1].text == "("
        if (
            child.dep_ == "appos"
            and child.pos_ == "PROPN"
            and subject.pos_ not in ("PROPN", "PRON")
            and not bracketed
            and not _names_title(subject, child)
        ):
            subject = child
            break
    first, last = subject.left_edge, subject.right_edge
    for tok in subject.subtree:
        if tok.i > subject.i and tok.dep_ in _DESCRIPTIVE_DEPS and not _names_title(tok.head, tok):
            left = tok.left_edge
            if tok.dep_ == "appos" or doc[left.i - 1].text in (",", "(", "\u2014", "\u2013"):
                last = min(last, doc[left.i - 1], key=lambda t: t.i)
    if subject.i < subject.head.i <= last.i:
        # A subject ends before its verb; a subtree running past it is a misparse
        # (an apposition hung on from inside a later quotation).
        last = doc[subject.head.i - 1]
    # A dateline the parser glued on ("Saturday, May 7\nRecent reports said").
    while first.i < last.i and (first.is_punct or first.is_space or first.idx < para[0]):
        first = doc[first.i + 1]
    while last.i > first.i and (last.is_punct or last.is_space or last.idx >= para[1]):
        last = doc[last.i - 1]
    if not para[0] <= first.idx < para[1]:
        return None
    return first, last


def _names_title(title: Token, name: Token) -> bool:
    """Whether ``name`` is a proper-noun apposition right after ``title``, with no
    comma: the name a title or description goes with ("President William Ruto",
    "chief executive Satya Nadella"), not an add-on."""
    return name.dep_ == "appos" and name.pos_ == "PROPN" and name.left_edge.i == title.i + 1


def claimant_for(
    article: ArticleIndex, tokens: tuple[Token, Token] | None, cue_start: int, speakers: list[Speaker]
) -> Claimant | None:
    """Build the claimant of the cue at ``cue_start`` and link it to an entity.

    A dateline ("NAIROBI, Kenya (AP) —") is never part of it: a speaker the parser
    found only there is the phrase between the dateline and the cue. A person
    named with a possessive in front ("Kenya's President William Ruto") is the
    person with the title ("President William Ruto"): the possessive is a
    description, and a name is not linked to the place or organisation in it.

    ``speakers`` holds the claimants seen so far; the new one is appended.
    """
    if tokens is None:
        return None
    tokens = _after_dateline(article, tokens, cue_start)
    if tokens is None:
        return None
    first, last = tokens
    span = article.doc[first.i : last.i + 1]
    head = span.root
    entity = article.entity_at[head.i]
    if entity is None and head.pos_ == "PRON":
        entity = _resolve_pronoun(article, head, speakers)
    elif entity is None and head.pos_ == "PROPN":
        entity = article.by_name.get(span.text.casefold()) or article.by_name.get(head.lower_)
    last_entity = article.entity_at[last.i]
    if entity is None and last_entity is not None and last_entity.label == "PERSON":
        entity = last_entity  # "Afghan Ambassador to the US Hamdullah Mohib"
    if entity is None and head.pos_ != "PRON":
        named = [
            e
            for t in span
            if (e := article.entity_at[t.i]) and e.label in _REPRESENTED_LABELS and not _in_clause(t, head)
        ]
        # The organisation rather than its place: "the Dallas chapter of the Council".
        entity = min(named, key=lambda e: e.label != "ORG", default=None)
    if entity is None and head.lemma_.lower() in CHANNEL_NOUNS:
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        entity = article.entity_at[owner.i] if owner is not None else None  # "Cornyn's statement added"
    if entity is None and head.pos_ == "NOUN":
        entity = _resolve_description(article, head, first.idx)
    if entity is None and head.lemma_.lower() in _REPRESENTATIVES:
        entity = _represented_by_description(article, head, first.idx)
    if entity is not None and entity.label == "PERSON":
        first = _without_possessive(article, first, last, entity)
    start, end = first.idx, last.idx + len(last.text)
    claimant = Claimant(article.text[start:end], start, end, entity.id if entity else None)
    speakers.append(Speaker(cue_start, claimant, head.tag_))
    return claimant


def _represented_by_description(article: ArticleIndex, role: Token, span_start: int) -> Entity | None:
    """Whom "a company spokesperson" or "a ministry official" speaks for: the
    organisation or place the noun before the role describes, resolved as "the
    company" would be (the article belongs to the role, so an indefinite one counts)."""
    for child in role.children:
        if child.dep_ == "compound" and child.tag_ == "NN" and child.lower_ in _DESCRIPTION_LABELS:
            return _described(article, child.lower_, span_start)
    return None


def _in_clause(token: Token, head: Token) -> bool:
    """Whether ``token`` lies in a clause that modifies ``head`` rather than in the
    phrase itself: the researchers of "researchers who examined data posted by the
    Black Heron group" do not speak for the group, nor "a letter seen by Sky News" for
    Sky News; a spokesman "for Microsoft" does, and so does the agent of a verb of
    authorship ("a study published by researchers at Mondlane University")."""
    by_agent = False
    while token.i != head.i and token.head.i != token.i:
        authored = token.dep_ == "acl" and by_agent and token.lemma_.lower() in _AUTHORING_VERBS
        if token.dep_ in _CLAUSE_DEPS and not authored:
            return True
        by_agent = by_agent or token.dep_ == "agent"
        token = token.head
    return False


def _after_dateline(article: ArticleIndex, tokens: tuple[Token, Token], cue_start: int) -> tuple[Token, Token] | None:
    """``tokens`` without the dateline of their paragraph; when all of them lie in
    it, the noun phrase between the dateline and the cue, or None."""
    first, last = tokens
    dateline_end = article.dateline_end(first.idx)
    if first.idx >= dateline_end:
        return tokens
    doc = article.doc
    if last.idx >= dateline_end:
        i = bisect_left(article.token_starts, dateline_end)
        return doc[i], last
    start = bisect_left(article.token_starts, dateline_end)
    words = [t for t in doc[start : bisect_left(article.token_starts, cue_start)] if not (t.is_punct or t.is_space)]
    if not words or len(words) > 12 or any(t.pos_ in ("VERB", "AUX") for t in words):
        return None
    inside = range(words[0].i, words[-1].i + 1)
    heads = [t for t in words if t.head.i not in inside or t.head.i == t.i]
    if len(heads) != 1:
        return None
    return speaker_tokens(heads[0], article.paragraph(heads[0].idx))


def _without_possessive(article: ArticleIndex, first: Token, last: Token, person: Entity) -> Token:
    """The first token of a person's claimant without a named possessive in front
    that is not the person ("Kenya's", "the World Bank's"); "His father X" and "the
    agency's chief X" keep theirs, which describe rather than name."""
    for tok in article.doc[first.i : last.i + 1]:
        if tok.dep_ == "poss" and tok.left_edge.i == first.i and first.i <= tok.head.i <= last.i:
            after = tok.right_edge.i + 1
            owner = article.entity_at[tok.i]
            if after <= last.i and tok.pos_ == "PROPN" and owner is not person:
                return article.doc[after]
            break
    return first


def _resolve_pronoun(article: ArticleIndex, pronoun: Token, speakers: list[Speaker]) -> Entity | None:
    """The entity a subject pronoun most likely stands for, or None.

    News keeps one speaker across consecutive attributions ("The Observatory said
    ... It added ..."), so the speaker of the previous attribution in this or the
    previous paragraph comes first: if it is a compatible entity, that; if it is an
    unnamed group of the right number ("Syrian insurgents ... they"), nobody named;
    unless another compatible entity has been the subject of a sentence since.
    Otherwise the nearest compatible mention in this or the previous sentence. A
    compatible mention earlier in the pronoun's own sentence comes before all.
    """
    word = pronoun.lower_
    labels = _PRONOUN_LABELS.get(word)
    if labels is None:
        return None
    sent = pronoun.sent
    for start, entity in article.mentions_before(pronoun.idx, sent.start_char):
        if entity.label in labels and article.quotes.at(start) is None and not article.in_dateline(start):
            return entity  # "Thomas' sister pleaded with him, but he replied"
    para_start, _ = article.paragraph(pronoun.idx)
    window = article.paragraph(para_start - 1)[0] if para_start > 0 else 0
    if speakers and speakers[-1].cue_start >= window:
        previous = speakers[-1]
        subject = _subject_between(article, previous.cue_start, pronoun.idx, labels)
        if subject is not None:
            return subject  # "Whitmore stated ... Rathbun requested ... He described"
        known = article.by_id.get(previous.claimant.entity_id or "")
        if known is not None and known.label in labels:
            return known
        if known is None and previous.head_tag in _PRONOUN_TAGS.get(word, ()):
            return None
    floor = article.doc[sent.start - 1].sent.start_char if sent.start > 0 else 0
    for start, entity in article.mentions_before(pronoun.idx, floor):
        if entity.label in labels and article.quotes.at(start) is None and not article.in_dateline(start):
            return entity
    return None


def _subject_between(article: ArticleIndex, start: int, end: int, labels: frozenset[str]) -> Entity | None:
    """The last compatible entity that is a grammatical subject in [start, end)."""
    for at, entity in article.mentions_before(end, start):
        token = article.token_at(at)
        if entity.label in labels and token is not None and article.quotes.at(at) is None:
            head = token
            while head.dep_ == "compound" and head.head.i != head.i:
                head = head.head
            if head.dep_ in ("nsubj", "nsubjpass"):
                return entity
    return None


def _resolve_description(article: ArticleIndex, noun: Token, span_start: int) -> Entity | None:
    """The entity "the group" or "the president" refers back to, or None.

    Only a definite singular description counts ("the group", not "a group" nor
    "the groups"). An organisation whose name says what it is comes first: "the
    bank" is the nearest earlier organisation with "bank" in its name ("the World
    Bank", even with "the IMF" between them), "the company" one named "... Inc"
    or "... Group" (``_NAME_WORDS``), anywhere before. Otherwise it refers to the
    nearest earlier entity of its kind in this or the previous paragraph. Mentions
    inside quotations and datelines do not count. A person is described by a title
    the article gave them ("the president" for "President Bashar Assad").
    """
    if noun.tag_ != "NN" or not any(c.dep_ == "det" and c.lower_ == "the" for c in noun.children):
        return None
    return _described(article, noun.lower_, span_start)


def _described(article: ArticleIndex, word: str, span_start: int) -> Entity | None:
    """The entity a description by ``word`` refers back to from ``span_start``, or None
    (see :func:`_resolve_description`)."""
    labels = _DESCRIPTION_LABELS.get(word)
    if labels is not None and "ORG" in labels:
        name_words = _NAME_WORDS.get(word, frozenset({word}))
        for start, entity in article.mentions_before(span_start, 0):
            named = entity.label == "ORG" and not name_words.isdisjoint(entity.name.casefold().replace(".", "").split())
            if named and article.quotes.at(start) is None and not article.in_dateline(start):
                return entity
    para_start, _ = article.paragraph(span_start)
    floor = article.paragraph(para_start - 1)[0] if para_start > 0 else 0
    for start, entity in article.mentions_before(span_start, floor):
        if article.quotes.at(start) is not None or article.in_dateline(start):
            continue
        feature = _DESCRIPTION_FEATURE.get(word)
        fits = feature is None or entity.geo is None or entity.geo.feature_class == feature
        if labels is not None and entity.label in labels and fits:
            return entity
        if entity.label == "PERSON" and any(
            m.title and word in m.title.lower().split() for m in entity.mentions if m.start <= start
        ):
            return entity
    return None
