"""Fault injection for the fleet tests, at named points of the crawl and of the cleaning workers.

``GOVNEWS_KILL_AT=POINT:N`` makes the process kill itself (SIGKILL, no cleanup) the N-th time it
reaches POINT: ``download`` (a response arrived, nothing done with it), ``parse`` (a callback is
half-way through its output), ``commit`` (a capture is committed, its request not yet acknowledged),
``clean`` (a worker wrote an article, its transaction not yet committed). Unset, it costs one lookup.
"""

from __future__ import annotations

import logging
import os
import signal

__all__ = ["maybe_die"]

logger = logging.getLogger(__name__)
_COUNTS: dict[str, int] = {}


def maybe_die(point: str) -> None:
    spec = os.environ.get("GOVNEWS_KILL_AT")
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _COUNTS[point] = _COUNTS.get(point, 0) + 1
    if _COUNTS[point] >= int(nth or 1):
        logger.warning("GOVNEWS_KILL_AT=%s reached: killing this process", spec)
        os.kill(os.getpid(), signal.SIGKILL)
