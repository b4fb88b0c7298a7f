"""Notification channels and webhook deliveries, against the real server
and worker: channel CRUD with masked secrets, roles and tenancy, signed
webhook deliveries with a stable event id, retries through a receiver
that fails 30% of requests with nothing lost, dead letters, the SSRF
guard, idempotency and the hourly cap.

scripts/integration.sh allows 127.0.0.1/32 (VIGIE_WEBHOOK_ALLOW_CIDRS)
so that the worker may reach the receivers here; every other internal
address stays refused, which the SSRF tests check with live receivers on
127.0.0.2. The refusal of 127.0.0.1 itself, without the allowlist, is
checked by test_notify_guard.py with a worker of its own."""
import json
import os
import uuid

import pytest

from conftest import PASSWORD, Api, login, wait_for
from notify_receiver import (Receiver, alert_event, create_channel, db,
                             deliveries, push_notify, settled)

CHANNELS = "/api/v1/notification-channels"


@pytest.fixture(scope="module")
def owner(new_tenant):
    return new_tenant("ntf")


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def member(base_url, t, role):
    email = f"{role}-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com"
    r = t["api"].post("/api/v1/users", json={
        "email": email, "name": role, "role": role, "password": PASSWORD})
    assert r.status_code == 201, r.text
    r = login(base_url, email)
    assert r.status_code == 200, r.text
    return Api(base_url, f"Bearer {r.json()['access_token']}")


def error_code(r):
    return r.json()["error"]["code"]


# ---- channels -------------------------------------------------------------------

