"""Fleet commands: `govnews seed`, `govnews worker`, `govnews status`, and `crawl --frontier`."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

__all__ = ["crawl_from_frontier", "seed", "status", "worker"]

_db_option = click.option(
    "--db", "db", metavar="URL", envvar="GOVNEWS_DB", show_envvar=True, default=None,
    help="Archive database URL (default sqlite:///data/govnews.db); postgresql+psycopg://... for PostgreSQL.",
)
_frontier_option = click.option("--frontier", metavar="REDIS_URL", required=True, envvar="GOVNEWS_FRONTIER",
                                show_envvar=True, help="The shared frontier's Redis, e.g. redis://10.0.0.5:6379/0.")
_name_option = click.option("--name", "name", default="govnews", show_default=True,
                            help="The frontier's name (one Redis can hold several).")


def _fleet_errors(fn: Any) -> Any:
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from crawler.fleet_crawl import FleetError
        from spiders.profile import ProfileError
        from store.errors import StoreError

        try:
            return fn(*args, **kwargs)
        except (FleetError, StoreError, ProfileError) as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0]) if exc.args else str(exc)) from exc

    return wrapper


def _sandbox_allow(sandbox: str | None, allow_hosts: tuple[str, ...]) -> list[str]:
    allow = list(allow_hosts)
    if sandbox:
        parts = urlsplit(sandbox)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise click.BadParameter("expected http://HOST:PORT", param_hint="--sandbox")
        allow.append(f"{parts.hostname}:{parts.port}")
    return allow


@click.command()
@_frontier_option
@_name_option
@_db_option
@click.option("--site", "site_keys", multiple=True, metavar="KEY", help="Seed only this site (repeatable).")
@click.option("--sandbox", metavar="URL", help="Seed the sample web's sites (crawl them with the same --sandbox).")
@click.option("--profiles", "profile_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also load site profiles from this YAML file (repeatable).")
@click.option("--full", is_flag=True, help="Walk every list page, not only up to the first fully archived one.")
@click.option("--reset", is_flag=True, help="Drop an unfinished frontier (its run is marked interrupted) first.")
@click.option("--delay", type=click.FloatRange(0, 3600), help="Seconds between requests to each host, fleet-wide "
              "(default: each profile's politeness).")
@click.option("--concurrency", type=click.IntRange(1, 64), help="Requests in flight to each host, fleet-wide.")
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="Override a govnews setting.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_fleet_errors
def seed(frontier: str, name: str, db: str | None, site_keys: tuple[str, ...], sandbox: str | None,
         profile_files: tuple[Path, ...], full: bool, reset: bool, delay: float | None, concurrency: int | None,
         settings: tuple[str, ...], as_json: bool) -> None:
    """Load the start URLs of sites into a shared frontier, for `govnews crawl --frontier` processes.

    Starts one crawl run in the archive for the whole fleet. Seeding a frontier whose crawl is still
    going adds the sites to it (known URLs are not queued twice); a finished frontier starts afresh.

    Example:

    \b
        govnews seed --frontier redis://10.0.0.5:6379/0 --db postgresql+psycopg://archive/govnews
        govnews seed --frontier redis://127.0.0.1:6379/0 --sandbox http://127.0.0.1:8800 --db sqlite:///s.db
    """
    from crawler.cli import _parse_settings, _select_profiles
    from crawler.fleet_crawl import seed_frontier

    profiles = _select_profiles(site_keys, sandbox, profile_files)
    summary = seed_frontier(frontier, name=name, db_url=db, profiles=profiles, sandbox=bool(sandbox), full=full,
                            reset=reset, delay=delay, concurrency=concurrency, settings=_parse_settings(settings))
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for key, other in summary["busy"].items():
        click.echo(f"skipped {key}: run {other} is crawling it now", err=True)
    if summary["run_id"] is None:
        raise click.ClickException("every site asked for is being crawled by another run")
    verb = "added to" if summary.get("appended") else "started"
    click.echo(f"run {summary['run_id']} {verb} frontier {name!r}: {len(summary['sites'])} sites, "
               f"{summary['queued']} requests queued ({summary['rechecks']} rechecks)")


def crawl_from_frontier(frontier: str, name: str, *, db: str | None, sandbox: str | None,
                        allow_hosts: tuple[str, ...], workers: int, settings: dict[str, Any], as_json: bool,
                        progress: bool, profile_files: tuple[Path, ...]) -> None:
    from crawler.cli import _print_summary
    from crawler.crawl import CrawlOptions
    from crawler.fleet_crawl import FleetError, run_fleet_crawl
    from spiders.profile import load_registry

    opts = CrawlOptions(db_url=db, sandbox_url=sandbox, allow_hosts=_sandbox_allow(sandbox, allow_hosts),
                        workers=workers, settings=settings, progress=progress)
    registry = load_registry(extra=profile_files)
    try:
        result = run_fleet_crawl(frontier, name, opts, registry)
    except FleetError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_summary(result, as_json=as_json)
    if result.finish_reason not in ("finished", "shutdown"):
        raise SystemExit(1)


@click.command()
@_db_option
@click.option("--processes", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Cleaning processes on this machine.")
@click.option("--lease", type=click.FloatRange(1, 86400), default=300.0, show_default=True,
              help="Seconds a claim holds; a dead worker's captures are taken over after this.")
@click.option("--exit-when-idle", is_flag=True,
              help="Stop when nothing waits to be cleaned (and, with --frontier, the crawl is over).")
@click.option("--frontier", metavar="REDIS_URL", help="With --exit-when-idle: also wait until this frontier drains.")
@_name_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON when stopping.")
@_fleet_errors
def worker(db: str | None, processes: int, lease: float, exit_when_idle: bool, frontier: str | None, name: str,
           as_json: bool) -> None:
    """Clean captures from the archive, on any machine, beside any number of other workers.

    Captures are claimed in a transaction (FOR UPDATE SKIP LOCKED on PostgreSQL), so two workers never
    clean the same one; a killed worker's claims come back after --lease. Stops on SIGTERM or Ctrl-C
    after the capture in hand.

    Example:

    \b
        govnews worker --db postgresql+psycopg://archive/govnews --processes 4
        govnews worker --db sqlite:///data/govnews.db --exit-when-idle
    """
    import multiprocessing as mp

    from crawler.workers import fleet_worker_main
    from store.db import make_engine, resolve_db_url
    from store.migrate import migrate

    db_url = resolve_db_url(db)
    migrate(make_engine(db_url))
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    results: Any = ctx.Queue()
    host = os.uname().nodename
    procs = [ctx.Process(target=fleet_worker_main,
                         args=(db_url, f"{host}:{os.getpid()}-w{i}", stop, results, lease, exit_when_idle,
                               frontier, name))
             for i in range(processes)]

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    started = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    totals: dict[str, Any] = {"cleaned": 0, "articles": 0, "failed": 0, "rejected": {}, "exit_codes": []}
    while not results.empty():
        r = results.get_nowait()
        for k in ("cleaned", "articles", "failed"):
            totals[k] += r[k]
        for k, v in r["rejected"].items():
            totals["rejected"][k] = totals["rejected"].get(k, 0) + v
    totals["exit_codes"] = [p.exitcode for p in procs]
    totals["seconds"] = round(time.monotonic() - started, 1)
    if as_json:
        click.echo(json.dumps(totals, ensure_ascii=False))
    else:
        click.echo(f"cleaned {totals['cleaned']} captures into {totals['articles']} articles "
                   f"({totals['failed']} failed) in {totals['seconds']} s", err=True)
    if any(code not in (0, None) for code in totals["exit_codes"]):
        raise SystemExit(1)


@click.command()
@_frontier_option
@_name_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--hosts", "max_hosts", type=click.IntRange(0, 100000), default=20, show_default=True,
              help="Hosts listed in the table (all of them in --json).")
@_fleet_errors
def status(frontier: str, name: str, as_json: bool, max_hosts: int) -> None:
    """Show a shared frontier: queue per host, leases out, processes alive, pages/s.

    Example:

    \b
        govnews status --frontier redis://10.0.0.5:6379/0
        govnews status --frontier redis://127.0.0.1:6379/0 --json | jq .queued
    """
    from rich.console import Console
    from rich.table import Table

    from crawler.fleet_crawl import frontier_status

    info = frontier_status(frontier, name)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    console = Console() if sys.stdout.isatty() else Console(width=120)
    console.print(f"frontier [b]{info['frontier']}[/b]  run {info['run_id']}  archive {info['archive']}"
                  f"{'  (finished)' if info['finished'] else ''}")
    console.print(f"seen {info['seen']}  done {info['done']}  queued {info['queued']}  leased {info['leased']}  "
                  f"dead {info['dead']}  expired leases {info['expired_leases']}  "
                  f"processes {len(info['processes'])}  {info['pages_per_s']} pages/s  "
                  f"Redis {info['redis_memory_bytes'] / 2**20:.1f} MiB")
    table = Table(title="hosts (busiest first)")
    for c in ("host", "queued", "leased", "delay s", "concurrency", "paused s"):
        table.add_column(c, justify="left" if c == "host" else "right")
    for h in sorted(info["hosts"], key=lambda h: (-h["queued"], h["host"]))[:max_hosts]:
        table.add_row(h["host"], str(h["queued"]), str(h["leased"]), f"{h['delay']:g}", str(h["concurrency"]),
                      f"{h['paused_s']:g}")
    console.print(table)
    if info["processes"]:
        procs = Table(title="crawl processes")
        for c in ("id", "pages", "leases held", "acknowledged"):
            procs.add_column(c)
        for p in info["processes"]:
            procs.add_row(p["id"], str(p.get("pages", 0)), str(p.get("held", 0)), str(p.get("acked", 0)))
        console.print(procs)
