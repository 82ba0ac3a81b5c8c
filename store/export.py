"""Export the archive for research (JSON Lines, CSV, Parquet) or for archives (WARC + CDXJ).

Every export is a data file with a ``manifest.json`` and a ``DATASHEET.md`` beside it. Files are
written under a temporary name and renamed when complete, so a failed export never looks finished.

    with open_store(url) as session:
        manifest = export(session, "jsonl", Path("out/corpus.jsonl"), ExportFilters(sites=("cac",)))
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cleaners.dedup import DedupConfig
from store.corpus import FIELDS, ExportError, ExportFilters, chosen_articles, count_excluded, count_records
from store.datasheet import write_datasheet
from store.models import Article, Capture

__all__ = ["FORMATS", "ExportError", "ExportFilters", "count_for", "export", "resolve_filters"]

FORMATS = ("jsonl", "csv", "parquet", "warc")
MANIFEST = "manifest.json"
DATASHEET = "DATASHEET.md"


def _version(package: str) -> str:
    # the same metadata crawler.version reads; store does not import the crawler package
    try:
        return version(package)
    except PackageNotFoundError:
        return "0.0.0+src" if package == "govnews" else "not installed"


class _Tally:
    """Counts by site, publication year and flag, kept while records stream past."""

    def __init__(self) -> None:
        self.total = 0
        self.by_site: Counter[str] = Counter()
        self.by_year: Counter[str] = Counter()
        self.by_flag: Counter[str] = Counter()

    def add(self, site: str, day: Any, flags: list[str]) -> None:
        self.total += 1
        self.by_site[site] += 1
        self.by_year[str(day.year) if day else "unknown"] += 1
        self.by_flag.update(flags)

    def public(self) -> dict[str, Any]:
        return {"records": self.total, "by_site": dict(sorted(self.by_site.items())),
                "by_year": dict(sorted(self.by_year.items())), "by_flag": dict(sorted(self.by_flag.items()))}


def resolve_filters(fmt: str, filters: ExportFilters) -> ExportFilters:
    """*filters* with copies decided: by default one per cluster, except in a WARC, which keeps every copy."""
    return filters if filters.copies else replace(filters, copies="all" if fmt == "warc" else "canonical")


def count_for(session: Session, fmt: str, filters: ExportFilters) -> int:
    """How many units the export's progress counts: records, or captures for a WARC."""
    filters = resolve_filters(fmt, filters)
    if fmt != "warc":
        return count_records(session, filters)
    from sqlalchemy import func, or_

    wanted = select(Article.capture_id).where(Article.id.in_(chosen_articles(filters)))
    q = select(func.count()).select_from(Capture).where(or_(Capture.id.in_(wanted), Capture.revisit_of.in_(wanted)))
    return int(session.scalar(q) or 0)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _describe(path: Path) -> dict[str, Any]:
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _prepare(out: Path) -> None:
    if out.is_dir():
        raise ExportError(f"cannot write {out}: it is a directory (give a file name)")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _part(out).open("wb").close()
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc


def export(session: Session, fmt: str, out: Path, filters: ExportFilters, *, bom: bool = False,
           progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write the export of *filters* to *out* in *fmt*, with its manifest and datasheet; returns the manifest."""
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    filters = resolve_filters(fmt, filters)
    _prepare(out)
    started = datetime.now(UTC)
    tally = _Tally()
    written = [out]
    extra: dict[str, Any] = {}
    try:
        if fmt == "warc":
            extra, cdxj = _export_warc(session, filters, out, tally, progress)
            written.append(cdxj)
        else:
            _export_corpus(session, fmt, out, filters, tally, bom=bom, progress=progress)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        _part(out).unlink(missing_ok=True)
    manifest: dict[str, Any] = {
        "format": fmt,
        "created_at": started.isoformat().replace("+00:00", "Z"),
        "software": {"govnews": _version("govnews"),
                     **({"warcio": _version("warcio")} if fmt == "warc" else {}),
                     **({"pyarrow": _version("pyarrow")} if fmt == "parquet" else {})},
        "database": session.get_bind().dialect.name,
        "filters": filters.public(),
        "empty": tally.total == 0,
        "counts": {**tally.public(), "excluded_flagged": count_excluded(session, filters)},
        "dedup": asdict(DedupConfig()),
        "schema": [{"name": f.name, "type": f.type, "nullable": f.nullable, "description": f.description}
                   for f in FIELDS],
        **extra,
    }
    if fmt == "csv":
        manifest["csv"] = {"encoding": "utf-8-sig" if bom else "utf-8", "line_terminator": "CRLF",
                           "flags_separator": ";", "null": "empty cell"}
    manifest["files"] = [_describe(p) for p in written]
    sheet = out.with_name(DATASHEET)
    write_datasheet(sheet, manifest, session)  # names the data files' sha256, so it comes after them
    manifest["files"].append(_describe(sheet))
    out.with_name(MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _export_corpus(session: Session, fmt: str, out: Path, filters: ExportFilters, tally: _Tally, *,
                   bom: bool, progress: Callable[[int], None] | None) -> None:
    from store.corpus import iter_records
    from store.export_writers import open_writer

    part = _part(out)
    writer = open_writer(fmt, part, bom=bom)
    try:
        for n, record in enumerate(iter_records(session, filters), 1):
            writer.write(record)
            tally.add(record["site"], record["date"], record["flags"])
            if progress and n % 100 == 0:
                progress(100)
    finally:
        writer.close()
    if progress and tally.total % 100:
        progress(tally.total % 100)
    os.replace(part, out)


def _export_warc(session: Session, filters: ExportFilters, out: Path, tally: _Tally,
                 progress: Callable[[int], None] | None) -> tuple[dict[str, Any], Path]:
    from store.warc import write_warc

    # the WARC holds captures; the counts describe the articles they back, read without their bodies
    light = (select(Article.site_key, Article.published_date, Article.flags)
             .where(Article.id.in_(chosen_articles(filters))).execution_options(yield_per=5000))
    for site, day, flags in session.execute(light):
        tally.add(site, day, list(flags or []))
    cdxj = out.with_name(out.name.removesuffix(".gz").removesuffix(".warc") + ".cdxj")
    info = {
        "software": f"govnews/{_version('govnews')} warcio/{_version('warcio')}",
        "format": "WARC File Format 1.0",
        "conformsTo": "https://iso.org/standard/68004.html",
        "description": "Raw HTTP captures of Chinese government news pages from a govnews archive",
        "robots": "obey",
        "isPartOf": "govnews archive export",
        "govnews-filters": json.dumps(filters.public(), ensure_ascii=False),
    }
    part, cdxj_part = _part(out), _part(cdxj)
    try:
        stats = write_warc(session, filters, part, cdxj_part, filename=out.name, info=info, progress=progress)
    except BaseException:
        cdxj_part.unlink(missing_ok=True)
        raise
    os.replace(part, out)
    os.replace(cdxj_part, cdxj)
    return {"warc": {"records": dict(sorted(stats.records.items())),
                     "captures_by_site": dict(sorted(stats.captures_by_site.items())),
                     "cdxj": cdxj.name, "cdxj_lines": stats.cdxj_lines,
                     "record_ids": "name-based uuid5 of capture id, body sha256, URL and fetch time"}}, cdxj
