"""Cached answers sent from the event loop (src/api/fast.c).

A cached search or statistics request is first tried on Kore's event
loop: credentials checked locally, then one Redis script finds the
records, the revocation flag, the cache generation and the answer, and
counts the request. These tests prove that this path answers (the
vigie_http_event_loop_answers_total counter moves), that its answers are
those of the ordinary path, in identity and gzip encodings, and that it
never serves what the ordinary path would refuse: another tenant's
answer, a revoked key or token, a suspended tenant, a missing scope, a
request over the quota."""
import gzip
import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import Api, wait_for
from test_search import drop_indices, ingest, json_docs, wait_hit

LOOP = "vigie_http_event_loop_answers_total"


def metric(base_url, name):
    text = requests.get(f"{base_url}/metrics", timeout=30).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError(f"{name} is not in /metrics")


def loop_answers(base_url):
    return metric(base_url, LOOP)


def make_key(t, scopes):
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": "fast", "scopes": scopes})
    assert r.status_code == 201, r.text
    return r.json()


def key_api(t, key):
    return Api(t["api"].base_url, f"ApiKey {key}")


def ingest_now(t, message):
    """One INFO document of now, searchable when this returns."""
    ingest(t, [{"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                           time.gmtime()),
                "level": "INFO", "service": "api", "message": message}])


def without_took(body):
    body = dict(body)
    body.pop("took_ms", None)
    return body


@pytest.fixture(scope="module")
def fast(new_tenant):
    t = new_tenant("fast")
    t["marker"] = "f" + uuid.uuid4().hex[:12]
    ingest(t, json_docs(t["marker"]))
    t["key"] = make_key(t, ["read"])
    t["reader"] = key_api(t, t["key"]["key"])
    yield t
    drop_indices(t)


def test_a_cached_search_is_answered_by_the_event_loop(fast, base_url):
    params = {"q": fast["marker"], "size": 20}
    miss = fast["reader"].get("/api/v1/logs", params=params)
    assert miss.status_code == 200, miss.text
    first = wait_hit(fast["reader"], "/api/v1/logs", params)
    before = loop_answers(base_url)
    for _ in range(5):
        r = fast["reader"].get("/api/v1/logs", params=params)
        assert r.status_code == 200 and r.headers["X-Cache"] == "HIT"
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["Content-Type"].startswith("application/json")
        assert without_took(r.json()) == without_took(first.json())
        assert isinstance(r.json()["took_ms"], int)
        assert list(r.json())[-1] == "took_ms"
    assert loop_answers(base_url) - before == 5
    assert without_took(first.json())["total"] == 30


