""""Download these results": the full result set of a search as JSON Lines or CSV, streamed.

Records have the fields and formatting of `govnews export` (store.corpus.FIELDS, store.export_writers),
in the order the search lists them. store.corpus selects by filters, not by search results, so the
rows of one batch of result ids are read here with the same columns its iter_records reads.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cleaners.dates import CST
from store.corpus import FIELDS, article_key, warc_record_id
from store.export_writers import FLAG_SEPARATOR, as_text
from store.models import Article, Capture, Cluster
from web.queries import result_ids
from web.state import SearchState

__all__ = ["MEDIA_TYPES", "stream_results"]

MEDIA_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
_BATCH = 500


def _records(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    canon = aliased(Article)
    stmt = (
        select(Article.id, Article.url, Article.site_key, Article.cluster_id, Article.title, Article.published_at,
               Article.published_date, Article.source, Article.author, Article.editor, Article.language,
               Article.script, Article.flags, Article.body, Article.dup_reason, Article.cleaner_version,
               Article.capture_id, Cluster.canonical_id, Cluster.size, canon.url.label("canonical_url"),
               Capture.fetched_at, Capture.body_sha256, Capture.final_url, Capture.revisit_of)
        .join(Capture, Capture.id == Article.capture_id)
        .outerjoin(Cluster, Cluster.id == Article.cluster_id)
        .outerjoin(canon, canon.id == Cluster.canonical_id)
        .where(Article.id.in_(ids))
    )
    by_id = {}
    for row in session.execute(stmt):
        key = article_key(row.url)
        by_id[row.id] = {
            "article_id": key, "row_id": row.id, "cluster_id": row.cluster_id,
            "canonical_article_id": article_key(row.canonical_url) if row.canonical_url else key,
            "is_canonical": row.canonical_id is None or row.canonical_id == row.id, "copies": int(row.size or 1),
            "site": row.site_key, "url": row.url, "title": row.title,
            "published": row.published_at.astimezone(CST) if row.published_at else None,
            "date": row.published_date, "source": row.source, "author": row.author, "editor": row.editor,
            "language": row.language, "script": row.script, "flags": list(row.flags or []), "body": row.body,
            "dup_reason": row.dup_reason, "cleaner_version": row.cleaner_version, "capture_id": row.capture_id,
            "fetched_at": row.fetched_at, "capture_sha256": row.body_sha256,
            "warc_record_id": warc_record_id(row.capture_id, row.body_sha256, row.final_url, row.fetched_at,
                                             "revisit" if row.revisit_of is not None else "response"),
        }
    return [by_id[i] for i in ids if i in by_id]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return FLAG_SEPARATOR.join(value)
    return str(as_text(value))


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()


def stream_results(open_session: Callable[[], Session], st: SearchState, fmt: str) -> Iterator[bytes]:
    """The records of every result of *st* as *fmt* (jsonl or csv), a batch at a time.

    The generator opens its own session, since it outlives the request handler that returns it.
    """
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"format must be jsonl or csv, not {fmt!r}")
    with open_session() as session:
        if fmt == "csv":
            yield _csv_line([f.name for f in FIELDS]).encode()
        # ids first (a few MB for a million results), so no cursor is open while batches are read
        ids = iter(list(result_ids(session, st)))
        while batch := list(islice(ids, _BATCH)):
            lines = []
            for rec in _records(session, batch):
                if fmt == "jsonl":
                    lines.append(json.dumps({k: as_text(v) for k, v in rec.items()}, ensure_ascii=False) + "\n")
                else:
                    lines.append(_csv_line([_cell(rec[f.name]) for f in FIELDS]))
            yield "".join(lines).encode()
