"""Crawl benchmark: govnews against a do-nothing Scrapy spider that follows the same links.

Serves the sample web at a scale of at least 5,000 articles in its own process, crawls it with
`govnews crawl --sandbox` (raw captures + cleaning workers + SQLite) and with a bare spider that
fetches the same pages and stores nothing, and prints pages/s, articles/s and peak RSS of each.

    .venv/bin/python bench/crawl.py [--scale 640] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_SPIDER = r'''
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from spiders.profile import load_registry
from spiders.rules import extract_links, pagination_requests

proxy = sys.argv[1]
profiles = {p.key: p for p in load_registry().group("sandbox")}

class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = {}

    async def start(self):
        for p in profiles.values():
            for url in p.start_urls():
                yield scrapy.Request(url, meta={"site": p.key, "proxy": proxy}, callback=self.parse_list)

    def parse_list(self, response):
        p = profiles[response.meta["site"]]
        if response.status != 200:
            return
        self.crawler.stats.inc_value("bare/lists")
        links = extract_links(response.text, response.url)
        n = 0
        for url in links:
            if p.is_article(url):
                n += 1
                yield scrapy.Request(p.canonical(url), meta={"site": p.key, "proxy": proxy}, callback=self.parse_article)
            elif p.is_list(url):
                yield scrapy.Request(url, meta={"site": p.key, "proxy": proxy}, callback=self.parse_list)
        for rule in p.pagination:
            for req in pagination_requests(rule, response.text, response.url, article_links=n):
                if req.method == "POST":
                    yield scrapy.FormRequest(req.url, formdata=list(req.formdata), callback=self.parse_list,
                                             meta={"site": p.key, "proxy": proxy})
                else:
                    yield scrapy.Request(req.url, meta={"site": p.key, "proxy": proxy}, callback=self.parse_list)

    def parse_article(self, response):
        self.crawler.stats.inc_value("bare/articles")

process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 32,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "DOWNLOAD_DELAY": 0, "HTTPERROR_ALLOW_ALL": True,
                          "TELNETCONSOLE_ENABLED": False})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
s = crawler.stats.get_stats()
print(f"{s.get('downloader/response_count', 0)} {s.get('bare/articles', 0)}")
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"sample web did not start on port {port}")


def _run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of the largest process in its tree, stdout) of *cmd*."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024, stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=640, help="filler articles per site (8 sites)")
    ap.add_argument("--workers", type=int, default=1, help="govnews cleaning workers")
    args = ap.parse_args()
    py = sys.executable
    port = _free_port()
    server = subprocess.Popen([py, "-m", "crawler", "sandbox", "serve", "--port", str(port), "--scale", str(args.scale)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        url = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "bare.py"
            script.write_text(BARE_SPIDER)
            env_py = [py, str(script), url]
            bare_wall, bare_rss, out = _run(env_py)
            bare_pages, bare_articles = (int(x) for x in out.split())
            db = f"sqlite:///{Path(tmp) / 'bench.db'}"
            gov_wall, gov_rss, out = _run([py, "-m", "crawler", "crawl", "--sandbox", url, "--db", db, "--json",
                                           "--no-progress", "--workers", str(args.workers)])
            summary = json.loads(out)
        pages = sum(s["pages"] for s in summary["sites"].values())
        articles = sum(s["new_articles"] for s in summary["sites"].values())
    finally:
        server.terminate()
        server.wait()
    rows = [
        ("bare scrapy spider", bare_pages, bare_articles, bare_wall, bare_rss),
        (f"govnews ({args.workers} worker)", pages, articles, gov_wall, gov_rss),
    ]
    print(f"sample web: 8 sites x {args.scale} filler articles; machine: {os.cpu_count()} cores")
    print(f"{'':24} {'pages':>7} {'articles':>9} {'wall s':>8} {'pages/s':>8} {'articles/s':>10} {'peak RSS MiB':>13}")
    for name, p, a, w, rss in rows:
        print(f"{name:24} {p:7d} {a:9d} {w:8.1f} {p / w:8.1f} {a / w:10.1f} {rss:13.0f}")
    print(f"govnews / bare pages/s ratio: {(pages / gov_wall) / (bare_pages / bare_wall):.2f}")
    print("(govnews wall time includes storing every raw capture and cleaning every article)")


if __name__ == "__main__":
    main()
