"""Vigie load test: people and machines of several organizations at once.

Run it through locust/run.sh, which bounds the run in time, keeps the target
on this machine and writes the reports. Used directly, it refuses any host
but 127.0.0.1:

    .venv/bin/locust -f locust/locustfile.py --headless -u 20 -r 5 -t 60s

Before the first user starts, the test signs up LOCUST_TENANTS organizations
(default 10, names unique to the run), each with an owner, an analyst and a
viewer, and an API key (scopes ingest + read); it gives each organization
data to read: one uploaded access log (300 lines) and 300 JSON documents
through the ingest API, across five services and five levels. With
VIGIE_LOAD_ADMIN_EMAIL / _PASSWORD (a platform administrator) the
organizations are moved to LOCUST_PLAN (default pro), so that the free
plan's daily request quota does not end a long run.

Each simulated user is one person of one organization (users are spread
over the organizations and their three accounts), browsing from an
address of its own (X-Forwarded-For; the server trusts 127.0.0.1 as a
proxy), 1 to 3 s between actions. The mix, by weight:

    search with varied filters  GET  /api/v1/logs          30
    dashboard figures           GET  /api/v1/stats         15
    one log's detail            GET  /api/v1/logs/{id}     10
    file list                   GET  /api/v1/files         10
    who am I (every page)       GET  /api/v1/me             5
    ingest API (25 docs)        POST /api/v1/ingest         6   API key
    small upload (40 lines)     POST /api/v1/files          2   owner and analyst
    sign in again               POST /api/v1/auth/login     1

A response counts as a failure unless it has the expected status and
shape. LOCUST_STRESS=1 replaces the fixed user count by StressShape: more
users every step until failures or a p99 over the limit (see below).
"""

import csv
import itertools
import json
import logging
import os
import random
import threading
import time
import uuid
from urllib.parse import urlsplit

# locust first: it patches the standard library with gevent, which must
# happen before requests (and ssl) are imported.
from locust import HttpUser, LoadTestShape, between, events

import requests  # noqa: E402  (after locust, see above)

DEFAULT_HOST = "http://127.0.0.1:8080"
ALLOWED_HOSTNAMES = {"127.0.0.1"}
PASSWORD = "load-test-password-0123"
SERVICES = ["web", "api", "auth", "billing", "worker"]
LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
WORDS = ["timeout", "login", "payment", "cache", "disk", "upstream",
         "refused", "slow", "retry", "quota"]
RANGES = ["now-15m", "now-1h", "now-24h", "now-7d"]

TENANTS = []          # filled once by setup_tenants()
SETUP_DONE = []       # time.monotonic() when the organizations were ready
_NEXT_USER = itertools.count()
_SETUP_LOCK = threading.Lock()


