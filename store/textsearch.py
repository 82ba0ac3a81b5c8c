"""Chinese text to index tokens and queries to token phrases: the part of search both backends share.

Every Han character is its own token, so a word of any length (扶, 扶贫, 脱贫攻坚) is a phrase of
adjacent tokens and is found from the index, never by scanning (a trigram index alone cannot find
one- or two-character words). Punctuation and line breaks become a break token, so a phrase never
matches across 网，信 or across paragraphs. Text and queries are folded the same way first: NFKC,
lower case, Traditional to Simplified, so 脫貧 finds 脱贫 and the reverse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["BREAK", "SEGMENTER_VERSION", "Term", "fold", "parse_query", "segment", "tokens"]

SEGMENTER_VERSION = "1"
BREAK = "gnbrk"  # a token no query produces by itself: it only keeps phrases from bridging punctuation
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+|(?P<brk>[^\w\s]+|\n+|_+)", re.UNICODE)


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


def fold(text: str, *, simplified: bool = False) -> str:
    """NFKC, lower case, Simplified script: the form both index and queries are made of.

    With *simplified*, the text is already in Simplified script (an article's body_simplified) and
    the costly script conversion is skipped.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    return folded if simplified else _t2s().convert(folded)


def tokens(folded: str) -> list[str]:
    """Index tokens of already folded text, break tokens included (runs collapsed)."""
    out: list[str] = []
    for m in _TOKEN.finditer(folded):
        tok = BREAK if m.group("brk") is not None else m.group(0)
        if tok == BREAK and (not out or out[-1] == BREAK):
            continue
        out.append(tok)
    return out


def segment(text: str, *, simplified: bool = False) -> str:
    """The space-separated token string the full-text index stores for *text*."""
    return " ".join(tokens(fold(text, simplified=simplified)))


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # folded text of the term, as the user wrote it (for snippets and scoring)
    tokens: tuple[str, ...]  # adjacent tokens that must all match, in order


def _term(raw: str) -> Term | None:
    folded = fold(raw)
    toks = tokens(folded)
    while toks and toks[0] == BREAK:
        toks.pop(0)
    while toks and toks[-1] == BREAK:
        toks.pop()
    if not toks:
        return None
    text = "".join(ch for ch in folded if not ch.isspace()).strip("".join(c for c in folded if not c.isalnum()))
    return Term(text or folded.strip(), tuple(toks))


def parse_query(query: str) -> list[Term]:
    """Terms of a user query, all required (AND). "Quoted text" is one phrase; nothing is an operator.

    Quotes, *, -, OR, NEAR(, ;, -- and SQL fragments are text like any other: punctuation is dropped at
    a term's edges and becomes a break inside it; words like OR are searched for as words.
    """
    terms: list[Term] = []
    rest = query
    if query.count('"') >= 2:
        for phrase in re.findall(r'"([^"]*)"', query):
            if term := _term(phrase):
                terms.append(term)
        rest = re.sub(r'"[^"]*"', " ", query)
    for word in rest.split():
        if term := _term(word):
            terms.append(term)
    seen: dict[tuple[str, ...], Term] = {}
    for t in terms:
        seen.setdefault(t.tokens, t)
    return list(seen.values())
