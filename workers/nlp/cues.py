"""Attributions: the cues of an article, each with its speaker tokens and contents.

A cue is a reporting verb used to report (``lexicon.py``), in the active voice
("the insurgents said"), in the passive with an expletive subject ("it was reported
that", no speaker) or an agent ("was told by X"), or in "X was quoted as saying";
or a source phrase, "according to X" or "in the words of X" (at the edge of its
sentence or clause, or set off inside the clause it attributes: "The plan,
according to X, will cost more" reports the whole clause). Reports inside a
quotation are the quoted speaker's, not the article's, and are skipped.

What is ``broad``: a claim is narrow when its content is a statement the claimant
uttered or wrote, whatever attitude the verb adds: "insisted that", "assured
shareholders that", "confessed that", "urged that", "“Stay indoors,” police
urged", "warned that" are speech, as "said" is, and so are quoted words after a
verb of believing ("she believes the plan is “doomed”"). It is broad (counted only
by a broad scheme) when the content is not a statement given as uttered or
written: a belief, intention or expectation ("she believes that ...", "X expects
...", "officials are confident that ...", kind "belief"), evidence from documents
and data ("polls show that ...", "a study found ..."), a finding, hearing or ruling
with a finite clause ("researchers found that ...", "the court heard that ...",
"ruled that ..."), a statement named as the channel of a verb that is not one of saying ("in a
statement, the company apologised for the delay"), a position that needs no words ("agreed that", "supported",
"welcomed": a vote or a signature will do), a nominal report ("the senator's claim
that ...": the statement is named inside another clause), a request's addressee and act ("urged [the
government to raise wages]": what was asked, not what was said) and a naming without
quotation marks ("called it a disgrace": an evaluation in the writer's words). A
naming in quotation marks that is a phrase of its own ("called it “a disgrace to this
city”", "described X as “a betrayal of every family”") gives the claimant's own words:
narrow, kind direct; a word or two in marks is a scare quote or a name ("called it
“dangerous”"): broad. A statement speaks for its issuer:
the speaker of "a statement from the ministry said" is the ministry.

A published statement attributes the quotation after it ("X issued a statement
[...]. “...”", "X read a statement"). A written text gives its own words: "the
notice read: “...”" is the notice's claim (``TEXT_VERBS`` with a subject of
``TEXT_NOUNS``; "I read the report" attributes nothing). Four shapes the small
model misparses are read from the surface: "read" tagged as a noun after a text
noun (“...,” the notice read), an inverted attribution after a quotation (“...”,
added KCNA - parsed as an adjective of "KCNA"), a speaker the parser left
without a link to its verb ("Tom Molomby, SC, said that ..."), and a present-tense
cue tagged as a noun before a finite clause ("Figures released on Monday show
unemployment rose", "The IMF forecasts that growth will slow").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Final

from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Token

from workers.nlp.adjacent_quotes import quotes_around, statement_quote
from workers.nlp.article_index import ArticleIndex
from workers.nlp.claimants import speaker_tokens
from workers.nlp.content import contents, contents_of_clause
from workers.nlp.content_spans import Content, span_content
from workers.nlp.lexicon import (
    ALL_CUE_VERBS,
    BELIEF_ADJECTIVES,
    BELIEF_NOUNS,
    BELIEF_VERBS,
    CHANNEL_NOUNS,
    EVIDENCE_NOUNS,
    EVIDENCE_VERBS,
    EXPECTATION_VERBS,
    FINDING_VERBS,
    NAMING_VERBS,
    NARROW_EVIDENCE_VERBS,
    NON_FACTIVE_GOVERNORS,
    POSITION_VERBS,
    REPORT_NOUNS,
    REPORTING_VERBS,
    SPECULATIVE_MODALS,
    STATEMENT_CHANNELS,
    STATEMENT_VERBS,
    TEXT_NOUNS,
    TEXT_VERBS,
)

__all__ = ["Attribution", "attributions"]

_RELATIVE_PRONOUNS: Final = frozenset({"who", "which", "that"})
#: Passive governors whose subject is the speaker of the cue below them: "X was
#: quoted as saying", "X is reported to have said".
_SPEAKER_PASSIVES: Final = frozenset({"quote", "report", "cite"})
#: Source phrases: opening word, the word after it that links the source, the lemma.
_SOURCE_PHRASES: Final = {"according": ("to", "according to"), "words": ("of", "in the words of")}
#: Hashes of every lemma that can be a cue and of the source phrases' opening words.
_CUE_LEMMAS: Final = frozenset(get_string_id(w) for w in ALL_CUE_VERBS | STATEMENT_VERBS | REPORT_NOUNS)
#: Conjunctions that make a cue hypothetical ("if the data show ...").
_HYPOTHETICAL_MARKS: Final = frozenset({"if", "unless", "whether"})
_PHRASE_WORDS: Final = frozenset(get_string_id(w) for w in _SOURCE_PHRASES)
#: Hashes of the adjectives of belief (matched on the word: some are tagged as verbs).
_BELIEF_WORDS: Final = frozenset(get_string_id(w) for w in BELIEF_ADJECTIVES)
#: Hashes of the channels that are statements ("in a statement, X apologised").
_STATEMENT_CHANNELS: Final = frozenset(get_string_id(w) for w in STATEMENT_CHANNELS)
#: Prepositions that name a statement as the channel of a clause.
_CHANNEL_PREPOSITIONS: Final = frozenset({"in", "via", "through"})
#: Verbs that link a subject to an adjective of belief ("are confident", "remain worried").
_COPULAS: Final = frozenset({"be", "remain", "seem", "appear", "become", "feel", "sound", "stay"})
#: Cues the small model reads as nouns in the present tense ("figures show", "the
#: IMF forecasts"): verbs of saying and evidence, and expectations. Not the words that
#: are mostly nouns of their own in that place ("fears", "hopes", "plans", "reports",
#: "claims", "calls"): those are nominal reports.
_MISREAD_CUES: Final = (
    (REPORTING_VERBS | EVIDENCE_VERBS | frozenset({"expect", "anticipate"}))
    - REPORT_NOUNS
    - {
        "state",
        "note",
    }
)
#: Punctuation that sets a source phrase off inside the clause it attributes.
_INTERRUPTION_MARKS: Final = frozenset({",", "\u2014", "\u2013", "-"})


@dataclass(frozen=True, slots=True)
class Attribution:
    """A cue with its speaker tokens (first, last) and what it reports."""

    start: int
    end: int
    lemma: str
    #: The cue token (None for "according to"), for channel and quoting rules.
    token: Token | None
    speaker: tuple[Token, Token] | None
    contents: list[Content]


def attributions(article: ArticleIndex) -> list[Attribution]:
    """Every cue that has content, in document order."""
    found: list[Attribution] = []
    doc = article.doc
    channels: list[int] = []
    for i, (lemma, lower) in enumerate(doc.to_array([LEMMA, LOWER]).tolist()):
        if lemma in _STATEMENT_CHANNELS:
            channels.append(i)
        if lemma not in _CUE_LEMMAS and lower not in _PHRASE_WORDS and lower not in _BELIEF_WORDS:
            continue  # most words: skip before making a Token of them
        tok = doc[i]
        if article.quotes.at(tok.idx) is not None:
            continue  # a report inside a quotation is the quoted speaker's, not ours
        if lower in _BELIEF_WORDS:
            attribution = _belief_adjective(article, tok)
            if attribution is not None:
                found.append(attribution)
            continue
        if tok.lower_ in _SOURCE_PHRASES:
            attribution = _source_phrase(article, tok)
            if attribution is not None:
                found.append(attribution)
            continue
        if tok.pos_ == "NOUN":
            attribution = _nominal_report(article, tok) or _text_reads(article, tok) or _verb_read_as_noun(article, tok)
            if attribution is not None:
                found.append(attribution)
            continue
        inverted = _inverted_speaker(article, tok)
        subject: Token | None = None
        if inverted is not None:
            pass  # “...”, added KCNA: the speaker is the name after the verb
        elif _is_statement_cue(tok):
            known, subject = _subject(tok)
            reported = statement_quote(article, tok) if known else []
            if reported:
                speaker = speaker_tokens(subject, article.paragraph(tok.idx)) if subject is not None else None
                end = tok.idx + len(tok.text)
                found.append(Attribution(tok.idx, end, tok.lemma_.lower(), tok, speaker, reported))
            continue
        elif not _is_reporting_cue(tok):
            continue
        else:
            known, subject = _subject(tok)
            if not known and tok.dep_ == "ROOT":
                subject = _lost_speaker(article, tok)
                known = subject is not None
            if not known:
                continue  # an imperative, a passive about someone, or a lost speaker
        reported = _classified(tok, subject, contents(article, tok))
        if reported:
            para = article.paragraph(tok.idx)
            subject = _issuer(subject) if subject is not None else None
            speaker = inverted or (_speaker(subject, tok, para) if subject is not None else None)
            end = tok.idx + len(tok.text)
            found.append(Attribution(tok.idx, end, tok.lemma_.lower(), tok, speaker, reported))
    if channels:
        cues = {a.token.i for a in found if a.token is not None}
        named = [a for i in channels if (a := _in_a_statement(article, doc[i], cues)) is not None]
        found = sorted([*found, *named], key=lambda a: a.start) if named else found
    return found


def _in_a_statement(article: ArticleIndex, channel: Token, cues: set[int]) -> Attribution | None:
    """ "In a statement, the company apologised to customers for the delay", "the
    airline, in a letter to passengers, offered full refunds": a statement named as
    the channel of a clause whose verb is not one of saying (a verb that already
    attributes keeps its own claim). The clause's subject is the claimant, its
    predicate the content: broad (the writer's words for what the statement said)."""
    prep = channel.head
    verb = prep.head
    if channel.dep_ != "pobj" or prep.dep_ != "prep" or prep.lower_ not in _CHANNEL_PREPOSITIONS:
        return None
    if verb.pos_ != "VERB" or verb.i in cues or any(c.dep_ == "neg" for c in verb.children):
        return None
    if article.quotes.at(verb.idx) is not None:
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.i < verb.i), None)
    if subject is None or not subject.right_edge.i < verb.i:
        return None
    para = article.paragraph(verb.idx)
    skip = range(prep.left_edge.i, prep.right_edge.i + 1)
    first = next((c for c in verb.lefts if c.dep_ in ("aux", "neg") and c.i > subject.right_edge.i), verb)
    words = [
        t
        for t in verb.doc[first.i : verb.right_edge.i + 1]
        if t.i not in skip and not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]
    ]
    if len(words) < 2:
        return None  # "the minister, in a statement, resigned": no claim in the verb alone
    content = span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))
    if content is None:
        return None
    speaker = _speaker(_issuer(subject), verb, para)
    end = channel.idx + len(channel.text)
    return Attribution(channel.idx, end, channel.lemma_.lower(), verb, speaker, [replace(content, broad=True)])


