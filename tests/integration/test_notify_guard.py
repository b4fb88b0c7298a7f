"""The SSRF guard without an operator allowlist, end to end: a second
vigie-worker of this test, started without VIGIE_WEBHOOK_ALLOW_CIDRS and
fed through a Redis database of its own, must refuse to connect to the
live receiver on 127.0.0.1 whatever the URL's spelling, including the
name "localhost", which is only found to be loopback once resolved (the
check runs on the address curl is about to connect to). The server's
own worker, which the allowlist lets reach 127.0.0.1, delivers the same
channels: the refusal is the guard's doing, not a broken URL."""
import uuid

import pytest

from conftest import wait_for
from notify_receiver import (Receiver, alert_event, create_channel,
                             deliveries, private_worker, push_notify)


@pytest.fixture(scope="module")
def guarded():
    """A worker without allowlist; its Redis database, to push jobs on."""
    with private_worker("guarded", VIGIE_WEBHOOK_ALLOW_CIDRS="") as conn:
        yield conn


def test_loopback_in_every_spelling_is_refused_without_allowlist(
        new_tenant, redis, guarded):
    receiver = Receiver()
    try:
        t = new_tenant("ntfguard")
        port = receiver.port
        urls = [f"http://localhost:{port}/", f"http://127.0.0.1:{port}/",
                f"http://2130706433:{port}/", f"http://0x7f.1:{port}/",
                f"http://0177.0.0.1:{port}/", f"http://127.1:{port}/",
                f"http://[::ffff:127.0.0.1]:{port}/"]
        refused, control = [], []
        for url in urls:
            r = create_channel(t["api"], "webhook", {"url": url})
            assert r.status_code == 201, r.text  # allowed by the server
            ch = r.json()
            event_id = "guard-" + uuid.uuid4().hex
            push_notify(guarded, t["tenant"]["id"], ch["id"], event_id,
                        alert_event())
            refused.append((url, event_id))

        def final(ids):
            items = [d for d in deliveries(t["api"], limit="200")
                     if d["event_id"] in ids]
            return items if len(items) == len(ids) and all(
                d["status"] in ("sent", "dead") for d in items) else None

        items = wait_for(lambda: final({e for _, e in refused}), 300, 0.3)
        assert items, deliveries(t["api"], limit="200")
        for d in items:
            assert d["status"] == "dead" and d["attempts"] == 1, d
            # localhost may be tried as ::1 last: either is named.
            assert d["last_error"].startswith("refused: ") and \
                "is a loopback address" in d["last_error"], d
        assert receiver.requests() == [], "the guard let a request through"

        # The allowlisted worker of the server reaches the same URLs.
        for url, _ in refused[:2]:
            ch = create_channel(t["api"], "webhook", {"url": url}).json()
            event_id = "ctl-" + uuid.uuid4().hex
            push_notify(redis, t["tenant"]["id"], ch["id"], event_id,
                        alert_event())
            control.append(event_id)
        items = wait_for(lambda: final(set(control)), 300, 0.3)
        assert items and all(d["status"] == "sent" for d in items), items
        assert sorted(q.event_id for q in receiver.requests()) == \
            sorted(control)
    finally:
        receiver.close()