def test_webhook_secret_is_shown_once_then_masked(owner, receiver):
    r = create_channel(owner["api"], "webhook", {"url": receiver.url()})
    assert r.status_code == 201, r.text
    ch = r.json()
    secret = ch["config"]["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert r.headers["location"].endswith(ch["id"])
    for got in (owner["api"].get(f"{CHANNELS}/{ch['id']}").json(),
                [c for c in owner["api"].get(CHANNELS).json()["items"]
                 if c["id"] == ch["id"]][0]):
        shown = got["config"]["secret"]
        assert shown != secret and secret[-4:] in shown
        assert secret[:-4] not in json.dumps(got)
        assert got["config"]["url"] == receiver.url()

    # A PATCH that does not name the secret keeps it, and hides it.
    r = owner["api"].patch(f"{CHANNELS}/{ch['id']}",
                           json={"name": "renamed", "config": {
                               "url": receiver.url("/other")}})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "renamed"
    assert r.json()["config"]["secret"] != secret
    assert r.json()["config"]["url"].endswith("/other")

    # Rotating shows the new secret once.
    r = owner["api"].patch(f"{CHANNELS}/{ch['id']}",
                           json={"rotate_secret": True})
    assert r.status_code == 200, r.text
    new = r.json()["config"]["secret"]
    assert new.startswith("whsec_") and new != secret
    got = owner["api"].get(f"{CHANNELS}/{ch['id']}").json()
    assert got["config"]["secret"] != new


def test_webhook_secrets_are_sealed_at_rest(owner, new_tenant, receiver,
                                            redis, db):
    """The database holds a webhook's secret sealed (AES-256-GCM, bound to
    the organization): deliveries are signed with the real secret, and a
    sealed value copied into another organization's channel never opens
    there, so that delivery fails rather than go out unsigned."""
    from bson import ObjectId
    ch = create_channel(owner["api"], "webhook",
                        {"url": receiver.url()}).json()
    secret = ch["config"]["secret"]
    stored = db["notification_channels"].find_one(
        {"_id": ObjectId(ch["id"])})["config"]
    assert stored["secret"].startswith("sealed:v1:")
    assert secret[6:] not in json.dumps(stored, default=str)
    assert stored["secret_hint"] == secret[-4:]
    r = owner["api"].post(f"{CHANNELS}/{ch['id']}/test")
    assert r.status_code == 202, r.text
    assert settled(owner["api"], r.json()["event_id"])[0]["status"] == "sent"
    assert receiver.requests()[0].signature_ok(secret)
    # Renamed without a new secret: still sealed, still the same secret.
    r = owner["api"].patch(f"{CHANNELS}/{ch['id']}", json={
        "config": {"url": receiver.url("/renamed")}})
    assert r.status_code == 200 and "whsec_" not in r.text, r.text
    assert db["notification_channels"].find_one(
        {"_id": ObjectId(ch["id"])})["config"]["secret"] == stored["secret"]
    # Moved behind the API's back to another organization: refused.
    other = new_tenant("ntfseal")
    och = create_channel(other["api"], "webhook",
                         {"url": receiver.url("/other")}).json()
    db["notification_channels"].update_one(
        {"_id": ObjectId(och["id"])},
        {"$set": {"config.secret": stored["secret"]}})
    event_id = "sealed-" + uuid.uuid4().hex
    push_notify(redis, other["tenant"]["id"], och["id"], event_id,
                alert_event())
    item = settled(other["api"], event_id)[0]
    assert item["status"] == "dead" and "cannot be opened" in \
        item["last_error"], item
    assert not [q for q in receiver.requests() if q.path == "/other"]
    # Nobody gives a secret that looks sealed.
    r = create_channel(owner["api"], "webhook", {
        "url": receiver.url(), "secret": stored["secret"][:100]})
    assert r.status_code in (400, 422), r.text


def test_chat_webhook_urls_are_masked(owner, receiver):
    url = receiver.url("/services/T000/B000/XXXXsecretpart")
    for ctype in ("slack", "discord", "teams"):
        r = create_channel(owner["api"], ctype, {"url": url})
        assert r.status_code == 201, r.text
        shown = r.json()["config"]["url"]
        assert "secretpart" not in shown and shown.endswith("part")
        assert shown.startswith(f"http://127.0.0.1:{receiver.port}/")


@pytest.mark.parametrize("body, words", [
    ({"type": "pager", "config": {}}, "type"),
    ({"type": "webhook", "config": {}}, "config.url"),
    ({"type": "webhook", "config": {"url": "ftp://example.com/"}}, "http"),
    ({"type": "webhook", "config": {"url": "file:///etc/passwd"}}, "http"),
    ({"type": "webhook", "config": {"url": "http://u:p@example.com/"}},
     "credentials"),
    ({"type": "webhook", "config": {"url": "https://example.com/",
                                    "secret": "short"}}, "secret"),
    ({"type": "webhook", "config": {"url": "https://example.com/",
                                    "template": {"a": "{{nope}}"}}},
     "placeholder"),
    ({"type": "webhook", "config": {"url": "https://example.com/",
                                    "template": "text"}}, "template"),
    ({"type": "webhook", "config": {"url": "https://example.com/",
                                    "headers": {}}}, "config.headers"),
    ({"type": "slack", "config": {"url": "https://example.com/",
                                  "secret": "0123456789abcdef"}},
     "config.secret"),
    ({"type": "email", "config": {"to": []}}, "config.to"),
    ({"type": "email", "config": {"to": ["not-an-address"]}}, "config.to"),
    ({"type": "email", "config": {"to": ["a@example.com"],
                                  "subject": "{{title"}}, "subject"),
    ({"type": "email", "config": {"to": ["a@example.com"],
                                  "attach": "png"}}, "attach"),
])
def test_bad_channels_are_refused(owner, body, words):
    body = dict(body, name="bad")
    r = owner["api"].post(CHANNELS, json=body)
    assert r.status_code == 422, r.text
    assert error_code(r) == "validation_failed"
    assert words in r.json()["error"]["message"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.2/", "http://2130706434/", "http://0x7f.0.0.2/",
    "http://0177.0.0.2/", "http://127.2/", "http://[::ffff:127.0.0.2]/",
    "http://[::1]/", "http://0.0.0.0/", "http://0/",
    "http://169.254.169.254/latest/meta-data/", "http://2852039166/",
    "http://[fd00:ec2::254]/", "http://10.0.0.1/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://100.64.0.1/", "http://[fe80::1]/",
    "http://[64:ff9b::7f00:2]/",
])
def test_internal_addresses_are_refused_at_creation(owner, url):
    r = create_channel(owner["api"], "webhook", {"url": url})
    assert r.status_code == 422, r.text
    assert "not allowed" in r.json()["error"]["message"]


def test_roles_read_but_only_editors_change(base_url, new_tenant, receiver):
    t = new_tenant("ntfrole")
    ch = create_channel(t["api"], "webhook", {"url": receiver.url()}).json()
    viewer = member(base_url, t, "viewer")
    analyst = member(base_url, t, "analyst")
    for api in (viewer, analyst):
        assert api.get(CHANNELS).status_code == 200
        got = api.get(f"{CHANNELS}/{ch['id']}")
        assert got.status_code == 200
        assert got.json()["config"]["secret"] != ch["config"]["secret"]
        assert api.get("/api/v1/notifications").status_code == 200
        r = create_channel(api, "webhook", {"url": receiver.url()})
        assert r.status_code == 403, r.text
        assert api.patch(f"{CHANNELS}/{ch['id']}",
                         json={"name": "x"}).status_code == 403
        assert api.delete(f"{CHANNELS}/{ch['id']}").status_code == 403
        assert api.post(f"{CHANNELS}/{ch['id']}/test").status_code == 403
    # The free plan's three seats are taken: the owner stands for the
    # editors (admin and owner, docs/ROLES.md).
    r = create_channel(t["api"], "webhook", {"url": receiver.url()})
    assert r.status_code == 201, r.text


