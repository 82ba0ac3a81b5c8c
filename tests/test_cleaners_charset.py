"""Decoding captured bytes when government sites declare the wrong charset, or none."""

from __future__ import annotations

import codecs

from cleaners.charset import decode_html

TEXT = "国家网信办通报：朱镕基、王堃、张喆　出席"  # 镕 堃 喆 are outside GB2312


def _page(body: str, meta: str | None = None) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return f"<html><head>{head}</head><body><p>{body}</p></body></html>"


def test_utf8_declared_and_true() -> None:
    d = decode_html(_page(TEXT).encode("utf-8"), "text/html; charset=utf-8")
    assert TEXT in d.text and d.used == "utf-8" and not d.flags


def test_gbk_with_header() -> None:
    d = decode_html(_page(TEXT).encode("gbk"), "text/html; charset=GBK")
    assert TEXT in d.text and d.used == "gb18030" and d.declared == "gbk"


def test_gbk_declared_gb2312_in_meta_only() -> None:
    d = decode_html(_page(TEXT, meta="gb2312").encode("gbk"), "text/html")
    assert TEXT in d.text and d.meta == "gb2312" and d.declared is None


def test_gbk_body_under_a_utf8_header_is_decoded_as_gbk() -> None:
    d = decode_html(_page(TEXT, meta="gbk").encode("gbk"), "text/html; charset=utf-8")
    assert TEXT in d.text and "\ufffd" not in d.text
    assert d.used == "gb18030" and "charset_mismatch" in d.flags


def test_utf8_body_under_a_gbk_header_is_decoded_as_utf8() -> None:
    d = decode_html(_page(TEXT).encode("utf-8"), "text/html; charset=gbk")
    assert TEXT in d.text and d.used == "utf-8" and "charset_mismatch" in d.flags


def test_bom_beats_the_header() -> None:
    d = decode_html(codecs.BOM_UTF8 + _page(TEXT).encode("utf-8"), "text/html; charset=gb2312")
    assert TEXT in d.text and d.used == "utf-8"


def test_binary_garbage_is_flagged_not_raised() -> None:
    d = decode_html(bytes(range(256)) * 10, "text/html")
    assert d.flags and isinstance(d.text, str)
