"""Corpus and WARC export on both backends, from an archive built in code: every format read back."""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cleaners.dedup import DedupConfig, exact_key
from cleaners.language import to_simplified
from crawler.cli import cli
from crawler.version import __version__
from store import make_engine, migrate
from store.archive import ArticleRow, CaptureData, capture_body, record_capture, store_article
from store.corpus import DAMAGE_FLAGS, FIELDS, ExportFilters, iter_records
from store.export import export
from store.models import Article, Capture, Cluster

CST = timezone(timedelta(hours=8))
VENV_BIN = Path(sys.executable).parent
NOTICE = ("国家互联网信息办公室近日通报12款App违法违规收集使用个人信息情况。检测发现，部分App存在未逐一列出"
          "所收集个人信息的目的、方式、范围等问题。网信部门将依法处置，督促整改。")
TRICKY = '他说："依法办事，不搞特殊"\n第二段, 有逗号, 还有"引号"\n\n第四段：结束'
DOCS: list[dict[str, Any]] = [
    {"url": "http://cac.test/a1", "site": "cac", "title": "网信办通报12款App违法违规", "body": NOTICE,
     "published": datetime(2026, 3, 10, 9, 30, tzinfo=CST)},
    {"url": "http://jswx.test/a1", "site": "jswx", "title": "转发：网信办通报12款App", "body": "　　" + NOTICE
     + "\n（责任编辑：王某）", "published": datetime(2026, 3, 11, 10, 5, tzinfo=CST)},
    {"url": "http://gov.test/a1", "site": "gov", "title": "网信办通报", "body": NOTICE,
     "published": datetime(2026, 3, 14, 10, 30, tzinfo=CST)},
    {"url": "http://sc.test/late", "site": "sc", "title": "深夜发布的通知", "body": "四川省网信办深夜发布通知。" * 3,
     "published": datetime(2026, 3, 12, 23, 59, tzinfo=CST)},
    {"url": "http://sc.test/early", "site": "sc", "title": "凌晨发布的通知", "body": "凌晨，成都市发布网络安全提示。" * 3,
     "published": datetime(2026, 3, 13, 0, 1, tzinfo=CST)},
    {"url": "http://cq.test/q1", "site": "cq", "title": "引号与逗号", "body": TRICKY,
     "published": datetime(2025, 7, 1, 8, 0, tzinfo=CST), "flags": ["mojibake_repaired"]},
    {"url": "http://tw.test/t1", "site": "taiwan", "title": "智慧扶貧開辟脫貧攻堅廣闊天地", "script": "traditional",
     "body": "今年是脫貧攻堅戰的收官之年，扶貧先扶智。網信部門推進智慧扶貧。", "published": None,
     "date": date(2020, 9, 9)},
    {"url": "http://sc.test/bad", "site": "sc", "title": "乱码页面", "body": "锟斤拷烫烫烫，本页面有无法恢复的乱码。" * 2,
     "published": datetime(2024, 1, 2, 9, 0, tzinfo=CST), "flags": ["mojibake"]},
]
REVISITED = "http://sc.test/late"


def build(session: Session) -> None:
    for i, d in enumerate(DOCS):
        headers = [["Content-Type", "text/html; charset=utf-8"], ["Content-Encoding", "gzip"], ["Server", "TRS"]]
        data = CaptureData(site_key=d["site"], url=d["url"], final_url=d["url"], status=200, body=d["body"].encode(),
                           kind="article", headers=headers, request_headers=[["User-Agent", "govnews-test"]],
                           fetched_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i))
        cid, _ = record_capture(session, data)
        if d["url"] == REVISITED:  # an unchanged recapture: stored as a revisit
            data.fetched_at += timedelta(days=30)
            again, new_body = record_capture(session, data)
            assert not new_body and again != cid
        simp = to_simplified(d["body"])
        pub = d["published"]
        store_article(session, ArticleRow(
            url=d["url"], site_key=d["site"], capture_id=cid, title=d["title"], published_at=pub,
            published_date=pub.astimezone(CST).date() if pub else d.get("date"), source="中国网信网", author=None,
            editor="王某" if d["site"] == "jswx" else None, body=d["body"], body_simplified=simp, language="zh",
            script=d.get("script", "simplified"), content_hash=exact_key(simp), flags=d.get("flags", []),
            removed={}, cleaner_version="test", title_simplified=to_simplified(d["title"])))
        session.commit()


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    migrate(engine)
    with sessionmaker(engine, expire_on_commit=False)() as s:
        build(s)
        yield s
    engine.dispose()