def test_anonymous_and_methods(anon, owner):
    assert anon.get(CHANNELS).status_code == 401
    assert anon.get("/api/v1/notifications/dead").status_code == 401
    assert owner["api"]("PUT", CHANNELS, json={}).status_code == 405
    assert owner["api"].delete("/api/v1/notifications").status_code == 405


def test_type_cannot_change_and_delete_removes(owner, receiver):
    ch = create_channel(owner["api"], "webhook",
                        {"url": receiver.url()}).json()
    r = owner["api"].patch(f"{CHANNELS}/{ch['id']}", json={"type": "slack"})
    assert r.status_code == 422
    r = owner["api"].patch(f"{CHANNELS}/{ch['id']}", json={"colour": "x"})
    assert r.status_code == 422
    r = owner["api"].delete(f"{CHANNELS}/{ch['id']}")
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert owner["api"].get(f"{CHANNELS}/{ch['id']}").status_code == 404
    assert owner["api"].delete(f"{CHANNELS}/{ch['id']}").status_code == 404
    for bad in ("nope", "0" * 23, "G" * 24, ch["id"] + "/x"):
        assert owner["api"].get(f"{CHANNELS}/{bad}").status_code == 404


def test_other_tenants_channels_and_log_are_invisible(new_tenant, redis,
                                                      receiver):
    a = new_tenant("ntfa")
    b = new_tenant("ntfb")
    ch = create_channel(a["api"], "webhook", {"url": receiver.url()}).json()
    path = f"{CHANNELS}/{ch['id']}"
    assert b["api"].get(path).status_code == 404
    assert b["api"].patch(path, json={"name": "x"}).status_code == 404
    assert b["api"].delete(path).status_code == 404
    assert b["api"].post(path + "/test").status_code == 404
    assert ch["id"] not in json.dumps(b["api"].get(CHANNELS).json())

    # A job naming tenant B with A's channel reaches nothing: the channel
    # is looked up in B only, and B's log says so.
    event_id = "x-" + uuid.uuid4().hex
    push_notify(redis, b["tenant"]["id"], ch["id"], event_id, alert_event())
    items = settled(b["api"], event_id)
    assert items[0]["status"] == "dead"
    assert "does not exist" in items[0]["last_error"]
    assert receiver.requests() == []
    assert deliveries(a["api"], event_id=event_id) == []
    assert b["api"].get("/api/v1/notifications/dead").json()["items"][0][
        "event_id"] == event_id
    r = a["api"].get(path)
    assert r.status_code == 200 and r.json()["name"] == ch["name"]


def test_bad_log_filters(owner):
    for params in ({"status": "lost"}, {"limit": "0"}, {"limit": "201"},
                   {"channel_id": "abc"}, {"event_id": "bad id"},
                   {"colour": "red"}):
        r = owner["api"].get("/api/v1/notifications", params=params)
        assert r.status_code == 422, (params, r.text)


# ---- deliveries ---------------------------------------------------------------------

def test_test_action_delivers_a_signed_event(owner, receiver):
    ch = create_channel(owner["api"], "webhook",
                        {"url": receiver.url()}).json()
    r = owner["api"].post(f"{CHANNELS}/{ch['id']}/test")
    assert r.status_code == 202, r.text
    event_id = r.json()["event_id"]
    items = settled(owner["api"], event_id)
    assert items[0]["status"] == "sent", items
    assert items[0]["attempts"] == 1 and items[0]["channel_id"] == ch["id"]
    got = receiver.requests()
    assert len(got) == 1
    req = got[0]
    assert req.event_id == event_id
    assert req.signature_ok(ch["config"]["secret"])
    assert not req.signature_ok(ch["config"]["secret"] + "x")
    body = req.json
    assert body["event_id"] == event_id and body["kind"] == "test"
    assert body["search_url"].startswith(os.environ["VIGIE_TEST_BASE_URL"])
    assert req.headers["content-type"] == "application/json"


