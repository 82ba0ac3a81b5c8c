"""The leased frontier on a real redis-server: leases, expiry, the retry cap, per-host politeness,
the send-time gate, fleet-wide back-off, JSON requests, and the fleet commands' clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest
from redis_server import free_port
from scrapy import FormRequest, Request

from crawler.frontier import Frontier, FrontierUnavailable, decode_request, encode_request


def _entries(host: str, n: int, priority: int = 0) -> list[tuple[str, str, str, int]]:
    return [(f"{host}-{i}", f"http://{host}/{i}", json.dumps({"url": f"http://{host}/{i}"}), priority)
            for i in range(n)]


def _invariant(f: Frontier) -> dict[str, int]:
    c = f.counts()
    assert c["seen"] == c["done"] + c["queued"] + c["leased"] + c["dead"], c
    return c


def test_push_dedups_and_pop_leases_instead_of_removing(redis_server: Any) -> None:
    f = Frontier(redis_server.url, "t", lease_s=30)
    assert f.push(_entries("a.test", 3), delay=0, concurrency=5) == 3
    assert f.push(_entries("a.test", 3), delay=0, concurrency=5) == 0  # seen already
    got = f.pop()
    assert got is not None and not isinstance(got, float)
    c = _invariant(f)
    assert (c["queued"], c["leased"]) == (2, 1)
    assert f.ack([got.fid]) == 1
    assert f.ack([got.fid]) == 0  # a second acknowledgement changes nothing
    c = _invariant(f)
    assert (c["done"], c["queued"], c["leased"]) == (1, 2, 0)


def test_an_expired_lease_comes_back_first_and_dies_after_the_cap(redis_server: Any) -> None:
    f = Frontier(redis_server.url, "t", lease_s=0.3, max_attempts=2, consumer="one")
    f.push(_entries("a.test", 2), delay=0, concurrency=5)
    first = f.pop()
    time.sleep(0.4)
    other = Frontier(redis_server.url, "t", lease_s=0.3, max_attempts=2, consumer="two")
    again = other.pop()  # the expired lease is handed out again before the rest of the queue
    assert again.fid == first.fid
    assert f.renew([first.fid]) == 0  # no longer ours
    time.sleep(0.4)
    nxt = other.pop()  # the second expiry hits the cap: set aside as dead
    c = _invariant(f)
    assert c["dead"] == 1 and first.fid in f.dead()
    assert nxt.fid != first.fid


def test_renew_keeps_a_lease_and_release_gives_it_back_unfetched(redis_server: Any) -> None:
    f = Frontier(redis_server.url, "t", lease_s=0.5, consumer="one")
    f.push(_entries("a.test", 1), delay=0, concurrency=5)
    got = f.pop()
    for _ in range(4):
        time.sleep(0.2)
        assert f.renew([got.fid]) == 1
    assert f.counts()["leased"] == 1
    assert f.release([got.fid]) == 1
    c = _invariant(f)
    assert (c["queued"], c["leased"]) == (1, 0)
    assert f.r.hget(f.key("attempts"), got.fid) is None  # a clean give-back is no failed attempt


def test_per_host_delay_and_concurrency_hold_for_every_consumer(redis_server: Any) -> None:
    a = Frontier(redis_server.url, "t", consumer="one")
    b = Frontier(redis_server.url, "t", consumer="two")
    a.set_host_politeness({"slow.test": (0.5, 1), "fast.test": (0.0, 2)})
    a.push(_entries("slow.test", 3) + _entries("fast.test", 4))
    hosts = [a.pop().host, b.pop().host, a.pop().host]
    assert hosts.count("slow.test") == 1  # one slow request out; its next slot is 0.5 s away
    assert sorted(hosts).count("fast.test") == 2
    wait = b.pop()  # fast.test is at its concurrency, slow.test not due
    assert isinstance(wait, float) and 0 < wait <= 1.0
    for h in a.hosts():
        assert h["leased"] <= h["concurrency"]


def test_gate_spaces_requests_and_backoff_pauses_the_host_for_the_fleet(redis_server: Any) -> None:
    a = Frontier(redis_server.url, "t", consumer="one")
    b = Frontier(redis_server.url, "t", consumer="two")
    a.set_host_politeness({"h.test": (0.3, 1)})
    assert a.gate("h.test", 1.0) == 0.0
    wait = b.gate("h.test", 1.0)
    assert 0.25 < wait <= 0.3
    time.sleep(wait)
    assert b.gate("h.test", 1.0, guard=0.2) > 0.1  # the guard lengthens the gap, never shortens it
    assert b.gate("h.test", 1.0) == 0.0
    a.backoff("h.test", 5)
    assert b.gate("h.test", 1.0) > 4.5


def test_requests_travel_as_json_not_pickle() -> None:
    from spiders.base import SiteSpider

    spider = SiteSpider(sites="", fleet=True)
    req = FormRequest("http://x.test/dataproxy.jsp?startrecord=16", formdata=[("col", "1"), ("webid", "33")],
                      callback=spider.parse_list, errback=spider.failed, priority=3,
                      headers={"If-None-Match": '"abc"'},
                      meta={"site": "x", "form": (("col", "1"),), "download_slot": "x", "obj": object()})
    text = encode_request(req.to_dict(spider=spider))
    doc = json.loads(text)  # plain JSON
    assert "obj" not in doc["meta"] and "download_slot" not in doc["meta"]
    from scrapy.utils.request import request_from_dict

    back = request_from_dict(decode_request(text), spider=spider)
    assert isinstance(back, FormRequest)
    assert (back.url, back.method, back.body, back.priority) == (req.url, "POST", req.body, 3)
    assert back.headers[b"If-None-Match"] == b'"abc"'
    assert back.callback == spider.parse_list and back.errback == spider.failed
    assert back.meta["form"] == [["col", "1"]]
    assert isinstance(request_from_dict(decode_request(encode_request(Request("http://y.test/").to_dict())),
                                        spider=spider), Request)


def test_redis_down_is_an_exception_to_wait_on_not_a_crash() -> None:
    f = Frontier(f"redis://127.0.0.1:{free_port()}/0", "t")
    with pytest.raises(FrontierUnavailable):
        f.pop()


def _govnews(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_fleet_commands_fail_cleanly(redis_server: Any, tmp_path: Any) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    dead = f"redis://127.0.0.1:{free_port()}/0"
    r = _govnews("seed", "--frontier", dead, "--db", db, "--site", "cac")
    assert r.returncode == 1 and "Redis" in r.stderr and "Traceback" not in r.stderr
    started = time.monotonic()
    r = _govnews("crawl", "--frontier", dead, "--db", db, "-s", "GOVNEWS_FRONTIER_WAIT=1.5")
    assert r.returncode == 1 and "Redis" in r.stderr and "Traceback" not in r.stderr
    assert time.monotonic() - started >= 1.5  # it waited for Redis before giving up
    r = _govnews("crawl", "--frontier", redis_server.url, "--db", db)
    assert r.returncode == 1 and "govnews seed" in r.stderr and "Traceback" not in r.stderr
    r = _govnews("status", "--frontier", redis_server.url, "--json")
    assert r.returncode == 0
    info = json.loads(r.stdout)
    assert info["run_id"] is None and info["queued"] == 0 and info["processes"] == []


def test_seed_status_and_reseed(redis_server: Any, tmp_path: Any, sample_web: Any) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    common = ["--frontier", redis_server.url, "--db", db, "--sandbox", sample_web.url]
    first = json.loads(_govnews("seed", *common, "--site", "sandbox-cq", "--json").stdout)
    assert first["queued"] == 1 and first["run_id"] == 1
    again = json.loads(_govnews("seed", *common, "--site", "sandbox-cq", "--site", "sandbox-sc", "--json").stdout)
    assert again["appended"] and again["run_id"] == 1 and again["queued"] == 1  # cq's start URL was seen
    info = json.loads(_govnews("status", "--frontier", redis_server.url, "--json").stdout)
    assert info["run_id"] == 1 and set(info["sites"]) == {"sandbox-cq", "sandbox-sc"} and info["queued"] == 2
    other = f"sqlite:///{tmp_path / 'b.db'}"
    r = _govnews("seed", "--frontier", redis_server.url, "--db", other, "--sandbox", sample_web.url)
    assert r.returncode == 1 and "belongs to the archive" in r.stderr
    fresh = json.loads(_govnews("seed", *common, "--site", "sandbox-cq", "--reset", "--json").stdout)
    assert fresh["run_id"] == 2 and not fresh["appended"] and fresh["queued"] == 1
    r = _govnews("runs", "--db", db, "--json")
    statuses = [json.loads(line)["status"] for line in r.stdout.splitlines()]
    assert sorted(statuses) == ["interrupted", "running"]
