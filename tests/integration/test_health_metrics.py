"""/health against the real services, a dependency going away and coming
back, the event loop staying free, and /metrics."""
import os
import re
import signal
import threading
import time

import requests

from conftest import wait_for


def health(http, base_url):
    r = http.get(f"{base_url}/health", timeout=10)
    return r.status_code, r.json()


def test_health_reports_every_dependency(http, base_url):
    status, body = health(http, base_url)
    assert status == 200, body
    assert body["status"] == "healthy", body
    assert body["version"]
    assert isinstance(body["uptime_s"], int)
    deps = body["dependencies"]
    assert set(deps) == {"elasticsearch", "mongodb", "redis"}
    for dep in deps.values():
        assert dep["status"] == "up"
        assert dep["latency_ms"] >= 0
    assert deps["elasticsearch"]["cluster_status"] in ("green", "yellow")
    assert deps["elasticsearch"]["version"].startswith(("8.", "2."))
    assert deps["redis"]["used_memory"] > 0


def test_redis_outage_is_reported_and_recovered(http, base_url, stack):
    stack.stop("redis")
    try:
        stopped_at = time.monotonic()
        status, body = health(http, base_url)
        seen_after = time.monotonic() - stopped_at
        # Reported on the first /health after the stop, well within 2 s.
        assert seen_after < 2.0
        assert status == 503
        assert body["status"] == "down"
        assert body["dependencies"]["redis"]["status"] == "down"
        assert body["dependencies"]["redis"]["error"]
        assert body["dependencies"]["elasticsearch"]["status"] == "up"
        # The server keeps answering the rest.
        assert http.get(f"{base_url}/api/v1/ping").status_code == 200
    finally:
        stack.start("redis")
    recovered = wait_for(lambda: health(http, base_url)[1]["status"] ==
                         "healthy", 15, interval=0.5)
    assert recovered, health(http, base_url)


def test_slow_dependency_never_stalls_the_event_loop(http, base_url,
                                                     stack_pids):
    """Redis frozen with SIGSTOP accepts connections but never answers, so
    the Redis check of /health runs into its whole timeout on a task
    thread. Meanwhile the only Kore worker keeps answering pings."""
    redis_pgid = stack_pids("redis")
    os.killpg(redis_pgid, signal.SIGSTOP)
    try:
        result = {}

        def slow_health():
            result["status"], result["body"] = health(http, base_url)
            result["done_at"] = time.monotonic()

        t = threading.Thread(target=slow_health)
        t.start()
        time.sleep(0.2)
        pings = []
        for _ in range(5):
            r = requests.get(f"{base_url}/api/v1/ping", timeout=5)
            pings.append((r.status_code, time.monotonic()))
        t.join(10)
    finally:
        os.killpg(redis_pgid, signal.SIGCONT)
    assert result["status"] == 503
    assert result["body"]["dependencies"]["redis"]["status"] == "down"
    assert result["body"]["dependencies"]["elasticsearch"]["status"] == "up"
    # Every ping was answered before the slow /health came back.
    assert all(code == 200 for code, _ in pings)
    assert all(at < result["done_at"] for _, at in pings)
    assert wait_for(lambda: health(http, base_url)[1]["status"] == "healthy",
                    20, interval=0.5)


def parse_metrics(text):
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


def test_metrics_count_requests_by_route_and_status(http, base_url):
    before = parse_metrics(http.get(f"{base_url}/metrics").text)
    for _ in range(7):
        http.get(f"{base_url}/api/v1/ping")
    http.get(f"{base_url}/api/v1/missing")
    r = http.get(f"{base_url}/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    after = parse_metrics(r.text)
    key = 'vigie_http_requests_total{route="ping",status="200"}'
    assert after[key] - before.get(key, 0) == 7
    key404 = 'vigie_http_requests_total{route="not_found",status="404"}'
    assert after[key404] - before.get(key404, 0) == 1
    inf = 'vigie_http_request_duration_seconds_bucket{route="ping",le="+Inf"}'
    count = 'vigie_http_request_duration_seconds_count{route="ping"}'
    assert after[inf] == after[count] >= 7
    assert "vigie_http_requests_in_flight" in after
    assert any(k.startswith("vigie_process_resident_memory_bytes")
               and v > 0 for k, v in after.items())
    assert re.search(r"# TYPE vigie_http_request_duration_seconds histogram",
                     r.text)
