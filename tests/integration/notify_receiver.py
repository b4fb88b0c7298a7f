"""A webhook receiver for the notification tests: a real HTTP server on a
loopback address, in a thread, that records every request and answers
as told (always 200, fail a share of requests at random with a fixed
seed, always fail, or redirect)."""
import contextlib
import hashlib
import hmac
import json
import os
import random
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis as redis_client

from conftest import ROOT, wait_for


class Received:
    def __init__(self, path, headers, body, status):
        self.path = path
        self.headers = headers
        self.body = body
        self.status = status
        self.at = time.time()

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def event_id(self):
        return self.headers.get("x-vigie-event-id")

    def signature_ok(self, secret):
        """X-Vigie-Signature is sha256=HMAC(secret, timestamp + "." + body)."""
        ts = self.headers.get("x-vigie-timestamp", "")
        sig = self.headers.get("x-vigie-signature", "")
        want = hmac.new(secret.encode(), ts.encode() + b"." + self.body,
                        hashlib.sha256).hexdigest()
        return sig == "sha256=" + want


class Receiver:
    """mode: "ok", "flaky" (fails `rate` of requests, 503), "fail" (always
    `status`), "redirect" (302 to `location`)."""

    def __init__(self, host="127.0.0.1", mode="ok", rate=0.3, seed=7,
                 status=503, location=None):
        self.mode = mode
        self.rate = rate
        self.status = status
        self.location = location
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                status = receiver.decide()
                with receiver.lock:
                    receiver.received.append(Received(
                        self.path, {k.lower(): v for k, v in
                                    self.headers.items()}, body, status))
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.host, self.port = self.server.server_address[:2]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def decide(self):
        with self.lock:
            if self.mode == "ok":
                return 200
            if self.mode == "flaky":
                return 503 if self.random.random() < self.rate else 200
            if self.mode == "redirect":
                return 302
            return self.status

    def url(self, path="/hook"):
        return f"http://{self.host}:{self.port}{path}"

    def requests(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---- helpers shared by the notification tests ----------------------------

def create_channel(api, ctype, config, name=None, **extra):
    body = {"name": name or f"{ctype} channel", "type": ctype,
            "config": config}
    body.update(extra)
    return api.post("/api/v1/notification-channels", json=body)


def push_notify(redis, tenant_id, channel_id, event_id, event, attempt=None):
    """Queues a notify job exactly as CONTRACTS.md tells the alerting
    worker to."""
    job = {"type": "notify", "tenant_id": tenant_id,
           "channel_id": channel_id, "event_id": event_id, "event": event}
    if attempt is not None:
        job["attempt"] = attempt
    redis.lpush("p:jobs", json.dumps(job))
    return job


def alert_event(rule="High error rate", value=42, threshold=10,
                kind="alert.firing", severity="critical", **extra):
    event = {"kind": kind,
             "rule": {"id": "r-" + rule.replace(" ", "-").lower(),
                      "name": rule, "severity": severity},
             "alert": {"id": "a-1", "group": "service=api", "value": value,
                       "threshold": threshold, "window": "5m",
                       "started_at": "2026-11-21T08:00:00Z"},
             "search_url": "/app/search?q=level%3AERROR&from=now-15m",
             "message": f"{rule}: {value} errors in 5 minutes "
                        f"(threshold {threshold})"}
    event.update(extra)
    return event


def deliveries(api, **params):
    r = api.get("/api/v1/notifications", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def settled(api, event_id, n=1):
    """The deliveries of event_id once n of them are final (sent, dead or
    suppressed); fails after three minutes (the test machine may be
    busy: each job is several MongoDB round trips)."""
    def done():
        items = deliveries(api, event_id=event_id)
        final = [d for d in items
                 if d["status"] in ("sent", "dead", "suppressed")]
        return items if len(final) >= n else None
    items = wait_for(done, 180, 0.2)
    assert items, f"deliveries of {event_id} not final: " \
        f"{deliveries(api, event_id=event_id)}"
    return items


@pytest.fixture(scope="module")
def db():
    """The test MongoDB database, for what the API must not do."""
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"],
                                 serverSelectionTimeoutMS=5000)
    yield client[os.environ.get("VIGIE_MONGO_DB", "vigie_test")]
    client.close()


@contextlib.contextmanager
def private_worker(name, **settings):
    """A vigie-worker of the test's own, with settings of its own (e.g.
    no VIGIE_WEBHOOK_ALLOW_CIDRS) and a Redis database of its own, so that
    the server's worker never takes its jobs: VIGIE_TEST_PRIVATE_REDIS_DB,
    or the highest empty one from 15 down to 9 (the stack is shared by
    several test runs). Yields a Redis client of that database, to push
    jobs on; the keys made there are removed afterwards."""
    url = urlparse(os.environ["VIGIE_REDIS_URL"])
    own = int(url.path.strip("/") or 0)
    wanted = os.environ.get("VIGIE_TEST_PRIVATE_REDIS_DB")
    for db in ([int(wanted)] if wanted else range(15, 8, -1)):
        conn = redis_client.Redis(host=url.hostname, port=url.port or 6379,
                                  db=db, decode_responses=True)
        if db != own and conn.dbsize() == 0:
            break
        conn.close()
    else:
        pytest.fail("no empty Redis database for a private worker: "
                    "set VIGIE_TEST_PRIVATE_REDIS_DB")
    env = dict(os.environ, **settings)
    env["VIGIE_REDIS_URL"] = f"redis://{url.hostname}:{url.port}/{db}"
    log = Path(os.environ["VIGIE_TEST_WORKER_LOG"]).with_name(
        f"worker-{name}.log")
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(ROOT / "build/vigie-worker")],
                                cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        yield conn
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        for pattern in ("p:*", "t:*"):
            for key in conn.scan_iter(pattern):
                conn.delete(key)
        conn.close()
