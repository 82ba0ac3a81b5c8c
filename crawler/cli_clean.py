"""`govnews clean` (plain-text dumps to records) and `govnews reprocess` (re-clean the archive)."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

__all__ = ["clean", "reprocess"]

_db_option = click.option(
    "--db", "db", metavar="URL", envvar="GOVNEWS_DB", show_envvar=True, default=None,
    help="Archive database URL (default sqlite:///data/govnews.db); postgresql+psycopg://... for PostgreSQL.",
)


def _read_text(path: Path) -> tuple[str | None, list[str]]:
    """The text of a dump and flags about its bytes; None text when the bytes are binary."""
    from cleaners.charset import decode_html

    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    decoded = decode_html(data)
    if "binary_body" in decoded.flags:
        return None, list(decoded.flags)
    return decoded.text, [f for f in decoded.flags if f != "charset_mismatch"]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def clean(paths: tuple[Path, ...]) -> None:
    """Clean plain-text dumps of pages (one page line a line) and print one JSON record per file.

    Keys: the `govnews extract` keys plus path. A file that cannot be read gets a one-line error on
    stderr; the others are still cleaned, and the exit status is then 2. Use - to read stdin.

    Example:

    \b
        govnews clean sandbox/data/seeds/*.txt
        govnews clean page.txt | jq -r .title
    """
    from cleaners import clean_text
    from cleaners.limits import ExtractionTimeout
    from cleaners.types import Record

    failed = False
    for path in paths:
        try:
            text, flags = _read_text(path)
        except OSError as exc:
            click.echo(f"govnews clean: cannot read {path}: {exc.strerror or exc}", err=True)
            failed = True
            continue
        try:
            record = Record(flags=["empty_body", *flags]) if text is None else clean_text(text)
        except ExtractionTimeout as exc:
            click.echo(f"govnews clean: {path}: {exc}", err=True)
            failed = True
            continue
        for flag in flags:
            record.flag(flag)
        click.echo(json.dumps({**record.public(), "path": str(path)}, ensure_ascii=False))
    if failed:
        raise SystemExit(2)


def _counts(db: str | None, ids_sql: Any) -> tuple[int, int]:
    """(captures still waiting, captures selected) for the progress line."""
    from sqlalchemy import func, select

    from store.db import open_store
    from store.models import Capture

    with open_store(db, migrate_schema=False) as session:
        waiting = session.scalar(
            select(func.count()).select_from(Capture).where(ids_sql, Capture.clean_state.in_(("pending", "claimed")))
        )
        total = session.scalar(select(func.count()).select_from(Capture).where(ids_sql))
    return int(waiting or 0), int(total or 0)


def _progress(db: str | None, ids_sql: Any, done: threading.Event) -> None:
    """A progress line on stderr: rewritten in place on a terminal, every few seconds in a log."""
    tty = sys.stderr.isatty()

    def show(final: bool = False) -> None:
        waiting, total = _counts(db, ids_sql)
        line = f"reprocess: {total - waiting}/{total} captures cleaned"
        click.echo(f"\r{line}" if tty else line, err=True, nl=final or not tty)

    show()
    while not done.wait(0.5 if tty else 5.0):
        show()
    show(final=True)


@click.command()
@_db_option
@click.option("--site", "site_keys", multiple=True, metavar="KEY", help="Only this site's captures (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def reprocess(db: str | None, site_keys: tuple[str, ...], as_json: bool) -> None:
    """Re-clean every stored article capture with the current cleaners and refresh its article.

    Run it after a cleaner improves: the raw captures are the archive's source of truth, so nothing is
    fetched again. Progress goes to stderr, the summary to stdout.

    Example:

    \b
        govnews reprocess --db sqlite:///data/govnews.db
        govnews reprocess --site jswx --site cac --json
    """
    from sqlalchemy import and_, func, select, update

    from cleaners import CLEANER_VERSION
    from crawler.workers import drain
    from store.db import open_store, resolve_db_url
    from store.errors import StoreError
    from store.models import Article, Capture, Site

    selected = and_(Capture.kind == "article", Capture.status == 200, Capture.challenge.is_(None),
                    Capture.body.is_not(None))
    if site_keys:
        selected = and_(selected, Capture.site_key.in_(site_keys))
    started = time.monotonic()
    try:
        with open_store(db) as session:
            known = set(session.scalars(select(Site.key)))
            unknown = sorted(set(site_keys) - known)
            if unknown:
                raise click.ClickException(f"no site {unknown[0]!r} in the archive (known: {', '.join(sorted(known))})")
            result = session.execute(
                update(Capture).where(selected)
                .values(clean_state="pending", clean_reason=None, claimed_by=None, claimed_at=None)
            )
            session.commit()
            queued = result.rowcount or 0
        done = threading.Event()
        watcher = threading.Thread(target=_progress, args=(db, selected, done), daemon=True)
        watcher.start()
        try:
            stats = drain(resolve_db_url(db), worker="reprocess")
        finally:
            done.set()
            watcher.join()
        with open_store(db, migrate_schema=False) as session:
            at_version = select(func.count()).select_from(Article).where(Article.cleaner_version == CLEANER_VERSION)
            if site_keys:
                at_version = at_version.where(Article.site_key.in_(site_keys))
            articles = session.scalar(at_version)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    summary = {"captures": queued, "cleaned": stats.cleaned, "articles": stats.articles,
               "rejected": stats.rejected, "failed": stats.failed, "articles_at_version": articles,
               "cleaner_version": CLEANER_VERSION, "seconds": round(time.monotonic() - started, 2)}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(stats.rejected.items())) or "none"
    click.echo(f"re-cleaned {stats.cleaned} of {queued} captures with cleaners {CLEANER_VERSION} in "
               f"{summary['seconds']} s: {stats.articles} articles, rejected: {rejected}, failed: {stats.failed}")

