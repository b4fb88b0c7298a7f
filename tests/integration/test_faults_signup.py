"""A sign-up that fails half-way leaves nothing of the tenant behind."""
import os
import time
import uuid

import requests
from pymongo import MongoClient

from conftest import PASSWORD, wait_for


def _signup(base_url, slug, email):
    return requests.post(f"{base_url}/api/v1/signup", json={
        "organization_name": "Half Done", "slug": slug, "email": email,
        "name": "Owner", "password": PASSWORD}, timeout=60)


def _nothing_left(redis, slug, email):
    db = MongoClient(os.environ["VIGIE_MONGO_URI"])[os.environ["VIGIE_MONGO_DB"]]
    assert db.tenants.count_documents({"slug": slug}) == 0
    assert db.users.count_documents({"email": email}) == 0
    for key in redis.scan_iter("t:*:meta"):
        assert slug not in (redis.get(key) or ""), key
    es = os.environ["VIGIE_ES_URL"]
    templates = requests.get(f"{es}/_index_template", timeout=10).json()
    for t in templates["index_templates"]:
        assert f"logs-{slug}-*" not in t["index_template"]["index_patterns"]


def _healthy(http, base_url):
    return http.get(f"{base_url}/health", timeout=10).json()["status"] == \
        "healthy"


def test_signup_with_elasticsearch_down_keeps_nothing(base_url, http, redis,
                                                      stack):
    slug = f"half-{uuid.uuid4().hex[:10]}"
    email = f"owner@{slug}.example.com"
    stack.stop("es")
    try:
        r = _signup(base_url, slug, email)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "service_unavailable"
    finally:
        stack.start("es")
    assert wait_for(lambda: _healthy(http, base_url), 60, interval=1)
    _nothing_left(redis, slug, email)
    # And the same sign-up succeeds once Elasticsearch is back.
    assert _signup(base_url, slug, email).status_code == 201


def test_signup_with_redis_down_keeps_nothing(base_url, http, redis, stack):
    slug = f"half-{uuid.uuid4().hex[:10]}"
    email = f"owner@{slug}.example.com"
    stack.stop("redis")
    try:
        r = _signup(base_url, slug, email)
        assert r.status_code == 503, r.text
    finally:
        stack.start("redis")
    assert wait_for(lambda: _healthy(http, base_url), 30, interval=0.5)
    _nothing_left(redis, slug, email)
    assert _signup(base_url, slug, email).status_code == 201
