"""A deterministic offline "government web" on 127.0.0.1 for testing the govnews crawler and cleaners.

``SampleWeb`` holds the content (eight virtual hosts with their own templates, URL schemes, charsets and
traps) and the manifest of what a correct crawl must find; ``SampleWebServer`` serves it over HTTP.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Response
    from .server import SampleWebServer, serve_forever
    from .web import SampleWeb

__all__ = ["Response", "SampleWeb", "SampleWebServer", "serve_forever"]

# Imported lazily so that ``python -m sandbox.web`` does not find its own module pre-imported.
_HOMES = {"Response": ".model", "SampleWeb": ".web", "SampleWebServer": ".server", "serve_forever": ".server"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
