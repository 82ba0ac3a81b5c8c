"""`govnews web`: the read-only web UI for archivists, served by uvicorn."""

from __future__ import annotations

import ipaddress
import os
import secrets

import click

__all__ = ["web"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--db", "db", metavar="URL", envvar="GOVNEWS_DB", show_envvar=True, default=None,
              help="Archive database URL (default sqlite:///data/govnews.db); postgresql+psycopg://... for PostgreSQL.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback requires a token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--token", envvar="GOVNEWS_WEB_TOKEN", show_envvar=True, default=None, metavar="T",
              help="Every request must carry it: header 'Authorization: Bearer T', or open /?token=T once "
                   "(sets a cookie).")
def web(db: str | None, host: str, port: int, token: str | None) -> None:
    """Serve the archive to archivists in a browser: search, articles, versions, reprints, raw captures.

    Read-only. Pages work without JavaScript; each has a JSON twin under /api/ (OpenAPI at
    /api/openapi.json). Raw captures are shown only in a sandbox that runs no script and fetches nothing.

    Example:

    \b
        govnews web --db sqlite:///data/govnews.db          # then open http://127.0.0.1:8080/
        GOVNEWS_WEB_TOKEN=$(openssl rand -hex 16) govnews web --host 0.0.0.0 --port 8080
    """
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine, resolve_db_url
    from store.errors import StoreError
    from store.migrate import migrate
    from web import create_app

    if not _is_loopback(host) and not token:
        raise click.UsageError(f"--host {host} is reachable from other machines: give --token (or set "
                               f"GOVNEWS_WEB_TOKEN), e.g. --token {secrets.token_hex(16)}")
    if token is not None and (len(token) < 8 or not all(c.isalnum() or c in "-._~" for c in token)):
        raise click.BadParameter("at least 8 characters of letters, digits and -._~", param_hint="--token")
    try:
        url = resolve_db_url(db)
        engine = make_engine(url)
        try:
            migrate(engine)  # like every command, bring the schema up to date; the server itself only reads
        finally:
            engine.dispose()
        app = create_app(url, token=token)  # without a token: loopback Host names only
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the archive: {first}") from exc
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"govnews web: http://{shown}:{port}/ on {url.split('@')[-1]}"
               + (" (token required)" if token else ""), err=True)
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("GOVNEWS_WEB_LOG", "warning"),
                proxy_headers=False, server_header=False)
