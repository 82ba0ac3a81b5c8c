"""The HTML stage: hidden markup out first, then the page as lines, marked inside or outside the article.

Hidden elements (display:none, visibility:hidden, font-size:0, opacity:0, off-screen positions) are
never article text. They are taken out of the tree before anything reads it and kept, with their
links, for the spam and repeated-body checks: hidden divs are where injected spam and share/print
copies of the article live (site-patterns §4.1, §4.3).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from cleaners.chinese import fold_whitespace

__all__ = ["CONTAINERS", "HiddenBlock", "PageLines", "content_container", "page_lines", "take_hidden"]

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)|"
    r"(?<![-\w])opacity\s*:\s*0(?:\.0+)?\s*(?:;|!|$)|alpha\s*\(\s*opacity\s*=\s*0\s*\)|"
    r"(?:left|top|text-indent)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em)?",
    re.IGNORECASE,
)
_SKIP = frozenset(
    ("script", "style", "noscript", "template", "iframe", "object", "embed", "select", "option", "button",
     "textarea", "input", "head", "title", "meta", "link", "svg", "map")
)
_BLOCK = frozenset(
    ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "tbody", "thead",
     "tfoot", "section", "article", "header", "footer", "nav", "aside", "blockquote", "pre", "center", "dd", "dt",
     "dl", "form", "hr", "figure", "figcaption", "main", "caption", "address", "fieldset", "legend", "body")
)
_CELL = frozenset(("td", "th"))

# where government CMSs put the article (site-patterns §3.2), most specific first
CONTAINERS = tuple(
    f"//*[@id='{name[1:]}']" if name.startswith("#")
    else f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name[1:]} ')]"
    for name in ("#BodyLabel", "#UCAP-CONTENT", ".pages_content", "#cmsArticleContent", ".TRS_UEDITOR", ".TRS_Editor",
                 ".Custom_UnionStyle", "#zoom", ".article_zoom", ".article-content", ".article_con",
                 ".news_content", ".zwcontent", ".contText", "#content")
)


@dataclass(frozen=True, slots=True)
class HiddenBlock:
    text: str
    links: tuple[tuple[str, str], ...]  # (href, anchor text)


@dataclass(slots=True)
class PageLines:
    lines: list[str] = field(default_factory=list)
    in_body: list[bool] = field(default_factory=list)  # inside the content container

    def body(self) -> list[str]:
        return [line for line, inside in zip(self.lines, self.in_body, strict=True) if inside]

    def outside(self) -> list[str]:
        return [line for line, inside in zip(self.lines, self.in_body, strict=True) if not inside]

    def around_body(self, before: int, after: int) -> tuple[list[str], list[str]]:
        """Up to *before* lines just above the body and *after* lines just below it."""
        idx = [i for i, inside in enumerate(self.in_body) if inside]
        if not idx:
            return [], []
        return self.lines[max(0, idx[0] - before) : idx[0]], self.lines[idx[-1] + 1 : idx[-1] + 1 + after]


def _is_hidden(el: HtmlElement) -> bool:
    style = el.get("style")
    return (style is not None and bool(_HIDDEN_STYLE.search(style))) or el.get("hidden") is not None


def take_hidden(tree: HtmlElement) -> list[HiddenBlock]:
    """Remove every hidden element from *tree*; return what each held, outermost first."""
    blocks = []
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "head", "body") or not _is_hidden(el):
            continue
        if el.getparent() is None or any(_is_hidden(a) for a in el.iterancestors()):
            continue  # inside a hidden ancestor: that ancestor is taken whole
        text = "\n".join(page_lines(el, None).lines)
        links = tuple((a.get("href") or "", fold_whitespace(a.text_content())) for a in el.iter("a"))
        blocks.append(HiddenBlock(text, links))
        el.drop_tree()  # keeps the tail text, which is visible
    return blocks


def content_container(tree: HtmlElement, *, min_chars: int) -> HtmlElement | None:
    """The first known article container holding at least *min_chars* of text."""
    for xpath in CONTAINERS:
        for el in tree.xpath(xpath):
            if len(el.text_content().strip()) >= min_chars:
                return el
    return None


def _walk(root: HtmlElement, container: HtmlElement | None) -> Iterator[tuple[str, str, bool]]:
    """('text' | 'break', text, inside container) events in document order, without recursion."""
    stack: list[tuple[HtmlElement, bool, bool]] = [(root, False, False)]
    while stack:
        el, closing, inside = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if closing:
            if tag in _BLOCK:
                yield "break", "", inside
            elif tag in _CELL:
                yield "text", " ", inside
            if el.tail and el is not root:
                yield "text", el.tail, inside and el is not container
            continue
        if tag is None or tag in _SKIP:  # comments, processing instructions, scripts: only their tail
            if el.tail and el is not root:
                yield "text", el.tail, inside
            continue
        now_inside = inside or el is container
        if tag in _BLOCK:
            yield "break", "", now_inside
        if el.text:
            yield "text", el.text, now_inside
        stack.append((el, True, now_inside))
        stack.extend((child, False, now_inside) for child in reversed(el))


def page_lines(root: HtmlElement, container: HtmlElement | None) -> PageLines:
    """The visible text of *root* one block a line, each marked inside or outside *container*."""
    out = PageLines()
    parts: list[str] = []
    part_inside = False

    def flush() -> None:
        line = fold_whitespace("".join(parts))
        if line:
            out.lines.append(line)
            out.in_body.append(part_inside)
        parts.clear()

    for kind, text, inside in _walk(root, container):
        if kind == "break" or (parts and inside != part_inside):
            flush()
        if kind == "text":
            if not parts:
                part_inside = inside
            parts.append(text)
    flush()
    return out
