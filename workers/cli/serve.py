"""``newsflow serve``: placeholder while the command is being built (issue #10)."""

from __future__ import annotations

import argparse
from typing import Any

from workers.exceptions import NewsflowError
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="(being built)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise NewsflowError("serve is not built yet")
