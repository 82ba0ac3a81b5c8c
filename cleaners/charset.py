"""Decode captured HTML bytes: BOM, then valid UTF-8, then the declared charsets, then GB18030.

Government sites often declare the wrong charset (a UTF-8 header on GBK bytes and the reverse), and
a header wins over a correct <meta> in most HTTP stacks. Multi-byte UTF-8 almost never validates by
accident, so strict validity decides before any declaration is believed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

__all__ = ["DecodedPage", "decode_html", "header_charset", "meta_charset", "normalise_charset"]

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?(?:charset\s*=\s*["']?([\w.:-]+)|content\s*=\s*["'][^"']*charset\s*=\s*([\w.:-]+))""",
    re.IGNORECASE,
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# every GB charset a page may declare decodes as its superset GB18030 (镕, 堃 are outside GB2312)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030",
            "utf8": "utf-8", "big5": "big5hkscs"}


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str
    used: str  # the codec that produced *text*
    declared: str | None  # charset from the Content-Type header
    meta: str | None  # charset from the first <meta> that names one
    flags: tuple[str, ...] = field(default=())  # e.g. charset_mismatch, undecodable


def normalise_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when it is unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1).lower() if m else None


def meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    if not m:
        return None
    raw = m.group(1) or m.group(2)
    return raw.decode("ascii", "replace").lower()


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _controls(text: str) -> float:
    """Share of C0 control characters other than tab and newlines in *text*."""
    if not text:
        return 0.0
    return sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f") / len(text)


def _cut_utf8_tail(body: bytes) -> str | None:
    """*body* as UTF-8 when only its last, incomplete character is invalid."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(body) - 3:
            return body[: exc.start].decode("utf-8", "strict")
    return None


def decode_html(body: bytes, content_type: str | None = None) -> DecodedPage:
    """Decode *body*, trusting evidence (BOM, strict validity) over declarations."""
    declared = header_charset(content_type)
    meta = meta_charset(body)
    flags: list[str] = []
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedPage(body[len(bom):].decode(codec, "replace"), codec, declared, meta)
    text = _strict(body, "utf-8")
    if text is None and (cut := _cut_utf8_tail(body)) is not None:
        text = cut  # valid UTF-8 whose last character was cut off (a size limit): still UTF-8
        flags.append("truncated_input")
    if text is not None:
        used = "utf-8"
    else:
        text, used = None, ""
        for candidate in (normalise_charset(declared), normalise_charset(meta), "gb18030"):
            if candidate and candidate != "utf-8" and (text := _strict(body, candidate)) is not None:
                used = candidate
                break
        if text is None:
            # broken beyond any charset: keep what can be read, say so
            text, used = body.decode("gb18030", "replace"), "gb18030"
            flags.append("undecodable")
    # the header is what HTTP clients believe; when it is absent, the <meta> is
    said = normalise_charset(declared) or normalise_charset(meta)
    if said and said != used and not text.isascii():
        flags.append("charset_mismatch")
    if b"\x00" in body[:1024] or _controls(text[:4096]) > 0.1:
        flags.append("binary_body")  # NUL bytes or control characters: not a page, whatever it decodes to
    return DecodedPage(text, used, declared, meta, tuple(flags))