def test_flaky_receiver_loses_nothing(new_tenant, redis):
    """30% of requests fail: every event arrives, each attempt carries the
    same event id and the same body, and every signature is valid."""
    owner = new_tenant("ntfflaky")  # its 20 events within the hourly cap
    flaky = Receiver(mode="flaky", rate=0.3, seed=1234)
    try:
        ch = create_channel(owner["api"], "webhook",
                            {"url": flaky.url()}).json()
        secret = ch["config"]["secret"]
        events = {}
        for i in range(20):
            event_id = f"flaky-{uuid.uuid4().hex}"
            events[event_id] = alert_event(rule=f"Rule {i}", value=i)
            push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                        events[event_id])

        def all_sent():
            log = {d["event_id"]: d for d in
                   deliveries(owner["api"], channel_id=ch["id"],
                              limit="200")}
            return log if len(log) == len(events) and all(
                d["status"] == "sent" for d in log.values()) else None

        log = wait_for(all_sent, 400, 0.5)
        assert log, deliveries(owner["api"], channel_id=ch["id"])
        got = flaky.requests()
        failed = [q for q in got if q.status != 200]
        assert failed, "the receiver never failed: the test proves nothing"
        for event_id, event in events.items():
            tries = [q for q in got if q.event_id == event_id]
            assert [q.status for q in tries].count(200) == 1, event_id
            assert tries[-1].status == 200
            assert len({q.body for q in tries}) == 1, "body changed"
            assert all(q.signature_ok(secret) for q in tries)
            assert [q.headers["x-vigie-attempt"] for q in tries] == \
                [str(n) for n in range(1, len(tries) + 1)]
            assert log[event_id]["attempts"] == len(tries)
            assert tries[0].json["rule"]["name"] == event["rule"]["name"]
        assert len(got) == len(events) + len(failed)
    finally:
        flaky.close()


def test_failing_receiver_ends_in_a_dead_letter(owner, redis):
    down = Receiver(mode="fail", status=503)
    try:
        ch = create_channel(owner["api"], "webhook",
                            {"url": down.url()}).json()
        event_id = "dead-" + uuid.uuid4().hex
        push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                    alert_event())
        items = settled(owner["api"], event_id)
        assert items[0]["status"] == "dead"
        attempts = int(os.environ.get("VIGIE_NOTIFY_MAX_ATTEMPTS", "12"))
        assert items[0]["attempts"] == attempts
        assert items[0]["last_error"] == "HTTP 503"
        assert len(down.requests()) == attempts
        assert {q.event_id for q in down.requests()} == {event_id}
        dead = owner["api"].get("/api/v1/notifications/dead").json()["items"]
        assert event_id in [d["event_id"] for d in dead]
        assert all(d["status"] == "dead" for d in dead)
    finally:
        down.close()


def test_client_errors_are_not_retried(owner, redis):
    gone = Receiver(mode="fail", status=410)
    try:
        ch = create_channel(owner["api"], "webhook",
                            {"url": gone.url()}).json()
        event_id = "gone-" + uuid.uuid4().hex
        push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                    alert_event())
        items = settled(owner["api"], event_id)
        assert items[0]["status"] == "dead" and items[0]["attempts"] == 1
        assert items[0]["http_status"] == 410
        assert len(gone.requests()) == 1
    finally:
        gone.close()


def test_dead_letter_can_be_sent_again(base_url, new_tenant, redis):
    t = new_tenant("ntfretry")
    gone = Receiver(mode="fail", status=410)
    try:
        ch = create_channel(t["api"], "webhook", {"url": gone.url()}).json()
        event_id = "retry-" + uuid.uuid4().hex
        push_notify(redis, t["tenant"]["id"], ch["id"], event_id,
                    alert_event())
        dead = settled(t["api"], event_id)[0]
        assert dead["status"] == "dead"
        path = f"/api/v1/notifications/{dead['id']}/retry"

        analyst = member(base_url, t, "analyst")
        assert analyst.post(path).status_code == 403
        other = new_tenant("ntfretry2")
        assert other["api"].post(path).status_code == 404
        assert t["api"].post("/api/v1/notifications/" + "0" * 24 +
                             "/retry").status_code == 404

        gone.mode = "ok"
        r = t["api"].post(path)
        assert r.status_code == 202, r.text
        assert r.json() == {"id": dead["id"], "event_id": event_id,
                            "status": "retrying"}
        item = settled(t["api"], event_id)[0]
        assert item["status"] == "sent" and item["attempts"] == 1, item
        got = gone.requests()
        assert [q.status for q in got] == [410, 200]
        assert {q.event_id for q in got} == {event_id}
        assert got[0].body == got[1].body
        r = t["api"].post(path)
        assert r.status_code == 409 and r.json()["error"]["code"] == \
            "conflict"
        assert "event" not in item
    finally:
        gone.close()


