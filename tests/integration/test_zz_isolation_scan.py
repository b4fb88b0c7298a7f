"""Runs last: after every other test, no tenant data lies outside its
tenant's namespace, in Redis or in Elasticsearch."""
import os
import re

import requests
from pymongo import MongoClient

TENANT_KEY = re.compile(r"^t:[0-9a-f]{24}:[a-z0-9:_.-]+$")
PLATFORM_KEY = re.compile(r"^p:[A-Za-z0-9:_.\-]+$")


def test_every_redis_key_is_under_a_tenant_or_platform_prefix(redis):
    strays = [k for k in redis.scan_iter(count=1000)
              if not TENANT_KEY.match(k) and not PLATFORM_KEY.match(k)]
    assert strays == []


def test_tenant_keys_belong_to_existing_tenants(redis):
    db = MongoClient(os.environ["VIGIE_MONGO_URI"])[os.environ["VIGIE_MONGO_DB"]]
    ids = {str(t["_id"]) for t in db.tenants.find({}, {"_id": 1})}
    owners = {k.split(":")[1] for k in redis.scan_iter("t:*", count=1000)}
    assert owners <= ids


def test_every_index_belongs_to_a_tenant_or_the_platform():
    es = os.environ["VIGIE_ES_URL"]
    db = MongoClient(os.environ["VIGIE_MONGO_URI"])[os.environ["VIGIE_MONGO_DB"]]
    slugs = {t["slug"] for t in db.tenants.find({}, {"slug": 1})}
    daily = re.compile(r"^logs-([a-z0-9-]+)-\d{4}\.\d{2}\.\d{2}$")
    indices = requests.get(f"{es}/_cat/indices?format=json&expand_wildcards=all",
                           timeout=10).json()
    for idx in indices:
        name = idx["index"]
        if name.startswith("."):
            continue  # Elasticsearch's own system indices
        m = daily.match(name)
        assert m and m.group(1) in slugs, name
