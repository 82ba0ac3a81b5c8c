"""A leased crawl frontier in Redis, shared by any number of crawl processes on any machines.

scrapy-redis pops a request by removing it: a process that dies holding it loses it for good. Here a
popped request is *leased*: it stays in the frontier, owned by one process until a deadline, and
leaves only when that process acknowledges it, after its capture (and, for a list page, every link
found on it) is committed. A lease that runs out returns the request to its host's queue, at most
``max_attempts`` times; then the request is set aside as dead, with its reason. Being *seen* (the
duplicate filter) and being *done* (acknowledged) are kept apart, so ``seen = done + queued +
leased + dead`` holds at every moment and can be checked.

Politeness holds for the whole fleet: each host has its own queue, a request is handed out only when
its host's next slot has come (``delay`` after the last hand-out) and fewer than ``concurrency`` of
its requests are leased; a gate checked right before sending spaces the actual requests to a host by
``delay`` on the Redis server's clock, whichever process sends them. robots.txt bodies are shared.

Every change is one Lua script, so a process killed between two Redis calls leaves nothing half done
(seen but never queued, popped but not leased). Keys live under ``govnews:{NAME}:``; the braces make
them one Redis Cluster hash slot. Requests are stored as JSON, never pickle.

This module talks to Redis only; the Scrapy side is ``crawler.fleet``.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis

__all__ = ["Frontier", "FrontierUnavailable", "decode_request", "encode_request", "host_of"]

logger = logging.getLogger(__name__)

# Errors that mean "Redis is not answering right now": wait and try again, never give up the data.
TRANSIENT = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError,
             OSError)


class FrontierUnavailable(RuntimeError):
    """Redis did not answer; the operation can be retried later."""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


# --- requests as JSON ------------------------------------------------------------------------

def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


# meta set by Scrapy's own middlewares for one process's handling of one download: not part of the request
_LOCAL_META = {"download_slot", "download_latency", "retry_times", "redirect_times", "redirect_ttl",
               "redirect_urls", "redirect_reasons", "govnews_not_before", "govnews_challenge", "_slot_proxy",
               "proxy", "_auth_proxy", "download_timeout", "govnews_fid"}


def encode_request(d: Mapping[str, Any]) -> str:
    """JSON text of a request dict (``Request.to_dict()``): bytes as latin-1 or base64, meta filtered."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        if key == "headers":
            out["headers"] = {(k.decode("latin-1") if isinstance(k, bytes) else k):
                              [v.decode("latin-1") if isinstance(v, bytes) else v for v in vs]
                              for k, vs in (value or {}).items()}
        elif key == "body":
            out["body"] = base64.b64encode(value or b"").decode("ascii")
        elif key == "meta":
            out["meta"] = {k: v for k, v in (value or {}).items() if k not in _LOCAL_META and _jsonable(v)}
        elif _jsonable(value):
            out[key] = value
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def decode_request(text: str) -> dict[str, Any]:
    """The request dict of :func:`encode_request`'s text, ready for ``request_from_dict``."""
    d = json.loads(text)
    d["headers"] = {k.encode("latin-1"): [v.encode("latin-1") for v in vs] for k, vs in d.get("headers", {}).items()}
    d["body"] = base64.b64decode(d.get("body", ""))
    return d


# --- Lua: each one atomic ----------------------------------------------------------------------

_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# KEYS: none (all under ARGV[1]); ARGV: prefix, then a flat list of (fid, host, json, priority) * n,
# default delay, default concurrency at the front. Returns how many were new.
_PUSH = """
local P = ARGV[1]; local delay = ARGV[2]; local conc = ARGV[3]; local added = 0
for i = 4, #ARGV, 4 do
  local fid, host, body, prio = ARGV[i], ARGV[i+1], ARGV[i+2], tonumber(ARGV[i+3])
  if redis.call('SADD', P..'seen', fid) == 1 then
    redis.call('HSET', P..'req', fid, body)
    redis.call('HSET', P..'qhost', fid, host)
    local seq = redis.call('INCR', P..'seq')
    redis.call('ZADD', P..'q:'..host, -prio * 1e12 + seq, fid)
    redis.call('HSETNX', P..'hostcfg', host, delay..' '..conc)
    local nxt = tonumber(redis.call('HGET', P..'next', host) or '0')
    redis.call('ZADD', P..'hosts', 'NX', nxt, host)
    added = added + 1
  end
end
redis.call('HINCRBY', P..'stats', 'pushed', added)
return added
"""