def _classified(cue: Token, subject: Token | None, reported: list[Content]) -> list[Content]:
    """The contents of a verb cue with the kind and scope its class gives them.

    Beliefs have kind "belief", are broad and only a clause is their content (a
    quoted one was said: narrow, its own kind); evidence verbs count only with a
    document or data subject ("polls show"), and are broad unless the narrow scheme
    counts them too ("the report concluded"); namings without quotation marks and
    positions ("agreed that") are broad, a quoted naming ("called it “X”") narrow. Speech acts of any attitude (insist,
    assure, confess, urge, warn, condemn) keep their contents as found: narrow.
    """
    lemma = cue.lemma_.lower()
    if lemma in TEXT_VERBS:  # "the notice read": a text's own words; "I read the report": none
        return reported if subject is not None and subject.lemma_.lower() in TEXT_NOUNS else []
    if lemma in BELIEF_VERBS:
        expected = lemma in EXPECTATION_VERBS and any(c.dep_ == "dobj" and c.i > cue.i for c in cue.children)
        if subject is None or not (expected or any(c.dep_ == "ccomp" for c in cue.children)):
            return []  # "wants to win", "knows the area"; "it became known that": nobody's belief
        # Quoted words were said aloud: the claim is what they say, not a belief.
        return [c if c.kind == "direct" else replace(c, kind="belief", broad=True) for c in reported]
    evidence = subject is not None and _is_evidence(subject)
    if lemma in FINDING_VERBS and not evidence:
        # "researchers found that ...", "the court heard that ...": only a finite clause.
        if not any(c.dep_ == "ccomp" and _is_finite_clause(c) for c in cue.children):
            return []
        return [replace(c, broad=True) for c in reported if c.kind != "direct"]
    if lemma in EVIDENCE_VERBS and lemma not in REPORTING_VERBS:
        if not evidence:
            return []  # "the team found the keys"
        return [replace(c, broad=True) for c in reported]
    if evidence and lemma in EVIDENCE_VERBS and lemma not in NARROW_EVIDENCE_VERBS:
        return [replace(c, broad=True) for c in reported]
    if lemma in NAMING_VERBS:  # "called it “X”": a quoted phrase was said (content.py); a naming was not
        return [c if c.kind == "direct" and not c.broad else replace(c, broad=True) for c in reported]
    if lemma in POSITION_VERBS:  # "agreed that"
        return [replace(c, broad=True) for c in reported]
    return reported


