"""Alert rules and alerts over HTTP: CRUD and validation, permissions,
the life cycle of an alert (acknowledge, snooze, comment, resolve) with
its audit trail, the dashboard's figures, and other tenants' ids (404).

The server and worker run on a fast clock (scripts/integration.sh):
rules may be evaluated every second."""
import uuid

import pytest

from alerting import (alert_events, alerts_of, channel_id, create_rule,
                      quiet, rule_body, webhook_channel)
from conftest import wait_for
from notify_receiver import Receiver
from test_users import member

OTHER_IDS = ["000000000000000000000000", "ZZZZZZZZZZZZZZZZZZZZZZZZ", "x",
             "%2F%2F"]


@pytest.fixture(scope="module")
def acme(new_tenant):
    t = new_tenant("alerts")
    yield t
    quiet(t)


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def hook(acme, receiver):
    """A webhook channel of acme's."""
    return webhook_channel(acme["api"], receiver)


@pytest.fixture(scope="module")
def other(new_tenant):
    t = new_tenant("alertsother")
    yield t
    quiet(t)


# ---- rules ------------------------------------------------------------------

def test_create_read_update_delete_a_rule(acme, hook):
    api = acme["api"]
    ch = hook
    r = api.post("/api/v1/alert-rules", json=rule_body(
        name="checkout 5xx", channels=[ch], group_by="url.path",
        description="too many errors"))
    assert r.status_code == 201, r.text
    rule = r.json()
    assert r.headers["Location"] == f"/api/v1/alert-rules/{rule['id']}"
    assert rule["name"] == "checkout 5xx" and rule["enabled"] is True
    assert rule["window"] == "5m" and rule["interval"] == "1s"
    assert rule["cooldown"] == "1h" and rule["group_by"] == "url.path"
    assert rule["query"]["level"] == ["ERROR"]
    assert rule["channels"] == [ch]
    assert rule["escalation"]["enabled"] is True
    assert rule["eval"]["status"] == "pending"
    assert "tenant_id" not in rule

    r = api.get(f"/api/v1/alert-rules/{rule['id']}")
    assert r.status_code == 200 and r.json()["name"] == "checkout 5xx"
    r = api.get("/api/v1/alert-rules")
    assert r.status_code == 200
    assert rule["id"] in [x["id"] for x in r.json()["items"]]

    r = api.patch(f"/api/v1/alert-rules/{rule['id']}",
                  json={"enabled": False, "severity": "critical"})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is False
    assert r.json()["severity"] == "critical"
    assert r.json()["group_by"] == "url.path"  # kept by PATCH

    r = api("PUT", f"/api/v1/alert-rules/{rule['id']}",
            json=rule_body(name="replaced", type="absence", condition={}))
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "absence" and r.json()["group_by"] is None

    r = api.delete(f"/api/v1/alert-rules/{rule['id']}")
    assert r.status_code == 204
    assert api.get(f"/api/v1/alert-rules/{rule['id']}").status_code == 404
    assert api.delete(f"/api/v1/alert-rules/{rule['id']}").status_code == 404


