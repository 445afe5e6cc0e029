"""The pipeline's rule lemmatizer, remembered per word form, POS and morphology.

spaCy's rule lemmatizer caches only the words its rules change: a singular noun, a
base-form verb or a positive adjective (most tokens of news prose) goes through
``is_base_form`` again at every occurrence, and every token is set through a Python
``Token``. A rule lemma depends on nothing but the token's text, POS and morphology, so
:class:`RememberedLemmas` asks the lemmatizer once per (orth, POS, morphology) and writes
the whole Doc's lemmas at once: the lemmas are the lemmatizer's own.
"""

from __future__ import annotations

from typing import Any, cast

import numpy
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

__all__ = ["RememberedLemmas", "use_remembered_lemmas"]

#: Lemmatizer classes whose rule lemma reads only text, POS and morphology.
_KNOWN = (Lemmatizer, EnglishLemmatizer)
#: Forget the remembered lemmas past this many (a few MB), so a worker's memory stays flat.
MAX_REMEMBERED = 200_000


class RememberedLemmas:
    """Sets each token's lemma as ``lemmatizer`` would, asking it once per form.

    Args:
        lemmatizer: a rule-mode :class:`spacy.pipeline.Lemmatizer` (or the English one).
        max_remembered: forget everything past this many remembered forms.
    """

    def __init__(self, lemmatizer: Lemmatizer, *, max_remembered: int = MAX_REMEMBERED) -> None:
        self._lemmatizer = lemmatizer
        self._max = max_remembered
        self._lemmas: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        lemmatizer = self._lemmatizer
        table = doc.to_array([ORTH, POS, MORPH, LEMMA])
        overwrite = lemmatizer.overwrite
        remembered = self._lemmas
        if len(remembered) > self._max:
            remembered.clear()
        strings = doc.vocab.strings
        lemmas = table[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(table.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            found = remembered.get(key)
            if found is None:
                found = remembered[key] = strings.add(lemmatizer.lemmatize(doc[i])[0])
            lemmas[i] = found
        doc.from_array([LEMMA], cast(Any, lemmas.astype(numpy.uint64, copy=False)))
        return doc


@Language.factory("newsflow_remembered_lemmas", default_config={"source": "lemmatizer"})
def make_remembered_lemmas(nlp: Language, name: str, source: str) -> RememberedLemmas:
    """The pipeline's lemmatizer ``source`` as :class:`RememberedLemmas`."""
    return RememberedLemmas(cast(Lemmatizer, nlp.get_pipe(source)))


def use_remembered_lemmas(nlp: Language, name: str = "lemmatizer") -> bool:
    """Replace the rule lemmatizer ``name`` in ``nlp`` by :class:`RememberedLemmas`
    (it stays loaded, disabled). Returns whether it was replaced: not for another
    lemmatizer class or mode, whose lemma may read more than text, POS and morphology."""
    if name not in nlp.pipe_names:
        return False
    lemmatizer = cast(Lemmatizer, nlp.get_pipe(name))
    if type(lemmatizer) not in _KNOWN or lemmatizer.mode != "rule":
        return False
    nlp.add_pipe("newsflow_remembered_lemmas", name=f"newsflow_{name}", after=name, config={"source": name})
    nlp.disable_pipe(name)
    return True
