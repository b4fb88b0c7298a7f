"""Shared fixtures for the integration tests.

scripts/integration.sh starts a real server and worker on the real test
stack and exports where they are; these fixtures only read that.
"""
import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis as redis_client
import requests

ROOT = Path(__file__).resolve().parents[2]


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the tests with 'make test'", 2)
    return value


@pytest.fixture(scope="session")
def base_url():
    return _env("VIGIE_TEST_BASE_URL")


@pytest.fixture(scope="session")
def http():
    session = requests.Session()
    yield session
    session.close()


@pytest.fixture(scope="session")
def redis():
    url = urlparse(_env("VIGIE_REDIS_URL"))
    db = int(url.path.strip("/") or 0)
    conn = redis_client.Redis(host=url.hostname, port=url.port or 6379, db=db,
                              socket_timeout=5, decode_responses=True)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def stack():
    """Stops and starts services of the test stack (local stack only)."""
    if os.environ.get("VIGIE_STACK", "local") == "external":
        pytest.skip("services are external (CI containers): cannot stop them")

    class Stack:
        def stop(self, service):
            subprocess.run([ROOT / "scripts/stack.sh", "stop-one", service,
                            "test"], check=True, capture_output=True)

        def start(self, service):
            subprocess.run([ROOT / "scripts/stack.sh", "start-one", service,
                            "test"], check=True, capture_output=True)

    return Stack()


def log_lines(path):
    """The JSON lines of a log file (Kore's own plain lines are skipped)."""
    lines = []
    for raw in Path(path).read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@pytest.fixture(scope="session")
def stack_pids():
    """The process-group id of a service of the local test stack."""
    if os.environ.get("VIGIE_STACK", "local") == "external":
        pytest.skip("services are external (CI containers): cannot signal them")

    def pgid(service):
        return int((ROOT / "var/test/pids" / f"{service}.pid").read_text())

    return pgid