def test_redirects_are_not_followed(owner, redis, receiver):
    hop = Receiver(mode="redirect", location=receiver.url("/target"))
    try:
        ch = create_channel(owner["api"], "webhook",
                            {"url": hop.url()}).json()
        event_id = "hop-" + uuid.uuid4().hex
        push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                    alert_event())
        items = settled(owner["api"], event_id)
        assert items[0]["status"] == "dead"
        assert "redirect" in items[0]["last_error"]
        assert len(hop.requests()) == 1
        assert receiver.requests() == []
    finally:
        hop.close()


def test_same_event_twice_is_delivered_once(owner, redis, receiver):
    ch = create_channel(owner["api"], "webhook",
                        {"url": receiver.url()}).json()
    event_id = "twice-" + uuid.uuid4().hex
    for _ in range(3):
        push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                    alert_event())
    settled(owner["api"], event_id)
    # Let the other jobs run too: they must find the delivery done.
    assert wait_for(lambda: redis.llen("p:jobs") == 0, 120)
    other = "after-" + uuid.uuid4().hex
    push_notify(redis, owner["tenant"]["id"], ch["id"], other, alert_event())
    settled(owner["api"], other)
    ids = [q.event_id for q in receiver.requests()]
    assert ids.count(event_id) == 1 and ids.count(other) == 1
    assert len(deliveries(owner["api"], event_id=event_id)) == 1


def test_custom_json_template(owner, redis, receiver):
    template = {"text": "{{rule.name}} is at {{alert.value}}",
                "value": "{{alert.value}}", "whole": "{{alert}}",
                "nested": ["{{event_id}}", {"k": "{{severity}}"}],
                "fixed": 7, "missing": "{{alert.group}}"}
    ch = create_channel(owner["api"], "webhook",
                        {"url": receiver.url(), "template": template}).json()
    assert ch["config"]["template"] == template
    event_id = "tpl-" + uuid.uuid4().hex
    push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                alert_event(rule="Disk \"full\"", value=97.5))
    assert settled(owner["api"], event_id)[0]["status"] == "sent"
    body = receiver.requests()[0].json
    assert body["text"] == 'Disk "full" is at 97.5'
    assert body["value"] == 97.5
    assert body["whole"]["threshold"] == 10
    assert body["nested"] == [event_id, {"k": "critical"}]
    assert body["fixed"] == 7 and body["missing"] == "service=api"


def test_chat_payloads(owner, redis, receiver):
    sent = {}
    for ctype in ("slack", "discord", "teams"):
        ch = create_channel(owner["api"], ctype,
                            {"url": receiver.url(f"/{ctype}")}).json()
        event_id = f"{ctype}-{uuid.uuid4().hex}"
        push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                    alert_event(rule="<Checkout> & co", value=12))
        sent[ctype] = event_id
    for ctype, event_id in sent.items():
        assert settled(owner["api"], event_id)[0]["status"] == "sent"
    got = {q.path.strip("/"): q for q in receiver.requests()}
    slack = got["slack"].json
    assert "<Checkout>" in slack["text"]
    assert slack["blocks"][0]["type"] == "header"
    assert "&lt;Checkout&gt; &amp; co" in json.dumps(slack["blocks"])
    button = slack["blocks"][-1]["elements"][0]
    assert button["url"].startswith(os.environ["VIGIE_TEST_BASE_URL"])
    discord = got["discord"].json
    embed = discord["embeds"][0]
    assert "<Checkout> & co" in embed["title"]
    assert discord["allowed_mentions"] == {"parse": []}
    assert embed["color"] == 0xD32F2F
    assert {"name": "Value", "value": "12", "inline": True} in embed["fields"]
    teams = got["teams"].json
    card = teams["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    facts = [b for b in card["body"] if b["type"] == "FactSet"][0]["facts"]
    assert {"title": "Threshold", "value": "10"} in facts
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    for ctype, event_id in sent.items():
        assert got[ctype].event_id == event_id


def test_disabled_channel_suppresses_but_test_still_sends(owner, redis,
                                                          receiver):
    ch = create_channel(owner["api"], "webhook", {"url": receiver.url()},
                        enabled=False).json()
    assert ch["enabled"] is False
    event_id = "off-" + uuid.uuid4().hex
    push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                alert_event())
    item = settled(owner["api"], event_id)[0]
    assert item["status"] == "suppressed" and "disabled" in item["last_error"]
    r = owner["api"].post(f"{CHANNELS}/{ch['id']}/test")
    assert settled(owner["api"], r.json()["event_id"])[0]["status"] == "sent"
    assert [q.event_id for q in receiver.requests()] == [r.json()["event_id"]]


