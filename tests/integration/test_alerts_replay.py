"""Rule types on known data, replayed with POST /api/v1/alert-rules/test
(when the rule would have fired, before it is enabled) and evaluated live
by the worker; and error-rate analytics (GET /api/v1/analytics/error-rate).

One tenant gets a synthetic recent history: a checkout error spike 2
hours ago, "timeout after N ms" messages 3 hours ago, a steady API
traffic of 20 documents per 5 minutes with a burst of 120 an hour ago,
and web traffic where /b fails half the time and /a never does."""
import random
from datetime import datetime, timezone

import pytest

from alerting import (ago, alerts_of, create_rule, ingest, iso, quiet,
                      refresh, rule_body)
from conftest import wait_for


def minutes_from(alert, now, key="started_at"):
    t = datetime.strptime(alert[key], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)
    return (now - t).total_seconds() / 60


@pytest.fixture(scope="module")
def shop(new_tenant):
    t = new_tenant("replay")
    rnd = random.Random(7)
    docs = []
    for i in range(40):  # the spike, 2 hours ago
        docs.append({"@timestamp": iso(ago(7200 + rnd.randint(0, 60))),
                     "level": "error", "service": "checkout",
                     "message": f"card declined {i}"})
    for m in range(0, 360, 10):  # background, one error per 10 minutes
        docs.append({"@timestamp": iso(ago(m * 60 + 30)), "level": "error",
                     "service": "checkout", "message": "card declined"})
    for i in range(5):  # timeouts, 3 hours ago
        docs.append({"@timestamp": iso(ago(10800 + i * 20)),
                     "level": "warning", "service": "db",
                     "message": f"query timeout after {300 + i} ms"})
        docs.append({"@timestamp": iso(ago(10800 + i * 20)),
                     "level": "warning", "service": "db",
                     "message": "query took long"})
    for w in range(36):  # API: 20 per 5 minutes for 3 hours
        n = 120 if w == 12 else 20
        for i in range(n):
            docs.append({"@timestamp": iso(ago(w * 300 + rnd.randint(1, 299))),
                         "level": "info", "service": "api",
                         "message": "GET /v1/items"})
    for i in range(200):  # web, the last 50 minutes
        path = "/a" if i % 2 == 0 else "/b"
        status = 500 if path == "/b" and i % 4 == 1 else 200
        docs.append({"@timestamp": iso(ago(rnd.randint(60, 3000))),
                     "service": "web", "message": f"GET {path}",
                     "path": path, "status": status,
                     "user": "ann" if i % 3 else "bob"})
    ingest(t["api"], docs)
    refresh(t)
    t["now"] = datetime.now(timezone.utc)
    yield t
    quiet(t)


