"""The archivists' web UI: search with facets, articles with provenance, versions, reprints, raw captures.

A plain library and an ASGI app (FastAPI + Jinja2); it reads the archive through store/ only and
never imports Scrapy.
"""

from __future__ import annotations

from web.app import create_app

__all__ = ["create_app"]