def test_malformed_jobs_are_dead_letters(redis, owner):
    marker = uuid.uuid4().hex
    bad = [{"type": "notify", "tenant_id": owner["tenant"]["id"],
            "channel_id": "x", "event_id": "bad id " + marker,
            "event": alert_event()},
           {"type": "notify", "tenant_id": owner["tenant"]["id"],
            "channel_id": "x", "event_id": "e-" + marker,
            "event": {"kind": "nope", "marker": marker}}]
    for job in bad:
        redis.lpush("p:jobs", json.dumps(job))

    def dead():
        return [e for e in redis.lrange("p:jobs:dead", 0, -1)
                if marker in e]
    assert wait_for(lambda: len(dead()) == 2, 120)


# ---- the SSRF guard at delivery ---------------------------------------------------------

@pytest.fixture
def internal():
    """A live receiver on 127.0.0.2, outside the test allowlist: nothing
    may ever reach it."""
    r = Receiver(host="127.0.0.2")
    yield r
    r.close()


def test_worker_rechecks_urls_it_did_not_validate(owner, redis, db,
                                                  internal):
    """Channels written behind the API's back (or before the allowlist
    changed) are checked again at delivery, in every spelling."""
    port = internal.port
    urls = [f"http://127.0.0.2:{port}/", f"http://2130706434:{port}/",
            f"http://0x7f.0.0.2:{port}/", f"http://127.2:{port}/",
            f"http://0177.0.0.2:{port}/",
            f"http://[::ffff:127.0.0.2]:{port}/"]
    event_ids = []
    for url in urls:
        ch = create_channel(owner["api"], "webhook",
                            {"url": "https://example.com/"}).json()
        db["notification_channels"].update_one(
            {"_id": __import__("bson").ObjectId(ch["id"])},
            {"$set": {"config.url": url}})
        event_id = "ssrf-" + uuid.uuid4().hex
        push_notify(redis, owner["tenant"]["id"], ch["id"], event_id,
                    alert_event())
        event_ids.append(event_id)
    for event_id in event_ids:
        item = settled(owner["api"], event_id)[0]
        assert item["status"] == "dead", item
        assert item["attempts"] == 1
        assert "loopback" in item["last_error"], item
    assert internal.requests() == []


# ---- the hourly cap -----------------------------------------------------------------------

def test_hourly_cap_suppresses_and_records(new_tenant, redis, receiver):
    cap = int(os.environ.get("VIGIE_NOTIFY_HOURLY_CAP", "25"))
    t = new_tenant("ntfcap")
    ch = create_channel(t["api"], "webhook", {"url": receiver.url()}).json()
    ids = [f"cap-{i}-{uuid.uuid4().hex}" for i in range(cap + 5)]
    for event_id in ids:
        push_notify(redis, t["tenant"]["id"], ch["id"], event_id,
                    alert_event())

    def final():
        items = deliveries(t["api"], limit="200")
        return items if len(items) == len(ids) and all(
            d["status"] in ("sent", "suppressed") for d in items) else None

    items = wait_for(final, 400, 0.5)
    assert items, deliveries(t["api"], limit="200")
    by_status = {}
    for d in items:
        by_status.setdefault(d["status"], []).append(d)
    assert len(by_status["sent"]) == cap
    assert len(by_status["suppressed"]) == 5
    assert all("cap" in d["last_error"] for d in by_status["suppressed"])
    assert len(receiver.requests()) == cap
    r = t["api"].get("/api/v1/notifications",
                     params={"status": "suppressed"})
    assert len(r.json()["items"]) == 5
    # Another organization is not affected by this one's cap.
    other = new_tenant("ntfcap2")
    ch2 = create_channel(other["api"], "webhook",
                         {"url": receiver.url()}).json()
    r = other["api"].post(f"{CHANNELS}/{ch2['id']}/test")
    assert settled(other["api"], r.json()["event_id"])[0]["status"] == "sent"