# Expired leases back to their queue (or dead past the cap), then one request of a due host.
# ARGV: prefix, consumer, lease seconds, max attempts. Returns {fid, json, host} or {false, wait}.
_POP = _NOW + """
local P = ARGV[1]; local consumer = ARGV[2]; local lease = tonumber(ARGV[3]); local cap = tonumber(ARGV[4])
local expired = redis.call('ZRANGEBYSCORE', P..'leases', '-inf', now, 'LIMIT', 0, 100)
for _, fid in ipairs(expired) do
  local host = redis.call('HGET', P..'qhost', fid)
  redis.call('ZREM', P..'leases', fid); redis.call('HDEL', P..'owner', fid)
  if host then redis.call('HINCRBY', P..'inflight', host, -1) end
  local n = redis.call('HINCRBY', P..'attempts', fid, 1)
  redis.call('HINCRBY', P..'stats', 'expired', 1)
  if n >= cap then
    redis.call('HSET', P..'dead', fid, redis.call('HGET', P..'req', fid) or '')
    redis.call('HDEL', P..'req', fid); redis.call('HDEL', P..'qhost', fid)
    redis.call('HINCRBY', P..'stats', 'dead', 1)
  elseif host then
    redis.call('ZADD', P..'q:'..host, -1e15, fid)   -- first in line: it has waited long enough
    redis.call('ZADD', P..'hosts', 'LT', math.max(tonumber(redis.call('HGET', P..'next', host) or '0'), now), host)
  end
end
local hosts = redis.call('ZRANGEBYSCORE', P..'hosts', '-inf', now, 'LIMIT', 0, 64)
for _, host in ipairs(hosts) do
  local cfg = redis.call('HGET', P..'hostcfg', host) or '0 1'
  local sp = string.find(cfg, ' ')
  local delay = tonumber(string.sub(cfg, 1, sp - 1)); local conc = tonumber(string.sub(cfg, sp + 1))
  local busy = tonumber(redis.call('HGET', P..'inflight', host) or '0')
  if busy >= conc then
    redis.call('ZADD', P..'hosts', 'XX', now + 1, host)   -- looked at again in 1 s, or when one is acknowledged
  else
    local got = redis.call('ZPOPMIN', P..'q:'..host)
    if #got == 0 then
      redis.call('ZREM', P..'hosts', host)
    else
      local fid = got[1]
      local nxt = now + delay
      redis.call('HSET', P..'next', host, nxt)
      if redis.call('ZCARD', P..'q:'..host) == 0 then redis.call('ZREM', P..'hosts', host)
      else redis.call('ZADD', P..'hosts', nxt, host) end
      redis.call('HINCRBY', P..'inflight', host, 1)
      redis.call('ZADD', P..'leases', now + lease, fid)
      redis.call('HSET', P..'owner', fid, consumer)
      return {fid, redis.call('HGET', P..'req', fid) or '', host}
    end
  end
end
local first = redis.call('ZRANGE', P..'hosts', 0, 0, 'WITHSCORES')
if #first == 0 then return {false, '-1'} end
return {false, tostring(math.max(0, tonumber(first[2]) - now))}
"""

# ARGV: prefix, outcome, then fids. Removes each from the frontier for good; returns how many were out.
_ACK = _NOW + """
local P = ARGV[1]; local n = 0
for i = 3, #ARGV do
  local fid = ARGV[i]
  local host = redis.call('HGET', P..'qhost', fid)
  if host then
    if redis.call('ZREM', P..'leases', fid) == 1 then redis.call('HINCRBY', P..'inflight', host, -1) end
    redis.call('ZREM', P..'q:'..host, fid)
    redis.call('HDEL', P..'req', fid); redis.call('HDEL', P..'qhost', fid)
    redis.call('HDEL', P..'owner', fid); redis.call('HDEL', P..'attempts', fid)
    redis.call('SADD', P..'done', fid)
    redis.call('HINCRBY', P..'stats', 'done', 1)
    redis.call('HINCRBY', P..'stats', 'done:'..ARGV[2], 1)
    if redis.call('ZCARD', P..'q:'..host) > 0 then
      redis.call('ZADD', P..'hosts', 'LT', math.max(tonumber(redis.call('HGET', P..'next', host) or '0'), now), host)
    end
    n = n + 1
  end
end
return n
"""

# Leases this consumer still holds go back to the front of their queue, unfetched (a clean shutdown).
_RELEASE = _NOW + """
local P = ARGV[1]; local consumer = ARGV[2]; local n = 0
for i = 3, #ARGV do
  local fid = ARGV[i]
  if redis.call('HGET', P..'owner', fid) == consumer then
    local host = redis.call('HGET', P..'qhost', fid)
    redis.call('ZREM', P..'leases', fid); redis.call('HDEL', P..'owner', fid)
    if host then
      redis.call('HINCRBY', P..'inflight', host, -1)
      redis.call('ZADD', P..'q:'..host, -1e15, fid)
      redis.call('ZADD', P..'hosts', 'LT', math.max(tonumber(redis.call('HGET', P..'next', host) or '0'), now), host)
    end
    n = n + 1
  end
end
return n
"""

