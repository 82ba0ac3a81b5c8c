"""The `govnews` command: a click group of verbs, each a thin shell over store, cleaners and crawler."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import click

from crawler.version import __version__

_CST = timezone(timedelta(hours=8), "Asia/Shanghai")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

db_option = click.option(
    "--db", "db", metavar="URL", envvar="GOVNEWS_DB", show_envvar=True, default=None,
    help="Archive database URL (default sqlite:///data/govnews.db); postgresql+psycopg://... for PostgreSQL.",
)


def _emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _fail_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our library errors into one-line CLI errors (exit 1), never a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from spiders.profile import ProfileError
        from store.errors import StoreError

        try:
            return fn(*args, **kwargs)
        except (StoreError, ProfileError) as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0]) if exc.args else str(exc)) from exc

    return wrapper


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="govnews")
def cli() -> None:
    """Archive Chinese government news sites into SQLite or PostgreSQL.

    Example:

    \b
        govnews demo                      # crawl the bundled offline sample web
        govnews crawl --site cac --db sqlite:///data/govnews.db
    """


# sites ----------------------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include disabled profiles and the sample web's.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@_fail_cleanly
def sites(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List the site profiles govnews knows; `sites detect` and `sites add` propose new ones.

    Example:

    \b
        govnews sites --all --json
        govnews sites detect https://www.jswx.gov.cn/
    """
    if ctx.invoked_subcommand is not None:
        return
    from spiders.profile import load_registry

    registry = load_registry()
    rows = [p.summary() for p in registry if show_all or (p.enabled and p.group != "sandbox")]
    if as_json:
        _emit_json(rows)
        return
    from rich.table import Table

    table = Table(title="site profiles")
    for col in ("key", "name", "group", "family", "enabled", "start"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["key"], r["name"], r["group"], r["family"], "yes" if r["enabled"] else "no",
                      r["start_urls"][0] + (f" (+{len(r['start_urls']) - 1})" if len(r["start_urls"]) > 1 else ""))
    _console().print(table)


def _fetcher(sandbox: str | None, allow_hosts: tuple[str, ...]) -> Any:
    from crawler.settings import USER_AGENT
    from spiders.detect import Fetcher

    return Fetcher(user_agent=USER_AGENT, delay=0.0 if sandbox else 1.5, proxy=sandbox, allow_hosts=allow_hosts)


def _detect(url: str, sandbox: str | None, allow_hosts: tuple[str, ...], key: str | None = None) -> Any:
    from spiders.detect import DetectError, detect

    try:
        return detect(url, _fetcher(sandbox, allow_hosts), key=key)
    except DetectError as exc:
        raise click.ClickException(str(exc)) from exc


_sandbox_option = click.option("--sandbox", metavar="URL", help="Reach *.test hosts through the sample web at URL.")
_allow_option = click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST:PORT",
                             help="Admit this host even on a loopback or private address (repeatable).")


@sites.command("detect")
@click.argument("url")
@_sandbox_option
@_allow_option
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
@_fail_cleanly
def sites_detect(url: str, sandbox: str | None, allow_hosts: tuple[str, ...], as_json: bool) -> None:
    """Fetch a few pages of a site, politely, and propose a profile, with the evidence for each choice.

    Example:

    \b
        govnews sites detect https://www.cq.gov.cn/
    """
    d = _detect(url, sandbox, allow_hosts)
    if as_json:
        _emit_json(d.public())
        return
    click.echo(d.yaml())


@sites.command("add")
@click.argument("url")
@click.option("--key", help="Profile key (default: from the host name).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("profiles"),
              show_default=True, help="Directory for the profile file.")
@_sandbox_option
@_allow_option
@_fail_cleanly
def sites_add(url: str, key: str | None, out_dir: Path, sandbox: str | None, allow_hosts: tuple[str, ...]) -> None:
    """Detect a site and write the proposed profile to review; crawl it with `crawl --profiles FILE`.

    The profile is written disabled: read the evidence, adjust, then set `enabled: true`.

    Example:

    \b
        govnews sites add https://www.cq.gov.cn/ --key chongqing
        govnews crawl --profiles profiles/chongqing.yaml --site chongqing
    """
    d = _detect(url, sandbox, allow_hosts, key=key)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{d.profile.key}.yaml"
    if path.exists():
        raise click.ClickException(f"{path} exists; choose another --key or remove it")
    path.write_text(d.yaml(), encoding="utf-8")
    click.echo(f"wrote {path} ({d.family}; pagination {', '.join(r.kind for r in d.profile.pagination) or 'none'})")


