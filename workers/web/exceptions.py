"""Errors of the explorer (``newsflow serve``).

Hierarchy::

    NewsflowError                  workers.exceptions
    └── WebError                   the explorer cannot start or read its store
        ├── StoreUnavailable       [E920] bad URL, [E921] unreachable, [E924] no SELECT right,
        │                          [E925] no tables yet, [E926] a query past the statement timeout
        └── UnsafeRendering        [E923] displaCy wraps its output otherwise (spaCy upgrade)

[E922] is not raised: a mention that cannot be marked safely is shown unmarked and
listed under the article with that code, and [E927] is the text of the 503 answer to a
live-feed client past ``NEWSFLOW_WEB_MAX_STREAMS``. [E935] is a warning, not raised: the
store has no story tables, so the pages show no stories. Codes [E920]-[E929] and
[E935]-[E939] belong to the explorer.
"""

from __future__ import annotations

from workers.exceptions import NewsflowError

__all__ = ["StoreUnavailable", "UnsafeRendering", "WebError"]


class WebError(NewsflowError):
    """The explorer cannot start or read its store."""


class StoreUnavailable(WebError):
    """The database cannot be reached or read ([E920], [E921], [E924], [E925], [E926])."""


class UnsafeRendering(WebError):
    """The highlighted body cannot be built safely with this spaCy's displaCy ([E923])."""
