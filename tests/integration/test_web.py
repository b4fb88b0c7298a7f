"""The web application's pages (/app, /app/<name>) and what they read of
the configuration (GET /api/v1/web/config)."""
import requests

from conftest import Api


def test_web_config_needs_a_person(base_url, anon, new_tenant):
    r = anon.get("/api/v1/web/config")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    t = new_tenant("web")
    r = t["api"].post("/api/v1/api-keys", json={"name": "ci", "scopes": ["read"]})
    assert r.status_code == 201, r.text
    key = Api(base_url, f"ApiKey {r.json()['key']}")
    assert key.get("/api/v1/web/config").status_code in (401, 403)


def test_web_config_says_what_the_pages_need(new_tenant):
    t = new_tenant("web")
    r = t["api"].get("/api/v1/web/config")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"kibana_url", "upload_max_bytes"}
    # scripts/integration.sh sets no Kibana.
    assert body["kibana_url"] is None
    assert isinstance(body["upload_max_bytes"], int)
    assert body["upload_max_bytes"] > 0
    r = t["api"].post("/api/v1/web/config", json={})
    assert r.status_code == 405


def test_app_pages_come_from_their_files(base_url):
    for path, marker in (("/app", "pages/dashboard.js"),
                         ("/app/dashboard", "pages/dashboard.js"),
                         ("/app/upload", "pages/upload.js")):
        r = requests.get(base_url + path, timeout=10)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert marker in r.text, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "frame-src" not in csp, "only the Kibana page frames"
        assert r.headers["cache-control"] == "no-store"


def test_unknown_or_malformed_page_names_get_the_404_page(base_url):
    for path in ("/app/nope", "/app/Upload", "/app/..%2fkore.conf",
                 "/app/up.load", "/app/upload/", "/app/-"):
        r = requests.get(base_url + path, timeout=10)
        assert r.status_code == 404, path
        assert "server vigie" not in r.text
        assert "This page does not exist" in r.text, path
    r = requests.post(base_url + "/app/upload", data="x", timeout=10)
    assert r.status_code == 405


def test_node_modules_is_not_served(base_url):
    r = requests.get(base_url + "/assets/node_modules/bootstrap/package.json",
                     timeout=10)
    assert r.status_code == 404


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_configured_kibana_is_given_to_the_pages_and_framed_by_its_page_only(
        tmp_path, new_tenant):
    """A second server with VIGIE_KIBANA_URL set, on the same stores."""
    import os
    import signal
    import subprocess
    import time

    from conftest import ROOT

    port = _free_port()
    env = dict(os.environ)
    env.update({"VIGIE_PORT": str(port), "VIGIE_WORKERS": "1",
                "VIGIE_KIBANA_URL": "https://kibana.example.test:5601/app/home"})
    for part in ("kore.conf", "build", "assets", "tenants"):
        (tmp_path / part).symlink_to(ROOT / part)
    (tmp_path / "var/tmp").mkdir(parents=True)
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(["kore", "-c", "kore.conf", "-f", "-n", "-r"],
                            cwd=tmp_path, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/api/v1/ping", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        t = new_tenant("kib")
        r = requests.get(base + "/api/v1/web/config", timeout=10,
                         headers={"Authorization": f"Bearer {t['access']}"})
        assert r.status_code == 200, r.text
        assert r.json()["kibana_url"] == \
            "https://kibana.example.test:5601/app/home"
        csp = requests.get(base + "/app/kibana", timeout=10) \
            .headers["content-security-policy"]
        assert csp.endswith("; frame-src https://kibana.example.test:5601")
        csp = requests.get(base + "/app/search", timeout=10) \
            .headers["content-security-policy"]
        assert "frame-src" not in csp
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_the_kibana_page_without_kibana_frames_nothing(base_url):
    r = requests.get(base_url + "/app/kibana", timeout=10)
    assert r.status_code == 200
    assert "pages/kibana.js" in r.text
    assert "frame-src" not in r.headers["content-security-policy"]