def host_is_allowed(url):
    """True when url is plain HTTP to 127.0.0.1 (any port)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in ALLOWED_HOSTNAMES
        and (port is None or 0 < port < 65536)
    )


def client_ip(n):
    """A distinct address of TEST-NET-3 / 198.18.0.0/15 per simulated person."""
    return f"198.18.{(n // 250) % 256}.{n % 250 + 1}"


def access_lines(n, tag):
    now = time.gmtime()
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", now)
    paths = ["/", "/login", "/api/orders", "/static/app.js", "/search?q=x"]
    statuses = [200, 200, 200, 301, 404, 500]
    return "".join(
        f'10.1.{i % 200}.{i % 250 + 1} - - [{stamp}] "GET {random.choice(paths)}'
        f'?r={tag}{i} HTTP/1.1" {random.choice(statuses)} {random.randint(200, 90000)} '
        f'"-" "load-test/1.0"\n' for i in range(n))


def json_docs(n, tag):
    lines = []
    for i in range(n):
        level = random.choices(LEVELS, weights=[10, 50, 20, 15, 5])[0]
        lines.append(json.dumps({
            "@timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - random.randint(0, 3600))),
            "level": level,
            "service": random.choice(SERVICES),
            "message": f"{random.choice(WORDS)} {random.choice(WORDS)} {tag}-{i}",
            "user_id": random.randint(1, 500),
        }))
    return "\n".join(lines) + "\n"


def setup_tenants(base, count):
    """Signs up `count` organizations with three people and an API key each,
    and gives them data. Runs once, before the first user."""
    run = uuid.uuid4().hex[:6]
    s = requests.Session()
    admin = None
    if os.environ.get("VIGIE_LOAD_ADMIN_EMAIL"):
        r = s.post(f"{base}/api/v1/admin/login", timeout=30,
                   headers={"X-Forwarded-For": client_ip(60000)},
                   json={"email": os.environ["VIGIE_LOAD_ADMIN_EMAIL"],
                         "password": os.environ.get("VIGIE_LOAD_ADMIN_PASSWORD", "")})
        r.raise_for_status()
        admin = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for t in range(count):
        slug = f"load-{run}-{t:02d}"
        owner = f"owner@{slug}.example.com"
        ip = {"X-Forwarded-For": client_ip(61000 + t)}
        r = s.post(f"{base}/api/v1/signup", headers=ip, timeout=60, json={
            "organization_name": f"Load {slug}", "slug": slug, "email": owner,
            "name": "Owner", "password": PASSWORD})
        if r.status_code != 201:
            raise RuntimeError(f"signup {slug}: {r.status_code} {r.text[:200]}")
        tenant_id = r.json()["tenant"]["id"]
        r = s.post(f"{base}/api/v1/auth/login", headers=ip, timeout=60,
                   json={"email": owner, "password": PASSWORD})
        r.raise_for_status()
        auth = {"Authorization": f"Bearer {r.json()['access_token']}", **ip}
        if admin is not None:
            r = s.patch(f"{base}/api/v1/admin/tenants/{tenant_id}", headers=admin,
                        timeout=30, json={"plan": os.environ.get("LOCUST_PLAN", "pro")})
            r.raise_for_status()
        people = [{"email": owner, "role": "owner"}]
        for role in ("analyst", "viewer"):
            email = f"{role}@{slug}.example.com"
            r = s.post(f"{base}/api/v1/users", headers=auth, timeout=60, json={
                "email": email, "name": role.title(), "role": role, "password": PASSWORD})
            if r.status_code != 201:
                raise RuntimeError(f"user {email}: {r.status_code} {r.text[:200]}")
            people.append({"email": email, "role": role})
        r = s.post(f"{base}/api/v1/api-keys", headers=auth, timeout=30,
                   json={"name": "load test", "scopes": ["ingest", "read"]})
        if r.status_code != 201:
            raise RuntimeError(f"api key {slug}: {r.status_code} {r.text[:200]}")
        key = r.json()["key"]
        r = s.post(f"{base}/api/v1/files", params={"name": "seed-access.log", "type": "access"},
                   data=access_lines(300, "seed").encode(), headers=auth, timeout=60)
        if r.status_code != 201:
            raise RuntimeError(f"seed upload {slug}: {r.status_code} {r.text[:200]}")
        r = s.post(f"{base}/api/v1/ingest", data=json_docs(300, "seed").encode(),
                   headers={"Authorization": f"ApiKey {key}",
                            "Content-Type": "application/x-ndjson"}, timeout=60)
        if r.status_code != 200:
            raise RuntimeError(f"seed ingest {slug}: {r.status_code} {r.text[:200]}")
        TENANTS.append({"slug": slug, "id": tenant_id, "people": people, "key": key})
    logging.info("load test: %d organizations ready (%s-*)", count, f"load-{run}")


@events.test_start.add_listener
def prepare(environment, **_kwargs):
    """Refuses a non-local target, then creates the organizations."""
    host = environment.host or DEFAULT_HOST
    if not host_is_allowed(host):
        logging.error("refusing to load-test %s: only http://127.0.0.1[:port] is allowed", host)
        environment.process_exit_code = 2
        if environment.runner is not None:
            environment.runner.quit()
        return
    with _SETUP_LOCK:
        if not TENANTS:
            setup_tenants(host.rstrip("/"), int(os.environ.get("LOCUST_TENANTS", "10")))
            SETUP_DONE.append(time.monotonic())


class VigieUser(HttpUser):
    """One person of one organization, using the app and its API."""

    host = DEFAULT_HOST
    wait_time = between(1, 3)

    def on_start(self):
        if not host_is_allowed(self.host):
            raise RuntimeError(f"refusing to load-test {self.host}")
        n = next(_NEXT_USER)
        self.tenant = TENANTS[n % len(TENANTS)]
        self.person = self.tenant["people"][(n // len(TENANTS)) % len(self.tenant["people"])]
        self.ip = client_ip(n)
        self.client.headers["X-Forwarded-For"] = self.ip
        self.key_headers = {"Authorization": f"ApiKey {self.tenant['key']}",
                            "X-Forwarded-For": self.ip}
        self.hit_ids = []
        self.login()

    # -- helpers --------------------------------------------------------------

    def expect(self, resp, status, *keys):
        """Marks resp failed unless it has `status` and a JSON object with keys."""
        if resp.status_code != status:
            resp.failure(f"status {resp.status_code}: {resp.text[:120]}")
            return None
        try:
            body = resp.json()
        except ValueError:
            resp.failure("body is not JSON")
            return None
        missing = [k for k in keys if not isinstance(body, dict) or k not in body]
        if missing:
            resp.failure(f"missing {missing} in {str(body)[:120]}")
            return None
        return body

    # -- tasks ----------------------------------------------------------------

    def login(self):
        with self.client.post("/api/v1/auth/login", name="/api/v1/auth/login",
                              json={"email": self.person["email"], "password": PASSWORD},
                              catch_response=True) as resp:
            body = self.expect(resp, 200, "access_token")
            if body:
                self.client.headers["Authorization"] = f"Bearer {body['access_token']}"
                resp.success()

    def me(self):
        with self.client.get("/api/v1/me", name="/api/v1/me", catch_response=True) as resp:
            if self.expect(resp, 200):
                resp.success()

    def search(self):
        params = {"from": random.choice(RANGES), "size": random.choice([20, 50, 100])}
        roll = random.random()
        if roll < 0.4:
            params["level"] = ",".join(random.sample(LEVELS[2:], random.randint(1, 3)))
        if 0.2 < roll < 0.6:
            params["service"] = random.choice(SERVICES)
        if roll > 0.5:
            params["q"] = random.choice(WORDS)
        if random.random() < 0.3:
            params["sort"] = random.choice(["@timestamp", "log.level", "service.name"])
            params["order"] = random.choice(["asc", "desc"])
        if random.random() < 0.2:
            params["page"] = 2
        with self.client.get("/api/v1/logs", params=params, name="/api/v1/logs",
                             catch_response=True) as resp:
            body = self.expect(resp, 200, "hits", "total")
            if body is not None:
                ids = [h.get("id") for h in body["hits"] if isinstance(h, dict)]
                if ids:
                    self.hit_ids = ids[:20]
                resp.success()

    def log_detail(self):
        if not self.hit_ids:
            self.search()
            return
        doc_id = random.choice(self.hit_ids)
        with self.client.get(f"/api/v1/logs/{doc_id}", name="/api/v1/logs/{id}",
                             catch_response=True) as resp:
            body = self.expect(resp, 200, "id", "source")
            if body is not None:
                if body["id"] != doc_id:
                    resp.failure("another document answered")
                else:
                    resp.success()

    def dashboard_stats(self):
        params = {"from": random.choice(RANGES), "interval": "auto"}
        with self.client.get("/api/v1/stats", params=params, name="/api/v1/stats",
                             catch_response=True) as resp:
            if self.expect(resp, 200, "total", "histogram"):
                resp.success()

    def files(self):
        params = {"sort": random.choice(["date", "name", "size", "status"]),
                  "order": random.choice(["asc", "desc"]), "size": 20}
        if random.random() < 0.3:
            params["status"] = random.choice(["done", "queued", "failed"])
        with self.client.get("/api/v1/files", params=params, name="/api/v1/files",
                             catch_response=True) as resp:
            if self.expect(resp, 200, "items", "total"):
                resp.success()

    def ingest_api(self):
        body = json_docs(25, self.person["role"]).encode()
        with self.client.post("/api/v1/ingest", data=body, headers={
                **self.key_headers, "Content-Type": "application/x-ndjson"},
                name="/api/v1/ingest", catch_response=True) as resp:
            answer = self.expect(resp, 200, "accepted")
            if answer is not None:
                if answer["accepted"] != 25:
                    first = (answer.get("errors") or [{}])[0].get("reason", "")
                    resp.failure(f"accepted {answer['accepted']} of 25: {first[:80]}")
                else:
                    resp.success()

    def upload(self):
        if self.person["role"] == "viewer":  # may not write: reads instead
            self.files()
            return
        with self.client.post("/api/v1/files", params={"name": "small-access.log"},
                              data=access_lines(40, "up").encode(),
                              name="/api/v1/files", catch_response=True) as resp:
            if self.expect(resp, 201, "id"):
                resp.success()


# The mix: task -> weight. LOCUST_WITHOUT="search,stats" leaves tasks out
# (endpoints a build does not have yet); log_detail goes with search.
MIX = {"login": 1, "me": 5, "search": 30, "log_detail": 10, "dashboard_stats": 15,
       "files": 10, "ingest_api": 6, "upload": 2}
_WITHOUT = {w.strip() for w in os.environ.get("LOCUST_WITHOUT", "").split(",") if w.strip()}
if "search" in _WITHOUT:
    _WITHOUT.add("log_detail")
if "stats" in _WITHOUT:
    _WITHOUT.add("dashboard_stats")
VigieUser.tasks = [getattr(VigieUser, name)
                   for name, weight in MIX.items() if name not in _WITHOUT
                   for _ in range(weight)]


class StressShape(LoadTestShape):
    """LOCUST_STRESS=1: STRESS_START users, then STRESS_STEP more every
    STRESS_STEP_S seconds, up to STRESS_MAX. Each step is judged on its
    second half (the first lets new users sign in and settle): the run
    stops when its failure ratio exceeds 1 % or the p99 of Locust's current
    window (the last 10 s) exceeds STRESS_P99_MS (3000). Each step's
    figures go to $LOCUST_STRESS_CSV (one row per step)."""

    start = int(os.environ.get("STRESS_START", "50"))
    step = int(os.environ.get("STRESS_STEP", "50"))
    step_s = int(os.environ.get("STRESS_STEP_S", "40"))
    maximum = int(os.environ.get("STRESS_MAX", "600"))
    p99_limit = int(os.environ.get("STRESS_P99_MS", "3000"))
    spawn_rate = float(os.environ.get("STRESS_SPAWN_RATE", "25"))

    def __init__(self):
        super().__init__()
        self.level = 0
        self.stopped = False
        self.mark = (0, 0)  # (requests, failures) at the middle of the step
        self.marked = -1    # the level whose middle was marked
        self.rows = []

    def users_at(self, level):
        return min(self.start + level * self.step, self.maximum)

    def judge(self, users):
        total = self.runner.stats.total
        reqs = total.num_requests - self.mark[0]
        fails = total.num_failures - self.mark[1]
        p50 = total.get_current_response_time_percentile(0.5) or 0
        p95 = total.get_current_response_time_percentile(0.95) or 0
        p99 = total.get_current_response_time_percentile(0.99) or 0
        row = {"users": users, "requests_2nd_half": reqs, "failures_2nd_half": fails,
               "rps": round(total.current_rps, 1), "p50_ms": p50, "p95_ms": p95,
               "p99_ms": p99, "t_s": round(time.monotonic() - SETUP_DONE[0])}
        self.rows.append(row)
        logging.info("stress step: %s", row)
        path = os.environ.get("LOCUST_STRESS_CSV")
        if path:
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(row))
                w.writeheader()
                w.writerows(self.rows)
        self.mark = (total.num_requests, total.num_failures)
        return (reqs and fails / reqs > 0.01) or p99 > self.p99_limit

    def tick(self):
        if self.stopped:
            return None
        if not SETUP_DONE:
            # Steps are timed from the end of the set-up (sign-ups, seeds).
            return (self.users_at(0), self.spawn_rate)
        t = time.monotonic() - SETUP_DONE[0]
        level = int(t // self.step_s)
        if self.marked < self.level and t - self.level * self.step_s >= self.step_s / 2:
            # The first half of a step lets the new users sign in and settle.
            total = self.runner.stats.total
            self.mark = (total.num_requests, total.num_failures)
            self.marked = self.level
        if level > self.level:
            # The step that just ended is judged before climbing.
            if self.judge(self.users_at(self.level)) or self.users_at(self.level) >= self.maximum:
                self.stopped = True
                return None
            self.level = level
        return (self.users_at(self.level), self.spawn_rate)


if os.environ.get("LOCUST_STRESS") != "1":
    del StressShape  # Locust uses any LoadTestShape it finds in the file
