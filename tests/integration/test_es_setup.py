"""Elasticsearch log templates (store/es_setup.c): the worker applies the
component template vigie-logs-mappings and the base template logs-vigie
at start, both read from elk/elasticsearch/; a tenant's daily index gets
the mappings and its own alias, and never another tenant's."""
import json
import os
import uuid

import pytest
import requests

from conftest import ROOT, log_lines, wait_for

ELK = ROOT / "elk/elasticsearch"
DAY = "2026.01.01"


@pytest.fixture(scope="module")
def es():
    url = os.environ.get("VIGIE_ES_URL")
    if not url:
        pytest.exit("VIGIE_ES_URL is not set: run the tests with 'make test'", 2)
    return url.rstrip("/")


@pytest.fixture(scope="module")
def applied(es):
    """Waits until the worker of this run has applied the templates."""
    log = os.environ["VIGIE_TEST_WORKER_LOG"]

    def done():
        return any(line.get("message") == "Elasticsearch log templates applied"
                   for line in log_lines(log))

    assert wait_for(done, 30, 0.2), "the worker did not apply the templates"
    return es


@pytest.fixture
def indices(es):
    """Index names a test creates; deleted (by exact name) afterwards."""
    made = []
    yield made
    for name in made:
        requests.delete(f"{es}/{name}", timeout=30)


def index_doc(es, index, doc, doc_id=None):
    doc_id = doc_id or uuid.uuid4().hex
    return requests.put(f"{es}/{index}/_doc/{doc_id}?refresh=true", json=doc,
                        timeout=30)


def field(mapping, dotted):
    """The mapping of a dotted field name in a GET _mapping answer."""
    node = {"properties": mapping["mappings"]["properties"]}
    for part in dotted.split("."):
        node = node["properties"][part]
    return node


def test_the_worker_applies_them_before_it_starts(applied):
    lines = log_lines(os.environ["VIGIE_TEST_WORKER_LOG"])
    messages = [line.get("message") for line in lines]
    assert messages.index("Elasticsearch log templates applied") < \
        messages.index("vigie-worker started")


def test_component_template_is_the_elk_file(applied):
    want = json.loads((ELK / "component-template-logs-mappings.json").read_text())
    r = requests.get(f"{applied}/_component_template/vigie-logs-mappings",
                     timeout=30)
    assert r.status_code == 200, r.text
    got = r.json()["component_templates"][0]["component_template"]
    assert got["version"] == want["version"]
    assert got["template"]["mappings"] == want["template"]["mappings"]
    settings = got["template"]["settings"]["index"]
    assert settings["number_of_shards"] == "1"
    assert settings["number_of_replicas"] == "0"
    assert settings["refresh_interval"] == "1s"
    assert settings["mapping"]["ignore_malformed"] == "true"
    assert settings["mapping"]["total_fields"]["limit"] == "1000"


def test_base_template_composes_it_below_tenant_templates(applied):
    want = json.loads((ELK / "index-template-logs.json").read_text())
    r = requests.get(f"{applied}/_index_template/logs-vigie", timeout=30)
    assert r.status_code == 200, r.text
    got = r.json()["index_templates"][0]["index_template"]
    assert got["index_patterns"] == ["logs-*"]
    assert got["composed_of"] == ["vigie-logs-mappings"]
    assert got["priority"] == want["priority"]
    # Tenant templates (vigie-t-<id>) start at 1000 and must win.
    assert 100 < got["priority"] < 1000
    assert "aliases" not in got.get("template", {})


