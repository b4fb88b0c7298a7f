"""Plans, quotas and metering: administrators' overrides, the daily
API-request allowance (boundary and concurrency), ingest volume, stored
volume and users, warnings at 80 % and 95 %, the usage report, the
usage-flush job into usage_daily reconciled with Elasticsearch, and
tenants that never count against each other."""
import base64
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import Api, wait_for, shared_data

ES = os.environ.get("VIGIE_ES_URL", "")
GB = 1_000_000_000


def today():
    return time.strftime("%Y-%m-%d", time.gmtime())


@pytest.fixture(scope="module")
def mongo():
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"],
                                 serverSelectionTimeoutMS=5000)
    yield client[os.environ.get("VIGIE_MONGO_DB", "vigie_test")]
    client.close()


def limits(admin, t, overrides=None, plan=None):
    body = {}
    if overrides is not None:
        body["overrides"] = overrides
    if plan is not None:
        body["plan"] = plan
    r = admin["api"].patch(f"/api/v1/admin/tenants/{t['tenant']['id']}",
                           json=body)
    assert r.status_code == 200, r.text
    return r.json()


def counters(redis, t, day=None):
    return redis.hgetall(f"t:{t['tenant']['id']}:usage:{day or today()}")


def usage(t, **params):
    r = t["api"].get("/api/v1/usage", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def limit_of(report, name):
    return next(x for x in report["limits"] if x["name"] == name)


def api_key(t, scopes):
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": "quota", "scopes": scopes})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def ingest(api, docs):
    body = "".join(json.dumps(d) + "\n" for d in docs)
    return api.post("/api/v1/ingest", data=body,
                    headers={"Content-Type": "application/x-ndjson"})


def ingest_raw(api, body):
    return api.post("/api/v1/ingest", data=body,
                    headers={"Content-Type": "application/json"})


def bulk(base_url, key, docs):
    body = "".join(json.dumps({"index": {}}) + "\n" + json.dumps(d) + "\n"
                   for d in docs)
    auth = "Basic " + base64.b64encode(f"beat:{key}".encode()).decode()
    return requests.post(f"{base_url}/_bulk", data=body, timeout=60,
                         headers={"Authorization": auth,
                                  "Content-Type": "application/x-ndjson"})


def es_count(t):
    requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_refresh", timeout=30)
    r = requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_count",
                      params={"ignore_unavailable": "true",
                              "allow_no_indices": "true"},
                      json={"query": {"match_all": {}}}, timeout=30)
    return r.json().get("count", 0)


def doc_of(size):
    """A JSON document of exactly size bytes once serialized."""
    base = {"message": ""}
    pad = size - len(json.dumps(base))
    assert pad >= 0
    base["message"] = "x" * pad
    text = json.dumps(base)
    assert len(text) == size
    return text


def assert_quota_error(r, status, limit, usage_, max_):
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == "quota_exceeded"
    assert err["limit"] == limit
    assert err["usage"] == usage_
    assert err["max"] == max_
    assert err["message"].startswith("quota exceeded: the plan allows")
    return err


# ---- administrators' overrides -----------------------------------------------

def test_overrides_are_set_shown_and_removed(admin, new_tenant):
    t = new_tenant("qov")
    view = limits(admin, t, {"api_requests_per_day": 7, "storage_gb": 2.5})
    assert view["overrides"] == {"api_requests_per_day": 7, "storage_gb": 2.5}
    assert view["effective_limits"]["api_requests"] == 7
    assert view["effective_limits"]["storage_bytes"] == int(2.5 * GB)
    # The plan's other limits stay.
    assert view["effective_limits"]["users"] == view["limits"]["users"] == 3
    # null removes one override, others stay.
    view = limits(admin, t, {"api_requests_per_day": None})
    assert view["overrides"] == {"storage_gb": 2.5}
    assert view["effective_limits"]["api_requests"] == 10000
    # Plan and overrides together; the overrides survive a plan change.
    view = limits(admin, t, {"users": 40}, plan="pro")
    assert view["plan"] == "pro"
    assert view["effective_limits"]["users"] == 40
    assert view["effective_limits"]["api_requests"] == 500000
    got = admin["api"].get(f"/api/v1/admin/tenants/{t['tenant']['id']}")
    assert got.json()["overrides"] == {"storage_gb": 2.5, "users": 40}
    # The tenant's own report follows at once (cached limits forgotten).
    assert limit_of(usage(t), "users")["limit"] == 40
    assert usage(t)["plan"] == "pro"