def _undamaged(session: Session) -> list[Article]:
    return [a for a in session.scalars(select(Article).order_by(Article.id)) if not set(a.flags) & set(DAMAGE_FLAGS)]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(CST).isoformat() if dt else None


def test_jsonl_round_trip_matches_the_database(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    manifest = export(session, "jsonl", out, ExportFilters(copies="all"))
    records = _jsonl(out)
    assert [r["row_id"] for r in records] == [a.id for a in _undamaged(session)]
    for r in records:
        a = session.get(Article, r["row_id"])
        assert list(r) == [f.name for f in FIELDS]
        assert r["article_id"] == hashlib.sha1(a.url.encode()).hexdigest()
        assert (r["url"], r["site"], r["title"], r["body"], r["flags"]) == (a.url, a.site_key, a.title, a.body, a.flags)
        assert r["published"] == _iso(a.published_at) and r["date"] == a.published_date.isoformat()
        assert r["cluster_id"] == a.cluster_id and r["script"] == a.script and r["editor"] == a.editor
        cluster = session.get(Cluster, a.cluster_id)
        assert r["is_canonical"] == (cluster.canonical_id == a.id) and r["copies"] == cluster.size
        canonical = session.get(Article, cluster.canonical_id)
        assert r["canonical_article_id"] == hashlib.sha1(canonical.url.encode()).hexdigest()
    assert manifest["counts"]["records"] == len(records)
    by_site: dict[str, int] = {}
    for r in records:
        by_site[r["site"]] = by_site.get(r["site"], 0) + 1
    assert manifest["counts"]["by_site"] == by_site


def test_canonical_copies_give_one_record_per_cluster(session: Session, tmp_path: Path) -> None:
    export(session, "jsonl", tmp_path / "c.jsonl", ExportFilters())
    export(session, "jsonl", tmp_path / "a" / "a.jsonl", ExportFilters(copies="all"))
    canonical, every = _jsonl(tmp_path / "c.jsonl"), _jsonl(tmp_path / "a" / "a.jsonl")
    clusters = {a.cluster_id for a in _undamaged(session)}
    assert len(canonical) == len(clusters) < len(every) == len(_undamaged(session))
    assert sorted(r["cluster_id"] for r in canonical) == sorted(clusters)
    notice = [r for r in canonical if r["copies"] == 3]
    assert [r["url"] for r in notice] == ["http://cac.test/a1"] and notice[0]["is_canonical"]
    # with the canonical member filtered out, the cluster is still represented, by its earliest match
    (jswx,) = _jsonl_of(session, tmp_path / "j", ExportFilters(sites=("jswx", "gov")))
    assert jswx["url"] == "http://jswx.test/a1" and not jswx["is_canonical"]


def _jsonl_of(session: Session, where: Path, filters: ExportFilters) -> list[dict[str, Any]]:
    export(session, "jsonl", where / "x.jsonl", filters)
    return _jsonl(where / "x.jsonl")


def test_damaged_articles_are_left_out_unless_asked(session: Session, tmp_path: Path) -> None:
    default = export(session, "jsonl", tmp_path / "d" / "x.jsonl", ExportFilters(copies="all"))
    urls = {r["url"] for r in _jsonl(tmp_path / "d" / "x.jsonl")}
    assert "http://sc.test/bad" not in urls and "http://cq.test/q1" in urls  # mojibake out, repaired kept
    assert default["counts"]["excluded_flagged"] == 1
    assert default["filters"]["excluded_flags"] == list(DAMAGE_FLAGS)
    both = _jsonl_of(session, tmp_path / "f", ExportFilters(copies="all", include_flagged=True))
    assert {r["url"] for r in both} == urls | {"http://sc.test/bad"}


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 3, 12), {"http://sc.test/late"}),
    (date(2026, 3, 13), {"http://sc.test/early"}),
])
def test_since_until_are_inclusive_days_in_shanghai(session: Session, tmp_path: Path, day: date,
                                                   expected: set[str]) -> None:
    late = session.scalar(select(Article).where(Article.url == "http://sc.test/late"))
    early = session.scalar(select(Article).where(Article.url == "http://sc.test/early"))
    # both are on 12 March in UTC; only the Shanghai day tells them apart
    assert late.published_at == datetime(2026, 3, 12, 15, 59, tzinfo=UTC)
    assert early.published_at == datetime(2026, 3, 12, 16, 1, tzinfo=UTC)
    got = _jsonl_of(session, tmp_path, ExportFilters(since=day, until=day, copies="all"))
    assert {r["url"] for r in got} == expected
    span = _jsonl_of(session, tmp_path / "s", ExportFilters(since=date(2026, 3, 12), until=date(2026, 3, 13)))
    assert {r["url"] for r in span} == {"http://sc.test/late", "http://sc.test/early"}


