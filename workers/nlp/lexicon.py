"""Word lists that decide which words attribute a claim and what stance they carry.

The lists are lemmas as spaCy's English lemmatizer gives them. They live apart from
the extraction rules (``cues.py``, ``content.py``, ``clause_bounds.py``, ``quotation_chains.py``,
``channels.py``, ``claimants.py``, ``claims.py``) so that widening
the vocabulary (or swapping it for another language) never touches the syntax code.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from workers.models import Stance

__all__ = [
    "ALL_CUE_VERBS",
    "BELIEF_ADJECTIVES",
    "BELIEF_NOUNS",
    "BELIEF_VERBS",
    "CHANNEL_NOUNS",
    "CONTENT_OBJECT_VERBS",
    "EVIDENCE_NOUNS",
    "EVIDENCE_VERBS",
    "EXPECTATION_VERBS",
    "FINDING_VERBS",
    "NAMING_VERBS",
    "NARROW_EVIDENCE_VERBS",
    "NON_FACTIVE_GOVERNORS",
    "NOUN_STANCE_BY_LEMMA",
    "POSITION_VERBS",
    "REPORTING_VERBS",
    "REPORT_NOUNS",
    "REQUEST_VERBS",
    "SPECULATIVE_MODALS",
    "SPEECH_ACT_VERBS",
    "STANCE_BY_LEMMA",
    "STATEMENT_CHANNELS",
    "STATEMENT_VERBS",
    "TEXT_NOUNS",
    "TEXT_VERBS",
    "stance_for",
]

# Where the lists come from. No package on PyPI ships VerbNet or Levin's classes with
# their data (nltk's VerbNet reader needs a runtime download of nltk_data; ``wn``
# downloads WordNets; ``verbenet`` is French), so the broad lists below are written by
# hand, grouped by the Levin (1993) / VerbNet class each follows, named from memory of
# those classes and cut to the members news uses to attribute. The narrow list
# (``REPORTING_VERBS``) is the one the development sets were annotated with.

#: What a cue lemma says about the claimant's position; absent lemmas are "assert".
STANCE_BY_LEMMA: Final = MappingProxyType[str, Stance](
    {
        "confirm": "confirm",
        "verify": "confirm",
        # Granting that something is so, often against one's interest.
        "acknowledge": "confirm",
        "admit": "confirm",
        "concede": "confirm",
        "affirm": "confirm",
        "reaffirm": "confirm",
        "deny": "deny",
        "refute": "deny",
        "dispute": "deny",
        "accuse": "accuse",
        "allege": "accuse",
        "blame": "accuse",
        "warn": "warn",
        "caution": "warn",
        "promise": "promise",
        "pledge": "promise",
        "vow": "promise",
        "ask": "question",
        "question": "question",
        "wonder": "question",
        "query": "question",
        # Beliefs (see BELIEF_VERBS). Doubting that X is holding that X is probably
        # not so: the nearest stance is "deny". Fearing that X is expecting harm from
        # it: "warn". Knowing that X presents X as established: "confirm". Believing,
        # thinking, hoping, expecting, wanting, planning, intending: "assert".
        "doubt": "deny",
        "fear": "warn",
        "worry": "warn",
        "know": "confirm",
        # Speech acts (see SPEECH_ACT_VERBS). A demand or call is a request
        # to act, not a question, so it keeps "assert"; judgments against someone
        # accuse them; a refusal denies what was asked.
        "criticise": "accuse",
        "criticize": "accuse",
        "condemn": "accuse",
        "attack": "accuse",
        "blast": "accuse",
        "denounce": "accuse",
        "refuse": "deny",
        "reject": "deny",
        "dismiss": "deny",
        # Confessing is admitting; assuring is promising that something is so.
        "confess": "confirm",
        "assure": "promise",
        "reassure": "promise",
    }
)

#: Beliefs, intentions and knowledge attributed to a source. Their claims have kind
#: "belief" and are broad, unless their content is quoted: words in quotation marks
#: were said ("she believes the plan is “doomed”"), so that claim is narrow. Only a finite clause is their
#: content ("believes that X", "fears the talks will collapse"); "wants to win",
#: "plans to raise taxes" report an intention, not a proposition, and are left out.
BELIEF_VERBS: Final = frozenset(
    {
        # Levin 29.5 / VerbNet conjecture-29.5: holding a proposition true or false.
        "believe",
        "think",
        "doubt",
        "suspect",
        "know",
        # Levin 62 / VerbNet wish-62: wanting or expecting something to come about.
        "hope",
        "want",
        "expect",
        "anticipate",
        "plan",
        "intend",
        # Levin 31.2 / VerbNet admire-31.2 (psych verbs): fear, with a clause.
        "fear",
        "worry",
        # Levin 29.5 again (conjecture and consider, the members news uses with a
        # finite clause: "he reckons he has crossed ...", "economists assume rates
        # will stay high", "nurses feel the rota is unfair").
        "reckon",
        "assume",
        "suppose",
        "feel",
        # Knowing that something is so (Levin 29.5's know): "the coach realises the
        # team is too young", "the BBC understands that the minister will resign".
        "realise",
        "realize",
        "understand",
    }
)

#: Adjectives of belief or concern whose subject holds the clause they take
#: ("officials are confident that ...", "the union is concerned that ..."): with a
#: copula and a finite clause they are beliefs (kind "belief", broad), as the verbs
#: of BELIEF_VERBS are. Words, not lemmas: the small model tags some as participles.
BELIEF_ADJECTIVES: Final = frozenset(
    {"confident", "sure", "certain", "convinced", "concerned", "worried", "optimistic", "hopeful", "afraid",
     "fearful", "doubtful", "sceptical", "skeptical", "pessimistic"}
)  # fmt: skip

#: Speech acts beyond asserting: judging, attacking and defending, requesting,
#: refusing. Their claims are narrow like those of any verb of saying: what decides
#: ``broad`` is whether something was uttered or written, not the verb's attitude
#: (see ``workers.nlp.cues``). They are listed apart because most of them report
#: nothing without a clause, a quotation or a request ("praised the team",
#: "welcomed the decision").
SPEECH_ACT_VERBS: Final = frozenset(
    {
        # Levin 33 / VerbNet judgment-33.1: praising and condemning.
        "criticise",
        "criticize",
        "condemn",
        "denounce",
        "praise",
        "commend",
        "applaud",
        "hail",
        "welcome",
        # Press verbs of verbal attack and defence (no Levin class of their own; used
        # with a that-clause or a quotation they report speech).
        "attack",
        "blast",
        "slam",
        "defend",
        "support",
        "agree",
        "reject",
        # Levin 58 / VerbNet urge-58.1 and order-60: requests and demands.
        "urge",
        "demand",
        "call",
        # VerbNet promise-37.13 and refusals: commitments.
        "refuse",
        # Dismissing a report is denying it ("dismissed claims that ..."); with a
        # thing ("dismissed the coach") it reports nothing.
        "dismiss",
        # Levin 37.7 / VerbNet say-37.7 with an attitude: reassuring, confessing,
        # advising (narrow like "insist" and "warn").
        "assure",
        "reassure",
        "confess",
        "advise",
    }
)

#: Verbs that give a name or label ("called it “a gamble”", "a plan it calls
#: “Anchor”", "branded them cowards"): the content is an evaluation, not a statement,
#: so broad whatever its form.
NAMING_VERBS: Final = frozenset({"call", "label", "brand", "dub"})

#: Verbs of finding out and of deciding that, with a finite clause of their own
#: ("researchers found that ...", "the court heard that ...", "the newspaper has
#: learned that ...", "the court ruled that ..."), report a finding, what a hearing
#: was told or a decision: broad, whoever the subject. Levin 30.1 / VerbNet
#: discover-84 (find, discover, learn, hear, notice, recognise) and VerbNet declare-29.4's rulings. With
#: an object instead ("found the keys", "ruled out an appeal") they report nothing.
FINDING_VERBS: Final = frozenset(
    {"find", "discover", "learn", "hear", "notice", "recognise", "recognize", "rule", "decide"}
)

#: Speech acts that are positions a claimant can take without saying anything (a
#: vote, a signature): "agreed that", "supported", "welcomed". Broad.
POSITION_VERBS: Final = frozenset({"agree", "support", "welcome"})

#: Requests whose content may be an addressee and an infinitive ("urged the
#: government to raise wages"): the object and infinitive are the content.
REQUEST_VERBS: Final = frozenset({"urge", "ask", "demand", "call", "implore", "press", "advise"})

#: Verbs that present evidence when their subject is a document, study or data
#: (``EVIDENCE_NOUNS``): "polls show", "a study found", "the report concluded". With
#: another subject "show" and "find" are not reports ("the team found the keys").
EVIDENCE_VERBS: Final = frozenset(
    {"show", "find", "indicate", "suggest", "conclude", "reveal", "estimate", "demonstrate", "confirm"}
)
#: Evidence verbs that are narrow cues too: the development sets count "Recent
#: reports have revealed" and "the analysis concluded" as narrow claims, so these keep
#: the narrow reading even with a document subject; "show", "find" and
#: "demonstrate" with a document subject are broad.
NARROW_EVIDENCE_VERBS: Final = frozenset({"indicate", "suggest", "conclude", "reveal", "estimate", "confirm"})
#: Subjects that are evidence rather than a speaker.
EVIDENCE_NOUNS: Final = frozenset(
    {"document", "study", "report", "data", "datum", "poll", "survey", "figure", "record", "research",
     "analysis", "evidence", "investigation", "review", "audit", "test", "result", "finding", "statistic",
     "estimate", "census", "inquiry", "assessment", "experiment", "trial", "paper", "model", "projection",
     "forecast", "log", "filing", "memo"}
)  # fmt: skip
# Not pictures: "photos showed bodies in the street" describes what is seen, it
# attributes no proposition.

#: Nouns that report speech or belief when a possessor and a that-clause go with
#: them ("the senator's claim that ...", "Smith's warning that ..."): nominal reports.
REPORT_NOUNS: Final = frozenset(
    {"claim", "statement", "warning", "assertion", "allegation", "argument", "insistence", "suggestion",
     "promise", "pledge", "vow", "threat", "admission", "denial", "announcement", "prediction",
     "belief", "view", "fear", "hope", "contention", "accusation", "charge", "assurance", "comment",
     "remark", "report", "explanation", "conclusion", "estimate", "finding", "demand", "call"}
)  # fmt: skip
#: Nominal reports whose content is a belief, not something said.
BELIEF_NOUNS: Final = frozenset({"belief", "view", "fear", "hope"})

#: Verbs that attribute speech, writing or a stated belief to their subject.
REPORTING_VERBS: Final = frozenset(
    {
        "say",
        "tell",
        "add",
        "claim",
        "state",
        "report",
        "announce",
        "explain",
        "note",
        "argue",
        "write",
        "suggest",
        "reveal",
        "admit",
        "acknowledge",
        "insist",
        "assert",
        "contend",
        "declare",
        "emphasise",
        "emphasize",
        "stress",
        "maintain",
        "mention",
        "observe",
        "predict",
        # A published prediction is a statement, as "predict" is: "the IMF forecasts
        # that growth will slow".
        "forecast",
        "reply",
        "respond",
        "remark",
        "comment",
        "concede",
        "conclude",
        "estimate",
        "testify",
        "tweet",
        "recall",
        "describe",
        "indicate",
        "reiterate",
        "quip",
        "joke",
        "exclaim",
        "boast",
        "complain",
        "continue",
        "reason",
        *(lemma for lemma in STANCE_BY_LEMMA if lemma not in BELIEF_VERBS and lemma not in SPEECH_ACT_VERBS),
    }
)

#: Verbs whose subject is a text that gives its own words ("the notice read", "the
#: banner reads"): cues only with a subject of ``TEXT_NOUNS``; "I read the report"
#: reports nothing.
TEXT_VERBS: Final = frozenset({"read"})

#: Every verb that can be a cue, narrow or broad (the scan in ``cues.py`` starts here).
ALL_CUE_VERBS: Final = REPORTING_VERBS | BELIEF_VERBS | SPEECH_ACT_VERBS | EVIDENCE_VERBS | TEXT_VERBS | FINDING_VERBS

#: Cues whose direct object can itself be the thing claimed ("confirmed violent
#: clashes"). For other verbs the object is an addressee ("told reporters") or not a
#: statement at all ("added three goals", "claimed 40 lives"), so only a clause or a
#: quotation counts as their content.
CONTENT_OBJECT_VERBS: Final = frozenset(
    {
        "confirm",
        "verify",
        "deny",
        "refute",
        "dispute",
        "announce",
        "report",
        "reveal",
        "admit",
        "acknowledge",
        "allege",
        "predict",
        "promise",
        "pledge",
        "accuse",
        "blame",
        # Evidence verbs, taken as cues only with a document subject ("the data
        # showed a sharp rise"); see EVIDENCE_VERBS.
        "show",
        "find",
        "demonstrate",
        "demand",
        # A forecast or estimate of a thing is a statement about it ("the World Bank
        # forecasts growth of 2 percent", "estimated the damage at $2 billion"), as
        # "predicted a rise" is; an expectation of one is a belief ("analysts expect
        # a cut": broad, see EXPECTATION_VERBS).
        "forecast",
        "estimate",
        "expect",
        "anticipate",
    }
)

#: Verbs of belief whose nominal object is what is believed to come ("analysts
#: expect a cut in rates"): a belief (broad) without a clause.
EXPECTATION_VERBS: Final = frozenset({"expect", "anticipate"})

#: A cue that is the infinitive of one of these ("declined to comment", "is expected
#: to announce") reports nothing the claimant actually said.
NON_FACTIVE_GOVERNORS: Final = frozenset(
    {"decline", "refuse", "fail", "expect", "want", "plan", "hope", "intend", "try"}
)

#: Nouns that, after "in", "on", "via" or "through", name the channel a claim was
#: made in ("said in a statement", "told X in an interview").
CHANNEL_NOUNS: Final = frozenset(
    {"statement", "interview", "post", "tweet", "video", "message", "letter", "speech",
     "broadcast", "briefing", "conference", "email", "e-mail", "release", "television",
     "radio", "podcast", "blog", "column", "filing", "address", "communique", "communiqué",
     "announcement", "note", "memo", "newsletter", "programme", "program", "show", "testimony"}
)  # fmt: skip

#: Channels that are themselves statements: "in a statement, the company apologised
#: for the delay" gives what the statement said with a verb that is not one of
#: saying. Not pictures or programmes ("appeared in a video" says nothing).
STATEMENT_CHANNELS: Final = frozenset(
    {"statement", "letter", "release", "communique", "communiqué", "tweet", "post", "message", "email", "e-mail",
     "filing", "memo", "testimony", "announcement", "speech", "interview", "blog", "column", "newsletter"}
)  # fmt: skip

#: Written texts that speak for their writer ("the notice read: ..."): the subjects
#: a verb of ``TEXT_VERBS`` attributes with.
TEXT_NOUNS: Final = CHANNEL_NOUNS | frozenset(
    {"notice", "sign", "banner", "placard", "poster", "headline", "caption", "text", "label", "inscription",
     "leaflet", "flyer", "card", "document", "report", "editorial", "order", "decree", "ruling", "verdict",
     "citation", "message", "sms", "notification", "warning", "slogan", "plaque", "graffiti"}
)  # fmt: skip

#: Verbs of publishing that, with a channel noun as object ("issued a statement"),
#: attribute the quotation that follows to their subject.
STATEMENT_VERBS: Final = frozenset({"issue", "release", "publish", "post", "put", "send", "read"})

#: Modals that make the cue hypothetical ("critics may argue that ...").
SPECULATIVE_MODALS: Final = frozenset({"may", "might", "could"})


#: Stances of nominal reports ("Smith's warning that ..."), by the noun's lemma.
NOUN_STANCE_BY_LEMMA: Final = MappingProxyType[str, Stance](
    {
        "warning": "warn",
        "threat": "warn",
        "fear": "warn",
        "denial": "deny",
        "allegation": "accuse",
        "accusation": "accuse",
        "charge": "accuse",
        "promise": "promise",
        "pledge": "promise",
        "vow": "promise",
        "assurance": "promise",
        "admission": "confirm",
    }
)


def stance_for(lemma: str) -> Stance:
    """Map a cue lemma to the stance it expresses.

    Args:
        lemma: The cue's lemma, lower case ("deny", "according to").

    Returns:
        The stance; "assert" for every cue that does not carry one of its own.
    """
    return STANCE_BY_LEMMA.get(lemma) or NOUN_STANCE_BY_LEMMA.get(lemma, "assert")