# ARGV: prefix, consumer, lease seconds, then fids: extend the ones still ours. Returns how many.
_RENEW = _NOW + """
local P = ARGV[1]; local consumer = ARGV[2]; local lease = tonumber(ARGV[3]); local n = 0
for i = 4, #ARGV do
  if redis.call('HGET', P..'owner', ARGV[i]) == consumer then
    redis.call('ZADD', P..'leases', 'XX', now + lease, ARGV[i]); n = n + 1
  end
end
return n
"""

# The send-time gate: 0 when a request to the host may go now (and it is recorded as sent), else the
# seconds to wait. ARGV: prefix, host, fallback delay, guard (added to the delay: the time between the
# gate's answer and the request on the wire varies by process, and must never shorten a gap).
_GATE = _NOW + """
local P = ARGV[1]; local host = ARGV[2]
local cfg = redis.call('HGET', P..'hostcfg', host)
local delay = tonumber(ARGV[3])
if cfg then delay = tonumber(string.sub(cfg, 1, string.find(cfg, ' ') - 1)) end
if delay > 0 then delay = delay + tonumber(ARGV[4]) end
local last = tonumber(redis.call('GET', P..'gate:'..host) or '-1e18')
local pause = tonumber(redis.call('HGET', P..'pause', host) or '0')
local wait = math.max(last + delay - now, pause - now)
if wait > 0 then return tostring(wait) end
redis.call('SET', P..'gate:'..host, tostring(now), 'EX', 86400)
return '0'
"""

# A challenge or an error storm: nobody in the fleet asks the host anything for *seconds*.
_BACKOFF = _NOW + """
local P = ARGV[1]; local host = ARGV[2]; local until_ = now + tonumber(ARGV[3])
if until_ > tonumber(redis.call('HGET', P..'pause', host) or '0') then
  redis.call('HSET', P..'pause', host, until_)
  redis.call('HSET', P..'next', host, until_)
  redis.call('ZADD', P..'hosts', 'XX', 'GT', until_, host)
end
return tostring(until_)
"""


@dataclass(slots=True)
class Popped:
    fid: str
    body: str
    host: str


