"""notify_enqueue() (src/service/notify.h), the call other services use
to notify: the C program build/tests/store/test_notify_enqueue checks its
refusals against the real Redis queue and queues one event for two
channels made here; the worker must deliver it to both, signed, with
the event id given."""
import os
import subprocess
import uuid

from conftest import ROOT
from notify_receiver import Receiver, create_channel, settled

BINARY = ROOT / "build/tests/store/test_notify_enqueue"


def test_notify_enqueue_queues_one_job_per_channel(new_tenant):
    assert BINARY.exists(), f"{BINARY} is not built: run 'make all'"
    t = new_tenant("ntfenq")
    receiver = Receiver()
    try:
        a = create_channel(t["api"], "webhook", {"url": receiver.url("/a")})
        b = create_channel(t["api"], "slack", {"url": receiver.url("/b")})
        ids = [a.json()["id"], b.json()["id"]]
        event_id = "enq-" + uuid.uuid4().hex
        env = dict(os.environ, VIGIE_TEST_TENANT_ID=t["tenant"]["id"],
                   VIGIE_TEST_TENANT_SLUG=t["slug"],
                   VIGIE_TEST_CHANNELS=",".join(ids),
                   VIGIE_TEST_EVENT_ID=event_id)
        run = subprocess.run([str(BINARY)], env=env, capture_output=True,
                             text=True, timeout=120)
        out = run.stdout + run.stderr
        assert run.returncode == 0, out[-4000:]
        assert "[  PASSED  ] 2 test(s)." in out, out[-4000:]
        items = settled(t["api"], event_id, n=2)
        assert sorted(d["channel_id"] for d in items) == sorted(ids)
        assert all(d["status"] == "sent" for d in items), items
        got = {q.path: q for q in receiver.requests()}
        assert set(got) == {"/a", "/b"}
        assert got["/a"].signature_ok(a.json()["config"]["secret"])
        assert got["/a"].json["rule"]["name"] == "enqueued from C"
        assert {q.event_id for q in got.values()} == {event_id}
    finally:
        receiver.close()