def _is_finite_clause(clause: Token) -> bool:
    """A clause with a subject of its own and a finite verb or "that": "that the
    brakes had been cut", "he transferred the money"; not "him say it"."""
    if not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in clause.children):
        return False
    if any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children):
        return True
    return clause.tag_ in ("VBD", "VBZ", "VBP", "MD") or any(
        c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBD", "VBZ", "VBP", "MD") for c in clause.children
    )


def _is_evidence(noun: Token) -> bool:
    """A document or data ("figures", "the report"; "Records" tagged as a name)."""
    word = noun.lower_
    return noun.lemma_.lower() in EVIDENCE_NOUNS or word in EVIDENCE_NOUNS or word.removesuffix("s") in EVIDENCE_NOUNS


def _issuer(subject: Token) -> Token:
    """A statement speaks for its issuer: "a statement from the ministry said"."""
    if subject.lemma_.lower() not in CHANNEL_NOUNS:
        return subject
    for prep in subject.children:
        if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of"):
            issuer = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if issuer is not None and issuer.pos_ in ("PROPN", "NOUN"):
                return issuer
    return subject


def _speaker(subject: Token, cue: Token, para: tuple[int, int]) -> tuple[Token, Token] | None:
    """The speaker tokens; a channel the parser hung on a speaker after the cue is
    not part of the name ("said Ms Diaz [in an email on Tuesday]")."""
    tokens = speaker_tokens(subject, para)
    if tokens is None or subject.i < cue.i:
        return tokens
    first, last = tokens
    for prep in subject.rights:
        if prep.dep_ == "prep" and prep.i <= last.i and prep.i > first.i:
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is not None and (obj.lemma_.lower() in CHANNEL_NOUNS or obj.ent_type_ in ("DATE", "TIME")):
                return first, subject.doc[prep.i - 1]
    return tokens