class Frontier:
    """One named frontier on one Redis server. Every method may raise :class:`FrontierUnavailable`."""

    def __init__(self, url: str, name: str = "govnews", *, lease_s: float = 300.0, max_attempts: int = 3,
                 consumer: str | None = None) -> None:
        self.url = url
        self.name = name
        self.prefix = f"govnews:{{{name}}}:"
        self.lease_s = float(lease_s)
        self.max_attempts = int(max_attempts)
        self.consumer = consumer or f"{socket.gethostname()}:{os.getpid()}"
        self.r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=3,
                                      health_check_interval=15)
        self._push = self.r.register_script(_PUSH)
        self._pop = self.r.register_script(_POP)
        self._ack = self.r.register_script(_ACK)
        self._release = self.r.register_script(_RELEASE)
        self._renew = self.r.register_script(_RENEW)
        self._gate = self.r.register_script(_GATE)
        self._backoff = self.r.register_script(_BACKOFF)

    def key(self, name: str) -> str:
        return self.prefix + name

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TRANSIENT as exc:
            raise FrontierUnavailable(f"Redis at {self.url} not answering: {type(exc).__name__}: {exc}") from exc

    def ping(self) -> None:
        self._call(self.r.ping)

    # --- the queue -----------------------------------------------------------------------

    def push(self, entries: Iterable[tuple[str, str, str, int]], *, delay: float = 1.0, concurrency: int = 1) -> int:
        """Queue (fid, url, json, priority) entries not seen before; returns how many were new."""
        args: list[Any] = [self.prefix, repr(float(delay)), str(int(concurrency))]
        for fid, url, body, priority in entries:
            args += [fid, host_of(url), body, int(priority)]
        if len(args) == 3:
            return 0
        return int(self._call(self._push, [], args))

    def mark_seen(self, fid: str) -> bool:
        """Add *fid* to the seen set; False if it was there already."""
        return bool(self._call(self.r.sadd, self.key("seen"), fid))

    def pop(self) -> Popped | float | None:
        """A leased request, or the seconds until one could be due (None: the queues are empty)."""
        got = self._call(self._pop, [], [self.prefix, self.consumer, self.lease_s, self.max_attempts])
        if got[0]:
            return Popped(fid=got[0], body=got[1], host=got[2])
        wait = float(got[1])
        return None if wait < 0 else wait

    def ack(self, fids: Iterable[str], outcome: str = "done") -> int:
        fids = list(fids)
        return int(self._call(self._ack, [], [self.prefix, outcome, *fids])) if fids else 0

    def release(self, fids: Iterable[str]) -> int:
        fids = list(fids)
        return int(self._call(self._release, [], [self.prefix, self.consumer, *fids])) if fids else 0

    def renew(self, fids: Iterable[str]) -> int:
        fids = list(fids)
        return int(self._call(self._renew, [], [self.prefix, self.consumer, self.lease_s, *fids])) if fids else 0

    def gate(self, host: str, delay: float, guard: float = 0.0) -> float:
        """0.0 if a request to *host* may be sent now (recorded as sent), else seconds to wait."""
        return float(self._call(self._gate, [], [self.prefix, host, float(delay), float(guard)]))

    def backoff(self, host: str, seconds: float) -> None:
        self._call(self._backoff, [], [self.prefix, host, float(seconds)])

    def set_host_politeness(self, politeness: Mapping[str, tuple[float, int]]) -> None:
        if politeness:
            self._call(self.r.hset, self.key("hostcfg"),
                       mapping={h: f"{float(d)!r} {int(c)}" for h, (d, c) in politeness.items()})

    # --- what the fleet shares beside the queue ------------------------------------------

    def robots_get(self, netloc: str) -> str | None:
        return self._call(self.r.get, self.key(f"robots:{netloc}"))

    def robots_put(self, netloc: str, body: str, ttl_s: int = 86400) -> None:
        self._call(self.r.set, self.key(f"robots:{netloc}"), body, ex=ttl_s)

    def meta(self) -> dict[str, str]:
        return self._call(self.r.hgetall, self.key("meta"))

    def set_meta(self, **values: Any) -> None:
        self._call(self.r.hset, self.key("meta"),
                   mapping={k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()})

    def add_stats(self, counters: Mapping[str, int]) -> None:
        if counters:
            pipe = self.r.pipeline(transaction=True)
            for k, v in counters.items():
                pipe.hincrby(self.key("stats"), k, int(v))
            self._call(pipe.execute)

    def heartbeat(self, info: Mapping[str, Any]) -> None:
        self._call(self.r.hset, self.key("procs"), self.consumer, json.dumps({**info, "at": time.time()}))

    def leave(self) -> None:
        self._call(self.r.hdel, self.key("procs"), self.consumer)

    def processes(self, *, alive_within: float | None = None) -> dict[str, dict[str, Any]]:
        window = alive_within if alive_within is not None else max(self.lease_s, 30.0)
        now = time.time()
        out = {}
        for consumer, raw in self._call(self.r.hgetall, self.key("procs")).items():
            info = json.loads(raw)
            if now - float(info.get("at", 0)) <= window:
                out[consumer] = info
        return out

    def claim_finish(self) -> bool:
        """True for exactly one caller once the crawl is over (it records the run as finished)."""
        return bool(self._call(self.r.set, self.key("finished"), self.consumer, nx=True))

    # --- figures -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        pipe = self.r.pipeline(transaction=False)
        pipe.scard(self.key("seen"))
        pipe.scard(self.key("done"))
        pipe.hlen(self.key("req"))
        pipe.zcard(self.key("leases"))
        pipe.hlen(self.key("dead"))
        seen, done, held, leased, dead = self._call(pipe.execute)
        return {"seen": seen, "done": done, "queued": held - leased, "leased": leased, "dead": dead}

    def pending(self) -> int:
        """Requests queued or leased anywhere in the fleet: the crawl is not over while > 0."""
        return int(self._call(self.r.hlen, self.key("req")))

    def hosts(self) -> list[dict[str, Any]]:
        now = float(self._call(self.r.time)[0])
        cfg = self._call(self.r.hgetall, self.key("hostcfg"))
        inflight = self._call(self.r.hgetall, self.key("inflight"))
        pause = self._call(self.r.hgetall, self.key("pause"))
        out = []
        for host in sorted(cfg):
            queued = int(self._call(self.r.zcard, self.key(f"q:{host}")))
            delay, conc = cfg[host].split()
            paused = max(0.0, float(pause.get(host, 0)) - now)
            out.append({"host": host, "queued": queued, "leased": int(inflight.get(host, 0) or 0),
                        "delay": float(delay), "concurrency": int(conc), "paused_s": round(paused, 1)})
        return out

    def dead(self) -> dict[str, str]:
        return self._call(self.r.hgetall, self.key("dead"))

    def memory_bytes(self) -> int:
        return int(self._call(self.r.info, "memory")["used_memory"])

    def clear(self) -> int:
        """Delete every key of this frontier; returns how many were deleted."""
        keys = self._call(lambda: list(self.r.scan_iter(f"{self.prefix}*", 1000)))
        n = 0
        for i in range(0, len(keys), 500):
            n += int(self._call(self.r.delete, *keys[i:i + 500]))
        return n

    def close(self) -> None:
        self.r.close()
