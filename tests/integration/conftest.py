"""Shared fixtures for the integration tests.

scripts/integration.sh starts a real server and worker on the real test
stack and exports where they are; these fixtures only read that.
"""
import json
import os
import pathlib
import subprocess
import time
import uuid
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


# The shared data sets (real logs, never copied into the repository):
# where VIGIE_SHARED_DATA says, next to the repository, or the machine's
# /work/shared/data. A machine without them (a GitHub runner) skips the
# tests that need them.
SHARED_DATA = next((pathlib.Path(p) for p in (
    os.environ.get("VIGIE_SHARED_DATA"), ROOT.parent / "shared" / "data",
    "/work/shared/data") if p and pathlib.Path(p).is_dir()), None)


def shared_data(name):
    """The path of a shared data file, or a skip when it is not here."""
    if SHARED_DATA is None or not (SHARED_DATA / name).is_file():
        pytest.skip(f"{name}: the shared data sets are not on this machine")
    return SHARED_DATA / name


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


# ---- accounts ---------------------------------------------------------------

PASSWORD = "correct horse battery staple"


class Api:
    """A small client bound to the server and, optionally, a credential."""

    def __init__(self, base_url, auth=None):
        self.base_url = base_url
        self.session = requests.Session()
        if auth:
            self.session.headers["Authorization"] = auth

    def __call__(self, method, path, **kw):
        kw.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, **kw)

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def post(self, path, **kw):
        return self("POST", path, **kw)

    def patch(self, path, **kw):
        return self("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self("DELETE", path, **kw)


@pytest.fixture(scope="session")
def anon(base_url):
    return Api(base_url)


@pytest.fixture(scope="session")
def new_tenant(base_url):
    """Signs up a fresh organization and logs its owner in.

    Returns a dict: slug, email, tenant (id, slug, ...), user, access,
    refresh, and api (an Api with the owner's Bearer token)."""

    def make(prefix="org"):
        slug = f"{prefix}-{uuid.uuid4().hex[:10]}"
        email = f"owner@{slug}.example.com"
        r = requests.post(f"{base_url}/api/v1/signup", json={
            "organization_name": f"Org {slug}", "slug": slug,
            "email": email, "name": "Owner", "password": PASSWORD},
            timeout=30)
        assert r.status_code == 201, r.text
        created = r.json()
        r = login(base_url, email)
        assert r.status_code == 200, r.text
        tokens = r.json()
        return {"slug": slug, "email": email, "tenant": created["tenant"],
                "user": created["user"], "access": tokens["access_token"],
                "refresh": tokens["refresh_token"],
                "api": Api(base_url, f"Bearer {tokens['access_token']}")}

    return make


def random_ip():
    """A client address of the TEST-NET-2 range, different each call."""
    n = uuid.uuid4().int
    return f"198.51.{n % 256}.{(n >> 8) % 254 + 1}"


def login(base_url, email, password=PASSWORD, client_ip=None):
    """Logs in as if from client_ip (a fresh address by default, so that
    the per-address limit of one test does not spill into another)."""
    return requests.post(f"{base_url}/api/v1/auth/login",
                         json={"email": email, "password": password},
                         headers={"X-Forwarded-For": client_ip or random_ip()},
                         timeout=30)


# ---- platform administrators -------------------------------------------------

ADMIN_EMAIL = os.environ.get("VIGIE_ADMIN_EMAIL", "admin@vigie.test")
ADMIN_PASSWORD = os.environ.get("VIGIE_ADMIN_PASSWORD",
                                "admin-password-for-tests-only")


def admin_login(base_url, email=ADMIN_EMAIL, password=ADMIN_PASSWORD,
                client_ip=None):
    return requests.post(f"{base_url}/api/v1/admin/login",
                         json={"email": email, "password": password},
                         headers={"X-Forwarded-For": client_ip or random_ip()},
                         timeout=30)


class AdminSession(dict):
    """The platform administrator's credentials, logged in again when the
    access token is older than ADMIN_TOKEN_MAX_AGE_S: a full run lasts
    longer than one token (VIGIE_ACCESS_TTL_S, 15 minutes by default)."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url
        self.logged_in_at = 0.0
        self.login()

    def login(self):
        r = wait_for(lambda: (lambda resp: resp if resp.status_code == 200
                              else None)(admin_login(self.base_url)), 15, 0.3)
        assert r is not None and r.status_code == 200, \
            "the platform administrator could not log in"
        token = r.json()["access_token"]
        self.logged_in_at = time.monotonic()
        self.update({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                     "access": token,
                     "api": Api(self.base_url, f"Bearer {token}")})

    def __getitem__(self, key):
        if time.monotonic() - self.logged_in_at > ADMIN_TOKEN_MAX_AGE_S:
            self.login()
        return super().__getitem__(key)


ADMIN_TOKEN_MAX_AGE_S = 300


@pytest.fixture(scope="session")
def admin(base_url):
    """The platform administrator of scripts/integration.sh, logged in.

    The worker creates it at start, so the first logins may still be
    refused. A dict: email, password, access, and api (an Api with the
    administrator's Bearer token), renewed when it gets old."""
    return AdminSession(base_url)


# ---- markers -------------------------------------------------------------------

def pytest_configure(config):
    # Tests that stop services or kill processes: part of a full run (make
    # test); leave them out with -m "not faults".
    config.addinivalue_line(
        "markers", "faults: stops services of the test stack or kills the "
        "worker (deselect with -m \"not faults\")")


# ---- MongoDB -------------------------------------------------------------------

@pytest.fixture(scope="session")
def db():
    """The test database itself, for set-up the API cannot do (back-dated
    documents, metered usage) and for checking what was stored."""
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"],
                                 serverSelectionTimeoutMS=5000)
    yield client[os.environ.get("VIGIE_MONGO_DB", "vigie_test")]
    client.close()
