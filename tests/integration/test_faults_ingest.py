"""Ingestion survives its faults: Elasticsearch going away in the middle
of a large file, and the worker dying in the middle of one.

Both tests ingest the same generated file: the 10,000 lines of
/work/shared/data/apache_access_10k.log repeated 100 times, 1,000,000
lines (FAULTS_REPEAT changes the count), uploaded gzip-compressed (the
plain text, 237 MB, is over the 100 MB upload limit). Each test then
checks that every line was indexed exactly once (documents have stable
ids, so a job that is redone from the start overwrites instead of
duplicating) and that no job is left behind in Redis.

They stop services of the local test stack, so they are marked
``faults``: they run in a full run (make test), and ``-m "not faults"``
leaves them out. On a shared 2-CPU machine (2026-11-21) the worker test
took 36-141 s and the Elasticsearch test 66-225 s, the full 1,000,000
lines each, depending on the load of the machine and on whether the job
had to be redone.
"""
import gzip
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from conftest import ROOT, wait_for, shared_data

pytestmark = pytest.mark.faults

REPEAT = int(os.environ.get("FAULTS_REPEAT", "100"))
LINES = 10000 * REPEAT
ES = os.environ.get("VIGIE_ES_URL", "")
# Seconds Elasticsearch stays stopped before it is started again. The
# outage is longer: stopping takes under a second, and starting 8 s on an
# idle 2-CPU machine, 20 s on a busy one (measured: 27 s of outage with 5
# s here, 12 s with 2 s). The test stack is shared, so this is kept
# short; the worker sees connection errors either way. Its retries of
# one bulk request last 15 s or so: when the outage is longer the job
# gives up and is redone from the start (seen once in two runs).
ES_DOWN_S = 2
# Upper bound for one ingestion of the whole file, faults included.
INGEST_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def local_stack():
    """Stops and starts services of this machine's test stack.

    Like conftest's ``stack``, but also usable when the run says
    VIGIE_STACK=external while its services are in fact the local test
    stack (scripts/stack.sh's pid files, same Elasticsearch port): that
    is how a run keeps its own Redis database and MongoDB name. Skips
    when the services are elsewhere (CI containers)."""
    if os.environ.get("VIGIE_STACK", "local") == "external":
        pytest.skip("services are external (shared or CI): never stop them")
    es_pid = ROOT / "var/test/pids/es.pid"
    port = os.environ.get("VIGIE_STACK_ES_PORT", "19200")
    if not es_pid.exists() or str(urlparse(ES).port) != port:
        pytest.skip("services are not the local test stack: cannot stop them")

    class Stack:
        def stop(self, service):
            subprocess.run([ROOT / "scripts/stack.sh", "stop-one", service,
                            "test"], check=True, capture_output=True)

        def start(self, service):
            subprocess.run([ROOT / "scripts/stack.sh", "start-one", service,
                            "test"], check=True, capture_output=True)

    return Stack()


@pytest.fixture(scope="module")
def big_log(tmp_path_factory):
    """The generated file, gzip: one compressed copy of the 10k-line log
    repeated REPEAT times (a multi-member gzip stream, which zlib reads
    as one file)."""
    member = gzip.compress(shared_data("apache_access_10k.log").read_bytes(), compresslevel=6)
    path = tmp_path_factory.mktemp("faults") / "big_access.log.gz"
    with open(path, "wb") as out:
        for _ in range(REPEAT):
            out.write(member)
    return path


