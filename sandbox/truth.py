"""What a perfect cleaner makes of each sample-web article: the ground truth for the quality harness.

The manifest says where articles are; this says what their clean records hold, field by field, including
the body lines a perfect cleaner keeps (the attachment line some Chongqing pages carry is part of the
document) and the record flags it must set (spam_injected, repeated_body, mojibake_*).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from .seeds import load_seed
from .sites.chongqing import ChongqingSite

if TYPE_CHECKING:
    from .model import Article, Site
    from .web import SampleWeb

__all__ = ["RECORD_FLAGS", "article_truth", "articles"]

RECORD_FLAGS = ("spam_injected", "repeated_body", "mojibake_repaired", "mojibake", "mojibake_suspect")


def articles(web: SampleWeb) -> list[tuple[Site, Article]]:
    """Every expected article of every site, in manifest order."""
    return [(site, a) for site in web.sites for a in site.articles]


def article_truth(site: Site, a: Article) -> dict[str, Any]:
    """The clean record of article *a* on *site*: the gold keys of ``sandbox/data/gold`` plus url and family."""
    if a.seed:
        gold = dict(load_seed(a.seed).gold)
        gold.update(url=a.url, family=site.family, kind=a.kind, seed=a.seed)
        return gold
    body = [unicodedata.normalize("NFKC", p).strip() for p in a.paragraphs]
    if isinstance(site, ChongqingSite) and (line := site.attachment_line(a)):
        body.append(line)
    flags = [f for f in RECORD_FLAGS if f in a.flags]
    if a.kind == "spam":
        flags.insert(0, "spam_injected")
    if site.copies(a) > 1 and "repeated_body" not in flags:
        flags.append("repeated_body")
    return {
        "url": a.url,
        "family": site.family,
        "kind": a.kind,
        "seed": None,
        "title": a.title,
        "published": a.published.strftime("%Y-%m-%dT%H:%M:%S") if a.published and site.shows_time(a) else None,
        "date": a.day.isoformat(),
        "source": a.source,
        "author": a.author,
        "editor": a.editor or None,
        "flags": flags,
        "body": "\n".join(line for line in body if line),
    }
