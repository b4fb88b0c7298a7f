"""Search misses answered on the event loop (src/api/search_loop.c).

Once the event loop has established the caller and found no cached
answer, a search is sent to Elasticsearch from the loop itself (libcurl's
multi interface on Kore's poller, src/api/es_loop.c) instead of a task
thread. These tests prove that this path answers (the server logs, at
debug level, "search answered on the event loop" under the request's
trace id), that its answers are byte for byte those of the task path
(minus took_ms), that another tenant's key never sees this tenant's logs
through it, and, on servers of their own pointed at an Elasticsearch
that never answers or is not there, that the errors are those of the task
path and that a client leaving mid-request harms nothing."""
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import ROOT, Api, wait_for
from test_search import drop_indices, ingest, json_docs, wait_hit

LOOP_LINE = "search answered on the event loop"
UNAVAILABLE = {"error": {"code": "service_unavailable",
                         "message": "the log store is unavailable, "
                         "try again shortly"}}


def on_loop(log_path, r):
    """Whether the server logged r's answer as given on the event loop."""
    trace = r.headers["X-Trace-Id"]
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if LOOP_LINE in line and trace in line:
                return json.loads(line)["message"]
    return None


def loop_message(log_path, r):
    """on_loop(), waiting a little for the log line to be written."""
    return wait_for(lambda: on_loop(log_path, r), 5)


def fresh_key(t, scopes=("read",)):
    """A new key, never used: its first request goes to a task thread,
    which checks it and leaves its record where the event loop finds it
    for the next ones; that first request is the task path's."""
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": "loop", "scopes": list(scopes)})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def key_api(t, scopes=("read",)):
    key = fresh_key(t, scopes)
    api = Api(t["api"].base_url, f"ApiKey {key}")
    # A key's first request is checked on a task thread, which leaves its
    # record where the event loop finds it for the next ones.
    assert api.get("/api/v1/ping").status_code == 200
    api.get("/api/v1/logs", params={"q": "warm", "size": 1})
    return api, key


def without_took(r):
    body = r.json()
    assert list(body)[-1] == "took_ms" and isinstance(body["took_ms"], int)
    body.pop("took_ms")
    return body


def since(minutes, ms=0):
    """An ISO time minutes ago (to the second), plus ms milliseconds: two
    searches one millisecond apart find the same logs under two cache
    keys."""
    t = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - \
        dt.timedelta(minutes=minutes) + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@pytest.fixture(scope="module")
def loop(new_tenant):
    t = new_tenant("loop")
    t["marker"] = "l" + uuid.uuid4().hex[:12]
    ingest(t, json_docs(t["marker"]))
    t["reader"], t["key"] = key_api(t)
    t["log"] = os.environ["VIGIE_TEST_SERVER_LOG"]
    yield t
    drop_indices(t)


