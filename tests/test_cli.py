"""The CLI's contract: JSON on stdout, clear one-line errors, the documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
from store.migrate import head_revision

ARTICLE = """<html><head><meta charset="utf-8"><title>网信办部署专项行动_中国网信网</title>
<meta name="ArticleTitle" content="网信办部署个人信息保护专项行动">
<meta name="PubDate" content="2026-03-13 10:05"><meta name="ContentSource" content="中国网信网"></head>
<body><div class="nav">首页 > 网信发布</div><div class="TRS_UEDITOR">
<p>　　近日，国家互联网信息办公室部署开展个人信息保护专项行动，重点整治违法违规收集使用个人信息问题。</p>
<p>　　专项行动将持续到年底，各地网信部门要压实属地管理责任，加强监督检查，确保取得实效。</p>
</div><div class="footer">主办单位：国家互联网信息办公室 京ICP备14042428号</div></body></html>"""


def test_extract_prints_one_json_record(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_bytes(ARTICLE.encode("utf-8"))
    result = CliRunner().invoke(cli, ["extract", str(page)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert list(record) == ["title", "published", "date", "source", "author", "editor", "body", "language",
                            "script", "flags"]
    assert record["title"] == "网信办部署个人信息保护专项行动"
    assert record["published"] == "2026-03-13T10:05:00+08:00"
    assert record["date"] == "2026-03-13"
    assert record["source"] == "中国网信网"
    assert record["language"] == "zh" and record["script"] == "simplified"
    assert record["body"].splitlines()[0].startswith("近日，国家互联网信息办公室")
    assert "\u3000" not in record["body"]


def test_extract_gbk_file_without_declaration(tmp_path: Path) -> None:
    page = tmp_path / "gbk.html"
    page.write_bytes(ARTICLE.replace('<meta charset="utf-8">', "").replace("近日", "朱镕基").encode("gbk"))
    record = json.loads(CliRunner().invoke(cli, ["extract", str(page)], catch_exceptions=False).stdout)
    assert "朱镕基" in record["body"]


def test_extract_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "missing.html")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_extract_empty_and_binary_input_give_flagged_records(tmp_path: Path) -> None:
    for name, data in (("empty.html", b""), ("bin.html", bytes(range(256)) * 40)):
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["extract", str(path)])
        assert result.exit_code == 0, result.output
        record = json.loads(result.stdout)
        assert record["body"] == "" and record["flags"], name


def test_migrate_and_sites(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    first = runner.invoke(cli, ["migrate", "--db", db], catch_exceptions=False)
    assert first.exit_code == 0 and f"-> {head_revision()}" in first.output
    again = runner.invoke(cli, ["migrate", "--db", db], catch_exceptions=False)
    assert "already at" in again.output
    sites = json.loads(runner.invoke(cli, ["sites", "--json"], catch_exceptions=False).stdout)
    assert {s["key"] for s in sites} >= {"cac", "jswx"} and all(s["group"] != "sandbox" for s in sites)


def test_bad_input_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["crawl", "--site", "nope"])
    assert r.exit_code == 1 and "no site profile 'nope'" in r.output
    r = runner.invoke(cli, ["crawl", "--site", "sandbox-cac"])
    assert r.exit_code == 2 and "--sandbox" in r.output
    r = runner.invoke(cli, ["migrate", "--db", "mysql://x/y"])
    assert r.exit_code == 1 and "unsupported database" in r.output
    r = runner.invoke(cli, ["crawl", "-s", "NOEQUALS", "--site", "cac"])
    assert r.exit_code == 2
