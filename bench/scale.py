"""Fleet throughput on this machine: 1, 2 and 4 crawl processes on one Redis frontier, plus cleaning
workers, into one archive; and Redis memory per queued and per finished URL.

Everything runs on 127.0.0.1: the sample web (in this process), a private redis-server (AOF, fsync
every second), the archive (PostgreSQL schema by default, or --db). All processes share this
machine's cores with the sample web itself, so the figures are what one small box does, not a fleet
of them; docs/scaling.md turns them into a plan.

    .venv/bin/python bench/scale.py                 # 1, 2, 4 crawlers, 2 workers, scale 100
    .venv/bin/python bench/scale.py --crawlers 1 2 --scale 300 --db sqlite:///data/bench/scale.db
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.frontier import Frontier
from sandbox.server import SampleWebServer
from store.models import Article, Capture

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                             "127.0.0.1", "--dir", str(directory), "--appendonly", "yes", "--appendfsync",
                             "everysec", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            Frontier(url, "probe").ping()
            return proc, url
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def _archive(base: str | None, label: str) -> tuple[str, str | None]:
    """(URL, PostgreSQL schema to drop afterwards) of a fresh archive."""
    if base and base.startswith("sqlite"):
        path = Path(base.removeprefix("sqlite:///"))
        target = path.with_name(f"{path.stem}-{label}{path.suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        return f"sqlite:///{target}", None
    server = base or PG
    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    with create_engine(server).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server else "?"
    return f"{server}{sep}options=-csearch_path%3D{schema}", schema


def _drop(base: str | None, schema: str | None) -> None:
    if schema:
        with create_engine(base or PG).begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _govnews(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler", *args]


def run(n_crawlers: int, n_workers: int, web: SampleWebServer, redis_url: str, db: str) -> dict[str, float]:
    name = f"scale{n_crawlers}"
    common = ["--frontier", redis_url, "--name", name, "--db", db]
    web.web.reset_state()
    web.reset_log()
    subprocess.run(_govnews("seed", *common, "--sandbox", web.url), check=True, capture_output=True)
    start = time.monotonic()
    crawlers = [subprocess.Popen(_govnews("crawl", *common, "--sandbox", web.url, "--workers", "0", "--json",
                                          "--no-progress"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(n_crawlers)]
    workers = subprocess.Popen(_govnews("worker", "--db", db, "--processes", str(n_workers), "--exit-when-idle",
                                        "--frontier", redis_url, "--name", name),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for p in crawlers:
        p.wait()
    crawled = time.monotonic() - start
    workers.wait()
    cleaned = time.monotonic() - start
    engine = create_engine(db)
    with Session(engine) as s:
        pages = s.scalar(select(func.count()).select_from(Capture)) or 0
        articles = s.scalar(select(func.count()).select_from(Article)) or 0
    engine.dispose()
    frontier = Frontier(redis_url, name)
    done = frontier.counts()["done"]
    codes = [p.returncode for p in crawlers] + [workers.returncode]
    return {"crawlers": n_crawlers, "workers": n_workers, "requests": len(web.requests), "captures": pages,
            "articles": articles, "crawl_s": round(crawled, 1), "all_s": round(cleaned, 1),
            "pages_per_s": round(pages / crawled, 1), "articles_per_s": round(articles / cleaned, 1),
            "done_urls": done, "exit_codes": codes}


def memory_per_url(redis_url: str, n: int) -> dict[str, float]:
    """Bytes of Redis per queued URL (request JSON, queue entry, seen), and per finished one (seen + done)."""
    f = Frontier(redis_url, "memory")
    f.clear()
    before = f.memory_bytes()
    batch = []
    for i in range(n):
        url = f"http://www.example{i % 500}.gov.cn/xwdt/202611/t20261130_{4_000_000 + i}.html"
        body = json.dumps({"url": url, "callback": "parse_article", "errback": "failed", "method": "GET",
                           "meta": {"site": f"site{i % 500}", "kind": "article"}, "priority": -1, "headers": {},
                           "body": "", "cookies": {}, "cb_kwargs": {}, "dont_filter": False, "encoding": "utf-8",
                           "flags": []}, separators=(",", ":"))
        batch.append((f"{i:040x}", url, body, -1))
        if len(batch) == 5000:
            f.push(batch, delay=1, concurrency=1)
            batch = []
    if batch:
        f.push(batch, delay=1, concurrency=1)
    queued = f.memory_bytes()
    fids = [f"{i:040x}" for i in range(n)]
    for i in range(0, n, 5000):
        f.ack(fids[i:i + 5000])
    finished = f.memory_bytes()
    f.clear()
    return {"urls": n, "bytes_per_queued_url": round((queued - before) / n), "bytes_per_done_url":
            round((finished - before) / n)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crawlers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--workers", type=int, default=2, help="cleaning processes beside the crawlers")
    ap.add_argument("--scale", type=int, default=100, help="filler articles per sample site")
    ap.add_argument("--db", help="archive server URL (PostgreSQL; a fresh schema per run) or sqlite:///FILE")
    ap.add_argument("--memory-urls", type=int, default=100_000)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="govnews-scale-"))
    redis, redis_url = _redis(tmp)
    web = SampleWebServer(port=0, scale=args.scale)
    web.start()
    results = []
    try:
        for k in args.crawlers:
            db, schema = _archive(args.db, f"c{k}")
            try:
                r = run(k, args.workers, web, redis_url, db)
            finally:
                _drop(args.db, schema)
            results.append(r)
            print(f"{k} crawler(s) + {args.workers} workers: {r['captures']} pages in {r['crawl_s']} s = "
                  f"{r['pages_per_s']} pages/s; {r['articles']} articles clean after {r['all_s']} s = "
                  f"{r['articles_per_s']} articles/s; exit codes {r['exit_codes']}", flush=True)
        mem = memory_per_url(redis_url, args.memory_urls)
        print(f"Redis: {mem['bytes_per_queued_url']} bytes per queued URL, {mem['bytes_per_done_url']} bytes per "
              f"finished URL (seen + done sets), measured over {mem['urls']:,} URLs")
        print(json.dumps({"scale": args.scale, "runs": results, "memory": mem}))
    finally:
        web.stop()
        redis.terminate()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