def test_a_key_miss_is_answered_on_the_loop_as_the_task_path_does(loop):
    start = since(120)
    params = {"q": loop["marker"], "size": 7, "from": start}
    # A key's first request goes to a task thread.
    first = Api(loop["api"].base_url, f"ApiKey {fresh_key(loop)}")
    task = first.get("/api/v1/logs", params=params)
    assert task.status_code == 200, task.text
    assert task.headers["X-Cache"] == "MISS"
    assert on_loop(loop["log"], task) is None
    params["from"] = since(120, 1)
    r = loop["reader"].get("/api/v1/logs", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["X-Cache"] == "MISS"
    assert loop_message(loop["log"], r) == f"{LOOP_LINE} (200)"
    assert without_took(r) == without_took(task)
    assert r.json()["total"] == 30 and len(r.json()["hits"]) == 7
    for name in ("Content-Type", "Cache-Control", "X-Content-Type-Options"):
        assert r.headers[name] == task.headers[name], name
    # The answer was stored for the next ones (by the background thread).
    hit = wait_hit(loop["reader"], "/api/v1/logs", params)
    assert without_took(hit) == without_took(r)


def test_a_persons_first_page_is_answered_on_the_loop_and_remembered(loop):
    marker_q = f"{loop['marker']} payment"
    params = {"q": marker_q, "size": 3, "from": since(120, 30)}
    r = loop["api"].get("/api/v1/logs", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["X-Cache"] == "MISS"
    assert loop_message(loop["log"], r) == f"{LOOP_LINE} (200)"
    total = r.json()["total"]
    assert total == 6
    # The history entry, as the task path writes it (after the answer).
    history = loop["api"].get("/api/v1/searches",
                              params={"kind": "history"}).json()
    mine = [h for h in history["items"] if h["query"].get("q") == marker_q]
    assert len(mine) == 1, history
    assert mine[0]["total"] == total
    # The same search by a key (no history) answers the same.
    params["from"] = since(120, 31)
    k = loop["reader"].get("/api/v1/logs", params=params)
    assert without_took(k)["hits"] == without_took(r)["hits"]


def test_a_persons_later_pages_are_answered_on_the_loop(loop):
    params = {"q": loop["marker"], "size": 4, "page": 3,
              "from": since(120, 2)}
    mine = loop["api"].get("/api/v1/logs", params=params)
    assert mine.status_code == 200, mine.text
    assert mine.headers["X-Cache"] == "MISS"
    assert loop_message(loop["log"], mine) == f"{LOOP_LINE} (200)"
    params["from"] = since(120, 3)
    params["page"] = 1
    first = loop["api"].get("/api/v1/logs", params=params)
    params["page"] = 3
    params["from"] = since(120, 4)
    task_like = loop["reader"].get("/api/v1/logs", params=params)
    assert without_took(mine)["hits"] == without_took(task_like)["hits"]
    assert mine.json()["page"] == 3 and len(mine.json()["hits"]) == 4
    assert first.json()["hits"][0] != mine.json()["hits"][0]
    # Only the first pages went into the history.
    history = loop["api"].get("/api/v1/searches",
                              params={"kind": "history"}).json()
    pages = [h["query"].get("page", "1") for h in history["items"]]
    assert all(str(p) == "1" for p in pages), history


def test_another_tenants_key_never_sees_these_logs(loop, new_tenant):
    other = new_tenant("loopx")
    other_marker = "x" + uuid.uuid4().hex[:12]
    ingest(other, json_docs(other_marker, 3))
    try:
        reader, _ = key_api(other)
        for q in (loop["marker"], f"marker:{loop['marker']}", "*"):
            params = {"q": q, "size": 50, "from": since(120, 5)}
            r = reader.get("/api/v1/logs", params=params)
            assert r.status_code == 200, r.text
            assert loop_message(loop["log"], r) == f"{LOOP_LINE} (200)"
            text = r.text
            assert loop["marker"] not in text
            assert loop["tenant"]["id"] not in text
            assert r.json()["total"] == (3 if q == "*" else 0)
            assert all(other_marker in h["source"]["message"]
                       for h in r.json()["hits"])
        # The same search by the owner of the logs finds them.
        r = loop["reader"].get("/api/v1/logs", params={
            "q": loop["marker"], "from": since(120, 6)})
        assert r.json()["total"] == 30
    finally:
        drop_indices(other)


def test_a_key_without_read_is_refused_before_any_search(loop):
    ingester, _ = key_api(loop, ("ingest",))
    r = ingester.get("/api/v1/logs", params={"q": loop["marker"],
                                             "from": since(120, 7)})
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden"
    assert on_loop(loop["log"], r) is None


# ---- servers of their own, with an Elasticsearch that fails ----------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Silent:
    """A TCP server on 127.0.0.1 that accepts and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.done = False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while not self.done:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.done = True
        self.sock.close()
        for c in self.conns:
            c.close()


class Server:
    """A second Vigie server on the same stores but another ES_URL."""

    def __init__(self, tmp_path, es_url, timeout_ms):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update({"VIGIE_PORT": str(self.port), "VIGIE_WORKERS": "1",
                    "VIGIE_ES_URL": es_url,
                    "VIGIE_ES_TIMEOUT_MS": str(timeout_ms),
                    "VIGIE_LOG_LEVEL": "debug"})
        for part in ("kore.conf", "build", "assets", "tenants"):
            (tmp_path / part).symlink_to(ROOT / part)
        (tmp_path / "var/tmp").mkdir(parents=True)
        self.log = str(tmp_path / "server.log")
        self.out = open(self.log, "w")
        self.proc = subprocess.Popen(
            ["kore", "-c", "kore.conf", "-f", "-n", "-r"], cwd=tmp_path,
            env=env, stdout=self.out, stderr=self.out)
        assert wait_for(self.up, 15), "the second server did not start"

    def up(self):
        try:
            return requests.get(self.base + "/api/v1/ping", timeout=1).ok
        except requests.ConnectionError:
            return False

    def crashes(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return [l for l in f if "exited with status" in l
                    or "exited due to" in l]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.out.close()


@pytest.fixture(scope="module")
def victim(new_tenant):
    """A tenant with logs and a read key, for the second servers (the
    stores are shared; only Elasticsearch differs)."""
    t = new_tenant("loopd")
    t["marker"] = "d" + uuid.uuid4().hex[:12]
    ingest(t, json_docs(t["marker"], 5))
    _, t["key"] = key_api(t)
    yield t
    drop_indices(t)


def search(base, auth, params, timeout=20):
    return requests.get(f"{base}/api/v1/logs", params=params, timeout=timeout,
                        headers={"Authorization": auth})


@pytest.mark.parametrize("es", ["silent", "closed"])
def test_an_unreachable_elasticsearch_gives_the_task_paths_error(
        tmp_path, victim, es):
    silent = Silent() if es == "silent" else None
    port = silent.port if silent else free_port()
    server = Server(tmp_path, f"http://127.0.0.1:{port}/", 400)
    try:
        key = f"ApiKey {victim['key']}"
        r = search(server.base, key, {"q": victim["marker"],
                                      "from": since(60, 10)})
        assert r.status_code == 503, r.text
        assert r.json() == UNAVAILABLE
        assert loop_message(server.log, r) == f"{LOOP_LINE} (503)"
        # The task path (a new key's first request) says the same.
        t = search(server.base, f"ApiKey {fresh_key(victim)}",
                   {"q": victim["marker"], "from": since(60, 11)})
        assert t.status_code == 503, t.text
        assert t.json() == r.json()
        assert on_loop(server.log, t) is None
        for name in ("Content-Type", "Cache-Control"):
            assert r.headers[name] == t.headers[name]
        assert "X-Cache" not in r.headers and "X-Cache" not in t.headers
        # Nothing was cached: the same search fails again.
        again = search(server.base, key, {"q": victim["marker"],
                                          "from": since(60, 10)})
        assert again.status_code == 503
        assert server.crashes() == []
    finally:
        server.stop()
        if silent:
            silent.close()


def test_clients_leaving_mid_search_harm_nothing(tmp_path, victim):
    silent = Silent()
    server = Server(tmp_path, f"http://127.0.0.1:{silent.port}", 1500)
    try:
        for i in range(8):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall((f"GET /api/v1/logs?q={victim['marker']}&from="
                       f"{since(60, 20 + i)} HTTP/1.1\r\n"
                       f"Host: 127.0.0.1\r\n"
                       f"Authorization: ApiKey {victim['key']}\r\n\r\n")
                      .encode())
            time.sleep(0.05)
            s.close()
        # Meanwhile, and after their searches' time is up, the server
        # answers (and only the searches it waits for take their time).
        assert requests.get(server.base + "/api/v1/ping", timeout=5).ok
        time.sleep(1.8)
        r = search(server.base, f"ApiKey {victim['key']}",
                   {"q": victim["marker"], "from": since(60, 40)})
        assert r.status_code == 503 and r.json() == UNAVAILABLE
        assert requests.get(server.base + "/api/v1/ping", timeout=5).ok
        assert server.crashes() == []
        with open(server.log, encoding="utf-8") as f:
            gone = sum("search abandoned: the request went away" in l
                       for l in f)
        assert gone >= 1  # their Elasticsearch requests were cancelled
    finally:
        server.stop()
        silent.close()


def test_a_second_server_reaching_elasticsearch_by_name(
        tmp_path, victim, base_url):
    """The same Elasticsearch as the main server, named "localhost" (the
    name resolved by libcurl from the event loop): a second worker's own
    multi handle, and answers equal to the main server's."""
    es = os.environ.get("VIGIE_ES_URL", "http://127.0.0.1:19200") \
        .replace("127.0.0.1", "localhost")
    server = Server(tmp_path, es, 10000)
    try:
        key = f"ApiKey {victim['key']}"
        for i in range(3):
            params = {"q": victim["marker"], "size": 2,
                      "from": since(60, 50 + i)}
            r = search(server.base, key, params)
            assert r.status_code == 200, r.text
            assert loop_message(server.log, r) == f"{LOOP_LINE} (200)"
            params["from"] = since(60, 60 + i)
            main = search(base_url, key, params)
            assert without_took(r) == without_took(main)
        assert server.crashes() == []
    finally:
        server.stop()