def test_other_filters(session: Session, tmp_path: Path) -> None:
    trad = _jsonl_of(session, tmp_path / "t", ExportFilters(script="traditional"))
    assert [r["url"] for r in trad] == ["http://tw.test/t1"] and trad[0]["published"] is None
    assert _jsonl_of(session, tmp_path / "l", ExportFilters(lang="en")) == []
    sc = _jsonl_of(session, tmp_path / "s", ExportFilters(sites=("sc", "cq")))
    assert {r["site"] for r in sc} == {"sc", "cq"} and len(sc) == 3


def test_provenance_resolves_to_real_captures(session: Session, tmp_path: Path) -> None:
    records = _jsonl_of(session, tmp_path, ExportFilters(copies="all", include_flagged=True))
    assert records
    for r in records:
        cap = session.get(Capture, r["capture_id"])
        assert cap is not None and session.get(Article, r["row_id"]).capture_id == cap.id
        assert r["capture_sha256"] == hashlib.sha256(capture_body(session, cap)).hexdigest() == cap.body_sha256
        assert datetime.fromisoformat(r["fetched_at"]) == cap.fetched_at and r["fetched_at"].endswith("Z")
        assert capture_body(session, cap).decode() == r["body"]  # the test archive stores the text as the page


def test_csv_opens_in_a_spreadsheet_and_round_trips(session: Session, tmp_path: Path) -> None:
    export(session, "jsonl", tmp_path / "j" / "x.jsonl", ExportFilters(copies="all"))
    export(session, "csv", tmp_path / "plain" / "x.csv", ExportFilters(copies="all"))
    manifest = export(session, "csv", tmp_path / "bom" / "x.csv", ExportFilters(copies="all"), bom=True)
    plain, bom = (tmp_path / "plain" / "x.csv").read_bytes(), (tmp_path / "bom" / "x.csv").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf") and bom == b"\xef\xbb\xbf" + plain
    assert b"\r\n" in plain and manifest["csv"]["encoding"] == "utf-8-sig"
    with (tmp_path / "plain" / "x.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = _jsonl(tmp_path / "j" / "x.jsonl")
    assert len(rows) == len(expected)
    for row, rec in zip(rows, expected, strict=True):
        assert list(row) == [f.name for f in FIELDS]
        assert (row["flags"].split(";") if row["flags"] else []) == rec["flags"]
        for name, value in rec.items():
            want = ";".join(value) if isinstance(value, list) else (
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
            assert row[name] == want, name
    tricky = next(r for r in rows if r["url"] == "http://cq.test/q1")
    assert tricky["body"] == TRICKY and tricky["flags"] == "mojibake_repaired"


def test_parquet_has_the_explicit_schema_and_round_trips(session: Session, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "x.parquet"
    export(session, "parquet", out, ExportFilters(copies="all"))
    schema = pq.read_schema(out)
    assert schema.names == [f.name for f in FIELDS]
    assert schema.field("row_id").type == pa.int64() and not schema.field("row_id").nullable
    assert schema.field("published").type == pa.timestamp("us", tz="+08:00")
    assert schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("date").type == pa.date32() and schema.field("is_canonical").type == pa.bool_()
    assert schema.field("flags").type == pa.list_(pa.string()) and schema.field("body").type == pa.string()
    assert schema.field("body").metadata[b"description"]
    rows = pq.read_table(out).to_pylist()
    expected = list(iter_records(session, ExportFilters(copies="all")))
    assert len(rows) == len(expected)
    for row, rec in zip(rows, expected, strict=True):
        assert row == rec


def _warc_records(path: Path) -> list[dict[str, Any]]:
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with path.open("rb") as f:
        it = ArchiveIterator(f, check_digests=True)
        for rec in it:
            payload = rec.content_stream().read()
            out.append({"type": rec.rec_type, "headers": dict(rec.rec_headers.headers), "payload": payload,
                        "http": rec.http_headers, "offset": it.get_record_offset()})
    return out


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_warc_records_read_back_with_matching_digests(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "x.warc.gz"
    manifest = export(session, "warc", out, ExportFilters())
    check = subprocess.run([str(VENV_BIN / "warcio"), "check", "-v", str(out)], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout
    records = _warc_records(out)
    assert records[0]["type"] == "warcinfo"
    ids = {r["headers"]["WARC-Record-ID"]: r for r in records}
    responses = [r for r in records if r["type"] == "response"]
    # the WARC keeps every copy of a reprint and every capture behind a selected article
    wanted = {a.capture_id for a in _undamaged(session)}
    assert len(responses) == len(wanted) and manifest["warc"]["records"]["response"] == len(wanted)
    for r in responses:
        h = r["headers"]
        cap = session.scalar(select(Capture).where(Capture.final_url == h["WARC-Target-URI"],
                                                   Capture.revisit_of.is_(None)))
        assert cap.id in wanted and r["payload"] == capture_body(session, cap)
        assert h["WARC-Payload-Digest"] == _sha1_b32(r["payload"]) and h["WARC-Block-Digest"].startswith("sha1:")
        assert h["WARC-Date"] == cap.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert r["http"].get_statuscode() == "200"
        assert r["http"].get_header("Content-Length") == str(len(r["payload"]))
        assert r["http"].get_header("Content-Encoding") is None  # the stored body is already decoded
        assert r["http"].get_header("X-Govnews-Orig-Content-Encoding") == "gzip"
    requests = [r for r in records if r["type"] == "request"]
    assert len(requests) == manifest["warc"]["records"]["request"] == len(responses) + 1  # the revisit's too
    for r in requests:
        assert r["headers"]["WARC-Concurrent-To"] in ids and r["http"].get_header("User-Agent") == "govnews-test"
        path = r["headers"]["WARC-Target-URI"].split(".test", 1)[1]
        assert r["http"].protocol == "GET" and r["http"].statusline == f"{path} HTTP/1.1"
        assert r["http"].get_header("Host") == r["headers"]["WARC-Target-URI"].split("/")[2]


def test_unchanged_recaptures_become_revisit_records(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "x.warc.gz"
    export(session, "warc", out, ExportFilters(sites=("sc",)))
    records = _warc_records(out)
    revisit_caps = list(session.scalars(select(Capture).where(Capture.revisit_of.is_not(None))))
    (revisit,) = [r for r in records if r["type"] == "revisit"]
    assert len(revisit_caps) == 1 and revisit["payload"] == b""
    h = revisit["headers"]
    assert h["WARC-Profile"].endswith("/revisit/identical-payload-digest")
    original = next(r for r in records if r["headers"].get("WARC-Record-ID") == h["WARC-Refers-To"])
    assert original["type"] == "response" and original["headers"]["WARC-Target-URI"] == REVISITED
    assert h["WARC-Payload-Digest"] == original["headers"]["WARC-Payload-Digest"] == _sha1_b32(original["payload"])
    assert h["WARC-Refers-To-Target-URI"] == REVISITED
    assert h["WARC-Refers-To-Date"] == original["headers"]["WARC-Date"] != h["WARC-Date"]
    assert h["WARC-Date"] == revisit_caps[0].fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cdxj_is_sorted_and_points_at_each_record(session: Session, tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "x.warc.gz"
    export(session, "warc", out, ExportFilters())
    lines = (tmp_path / "x.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines and lines == sorted(lines, key=lambda s: s.encode())
    data = out.read_bytes()
    kinds = []
    for line in lines:
        key, stamp, blob = line.split(" ", 2)
        entry = json.loads(blob)
        assert entry["filename"] == "x.warc.gz" and key.startswith("test,") and ")/" in key
        start, length = int(entry["offset"]), int(entry["length"])
        member = data[start:start + length]
        gzip.decompress(member)  # exactly one whole gzip member
        (rec,) = list(ArchiveIterator(io.BytesIO(member)))
        assert rec.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == entry["digest"]
        assert rec.rec_headers.get_header("WARC-Date").replace("-", "").replace(":", "").replace("T", "")[:14] == stamp
        kinds.append(rec.rec_type)
    assert set(kinds) == {"response", "revisit"}


def test_corpus_records_name_the_warc_records_of_their_captures(session: Session, tmp_path: Path) -> None:
    export(session, "warc", tmp_path / "a" / "x.warc.gz", ExportFilters())
    export(session, "warc", tmp_path / "b" / "x.warc.gz", ExportFilters())
    first = {r["headers"]["WARC-Record-ID"]: r for r in _warc_records(tmp_path / "a" / "x.warc.gz")
             if r["type"] != "warcinfo"}
    second = {r["headers"]["WARC-Record-ID"] for r in _warc_records(tmp_path / "b" / "x.warc.gz")
              if r["type"] != "warcinfo"}
    assert set(first) == second  # record ids do not change from one export to the next
    for rec in _jsonl_of(session, tmp_path / "j", ExportFilters(copies="all")):
        warc = first[rec["warc_record_id"]]
        assert warc["type"] == "response" and warc["headers"]["WARC-Target-URI"] == rec["url"]


def test_manifest_and_datasheet(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    manifest = export(session, "parquet", out, ExportFilters(sites=("sc", "cac")))
    on_disk = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["software"]["govnews"] == __version__ and manifest["dedup"] == asdict(DedupConfig())
    assert manifest["filters"]["sites"] == ["sc", "cac"] and manifest["schema"][0]["name"] == "article_id"
    assert [f["name"] for f in manifest["files"]] == ["x.parquet", "DATASHEET.md"]
    for f in manifest["files"]:
        assert f["sha256"] == hashlib.sha256((tmp_path / f["name"]).read_bytes()).hexdigest()
    assert manifest["counts"]["by_year"] == {"2026": 3} and sum(manifest["counts"]["by_site"].values()) == 3
    sheet = (tmp_path / "DATASHEET.md").read_text(encoding="utf-8")
    assert all(f"`{f.name}`" in sheet for f in FIELDS) and "How to cite" in sheet
    assert all(f"`{flag}`" in sheet for flag in DAMAGE_FLAGS) and "shingle_size" in sheet
    assert manifest["files"][0]["sha256"] in sheet  # cite-able by the data file's digest


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "warc"])
def test_an_export_that_matches_nothing_is_valid_and_empty(session: Session, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / ("x.warc.gz" if fmt == "warc" else f"x.{fmt}")
    manifest = export(session, fmt, out, ExportFilters(sites=("nowhere",)))
    assert manifest["empty"] and manifest["counts"]["records"] == 0
    if fmt == "jsonl":
        assert out.read_bytes() == b""
    elif fmt == "csv":
        assert out.read_bytes() == (",".join(f.name for f in FIELDS) + "\r\n").encode()
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.num_rows == 0 and table.schema.names == [f.name for f in FIELDS]
    else:
        assert [r["type"] for r in _warc_records(out)] == ["warcinfo"]
        assert subprocess.run([str(VENV_BIN / "warcio"), "check", str(out)], check=False).returncode == 0
        assert (tmp_path / "x.cdxj").read_text() == ""
    assert not list(tmp_path.glob("*.part"))


def _db_arg(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def test_cli_export_prints_the_manifest(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", "--out", str(out), "--db", _db_arg(session),
                                      "--site", "sc", "--since", "2026-03-12", "--until", "2026-03-12", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["counts"]["records"] == 1 and "schema" not in summary and summary["out"] == str(out)
    assert [r["url"] for r in _jsonl(out)] == ["http://sc.test/late"]
    assert "1 records" in result.stderr


def test_cli_says_when_nothing_matched(session: Session, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "csv", "--out", str(tmp_path / "e.csv"),
                                      "--db", _db_arg(session), "--site", "nowhere"], catch_exceptions=False)
    assert result.exit_code == 0 and "nothing matched" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--format", "jsonl", "--since", "2026-13-45"], 2, "2026-13-45"),
    (["--format", "jsonl", "--since", "2026-03-14", "--until", "2026-03-01"], 1, "is after --until"),
    (["--format", "jsonl", "--bom"], 2, "--bom applies to --format csv only"),
    (["--format", "warc"], 2, ".warc.gz"),
    (["--format", "xml"], 2, "xml"),
])
def test_cli_bad_input_is_one_line(session: Session, tmp_path: Path, args: list[str], code: int,
                                   message: str) -> None:
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(cli, ["export", "--out", str(out), "--db", _db_arg(session), *args])
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error")
    assert not out.exists()


def test_cli_unwritable_path_is_one_line(session: Session, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker / "x.jsonl", tmp_path):  # under a regular file; a directory
        result = CliRunner().invoke(cli, ["export", "--format", "jsonl", "--out", str(out), "--db", _db_arg(session)])
        assert result.exit_code == 1, result.output
        assert "cannot write" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_export_modules_do_not_import_scrapy() -> None:
    code = ("import store.export, store.warc, store.export_writers, sys;"
            "bad = [m for m in ('scrapy', 'twisted', 'crawler') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_progress_bar_goes_to_stderr(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "p.warc.gz"
    result = CliRunner().invoke(cli, ["export", "--format", "warc", "--out", str(out), "--db", _db_arg(session),
                                      "--progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "exporting warc" in result.stderr and result.stdout == ""
    assert subprocess.run([str(VENV_BIN / "warcio"), "check", str(out)], check=False).returncode == 0