# crawl ----------------------------------------------------------------------------------------


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        name, value = pair.split("=", 1)
        out[name.strip()] = value
    return out


def _select_profiles(site_keys: tuple[str, ...], sandbox: str | None, extra: tuple[Path, ...] = ()) -> list[Any]:
    from spiders.profile import load_registry

    registry = load_registry(extra=extra)
    if site_keys:
        chosen = [registry[k] for k in site_keys]
    elif sandbox:
        chosen = registry.group("sandbox")
    else:
        chosen = [p for p in registry.enabled() if p.group != "sandbox"]
    if sandbox is None and any(p.group == "sandbox" for p in chosen):
        raise click.UsageError("sample-web profiles need --sandbox URL (the sample web to crawl)")
    if not chosen:
        raise click.UsageError("no sites selected")
    return chosen


def _print_summary(result: Any, *, as_json: bool) -> None:
    from rich.markup import escape

    if as_json:
        _emit_json({"run_id": result.run_id, "status": result.status, "finish_reason": result.finish_reason,
                    "sites": result.sites, "cleaning": result.cleaning, "busy": result.busy})
        return
    for key, other in result.busy.items():
        click.echo(f"skipped {key}: run {other} is crawling it now", err=True)
    if result.status == "skipped":
        return
    from rich.table import Table

    table = Table(title=f"crawl run {result.run_id}: {result.status}")
    cols = ("pages", "articles", "new_articles", "duplicates", "errors", "challenges")
    table.add_column("site")
    for c in cols:
        table.add_column(c.replace("_", " "), justify="right")
    totals = dict.fromkeys(cols, 0)
    for key, row in result.sites.items():
        table.add_row(key, *(str(row[c]) for c in cols))
        for c in cols:
            totals[c] += row[c]
    table.add_row("[b]total[/b]", *(f"[b]{totals[c]}[/b]" for c in cols))
    console = _console()
    console.print(table)
    for key, row in result.sites.items():
        for warning in row.get("warnings", []):
            console.print(f"[yellow]warning[/yellow] {escape(key)}: {escape(warning)}")


def _console() -> Any:
    from rich.console import Console

    # rich assumes 80 columns when stdout is not a terminal; a summary in a log file should not be cut
    return Console() if sys.stdout.isatty() else Console(width=120)


@cli.command()
@click.option("--site", "site_keys", multiple=True, metavar="KEY", help="Crawl only this site (repeatable).")
@db_option
@click.option("--sandbox", metavar="URL", help="Crawl the sample web served at URL (see `govnews sandbox serve`).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST:PORT",
              help="Admit this host even on a loopback or private address (repeatable).")
