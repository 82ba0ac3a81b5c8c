"""`govnews export`: the archive as a research corpus (JSON Lines, CSV, Parquet) or as WARC + CDXJ."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["export"]

_db_option = click.option(
    "--db", "db", metavar="URL", envvar="GOVNEWS_DB", show_envvar=True, default=None,
    help="Archive database URL (default sqlite:///data/govnews.db); postgresql+psycopg://... for PostgreSQL.",
)


def _day(name: str, help_text: str) -> Any:
    return click.option(name, type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
                        help=help_text)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "warc"]), required=True,
              help="jsonl, csv and parquet write article records; warc writes the raw captures behind them.")
@click.option("--out", type=click.Path(path_type=Path), required=True, metavar="PATH",
              help="The data file; manifest.json and DATASHEET.md are written beside it (a .cdxj too for warc).")
@click.option("--site", "sites", multiple=True, metavar="KEY", help="Only this site (repeatable).")
@_day("--since", "Published on or after this day (Asia/Shanghai).")
@_day("--until", "Published on or before this day (inclusive).")
@click.option("--lang", help="Only this language code, e.g. zh.")
@click.option("--script", type=click.Choice(["simplified", "traditional", "mixed"]), help="Only this script.")
@click.option("--copies", type=click.Choice(["canonical", "all"]), default=None,
              help="One record per reprint cluster, or every copy [default: canonical; all for warc].")
@click.option("--include-flagged", is_flag=True,
              help="Keep articles with damage flags (mojibake, spam_injected, empty_body, ...); see DATASHEET.md.")
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 BOM so Excel reads it as UTF-8.")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the manifest (without its schema) as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
def export(fmt: str, out: Path, sites: tuple[str, ...], since: Any, until: Any, lang: str | None,
           script: str | None, copies: str | None, include_flagged: bool, bom: bool, db: str | None,
           as_json: bool, progress: bool | None) -> None:
    """Export archived articles for research, or their raw captures as WARC.

    Records carry a stable article id, the reprint cluster, the clean text and metadata, and the
    capture they came from (id, fetch time, sha256, WARC record id). By default one record per
    reprint cluster, leaving out damaged articles. Memory stays flat whatever the size.

    Example:

    \b
        govnews export --format jsonl --out corpus/articles.jsonl --since 2024-01-01
        govnews export --format csv --bom --site cac --out cac.csv
        govnews export --format parquet --copies all --out all.parquet --json
        govnews export --format warc --site sandbox-sc --out sc.warc.gz
    """
    from sqlalchemy.exc import SQLAlchemyError

    from store import open_store
    from store.errors import StoreError
    from store.export import ExportFilters, count_for
    from store.export import export as run_export

    if bom and fmt != "csv":
        raise click.UsageError("--bom applies to --format csv only")
    if fmt == "warc" and not out.name.endswith(".warc.gz"):
        raise click.BadParameter("a WARC export's file name ends in .warc.gz", param_hint="--out")
    try:
        filters = ExportFilters(
            sites=sites, since=since.date() if since else None, until=until.date() if until else None,
            lang=lang, script=script, copies=copies, include_flagged=include_flagged)
        with open_store(db) as session:
            show = sys.stderr.isatty() if progress is None else progress
            if show:
                total = count_for(session, fmt, filters)
                with click.progressbar(length=total, label=f"exporting {fmt}", file=sys.stderr) as bar:
                    manifest = run_export(session, fmt, out, filters, bom=bom, progress=bar.update)
            else:
                manifest = run_export(session, fmt, out, filters, bom=bom)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot read the archive: {first}") from exc
    counts = manifest["counts"]
    if manifest["empty"]:
        click.echo(f"govnews export: nothing matched; wrote an empty {fmt} export to {out}", err=True)
    else:
        click.echo(f"govnews export: {counts['records']} records to {out} "
                   f"({counts['excluded_flagged']} flagged left out)", err=True)
    if as_json:
        summary = {k: v for k, v in manifest.items() if k != "schema"}
        click.echo(json.dumps({**summary, "out": str(out)}, ensure_ascii=False, indent=2))
