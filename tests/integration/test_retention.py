"""Retention: the worker deletes a tenant's daily indices older than its
retention (plan, or the tenant's override) and the stored copies of its
files past it; today and the retention's days stay; another tenant's
indices, even one whose slug extends this tenant's, are untouched by this
tenant's run."""
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from bson import ObjectId

from conftest import wait_for

ES = os.environ.get("VIGIE_ES_URL", "")


def day(offset):
    d = datetime.now(timezone.utc).date() - timedelta(days=offset)
    return d.strftime("%Y.%m.%d")


def index(t, offset):
    return f"logs-{t['slug']}-{day(offset)}"


def make_index(name):
    r = requests.put(f"{ES}/{name}", timeout=60,
                     json={"settings": {"number_of_replicas": 0}})
    assert r.status_code == 200, r.text


def exists(name):
    return requests.head(f"{ES}/{name}", timeout=30).status_code == 200


def drop(*names):
    for name in names:
        requests.delete(f"{ES}/{name}", timeout=60)


def push(redis, job):
    redis.lpush("p:jobs", json.dumps(job))


def upload(t, text):
    r = t["api"].post("/api/v1/files", params={"name": "r.log"},
                      data=text.encode(),
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def stored_path(t, file_id):
    root = Path(os.environ["VIGIE_DATA_DIR"]) / "uploads"
    return root / t["tenant"]["id"] / file_id


def test_expired_indices_and_files_go_others_stay(new_tenant, db, redis):
    a = new_tenant("ret")
    # Same prefix: b's slug is "<a's slug>-<hex>", so a's pattern
    # logs-<a>-* matches b's indices too.
    b = new_tenant(a["slug"])
    assert b["slug"].startswith(a["slug"] + "-")
    a_kept = [index(a, 0), index(a, 7)]
    a_gone = [index(a, 8), index(a, 40)]
    a_other = f"logs-{a['slug']}-archive"
    b_old = index(b, 40)
    for name in a_kept + a_gone + [a_other, b_old]:
        make_index(name)
    old_file = upload(a, "old line\n")
    new_file = upload(a, "new line\n")
    # Ingestion writes the records as it goes; FerretDB rewrites a whole
    # document on update, so back-date only once it is over.
    for fid in (old_file, new_file):
        assert wait_for(lambda: a["api"].get(f"/api/v1/files/{fid}").json()
                        ["status"] in ("done", "partial", "failed"), 120,
                        0.3)
    month_ago = (datetime.now(timezone.utc) - timedelta(days=30)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    db.files.update_one({"_id": ObjectId(old_file)},
                        {"$set": {"created_at": month_ago}})
    try:
        push(redis, {"type": "retention", "tenant_id": a["tenant"]["id"]})
        assert wait_for(lambda: not any(exists(n) for n in a_gone), 120,
                        0.3), "expired indices still there"
        assert all(exists(n) for n in a_kept)
        assert exists(a_other)
        assert exists(b_old), "another tenant's index was deleted"
        assert wait_for(lambda: db.files.find_one(
            {"_id": ObjectId(old_file)}).get("purged_at"), 10, 0.2)
        old = db.files.find_one({"_id": ObjectId(old_file)})
        assert old["stored"] is False
        assert not stored_path(a, old_file).exists()
        assert stored_path(a, new_file).exists()
        assert "purged_at" not in db.files.find_one(
            {"_id": ObjectId(new_file)})
        # The file's record stays visible through the API.
        r = a["api"].get(f"/api/v1/files/{old_file}")
        assert r.status_code == 200, r.text

        # Without a tenant the job fans out to every tenant: b's turn.
        push(redis, {"type": "retention"})
        assert wait_for(lambda: not exists(b_old), 600, 0.5)
        assert all(exists(n) for n in a_kept)
    finally:
        drop(*(a_kept + a_gone + [a_other, b_old]))


def test_tenant_override_wins_over_the_plan(new_tenant, db, redis):
    t = new_tenant("ret-ovr")
    kept, gone = index(t, 1), index(t, 2)
    for name in (kept, gone):
        make_index(name)
    db.tenants.update_one({"_id": ObjectId(t["tenant"]["id"])},
                          {"$set": {"overrides": {"retention_days": 1}}})
    try:
        push(redis, {"type": "retention", "tenant_id": t["tenant"]["id"]})
        assert wait_for(lambda: not exists(gone), 120, 0.3)
        assert exists(kept)
    finally:
        drop(kept, gone)


def test_bad_jobs_go_to_the_dead_letters(redis):
    push(redis, {"type": "retention", "tenant_id": "../../etc"})
    assert wait_for(lambda: any("../../etc" in j for j in
                                redis.lrange("p:jobs:dead", 0, -1)), 20, 0.2)
