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
