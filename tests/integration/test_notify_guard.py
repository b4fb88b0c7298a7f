"""The SSRF guard without an operator allowlist, end to end: a second
vigie-worker of this test, started without VIGIE_WEBHOOK_ALLOW_CIDRS and
fed through a Redis database of its own, must refuse to connect to the
live receiver on 127.0.0.1 whatever the URL's spelling, including the
name "localhost", which is only found to be loopback once resolved (the
check runs on the address curl is about to connect to). The server's
own worker, which the allowlist lets reach 127.0.0.1, delivers the same
channels: the refusal is the guard's doing, not a broken URL."""
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis as redis_client

from conftest import ROOT, wait_for
from notify_receiver import (Receiver, alert_event, create_channel,
                             deliveries, push_notify)


@pytest.fixture(scope="module")
def guarded_redis():
    """A Redis database for the guarded worker alone:
    VIGIE_TEST_GUARD_REDIS_DB, or the highest empty one from 15 down to
    9 (the stack is shared by several test runs). Only the keys this test
    made are removed afterwards."""
    url = urlparse(os.environ["VIGIE_REDIS_URL"])
    own = int(url.path.strip("/") or 0)
    wanted = os.environ.get("VIGIE_TEST_GUARD_REDIS_DB")
    for db in ([int(wanted)] if wanted else range(15, 8, -1)):
        conn = redis_client.Redis(host=url.hostname, port=url.port or 6379,
                                  db=db, decode_responses=True)
        if db != own and conn.dbsize() == 0:
            break
        conn.close()
    else:
        pytest.fail("no empty Redis database for the guarded worker: "
                    "set VIGIE_TEST_GUARD_REDIS_DB")
    yield db, conn
    for pattern in ("p:*", "t:*"):
        for key in conn.scan_iter(pattern):
            conn.delete(key)
    conn.close()


@pytest.fixture(scope="module")
def guarded_worker(guarded_redis):
    db, _ = guarded_redis
    url = urlparse(os.environ["VIGIE_REDIS_URL"])
    env = dict(os.environ)
    env["VIGIE_WEBHOOK_ALLOW_CIDRS"] = ""
    env["VIGIE_REDIS_URL"] = f"redis://{url.hostname}:{url.port}/{db}"
    log = Path(os.environ["VIGIE_TEST_WORKER_LOG"]).with_name(
        "worker-guarded.log")
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(ROOT / "build/vigie-worker")], cwd=ROOT,
                                env=env, stdout=out, stderr=out)
    yield proc
    proc.terminate()
    proc.wait(timeout=15)


def test_loopback_in_every_spelling_is_refused_without_allowlist(
        new_tenant, redis, guarded_redis, guarded_worker):
    _, guarded = guarded_redis
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

        items = wait_for(lambda: final({e for _, e in refused}), 60, 0.3)
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
        items = wait_for(lambda: final(set(control)), 60, 0.3)
        assert items and all(d["status"] == "sent" for d in items), items
        assert sorted(q.event_id for q in receiver.requests()) == \
            sorted(control)
    finally:
        receiver.close()
