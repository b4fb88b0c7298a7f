"""Vigie load test: the public, unauthenticated endpoints.

Run it through locust/run.sh, which bounds the run in time and keeps the
target on this machine. Used directly, it refuses any host but 127.0.0.1:

    .venv/bin/locust -f locust/locustfile.py --headless -u 20 -r 10 -t 30s

Each simulated user mostly pings the API (weight 5) and sometimes reads
/health and /metrics (weight 1 each), with 0.1 to 0.5 s between requests.
A response counts as a failure unless it has the expected status and body.
"""

import logging
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

DEFAULT_HOST = "http://127.0.0.1:8080"
ALLOWED_HOSTNAMES = {"127.0.0.1"}


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


@events.test_start.add_listener
def refuse_remote_hosts(environment, **_kwargs):
    """Stops the run before any request when the target is not local."""
    host = environment.host or DEFAULT_HOST
    if not host_is_allowed(host):
        logging.error("refusing to load-test %s: only http://127.0.0.1[:port] is allowed", host)
        environment.process_exit_code = 2
        if environment.runner is not None:
            environment.runner.quit()


class VigieUser(HttpUser):
    """A client hitting Vigie's cheap, unauthenticated endpoints."""

    host = DEFAULT_HOST
    wait_time = between(0.1, 0.5)

    def on_start(self):
        if not host_is_allowed(self.host):
            raise RuntimeError(f"refusing to load-test {self.host}")

    @task(5)
    def ping(self):
        with self.client.get("/api/v1/ping", name="GET /api/v1/ping", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {resp.status_code}")
                return
            try:
                body = resp.json()
            except ValueError:
                resp.failure("body is not JSON")
                return
            if not isinstance(body, dict) or body.get("status") != "ok":
                resp.failure(f"unexpected body {body!r:.200}")

    @task(1)
    def health(self):
        # 200 = healthy or degraded; 503 = down, which a load test must report.
        with self.client.get("/health", name="GET /health", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {resp.status_code}")
                return
            try:
                status = resp.json().get("status")
            except (ValueError, AttributeError):
                resp.failure("body is not a JSON object")
                return
            if status not in ("healthy", "degraded"):
                resp.failure(f"unexpected status {status!r}")

    @task(1)
    def metrics(self):
        with self.client.get("/metrics", name="GET /metrics", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {resp.status_code}")
            elif "# TYPE " not in resp.text:
                resp.failure("not Prometheus text")
