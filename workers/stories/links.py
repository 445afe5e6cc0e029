"""Claims of one story that state the same thing: who corroborates, who contradicts.

Two claims are linked when different parties make them about the same proposition.
"The same proposition" is read from the contents alone: their TF-IDF cosine
(:mod:`workers.stories.text`) above ``same_threshold``, or above ``shared_threshold``
when the contents also name a common entity that is not one of the story's topic
(every claim of a story about a singer names the singer; for the same reason the
assigner leaves the topic's names out of the cosine). The link is:

- ``contradicts`` when their polarities differ: one denies (stance ``deny``) what the
  other asserts or confirms, or one content negates what the other states, with a
  negation ("not", "never", "no") or a predicate that holds its complement or the
  going-on of what it names false ("filming has been *halted*", "the bank *failed* to
  report", "the claims are *untrue*"); two in one sentence cancel ("there is no village
  we have not reached", "production has not stopped");
- ``corroborates`` when their polarities agree and the contents share an anchor
  besides their words, an entity that is not one of the story's topic or a number, or
  their cosine reaches ``agree_threshold`` (they say nearly the same words). Two
  statements on one topic share words without stating one thing ("the cast had been
  sent home" and "the cast was all behind him"); a contradiction has its evidence in
  the opposite polarity of like words, an agreement needs more.

Who is a party: a claimant's entity id, else its words; a representative speaks for
whom it represents ("Kessler's agent" for the entity named Kessler; "his agent",
"the singer's representatives" for the story's leading entity, whom a pronoun or a
description most likely means), and an indefinite claimant ("two
crew members", "a source close to the singer") is known only within its article:
two outlets' "two crew members" are not known to be the same people.

Claims without a named claimant are never linked (nobody to set against whom), nor
are requests and questions ("urged customers to change their passwords": they state
nothing true or false). A party is never linked with itself, and a claim links with
at most one claim of each other party (its most similar that makes a link: the
nearest may be a statement on the same topic that neither agrees nor disagrees), so
copies and repetitions do not multiply links. A content that states several
propositions (sentences, "X and that Y") is compared one proposition at a time
(:func:`workers.stories.article.propositions`), each with its own polarity. The
evidence travels with the link: the cosine and the entities both contents name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from workers.stories.article import StoryClaim

__all__ = ["ClaimLink", "LinkKind", "link", "party", "polarity", "states_a_proposition"]

LinkKind = Literal["contradicts", "corroborates"]

_SENTENCE_END: Final = re.compile(r"[.!?;]+\s+")
_NEGATION: Final = re.compile(r"\b(?:not|no|never|none|neither|nor|nobody|nothing)\b|n['\u2019]t\b", re.IGNORECASE)
#: Predicates that hold what they govern false, in all their inflections: verbs of
#: stopping (an activity halted is one not going on), negative implicatives (failing or
#: refusing to do X is not doing X: Karttunen 1971) and denials, and the adjectives of
#: falsity. Words that are only bad news ("delay", "fall", "lose") are not among them:
#: a delay is not the negation of the thing delayed.
_REVERSAL: Final = re.compile(
    r"\b(?:halt(?:s|ed|ing)?|stop(?:s|ped|ping)?|ceas(?:e|es|ed|ing)|suspend(?:s|ed|ing)?"
    r"|cancel(?:s|led|ed|ling|ing)?|call(?:s|ed|ing)?\s+off|abandon(?:s|ed|ing)?|scrap(?:s|ped|ping)?"
    r"|postpon(?:e|es|ed|ing)|fail(?:s|ed|ing)?|refus(?:e|es|ed|ing)|den(?:y|ies|ied|ying)"
    r"|reject(?:s|ed|ing)?|false|untrue|baseless|unfounded)\b",
    re.IGNORECASE,
)
#: Cues of requests and questions: their content is an act asked for, not a statement.
_DIRECTIVE_CUES: Final = frozenset({"urge", "ask", "demand", "call", "implore", "press", "advise"})
#: Who speaks for someone else: the possessor ("her publicist", "Kessler's agent"), the
#: object of "for" ("a spokesperson for the bank") or the name before the role
#: ("Environment Canada spokeswoman Sujata Raisinghani") is the party.
_ROLE: Final = (
    r"(?:spokes(?:man|men|woman|women|person|people)|representatives?|publicists?|agents?|lawyers?"
    r"|attorneys?|aides?|managers?)"
)
_REPRESENTATIVE: Final = re.compile(
    rf"^(?:(?P<pronoun>his|her|their)|(?P<owner>.+?)['\u2019]s?)\s+(?:\w+\s+)?{_ROLE}\b"
    rf"|\b{_ROLE}\s+for\s+(?P<for>.+)$"
    rf"|^(?:(?:the|an?)\s+)?(?-i:(?P<named>(?:(?!(?:A|An|The)\s)[A-Z][\w&.\u2019'-]*\s+)+)){_ROLE}\b",
    re.IGNORECASE,
)
#: Determiners of an indefinite claimant: it names nobody the reader could find again.
_INDEFINITE: Final = re.compile(
    r"^(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+|some|several|many|few|other)\b",
    re.IGNORECASE,
)
_DEFINITE: Final = re.compile(r"^the\s+", re.IGNORECASE)
_CAPITALISED: Final = re.compile(r"\b[A-Z][\w\u2019'-]*")
#: A number as written in a content ("600", "2.5", "2,000"): a figure both contents give.
_NUMBER: Final = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class ClaimLink:
    """Two claims about one proposition, by different claimants."""

    kind: LinkKind
    claim: StoryClaim
    other: StoryClaim
    similarity: float
    shared_entities: tuple[str, ...]
    #: The proposition both claims state, named by the first claim of the story that
    #: stated it (the assigner sets it: a claim linked to a claim of an existing
    #: proposition joins that proposition).
    proposition: str = ""


def polarity(claim: StoryClaim) -> int:
    """+1 when the claim holds its content true, -1 when it holds it false.

    A content negates when one of its sentences holds an odd number of negations and
    reversing predicates: two in one sentence cancel ("there is no village we have not
    reached" and "production has not stopped" assert).
    """
    sign = -1 if claim.stance == "deny" else 1
    return -sign if _negates(claim.part) else sign


def states_a_proposition(claim: StoryClaim) -> bool:
    """Whether the claim holds something true or false: not a question or a request."""
    return claim.stance != "question" and claim.cue not in _DIRECTIVE_CUES


def party(claim: StoryClaim, names: Mapping[str, str] | None = None, lead: str | None = None) -> str | None:
    """Who the claim's claimant speaks for, as a key: equal keys are one party.

    Args:
        names: entity id -> display name of the story's entities: a representative's
            named possessor ("Kessler's agent") is the entity whose name it shares a
            capitalised word with.
        lead: the story's leading entity: the party of a representative of someone
            named by a pronoun or a description ("her publicist", "the singer's
            representatives").

    Returns:
        None when the claim has no named claimant.
    """
    if claim.claimant is None:
        return None
    text = " ".join((claim.claimant_text or "").split())
    principal, indefinite = _claimant_reading(text)
    if principal is not None:
        if principal:
            # The entity sharing the most words with it ("Environment Canada" before "Canada").
            found = sorted((-len(principal & set(name.split())), e) for e, name in (names or {}).items())
            if found and found[0][0]:
                return found[0][1]
        elif lead is not None:
            return lead
    if indefinite and claim.claimant == text.lower():
        return f"{claim.article_id}/{claim.claimant}"
    return claim.claimant


# The readings below depend on the words alone and are asked for every pair of claims
# compared: each is kept for the texts seen last (a claim meets the story's claims
# again with every article that joins).
@lru_cache(maxsize=8192)
def _negates(content: str) -> bool:
    return any(
        (len(_NEGATION.findall(sentence)) + len(_REVERSAL.findall(sentence))) % 2
        for sentence in _SENTENCE_END.split(content)
    )


@lru_cache(maxsize=8192)
def _claimant_reading(text: str) -> tuple[frozenset[str] | None, bool]:
    """Whom a representative speaks for (the capitalised words naming its principal; an
    empty set for a pronoun or a definite description, which stand for the story's
    lead; None when the claimant represents nobody or an indefinite one), and whether
    the claimant is indefinite."""
    principal: frozenset[str] | None = None
    role = _REPRESENTATIVE.search(text)
    if role is not None:
        owner = role["owner"] or role["for"] or role["named"]
        if owner is None:  # a pronoun
            principal = frozenset()
        else:
            owner = _DEFINITE.sub("", owner)
            words = frozenset(_CAPITALISED.findall(owner))
            principal = words if words or not _INDEFINITE.match(owner) else None
    return principal, bool(_INDEFINITE.match(text))


@lru_cache(maxsize=8192)
def _numbers(content: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(content))


def link(
    claim: StoryClaim,
    others: Sequence[StoryClaim],
    similarities: Sequence[float],
    *,
    same_threshold: float,
    shared_threshold: float,
    names: Mapping[str, str] | None = None,
    topic: frozenset[str] = frozenset(),
    lead: str | None = None,
    agree_threshold: float = 0.6,
) -> list[ClaimLink]:
    """The links of ``claim`` with ``others``, given the cosine of its content with each
    (``similarities[i]`` for ``others[i]``): at most one per other party, the most
    similar of that party's claims that makes a link, so that a party repeating itself
    (or a copy of an article) does not multiply the links. Polarities, numbers and
    entities are those of each claim's ``part``.

    Args:
        same_threshold: least content cosine of one proposition.
        shared_threshold: least content cosine when the contents share an entity.
        names: display names of entity ids, for the evidence (ids where missing) and
            for the parties (:func:`party`).
        topic: entities the whole story is about: naming one of them is no sign that
            two contents state one proposition, so they do not count as shared.
        lead: the story's leading entity, for the parties (:func:`party`).
        agree_threshold: least content cosine of a corroboration whose contents share
            neither a non-topic entity nor a number.
    """
    mine = party(claim, names, lead)
    if mine is None or not states_a_proposition(claim):
        return []
    # Who each claimant as written in each article is: party() once a group, not once a claim.
    parties: dict[tuple[str, str | None, str], str | None] = {}
    candidates: list[tuple[float, str | None, StoryClaim]] = []
    for other, similarity in zip(others, similarities, strict=True):
        if similarity < same_threshold and not (
            similarity >= shared_threshold and (claim.entities & other.entities) - topic
        ):
            continue
        if other.id == claim.id or other.claimant is None or not states_a_proposition(other):
            continue
        key = (other.claimant, other.claimant_text, other.article_id)
        if key not in parties:
            parties[key] = party(other, names, lead)
        candidates.append((similarity, parties[key], other))
    # Each other party's claims, most similar first: the first that makes a link is its link.
    links: dict[str, ClaimLink] = {}
    sign = polarity(claim)
    for similarity, theirs, other in sorted(candidates, key=lambda found: -found[0]):
        if theirs is None or theirs == mine or theirs in links:
            continue
        kind: LinkKind = "corroborates" if polarity(other) == sign else "contradicts"
        shared = (claim.entities & other.entities) - topic
        anchored = similarity >= agree_threshold or shared or _numbers(claim.part) & _numbers(other.part)
        if kind == "corroborates" and not anchored:
            continue  # words in common and no anchor: two statements on one topic
        evidence = tuple(sorted((names or {}).get(e, e) for e in shared))
        links[theirs] = ClaimLink(kind, claim, other, round(float(similarity), 4), evidence)
    return list(links.values())
