"""Search, log detail, history and saved searches, statistics, CSV export
and the answer cache, against real data: the Apache access log of
/work/shared/data uploaded as a file, and JSON documents with levels and
services sent through the ingest API. Every endpoint is also tried from
another tenant."""
import csv
import datetime as dt
import io
import json
import os
import time
import uuid

import pytest
import requests

from conftest import Api, wait_for, shared_data

ES = os.environ.get("VIGIE_ES_URL", "")
LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
SERVICES = ["api", "db", "web"]


def refresh(t):
    requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_refresh", timeout=30)


def es_count(t, query):
    refresh(t)
    r = requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_count",
                      params={"ignore_unavailable": "true",
                              "allow_no_indices": "true"},
                      json={"query": query}, timeout=30)
    return r.json()["count"]


def es_delete(t, query):
    """Deletes the tenant's documents matching query, one by one."""
    refresh(t)
    hits = requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_search",
                         json={"query": query, "size": 100},
                         timeout=30).json()["hits"]["hits"]
    for h in hits:
        requests.delete(f"{ES}/{h['_index']}/_doc/{h['_id']}",
                        params={"refresh": "true"}, timeout=30)


def drop_indices(t):
    """Deletes the tenant's indices: the shared Elasticsearch has a shard
    limit that every test run would otherwise eat into."""
    r = requests.get(f"{ES}/_alias/vigie-t-{t['tenant']['id']}", timeout=30)
    if r.status_code == 200 and r.json():
        requests.delete(f"{ES}/{','.join(sorted(r.json()))}", timeout=60)


def create_key(t, scopes):
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": f"k-{'-'.join(scopes)}",
                            "scopes": list(scopes)})
    assert r.status_code == 201, r.text
    return Api(t["api"].base_url, f"ApiKey {r.json()['key']}")


def iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{when.microsecond // 1000:03d}Z"


def ingest(t, docs):
    r = t["api"].post("/api/v1/ingest", data=json.dumps(docs),
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["rejected"] == 0, r.text
    refresh(t)


def json_docs(marker, n=30):
    """n documents of the last hour: levels and services in turn."""
    now = dt.datetime.now(dt.timezone.utc)
    return [{"@timestamp": iso(now - dt.timedelta(minutes=2 * i + 1)),
             "level": LEVELS[i % 5], "service": SERVICES[i % 3],
             "message": f"event {i} of {marker} payment timeout"
             if i % 5 == 3 else f"event {i} of {marker}",
             "marker": marker} for i in range(n)]


def wait_hit(api, path, params):
    """Repeats a request until the cache answers it (after the settling
    window of a recent ingest); returns the last answer."""
    last = {}

    def hit():
        last["r"] = api.get(path, params=params)
        return last["r"] if last["r"].headers.get("X-Cache") == "HIT" \
            else None
    assert wait_for(hit, 15, 0.5) is not None, last["r"].headers
    return last["r"]


@pytest.fixture(scope="module")
def acme(new_tenant):
    t = new_tenant("srch")
    content = shared_data("apache_access_10k.log").read_bytes()
    r = t["api"].post("/api/v1/files", params={"name": "access.log"},
                      data=content,
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    fid = r.json()["id"]

    def finished():
        f = t["api"].get(f"/api/v1/files/{fid}").json()
        return f if f["status"] in ("done", "partial", "failed") else None
    f = wait_for(finished, 180, 0.5)
    assert f and f["status"] == "done", f
    t["marker"] = "m" + uuid.uuid4().hex[:12]
    t["docs"] = json_docs(t["marker"])
    ingest(t, t["docs"])
    t["reader"] = create_key(t, ["read"])
    t["ingester"] = create_key(t, ["ingest"])
    yield t
    drop_indices(t)


@pytest.fixture(scope="module")
def other(new_tenant):
    t = new_tenant("srchother")
    t["marker"] = "o" + uuid.uuid4().hex[:12]
    ingest(t, json_docs(t["marker"], 5))
    yield t
    drop_indices(t)


def search(api, **params):
    r = api.get("/api/v1/logs", params=params)
    assert r.status_code == 200, r.text
    return r


# ---- search -----------------------------------------------------------------

def test_free_text_finds_the_documents_with_the_contracts_shape(acme):
    r = search(acme["api"], q=acme["marker"])
    body = r.json()
    assert body["total"] == 30 and body["total_relation"] == "eq"
    assert body["page"] == 1 and body["size"] == 50
    assert isinstance(body["took_ms"], int)
    assert len(body["hits"]) == 30
    hit = body["hits"][0]
    assert set(hit) == {"id", "index", "source"}
    assert hit["index"].startswith(f"logs-{acme['slug']}-")
    assert hit["source"]["labels.marker"] == acme["marker"]
    # Newest first by default.
    stamps = [h["source"]["@timestamp"] for h in body["hits"]]
    assert stamps == sorted(stamps, reverse=True)
    assert r.headers["X-Cache"] in ("HIT", "MISS")


def test_filters_levels_services_times_sort_and_pages(acme):
    m = acme["marker"]
    r = search(acme["api"], q=m, level="error,CRITICAL").json()
    assert r["total"] == 12
    assert {h["source"]["log.level"] for h in r["hits"]} == \
        {"ERROR", "CRITICAL"}
    r = search(acme["api"], q=m, level=["debug", "info"],
               service="api").json()
    assert r["total"] == sum(1 for i in range(30)
                             if i % 5 in (0, 1) and i % 3 == 0)
    r = search(acme["api"], q=m, **{"from": "now-21m", "to": "now"}).json()
    assert r["total"] == 10  # minutes 1, 3, ..., 19
    r = search(acme["api"], q=m, sort="service.name", order="asc",
               size=30).json()
    services = [h["source"]["service.name"] for h in r["hits"]]
    assert services == sorted(services)
    p1 = search(acme["api"], q=m, size=7, page=1).json()
    p2 = search(acme["api"], q=m, size=7, page=2).json()
    assert len(p1["hits"]) == 7 and len(p2["hits"]) == 7
    assert not {h["id"] for h in p1["hits"]} & {h["id"] for h in p2["hits"]}
    last = search(acme["api"], q=m, size=7, page=5).json()
    assert len(last["hits"]) == 2 and last["total"] == 30


def test_the_query_language_on_access_logs(acme):
    def total(q):
        return search(acme["api"], q=q, size=1).json()["total"]
    s404 = es_count(acme, {"term": {"http.response.status_code": 404}})
    assert s404 > 0 and total("status:404") == s404
    s5xx = es_count(acme, {"range": {"http.response.status_code":
                                     {"gte": 500, "lte": 599}}})
    assert total("status:5xx") == s5xx
    assert total("status:404 OR status:5xx") == s404 + s5xx
    assert total("method:GET -status:200") == es_count(acme, {"bool": {
        "filter": [{"term": {"http.request.method": "GET"}}],
        "must_not": [{"term": {"http.response.status_code": 200}}]}})
    assert total("ip:83.149.9.216") == es_count(
        acme, {"term": {"client.ip": "83.149.9.216"}})
    assert total("ip:83.149.9.0/24") >= total("ip:83.149.9.216") > 0
    assert total("path:/presentations/*") == es_count(
        acme, {"prefix": {"url.path": "/presentations/"}})
    assert total('"kibana-search.png"') > 0
    assert total("kibana*") > 0
    assert total(f"{acme['marker']} payment timeout") == 6
    assert total(f"{acme['marker']} NOT (payment OR level:debug)") == 18
    # query_string syntax means nothing: no error, no match, no script.
    assert total("x~2 y^3 {!} [a TO b]") == 0


def test_totals_past_the_limit_are_a_flagged_lower_bound(acme):
    r = search(acme["api"], size=1).json()
    assert r["total"] == 10000 and r["total_relation"] == "gte"
    r = search(acme["api"], size=1, q="status:200").json()
    exact = es_count(acme, {"term": {"http.response.status_code": 200}})
    assert exact < 10000 and r["total"] == exact
    assert r["total_relation"] == "eq"


@pytest.mark.parametrize("params,field", [
    ({"size": "501"}, "size"), ({"size": "0"}, "size"),
    ({"page": "0"}, "page"), ({"page": "300", "size": "50"}, "page"),
    ({"sort": "unknown"}, "sort"), ({"order": "sideways"}, "order"),
    ({"from": "yesterday"}, "from"), ({"to": "2024-02-30"}, "to"),
    ({"from": "now", "to": "now-1h"}, "from"), ({"level": "loud"}, "level"),
    ({"q": '"unclosed'}, "q"), ({"q": "(a OR"}, "q"),
    ({"q": "status:abc"}, "q"), ({"q": "_index:logs-x"}, "q"),
    ({"q": "x" * 1100}, "q")])
def test_bad_arguments_are_400_naming_the_argument(acme, params, field):
    r = acme["api"].get("/api/v1/logs", params=params)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_query"
    assert err["details"]["field"] == field
    assert err["message"].startswith(field)


def test_keys_and_roles(acme, anon):
    r = acme["reader"].get("/api/v1/logs", params={"q": acme["marker"]})
    assert r.status_code == 200 and r.json()["total"] == 30
    r = acme["ingester"].get("/api/v1/logs")
    assert r.status_code == 403
    assert anon.get("/api/v1/logs").status_code == 401
    assert acme["api"].post("/api/v1/logs").status_code == 405


# ---- one log -------------------------------------------------------------------

def test_a_log_by_id_has_all_its_fields(acme):
    hit = search(acme["api"], q="status:404", size=1).json()["hits"][0]
    r = acme["api"].get(f"/api/v1/logs/{hit['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == hit["id"] and body["index"] == hit["index"]
    src = body["source"]
    assert src["http.response.status_code"] == 404
    for field in ("@timestamp", "message", "client.ip", "url.path",
                  "vigie.file_id", "http.request.method", "user_agent.original"):
        assert field in src, field
    assert acme["reader"].get(f"/api/v1/logs/{hit['id']}").status_code == 200


@pytest.mark.parametrize("bad", ["nope", "a" * 129, "..%2F..%2F_search",
                                 "x%20y"])
def test_unknown_or_malformed_ids_are_404(acme, bad):
    r = acme["api"].get(f"/api/v1/logs/{bad}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


# ---- other tenants ---------------------------------------------------------------

def test_another_tenant_sees_nothing_of_acme(acme, other):
    hit = search(acme["api"], q=acme["marker"], size=1).json()["hits"][0]
    assert other["api"].get(f"/api/v1/logs/{hit['id']}").status_code == 404
    r = search(other["api"], q=acme["marker"]).json()
    assert r["total"] == 0 and r["hits"] == []
    r = search(other["api"], size=500).json()
    assert r["total"] == 5
    assert {h["source"]["labels.marker"] for h in r["hits"]} == \
        {other["marker"]}
    # The same query from both tenants: never the other's cached answer.
    params = {"q": "event", "size": "5"}
    mine = wait_hit(acme["api"], "/api/v1/logs", params).json()
    theirs = other["api"].get("/api/v1/logs", params=params)
    assert theirs.json()["total"] == 5
    assert mine["total"] == es_count(acme, {"match": {"message": "event"}})
    assert not {h["id"] for h in mine["hits"]} & \
        {h["id"] for h in theirs.json()["hits"]}
    stats = other["api"].get("/api/v1/stats").json()
    assert stats["total"] == 5 and stats["files"] == 0
    assert stats["access"]["count"] == 0


# ---- cache -----------------------------------------------------------------------

def test_cache_hits_then_new_data_invalidates(acme, redis):
    params = {"q": acme["marker"], "size": "100"}
    first = wait_hit(acme["api"], "/api/v1/logs", params)
    assert first.json()["total"] == 30
    keys = redis.keys(f"t:{acme['tenant']['id']}:cache:search:*")
    assert keys, "the answer is cached under the tenant's prefix"
    ttl = redis.ttl(keys[0])
    assert 0 < ttl <= 30
    # The server's local copy is used only while Redis holds the key:
    # an answer gone from Redis (expired) is never served again.
    assert acme["api"].get("/api/v1/logs",
                           params=params).headers["X-Cache"] == "HIT"
    redis.delete(*keys)
    assert acme["api"].get("/api/v1/logs",
                           params=params).headers["X-Cache"] == "MISS"
    extra = {"@timestamp": iso(dt.datetime.now(dt.timezone.utc)),
             "level": "error", "service": "api",
             "message": f"late {acme['marker']}", "marker": acme["marker"]}
    try:
        ingest(acme, [extra])
        r = acme["api"].get("/api/v1/logs", params=params)
        assert r.headers["X-Cache"] == "MISS"
        assert r.json()["total"] == 31
        # Through _bulk too.
        bulk = (json.dumps({"index": {}}) + "\n"
                + json.dumps(dict(extra, message=f"bulk {acme['marker']}"))
                + "\n")
        r = acme["api"].post("/_bulk", data=bulk,
                             headers={"Content-Type": "application/x-ndjson"})
        assert r.status_code == 200 and not r.json()["errors"], r.text
        refresh(acme)
        r = acme["api"].get("/api/v1/logs", params=params)
        assert r.headers["X-Cache"] == "MISS" and r.json()["total"] == 32
        assert wait_hit(acme["api"], "/api/v1/logs",
                        params).json()["total"] == 32
    finally:
        es_delete(acme, {"bool": {"filter": [
            {"term": {"labels.marker": acme["marker"]}},
            {"terms": {"message": ["late", "bulk"]}}]}})
        # Deleting behind Vigie's back: bump the generation as ingest does.
        redis.incr(f"t:{acme['tenant']['id']}:gen")


def test_a_file_ingested_by_the_worker_invalidates_the_cache(new_tenant):
    t = new_tenant("srchfile")
    line = ('10.0.0.{n} - - [17/May/2015:10:05:0{n} +0000] "GET /cache-{m} '
            'HTTP/1.1" 200 {n}00 "-" "bench"\n')
    m = uuid.uuid4().hex[:10]

    def upload(first, count):
        body = "".join(line.format(n=n, m=m)
                       for n in range(first, first + count))
        r = t["api"].post("/api/v1/files", params={"name": f"f{first}.log"},
                          data=body.encode(),
                          headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, r.text
        fid = r.json()["id"]

        def finished():
            f = t["api"].get(f"/api/v1/files/{fid}").json()
            return f if f["status"] in ("done", "partial", "failed") \
                else None
        f = wait_for(finished, 60, 0.3)
        assert f and f["status"] == "done", f
        refresh(t)
    try:
        upload(1, 3)
        params = {"q": f"path:/cache-{m}"}
        assert wait_hit(t["api"], "/api/v1/logs",
                        params).json()["total"] == 3
        upload(4, 2)
        r = t["api"].get("/api/v1/logs", params=params)
        assert r.headers["X-Cache"] == "MISS" and r.json()["total"] == 5
    finally:
        drop_indices(t)


# ---- history and saved searches ----------------------------------------------------

def test_history_records_searches_and_runs_them_again(acme, other):
    api = acme["api"]
    assert api.delete("/api/v1/searches",
                      params={"kind": "history"}).status_code == 204
    search(api, q=acme["marker"], level="ERROR", **{"from": "now-7d"})
    search(api, q=acme["marker"], page=2, size=5)  # not page 1: not kept
    r = api.get("/api/v1/searches", params={"kind": "history"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["kind"] == "history" and item["total"] == 6
    assert item["query"]["q"] == acme["marker"]
    assert item["query"]["level"] == ["ERROR"]
    assert item["query"]["from"] == "now-7d"
    r = api.post(f"/api/v1/searches/{item['id']}/run")
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 6
    # Other tenants: neither listed nor reachable.
    theirs = other["api"].get("/api/v1/searches").json()["items"]
    assert item["id"] not in {i["id"] for i in theirs}
    # Their own probe for acme's marker found nothing.
    assert all(i["total"] == 0 for i in theirs
               if i["query"]["q"] == acme["marker"])
    for method, path in (("GET", f"/api/v1/searches/{item['id']}"),
                         ("POST", f"/api/v1/searches/{item['id']}/run"),
                         ("DELETE", f"/api/v1/searches/{item['id']}")):
        assert other["api"](method, path).status_code == 404
    # API keys have no history.
    assert acme["reader"].get("/api/v1/searches").status_code in (401, 403)
    assert api.delete("/api/v1/searches",
                      params={"kind": "history"}).status_code == 204
    assert api.get("/api/v1/searches").json()["total"] == 0


def test_saved_searches(acme, other):
    api = acme["api"]
    query = {"q": "status:404", "level": ["WARNING"], "service": [],
             "from": None, "to": None, "sort": "@timestamp",
             "order": "asc"}
    r = api.post("/api/v1/searches", json={"name": "Not found",
                                           "query": query})
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["name"] == "Not found" and saved["kind"] == "saved"
    assert r.headers["location"] == f"/api/v1/searches/{saved['id']}"
    listed = api.get("/api/v1/searches", params={"kind": "saved"}).json()
    assert [i["id"] for i in listed["items"]] == [saved["id"]]
    r = api.post(f"/api/v1/searches/{saved['id']}/run",
                 params={"size": "3"})
    assert r.status_code == 200
    run = r.json()
    assert run["size"] == 3 and run["total"] == es_count(
        acme, {"term": {"http.response.status_code": 404}})
    stamps = [h["source"]["@timestamp"] for h in run["hits"]]
    assert stamps == sorted(stamps)
    assert other["api"].get("/api/v1/searches",
                            params={"kind": "saved"}).json()["total"] == 0
    assert other["api"].delete(
        f"/api/v1/searches/{saved['id']}").status_code == 404
    assert api.delete(f"/api/v1/searches/{saved['id']}").status_code == 204
    assert api.delete(f"/api/v1/searches/{saved['id']}").status_code == 404


@pytest.mark.parametrize("body,field", [
    ({"query": {}}, "name"), ({"name": "x"}, "query"),
    ({"name": "x", "query": {"size": "900"}}, "query.size"),
    ({"name": "x", "query": {"q": "(open"}}, "query.q")])
def test_saving_a_bad_search_is_422(acme, body, field):
    r = acme["api"].post("/api/v1/searches", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == field


def test_searches_bad_kind_and_ids(acme):
    api = acme["api"]
    assert api.get("/api/v1/searches",
                   params={"kind": "all"}).status_code == 400
    assert api.delete("/api/v1/searches").status_code == 400
    assert api.delete("/api/v1/searches",
                      params={"kind": "saved"}).status_code == 400
    assert api.get("/api/v1/searches/nope").status_code == 404
    assert api.post("/api/v1/searches/nope/run").status_code == 404


# ---- statistics ------------------------------------------------------------------

def test_stats_over_the_access_log(acme):
    r = acme["api"].get("/api/v1/stats", params={
        "from": "2015-05-17", "to": "2015-05-21", "interval": "1d"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["total"] == 10030 and s["files"] == 1
    assert s["in_range"] == 10000
    assert s["interval"] == "1d"
    assert [b["t"][:10] for b in s["histogram"]] == [
        "2015-05-17", "2015-05-18", "2015-05-19", "2015-05-20"]
    assert sum(b["count"] for b in s["histogram"]) == 10000
    assert s["errors"] == es_count(acme, {"range": {
        "http.response.status_code": {"gte": 500}}})
    assert sum(s["levels"].values()) == 10000
    acc = s["access"]
    assert acc["count"] == 10000
    assert len(acc["status_classes"]) == 4
    assert sum(b["4xx"] for b in acc["status_classes"]) == es_count(
        acme, {"range": {"http.response.status_code": {"gte": 400,
                                                        "lt": 500}}})
    assert len(acc["top_urls"]) == 10
    counts = [u["count"] for u in acc["top_urls"]]
    assert counts == sorted(counts, reverse=True)
    assert 0 < acc["bytes"]["p50"] <= acc["bytes"]["p95"] <= \
        acc["bytes"]["p99"]
    assert acc["duration_ms"] is None
    assert isinstance(s["took_ms"], int)


def test_stats_of_the_json_documents(acme):
    s = acme["api"].get("/api/v1/stats").json()  # the last 24 hours
    assert s["in_range"] >= 30 and s["today"] >= 1
    assert s["levels"]["CRITICAL"] >= 6
    assert {x["key"] for x in s["top_services"]} >= set(SERVICES)
    assert s["errors"] >= 12
    assert s["top_errors"] and s["top_errors"][0]["count"] >= 1
    assert s["interval"] == "5m"
    assert len(s["histogram"]) >= 288


@pytest.mark.parametrize("params,field", [
    ({"interval": "2h"}, "interval"), ({"from": "nope"}, "from"),
    ({"from": "now-30d", "interval": "1m"}, "interval"),
    ({"from": "now", "to": "now-1d"}, "from")])
def test_stats_bad_arguments(acme, params, field):
    r = acme["api"].get("/api/v1/stats", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["details"]["field"] == field


def test_stats_are_cached(acme):
    params = {"from": "2015-05-17", "to": "2015-05-21"}
    r = wait_hit(acme["api"], "/api/v1/stats", params)
    assert r.json()["in_range"] == 10000


# ---- export ----------------------------------------------------------------------

def read_csv(r):
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.content.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(r.content.decode("utf-8"),
                                       newline="")))


def test_export_every_match_in_order(acme):
    r = acme["api"].get("/api/v1/logs/export.csv",
                        params={"q": "status:404", "order": "asc"})
    rows = read_csv(r)
    assert rows[0][:5] == ["id", "timestamp", "log.level", "service.name",
                           "host.name"]
    n = es_count(acme, {"term": {"http.response.status_code": 404}})
    assert len(rows) == n + 1
    stamps = [row[1] for row in rows[1:]]
    assert stamps == sorted(stamps)
    assert all(row[9] == "404" for row in rows[1:])
    assert len({row[0] for row in rows[1:]}) == n


def test_export_all_10k_and_the_row_limit(acme):
    r = acme["reader"].get("/api/v1/logs/export.csv",
                           params={"q": "method:GET OR method:POST OR "
                                   "method:HEAD OR method:OPTIONS"})
    rows = read_csv(r)
    assert len(rows) - 1 == es_count(acme, {"exists": {
        "field": "http.request.method"}})
    assert len({row[0] for row in rows[1:]}) == len(rows) - 1
    r = acme["api"].get("/api/v1/logs/export.csv", params={"limit": "250"})
    rows = read_csv(r)
    assert len(rows) == 251
    assert "truncated" in r.headers["Content-Disposition"]
    r = acme["api"].get("/api/v1/logs/export.csv",
                        params={"limit": "100001"})
    assert r.status_code == 400
    assert r.json()["error"]["details"]["field"] == "limit"


def test_export_quotes_and_neutralises_formulas(acme, redis):
    m = "x" + uuid.uuid4().hex[:10]
    now = dt.datetime.now(dt.timezone.utc)
    ingest(acme, [
        {"@timestamp": iso(now), "level": "info", "service": "=cmd",
         "message": f'=HYPERLINK("http://evil","x") {m}', "marker": m},
        {"@timestamp": iso(now - dt.timedelta(seconds=1)), "level": "info",
         "service": "+sum", "message": f'{m}, "quoted"\r\nsecond line',
         "marker": m},
        {"@timestamp": iso(now - dt.timedelta(seconds=2)), "level": "info",
         "service": "@at", "message": f"-2+3 {m}", "marker": m}])
    r = acme["api"].get("/api/v1/logs/export.csv", params={"q": m})
    raw = r.content.decode()
    rows = read_csv(r)
    assert len(rows) == 4
    assert rows[1][3] == "'=cmd"
    assert rows[1][5] == f"'=HYPERLINK(\"http://evil\",\"x\") {m}"
    assert rows[2][3] == "'+sum"
    assert rows[2][5] == f'{m}, "quoted"\r\nsecond line'
    assert f'"{m}, ""quoted""\r\nsecond line"' in raw
    assert rows[3][3] == "'@at" and rows[3][5] == f"'-2+3 {m}"
    es_delete(acme, {"term": {"labels.marker": m}})
    redis.incr(f"t:{acme['tenant']['id']}:gen")


def test_export_is_tenant_scoped_and_checked(acme, other, new_tenant):
    rows = read_csv(other["api"].get("/api/v1/logs/export.csv"))
    assert len(rows) == 6
    assert all(other["marker"] in row[5] for row in rows[1:])
    rows = read_csv(other["api"].get("/api/v1/logs/export.csv",
                                     params={"q": acme["marker"]}))
    assert len(rows) == 1
    empty = new_tenant("srchempty")
    rows = read_csv(empty["api"].get("/api/v1/logs/export.csv"))
    assert len(rows) == 1 and rows[0][0] == "id"
    r = acme["api"].get("/api/v1/logs/export.csv", params={"sort": "x"})
    assert r.status_code == 400
    assert acme["ingester"].get("/api/v1/logs/export.csv").status_code == 403


def test_a_tenant_without_logs_gets_empty_answers(new_tenant):
    t = new_tenant("srchnone")
    r = search(t["api"], q="anything").json()
    assert r["total"] == 0 and r["hits"] == []
    s = t["api"].get("/api/v1/stats").json()
    assert s["total"] == 0 and s["files"] == 0
