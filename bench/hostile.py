"""Hostile-web benchmark: crawl tests/hostile/server.py and print wall time, requests per scenario and
the crawl process's peak RSS (goal: under 300 MiB whatever the site sends).

    .venv/bin/python bench/hostile.py [--timeout 10] [--maxsize-mib 16]

Run from the repository root (the fixture lives in tests/hostile/).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.server import SCENARIOS, HostileServer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=10.0, help="DOWNLOAD_TIMEOUT for the crawl (s)")
    ap.add_argument("--maxsize-mib", type=int, default=16, help="DOWNLOAD_MAXSIZE (MiB)")
    args = ap.parse_args()
    with HostileServer() as server, tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "hostile.yaml"
        profile.write_text(
            "group: hostile\nsites:\n  - key: hostile\n    name: hostile\n"
            f"    base_url: {server.url}\n    start: [/index.html]\n"
            "    lists: ['^/(?:list|calendar|loop|chain)/', '^/search']\n"
            "    article: '^/(?:private/)?art/\\d+\\.html$'\n"
            "    pagination: [{kind: next_link, max_pages: 25}]\n"
            "    politeness: {delay: 0, concurrency: 16}\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "crawler", "crawl", "--profiles", str(profile), "--site", "hostile",
               "--db", f"sqlite:///{Path(tmp) / 'a.db'}", "--allow-host", f"127.0.0.1:{server.port}", "--json",
               "--no-progress", "-s", f"DOWNLOAD_TIMEOUT={args.timeout}",
               "-s", f"DOWNLOAD_MAXSIZE={args.maxsize_mib * 1024 * 1024}", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
               "-s", "GOVNEWS_RETRY_AFTER_CAP=2", "-s", "GOVNEWS_RETRY_BACKOFF_BASE=0.2"]
        t0 = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            out.seek(0)
            summary = json.loads(out.read() or b"{}")
        log = server.requests
    notes = {s.path: s.note for s in SCENARIOS}
    per: Counter[str] = Counter()
    for e in log:
        path = e["path"]
        if path in notes:
            per[f"{path}  {notes[path]}"] += 1
            continue
        # trap pages: one line per family of URLs (digits and ids collapsed)
        family = re.sub(r"\d+", "N", re.sub(r";jsessionid=\w+", ";jsessionid=*", path.split("?")[0]))
        per[f"{family}  (trap pages and hops)"] += 1
    print(f"hostile crawl: exit {os.waitstatus_to_exitcode(status)}, status {summary.get('status')}, "
          f"wall {wall:.1f} s, {len(log)} requests, peak RSS of the crawl process {usage.ru_maxrss / 1024:.0f} MiB")
    print(f"(DOWNLOAD_TIMEOUT {args.timeout:g} s, DOWNLOAD_MAXSIZE {args.maxsize_mib} MiB; {len(SCENARIOS)} scenarios)")
    for note, n in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"{n:5d}  {note}")


if __name__ == "__main__":
    main()
