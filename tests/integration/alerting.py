"""Helpers shared by the alerting tests (test_alerts*.py)."""
import json
import os
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests

ES = os.environ.get("VIGIE_ES_URL", "")


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ago(seconds):
    return datetime.now(timezone.utc) - timedelta(seconds=seconds)


def channel_id():
    """A well-formed id that names no channel."""
    return uuid.uuid4().hex[:24]


def webhook_channel(api, receiver, name="hook"):
    """A real webhook channel (notification-channels API) to receiver."""
    r = api.post("/api/v1/notification-channels", json={
        "name": f"{name} {uuid.uuid4().hex[:6]}", "type": "webhook",
        "config": {"url": receiver.url(f"/{name}")}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def ingest(api, docs, batch=5000):
    """Sends documents through POST /api/v1/ingest (NDJSON) and makes
    them searchable at once."""
    for i in range(0, len(docs), batch):
        body = "".join(json.dumps(d) + "\n" for d in docs[i:i + batch])
        r = api.post("/api/v1/ingest", data=body,
                     headers={"Content-Type": "application/x-ndjson"},
                     timeout=120)
        assert r.status_code == 200, r.text
        assert r.json()["rejected"] == 0, r.text


def refresh(t):
    requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_refresh", timeout=60)


def rule_body(**over):
    body = {"name": f"rule {uuid.uuid4().hex[:6]}", "type": "threshold",
            "severity": "high", "window": "5m", "interval": "1s",
            "query": {"level": ["ERROR"], "service": ["checkout"]},
            "condition": {"op": "above", "threshold": 20},
            "cooldown": "1h", "channels": []}
    body.update(over)
    return body


def create_rule(api, **over):
    r = api.post("/api/v1/alert-rules", json=rule_body(**over))
    assert r.status_code == 201, r.text
    return r.json()


def alerts_of(api, rule_id=None, **params):
    if rule_id:
        params["rule_id"] = rule_id
    r = api.get("/api/v1/alerts", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def alert_events(api, alert_id):
    r = api.get(f"/api/v1/alerts/{alert_id}")
    assert r.status_code == 200, r.text
    return r.json()["events"]


def notified(events, kind=None):
    return [e for e in events if e["action"] == "notified"
            and (kind is None or e["details"]["kind"] == kind)]


def quiet(t):
    """Disables the tenant's rules, so that a module's rules stop using
    the worker's time once its tests are done."""
    # Checked and done again: on FerretDB a concurrent update of the same
    # document by the worker (the rule's evaluation record) can undo it.
    for _ in range(5):
        r = t["api"].get("/api/v1/alert-rules")
        if r.status_code != 200:
            return
        left = [x for x in r.json()["items"] if x["enabled"]]
        if not left:
            return
        for rule in left:
            t["api"].patch(f"/api/v1/alert-rules/{rule['id']}",
                           json={"enabled": False})
        time.sleep(1)