def replay(api, body, rng="6h"):
    r = api.post("/api/v1/alert-rules/test", params={"range": rng},
                 json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_threshold_rule_replays_the_spike(shop):
    out = replay(shop["api"], rule_body(
        name="checkout spike", query={"service": ["checkout"],
                                      "level": ["ERROR"]},
        condition={"threshold": 20}))
    assert out["evaluations"] >= 100
    assert len(out["timeline"]) == out["evaluations"]
    assert out["firing_evaluations"] > 0
    assert len(out["alerts"]) == 1
    a = out["alerts"][0]
    assert 115 <= minutes_from(a, shop["now"]) <= 125
    assert a["resolved_at"] is not None and a["peak"] >= 40
    # The same in the search language (docs/SEARCH.md).
    out = replay(shop["api"], rule_body(
        query={"q": 'service:checkout level:error "card declined"'},
        condition={"threshold": 20}))
    assert len(out["alerts"]) == 1
    # A higher threshold would not have fired.
    out = replay(shop["api"], rule_body(
        query={"service": ["checkout"]}, condition={"threshold": 100}))
    assert out["alerts"] == [] and out["firing_evaluations"] == 0


def test_a_saved_rule_replays_by_id_and_other_tenants_cannot(shop,
                                                              new_tenant):
    rule = create_rule(shop["api"], enabled=False,
                       query={"service": ["checkout"]},
                       condition={"threshold": 20})
    r = shop["api"].post(f"/api/v1/alert-rules/{rule['id']}/test",
                         params={"range": "3h"})
    assert r.status_code == 200, r.text
    assert len(r.json()["alerts"]) == 1
    stranger = new_tenant("replaystranger")
    r = stranger["api"].post(f"/api/v1/alert-rules/{rule['id']}/test")
    assert r.status_code == 404
    # Their replay of the same rule sees none of our data.
    out = replay(stranger["api"], rule_body(
        query={"service": ["checkout"]}, condition={"threshold": 0}))
    assert out["alerts"] == []


def test_replay_refuses_bad_rules_and_ranges(shop):
    api = shop["api"]
    r = api.post("/api/v1/alert-rules/test", json=rule_body(window="2m"))
    assert r.status_code == 422
    r = api.post("/api/v1/alert-rules/test", params={"range": "30d"},
                 json=rule_body())
    assert r.status_code == 400
    r = api.post("/api/v1/alert-rules/test", params={"range": "soon"},
                 json=rule_body())
    assert r.status_code == 400


def test_a_pattern_rule_matches_messages(shop):
    out = replay(shop["api"], rule_body(
        type="pattern", query={"service": ["db"]},
        condition={"pattern": "timeout after [0-9]+ ms", "threshold": 0}))
    assert len(out["alerts"]) == 1
    assert 175 <= minutes_from(out["alerts"][0], shop["now"]) <= 185
    assert out["alerts"][0]["peak"] == 5
    out = replay(shop["api"], rule_body(
        type="pattern", query={"service": ["db"]},
        condition={"pattern": "^timeout", "threshold": 0}))
    assert out["alerts"] == []


def test_an_anomaly_rule_finds_the_burst(shop):
    out = replay(shop["api"], rule_body(
        type="anomaly", query={"service": ["api"]},
        condition={"k": 4, "baseline": 12}), rng="2h")
    starts = [minutes_from(a, shop["now"]) for a in out["alerts"]]
    assert starts, out["timeline"][:3]
    assert all(55 <= m <= 66 for m in starts), starts
    # Steady traffic is no anomaly: with a huge k nothing fires.
    out = replay(shop["api"], rule_body(
        type="anomaly", query={"service": ["api"]},
        condition={"k": 50, "baseline": 12}), rng="2h")
    assert out["alerts"] == []


def test_an_error_rate_rule_by_url(shop):
    out = replay(shop["api"], rule_body(
        type="error_rate", window="1h", group_by="url.path",
        query={"service": ["web"]},
        condition={"threshold": 0.3, "min_volume": 20}), rng="1h")
    groups = {a["group"] for a in out["alerts"]}
    assert groups == {"/b"}


def test_live_rules_of_each_type_fire_on_the_worker(shop):
    api = shop["api"]
    rate = create_rule(api, type="error_rate", window="1h",
                       group_by="url.path", query={"service": ["web"]},
                       condition={"threshold": 0.3, "min_volume": 20})
    pattern = create_rule(api, type="pattern", window="24h",
                          query={"service": ["db"]},
                          condition={"pattern": "timeout after [0-9]+ ms",
                                     "threshold": 4})
    found = wait_for(lambda: alerts_of(api, rate["id"]), 30, 0.3)
    assert [a["group"] for a in found] == ["/b"]
    assert 0.3 < found[0]["value"] <= 1
    found = wait_for(lambda: alerts_of(api, pattern["id"]), 30, 0.3)
    assert len(found) == 1 and found[0]["value"] == 5


def test_error_rate_analytics(shop, new_tenant):
    api = shop["api"]
    r = api.get("/api/v1/analytics/error-rate",
                params={"by": "url", "from": "now-1h", "step": "5m",
                        "window": "15m"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["by"] == "url" and out["window"] == "15m"
    series = {s["key"]: s for s in out["series"]}
    assert series["/a"]["errors"] == 0 and series["/a"]["rate"] == 0
    assert 0.3 < series["/b"]["rate"] < 0.7
    assert len(series["/b"]["points"]) in (12, 13)
    # Sliding windows: each point sums three 5-minute buckets.
    assert max(p["total"] for p in series["/b"]["points"]) <= 100
    r = api.get("/api/v1/analytics/error-rate",
                params={"by": "global", "from": "now-1h"})
    assert r.status_code == 200
    (glob,) = r.json()["series"]
    assert glob["key"] == "global" and glob["errors"] >= 50
    r = api.get("/api/v1/analytics/error-rate", params={"by": "user",
                                                         "from": "now-1h"})
    assert {s["key"] for s in r.json()["series"]} >= {"ann", "bob"}
    for bad in ({"by": "planet"}, {"step": "1s"}, {"window": "7m"},
                {"from": "now", "to": "now-1h"}, {"from": "then"}):
        assert api.get("/api/v1/analytics/error-rate",
                       params=bad).status_code == 400, bad
    stranger = new_tenant("ratestranger")
    r = stranger["api"].get("/api/v1/analytics/error-rate",
                            params={"by": "url", "from": "now-1h"})
    assert r.status_code == 200 and r.json()["series"] == []
