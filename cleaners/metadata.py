"""Lines that carry metadata rather than article text: dates, 来源, bylines, editors, signing offices.

A line is a metadata line when, after its metadata items are taken out, nothing but separators and
page widgets is left; the items fill the record's source, author and editor. A byline glued to the end
of the last paragraph (``…作出更大贡献。(记者 吴浩)``) is cut from that paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaners.boilerplate import chrome_reason
from cleaners.dates import DATETIME

__all__ = ["MetaLine", "is_date_line", "is_kicker", "parse_meta_line", "signing_office", "split_trailing_byline"]

_LABEL = r"(?:发布时间|發布時間|发布日期|發布日期|发表时间|更新时间|成文日期|时间|時間|日期)\s*[:：]?"
_DATE_ITEM = re.compile(rf"(?:{_LABEL}\s*)?{DATETIME.pattern}")
_STRAY_LABEL = re.compile(rf"\?*{_LABEL}")  # a label whose first characters were lost (??時間)
_VALUE = r"[^\s|｜\]】)）:：]{2,30}"
_SOURCE = re.compile(rf"(?:信息来源|文章来源|来源|來源|稿源|出处)\s*[:：]\s*(?P<v>{_VALUE})")
_EDITOR = re.compile(rf"[\[【(（]?\s*(?:责任编辑|責任編輯|编辑|編輯|责编|審核|审核)\s*[:：]\s*(?P<v>{_VALUE})\s*[\]】)）]?")
_AUTHOR = re.compile(rf"(?:作者|撰稿|撰文|记者|記者|通讯员|通訊員)\s*[:：]\s*(?P<v>{_VALUE})")
# (中国西藏网 图文/元小娜)  (记者 吴浩)  (作者:徐清源、單志廣,原文載于《學習時報》2020年08月21日第4版)
_BYLINE = re.compile(
    r"^[(（]\s*(?:(?P<outlet>[^\s()（）/:：]{2,12})\s+)?(?:本报|本台|本网)?"
    r"(?:图文|文图|文/图|图/文|文|图|记者|記者|作者|通讯员|通訊員|撰稿)\s*[/:：\s]\s*(?P<v>[^()（）]{2,80})[)）]$"
)
_TRAILING_BYLINE = re.compile(r"[(（]\s*(?:本报|本台|本网)?(?:记者|記者|通讯员|通訊員)\s*(?P<v>[^()（）]{2,24})[)）]\s*$")
_PRINTED_IN = re.compile(r"原文(?:载|載)(?:于|於)\s*《(?P<src>[^》]{2,30})》")
_NAME_SPLIT = re.compile(r"\s*[,，;；]\s*")
_KICKER = re.compile(r"^.{0,20}(?:第[一二三四五六七八九十百零〇\d]+期|专报|專報|快讯|简报)$")
_OFFICE = re.compile(
    r"^[\u4e00-\u9fff]{2,16}(?:处|办|局|厅|委|室|部|中心|科|司|院|站|所|组|办公室|委员会|领导小组)$"
)
# what may stand around metadata items: separators, and ? where a label's characters were lost (??時間)
_LEFTOVER = re.compile(r"^[\s\[\]【】|｜:：/·•,，、()（）\-—?？\ufffd]*$")


@dataclass(frozen=True, slots=True)
class MetaLine:
    """What one metadata line says; fields it does not name are None."""

    date_text: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    byline: bool = False  # an attribution line: its date is the original's, not this page's


def _clean_name(value: str) -> str:
    return value.strip().strip("，,。;；:：").strip()


def parse_meta_line(line: str, *, max_len: int = 100) -> MetaLine | None:
    """The metadata *line* carries, or None when it is (or may be) article text."""
    if len(line) > max_len:
        return None
    if m := _BYLINE.match(line):
        names, _, rest = m["v"].partition("原文")
        source = None
        if pm := _PRINTED_IN.search(line):
            source = pm["src"]
        author = _clean_name(_NAME_SPLIT.split(names.strip())[0]) if names.strip() else None
        return MetaLine(source=source or m["outlet"], author=author or None, byline=True)
    rest = line
    found: dict[str, str] = {}
    for key, pattern in (("source", _SOURCE), ("editor", _EDITOR), ("author", _AUTHOR), ("date_text", _DATE_ITEM)):
        m = pattern.search(rest)
        if m:
            found[key] = _clean_name(m["v"]) if key != "date_text" else m.group(0)
            rest = rest[: m.start()] + " " + rest[m.end() :]
    if not found:
        return None
    rest = _STRAY_LABEL.sub(" ", rest).replace("?", " ").replace("？", " ").strip()
    if not _LEFTOVER.match(rest) and chrome_reason(rest.strip()) is None:
        return None
    return MetaLine(**found)


def split_trailing_byline(line: str) -> tuple[str, str | None]:
    """(*line* without a byline glued to its end, the author named there)."""
    m = _TRAILING_BYLINE.search(line)
    if not m or m.start() == 0:
        return line, None
    return line[: m.start()].rstrip(), _clean_name(m["v"])


def signing_office(line: str) -> bool:
    """A closing line that only names the office that signed the text (政策法规处)."""
    return bool(_OFFICE.match(line))


def is_date_line(line: str) -> bool:
    """A line that is only a date (the 落款 date under a notice, or a dateline)."""
    m = DATETIME.fullmatch(line.strip())
    return m is not None


def is_kicker(line: str) -> bool:
    """A kicker above the headline: a bulletin name and issue (重庆扶贫专报第二十一期)."""
    return bool(_KICKER.match(line))