def upload(t, path):
    with open(path, "rb") as body:
        r = t["api"].post("/api/v1/files", params={"name": path.name},
                          data=body, timeout=300, headers={
                              "Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def file_of(t, file_id):
    r = t["api"].get(f"/api/v1/files/{file_id}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_ingesting(t, file_id, timeout=120):
    """Waits until the worker has indexed part of the file, not all."""
    def started():
        f = file_of(t, file_id)
        assert f["status"] not in ("done", "partial", "failed"), \
            f"the file was finished before the fault: {f}"
        return f if f["status"] == "ingesting" and f["indexed"] > 0 else None
    f = wait_for(started, timeout, interval=0.2)
    assert f, file_of(t, file_id)
    return f


def wait_finished(t, file_id, timeout=INGEST_TIMEOUT_S):
    def finished():
        try:
            f = file_of(t, file_id)
        except requests.RequestException:
            return None
        return f if f["status"] in ("done", "partial", "failed") else None
    f = wait_for(finished, timeout, interval=1)
    assert f, file_of(t, file_id)
    return f


def es_count(tenant_id):
    alias = f"vigie-t-{tenant_id}"
    r = requests.post(f"{ES}/{alias}/_refresh", timeout=120)
    assert r.status_code == 200, r.text
    r = requests.get(f"{ES}/{alias}/_count", timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["count"]


def es_drop(tenant_id):
    """Deletes the tenant's indices: a million documents per test would
    otherwise stay on the shared test Elasticsearch."""
    r = requests.get(f"{ES}/_alias/vigie-t-{tenant_id}", timeout=30)
    if r.status_code == 200 and r.json():
        requests.delete(f"{ES}/{','.join(r.json())}", timeout=60)


def assert_nothing_left(redis, tenant_id):
    """No job of the tenant is waiting, in progress or held anywhere."""
    prefix = f"t:{tenant_id}:queue:ingest"
    assert redis.llen(prefix) == 0, redis.lrange(prefix, 0, -1)
    wip = list(redis.scan_iter(f"{prefix}:wip:*"))
    assert all(redis.llen(k) == 0 for k in wip), \
        {k: redis.lrange(k, 0, -1) for k in wip}
    for key in redis.scan_iter("p:jobs:processing:*"):
        held = [j for j in redis.lrange(key, 0, -1) if tenant_id in j]
        assert not held, (key, held)


def assert_complete(t, file_id, redis):
    tid = t["tenant"]["id"]
    f = wait_finished(t, file_id)
    assert f["status"] == "done", f
    assert f["lines"] == LINES, f
    assert f["indexed"] + f["rejected"] == f["lines"], f
    assert f["rejected"] == 0, f
    # Stable ids: a redone job overwrote what it had already sent.
    assert es_count(tid) == LINES
    assert_nothing_left(redis, tid)
    return f


@pytest.fixture
def big_tenant(new_tenant):
    t = new_tenant("faults")
    yield t
    es_drop(t["tenant"]["id"])


def worker_id():
    pid = (Path(os.environ["VIGIE_TEST_SERVER_DIR"]) / "worker.pid") \
        .read_text().strip()
    return f"{socket.gethostname()[:63]}:{pid}"


class HeartbeatWatch(threading.Thread):
    """Samples the worker's heartbeat key every 0.1 s while nothing
    listens on Elasticsearch's port (the worker's requests are refused at
    once then, so it only waits between attempts): lapses lists the
    moments it was missing."""

    def __init__(self, redis, wid):
        super().__init__(daemon=True)
        self.redis, self.key = redis, f"p:worker:{wid}"
        self.port = urlparse(ES).port
        self.lapses, self.samples = [], 0
        self.done = threading.Event()

    def es_closed(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return False
        except OSError:
            return True

    def run(self):
        while not self.done.wait(0.1):
            if self.es_closed():
                self.samples += 1
                if not self.redis.exists(self.key):
                    self.lapses.append(time.strftime("%H:%M:%S"))


def test_elasticsearch_stopped_mid_file(big_tenant, big_log, local_stack,
                                        redis):
    """Elasticsearch stops while a file is half indexed and comes back:
    the worker's retries (within a bulk request, then the whole job)
    carry the file to the end with every line indexed once. Meanwhile
    the worker keeps beating: were its heartbeat to expire, another
    worker would take its job while it still runs it."""
    t = big_tenant
    started = time.monotonic()
    file_id = upload(t, big_log)
    before = wait_ingesting(t, file_id)
    watch = HeartbeatWatch(redis, worker_id())
    watch.start()
    local_stack.stop("es")
    try:
        time.sleep(ES_DOWN_S)
        stalled = file_of(t, file_id)
    finally:
        local_stack.start("es")
        watch.done.set()
        watch.join()
    assert stalled["status"] == "ingesting", stalled
    assert stalled["indexed"] < LINES, stalled
    assert watch.samples > 0
    assert not watch.lapses, \
        f"the worker's heartbeat expired at {watch.lapses}"
    f = assert_complete(t, file_id, redis)
    print(f"\nES fault: {LINES} lines, indexed {before['indexed']} before "
          f"the stop, {stalled['indexed']} when it ended; "
          f"done in {time.monotonic() - started:.0f} s ({f})")


def test_worker_killed_mid_file(big_tenant, big_log, redis):
    """The worker dies (SIGKILL) in the middle of a file; a new worker
    takes the job back once the dead one's heartbeat has expired, and
    finishes it."""
    t = big_tenant
    server_dir = Path(os.environ["VIGIE_TEST_SERVER_DIR"])
    pidfile = server_dir / "worker.pid"
    started = time.monotonic()
    file_id = upload(t, big_log)
    before = wait_ingesting(t, file_id)
    pid = int(pidfile.read_text())
    dead_id = worker_id()
    os.kill(pid, signal.SIGKILL)
    # The dead worker's heartbeat (TTL 3 x VIGIE_WORKER_HEARTBEAT_S)
    # is still alive: its job stays where it was meanwhile.
    assert redis.llen(f"t:{t['tenant']['id']}:queue:ingest:wip:{dead_id}") \
        == 1
    # Started as scripts/lib.sh start_worker does, with the environment
    # scripts/integration.sh gave this process.
    with open(os.environ["VIGIE_TEST_WORKER_LOG"], "ab") as log:
        worker = subprocess.Popen([ROOT / "build/vigie-worker"], stdout=log,
                                  stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
    pidfile.write_text(f"{worker.pid}\n")
    f = assert_complete(t, file_id, redis)
    assert worker.poll() is None, "the new worker exited"
    # The new worker reaped the dead one.
    assert not redis.sismember("p:workers", dead_id)
    assert not redis.exists(f"p:jobs:processing:{dead_id}")
    print(f"\nworker fault: {LINES} lines, indexed {before['indexed']} when "
          f"the worker was killed; done in "
          f"{time.monotonic() - started:.0f} s ({f})")