@pytest.mark.parametrize("body,field", [
    ({"overrides": {"bogus": 1}}, "overrides.bogus"),
    ({"overrides": {"users": -1}}, "overrides.users"),
    ({"overrides": {"users": 1.5}}, "overrides.users"),
    ({"overrides": {"storage_gb": "1"}}, "overrides.storage_gb"),
    ({"overrides": []}, "overrides"),
    ({"plan": "platinum"}, "plan"),
    ({}, None),
])
def test_bad_overrides_are_422_and_change_nothing(admin, new_tenant, body,
                                                  field):
    t = new_tenant("qbad")
    r = admin["api"].patch(f"/api/v1/admin/tenants/{t['tenant']['id']}",
                           json=body)
    assert r.status_code == 422, r.text
    if field:
        assert r.json()["error"]["details"]["field"] == field
    got = admin["api"].get(f"/api/v1/admin/tenants/{t['tenant']['id']}")
    assert got.json()["overrides"] == {}
    assert got.json()["plan"] == "free"


def test_only_administrators_set_overrides(admin, new_tenant):
    t = new_tenant("qadm")
    r = t["api"].patch(f"/api/v1/admin/tenants/{t['tenant']['id']}",
                       json={"overrides": {"users": 100}})
    assert r.status_code == 401
    r = admin["api"].patch("/api/v1/admin/tenants/" + "0" * 24,
                           json={"overrides": {"users": 100}})
    assert r.status_code == 404


# ---- API requests per day ------------------------------------------------------

