"""Convert GUM's CoNLL-U (entities, attribution relations, quote markup) into gold records.

GUM (Zeldes 2017, github amir-zeldes/gum; annotations CC BY 4.0, Wikinews texts CC BY
2.5) annotates its documents independently of this project. This module turns one
GUM ``.conllu`` document into the project's gold format (see
:mod:`workers.evaluation.gold`): the text is rebuilt from the tokens with their
``SpaceAfter`` so every offset is exact (code points, end exclusive); named mentions
of the ``Entity=`` layer become CoNLL-labelled entities; ``attribution-positive``
relations of the ``Discourse=`` layer become claims. The rules, and what cannot be
converted, are written down in ``docs/gum.md``.

The package: :mod:`.conllu` reads the CoNLL-U, :mod:`.entities` and :mod:`.claims`
convert; this module is the front door. Run
``python -m workers.evaluation.gum DEP_DIR --genre news -o FILE`` (``--help``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workers.evaluation.gum.claims import claims
from workers.evaluation.gum.conllu import Document, parse_conllu, token_span
from workers.evaluation.gum.entities import named_entities

__all__ = ["convert_document", "main", "parse_conllu"]


def convert_document(doc: Document, *, genre: str) -> dict[str, Any]:
    """The gold record of one parsed GUM document."""
    record: dict[str, Any] = {
        "id": f"gum-{genre}-{doc.id.rsplit('_', 1)[-1]}",
        "source": f"GUM {doc.id} (CC BY 4.0 annotation; Wikinews text CC BY 2.5)",
        "title": doc.meta.get("title"),
        "published_at": doc.meta.get("dateCreated"),
        "url": doc.meta.get("sourceURL"),
        "text": doc.text,
        "entities": [token_span(doc, a, b, label=label) for a, b, label in named_entities(doc)],
        "claims": claims(doc),
    }
    return record


def main(argv: Sequence[str] | None = None) -> int:
    """Convert every ``GUM_<genre>_*.conllu`` of a directory into one gold ``.jsonl``."""
    parser = argparse.ArgumentParser(
        prog="python -m workers.evaluation.gum",
        description="Convert GUM's CoNLL-U (dep/) into newsflow gold records (rules: docs/gum.md).",
    )
    parser.add_argument("dep_dir", type=Path, help="GUM's dep/ directory of .conllu files")
    parser.add_argument("--genre", default="news", help="GUM genre to convert: news, interview ... (default news)")
    parser.add_argument("-o", "--output", type=Path, help="gold .jsonl to write (default: standard output)")
    args = parser.parse_args(argv)
    paths = sorted(args.dep_dir.glob(f"GUM_{args.genre}_*.conllu"))
    if not paths:
        parser.error(f"no GUM_{args.genre}_*.conllu in {args.dep_dir}")
    lines: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            lines.extend(json.dumps(convert_document(d, genre=args.genre), ensure_ascii=False) for d in parse_conllu(f))
    out = "".join(line + "\n" for line in lines)
    if args.output is None:
        sys.stdout.write(out)
    else:
        args.output.write_text(out, encoding="utf-8")
    return 0
