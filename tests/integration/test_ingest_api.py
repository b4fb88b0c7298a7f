"""Machine ingestion: POST /api/v1/ingest, the Elasticsearch-compatible
/_bulk for shippers (and the calls they make first), and the upload
preview. Every document must land in the caller's tenant only."""
import base64
import gzip
import json
import os
import uuid

import pytest
import requests

from conftest import Api, shared_data

ES = os.environ.get("VIGIE_ES_URL", "")


def es_count(t, query=None):
    requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_refresh", timeout=30)
    r = requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_count",
                      params={"ignore_unavailable": "true",
                              "allow_no_indices": "true"},
                      json={"query": query or {"match_all": {}}}, timeout=30)
    return r.json().get("count", 0)


def es_search(t, query, size=10):
    requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_refresh", timeout=30)
    r = requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_search",
                      json={"query": query, "size": size}, timeout=30)
    return [h for h in r.json()["hits"]["hits"]]


def marker_count(t, marker):
    return es_count(t, {"term": {"labels.marker": marker}})


def create_key(t, scopes):
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": f"k-{'-'.join(scopes)}",
                            "scopes": list(scopes)})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def ndjson(lines):
    return "".join(json.dumps(x) + "\n" for x in lines)


@pytest.fixture(scope="module")
def acme(new_tenant):
    t = new_tenant("ingapi")
    t["key"] = create_key(t, ["ingest"])
    t["machine"] = Api(t["api"].base_url, f"ApiKey {t['key']}")
    return t


@pytest.fixture(scope="module")
def other(new_tenant):
    t = new_tenant("ingother")
    t["key"] = create_key(t, ["ingest"])
    return t


# ---- POST /api/v1/ingest ----------------------------------------------------

def post_ingest(api, body, ctype="application/json"):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return api.post("/api/v1/ingest", data=body,
                    headers={"Content-Type": ctype})


def test_one_object_is_indexed_with_ecs_fields(acme):
    m = uuid.uuid4().hex
    r = post_ingest(acme["machine"], {
        "@timestamp": "2026-01-15T10:00:00Z", "level": "error",
        "message": "disk full", "service": "db", "marker": m})
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 1, "rejected": 0, "errors": []}
    hits = es_search(acme, {"term": {"labels.marker": m}})
    assert len(hits) == 1
    src = hits[0]["_source"]
    assert src["log.level"] == "ERROR" and src["message"] == "disk full"
    assert src["@timestamp"].startswith("2026-01-15T10:00:00")
    assert src["vigie.ingest_source"] == "api"
    assert hits[0]["_index"].endswith("-2026.01.15")
    assert acme["slug"] in hits[0]["_index"]


def test_an_array_and_ndjson_are_indexed(acme):
    m = uuid.uuid4().hex
    docs = [{"msg": f"array {i}", "marker": m} for i in range(5)]
    r = post_ingest(acme["machine"], docs)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 5
    m2 = uuid.uuid4().hex
    body = ndjson({"msg": f"line {i}", "marker": m2} for i in range(7))
    r = post_ingest(acme["machine"], body, "application/x-ndjson")
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 7, "rejected": 0, "errors": []}
    assert marker_count(acme, m) == 5
    assert marker_count(acme, m2) == 7


def test_bad_elements_are_reported_by_index(acme):
    m = uuid.uuid4().hex
    body = (json.dumps({"msg": "ok 0", "marker": m}) + "\n"
            + '{"msg": broken}\n'
            + json.dumps({"msg": "ok 2", "marker": m}) + "\n"
            + "42\n")
    r = post_ingest(acme["machine"], body, "application/x-ndjson")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["accepted"] == 2 and out["rejected"] == 2
    assert [e["index"] for e in out["errors"]] == [1, 3]
    assert all(e["reason"] for e in out["errors"])
    assert marker_count(acme, m) == 2


@pytest.mark.parametrize("body", [
    b"not json at all", b"", b"   \n", b'{"a": 1,', b"[1, 2, 3]",
    b"<html></html>"])