def test_exactly_at_the_limit_passes_and_one_over_is_429(admin, new_tenant,
                                                        redis):
    t = new_tenant("qapi")
    other = new_tenant("qapio")
    limits(admin, t, {"api_requests_per_day": 5})
    assert int(counters(redis, t).get("api_requests", 0)) == 0
    for _ in range(5):
        assert t["api"].get("/api/v1/me").status_code == 200
    r = t["api"].get("/api/v1/me")
    err = assert_quota_error(r, 429, "api_requests", 5, 5)
    assert err["resets_at"] == time.strftime(
        "%Y-%m-%dT00:00:00Z", time.gmtime(time.time() + 86400))
    retry = int(r.headers["Retry-After"])
    midnight = (int(time.time()) // 86400 + 1) * 86400
    assert 0 < retry <= midnight - int(time.time()) + 2
    # A refused request is not counted; the report still answers.
    assert int(counters(redis, t)["api_requests"]) == 5
    rep = usage(t)
    assert limit_of(rep, "api_requests") == {
        "name": "api_requests", "used": 5, "limit": 5, "percent": 100,
        "resets_at": err["resets_at"]}
    # Another tenant is untouched, and its own count is its own.
    assert other["api"].get("/api/v1/me").status_code == 200
    assert int(counters(redis, other)["api_requests"]) == 1
    assert limit_of(usage(other), "api_requests")["used"] == 1
    # Raising the limit lets the tenant through at once.
    limits(admin, t, {"api_requests_per_day": 6})
    assert t["api"].get("/api/v1/me").status_code == 200
    assert t["api"].get("/api/v1/me").status_code == 429


def test_api_keys_count_too(admin, new_tenant, redis):
    t = new_tenant("qkey")
    key = api_key(t, ["read"])
    machine = Api(t["api"].base_url, f"ApiKey {key}")
    used = int(counters(redis, t).get("api_requests", 0))
    limits(admin, t, {"api_requests_per_day": used + 2})
    assert machine.get("/api/v1/me").status_code == 200
    assert machine.get("/api/v1/me").status_code == 200
    assert_quota_error(machine.get("/api/v1/me"), 429, "api_requests",
                       used + 2, used + 2)


def test_fifty_concurrent_requests_admit_exactly_the_allowance(
        admin, new_tenant, redis):
    t = new_tenant("qcon")
    used = int(counters(redis, t).get("api_requests", 0))
    allowance = 17
    limits(admin, t, {"api_requests_per_day": used + allowance})
    token = t["access"]

    def hit(_):
        return requests.get(f"{t['api'].base_url}/api/v1/me", timeout=60,
                            headers={"Authorization": f"Bearer {token}"})

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = [r.status_code for r in pool.map(hit, range(50))]
    assert codes.count(200) == allowance, codes
    assert codes.count(429) == 50 - allowance, codes
    assert int(counters(redis, t)["api_requests"]) == used + allowance


def test_quota_off_is_not_the_default(base_url, new_tenant, redis):
    """The gate is on in the tested server: a request is counted."""
    t = new_tenant("qon")
    t["api"].get("/api/v1/me")
    assert int(counters(redis, t)["api_requests"]) == 1


# ---- ingest per day -----------------------------------------------------------

def test_ingest_bytes_boundary(admin, new_tenant, redis):
    t = new_tenant("qib")
    limits(admin, t, {"ingest_gb_per_day": 1000 / GB})
    assert ingest_raw(t["api"], doc_of(600)).status_code == 200
    # 600 + 401 = 1001: one byte over, refused, nothing counted.
    r = ingest_raw(t["api"], doc_of(401))
    assert_quota_error(r, 429, "ingest_bytes", 600, 1000)
    assert int(r.headers["Retry-After"]) > 0
    # 600 + 400 = 1000: exactly at the limit, accepted.
    assert ingest_raw(t["api"], doc_of(400)).status_code == 200
    assert int(counters(redis, t)["ingested_bytes"]) == 1000
    assert_quota_error(ingest_raw(t["api"], "{}"), 429, "ingest_bytes",
                       1000, 1000)
    assert es_count(t) == 2


def test_ingest_docs_boundary_and_accepted_requests_complete(
        admin, new_tenant, redis, base_url):
    t = new_tenant("qid")
    key = api_key(t, ["ingest"])
    limits(admin, t, {"ingest_docs_per_day": 5})
    assert ingest(t["api"], [{"message": f"a{i}"} for i in range(4)]) \
        .status_code == 200
    # 4 of 5 used: a request is admitted and fully indexed, even though it
    # takes the day past the limit (accepted data is never cut short).
    r = bulk(base_url, key, [{"message": f"b{i}"} for i in range(3)])
    assert r.status_code == 200, r.text
    assert not r.json()["errors"]
    assert int(counters(redis, t)["ingested_docs"]) == 7
    assert es_count(t) == 7
    # Now at the limit: refused, for _bulk in a form shippers read too.
    r = bulk(base_url, key, [{"message": "c"}])
    err = assert_quota_error(r, 429, "ingest_docs", 7, 5)
    assert err["type"] == "quota_exceeded_exception"
    assert r.json()["status"] == 429
    assert "Retry-After" in r.headers
    assert_quota_error(ingest(t["api"], [{"message": "d"}]), 429,
                       "ingest_docs", 7, 5)
    assert es_count(t) == 7


def test_a_request_refused_for_its_body_gives_its_bytes_back(new_tenant,
                                                             redis):
    t = new_tenant("qref")
    assert ingest_raw(t["api"], "not json").status_code == 400
    assert int(counters(redis, t).get("ingested_bytes", 0)) == 0
    assert ingest_raw(t["api"], '{"message":"ok"}').status_code == 200
    assert int(counters(redis, t)["ingested_bytes"]) == len(
        '{"message":"ok"}')


def test_uploads_are_checked_and_a_queued_file_finishes(admin, new_tenant,
                                                        redis):
    t = new_tenant("qup")
    content = "".join(f"2026-01-01T00:00:{i:02d}Z INFO line {i}\n"
                      for i in range(50)).encode()
    limits(admin, t, {"ingest_gb_per_day": (len(content) + 10) / GB})
    r = t["api"].post("/api/v1/files", params={"name": "a.log"},
                      data=content,
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    # The second upload does not fit the day's bytes: refused, not stored.
    r = t["api"].post("/api/v1/files", params={"name": "b.log"},
                      data=content,
                      headers={"Content-Type": "application/octet-stream"})
    assert_quota_error(r, 429, "ingest_bytes", len(content),
                       len(content) + 10)
    assert t["api"].get("/api/v1/files").json()["total"] == 1

    def finished():
        f = t["api"].get(f"/api/v1/files/{fid}").json()
        return f if f["status"] in ("done", "partial", "failed") else None
    f = wait_for(finished, 120, interval=0.5)
    assert f and f["status"] == "done" and f["indexed"] == 50, f
    assert wait_for(
        lambda: int(counters(redis, t).get("ingested_docs", 0)) == 50, 10)
    assert es_count(t) == 50


def test_stored_volume_limit_is_403(admin, new_tenant, redis):
    t = new_tenant("qst")
    assert ingest(t["api"], [{"message": f"s{i}"} for i in range(20)]) \
        .status_code == 200
    es_count(t)  # refreshed: the store size is known to Elasticsearch
    limits(admin, t, {"storage_gb": 1 / GB})  # one byte
    redis.delete(f"t:{t['tenant']['id']}:usage:stored")  # measure now
    r = ingest(t["api"], [{"message": "more"}])
    err = assert_quota_error(r, 403, "storage_bytes", r.json()["error"]
                             .get("usage"), 1)
    assert err["usage"] > 1
    assert err["resets_at"] is None
    assert "Retry-After" not in r.headers
    rep = usage(t)
    assert limit_of(rep, "storage_bytes")["used"] == err["usage"]
    assert limit_of(rep, "storage_bytes")["resets_at"] is None


# ---- users ------------------------------------------------------------------

def test_users_limit_follows_overrides(admin, new_tenant):
    t = new_tenant("qus")
    limits(admin, t, {"users": 1})
    r = t["api"].post("/api/v1/users", json={
        "email": f"u-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com",
        "name": "U", "role": "viewer",
        "password": "correct horse battery staple"})
    assert_quota_error(r, 403, "users", 1, 1)
    limits(admin, t, {"users": 2})
    r = t["api"].post("/api/v1/users", json={
        "email": f"u-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com",
        "name": "U", "role": "viewer",
        "password": "correct horse battery staple"})
    assert r.status_code == 201, r.text
    assert limit_of(usage(t), "users") == {
        "name": "users", "used": 2, "limit": 2, "percent": 100,
        "resets_at": None}


# ---- warnings -----------------------------------------------------------------

def notify_jobs(redis, tid):
    """The notify jobs about quota warnings of tenant tid, wherever the
    worker has put them (pending, taken, or dead-lettered while no
    "notify" handler exists)."""
    found = []
    keys = ["p:jobs", "p:jobs:dead"] + list(
        redis.scan_iter("p:jobs:processing:*"))
    for k in keys:
        for raw in redis.lrange(k, 0, -1):
            try:  # other tests leave malformed jobs there on purpose
                job = json.loads(raw)
                if isinstance(job, dict) and "reason" in job:
                    job = json.loads(job["job"])
            except (ValueError, TypeError):
                continue
            if isinstance(job, dict) and job.get("type") == "notify" and \
                    job.get("tenant_id") == tid:
                found.append(job)
    return found


def test_warnings_at_80_and_95_once_each(admin, new_tenant, redis, mongo):
    t = new_tenant("qwarn")
    other = new_tenant("qwarno")
    tid = t["tenant"]["id"]
    mongo.notification_channels.insert_one({
        "tenant_id": tid, "name": "ops", "type": "webhook",
        "config": {"url": "http://127.0.0.1:9/x"}})
    channel = str(mongo.notification_channels.find_one(
        {"tenant_id": tid})["_id"])
    limits(admin, t, {"api_requests_per_day": 20})
    limits(admin, other, {"api_requests_per_day": 20})

    def notes(who=tid):
        return sorted(mongo.quota_warnings.find(
            {"tenant_id": who, "kind": "quota.warning"}),
            key=lambda n: n["threshold"])

    for _ in range(15):  # 75 %: no warning yet
        assert t["api"].get("/api/v1/me").status_code == 200
    assert notes() == [] and usage(t)["warnings"] == []
    assert t["api"].get("/api/v1/me").status_code == 200  # 16/20 = 80 %
    n = wait_for(notes, 5)
    assert [(x["limit"], x["threshold"], x["usage"], x["max"],
             x["period"]) for x in n] == [
        ("api_requests", 80, 16, 20, today())]
    rep = usage(t)
    assert [(w["limit"], w["threshold"]) for w in rep["warnings"]] == [
        ("api_requests", 80)]
    assert "80%" in rep["warnings"][0]["message"]
    for _ in range(3):  # 19/20 = 95 %
        assert t["api"].get("/api/v1/me").status_code == 200
    assert wait_for(lambda: len(notes()) == 2, 5), notes()
    assert [x["threshold"] for x in notes()] == [80, 95]
    assert usage(t)["warnings"][0]["threshold"] == 95
    # Once per threshold per day, however often the limit is hit again.
    assert t["api"].get("/api/v1/me").status_code == 200
    assert t["api"].get("/api/v1/me").status_code == 429
    assert t["api"].get("/api/v1/me").status_code == 429
    assert len(notes()) == 2
    # One notify job per channel and warning, for the notify worker: still
    # queued, or already taken (its delivery record then names the event).
    expected = {f"quota:{today()}:api_requests:80",
                f"quota:{today()}:api_requests:95"}

    def delivered():
        return {d["event_id"] for d in mongo.notifications.find(
            {"tenant_id": tid, "channel_id": channel})}

    def seen():
        jobs = notify_jobs(redis, tid)
        for j in jobs:
            assert j["channel_id"] == channel
            assert j["event"]["kind"] == "quota.warning"
            assert j["event"]["quota"]["threshold"] in (80, 95)
        got = {j["event_id"] for j in jobs} | delivered()
        return got if expected <= got else None
    assert wait_for(seen, 15), (notify_jobs(redis, tid), delivered())
    # The other tenant, on the same limit, was warned of nothing.
    assert other["api"].get("/api/v1/me").status_code == 200
    assert notes(other["tenant"]["id"]) == []
    assert usage(other)["warnings"] == []
    assert notify_jobs(redis, other["tenant"]["id"]) == []


# ---- the usage report -----------------------------------------------------------

def test_usage_report_shape_and_permissions(new_tenant, base_url):
    t = new_tenant("qrep")
    rep = usage(t)
    assert rep["plan"] == "free"
    assert [x["name"] for x in rep["limits"]] == [
        "api_requests", "ingest_bytes", "ingest_docs", "storage_bytes",
        "users"]
    assert limit_of(rep, "users")["used"] == 1
    assert limit_of(rep, "ingest_bytes")["limit"] == GB // 2
    assert rep["history"][-1]["day"] == today()
    assert set(rep["history"][-1]) == {
        "day", "ingested_bytes", "ingested_docs", "stored_bytes",
        "api_requests", "active_users"}
    assert rep["warnings"] == []
    for bad in ({"days": "0"}, {"days": "400"}, {"days": "x"},
                {"other": "1"}):
        r = t["api"].get("/api/v1/usage", params=bad)
        assert r.status_code == 400, (bad, r.text)
    # Viewers lack billing.read; API keys are not people.
    key = api_key(t, ["read"])
    assert Api(base_url, f"ApiKey {key}").get("/api/v1/usage") \
        .status_code == 401
    assert requests.get(f"{base_url}/api/v1/usage", timeout=10) \
        .status_code == 401


# ---- metering and usage_daily -------------------------------------------------

def flush(redis):
    redis.lpush("p:jobs", json.dumps({"type": "usage-flush"}))


def daily(mongo, t):
    return mongo.usage_daily.find_one(
        {"tenant_id": t["tenant"]["id"], "day": today()})


def test_metering_flush_is_idempotent_and_reconciles_with_es(
        new_tenant, redis, mongo, base_url):
    t = new_tenant("qmet")
    other = new_tenant("qmeto")
    key = api_key(t, ["ingest"])
    assert ingest(t["api"], [{"message": f"i{i}"} for i in range(30)]) \
        .status_code == 200
    assert bulk(base_url, key, [{"message": f"b{i}"} for i in range(25)]) \
        .status_code == 200
    lines = shared_data("apache_access_10k.log").read_bytes().splitlines(True)
    r = t["api"].post("/api/v1/files", params={"name": "access.log"},
                      data=b"".join(lines[:300]),
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    fid = r.json()["id"]

    def finished():
        f = t["api"].get(f"/api/v1/files/{fid}").json()
        return f if f["status"] in ("done", "partial", "failed") else None
    f = wait_for(finished, 120, interval=0.5)
    assert f and f["indexed"] > 0, f
    assert wait_for(lambda: int(counters(redis, t).get(
        "ingested_docs", 0)) == 55 + f["indexed"], 10), counters(redis, t)
    other["api"].get("/api/v1/me")

    flush(redis)
    assert wait_for(lambda: daily(mongo, t), 20), "usage_daily not written"
    c = counters(redis, t)
    doc = wait_for(lambda: (lambda d: d if d and d["api_requests"] ==
                            int(c["api_requests"]) else None)(
                                daily(mongo, t)), 20)
    assert doc, (daily(mongo, t), c)
    # Reconciliation: metered documents equal what Elasticsearch holds.
    assert doc["ingested_docs"] == es_count(t) == 55 + f["indexed"]
    assert doc["ingested_bytes"] == int(c["ingested_bytes"])
    assert doc["ingested_bytes"] >= len(b"".join(lines[:300]))
    assert doc["active_users"] == 1
    assert doc["stored_bytes"] > 0
    assert set(doc) >= {"day", "ingested_bytes", "ingested_docs",
                        "stored_bytes", "api_requests", "active_users",
                        "updated_at", "tenant_id"}
    # Flushing again sets the same values: nothing is added twice.
    flush(redis)
    flush(redis)
    assert wait_for(lambda: daily(mongo, t)["updated_at"] >=
                    doc["updated_at"], 20)
    time.sleep(1)
    again = daily(mongo, t)
    for k in ("ingested_docs", "ingested_bytes", "api_requests",
              "active_users"):
        assert again[k] == doc[k], k
    assert mongo.usage_daily.count_documents(
        {"tenant_id": t["tenant"]["id"], "day": today()}) == 1
    # The other tenant's day holds only its own request.
    od = wait_for(lambda: daily(mongo, other), 20)
    assert od["ingested_docs"] == 0 and od["api_requests"] >= 1
    # The report's history shows the past days from usage_daily.
    mongo.usage_daily.insert_one({
        "tenant_id": t["tenant"]["id"], "day": "2000-01-01",
        "ingested_bytes": 1, "ingested_docs": 1, "stored_bytes": 1,
        "api_requests": 1, "active_users": 1})
    days = [h["day"] for h in usage(t, days="366")["history"]]
    assert days[-1] == today() and "2000-01-01" not in days
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    mongo.usage_daily.insert_one({
        "tenant_id": t["tenant"]["id"], "day": yesterday,
        "ingested_bytes": 5, "ingested_docs": 4, "stored_bytes": 3,
        "api_requests": 2, "active_users": 1})
    hist = usage(t, days="2")["history"]
    assert [h["day"] for h in hist] == [yesterday, today()]
    assert hist[0]["ingested_docs"] == 4
    # Never another tenant's history.
    assert [h["day"] for h in usage(other, days="2")["history"]] == [today()]
