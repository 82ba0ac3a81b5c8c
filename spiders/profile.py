"""Site profiles: frozen data that says where a site's lists are, what its articles look like and how
it pages. A profile does nothing itself; the generic spider reads it (G2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

__all__ = ["PAGINATION_KINDS", "Pagination", "Politeness", "ProfileError", "Registry", "SiteProfile", "load_registry"]

PAGINATION_KINDS = ("next_link", "create_page_html", "counter", "hanweb_dataproxy")
_SITES_DIR = Path(__file__).with_name("sites")


class ProfileError(ValueError):
    """A site profile is invalid (raised when the profile is loaded, not hours into a crawl)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagination:
    kind: str
    # next_link: regex for the anchor text of the next page
    text: str = r"^\s*(?:下一页|下页|后一页|下一頁|&gt;|>|›)\s*$"
    # counter: regex over the list URL with one group holding the page number
    pattern: str | None = None
    # hanweb_dataproxy: endpoint and records per page
    endpoint: str = "/module/web/jpage/dataproxy.jsp"
    perpage: int = 15
    max_pages: int = 1000  # a bound on any list, so a broken counter cannot page forever

    def __post_init__(self) -> None:
        if self.kind not in PAGINATION_KINDS:
            raise ProfileError(f"unknown pagination kind {self.kind!r}; expected one of {', '.join(PAGINATION_KINDS)}")
        if self.kind == "counter" and (not self.pattern or re.compile(self.pattern).groups != 1):
            raise ProfileError("counter pagination needs a pattern with exactly one group (the page number)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Politeness:
    delay: float = 1.5  # seconds between requests to one host
    concurrency: int = 1  # requests in flight to one host


@dataclass(frozen=True, kw_only=True)
class SiteProfile:
    key: str
    name: str
    base_url: str
    start: tuple[str, ...]  # list pages, as paths (or absolute URLs on one of the hosts)
    article: str  # regex over path+query of article pages
    lists: tuple[str, ...] = ()  # regexes over path+query of further list pages to follow when linked
    hosts: tuple[str, ...] = ()  # allowed hosts; the base_url's host is always allowed
    pagination: tuple[Pagination, ...] = ()
    family: str = "generic"  # trs hanweb cac ucap table generic
    group: str = "default"
    enabled: bool = True
    confidence: str = "confirmed"
    charset: str | None = None
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # content/title/date selectors
    canonicalize: tuple[tuple[str, str], ...] = ()  # (regex, replacement) applied to article URLs
    politeness: Politeness = field(default_factory=Politeness)
    schedule: str | None = None  # cron expression in Asia/Shanghai; None: the scheduler's default
    notes: str = ""

    def __post_init__(self) -> None:
        if not (self.key and self.name and self.base_url and self.start and self.article):
            raise ProfileError(f"profile {self.key or '?'}: key, name, base_url, start and article are required")
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", self.key):
            raise ProfileError(f"profile key {self.key!r}: use lower-case letters, digits, '.', '_' or '-'")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProfileError(f"profile {self.key}: base_url must be an http(s) URL, got {self.base_url!r}")
        for rx in (self.article, *self.lists, *(p for p, _ in self.canonicalize)):
            try:
                re.compile(rx)
            except re.error as exc:
                raise ProfileError(f"profile {self.key}: bad regex {rx!r}: {exc}") from exc

    @cached_property
    def allowed_hosts(self) -> frozenset[str]:
        host = urlsplit(self.base_url).hostname or ""
        return frozenset({host, *(h.lower() for h in self.hosts)})

    @cached_property
    def _article_rx(self) -> re.Pattern[str]:
        return re.compile(self.article)

    @cached_property
    def _list_rxs(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(rx) for rx in self.lists)

    def start_urls(self) -> list[str]:
        return [urljoin(self.base_url.rstrip("/") + "/", s.lstrip("/")) if "://" not in s else s for s in self.start]

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.allowed_hosts

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def is_article(self, url: str) -> bool:
        return self.allows(url) and bool(self._article_rx.search(self._path(url)))

    def is_list(self, url: str) -> bool:
        return self.allows(url) and any(rx.search(self._path(url)) for rx in self._list_rxs)

    def canonical(self, url: str) -> str:
        url = url.split("#", 1)[0]
        for rx, repl in self.canonicalize:
            url = re.sub(rx, repl, url)
        return url

    def with_base_url(self, base_url: str) -> SiteProfile:
        """The same profile pointed elsewhere (tests, mirrors)."""
        return replace(self, base_url=base_url, hosts=())

    def summary(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "family": self.family,
            "group": self.group,
            "enabled": self.enabled,
            "confidence": self.confidence,
            "base_url": self.base_url,
            "start_urls": self.start_urls(),
            "article": self.article,
            "pagination": [p.kind for p in self.pagination],
        }


def _profile_from(raw: dict[str, Any], *, group: str, source: str) -> SiteProfile:
    raw = dict(raw)
    try:
        pag = raw.pop("pagination", []) or []
        if isinstance(pag, dict):
            pag = [pag]
        politeness = Politeness(**(raw.pop("politeness", None) or {}))
        hints = {k: tuple(v) if isinstance(v, list) else (v,) for k, v in (raw.pop("hints", None) or {}).items()}
        canon = tuple(tuple(pair) for pair in raw.pop("canonicalize", []) or [])
        return SiteProfile(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()},
            pagination=tuple(Pagination(**p) for p in pag),
            politeness=politeness,
            hints=hints,
            canonicalize=canon,  # type: ignore[arg-type]
            group=raw.get("group", group),
        )
    except TypeError as exc:
        raise ProfileError(f"{source}: profile {raw.get('key', '?')}: {exc}") from exc


class Registry:
    """The site profiles govnews knows, by key, in file order."""

    def __init__(self, profiles: list[SiteProfile]) -> None:
        self._by_key: dict[str, SiteProfile] = {}
        for p in profiles:
            if p.key in self._by_key:
                raise ProfileError(f"duplicate profile key {p.key!r}")
            self._by_key[p.key] = p

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __getitem__(self, key: str) -> SiteProfile:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"no site profile {key!r}; `govnews sites` lists them") from None

    def group(self, name: str) -> list[SiteProfile]:
        return [p for p in self if p.group == name]

    def enabled(self, *, group: str | None = None) -> list[SiteProfile]:
        return [p for p in self if p.enabled and (group is None or p.group == group)]


def load_profile_file(path: Path) -> list[SiteProfile]:
    """The profiles of one YAML file (`sites:` list, optional `group:` and `defaults:`)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: cannot read profiles: {exc}") from exc
    if not isinstance(doc, dict):
        raise ProfileError(f"{path}: expected a mapping with a 'sites' list")
    group = doc.get("group", path.stem)
    defaults = doc.get("defaults", {}) or {}
    profiles = []
    for raw in doc.get("sites", []) or []:
        merged = {**defaults, **raw}
        if "politeness" in defaults and "politeness" in raw:
            merged["politeness"] = {**defaults["politeness"], **raw["politeness"]}
        profiles.append(_profile_from(merged, group=group, source=path.name))
    return profiles


def load_registry(directory: Path = _SITES_DIR, *, extra: list[Path] | tuple[Path, ...] = ()) -> Registry:
    """Every profile in *directory*/*.yaml, plus those of the *extra* files (e.g. `govnews sites add`)."""
    profiles: list[SiteProfile] = []
    for path in [*sorted(directory.glob("*.yaml")), *extra]:
        profiles.extend(load_profile_file(Path(path)))
    return Registry(profiles)