def test_gzip_when_asked_identity_otherwise(fast, base_url):
    params = {"q": fast["marker"], "size": 30}
    plain = wait_hit(fast["reader"], "/api/v1/logs", params).json()
    url = f"{base_url}/api/v1/logs"
    auth = {"Authorization": f"ApiKey {fast['key']['key']}"}
    r = requests.get(url, params=params, stream=True, timeout=30,
                     headers={**auth, "Accept-Encoding": "br, gzip;q=0.8"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in r.headers["Vary"].lower()
    raw = r.raw.read(decode_content=False)
    assert int(r.headers["Content-Length"]) == len(raw)
    body = json.loads(gzip.decompress(raw))
    assert without_took(body) == without_took(plain)
    assert len(raw) < len(json.dumps(plain)) / 3
    for accept in ("identity", "gzip;q=0", "br"):
        r = requests.get(url, params=params, timeout=30,
                         headers={**auth, "Accept-Encoding": accept})
        assert r.status_code == 200 and r.headers["X-Cache"] == "HIT"
        assert "Content-Encoding" not in r.headers
        assert without_took(r.json()) == without_took(plain)


def test_statistics_with_a_persons_token(fast, base_url):
    params = {"from": "now-1h"}
    first = wait_hit(fast["api"], "/api/v1/stats", params)
    before = loop_answers(base_url)
    r = fast["api"].get("/api/v1/stats", params=params)
    assert r.status_code == 200 and r.headers["X-Cache"] == "HIT"
    assert without_took(r.json()) == without_took(first.json())
    assert loop_answers(base_url) - before == 1


def test_a_persons_first_page_still_goes_to_their_history(fast, base_url):
    """Page 1 of a person's search is recorded in their history: the task
    thread answers it, even from the cache."""
    params = {"q": fast["marker"] + " payment", "size": 10}
    wait_hit(fast["api"], "/api/v1/logs", params)
    before = loop_answers(base_url)
    r = fast["api"].get("/api/v1/logs", params=params)
    assert r.headers["X-Cache"] == "HIT"
    assert loop_answers(base_url) == before
    hist = fast["api"].get("/api/v1/searches").json()["items"]
    assert any(h["query"].get("q") == params["q"] for h in hist), hist


def test_another_tenant_never_gets_this_tenants_answer(fast, new_tenant,
                                                       base_url):
    other = new_tenant("fastother")
    reader = key_api(other, make_key(other, ["read"])["key"])
    params = {"q": fast["marker"], "size": 20}
    wait_hit(fast["reader"], "/api/v1/logs", params)
    # Same query, same arguments: the other tenant's own (empty) answer.
    for _ in range(3):
        r = reader.get("/api/v1/logs", params=params)
        assert r.status_code == 200
        assert r.json()["total"] == 0 and r.json()["hits"] == []
    # A key of this tenant that names the other tenant's id is refused.
    mine = fast["key"]["key"]
    forged = f"vgk_{other['tenant']['id']}_{mine.split('_', 2)[2]}"
    r = key_api(other, forged).get("/api/v1/logs", params=params)
    assert r.status_code == 401, r.text


def test_a_revoked_key_is_refused_at_once(fast):
    created = make_key(fast, ["read"])
    api = key_api(fast, created["key"])
    params = {"q": fast["marker"], "size": 5}
    wait_hit(api, "/api/v1/logs", params)
    r = fast["api"].delete(f"/api/v1/api-keys/{created['id']}")
    assert r.status_code == 200, r.text
    r = api.get("/api/v1/logs", params=params)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "invalid_api_key"


def test_a_key_without_the_read_scope_is_403(fast):
    ingest_only = key_api(fast, make_key(fast, ["ingest"])["key"])
    params = {"q": fast["marker"], "size": 6}
    wait_hit(fast["reader"], "/api/v1/logs", params)
    for _ in range(2):
        r = ingest_only.get("/api/v1/logs", params=params)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "forbidden"


def test_a_logged_out_token_is_refused(new_tenant):
    t = new_tenant("fastout")
    params = {"from": "now-2h"}
    wait_hit(t["api"], "/api/v1/stats", params)
    r = t["api"].post("/api/v1/auth/logout",
                      json={"refresh_token": t["refresh"]})
    assert r.status_code in (200, 204), r.text
    r = t["api"].get("/api/v1/stats", params=params)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "token_revoked"


def test_a_suspended_tenant_is_refused_then_restored(admin, new_tenant):
    t = new_tenant("fastsus")
    reader = key_api(t, make_key(t, ["read"])["key"])
    params = {"from": "now-3h"}
    wait_hit(reader, "/api/v1/stats", params)
    tid = t["tenant"]["id"]
    assert admin["api"].post(
        f"/api/v1/admin/tenants/{tid}/suspend").status_code == 200
    for api in (reader, t["api"]):
        r = api.get("/api/v1/stats", params=params)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "tenant_suspended"
    assert admin["api"].post(
        f"/api/v1/admin/tenants/{tid}/reactivate").status_code == 200
    assert reader.get("/api/v1/stats", params=params).status_code == 200


def test_cached_reads_count_against_the_quota_exactly(admin, new_tenant,
                                                      redis, base_url):
    t = new_tenant("fastq")
    key = make_key(t, ["read"])["key"]
    reader = key_api(t, key)
    params = {"from": "now-4h"}
    wait_hit(reader, "/api/v1/stats", params)
    day = time.strftime("%Y-%m-%d", time.gmtime())
    counters = f"t:{t['tenant']['id']}:usage:{day}"
    used = int(redis.hget(counters, "api_requests") or 0)
    allowance = 13
    r = admin["api"].patch(f"/api/v1/admin/tenants/{t['tenant']['id']}",
                           json={"overrides": {
                               "api_requests_per_day": used + 1 + allowance}})
    assert r.status_code == 200, r.text
    # The first request after a change of limits caches them again.
    assert reader.get("/api/v1/stats", params=params).status_code == 200
    before = loop_answers(base_url)

    def hit(_):
        return requests.get(f"{base_url}/api/v1/stats", params=params,
                            timeout=60,
                            headers={"Authorization": f"ApiKey {key}"})

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(hit, range(40)))
    codes = [a.status_code for a in answers]
    assert codes.count(200) == allowance, codes
    assert codes.count(429) == 40 - allowance, codes
    assert all(a.json()["error"]["code"] == "quota_exceeded"
               for a in answers if a.status_code == 429)
    assert int(redis.hget(counters, "api_requests")) == used + 1 + allowance
    # Most were served by the event loop (those that warned at 80 and
    # 95 % went to a task thread, which sends the warning).
    assert loop_answers(base_url) - before >= allowance - 2


def test_misses_and_first_pages_are_counted_once(fast, redis):
    """A miss, or a person's first page, is counted on the event loop and
    answered by a task thread that does not count it again."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    counters = f"t:{fast['tenant']['id']}:usage:{day}"

    def used():
        return int(redis.hget(counters, "api_requests") or 0)
    for api, kind in ((fast["reader"], "miss"), (fast["api"], "page1")):
        for i in range(3):
            before = used()
            r = api.get("/api/v1/logs", params={
                "q": f"{fast['marker']} {kind}{i}{uuid.uuid4().hex[:6]}"})
            assert r.status_code == 200 and r.headers["X-Cache"] == "MISS"
            assert used() == before + 1
    params = {"q": fast["marker"] + " once", "size": 2}
    wait_hit(fast["api"], "/api/v1/logs", params)
    before = used()
    assert fast["api"].get("/api/v1/logs", params=params).headers[
        "X-Cache"] == "HIT"
    assert used() == before + 1


def test_new_data_is_never_answered_from_an_older_generation(fast):
    params = {"q": fast["marker"] + " extra", "size": 5}
    assert wait_hit(fast["reader"], "/api/v1/logs", params).json()[
        "total"] == 0
    ingest_now(fast, f"{fast['marker']} extra")
    r = fast["reader"].get("/api/v1/logs", params=params)
    assert r.headers["X-Cache"] == "MISS"
    assert r.json()["total"] == 1


# ---- leases (core/lease.h): repeated hits without asking Redis -------------

LEASED = "vigie_http_event_loop_leased_answers_total"


def leased_answers(base_url):
    return metric(base_url, LEASED)


def on_a_lease(api, path, params, base_url):
    """Repeats a cached request until one is answered on a lease (the
    metric moves), which proves the next ones may be too."""
    wait_hit(api, path, params)
    before = leased_answers(base_url)
    for _ in range(200):
        r = api.get(path, params=params)
        assert r.status_code == 200 and r.headers["X-Cache"] == "HIT"
        if leased_answers(base_url) > before:
            return r
    raise AssertionError("no answer was sent on a lease")


@pytest.fixture(scope="module")
def leased(admin, new_tenant):
    """A tenant whose allowance leaves room for leases (the free plan's
    10,000 requests a day are all counted one by one: TALLY_MARGIN)."""
    t = new_tenant("lease")
    r = admin["api"].patch(f"/api/v1/admin/tenants/{t['tenant']['id']}",
                           json={"overrides": {
                               "api_requests_per_day": 5000000}})
    assert r.status_code == 200, r.text
    t["marker"] = "l" + uuid.uuid4().hex[:12]
    ingest(t, json_docs(t["marker"]))
    t["key"] = make_key(t, ["read"])
    t["reader"] = key_api(t, t["key"]["key"])
    yield t
    drop_indices(t)


def test_leased_answers_are_the_same_and_counted_exactly(leased, redis,
                                                         base_url):
    params = {"q": leased["marker"], "size": 7}
    first = on_a_lease(leased["reader"], "/api/v1/logs", params, base_url)
    day = time.strftime("%Y-%m-%d", time.gmtime())
    counters = f"t:{leased['tenant']['id']}:usage:{day}"
    time.sleep(0.3)  # the last counts of on_a_lease() reach Redis
    used = int(redis.hget(counters, "api_requests"))
    before = leased_answers(base_url)
    n = 300
    for _ in range(n):
        r = leased["reader"].get("/api/v1/logs", params=params)
        assert r.status_code == 200 and r.headers["X-Cache"] == "HIT"
        assert without_took(r.json()) == without_took(first.json())
    assert leased_answers(base_url) - before > n // 2
    # Every request is counted once, the leased ones a moment later.
    assert wait_for(lambda: int(redis.hget(counters, "api_requests")) >=
                    used + n, 5, 0.05)
    time.sleep(0.3)
    assert int(redis.hget(counters, "api_requests")) == used + n


def test_a_revoked_key_is_refused_at_once_while_leased(leased, base_url):
    created = make_key(leased, ["read"])
    api = key_api(leased, created["key"])
    params = {"q": leased["marker"], "size": 4}
    on_a_lease(api, "/api/v1/logs", params, base_url)
    r = leased["api"].delete(f"/api/v1/api-keys/{created['id']}")
    assert r.status_code == 200, r.text
    for _ in range(20):
        r = api.get("/api/v1/logs", params=params)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "invalid_api_key"
    # The tenant's other key still reads.
    assert leased["reader"].get("/api/v1/logs",
                                params=params).status_code == 200


def test_a_logged_out_token_is_refused_at_once_while_leased(admin,
                                                            new_tenant,
                                                            base_url):
    t = new_tenant("leaseout")
    r = admin["api"].patch(f"/api/v1/admin/tenants/{t['tenant']['id']}",
                           json={"overrides": {
                               "api_requests_per_day": 0}})
    assert r.status_code == 200, r.text
    params = {"from": "now-5h"}
    on_a_lease(t["api"], "/api/v1/stats", params, base_url)
    r = t["api"].post("/api/v1/auth/logout",
                      json={"refresh_token": t["refresh"]})
    assert r.status_code in (200, 204), r.text
    for _ in range(10):
        r = t["api"].get("/api/v1/stats", params=params)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "token_revoked"


def test_new_data_ends_a_lease_at_once(leased, base_url):
    params = {"q": leased["marker"] + " later", "size": 5}
    r = on_a_lease(leased["reader"], "/api/v1/logs", params, base_url)
    assert r.json()["total"] == 0
    ingest_now(leased, f"{leased['marker']} later")
    r = leased["reader"].get("/api/v1/logs", params=params)
    assert r.headers["X-Cache"] == "MISS"
    assert r.json()["total"] == 1


def test_a_suspension_ends_a_lease_at_once(admin, leased, base_url):
    params = {"from": "now-6h"}
    on_a_lease(leased["reader"], "/api/v1/stats", params, base_url)
    tid = leased["tenant"]["id"]
    assert admin["api"].post(
        f"/api/v1/admin/tenants/{tid}/suspend").status_code == 200
    try:
        for _ in range(10):
            r = leased["reader"].get("/api/v1/stats", params=params)
            assert r.status_code == 403, r.text
            assert r.json()["error"]["code"] == "tenant_suspended"
    finally:
        assert admin["api"].post(
            f"/api/v1/admin/tenants/{tid}/reactivate").status_code == 200


def test_another_tenant_never_gets_a_leased_answer(leased, new_tenant,
                                                   base_url):
    other = new_tenant("leaseother")
    reader = key_api(other, make_key(other, ["read"])["key"])
    params = {"q": leased["marker"], "size": 9}
    on_a_lease(leased["reader"], "/api/v1/logs", params, base_url)
    for _ in range(20):
        r = reader.get("/api/v1/logs", params=params)
        assert r.status_code == 200
        assert r.json()["total"] == 0 and r.json()["hits"] == []
    # The same key text with one character changed is not the lease's.
    mine = leased["key"]["key"]
    bad = mine[:-1] + ("a" if mine[-1] != "a" else "b")
    r = key_api(leased, bad).get("/api/v1/logs", params=params)
    assert r.status_code == 401, r.text


def test_a_lowered_allowance_ends_the_tallys_word(admin, leased, base_url):
    """Counting on the tally's word stops as soon as the limits change:
    requests keep the lease alive while the allowance is cut below what
    was used, and every request made after is refused."""
    params = {"q": leased["marker"], "size": 11}
    on_a_lease(leased["reader"], "/api/v1/logs", params, base_url)
    tid = leased["tenant"]["id"]
    done = threading.Event()

    def keep_leased():
        while not done.is_set():
            leased["reader"].get("/api/v1/logs", params=params)
    keeper = threading.Thread(target=keep_leased)
    keeper.start()
    try:
        r = admin["api"].patch(f"/api/v1/admin/tenants/{tid}",
                               json={"overrides": {
                                   "api_requests_per_day": 1}})
        assert r.status_code == 200, r.text
        codes = [leased["reader"].get("/api/v1/logs",
                                      params=params).status_code
                 for _ in range(10)]
        assert codes == [429] * 10, codes
    finally:
        done.set()
        keeper.join()
        r = admin["api"].patch(f"/api/v1/admin/tenants/{tid}",
                               json={"overrides": {
                                   "api_requests_per_day": 5000000}})
        assert r.status_code == 200, r.text


LEASED_MISSES = "vigie_http_leased_misses_total"


def leased_misses(base_url):
    return metric(base_url, LEASED_MISSES)


def distinct_misses(api, marker, base_url, n=40):
    """n searches, each its own cache key, in quick succession: the
    caller's lease sends most of them to be computed without asking Redis
    first. Returns the answers and how many went on the lease."""
    before = leased_misses(base_url)
    answers = []
    for i in range(n):
        r = api.get("/api/v1/logs", params={
            "q": marker, "size": 3, "from": f"now-{100 + i}m"})
        assert r.status_code == 200, r.text
        answers.append(r)
    return answers, leased_misses(base_url) - before


def test_misses_on_a_callers_lease_are_right_and_counted(leased, redis,
                                                          base_url):
    day = time.strftime("%Y-%m-%d", time.gmtime())
    counters = f"t:{leased['tenant']['id']}:usage:{day}"
    marker = leased["marker"]
    distinct_misses(leased["reader"], marker, base_url, 3)
    time.sleep(0.3)
    used = int(redis.hget(counters, "api_requests"))
    tag = uuid.uuid4().hex[:6]
    answers, on_lease = distinct_misses(leased["reader"],
                                        f"{marker} OR {tag}", base_url)
    assert on_lease > 0
    # The fixture's 30 documents, and the one a test above may add.
    totals = {r.json()["total"] for r in answers}
    assert totals in ({30}, {31}), totals
    assert all(r.headers["X-Cache"] == "MISS" for r in answers)
    assert wait_for(lambda: int(redis.hget(counters, "api_requests")) >=
                    used + len(answers), 5, 0.05)
    time.sleep(0.3)
    assert int(redis.hget(counters, "api_requests")) == used + len(answers)


def test_a_miss_on_a_lease_still_finds_what_another_caller_cached(
        leased, base_url):
    """The lease skips Redis before the search, not the cache: another
    key's cached answer is the answer (found while Elasticsearch
    computes), the same either way."""
    other = key_api(leased, make_key(leased, ["read"])["key"])
    marker = leased["marker"]
    tag = uuid.uuid4().hex[:6]
    params = [{"q": f"{marker} OR {tag}{i}", "size": 4} for i in range(20)]
    cached = [wait_hit(other, "/api/v1/logs", p).json() for p in params]
    distinct_misses(leased["reader"], marker, base_url, 3)
    for p, theirs in zip(params, cached):
        r = leased["reader"].get("/api/v1/logs", params=p)
        assert r.status_code == 200
        assert without_took(r.json()) == without_took(theirs)


def test_a_revoked_key_is_refused_at_once_on_a_callers_lease(leased,
                                                             base_url):
    created = make_key(leased, ["read"])
    api = key_api(leased, created["key"])
    _, on_lease = distinct_misses(api, leased["marker"], base_url, 20)
    assert on_lease > 0
    r = leased["api"].delete(f"/api/v1/api-keys/{created['id']}")
    assert r.status_code == 200, r.text
    for i in range(10):
        r = api.get("/api/v1/logs", params={"q": leased["marker"],
                                            "from": f"now-{300 + i}m"})
        assert r.status_code == 401, r.text


def test_another_tenants_key_never_rides_a_callers_lease(leased, new_tenant,
                                                         base_url):
    other = new_tenant("leasemiss")
    reader = key_api(other, make_key(other, ["read"])["key"])
    distinct_misses(leased["reader"], leased["marker"], base_url, 10)
    answers, _ = distinct_misses(reader, leased["marker"], base_url, 10)
    assert all(r.json()["total"] == 0 for r in answers)


def test_no_lease_while_the_change_channel_is_lost(leased, redis, base_url):
    """Without the subscription nothing tells the event loop of a change:
    every request asks Redis until it is subscribed again."""
    params = {"q": leased["marker"], "size": 13}
    on_a_lease(leased["reader"], "/api/v1/logs", params, base_url)
    assert redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub") >= 1
    before = leased_answers(base_url)
    for _ in range(10):
        r = leased["reader"].get("/api/v1/logs", params=params)
        assert r.status_code == 200 and r.headers["X-Cache"] == "HIT"
    assert leased_answers(base_url) == before
    # Subscribed again (a new connection at most once a second): leases
    # come back.
    assert wait_for(lambda: leased["reader"].get(
        "/api/v1/logs", params=params).status_code == 200 and
        leased_answers(base_url) > before, 10, 0.05)


# ---- Redis failures (local stack only: the fixtures skip otherwise) --------

def test_redis_down_then_back(fast, base_url, stack):
    params = {"q": fast["marker"], "size": 3}
    wait_hit(fast["reader"], "/api/v1/logs", params)
    stack.stop("redis")
    try:
        started = time.monotonic()
        r = fast["reader"].get("/api/v1/logs", params=params)
        # The event loop's command fails at once; the task thread answers.
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "service_unavailable"
        assert time.monotonic() - started < 5
        assert requests.get(f"{base_url}/api/v1/ping",
                            timeout=5).status_code == 200
    finally:
        stack.start("redis")
    # Redis lost everything: records refilled, the answer computed again,
    # then served from the event loop once more, on a new connection (the
    # event loop tries one a second at most).
    wait_hit(fast["reader"], "/api/v1/logs", params)

    def from_the_loop():
        before = loop_answers(base_url)
        r = fast["reader"].get("/api/v1/logs", params=params)
        return r.status_code == 200 and r.headers["X-Cache"] == "HIT" \
            and loop_answers(base_url) == before + 1
    assert wait_for(from_the_loop, 10, 0.3)


def test_a_frozen_redis_never_holds_a_request_past_its_timeout(
        fast, base_url, stack_pids):
    """Redis stopped with SIGSTOP accepts nothing and answers nothing: the
    request waiting on the event loop's connection is let go after the
    Redis timeout, and the event loop goes on answering meanwhile."""
    params = {"q": fast["marker"], "size": 4}
    wait_hit(fast["reader"], "/api/v1/logs", params)
    pgid = stack_pids("redis")
    os.killpg(pgid, signal.SIGSTOP)
    try:
        result = {}

        def frozen():
            t0 = time.monotonic()
            result["r"] = fast["reader"].get("/api/v1/logs", params=params)
            result["took"] = time.monotonic() - t0

        t = threading.Thread(target=frozen)
        t.start()
        time.sleep(0.3)
        pings = [requests.get(f"{base_url}/api/v1/ping", timeout=5)
                 .status_code for _ in range(5)]
        t.join(30)
    finally:
        os.killpg(pgid, signal.SIGCONT)
    assert not t.is_alive()
    assert pings == [200] * 5
    assert result["r"].status_code == 503, result["r"].text
    assert result["took"] < 20
    assert wait_for(lambda: fast["reader"].get(
        "/api/v1/logs", params=params).status_code == 200, 20, 0.5)
