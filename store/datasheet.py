"""DATASHEET.md beside every export: what the corpus is, how it was made, every field, how to cite it.

Written from the export's manifest (in the spirit of "Datasheets for Datasets", Gebru et al.), so the
numbers in it are the numbers of the files next to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Site

__all__ = ["write_datasheet"]

_FORMAT_NOTES = {
    "jsonl": "JSON Lines, UTF-8: one JSON object a line with the fields below in that order; times are "
             "ISO 8601 (published in +08:00, fetched_at in UTC with Z), null is JSON null.",
    "csv": "CSV (RFC 4180), UTF-8 (with a BOM when exported with --bom, for Excel), CRLF between records, a "
           "header row; a body's newlines stay inside its quoted cell. flags are joined by ';'. An empty "
           "cell is null: CSV cannot tell null from an empty string. Spreadsheets cut cells at 32,767 "
           "characters (Excel) and may read a cell starting with = + - @ as a formula: load long bodies "
           "with a CSV library, not a spreadsheet, when exact text matters.",
    "parquet": "Apache Parquet (zstd) with the explicit schema below (published: timestamp[us, +08:00], "
               "fetched_at: timestamp[us, UTC], date: date32, flags: list<string>); field descriptions are "
               "in the schema's metadata.",
    "warc": "WARC 1.0 (ISO 28500), one gzip member per record, with a CDXJ index (pywb's format, sorted) "
            "beside it. Each capture is a response record (WARC-Target-URI = the final URL after "
            "redirects, WARC-Date = fetch time, WARC-Payload-Digest and WARC-Block-Digest in sha1) and a "
            "request record; an unchanged recapture is a revisit record (identical-payload-digest) with "
            "WARC-Refers-To its original's response. The field list below describes the corpus records "
            "whose captures this WARC holds; export them with --format jsonl to join on warc_record_id. "
            "Only the captures behind the selected articles (and their revisits) are included: listing "
            "pages, robots.txt, error and challenge pages are not.",
}

_LIMITATIONS = [
    ("Coverage is what the crawl reached: listing pages the site profiles follow, within robots.txt; "
     "pages removed before the first crawl, behind logins, or behind anti-bot challenges (recorded, never "
     "bypassed) are missing."),
    ("Bodies are machine-extracted (trafilatura on the CMS's content container plus govnews' own "
     "boilerplate rules); a caption or a stray navigation line may remain, and short paragraphs may be lost."),
    ("Publication times come from the page (meta tags, the byline); a page that gives only a day has "
     "published = null and date set. Articles without any date are left out by --since/--until."),
    "Language and script are detected per article, not per paragraph.",
    ("Reprint clusters are built by exact and near-duplicate (MinHash) matching; heavily edited reprints "
     "may form their own clusters, and an original archived after its reprint becomes canonical only "
     "once it is archived."),
    ("The crawler stores response bodies after undoing Content-Encoding; a WARC export rebuilds HTTP "
     "headers from what was stored (wire-encoding headers are renamed X-Govnews-Orig-*), and holds no "
     "request bodies (POST payloads) or redirect responses."),
    "row_id, cluster_id and capture_id are ids of the source database; article_id is the stable key.",
]


def _site_names(session: Session, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    return dict(session.execute(select(Site.key, Site.name).where(Site.key.in_(keys))).all())


def _filters_text(f: dict[str, Any]) -> str:
    days = f"{f['since'] or 'the earliest'} to {f['until'] or 'the latest'} (days in Asia/Shanghai, inclusive)"
    parts = [f"sites: {', '.join(f['sites']) or 'all'}", f"published: {days}",
             f"language: {f['lang'] or 'any'}", f"script: {f['script'] or 'any'}",
             "copies: " + ("one record per reprint cluster (its canonical member when it matches)"
                           if f["copies"] == "canonical" else "every member of every reprint cluster")]
    if f["excluded_flags"]:
        parts.append("left out: articles flagged " + ", ".join(f"`{x}`" for x in f["excluded_flags"])
                     + " (a body that is not a faithful copy of the page, or a tampered page)")
    else:
        parts.append("flagged articles included")
    return "\n".join(f"* {p}" for p in parts)


def write_datasheet(path: Path, manifest: dict[str, Any], session: Session) -> None:
    counts = manifest["counts"]
    names = _site_names(session, list(counts["by_site"]))
    version = manifest["software"]["govnews"]
    created = manifest["created_at"][:10]
    lines = [
        "# Datasheet: govnews corpus export",
        "",
        (f"Exported {manifest['created_at']} by govnews {version} from a {manifest['database']} archive; "
         f"format `{manifest['format']}`."),
        "",
        "## What it is",
        "",
        ("News, notices and policy articles published by Chinese government bodies (cyberspace offices 网信办, "
         "government portals, state media), archived by govnews, an archival crawler that keeps every raw "
         "HTTP response and derives one clean record per article from it."),
        "",
        f"{counts['records']} records" + (" (this export is empty: nothing matched the filters)"
                                          if manifest["empty"] else "") + f"; "
        f"{counts['excluded_flagged']} matching articles were left out for damage flags.",
        "",
        "| site | name | records |",
        "| --- | --- | ---: |",
        *(f"| {k} | {names.get(k, '')} | {n} |" for k, n in counts["by_site"].items()),
        "",
        "By publication year: " + (", ".join(f"{y}: {n}" for y, n in counts["by_year"].items()) or "none") + ".",
        "",
        "Flags carried: " + (", ".join(f"`{k}` {n}" for k, n in counts["by_flag"].items()) or "none") + ".",
        "",
        "## Selection",
        "",
        _filters_text(manifest["filters"]),
        "",
        "## How it was collected and cleaned",
        "",
        ("* Crawled with Scrapy over declarative site profiles: robots.txt obeyed, an identifying User-Agent, "
         "per-host delays with AutoThrottle, no request off a profile's hosts."),
        ("* Every response is stored first, unchanged (zlib-compressed, with its sha256): `capture_id`, "
         "`fetched_at` and `capture_sha256` name the exact response each record came from."),
        ("* Cleaning: charset decoding that trusts evidence (BOM, strict UTF-8) over declarations; extraction "
         "from the CMS's content container; government meta tags (ArticleTitle, PubDate, ContentSource); "
         "dates in +08:00; hidden and injected spam cut and flagged; language (langdetect) and script (OpenCC)."),
        "",
        "## Deduplication",
        "",
        ("Exact (hash of the normalised Simplified body), then near-duplicate: MinHash over character "
         "shingles with LSH. Every article belongs to a cluster; the canonical member is the earliest "
         "published, then the earliest captured. Settings:"),
        "",
        *(f"* `{k}` = {v}" for k, v in manifest["dedup"].items()),
        "",
        "## Format",
        "",
        _FORMAT_NOTES[manifest["format"]],
        "",
        "## Fields",
        "",
        "| field | type | null? | description |",
        "| --- | --- | --- | --- |",
        *(f"| `{f['name']}` | {f['type']} | {'yes' if f['nullable'] else 'no'} | {f['description']} |"
          for f in manifest["schema"]),
        "",
        "## Known limitations",
        "",
        *(f"* {x}" for x in _LIMITATIONS),
        "",
        "## Files",
        "",
        "| file | bytes | sha256 |",
        "| --- | ---: | --- |",
        *(f"| `{f['name']}` | {f['bytes']} | `{f['sha256']}` |" for f in manifest["files"]),
        "",
        ("`manifest.json` lists these files and this datasheet with their sizes and sha256, and holds the "
         "filters, counts, dedup settings and schema."),
        "",
        "## How to cite",
        "",
        ("Cite the export by its data file's sha256 and date, and individual articles by `url` and "
         "`article_id` (add `capture_sha256` to name the exact capture):"),
        "",
        "```bibtex",
        f"@misc{{govnews_export_{created.replace('-', '')},",
        "  title  = {Chinese government news corpus (govnews archive export)},",
        (f"  note   = {{govnews {version}, {manifest['format']} export of {counts['records']} records, "
         f"sha256 {manifest['files'][0]['sha256']}; filters in manifest.json}},"),
        f"  year   = {{{created[:4]}}},",
        f"  date   = {{{created}}},",
        "}",
        "```",
        "",
        "The texts remain the work of their publishers; check each site's terms before redistributing bodies.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
