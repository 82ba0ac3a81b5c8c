"""Dedup benchmark: ingest N generated articles (save, index, cluster) on SQLite and PostgreSQL.

Prints articles/s for the whole ingest and for the dedup stage alone, and how well the planted
reprints (every 40th article) were clustered. `--study` prints the shingle-size/threshold study on
the sample web that the DedupConfig defaults come from.

    .venv/bin/python bench/dedup.py [--n 200000] [--backend sqlite|postgresql|both] [--study]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench._corpus import build
from store import make_engine
from store.models import Article, Cluster

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_schema_url(schema: str, *, fresh: bool) -> str:
    engine = make_engine(PG)
    with engine.begin() as conn:
        if fresh:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    return f"{PG}?options=-csearch_path%3D{schema}"


def backend_url(backend: str, n: int, *, fresh: bool) -> str:
    if backend == "sqlite":
        path = Path("data/bench") / f"articles-{n}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for p in path.parent.glob(path.name + "*"):
                p.unlink()
        return f"sqlite:///{path}"
    return pg_schema_url(f"bench_{n}", fresh=fresh)


def cluster_quality(url: str, n: int) -> tuple[int, int, int]:
    """(planted reprints, reprints that joined their original's cluster, clusters with >1 member)."""
    from bench._corpus import article

    engine = make_engine(url)
    with Session(engine) as s:
        by_url = dict(s.execute(select(Article.url, Article.cluster_id)).all())
        multi = s.scalar(select(func.count()).select_from(Cluster).where(Cluster.size > 1))
    engine.dispose()
    planted = joined = 0
    import random

    for i in range(39, n, 40):
        planted += 1
        rng = random.Random(f"bench:{i}")
        original = rng.randrange(0, i - 1)
        while original % 40 == 39:  # a reprint of a reprint: follow it to the first copy
            original = random.Random(f"bench:{original}").randrange(0, original - 1)
        site_i, site_o = article(i)[0], article(original)[0]
        if by_url.get(f"http://{site_i}.bench.test/a/{i}.html") == by_url.get(
                f"http://{site_o}.bench.test/a/{original}.html"):
            joined += 1
    return planted, joined, int(multi or 0)


def study() -> None:
    """Jaccard of true reprints vs the most similar distinct articles on the sample web."""
    from cleaners import clean_html
    from cleaners.dedup import shingles
    from cleaners.language import to_simplified
    from sandbox.web import SampleWeb

    web = SampleWeb(scale=40)
    manifest = web.expected()
    reprints = set(manifest["reprint"]["urls"])
    bodies = {}
    for host, site in manifest["sites"].items():
        for a in site["articles"]:
            path = a["url"].split(host, 1)[1]
            resp = web.page(host, path)
            record, _ = clean_html(resp.body, url=a["url"], content_type=resp.headers.get("Content-Type"))
            bodies[a["url"]] = to_simplified(record.body)
    print(f"{len(bodies)} sample-web articles; the reprinted notice has {len(reprints)} copies")
    print(f"{'n':>3} {'reprint pairs (min)':>20} {'distinct max':>13} {'distinct p99.9':>15}")
    for n in (3, 4, 5, 6, 8):
        sh = {u: shingles(b, n) for u, b in bodies.items()}
        dup, other = [], []
        for a, b in itertools.combinations(sh, 2):
            if not sh[a] or not sh[b]:
                continue
            j = len(sh[a] & sh[b]) / len(sh[a] | sh[b])
            (dup if a in reprints and b in reprints else other).append(j)
        other.sort()
        print(f"{n:3d} {min(dup):20.3f} {other[-1]:13.3f} {other[int(len(other) * 0.999)]:15.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--study", action="store_true", help="only the shingle-size/threshold study")
    args = ap.parse_args()
    if args.study:
        study()
        return
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        url = backend_url(backend, args.n, fresh=True)
        print(f"{backend}: ingesting {args.n} articles")
        t = build(url, args.n)
        planted, joined, multi = cluster_quality(url, args.n)
        print(f"{backend}: {t.articles / t.wall_s:.0f} articles/s ingest (save+index+dedup), "
              f"dedup stage alone {t.articles / t.dedup_s:.0f} articles/s, index {t.articles / t.index_s:.0f}/s; "
              f"planted reprints clustered {joined}/{planted}; clusters with reprints {multi}")


if __name__ == "__main__":
    main()
