"""Injected gambling, lottery and stock-margin SEO spam, judged by several signals, never one word list.

A text is spam when its signals add up (lexicon, term density, keyword-salad shape, a script that does
not match the article's, hidden markup, external links with spam words) *and* at least one of them is
specific to spam: a real article about lottery regulation or a gambling crackdown uses the words in
sentences, in the article's script, with nothing hidden, so it keeps its text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from cleaners.language import detect_script
from cleaners.types import KEEP, SpamConfig, Verdict

__all__ = ["SpamConfig", "check_spam", "external_spam_links", "spam_signals"]

_SENTENCE_PUNCT = re.compile(r"[。，；！？,;!?]")


@lru_cache(maxsize=8)
def _matcher(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def _terms(text: str, terms: tuple[str, ...]) -> tuple[set[str], int]:
    hits = _matcher(terms).findall(text)
    return set(hits), sum(len(h) for h in hits)


def external_spam_links(links: list[tuple[str, str]], page_host: str | None, config: SpamConfig) -> int:
    """How many (href, anchor text) pairs leave the page's host with a spam word in their text or URL."""
    count = 0
    for href, text in links:
        parts = urlsplit(href)
        if not parts.netloc or (page_host and parts.hostname == page_host):
            continue  # hidden internal links are drop-down menus, normal on government sites
        haystack = f"{text} {href}"
        if any(t in haystack for t in (*config.strong_terms, *config.weak_terms)) or re.search(
            r"caipiao|bocai|duchang|bjl|ssc|k3|pk10|casino|bet|lottery", href, re.IGNORECASE
        ):
            count += 1
    return count


def spam_signals(
    text: str,
    *,
    article_script: str | None = None,
    hidden: bool = False,
    spam_links: int = 0,
    config: SpamConfig | None = None,
) -> tuple[float, tuple[str, ...]]:
    """(score, the signals that fired) for *text*."""
    config = config or SpamConfig()
    weights = dict(config.weights)
    strong, strong_chars = _terms(text, config.strong_terms)
    weak, weak_chars = _terms(text, config.weak_terms)
    fired: list[str] = []
    score = 0.0
    if strong:
        score += weights["strong_term"] * min(len(strong), 4)
        fired.append("strong_term")
    if weak:
        score += weights["weak_term"] * min(len(weak), 3)
        fired.append("weak_term")
    if strong and (strong_chars + weak_chars) / max(len(text), 1) >= config.min_density:
        score += weights["density"]
        fired.append("density")
    if len(text.split()) >= config.min_fragments and not _SENTENCE_PUNCT.search(text):
        score += weights["keyword_salad"]
        fired.append("keyword_salad")
    if strong and article_script in ("simplified", "traditional"):  # only worth the cost for a suspect
        own = detect_script(text)
        if own in ("simplified", "traditional") and own != article_script:
            score += weights["script_mismatch"]
            fired.append("script_mismatch")
    if hidden:
        score += weights["hidden"]
        fired.append("hidden")
    if spam_links:
        score += weights["external_links"]
        fired.append("external_links")
    return score, tuple(fired)


def check_spam(
    text: str,
    *,
    article_script: str | None = None,
    hidden: bool = False,
    spam_links: int = 0,
    config: SpamConfig | None = None,
) -> Verdict:
    """KEEP, or ``spam:<signals>`` when the signals add up and one of them is specific to spam."""
    score, fired = spam_signals(
        text, article_script=article_script, hidden=hidden, spam_links=spam_links, config=config
    )
    specific = "strong_term" in fired or "external_links" in fired
    threshold = (config or SpamConfig()).threshold
    if specific and score >= threshold:
        return Verdict(False, "spam:" + "+".join(fired))
    return KEEP
