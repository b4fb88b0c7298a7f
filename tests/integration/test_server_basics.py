"""The server's basics over HTTP: ping, errors, pages, logs, settings."""
import os
import subprocess
import time
import uuid
from pathlib import Path

from conftest import ROOT, log_lines, wait_for

# VIGIE_BUILD_DIR: the build folder under test (build-cov for make coverage).
BUILD = ROOT / os.environ.get("VIGIE_BUILD_DIR", "build")


def test_ping_answers_json(http, base_url):
    r = http.get(f"{base_url}/api/v1/ping")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"status": "ok"}


def test_unknown_api_route_is_json_404(http, base_url):
    r = http.get(f"{base_url}/api/v1/does-not-exist")
    assert r.status_code == 404
    body = r.json()
    assert body["error"]["code"] == "not_found"
    assert "/api/v1/does-not-exist" in body["error"]["message"]


def test_unknown_page_is_html_404(http, base_url):
    r = http.get(f"{base_url}/no/such/page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text.lower()


def test_wrong_method_is_json_405(http, base_url):
    r = http.post(f"{base_url}/api/v1/ping", data="x")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_home_page_and_assets_are_served(http, base_url):
    r = http.get(f"{base_url}/")
    assert r.status_code == 200
    assert "Vigie" in r.text
    r = http.get(f"{base_url}/assets/404.html")
    assert r.status_code == 200


def test_traceparent_sets_the_trace_id_of_log_lines(http, base_url):
    trace_id = uuid.uuid4().hex
    header = f"00-{trace_id}-00f067aa0ba902b7-01"
    r = http.get(f"{base_url}/api/v1/nothing-here",
                 headers={"traceparent": header})
    assert r.status_code == 404
    assert r.headers["x-trace-id"] == trace_id

    log = os.environ["VIGIE_TEST_SERVER_LOG"]
    line = wait_for(lambda: next((l for l in log_lines(log)
                                  if l.get("trace_id") == trace_id), None), 5)
    assert line is not None, "no log line carries the request's trace id"
    for field in ("timestamp", "level", "logger", "message", "context"):
        assert field in line
    assert line["context"]["status"] == 404
    assert line["context"]["path"] == "/api/v1/nothing-here"


def test_invalid_traceparent_gets_a_fresh_trace(http, base_url):
    r = http.get(f"{base_url}/api/v1/nothing-here",
                 headers={"traceparent": "00-" + "0" * 32 + "-" + "1" * 16 + "-01"})
    trace_id = r.headers["x-trace-id"]
    assert len(trace_id) == 32 and trace_id != "0" * 32


def test_every_log_line_is_structured_json():
    for path in (os.environ["VIGIE_TEST_SERVER_LOG"],
                 os.environ["VIGIE_TEST_WORKER_LOG"]):
        lines = log_lines(path)
        assert lines, f"{path} has no JSON log line"
        for line in lines:
            assert {"timestamp", "level", "logger", "message", "context",
                    "trace_id"} <= set(line)


def test_env_example_documents_every_setting():
    out = subprocess.run([BUILD / "vigie-worker", "--settings"],
                         check=True, capture_output=True, text=True).stdout
    settings = {l.split("=", 1)[0] for l in out.splitlines()
                if l.startswith("VIGIE_")}
    example = (ROOT / ".env.example").read_text()
    documented = {l.split("=", 1)[0].lstrip("# ").strip()
                  for l in example.splitlines() if "VIGIE_" in l and "=" in l}
    missing = settings - documented
    assert not missing, f".env.example lacks {sorted(missing)}"


def _start_server_with(tmp_path, env_overrides):
    env = dict(os.environ)
    env.update(env_overrides)
    for part in ("kore.conf", "assets", "tenants"):
        (tmp_path / part).symlink_to(ROOT / part)
    (tmp_path / "build").symlink_to(BUILD)
    (tmp_path / "var/tmp").mkdir(parents=True)
    return subprocess.run(["kore", "-c", "kore.conf", "-f", "-n", "-r"],
                          cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=20)


def test_server_refuses_a_short_jwt_secret(tmp_path):
    proc = _start_server_with(tmp_path, {"VIGIE_JWT_SECRET": "too-short",
                                         "VIGIE_PORT": "18999"})
    assert proc.returncode != 0
    assert "VIGIE_JWT_SECRET must be 32" in proc.stderr + proc.stdout


def test_server_refuses_a_missing_jwt_secret(tmp_path):
    env = {"VIGIE_PORT": "18999"}
    os_env_secret = os.environ.pop("VIGIE_JWT_SECRET")
    try:
        proc = _start_server_with(tmp_path, env)
    finally:
        os.environ["VIGIE_JWT_SECRET"] = os_env_secret
    assert proc.returncode != 0
    assert "VIGIE_JWT_SECRET is required" in proc.stderr + proc.stdout


def test_server_refuses_out_of_bounds_settings(tmp_path):
    proc = _start_server_with(tmp_path, {"VIGIE_PORT": "0"})
    assert proc.returncode != 0
    assert "VIGIE_PORT must be an integer from 1 to 65535" in proc.stderr


def test_assets_refuse_traversal_and_hidden_files(base_url):
    import http.client
    from urllib.parse import urlparse
    url = urlparse(base_url)
    for path in ("/assets/../kore.conf", "/assets/%2e%2e/kore.conf",
                 "/assets/.hidden.css", "/assets/css//shell.css",
                 "/assets/", "/assets/css/vigie.conf"):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status == 404, path
        assert b"server vigie" not in body, path
    r = requests_get(f"{base_url}/assets/css/shell.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    assert r.headers["x-content-type-options"] == "nosniff"


def requests_get(url):
    import requests
    return requests.get(url, timeout=5)


def test_a_body_on_get_cannot_smuggle_a_second_request(base_url):
    """Kore ignores Content-Length on GET: the server closes the
    connection after answering, so the bytes after the headers are never
    taken for a request of their own."""
    import socket
    from urllib.parse import urlparse
    url = urlparse(base_url)
    smuggled = b"GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = (b"GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n"
           b"Content-Length: %d\r\n\r\n" % len(smuggled)) + smuggled
    with socket.create_connection((url.hostname, url.port), timeout=5) as s:
        s.sendall(raw)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 ") == 1, data
    assert b"connection: close" in data.lower()