def _nominal_report(article: ArticleIndex, noun: Token) -> Attribution | None:
    """ "the senator's claim that ...", "Smith's warning that ...", "the claim by the
    opposition that ...": a report noun with a possessor or a "by"/"from" phrase
    (the claimant) and a that-clause (the content). Broad."""
    if noun.lemma_.lower() not in REPORT_NOUNS:
        return None
    owner = next((c for c in noun.children if c.dep_ == "poss" and c.pos_ in ("PROPN", "NOUN")), None)
    holders = [noun]
    if owner is None:  # "the claim by the opposition that ...", "a warning from the agency that ..."
        owner = _owner_by(noun)
        # The parser hangs the clause on the nearest noun, the owner.
        holders = [noun, owner] if owner is not None else holders
    clauses = (c for h in holders for c in h.children if c.dep_ in ("acl", "ccomp") and c.i > noun.i)
    # "that" as the complementizer (mark), not the relative pronoun ("the claim that he made").
    clause = next((c for c in clauses if any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
    if owner is None or clause is None:
        return None
    para = article.paragraph(noun.idx)
    if not para[0] <= clause.idx < para[1]:
        return None
    found = contents_of_clause(article, clause, noun, para)
    if found is not None and noun.sent.root.i in (noun.i, *(t.i for t in clause.subtree)):
        found = _before_sentence_verb(article, clause, found)
    if found is None:
        return None
    kind = "belief" if noun.lemma_.lower() in BELIEF_NOUNS else found.kind
    speaker = speaker_tokens(owner, para)
    if speaker is not None and speaker[1].dep_ == "case" and speaker[1].i > speaker[0].i:
        speaker = (speaker[0], owner.doc[speaker[1].i - 1])  # "the senator['s]"
    if speaker is not None and speaker[0].i < clause.left_edge.i <= speaker[1].i:
        speaker = (speaker[0], owner.doc[clause.left_edge.i - 1])  # "by [the opposition] that ..."
    end = noun.idx + len(noun.text)
    return Attribution(noun.idx, end, noun.lemma_.lower(), noun, speaker, [replace(found, kind=kind, broad=True)])


def _belief_adjective(article: ArticleIndex, word: Token) -> Attribution | None:
    """ "Officials are confident that the bridge will reopen", "farmers remain worried
    the harvest will fail": an adjective of belief after a copula, with a finite
    clause (its own subject) hung on it or on the copula. The copula's subject holds
    the belief: kind "belief", broad. Negated ("not sure that") it claims nothing.
    The parser reads some as passives ("are [concerned] the Government will ..."):
    then the passive subject holds the belief."""
    if word.dep_ == "acomp" and word.head.lemma_.lower() in _COPULAS:
        verb, role = word.head, "nsubj"
    elif word.pos_ == "VERB" and any(c.dep_ == "auxpass" and c.lemma_ == "be" for c in word.children):
        verb, role = word, "nsubjpass"
    else:
        return None
    if any(c.dep_ == "neg" for c in (*verb.children, *word.children)):
        return None
    subject = next((c for c in verb.children if c.dep_ == role), None)
    clause = next(
        (
            c
            for c in (*word.children, *verb.children)
            if c.dep_ == "ccomp" and c.i > word.i and any(s.dep_ in ("nsubj", "nsubjpass", "expl") for s in c.children)
        ),
        None,
    )
    if subject is None or clause is None:
        return None
    para = article.paragraph(word.idx)
    if not para[0] <= clause.idx < para[1]:
        return None
    found = contents_of_clause(article, clause, word, para)
    if found is None:
        return None
    speaker = _speaker(_issuer(subject), verb, para)
    end = word.idx + len(word.text)
    content = found if found.kind == "direct" else replace(found, kind="belief", broad=True)
    return Attribution(word.idx, end, word.lower_, word, speaker, [content])


def _verb_read_as_noun(article: ArticleIndex, word: Token) -> Attribution | None:
    """ "Figures released on Monday show unemployment rose", "The IMF forecasts that
    growth will slow": a present-tense cue the small model tags as a noun (a compound
    of the next noun, or the root with the clause as a relative clause). Read from
    the surface: the word has a verb's form, a noun or name stands right before it
    (the end of its subject), and a finite clause follows it: an optional "that", a
    subject of its own, then a finite verb. The claimant runs from the start of the
    subject (the sentence root's subject before the word, else the words hung on the
    word itself) to the word; the content to the end of the sentence."""
    lemma = word.lemma_.lower()
    if lemma not in _MISREAD_CUES or word.lower_ not in (lemma, lemma + "s", lemma + "es") or word.i == 0:
        return None
    doc = word.doc
    before = doc[word.i - 1]
    if before.pos_ not in ("NOUN", "PROPN") or any(c.dep_ == "poss" for c in word.children):
        return None
    sent = word.sent
    at = word.i + 1
    if at < sent.end and doc[at].lower_ == "that" and doc[at].dep_ == "mark":
        at += 1
    verb = next((t for t in doc[at : sent.end] if t.pos_ in ("VERB", "AUX")), None)
    if verb is None or verb.tag_ not in ("VBD", "VBZ", "VBP", "MD") or verb.i == at:
        return None
    if not all(t.pos_ in ("NOUN", "PROPN", "PRON", "DET", "ADJ", "NUM", "ADP", "PART") for t in doc[at : verb.i]):
        return None  # the words between are the clause's subject, nothing else
    root = sent.root
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < word.i), None)
    if word.i != root.i and subject is not None:
        first, head = subject.left_edge, subject
    elif word.i == root.i or word.dep_ == "compound":
        first, head = word.left_edge, before
    else:
        return None
    if first.i >= word.i:
        return None
    evidence = _is_evidence(head)
    if lemma in EVIDENCE_VERBS and lemma not in REPORTING_VERBS and not evidence:
        return None  # "the team found the keys"
    para = article.paragraph(word.idx)
    words = [t for t in doc[at : sent.end] if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]]
    content = span_content(article, words[0].idx, words[-1].idx + len(words[-1].text)) if words else None
    if content is None:
        return None
    if lemma in BELIEF_VERBS:
        content = replace(content, kind="belief", broad=True) if content.kind != "direct" else content
    elif evidence and lemma not in NARROW_EVIDENCE_VERBS:
        content = replace(content, broad=True)
    end = word.idx + len(word.text)
    return Attribution(word.idx, end, lemma, word, (first, doc[word.i - 1]), [content])