@pytest.mark.parametrize("change,field", [
    ({"name": ""}, "name"),
    ({"type": "magic"}, "type"),
    ({"severity": "urgent"}, "severity"),
    ({"window": "7m"}, "window"),
    ({"interval": "soon"}, "interval"),
    ({"group_by": "message"}, "group_by"),
    ({"channels": ["nope"]}, "channels"),
    ({"query": {"level": ["LOUD"]}}, "query.level"),
    ({"query": {"q": "x" * 2000}}, "query.q"),
    ({"query": {"q": '"not closed'}}, "query.q"),
    ({"query": {"q": "(a OR b"}}, "query.q"),
    ({"condition": {"threshold": -3}}, "condition.threshold"),
    ({"type": "error_rate", "condition": {"threshold": 2}},
     "condition.threshold"),
    ({"type": "pattern", "condition": {"pattern": "(a+)+b"}},
     "condition.pattern"),
    ({"type": "pattern", "condition": {"pattern": "(x)\\1"}},
     "condition.pattern"),
    ({"type": "pattern", "condition": {"pattern": "a" * 300}},
     "condition.pattern"),
    ({"type": "anomaly", "condition": {"k": 0}}, "condition.k"),
    ({"escalation": {"levels": [{"after": "1m"}]}}, "escalation.levels[0]"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_rules_are_422_naming_the_field(acme, change, field):
    r = acme["api"].post("/api/v1/alert-rules", json=rule_body(**change))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "validation_failed"
    assert err["details"]["field"] == field


def test_channels_must_be_the_organizations_own(acme, other, receiver):
    theirs = webhook_channel(other["api"], receiver, "theirs")
    for ch in (channel_id(), theirs):
        r = acme["api"].post("/api/v1/alert-rules",
                             json=rule_body(channels=[ch]))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == "channels"
        r = acme["api"].post("/api/v1/alert-rules", json=rule_body(
            escalation={"levels": [{"after": "0s"},
                                   {"after": "5m", "channels": [ch]}]}))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == "escalation.levels"


def test_a_rule_whose_channel_was_deleted_can_still_be_changed(acme,
                                                              receiver):
    api = acme["api"]
    ch = webhook_channel(api, receiver, "gone")
    rule = create_rule(api, enabled=False, channels=[ch])
    assert api.delete(
        f"/api/v1/notification-channels/{ch}").status_code in (200, 204)
    r = api.patch(f"/api/v1/alert-rules/{rule['id']}",
                  json={"severity": "low"})
    assert r.status_code == 200, r.text
    r = api.patch(f"/api/v1/alert-rules/{rule['id']}",
                  json={"channels": [ch, channel_id()]})
    assert r.status_code == 422, r.text


def test_a_body_that_is_not_an_object_is_400(acme):
    r = acme["api"].post("/api/v1/alert-rules", data="[1,2]",
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_viewers_read_rules_but_cannot_change_them(base_url, acme):
    rule = create_rule(acme["api"], enabled=False)
    _, viewer = member(base_url, acme, "viewer")
    assert viewer.get("/api/v1/alert-rules").status_code == 200
    assert viewer.get(f"/api/v1/alert-rules/{rule['id']}").status_code == 200
    r = viewer.post("/api/v1/alert-rules", json=rule_body())
    assert r.status_code == 403
    r = viewer.patch(f"/api/v1/alert-rules/{rule['id']}",
                     json={"enabled": True})
    assert r.status_code == 403
    assert viewer.delete(
        f"/api/v1/alert-rules/{rule['id']}").status_code == 403
    assert viewer.post("/api/v1/alert-rules/test",
                       json=rule_body()).status_code == 403


def test_anonymous_callers_are_401(anon):
    assert anon.get("/api/v1/alert-rules").status_code == 401
    assert anon.get("/api/v1/alerts").status_code == 401
    assert anon.get("/api/v1/analytics/error-rate").status_code == 401


# ---- an alert's life ----------------------------------------------------------

@pytest.fixture(scope="module")
def silent(acme, hook):
    """An absence rule on a service that never logs: it fires at once."""
    rule = create_rule(acme["api"], type="absence", condition={},
                       channels=[hook],
                       name="payments silent", auto_resolve=False,
                       query={"service": [f"ghost-{uuid.uuid4().hex[:6]}"]})
    found = wait_for(lambda: alerts_of(acme["api"], rule["id"]), 30, 0.5)
    assert found, "the absence rule did not fire"
    return rule, found[0]


def test_an_absence_rule_fires_one_alert(acme, silent):
    rule, alert = silent
    assert alert["status"] == "firing" and alert["open"] is True
    assert alert["rule_name"] == "payments silent"
    assert alert["value"] == 0 and alert["level"] >= 1
    events = alert_events(acme["api"], alert["id"])
    assert events[0]["action"] == "fired"
    assert events[0]["actor"] == "system"
    # Evaluated again and again: still one alert for the (rule, group).
    wait_for(lambda: acme["api"].get(
        f"/api/v1/alert-rules/{rule['id']}").json()["eval"]["at"]
        != alert["started_at"], 10, 0.5)
    assert len(alerts_of(acme["api"], rule["id"])) == 1
    r = acme["api"].get(f"/api/v1/alert-rules/{rule['id']}")
    assert r.json()["eval"]["status"] == "ok"
    assert r.json()["eval"]["firing"] == 1


def test_acknowledge_comment_snooze_resolve(base_url, acme, silent,
                                            receiver):
    rule, alert = silent
    api = acme["api"]
    aid = alert["id"]
    _, viewer = member(base_url, acme, "viewer")
    assert viewer.post(f"/api/v1/alerts/{aid}/acknowledge").status_code == 403
    assert viewer.get(f"/api/v1/alerts/{aid}").status_code == 200

    r = api.post(f"/api/v1/alerts/{aid}/acknowledge")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "acknowledged"
    assert r.json()["acknowledged_by"] == acme["user"]["id"]
    r = api.post(f"/api/v1/alerts/{aid}/acknowledge")
    assert r.status_code == 409

    r = api.post(f"/api/v1/alerts/{aid}/comment",
                 json={"text": "looking at the payment gateway"})
    assert r.status_code == 200, r.text
    assert api.post(f"/api/v1/alerts/{aid}/comment",
                    json={"text": ""}).status_code == 422
    assert api.post(f"/api/v1/alerts/{aid}/comment",
                    json={}).status_code == 422

    r = api.post(f"/api/v1/alerts/{aid}/snooze", json={"for": "30m"})
    assert r.status_code == 200, r.text
    assert r.json()["snoozed_until"] > r.json()["started_at"]
    assert api.post(f"/api/v1/alerts/{aid}/snooze",
                    json={"for": "40d"}).status_code == 422
    assert api.post(f"/api/v1/alerts/{aid}/snooze",
                    json={"until": "2001-01-01T00:00:00Z"}).status_code == 422
    assert api.post(f"/api/v1/alerts/{aid}/snooze",
                    json={}).status_code == 422

    r = api.post(f"/api/v1/alerts/{aid}/resolve")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "resolved" and body["open"] is False
    assert body["resolved_by"] == acme["user"]["id"]
    assert api.post(f"/api/v1/alerts/{aid}/resolve").status_code == 409
    assert api.post(f"/api/v1/alerts/{aid}/acknowledge").status_code == 409
    assert api.post(f"/api/v1/alerts/{aid}/snooze",
                    json={"for": "5m"}).status_code == 409
    assert api.post(f"/api/v1/alerts/{aid}/reopen").status_code == 404

    actions = [e["action"] for e in body["events"]]
    for a in ("fired", "acknowledged", "commented", "snoozed", "resolved"):
        assert a in actions, actions
    by_action = {e["action"]: e for e in body["events"]}
    assert by_action["commented"]["actor"] == acme["user"]["id"]
    assert by_action["commented"]["details"]["text"] == \
        "looking at the payment gateway"
    # The resolution was notified to the rule's channel.
    kinds = [e["details"]["kind"] for e in body["events"]
             if e["action"] == "notified"]
    assert "alert.resolved" in kinds
    # ... and delivered to the webhook, after the firing one.
    got = wait_for(lambda: {q.event_id for q in receiver.requests()}
                   >= {f"alert:{aid}:firing", f"alert:{aid}:resolved"}
                   and receiver.requests(), 60, 0.3)
    assert got, [q.event_id for q in receiver.requests()]
    fired = [q for q in got if q.event_id == f"alert:{aid}:firing"]
    assert fired[0].json["rule"]["name"] == "payments silent"

    # Within the cooldown, the still-true condition opens no new alert.
    wait_for(lambda: api.get(f"/api/v1/alert-rules/{rule['id']}")
             .json()["eval"].get("suppressed", 0) > 0, 15, 0.5)
    assert len(alerts_of(api, rule["id"])) == 1


def test_lists_filter_and_figures(acme, silent):
    rule, _ = silent
    api = acme["api"]
    items = alerts_of(api, rule["id"], status="resolved")
    assert [a["rule_id"] for a in items] == [rule["id"]]
    assert alerts_of(api, rule["id"], status="firing") == []
    assert api.get("/api/v1/alerts",
                   params={"status": "bogus"}).status_code == 400
    assert api.get("/api/v1/alerts",
                   params={"size": "0"}).status_code == 400
    assert api.get("/api/v1/alerts",
                   params={"from": "yesterday"}).status_code == 400
    r = api.get("/api/v1/alerts", params={"from": "now-1h", "to": "now"})
    assert r.status_code == 200 and r.json()["total"] >= 1

    r = api.get("/api/v1/alerts/stats", params={"days": 7})
    assert r.status_code == 200, r.text
    s = r.json()
    assert len(s["per_day"]) == 7 and s["per_day"][-1]["count"] >= 1
    assert rule["id"] in [t["rule_id"] for t in s["top_rules"]]
    assert s["resolved"] >= 1 and s["mttr_s"] is not None
    assert api.get("/api/v1/alerts/stats",
                   params={"days": 500}).status_code == 400


def test_deleting_a_rule_resolves_its_open_alerts(acme):
    api = acme["api"]
    rule = create_rule(api, type="absence", condition={},
                       query={"service": [f"gone-{uuid.uuid4().hex[:6]}"]})
    found = wait_for(lambda: alerts_of(api, rule["id"]), 30, 0.5)
    assert found
    assert api.delete(f"/api/v1/alert-rules/{rule['id']}").status_code == 204
    a = api.get(f"/api/v1/alerts/{found[0]['id']}").json()
    assert a["status"] == "resolved" and a["open"] is False


# ---- tenancy ---------------------------------------------------------------------

def test_other_tenants_rules_and_alerts_are_404(acme, other, silent):
    rule, alert = silent
    api = other["api"]
    rid, aid = rule["id"], alert["id"]
    assert api.get(f"/api/v1/alert-rules/{rid}").status_code == 404
    assert api.patch(f"/api/v1/alert-rules/{rid}",
                     json={"enabled": False}).status_code == 404
    assert api("PUT", f"/api/v1/alert-rules/{rid}",
               json=rule_body()).status_code == 404
    assert api.post(f"/api/v1/alert-rules/{rid}/test").status_code == 404
    assert api.delete(f"/api/v1/alert-rules/{rid}").status_code == 404
    assert api.get(f"/api/v1/alerts/{aid}").status_code == 404
    for action in ("acknowledge", "resolve", "comment", "snooze"):
        r = api.post(f"/api/v1/alerts/{aid}/{action}",
                     json={"text": "x", "for": "5m"})
        assert r.status_code == 404, action
    assert alerts_of(api, rid) == []
    assert rid not in [x["id"] for x in
                       api.get("/api/v1/alert-rules").json()["items"]]
    s = api.get("/api/v1/alerts/stats").json()
    assert rid not in [t["rule_id"] for t in s["top_rules"]]
    # Still there for its owner.
    assert acme["api"].get(f"/api/v1/alert-rules/{rid}").status_code == 200


@pytest.mark.parametrize("bad", OTHER_IDS)
def test_malformed_ids_are_404(acme, bad):
    api = acme["api"]
    assert api.get(f"/api/v1/alert-rules/{bad}").status_code == 404
    assert api.get(f"/api/v1/alerts/{bad}").status_code == 404
    assert api.post(f"/api/v1/alerts/{bad}/acknowledge").status_code == 404
