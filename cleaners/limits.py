"""A wall-clock limit for one extraction (G9): a pathological page must not stall a worker."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["ExtractionTimeout", "time_limit"]


class ExtractionTimeout(Exception):
    """Extraction of one page took longer than its limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ExtractionTimeout in the block after *seconds* (main thread only; elsewhere a no-op)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    expired: list[bool] = []
    message = f"extraction exceeded {seconds:g} s"

    def _expire(_signum: int, _frame: FrameType | None) -> None:
        expired.append(True)
        raise ExtractionTimeout(message)

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # a library that catches every exception (trafilatura's HTML loading does) must not swallow the limit
    if expired:
        raise ExtractionTimeout(message)