def _before_sentence_verb(article: ArticleIndex, clause: Token, found: Content) -> Content | None:
    """A nominal report's content cut before the verb of its sentence, when the
    parser found no verb for the sentence and took it into the reported clause ("the
    ministry's announcement that fuel prices would rise [angered drivers]"): the
    first finite or past-tense verb right after a main verb of the clause (two verbs
    in a row are two clauses)."""
    words = [t for t in clause.subtree if found.start <= t.idx < found.end]
    for before, verb in pairwise(words):
        if before.pos_ != "VERB" or verb.i != before.i + 1:
            continue
        past = verb.tag_ in ("VBD", "VBZ", "VBN") or (verb.tag_ == "JJ" and verb.lower_.endswith("ed"))
        if past and (verb.pos_ != "AUX" or verb.tag_ in ("VBD", "VBZ")):
            return span_content(article, found.start, before.idx + len(before.text))
    return found


def _text_reads(article: ArticleIndex, word: Token) -> Attribution | None:
    """“Closed until further notice,” the notice read. / The message read: “X”.
    The small model tags "read" after a text noun as a noun (a compound with it, or
    the root with the text noun as its subject); read from the surface: a text noun
    right before "read(s)", and the quotation next to the two."""
    if word.lemma_.lower() not in TEXT_VERBS or word.i == 0:
        return None
    text = word.doc[word.i - 1]
    if text.lemma_.lower() not in TEXT_NOUNS or text.head.i != word.i or text.dep_ not in ("compound", "nsubj"):
        return None
    para = article.paragraph(word.idx)
    first = text.left_edge if text.dep_ == "nsubj" else text
    while first.i > 0 and first.doc[first.i - 1].dep_ == "det" and first.doc[first.i - 1].head.i == word.i:
        first = first.doc[first.i - 1]  # "the" hung on the misparsed verb
    reported = quotes_around(article, first.idx, word.idx + len(word.text), para)
    if not reported:
        return None
    end = word.idx + len(word.text)
    return Attribution(word.idx, end, "read", word, (first, text), reported)


