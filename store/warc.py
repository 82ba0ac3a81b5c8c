"""WARC export (ISO 28500, via warcio): the raw captures behind a selection of articles, plus a CDXJ index.

Each capture becomes a response record and its request record; a recapture with an unchanged body
becomes a revisit record (profile identical-payload-digest) pointing at the original's response.
Records are gzipped one by one, so any record can be read from its CDXJ offset alone.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import json
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from store.corpus import ExportFilters, chosen_articles, warc_record_id
from store.models import Article, Capture

__all__ = ["WarcStats", "surt", "write_warc"]

_BATCH = 200  # captures per fetch: bodies are up to 16 MiB each
_SORT_CHUNK = 100_000  # CDXJ lines sorted in memory at once, then merged from temporary runs
# the crawler stores bodies decoded; headers describing the wire form would make replay tools decode again
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(slots=True)
class WarcStats:
    records: Counter[str] = field(default_factory=Counter)  # by WARC-Type
    captures_by_site: Counter[str] = field(default_factory=Counter)
    cdxj_lines: int = 0


def surt(url: str) -> str:
    """The SURT sort key of *url* as pywb writes it: host reversed without www, lower case, query sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port != {"http": 80, "https": 443}.get(parts.scheme) else ""
    path = parts.path or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return (",".join(reversed(host.split("."))) + port + ")" + path + (f"?{query}" if query else "")).lower()


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _http_response_headers(status: int, headers: list[list[str]], body_len: int) -> Any:
    from warcio.statusandheaders import StatusAndHeaders

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    kept = []
    for name, value in headers:
        if name.lower() not in _WIRE_HEADERS:
            kept.append((name, value))
        elif name.lower() != "content-length" or value.strip() != str(body_len):
            kept.append((f"X-Govnews-Orig-{name}", value))
    kept.append(("Content-Length", str(body_len)))
    return StatusAndHeaders(f"{status} {phrase}", kept, protocol="HTTP/1.1")


def _http_request_headers(method: str, url: str, headers: list[list[str]]) -> Any:
    from warcio.statusandheaders import StatusAndHeaders

    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = [(k, v) for k, v in headers]
    if not any(k.lower() == "host" for k, _ in pairs):
        pairs.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{method} {target} HTTP/1.1", pairs, is_http_request=True)


def _captures(session: Session, filters: ExportFilters) -> Iterator[Any]:
    wanted = select(Article.capture_id).where(Article.id.in_(chosen_articles(filters)))
    orig = aliased(Capture)
    stmt = (
        select(Capture.id, Capture.site_key, Capture.final_url, Capture.method, Capture.status,
               Capture.request_headers, Capture.headers, Capture.fetched_at, Capture.body, Capture.body_sha256,
               Capture.revisit_of, Capture.content_type, Capture.truncated, Capture.body_size,
               orig.final_url.label("orig_url"), orig.fetched_at.label("orig_at"),
               orig.body.label("orig_body"))
        .outerjoin(orig, orig.id == Capture.revisit_of)
        .where(or_(Capture.id.in_(wanted), Capture.revisit_of.in_(wanted)))
        .order_by(Capture.fetched_at, Capture.id)
    )
    yield from session.execute(stmt.execution_options(yield_per=_BATCH))


def _payload_digest(body: bytes) -> str:
    from warcio.utils import Digester

    d = Digester("sha1")
    d.update(body)
    return str(d)


def write_warc(session: Session, filters: ExportFilters, warc_path: Path, cdxj_path: Path, *, filename: str,
               info: dict[str, str], progress: Callable[[int], None] | None = None) -> WarcStats:
    """Write the captures behind the selected articles to *warc_path* and their index to *cdxj_path*.

    *filename* is the WARC's final name, recorded in its warcinfo record and in every CDXJ line.
    """
    from warcio.warcwriter import WARCWriter

    stats = WarcStats()
    digests: dict[int, str] = {}  # original capture id -> payload digest, for its revisits (bounded below)
    with warc_path.open("wb") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as unsorted:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(filename, info))
        stats.records["warcinfo"] += 1
        for cap in _captures(session, filters):
            rid = warc_record_id(cap.id, cap.body_sha256, cap.final_url, cap.fetched_at,
                                 "revisit" if cap.revisit_of is not None else "response")
            warc_headers = {"WARC-Record-ID": rid, "WARC-Date": _warc_date(cap.fetched_at)}
            offset = out.tell()
            if cap.revisit_of is not None:
                digest = digests.get(cap.revisit_of)
                if digest is None:
                    digest = _payload_digest(zlib.decompress(cap.orig_body) if cap.orig_body else b"")
                http = _http_response_headers(cap.status, cap.headers or [], cap.body_size)
                record = writer.create_revisit_record(
                    cap.final_url, digest, cap.orig_url, _warc_date(cap.orig_at), http_headers=http,
                    warc_headers_dict=warc_headers)
                record.rec_headers.add_header("WARC-Refers-To", warc_record_id(
                    cap.revisit_of, cap.body_sha256, cap.orig_url, cap.orig_at, "response"))
                mime = "warc/revisit"
            else:
                body = zlib.decompress(cap.body) if cap.body else b""
                digest = _payload_digest(body)
                if len(digests) >= 10_000:
                    digests.clear()
                digests[cap.id] = digest
                if cap.truncated:
                    warc_headers["WARC-Truncated"] = "length"
                http = _http_response_headers(cap.status, cap.headers or [], len(body))
                record = writer.create_warc_record(cap.final_url, "response", payload=io.BytesIO(body),
                                                   length=len(body), http_headers=http,
                                                   warc_headers_dict=warc_headers)
                mime = (cap.content_type or "unk").split(";")[0].strip().lower() or "unk"
            writer.write_record(record)
            length = out.tell() - offset
            stats.records[record.rec_type] += 1
            stats.captures_by_site[cap.site_key] += 1
            ts = cap.fetched_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")
            unsorted.write(f"{surt(cap.final_url)} {ts} " + json.dumps(
                {"url": cap.final_url, "mime": mime, "status": str(cap.status), "digest": digest,
                 "length": str(length), "offset": str(offset), "filename": filename},
                ensure_ascii=False) + "\n")
            stats.cdxj_lines += 1
            request = writer.create_warc_record(
                cap.final_url, "request", http_headers=_http_request_headers(
                    cap.method, cap.final_url, cap.request_headers or []),
                warc_headers_dict={"WARC-Record-ID": warc_record_id(cap.id, cap.body_sha256, cap.final_url,
                                                                    cap.fetched_at, "request"),
                                   "WARC-Date": _warc_date(cap.fetched_at), "WARC-Concurrent-To": rid})
            writer.write_record(request)
            stats.records["request"] += 1
            if progress:
                progress(1)
        unsorted.seek(0)
        _sort_lines(unsorted, cdxj_path)
    return stats


def _sort_lines(source: IO[str], dest: Path) -> None:
    """Sort the lines of *source* into *dest* (byte order, as `LC_ALL=C sort`), a chunk in memory at a time."""
    with contextlib.ExitStack() as stack:
        runs: list[IO[str]] = []
        while chunk := [line for _, line in zip(range(_SORT_CHUNK), source, strict=False)]:
            chunk.sort(key=_utf8)
            run = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
            run.writelines(chunk)
            run.seek(0)
            runs.append(run)
        with dest.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(heapq.merge(*runs, key=_utf8))


def _utf8(line: str) -> bytes:
    return line.encode("utf-8")
