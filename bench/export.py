"""Export benchmark: rows/s and peak RSS of `store.export` for each format on N generated articles.

Each format is exported in a child process of its own, whose peak RSS comes from os.wait4; a child
that opens the archive and exports nothing gives the baseline (Python, SQLAlchemy, pyarrow loaded).
The archive is the one bench/dedup.py builds (data/bench/articles-N.db, schema bench_N), used
read-only when it holds N articles; otherwise a private one (export-N) is built beside it.

    .venv/bin/python bench/export.py [--n 200000] [--backend sqlite|postgresql|both] [--formats jsonl,csv]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from bench._corpus import build
from bench.dedup import PG, pg_schema_url
from store import make_engine
from store.models import Article

FORMATS = ("jsonl", "csv", "parquet", "warc")
OUT_ROOT = Path("data/bench")


def _articles(url: str) -> int:
    """Articles in the archive at *url*, 0 when it has no schema yet (reads only)."""
    engine = make_engine(url)
    try:
        if "articles" not in inspect(engine).get_table_names():
            return 0
        with Session(engine) as s:
            return int(s.scalar(select(func.count()).select_from(Article)) or 0)
    finally:
        engine.dispose()


def _shared_url(backend: str, n: int) -> str | None:
    """bench/dedup.py's archive of *n* articles when it exists and is complete; never modified here."""
    if backend == "sqlite":
        path = OUT_ROOT / f"articles-{n}.db"
        return f"sqlite:///{path}" if path.exists() and _articles(f"sqlite:///{path}") == n else None
    engine = make_engine(PG)
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                             {"s": f"bench_{n}"})
    engine.dispose()
    url = f"{PG}?options=-csearch_path%3Dbench_{n}"  # as bench/dedup.py names it, without its DDL
    return url if exists and _articles(url) == n else None


def _private_url(backend: str, n: int) -> str:
    """This benchmark's own archive of *n* articles, rebuilt when it does not hold exactly *n*."""
    if backend == "sqlite":
        path = OUT_ROOT / f"export-{n}.db"
        url = f"sqlite:///{path}"
        if path.exists() and _articles(url) == n:
            return url
        for p in OUT_ROOT.glob(path.name + "*"):
            p.unlink()
    else:
        url = pg_schema_url(f"bench_export_{n}", fresh=False)
        if _articles(url) == n:
            return url
        url = pg_schema_url(f"bench_export_{n}", fresh=True)
    print(f"{backend}: building a private archive of {n} articles")
    build(url, n)
    return url


def _child(fmt: str, url: str, out_dir: Path) -> None:
    from sqlalchemy.orm import sessionmaker

    from store.export import ExportFilters, export

    engine = make_engine(url)
    with sessionmaker(engine)() as session:
        t0 = time.perf_counter()
        records, size = 0, 0
        if fmt != "none":
            out = out_dir / ("corpus.warc.gz" if fmt == "warc" else f"corpus.{fmt}")
            manifest = export(session, fmt, out, ExportFilters(copies="all"))
            records = manifest["counts"]["records"]
            size = sum(f["bytes"] for f in manifest["files"])
            if fmt == "warc":
                records = sum(manifest["warc"]["records"].values())
        wall = time.perf_counter() - t0
    engine.dispose()
    print(json.dumps({"records": records, "seconds": wall, "bytes": size}))


def _measure(fmt: str, url: str, out_dir: Path) -> tuple[dict[str, int | float], float]:
    cmd = [sys.executable, __file__, "--child", fmt, "--url", url, "--out", str(out_dir)]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"export {fmt} failed")
        out.seek(0)
        return json.loads(out.read().decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.url, args.out)
        return
    formats = [f for f in args.formats.split(",") if f]
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        url = _shared_url(backend, args.n)
        print(f"{backend}: {'reusing bench/dedup.py archive' if url else 'bench/dedup.py archive not complete'}"
              f" ({args.n} articles)")
        url = url or _private_url(backend, args.n)
        out_dir = Path(tempfile.mkdtemp(prefix="export-", dir=OUT_ROOT))
        try:
            _, base_rss = _measure("none", url, out_dir)
            print(f"{backend}: baseline (open the archive, export nothing) peak RSS {base_rss:.0f} MiB")
            for fmt in formats:
                got, rss = _measure(fmt, url, out_dir)
                secs, rows, size = got["seconds"], got["records"], got["bytes"] / 2**20
                if fmt == "warc":
                    print(f"{backend} warc: {args.n} articles selected in {secs:.1f}s = {args.n / secs:,.0f}/s, "
                          f"{rows} WARC records, peak RSS {rss:.0f} MiB (bench articles all share one capture, "
                          "so the WARC is tiny: this times the selection and manifest, not WARC writing)")
                else:
                    print(f"{backend} {fmt}: {rows} rows in {secs:.1f}s = {rows / secs:,.0f} rows/s, "
                          f"{size:,.0f} MiB written, peak RSS {rss:.0f} MiB")
                for p in out_dir.iterdir():
                    p.unlink()
        finally:
            shutil.rmtree(out_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