def _owner_by(noun: Token) -> Token | None:
    """The maker of a report named after it: "the claim [by the opposition]", "a
    warning [from the weather service]"."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("by", "from") and prep.i == noun.i + 1:
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ in ("PROPN", "NOUN"):
                return obj
    return None


def _inverted_speaker(article: ArticleIndex, tok: Token) -> tuple[Token, Token] | None:
    """“...”, added KCNA: the name after a reporting verb that directly follows a
    quotation, when the parser did not make it the verb's subject (it makes it an
    object, or the verb an adjective of it)."""
    if tok.lemma_.lower() not in REPORTING_VERBS or tok.pos_ != "VERB":
        return None
    if any(c.dep_ == "nsubj" for c in tok.children):
        return None  # parsed right: the ordinary path reads it
    doc = tok.doc
    before = doc[tok.i - 1] if tok.i > 0 else None
    if before is not None and before.text == ",":
        before = doc[before.i - 1] if before.i > 0 else None
    if before is None or not before.is_quote or article.quotes.at(before.idx) is None:
        return None
    last = None
    for after in doc[tok.i + 1 : tok.i + 6]:
        if after.pos_ in ("PROPN", "NOUN"):
            last = after
        elif after.pos_ not in ("DET", "ADJ") or last is not None:
            break
    return (doc[tok.i + 1], last) if last is not None else None


def _is_statement_cue(tok: Token) -> bool:
    """ "X issued a statement": a verb of publishing whose object is a statement,
    which attributes the quotation that follows."""
    if tok.pos_ != "VERB" or tok.lemma_.lower() not in STATEMENT_VERBS:
        return False
    return any(c.dep_ == "dobj" and c.lemma_.lower() in CHANNEL_NOUNS for c in tok.children)


def _lost_speaker(article: ArticleIndex, cue: Token) -> Token | None:
    """A named speaker just before a subjectless cue, across at most a short
    parenthetical ("Tom Molomby, SC, said"): the nearest person, else organisation."""
    organisation = None
    for i in range(cue.i - 1, max(cue.i - 9, -1), -1):
        tok = cue.doc[i]
        if tok.pos_ in ("VERB", "AUX") or tok.is_quote:
            break
        entity = article.entity_at[i]
        if entity is not None and entity.label == "PERSON":
            return tok
        if entity is not None and entity.label == "ORG" and organisation is None:
            organisation = tok
        if tok.is_sent_start:
            break
    return organisation


def _is_reporting_cue(tok: Token) -> bool:
    """Whether ``tok`` is a reporting verb used to report (not "the said company",
    not "a report", not negated, hypothetical or merely intended)."""
    if tok.pos_ != "VERB" or tok.lemma_.lower() not in ALL_CUE_VERBS:
        return False
    if tok.dep_ in ("amod", "compound", "acomp"):
        return False
    for child in tok.children:
        if child.dep_ == "neg" or (child.dep_ == "aux" and child.lower_ in SPECULATIVE_MODALS):
            return False
        if child.dep_ == "mark" and child.lower_ in _HYPOTHETICAL_MARKS:
            return False  # "if the data show a rise"
    if tok.dep_ == "xcomp" and any(c.lower_ == "yet" for c in tok.head.children):
        return False  # "have yet to say": not said
    return not (tok.dep_ == "xcomp" and tok.head.lemma_.lower() in NON_FACTIVE_GOVERNORS)


def _subject(cue: Token) -> tuple[bool, Token | None]:
    """Whether the cue's speaker is settled, and its token (None: unnamed).

    A cue without a subject borrows its governor's ("confirmed ... but denied that",
    "..., saying that"). A passive speaks for an unnamed source only with an
    expletive subject ("it was reported that"); "the parents are accused of" reports
    nobody's words, and an agent ("was told by X") names the speaker. The subject of
    "X was quoted as saying" is the speaker of "saying".
    """
    verb = cue
    for _ in range(4):  # bounded: conj/advcl chains are short
        # Several subjects are a misparse ("Facebook co-founder X"); the one next to
        # the verb is right most often.
        subjects = sorted((c for c in verb.children if c.dep_ == "nsubj"), key=lambda c: abs(c.i - verb.i))
        if subjects:
            if subjects[0].lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return True, verb.head  # "the minister, who said that ..."
            return True, subjects[0]
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if passive is not None:
            if verb is not cue and verb.lemma_.lower() in _SPEAKER_PASSIVES and passive.lower_ != "it":
                return True, passive  # "X was quoted as saying"
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
            return (by is not None or passive.lower_ == "it"), by
        if verb.dep_ == "pcomp" and verb.head.lower_ == "as":
            verb = verb.head.head  # "quoted as saying": climb over the preposition
            continue
        if verb.dep_ not in ("conj", "advcl", "xcomp") or verb.head is verb:
            return False, None
        verb = verb.head
    return False, None


def _interrupted_by_phrase(
    article: ArticleIndex, opener: Token, phrase: range, para: tuple[int, int]
) -> Content | None:
    """The clause a source phrase interrupts, set off by commas or dashes: "The
    factory, [according to the union], will close in March", "which, [according to
    the agency], the court rejected". As with a verb set inside its clause, the
    content is the whole clause, the phrase included (content is one span)."""
    doc = opener.doc
    before, after = phrase[0] - 1, phrase[-1] + 1
    if before < 0 or after >= len(doc) or doc[before].text not in _INTERRUPTION_MARKS:
        return None
    if doc[after].text not in _INTERRUPTION_MARKS:
        return None
    head = opener.head
    for _ in range(4):  # "The lender — according to X — is ...": the noun's clause
        if head.pos_ in ("VERB", "AUX") or head.dep_ == "ROOT":
            break
        head = head.head
    if head.i in phrase or not (head.pos_ in ("VERB", "AUX") or head.dep_ == "ROOT"):
        return None
    words = [t for t in head.subtree if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]]
    if not words or not words[0].i < before or not after < words[-1].i:
        return None  # the phrase opens or closes the clause, it does not interrupt it
    return span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))


def _source_phrase(article: ArticleIndex, word: Token) -> Attribution | None:
    """An "according to X" or "in the words of X" attribution: X is the claimant,
    and the content is the sentence (else the clause the phrase modifies) with the
    phrase at its edge cut."""
    link_word, lemma = _SOURCE_PHRASES[word.lower_]
    opener = word
    if word.lower_ == "words":
        if word.head.lower_ != "in" or word.dep_ != "pobj":
            return None
        opener = word.head  # the phrase starts at "in"
    link = next((c for c in word.children if c.lower_ == link_word), None)
    source = next((c for c in link.children if c.dep_ == "pobj"), None) if link else None
    last = source.right_edge if source is not None else None
    if link is not None and source is None:
        # "According to Rathbun the property was returned": the name parsed as a
        # verb taking the sentence's subject as its object; the phrase ends at it.
        source = next((c for c in link.children if c.dep_ == "pcomp" and c.text[:1].isupper()), None)
        last = source
    if link is None or source is None or last is None:
        return None
    para = article.paragraph(opener.idx)
    phrase = range(opener.left_edge.i, max(last.i, link.i) + 1)
    content = _interrupted_by_phrase(article, opener, phrase, para)
    for scope in () if content is not None else (opener.sent, opener.head.subtree):
        words = [t for t in scope if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]]
        if words and words[0].i in phrase:
            words = [t for t in words if t.i > phrase[-1]]
        elif words and words[-1].i in phrase:
            words = [t for t in words if t.i < phrase[0]]
        else:
            continue  # the phrase sits inside this scope, not at its edge
        if words:
            content = span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))
            break
    if content is None:
        return None
    end = link.idx + len(link.text)
    speaker = speaker_tokens(source, para) if last is not source else (source, source)
    return Attribution(opener.idx, end, lemma, None, speaker, [content])
