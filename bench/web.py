"""Web UI benchmark: search page and JSON API latency p50/p95 on an archive of N generated articles.

One client, then 8 concurrent clients (keep-alive HTTP/1.1), against `govnews web` running in its own
process on 127.0.0.1, for one-, two- and four-character queries, with and without facets.

The archive is bench/dedup.py's (reused, never rebuilt; bench/search.py builds it when missing):
data/bench/articles-N.db on SQLite, schema bench_N of the test database on PostgreSQL. When a SQLite
archive's schema is older than the code's, the web server (which migrates on start, like every
command) is given a migrated copy beside it instead, so the shared archive is only ever read.

    .venv/bin/python bench/web.py [--n 200000] [--backend sqlite|postgresql] [--db URL] [--runs 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from bench.dedup import backend_url
from store import make_engine
from store.migrate import head_revision
from store.models import Article
from store.search import RELEVANCE_WINDOW, count_matches

QUERIES = {
    "1 char": ["网", "省", "镕"],
    "2 chars": ["网信", "数据", "安全"],
    "4 chars": ["脱贫攻坚", "个人信息", "乡村振兴"],
}
TARGETS = {"page": "/", "api": "/api/search"}
CLIENTS = (1, 8)


def _archive(db: str | None, backend: str, n: int) -> tuple[str, int]:
    """The archive URL to serve and its article count; a migrated copy when the shared one is behind."""
    url = db or backend_url(backend, n, fresh=False)
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            if "articles" not in inspect(s.get_bind()).get_table_names():
                raise SystemExit(f"no archive at {url}: run bench/search.py --n {n} --backend {backend} first")
            have = int(s.scalar(select(func.count()).select_from(Article)) or 0)
            revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    if revision == head_revision() or not url.startswith("sqlite:///"):
        return url, have
    source = Path(url.removeprefix("sqlite:///"))
    copy = source.with_name("web-" + source.name)
    if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
        print(f"{source} is at schema {revision}: serving a migrated copy, {copy}", flush=True)
        tmp = copy.with_name(copy.name + ".part")
        shutil.copyfile(source, tmp)
        os.replace(tmp, copy)
    return f"sqlite:///{copy}", have


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "web", "--db", url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300  # a first start migrates the copy
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"govnews web exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("govnews web did not start")


def _get(conn: http.client.HTTPConnection, path: str) -> float:
    t0 = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise SystemExit(f"GET {path}: {resp.status}")
    return (time.perf_counter() - t0) * 1000


def _paths(target: str, queries: list[str], facets: bool) -> list[str]:
    extra = [] if facets else [("facets", "0")]
    return [f"{TARGETS[target]}?{urlencode([('q', q), *extra], quote_via=quote)}" for q in queries]


def _measure(port: int, paths: list[str], clients: int, runs: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        mine = []
        try:
            for r in range(runs):
                for i in range(len(paths)):
                    mine.append(_get(conn, paths[(i + offset + r) % len(paths)]))
        finally:
            conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000, help="bench/dedup.py's archive of this many articles")
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite",
                    help="whose archive of --n articles to serve")
    ap.add_argument("--db", help="serve this archive instead")
    ap.add_argument("--runs", type=int, default=3, help="rounds over a class's queries by the single client")
    ap.add_argument("--concurrent-runs", type=int, default=1, help="the same, by each of the 8 clients")
    args = ap.parse_args()
    url, have = _archive(args.db, args.backend, args.n)
    port = _free_port()
    server = _start_server(url, port)
    try:
        print(f"machine: {os.cpu_count()} cores; {have} articles ({url.split('///')[-1].split('@')[-1]}); "
              f"{args.runs} rounds over each class's queries (1 client), {args.concurrent_runs} per client (8 clients); "
              "20 results a page, one per cluster",
              flush=True)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        totals = {}
        for queries in QUERIES.values():  # warm the caches, and note how many results each query lists
            for q in queries:
                _get(conn, _paths("page", [q], True)[0])
                conn.request("GET", _paths("api", [q], False)[0])
                got = json.loads(conn.getresponse().read())
                totals[q] = f"{got['total']}{'+' if got['capped'] else ''}"
        conn.close()
        engine = make_engine(url)
        with Session(engine) as s:
            matches = {q: count_matches(s, q) for q in totals}
        engine.dispose()
        print("matching articles / results listed (+: capped at the newest "
              f"{RELEVANCE_WINDOW} matches): " + ", ".join(f"{q} {matches[q]}/{totals[q]}" for q in totals))
        print(f"{'target':6} {'query':8} {'facets':6} {'clients':>7} {'p50 ms':>9} {'p95 ms':>9} {'req':>5}")
        for target in TARGETS:
            for label, queries in QUERIES.items():
                for facets in (True, False):
                    for clients in CLIENTS:
                        runs = args.runs if clients == 1 else args.concurrent_runs
                        times = _measure(port, _paths(target, queries, facets), clients, runs)
                        p95 = times[max(0, int(len(times) * 0.95) - 1)]
                        print(f"{target:6} {label:8} {'yes' if facets else 'no':6} {clients:7d} "
                              f"{statistics.median(times):9.1f} {p95:9.1f} {len(times):5d}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