@click.option("--workers", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Cleaning worker processes beside the crawl.")
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy/govnews setting.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--progress/--no-progress", default=None, help="Live table on stderr (default: when a terminal).")
@click.option("--full", is_flag=True, help="Walk every list page, not only up to the first fully archived one.")
@click.option("--profiles", "profile_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also load site profiles from this YAML file (repeatable); crawl them with --site.")
@click.option("--url", "urls", multiple=True, metavar="URL",
              help="Crawl this site ad hoc with a detected profile (repeatable); nothing but the archive is saved.")
@click.option("--frontier", metavar="REDIS_URL",
              help="Work a shared frontier loaded by `govnews seed` (one of many crawl processes).")
@click.option("--name", "frontier_name", default="govnews", show_default=True, help="The frontier's name.")
@_fail_cleanly
def crawl(site_keys: tuple[str, ...], db: str | None, sandbox: str | None, allow_hosts: tuple[str, ...],
          workers: int, settings: tuple[str, ...], as_json: bool, progress: bool | None, full: bool,
          profile_files: tuple[Path, ...], urls: tuple[str, ...], frontier: str | None, frontier_name: str) -> None:
    """Crawl sites into the archive: raw captures first, then clean articles.

    Without --site, every enabled profile is crawled. Cleaning workers start and stop with the crawl.

    Example:

    \b
        govnews crawl --site cac --site jswx
        govnews sandbox serve --port 8800 &
        govnews crawl --sandbox http://127.0.0.1:8800 --db sqlite:///tmp/sample.db
        govnews crawl --url https://www.cq.gov.cn/          # ad hoc, with a detected profile
        govnews crawl --frontier redis://10.0.0.5:6379/0 --db postgresql+psycopg://archive/govnews

    With --frontier, the sites and start URLs come from the frontier (see `govnews seed`); run as many
    such processes, on as many machines, as the sites allow.
    """
    from urllib.parse import urlsplit

    from crawler.crawl import CrawlOptions, run_crawl

    if frontier:
        from crawler.cli_fleet import crawl_from_frontier

        if site_keys or urls or full:
            raise click.UsageError("--site, --url and --full are given to `govnews seed`, not to crawl --frontier")
        crawl_from_frontier(frontier, frontier_name, db=db, sandbox=sandbox, allow_hosts=allow_hosts,
                            workers=workers, settings=_parse_settings(settings), as_json=as_json,
                            progress=sys.stderr.isatty() if progress is None else progress,
                            profile_files=profile_files)
        return
    if urls:
        profiles = [_detect(u, sandbox, allow_hosts).profile for u in urls]
        profiles += [p for p in (_select_profiles(site_keys, sandbox, profile_files) if site_keys else [])]
    else:
        profiles = _select_profiles(site_keys, sandbox, profile_files)
    allow = list(allow_hosts)
    if sandbox:
        parts = urlsplit(sandbox)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise click.BadParameter("expected http://HOST:PORT", param_hint="--sandbox")
        allow.append(f"{parts.hostname}:{parts.port}")
    opts = CrawlOptions(db_url=db, sandbox_url=sandbox, allow_hosts=allow, workers=workers,
                        settings=_parse_settings(settings), full=full,
                        progress=sys.stderr.isatty() if progress is None else progress)
    result = run_crawl(profiles, opts)
    _print_summary(result, as_json=as_json)
    if result.status not in ("finished", "skipped"):
        raise SystemExit(1)


# demo -----------------------------------------------------------------------------------------


@cli.command()
@db_option
@click.option("--scale", type=click.IntRange(1, 100000), default=40, show_default=True,
              help="Filler articles per sample site.")
@click.option("--workers", type=click.IntRange(0, 64), default=1, show_default=True)
@_fail_cleanly
def demo(db: str | None, scale: int, workers: int) -> None:
    """Serve the bundled sample web, crawl it into the archive, and show what was archived.

    Example:

    \b
        govnews demo --db sqlite:///data/govnews.db
    """
    from crawler.crawl import CrawlOptions, run_crawl
    from sandbox.server import SampleWebServer

    profiles = _select_profiles((), "sandbox")
    with SampleWebServer(port=0, scale=scale) as server:
        click.echo(f"sample web serving {len(profiles)} sites at {server.url}", err=True)
        opts = CrawlOptions(db_url=db, sandbox_url=server.url, allow_hosts=[f"127.0.0.1:{server.port}"],
                            workers=workers, progress=sys.stderr.isatty())
        result = run_crawl(profiles, opts)
    _print_summary(result, as_json=False)
    _print_newest(db, limit=3)


def _print_newest(db: str | None, *, limit: int) -> None:
    from rich.markup import escape
    from sqlalchemy import select

    from store import open_store
    from store.models import Article

    console = _console()
    with open_store(db) as session:
        rows = session.execute(
            select(Article).order_by(Article.published_at.desc().nulls_last(), Article.id.desc()).limit(limit)
        ).scalars()
        console.print("[b]newest articles[/b]")
        for a in rows:
            when = a.published_at.astimezone(_CST).strftime("%Y-%m-%d %H:%M") if a.published_at else (a.published_date or "")
            excerpt = a.body[:60].replace("\n", " ")
            console.print(escape(f"  {when}  [{a.site_key}] {a.title}\n    {a.url}\n    {excerpt}…"))


# sandbox --------------------------------------------------------------------------------------


@cli.group()
def sandbox() -> None:
    """The bundled offline sample web: realistic government sites on 127.0.0.1."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8800, show_default=True)
@click.option("--scale", type=click.IntRange(1, 100000), default=40, show_default=True,
              help="Filler articles per site.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Append a JSON line per request to this file.")
def sandbox_serve(host: str, port: int, scale: int, log_path: Path | None) -> None:
    """Serve the sample web until interrupted; crawl it with `govnews crawl --sandbox URL`.

    Example:

    \b
        govnews sandbox serve --port 8800 --scale 700 --log requests.jsonl
    """
    from sandbox.server import serve_forever

    click.echo(f"serving the sample web at http://{host}:{port} (use it as an HTTP proxy, "
               f"or browse http://{host}:{port}/_site/www.cac.gov.cn.test/index.htm)", err=True)
    try:
        serve_forever(host, port, scale, log_path)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    except KeyboardInterrupt:
        pass


# extract --------------------------------------------------------------------------------------


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", help="The page's URL, which helps extraction resolve links and dates.")
@click.option("--content-type", help="The Content-Type header the page was served with.")
def extract(path: Path, url: str | None, content_type: str | None) -> None:
    """Extract one saved HTML page and print its record as one JSON object.

    Keys: title, published, date, source, author, editor, body, language, script, flags.

    Example:

    \b
        govnews extract page.html --url http://www.cac.gov.cn/2026-03/12/c_1741234567890123.htm
    """
    from cleaners import clean_html
    from cleaners.limits import ExtractionTimeout

    try:
        data = path.read_bytes()
    except OSError as exc:
        click.echo(f"govnews extract: cannot read {path}: {exc.strerror or exc}", err=True)
        raise SystemExit(2) from exc
    try:
        record, _ = clean_html(data, url=url, content_type=content_type)
    except ExtractionTimeout as exc:
        click.echo(f"govnews extract: {path}: {exc}", err=True)
        raise SystemExit(2) from exc
    except Exception as exc:  # hostile input: one line, never a traceback
        click.echo(f"govnews extract: {path}: unreadable page ({type(exc).__name__}: {exc})", err=True)
        raise SystemExit(2) from exc
    click.echo(json.dumps(record.public(), ensure_ascii=False))


# search ---------------------------------------------------------------------------------------


def _date_option(name: str, help_text: str) -> Any:
    return click.option(name, type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=help_text)


@cli.command()
@click.argument("query")
@db_option
@click.option("--site", "sites", multiple=True, metavar="KEY", help="Only this site (repeatable).")
@_date_option("--since", "Published on or after this day (YYYY-MM-DD, Asia/Shanghai).")
@_date_option("--until", "Published on or before this day (inclusive).")
@click.option("--source", help="Only articles whose 来源 is exactly this.")
@click.option("--lang", help="Only this language code, e.g. zh.")
@click.option("--all-copies", is_flag=True, help="Every reprint, not one result per cluster.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines, one result a line.")
@_fail_cleanly
def search(query: str, db: str | None, sites: tuple[str, ...], since: Any, until: Any, source: str | None,
           lang: str | None, all_copies: bool, sort: str, limit: int, as_json: bool) -> None:
    """Full-text search of archived articles, in Simplified or Traditional script.

    Words of any length; "quoted phrases"; several words must all match. Nothing in a query is an
    operator: quotes aside, it is searched for as written.

    Example:

    \b
        govnews search 脱贫攻坚 --site sandbox-sc --since 2018-01-01 --limit 5
        govnews search '"网络扶贫" 宁都' --json
    """
    from store import open_store
    from store.search import search as do_search

    with open_store(db) as session:
        results = do_search(session, query, site=list(sites), since=since.date() if since else None,
                            until=until.date() if until else None, source=source, lang=lang,
                            all_copies=all_copies, sort=sort, limit=limit)
    if as_json:
        for r in results:
            click.echo(json.dumps(r.public(), ensure_ascii=False))
        return
    from rich.text import Text

    console = _console()
    if not results:
        console.print("no matches", style="dim")
    for r in results:
        when = r.published.astimezone(_CST).strftime("%Y-%m-%d %H:%M") if r.published else str(r.date or "")
        head = Text(f"{when}  {r.title or '(untitled)'}", style="bold")
        if r.reprints > 1:
            head.append(f"  ({r.reprints} copies)", style="cyan")
        snippet = Text(r.snippet)
        for start, end in r.highlights:
            snippet.stylize("bold yellow", start, end)
        console.print(head)
        console.print(Text(f"  {r.site}  {r.url}", style="dim"))
        console.print(Text("  ") + snippet)


# runs -----------------------------------------------------------------------------------------


@cli.command()
@db_option
@click.option("--site", "site_key", metavar="KEY", help="Only runs that crawled this site.")
@click.option("--limit", type=click.IntRange(1, 100000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines, one run a line.")
@_fail_cleanly
def runs(db: str | None, site_key: str | None, limit: int, as_json: bool) -> None:
    """Show the crawl-run history: when, how it ended, and what each run did per site.

    Example:

    \b
        govnews runs --site jswx --limit 5
        govnews runs --json | jq .status
    """
    from store import open_store
    from store.runs import run_history

    with open_store(db) as session:
        history = run_history(session, site=site_key, limit=limit)
    if as_json:
        for row in history:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    from rich.table import Table

    table = Table(title="crawl runs (times +08:00)")
    cols = {"pages": "pages", "new_articles": "new", "new_versions": "versions", "deletions": "deleted",
            "duplicates": "dups", "errors": "errors", "challenges": "challenges"}
    for c in ("run", "started", "ended", "status"):
        table.add_column(c)
    for label in cols.values():
        table.add_column(label, justify="right")
    table.add_column("notes")
    for row in history:
        totals = row["totals"]
        notes = "; ".join(filter(None, [row.get("error") or "", *row.get("warnings", [])]))
        table.add_row(str(row["id"]), row["started_at"][5:16].replace("T", " "), (row["finished_at"] or "")[11:16],
                      row["status"], *(str(totals.get(c, 0)) for c in cols), notes[:60])
    _console().print(table)


# schedule -------------------------------------------------------------------------------------


@cli.command()
@db_option
@click.option("--site", "site_keys", multiple=True, metavar="KEY", help="Schedule only this site (repeatable).")
@click.option("--sandbox", metavar="URL", help="Schedule crawls of the sample web served at URL.")
@click.option("--cron", metavar="EXPR", help="One cron expression (Asia/Shanghai) for every site, e.g. '30 1 * * *'.")
@click.option("--parallel", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Crawls that may run at the same time.")
@click.option("--list", "list_only", is_flag=True, help="Show the jobs and their next run times, then exit.")
@click.option("--run-now", "run_now", metavar="KEY", help="Crawl this site now, as its job would, then exit.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
@_fail_cleanly
def schedule(db: str | None, site_keys: tuple[str, ...], sandbox: str | None, cron: str | None, parallel: int,
             list_only: bool, run_now: str | None, as_json: bool) -> None:
    """Run the nightly crawls: one job per enabled site, nightly at 02:00 Asia/Shanghai by default.

    Jobs are kept in the archive database; missed runs are coalesced into one; a site is never crawled
    twice at once. SIGTERM stops gracefully: running crawls finish what is in flight, and the next run
    resumes them. Run it under systemd or from cron (see the README).

    Example:

    \b
        govnews schedule --list
        govnews schedule --run-now jswx
        govnews schedule --db postgresql+psycopg://localhost/govnews
    """
    import signal as signals

    from apscheduler.schedulers.background import BackgroundScheduler

    from crawler import scheduler as sched

    profiles = _select_profiles(site_keys, sandbox)
    extra = ["--sandbox", sandbox] if sandbox else []
    db_url = _resolve(db)

    if run_now:
        if run_now not in {p.key for p in profiles}:
            raise click.UsageError(f"{run_now!r} is not among the scheduled sites")
        signals.signal(signals.SIGTERM, lambda n, f: sched.stop_children(n))
        raise SystemExit(sched.run_site(db_url, run_now, extra))
    _migrate(db_url)
    if list_only:
        scheduler = sched.build_scheduler(db_url, scheduler_cls=BackgroundScheduler)
        scheduler.start(paused=True)
        sched.add_site_jobs(scheduler, db_url, profiles, cron=cron, extra=extra)
        rows = sched.next_runs(scheduler)
        scheduler.shutdown(wait=False)
        if as_json:
            _emit_json([{"job": j, "next_run": t.isoformat() if t else None, "trigger": trig} for j, t, trig in rows])
            return
        for job, when, trig in rows:
            click.echo(f"{job:32} {when.strftime('%Y-%m-%d %H:%M %z') if when else 'paused':24} {trig}")
        return
    scheduler = sched.build_scheduler(db_url, parallel=parallel)
    sched.add_site_jobs(scheduler, db_url, profiles, cron=cron, extra=extra)

    def _graceful(signum: int, _frame: Any) -> None:
        sched.stop_children(signum)
        scheduler.shutdown(wait=True)

    signals.signal(signals.SIGTERM, _graceful)
    signals.signal(signals.SIGINT, _graceful)
    click.echo(f"scheduling {len(profiles)} sites; next: "
               + ", ".join(f"{j} {t:%m-%d %H:%M}" for j, t, _ in sched.next_runs(scheduler)[:3] if t), err=True)
    scheduler.start()


def _resolve(db: str | None) -> str:
    from store.db import resolve_db_url

    return resolve_db_url(db)


def _migrate(db_url: str) -> None:
    from store.db import make_engine
    from store.migrate import migrate as do_migrate

    engine = make_engine(db_url)
    try:
        do_migrate(engine)
    finally:
        engine.dispose()


# history --------------------------------------------------------------------------------------


@cli.command()
@click.argument("url")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@_fail_cleanly
def history(url: str, db: str | None, as_json: bool) -> None:
    """Show every archived version of an article, a diff between consecutive ones, and its deletion.

    Example:

    \b
        govnews history http://www.cac.gov.cn/2026-03/12/c_1741234567890123.htm
    """
    from store import open_store
    from store.versions import diff_versions
    from store.versions import history as article_history

    with open_store(db) as session:
        h = article_history(session, url)
    if h is None:
        raise click.ClickException(f"no archived article at {url}")
    if as_json:
        _emit_json(h)
        return
    from rich.text import Text

    console = _console()
    versions = h["versions"]
    for i, v in enumerate(versions):
        when = v["captured_at"].astimezone(_CST).strftime("%Y-%m-%d %H:%M") if v["captured_at"] else "?"
        console.print(Text(f"version {v['version']}  captured {when}  capture {v['capture_id']}  {v['title']}",
                           style="bold"))
        if i:
            prev = versions[i - 1]
            for line in diff_versions(prev["body"], v["body"], old_label=f"version {prev['version']}",
                                      new_label=f"version {v['version']}"):
                style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
                console.print(Text("  " + line, style=style))
    if h["deleted_at"]:
        console.print(Text(f"deleted: first seen gone {h['deleted_at'].astimezone(_CST):%Y-%m-%d %H:%M} "
                           f"({h['deleted_reason']})", style="bold red"))


# migrate --------------------------------------------------------------------------------------


@cli.command()
@db_option
@_fail_cleanly
def migrate(db: str | None) -> None:
    """Create or upgrade the archive schema (also done automatically on first use).

    Example:

    \b
        govnews migrate --db postgresql+psycopg://localhost/govnews
    """
    from store.db import make_engine
    from store.migrate import migrate as do_migrate

    engine = make_engine(db)
    try:
        before, after = do_migrate(engine)
    except Exception as exc:
        raise click.ClickException(f"cannot migrate {engine.url.render_as_string(hide_password=True)}: {exc}") from exc
    finally:
        engine.dispose()
    click.echo(f"schema {before or 'empty'} -> {after}" if before != after else f"schema already at {after}")


from crawler.cli_clean import clean, reprocess  # registered here so `govnews --help` lists them

cli.add_command(clean)
cli.add_command(reprocess)

from crawler.cli_export import export

cli.add_command(export)

from crawler.cli_web import web

cli.add_command(web)

from crawler.cli_fleet import seed, status, worker

cli.add_command(seed)
cli.add_command(worker)
cli.add_command(status)


def main() -> None:
    cli()
