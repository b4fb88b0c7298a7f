"""The alerting scenario end to end, on the fast clock of
scripts/integration.sh (rules evaluated every second, escalation levels 2
and 3 after 3 and 6 seconds by default):

an error spike produced into a tenant fires the right rule, notifies each
channel once (no re-notification during the cooldown), escalates level by
level, resolves when the spike leaves the window, and opens no new alert
within the cooldown; another tenant's spike never triggers or shows in
this tenant's alerts.

The spike's documents are stamped 4 minutes ago: they sit in a 5-minute
window for about a minute, then leave it, which is the end of the spike.
"""
import uuid

import pytest
import requests

from alerting import (ES, ago, alert_events, alerts_of, create_rule, ingest,
                      iso, notified, quiet, refresh, webhook_channel)
from conftest import wait_for
from notify_receiver import Receiver

SPIKE_AGE_S = 240


def spike(t, service, n=30, marker=None):
    at = ago(SPIKE_AGE_S)
    docs = [{"@timestamp": iso(at), "level": "error", "service": service,
             "message": f"payment failed {i}", "status": 502,
             "path": "/pay", "marker": marker or uuid.uuid4().hex}
            for i in range(n)]
    ingest(t["api"], docs)
    refresh(t)


@pytest.fixture(scope="module")
def acme(new_tenant):
    t = new_tenant("scenario")
    yield t
    quiet(t)


@pytest.fixture(scope="module")
def other(new_tenant):
    t = new_tenant("scenother")
    yield t
    quiet(t)


def rule_state(api, rule_id):
    r = api.get(f"/api/v1/alert-rules/{rule_id}")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


def delivered(receiver, event_id):
    return [q for q in receiver.requests() if q.event_id == event_id]


def test_spike_fires_escalates_resolves_within_cooldown(acme, other,
                                                       receiver):
    api = acme["api"]
    channels = [webhook_channel(api, receiver, "a"),
                webhook_channel(api, receiver, "b")]
    checkout = create_rule(api, name="checkout errors", channels=channels,
                           query={"level": ["ERROR"],
                                  "service": ["checkout"]})
    billing = create_rule(api, name="billing errors",
                          query={"level": ["ERROR"], "service": ["billing"]})
    # The other tenant watches checkout too, and has no checkout errors.
    theirs = create_rule(other["api"], name="their checkout",
                         query={"level": ["ERROR"],
                                "service": ["checkout"]})

    # Evaluated, quiet.
    assert wait_for(lambda: rule_state(api, checkout["id"])["eval"]
                    ["status"] == "ok", 20, 0.3)
    assert alerts_of(api) == []

    # The other tenant's billing spike is not ours.
    spike(other, "billing")
    spike(acme, "checkout")

    found = wait_for(lambda: alerts_of(api, checkout["id"]), 30, 0.3)
    assert found, "the spike did not fire the checkout rule"
    alert = found[0]
    assert alert["status"] == "firing" and alert["value"] > 20
    assert alert["threshold"] == 20
    assert alert["rule_name"] == "checkout errors"

    # Escalation: level 2 then 3, severity raised, each level notified.
    top = wait_for(lambda: (lambda a: a if a["level"] == 3 else None)(
        api.get(f"/api/v1/alerts/{alert['id']}").json()), 40, 0.3)
    assert top, "the alert did not reach level 3"
    assert top["severity"] == "critical"  # high, raised once past level 2
    escalations = [e for e in top["events"] if e["action"] == "escalated"]
    assert [(e["details"]["from"], e["details"]["to"])
            for e in escalations] in ([(1, 2), (2, 3)], [(1, 3)])

    # Resolved once the spike leaves the window.
    done = wait_for(lambda: (lambda a: a if a["status"] == "resolved"
                             else None)(
        api.get(f"/api/v1/alerts/{alert['id']}").json()), 120, 0.5)
    assert done, "the alert did not resolve when the spike ended"
    assert done["resolved_by"] == "system"

    events = alert_events(api, alert["id"])
    # One firing notification per channel, whatever the evaluations in
    # between: no re-notification during the cooldown.
    firing = notified(events, "alert.firing")
    assert sorted(e["details"]["channel_id"] for e in firing) == \
        sorted(channels)
    assert len({e["details"]["event_id"] for e in firing}) == 1
    assert len(notified(events, "alert.escalated")) == 2 * len(escalations)
    assert len(notified(events, "alert.resolved")) == 2
    evals = rule_state(api, checkout["id"])
    assert evals["eval"]["status"] == "ok"

    # A second spike within the cooldown: the rule fires, no new alert.
    spike(acme, "checkout")
    assert wait_for(lambda: rule_state(api, checkout["id"])["eval"]
                    .get("suppressed", 0) > 0, 30, 0.3)
    assert len(alerts_of(api, checkout["id"])) == 1
    events = alert_events(api, alert["id"])
    assert len(notified(events, "alert.firing")) == 2

    # The webhooks got each event once per channel (notify delivers what
    # the jobs say; the same event is never delivered twice).
    aid = alert["id"]
    suffixes = ["firing", "resolved"] + [f"level:{e['details']['to']}"
                                         for e in escalations]
    for suffix in suffixes:
        got = wait_for(lambda: len(delivered(
            receiver, f"alert:{aid}:{suffix}")) >= 2 or None, 60, 0.3)
        assert got, (suffix, [q.event_id for q in receiver.requests()])
        got = delivered(receiver, f"alert:{aid}:{suffix}")
        assert sorted(q.path for q in got) == ["/a", "/b"], suffix
    assert {q.json["kind"] for q in receiver.requests()} == {
        "alert.firing", "alert.escalated", "alert.resolved"}

    # Never the other tenant's spike, never the other tenant's alerts.
    assert alerts_of(api, billing["id"]) == []
    assert alerts_of(other["api"], theirs["id"]) == []
    assert [a["rule_id"] for a in alerts_of(api)] == [checkout["id"]]
    assert all(a["rule_id"] != checkout["id"]
               for a in alerts_of(other["api"]))
    assert other["api"].get(
        f"/api/v1/alerts/{alert['id']}").status_code == 404


def test_a_query_elasticsearch_refuses_is_an_error_on_the_rule(new_tenant):
    """An index of the tenant where url.path is text (made here directly
    in Elasticsearch): grouping by it is refused, and the rule says so."""
    t = new_tenant("scenbad")
    index = f"logs-{t['slug']}-2001.01.01"
    r = requests.put(f"{ES}/{index}", json={"mappings": {"properties": {
        "url": {"properties": {"path": {"type": "text"}}}}}}, timeout=30)
    assert r.status_code == 200, r.text
    try:
        rule = create_rule(t["api"], name="by url", group_by="url.path")
        state = wait_for(lambda: (lambda s: s if s["eval"]["status"]
                                  == "error" else None)(
            rule_state(t["api"], rule["id"])), 20, 0.3)
        assert state, "the refused query left no trace on the rule"
        assert "elasticsearch" in state["eval"]["error"]
        assert state["eval"]["consecutive_errors"] >= 1
        assert state["eval"]["last_error_at"]
        # The replay says it too, as a bad rule.
        r = t["api"].post(f"/api/v1/alert-rules/{rule['id']}/test")
        assert r.status_code == 422, r.text
    finally:
        requests.delete(f"{ES}/{index}", timeout=30)