def test_a_body_that_is_not_json_is_400(acme, body):
    r = post_ingest(acme["machine"], body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_json"


def test_a_read_only_key_is_refused_and_a_user_token_works(acme):
    ro = Api(acme["api"].base_url, f"ApiKey {create_key(acme, ['read'])}")
    r = post_ingest(ro, {"msg": "x"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    m = uuid.uuid4().hex
    r = post_ingest(acme["api"], [{"msg": "from a person", "marker": m}])
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert marker_count(acme, m) == 1


def test_no_credential_or_a_wrong_key_is_401(acme, anon):
    assert post_ingest(anon, {"msg": "x"}).status_code == 401
    bad = Api(acme["api"].base_url, "ApiKey vgk_" + "0" * 24 + "_" + "x" * 43)
    r = post_ingest(bad, {"msg": "x"})
    assert r.status_code == 401
    # A key naming no organization reads as a bad credential.
    assert r.json()["error"]["code"] in ("invalid_api_key", "invalid_token")


def test_too_large_a_body_is_413(acme):
    body = b'{"msg":"' + b"x" * (10 * 1024 * 1024) + b'"}'
    r = post_ingest(acme["machine"], body)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_a_big_spooled_body_is_indexed(acme):
    # Over 1 MiB: Kore spools it to disk and the handler reads the file.
    m = uuid.uuid4().hex
    docs = [{"msg": "y" * 500, "n": i, "marker": m} for i in range(3000)]
    r = post_ingest(acme["machine"], ndjson(docs), "application/x-ndjson")
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 3000
    assert marker_count(acme, m) == 3000


def test_the_other_tenant_never_sees_the_documents(acme, other):
    m = uuid.uuid4().hex
    assert post_ingest(acme["machine"], {"msg": "secret", "marker": m}) \
        .json()["accepted"] == 1
    assert marker_count(acme, m) == 1
    assert marker_count(other, m) == 0
    # The other tenant's key writes to the other tenant only.
    theirs = Api(acme["api"].base_url, f"ApiKey {other['key']}")
    m2 = uuid.uuid4().hex
    assert post_ingest(theirs, {"msg": "theirs", "marker": m2}) \
        .json()["accepted"] == 1
    assert marker_count(other, m2) == 1 and marker_count(acme, m2) == 0


# ---- POST /_bulk ------------------------------------------------------------

def bulk(base_url, key, body, path="/_bulk", basic=True):
    if basic:
        auth = "Basic " + base64.b64encode(
            f"fluentbit:{key}".encode()).decode()
    else:
        auth = f"ApiKey {key}"
    return requests.post(base_url + path, data=body, timeout=60,
                         headers={"Authorization": auth,
                                  "Content-Type": "application/x-ndjson"})


def test_bulk_index_and_create_with_basic_auth(acme):
    m = uuid.uuid4().hex
    body = ndjson([
        {"index": {"_index": "whatever"}},
        {"@timestamp": "2026-02-01T12:00:00Z", "log": "one", "marker": m},
        {"create": {}},
        {"@timestamp": "2026-02-02T12:00:00.123Z", "log": "two",
         "marker": m},
        {"index": {"_index": "x", "_id": "client-id-1"}},
        {"message": "three", "marker": m},
    ])
    r = bulk(acme["api"].base_url, acme["key"], body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out) == {"took", "errors", "items"}
    assert isinstance(out["took"], int) and out["errors"] is False
    assert [list(i)[0] for i in out["items"]] == ["index", "create",
                                                   "index"]
    items = [list(i.values())[0] for i in out["items"]]
    assert [i["status"] for i in items] == [201, 201, 201]
    assert all(i["result"] == "created" for i in items)
    assert items[0]["_index"].endswith("-2026.02.01")
    assert items[1]["_index"].endswith("-2026.02.02")
    assert all(acme["slug"] in i["_index"] for i in items)
    assert len({i["_id"] for i in items}) == 3
    assert marker_count(acme, m) == 3
    hits = es_search(acme, {"term": {"labels.marker": m}})
    assert {h["_source"]["vigie.ingest_source"] for h in hits} == {"bulk"}
    assert {h["_id"] for h in hits} == {i["_id"] for i in items}


def test_gzip_bodies_are_inflated(acme):
    # Shippers compress (Filebeat does by default): the gzip magic decides.
    m = uuid.uuid4().hex
    body = ndjson(sum(([{"index": {}}, {"msg": f"z{i}", "marker": m}]
                       for i in range(50)), []))
    r = bulk(acme["api"].base_url, acme["key"], gzip.compress(body.encode()))
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 50 and r.json()["errors"] is False
    r = post_ingest(acme["machine"], gzip.compress(
        json.dumps([{"msg": "z", "marker": m}]).encode()))
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert marker_count(acme, m) == 51
    r = bulk(acme["api"].base_url, acme["key"],
             gzip.compress(body.encode())[:-20])
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_body"


def test_bulk_with_an_index_in_the_path_and_apikey_header(acme):
    m = uuid.uuid4().hex
    body = ndjson([{"index": {}}, {"msg": "path", "marker": m}])
    r = bulk(acme["api"].base_url, acme["key"], body, "/my-logs/_bulk",
             basic=False)
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["index"]["status"] == 201
    assert marker_count(acme, m) == 1


def test_bulk_naming_another_tenants_index_lands_in_the_callers(acme,
                                                                 other):
    before = es_count(other)
    m = uuid.uuid4().hex
    theirs = f"logs-{other['slug']}-2026.01.01"
    body = ndjson([{"index": {"_index": theirs}},
                   {"@timestamp": "2026-01-01T00:00:00Z", "msg": "x",
                    "marker": m}])
    r = bulk(acme["api"].base_url, acme["key"], body, f"/{theirs}/_bulk")
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]["index"]
    assert item["_index"] == f"logs-{acme['slug']}-2026.01.01"
    assert marker_count(acme, m) == 1
    assert es_count(other) == before
    assert marker_count(other, m) == 0


def test_bulk_resending_the_same_ids_does_not_duplicate(acme, other):
    m = uuid.uuid4().hex
    docs = []
    for i in range(20):
        docs += [{"index": {"_id": f"evt-{i}"}}, {"msg": f"e{i}", "marker": m}]
    body = ndjson(docs)
    first = bulk(acme["api"].base_url, acme["key"], body).json()
    again = bulk(acme["api"].base_url, acme["key"], body).json()
    assert [i["index"]["_id"] for i in first["items"]] == \
        [i["index"]["_id"] for i in again["items"]]
    assert marker_count(acme, m) == 20
    # The same client ids in another tenant are other documents.
    r = bulk(acme["api"].base_url, other["key"], body).json()
    assert {i["index"]["_id"] for i in r["items"]}.isdisjoint(
        {i["index"]["_id"] for i in first["items"]})
    assert marker_count(other, m) == 20 and marker_count(acme, m) == 20


def test_bulk_unsupported_actions_and_bad_documents_are_per_item(acme):
    m = uuid.uuid4().hex
    body = ndjson([
        {"index": {}}, {"msg": "ok", "marker": m},
        {"update": {"_id": "1"}}, {"doc": {"a": 1}},
        {"delete": {"_id": "2"}},
        {"index": {}}]) + "[1, 2]\n" + ndjson([
        {"index": {}}]) + '{"broken": \n' + ndjson([
        {"create": {}}, {"msg": "ok too", "marker": m}])
    r = bulk(acme["api"].base_url, acme["key"], body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["errors"] is True
    kinds = [list(i)[0] for i in out["items"]]
    assert kinds == ["index", "update", "delete", "index", "index", "create"]
    items = [list(i.values())[0] for i in out["items"]]
    assert [i["status"] for i in items] == [201, 400, 400, 400, 400, 201]
    assert "unsupported in Vigie" in items[1]["error"]["reason"]
    assert "unsupported in Vigie" in items[2]["error"]["reason"]
    assert items[3]["error"]["type"] == "mapper_parsing_exception"
    assert all(set(i["error"]) == {"type", "reason"} for i in items[1:5])
    assert marker_count(acme, m) == 2


@pytest.mark.parametrize("body", [
    "this is not json\n{}\n",
    '{"index": {}, "create": {}}\n{}\n',
    '{"upsert": {}}\n{}\n',
    '{"index": {}}\n',
    "",
])
def test_bulk_malformed_action_lines_are_400(acme, body):
    r = bulk(acme["api"].base_url, acme["key"], body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_bulk"
    assert err["type"] == "illegal_argument_exception" and err["reason"]


def test_bulk_wrong_key_is_401_and_read_scope_403(acme):
    body = ndjson([{"index": {}}, {"msg": "x"}])
    r = bulk(acme["api"].base_url, "vgk_" + "1" * 24 + "_" + "y" * 43, body)
    assert r.status_code == 401
    r = bulk(acme["api"].base_url, acme["key"][:-2] + "zz", body)
    assert r.status_code == 401
    r = bulk(acme["api"].base_url, create_key(acme, ["read"]), body)
    assert r.status_code == 403
    r = requests.post(acme["api"].base_url + "/_bulk", data=body, timeout=30)
    assert r.status_code == 401


def test_bulk_get_is_405(acme):
    r = requests.get(acme["api"].base_url + "/_bulk", timeout=30,
                     headers={"Authorization": f"ApiKey {acme['key']}"})
    assert r.status_code == 405


# ---- what shippers call first ----------------------------------------------

def test_root_answers_the_elasticsearch_banner_to_shippers(acme, base_url):
    auth = {"Authorization": f"ApiKey {acme['key']}"}
    r = requests.get(base_url + "/", headers=auth, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["version"]["number"] == "8.11.0"
    assert body["version"]["build_flavor"] == "default"
    assert body["tagline"] == "You Know, for Search"
    assert requests.head(base_url + "/", headers=auth,
                         timeout=30).status_code == 200
    # Basic, as Filebeat and Logstash send it.
    basic = base64.b64encode(f"elastic:{acme['key']}".encode()).decode()
    r = requests.get(base_url + "/", timeout=30,
                     headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200 and r.json()["name"] == "vigie"
    for path in ("/_license", "/_xpack"):
        r = requests.get(base_url + path, headers=auth, timeout=30)
        assert r.status_code == 200, path
    assert requests.get(base_url + "/_license", headers=auth,
                        timeout=30).json()["license"]["status"] == "active"


def test_root_stays_the_home_page_for_browsers(base_url):
    r = requests.get(base_url + "/", timeout=30,
                     headers={"Accept": "text/html,application/json;q=0.9"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    r = requests.get(base_url + "/", timeout=30)
    assert r.headers["content-type"].startswith("text/html")
    # A JSON client without credentials is told to authenticate.
    r = requests.get(base_url + "/", timeout=30,
                     headers={"Accept": "application/json"})
    assert r.status_code == 401
    r = requests.get(base_url + "/", timeout=30,
                     headers={"Authorization": "ApiKey nope"})
    assert r.status_code == 401


# ---- POST /api/v1/files/preview --------------------------------------------

def preview(t, content, type_=None):
    params = {"type": type_} if type_ else {}
    return t["api"].post("/api/v1/files/preview", params=params,
                         data=content,
                         headers={"Content-Type": "application/octet-stream"})


def files_total(t):
    return t["api"].get("/api/v1/files").json()["total"]


def test_preview_of_the_apache_log_shows_ten_records(acme):
    before = files_total(acme)
    es_before = es_count(acme)
    content = shared_data("apache_access_10k.log").read_bytes()
    r = preview(acme, content)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["format"] == "access"
    assert out["detected"]["format"] == "access"
    assert out["detected"]["matched"] > 0
    assert len(out["records"]) == 10 and out["errors"] == []
    first = out["records"][0]
    assert first["http.request.method"] and first["@timestamp"]
    assert isinstance(first["http.response.status_code"], int)
    assert files_total(acme) == before
    assert es_count(acme) == es_before


def test_preview_of_a_gzip_file(acme):
    before = files_total(acme)
    content = gzip.compress(shared_data("apache_access_10k.log").read_bytes())
    r = preview(acme, content)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["compressed"] is True and out["format"] == "access"
    assert len(out["records"]) == 10 and out["errors"] == []
    assert files_total(acme) == before


def test_preview_locates_csv_errors(acme):
    csv = (b"time,level,message\n"
           b"2026-01-01T00:00:00Z,INFO,one\n"
           b"2026-01-01T00:00:01Z,WARN\n"
           b"2026-01-01T00:00:02Z,ERROR,three\n")
    r = preview(acme, csv, "csv")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["format"] == "csv"
    assert out["detected"]["csv_delimiter"] in (",", None)
    assert len(out["records"]) == 2
    assert len(out["errors"]) == 1
    assert out["errors"][0]["line"] == 3 and out["errors"][0]["reason"]
    assert "column" in out["errors"][0]


@pytest.mark.parametrize("content,type_,status,code", [
    (b"\x00\x01\x02binary\x00", None, 415, "unsupported_content"),
    (b"", None, 422, "empty_file"),
    (b"caf\xe9 latin-1\n", None, 422, "invalid_encoding"),
    (b"hello\n", "exe", 422, "validation_failed"),
])
def test_preview_refuses_bad_content(acme, content, type_, status, code):
    before = files_total(acme)
    r = preview(acme, content, type_)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert files_total(acme) == before


def test_preview_needs_write_permission(acme):
    ro = Api(acme["api"].base_url, f"ApiKey {create_key(acme, ['read'])}")
    r = ro.post("/api/v1/files/preview", data=b"hello\n")
    assert r.status_code == 403
    assert acme["machine"].post("/api/v1/files/preview",
                                data=b"hello\n").status_code == 200
