""""Download these results": the full result set of a search as JSON Lines or CSV, streamed.

Records have the fields and formatting of `govnews export` (store.corpus.FIELDS, store.export_writers),
in the order the search lists them, read a batch of result ids at a time (store.corpus.records_for_ids).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from itertools import islice

from sqlalchemy.orm import Session

from store.corpus import FIELDS, records_for_ids
from store.export_writers import as_text, csv_row
from store.search import result_ids
from web.state import SearchState

__all__ = ["MEDIA_TYPES", "stream_results"]

MEDIA_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
_BATCH = 500


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
        # ids first (at most store.search.RELEVANCE_WINDOW), so no cursor is open while batches are read
        ids = iter(result_ids(session, st.q, st.filters(), all_copies=st.all_copies, sort=st.sort))
        while batch := list(islice(ids, _BATCH)):
            lines = []
            for rec in records_for_ids(session, batch):
                if fmt == "jsonl":
                    lines.append(json.dumps({k: as_text(v) for k, v in rec.items()}, ensure_ascii=False) + "\n")
                else:
                    lines.append(_csv_line(csv_row(rec)))
            yield "".join(lines).encode()