def test_tenant_index_gets_the_mappings_and_its_alias(applied, new_tenant,
                                                      indices):
    es = applied
    t = new_tenant("essetup")
    index = f"logs-{t['slug']}-{DAY}"
    indices.append(index)
    r = index_doc(es, index, {
        "@timestamp": "2026-01-01T10:00:00Z", "message": "GET / 200",
        "log.level": "info", "client.ip": "192.0.2.7",
        "http.response.status_code": 200, "user_agent.original": "curl/8.0",
        "labels.env": "prod", "labels.build": 42, "labels.canary": True,
        "event.original": "raw line", "vigie.ingest_source": "api",
        "vigie.received_at": "2026-01-01T10:00:01Z", "vigie.line": 1,
        "some.unknown": "text"})
    assert r.status_code == 201, r.text

    r = requests.get(f"{es}/{index}/_mapping", timeout=30)
    mapping = r.json()[index]
    types = {name: field(mapping, name)["type"] for name in (
        "@timestamp", "message", "log.level", "client.ip",
        "http.response.status_code", "http.response.body.bytes",
        "user_agent.original", "labels.env", "labels.build", "labels.canary",
        "event.original", "vigie.ingest_source", "vigie.received_at",
        "vigie.line", "url.path", "url.query", "trace.id", "process.pid",
        "log.syslog.severity.code", "log.syslog.msgid", "log.logger",
        "client.domain", "client.port", "process.thread.id", "some.unknown")}
    assert types == {
        "@timestamp": "date", "message": "text", "log.level": "keyword",
        "client.ip": "ip", "http.response.status_code": "integer",
        "http.response.body.bytes": "long", "user_agent.original": "keyword",
        "labels.env": "keyword", "labels.build": "keyword",
        "labels.canary": "keyword", "event.original": "keyword",
        "vigie.ingest_source": "keyword", "vigie.received_at": "date",
        "vigie.line": "long", "url.path": "keyword", "url.query": "keyword",
        "trace.id": "keyword", "process.pid": "long",
        "log.syslog.severity.code": "integer", "log.syslog.msgid": "keyword",
        "log.logger": "keyword", "client.domain": "keyword",
        "client.port": "long", "process.thread.id": "long",
        "some.unknown": "keyword"}
    assert field(mapping, "message")["norms"] is False
    assert field(mapping, "event.original")["index"] is False
    assert field(mapping, "user_agent.original")["fields"]["text"]["type"] == "text"

    r = requests.get(f"{es}/{index}/_alias", timeout=30)
    assert r.json() == {index: {"aliases": {f"vigie-t-{t['tenant']['id']}": {}}}}
    r = requests.get(f"{es}/vigie-t-{t['tenant']['id']}/_count", timeout=30)
    assert r.json()["count"] == 1
    settings = requests.get(f"{es}/{index}/_settings?flat_settings=true",
                            timeout=30).json()[index]["settings"]
    assert settings["index.number_of_replicas"] == "0"
    assert settings["index.number_of_shards"] == "1"


def test_another_tenant_index_never_gets_my_alias(applied, new_tenant,
                                                  indices):
    """Tenant b's slug starts with a's slug and a hyphen, so a's pattern
    logs-<a>-* also matches b's indices: b's template must win."""
    es = applied
    a = new_tenant("esx")
    b = new_tenant(a["slug"])
    assert b["slug"].startswith(a["slug"] + "-")
    index_a, index_b = f"logs-{a['slug']}-{DAY}", f"logs-{b['slug']}-{DAY}"
    indices.extend([index_a, index_b])
    marker = uuid.uuid4().hex
    assert index_doc(es, index_a, {"message": "of a"}).status_code == 201
    assert index_doc(es, index_b, {"message": marker}).status_code == 201

    alias_a, alias_b = (f"vigie-t-{a['tenant']['id']}",
                        f"vigie-t-{b['tenant']['id']}")
    r = requests.get(f"{es}/{index_b}/_alias", timeout=30)
    assert r.json() == {index_b: {"aliases": {alias_b: {}}}}
    r = requests.get(f"{es}/{index_a}/_alias", timeout=30)
    assert r.json() == {index_a: {"aliases": {alias_a: {}}}}
    r = requests.get(f"{es}/{alias_a}/_search", json={
        "query": {"match": {"message": marker}}}, timeout=30)
    assert r.json()["hits"]["total"]["value"] == 0
    assert requests.get(f"{es}/{alias_a}/_count", timeout=30).json()["count"] == 1


def test_index_without_a_tenant_template_gets_the_base_one(applied, indices):
    es = applied
    index = f"logs-notenant{uuid.uuid4().hex[:10]}-{DAY}"
    indices.append(index)
    r = index_doc(es, index, {"client.ip": "2001:db8::1", "labels.x": 1})
    assert r.status_code == 201, r.text
    mapping = requests.get(f"{es}/{index}/_mapping", timeout=30).json()[index]
    assert field(mapping, "client.ip")["type"] == "ip"
    assert field(mapping, "labels.x")["type"] == "keyword"
    assert requests.get(f"{es}/{index}/_alias", timeout=30).json() == \
        {index: {"aliases": {}}}


def test_bad_values_ignored_or_refused(applied, new_tenant, indices):
    """Malformed numbers and addresses are kept in _source but not indexed;
    a value of the wrong shape or a bad @timestamp refuses the document."""
    es = applied
    t = new_tenant("esbad")
    index = f"logs-{t['slug']}-{DAY}"
    indices.append(index)
    r = index_doc(es, index, {"@timestamp": "2026-01-01T00:00:00Z",
                              "client.ip": "not-an-ip",
                              "http.response.status_code": "abc"}, "ignored")
    assert r.status_code == 201, r.text
    r = requests.get(f"{es}/{index}/_search", json={
        "query": {"ids": {"values": ["ignored"]}}}, timeout=30)
    hit = r.json()["hits"]["hits"][0]
    assert sorted(hit["_ignored"]) == ["client.ip", "http.response.status_code"]
    assert hit["_source"]["client.ip"] == "not-an-ip"

    for doc in ({"log.level": {"nested": "object"}},
                {"@timestamp": "yesterday"},
                {"http.response.status_code": {"x": 1}}):
        r = index_doc(es, index, doc)
        assert r.status_code == 400, (doc, r.text)
        assert r.json()["error"]["type"] == "document_parsing_exception"
