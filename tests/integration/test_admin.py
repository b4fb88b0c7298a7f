"""Platform administration: the admin API over organizations and its
console page. Suspension must stop every credential of a tenant at once
and reactivation restore them at once."""
import hashlib
import os
import re
import secrets
import uuid
from urllib.parse import quote

import pytest
import requests

from conftest import ADMIN_EMAIL, Api, admin_login, login, random_ip

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TENANTS = "/api/v1/admin/tenants"


@pytest.fixture(scope="module")
def mongo():
    """The test database, to plant records the API cannot make yet."""
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"],
                                 serverSelectionTimeoutMS=5000)
    yield client[os.environ.get("VIGIE_MONGO_DB", "vigie_test")]
    client.close()


@pytest.fixture(scope="module")
def tenant(new_tenant):
    """One organization for the tests that must leave it unchanged."""
    return new_tenant("adm")


def plant_api_key(mongo, tenant_id):
    """An API key of the tenant, stored as the server stores one (only
    the SHA-256 of the whole key); returns the key."""
    key = f"vgk_{tenant_id}_{secrets.token_urlsafe(30)}"
    mongo.api_keys.insert_one({
        "tenant_id": tenant_id, "name": "planted by test_admin",
        "hash": hashlib.sha256(key.encode()).hexdigest(),
        "scopes": ["read"], "created_at": "2026-01-01T00:00:00Z"})
    return key


def find(admin, slug):
    r = admin["api"].get(TENANTS, params={"q": slug})
    assert r.status_code == 200, r.text
    items = [t for t in r.json()["items"] if t["slug"] == slug]
    assert len(items) == 1, r.json()
    return items[0]


def refresh(base_url, token):
    return requests.post(f"{base_url}/api/v1/auth/refresh",
                         json={"refresh_token": token}, timeout=30)


def error_code(r):
    return r.json()["error"]["code"]


# ---- login -------------------------------------------------------------------

def test_admin_login_good_and_bad_password(base_url, admin):
    r = admin_login(base_url)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["access_token"]
    assert body["admin"]["email"] == ADMIN_EMAIL
    assert "password" not in r.text

    r = admin_login(base_url, password="not-the-admin-password")
    assert r.status_code == 401
    assert error_code(r) == "invalid_credentials"
    r = admin_login(base_url, email="nobody@vigie.test")
    assert r.status_code == 401
    assert error_code(r) == "invalid_credentials"


def test_a_tenant_owner_cannot_log_in_as_admin(base_url, new_tenant):
    t = new_tenant("adm")
    r = admin_login(base_url, email=t["email"],
                    password="correct horse battery staple")
    assert r.status_code == 401
    assert error_code(r) == "invalid_credentials"


# ---- who may call what -------------------------------------------------------

def test_tenant_credentials_are_refused_on_admin_endpoints(
        base_url, new_tenant, mongo):
    t = new_tenant("adm")
    tid = t["tenant"]["id"]
    key = plant_api_key(mongo, tid)
    for api in (t["api"], Api(base_url, f"ApiKey {key}"),
                Api(base_url, "Bearer not-a-token"), Api(base_url)):
        for method, path, body in (
                ("GET", TENANTS, None),
                ("GET", f"{TENANTS}/{tid}", None),
                ("PATCH", f"{TENANTS}/{tid}", {"plan": "pro"}),
                ("POST", f"{TENANTS}/{tid}/suspend", None),
                ("POST", f"{TENANTS}/{tid}/reactivate", None)):
            r = api(method, path, json=body)
            assert r.status_code == 401, (method, path, r.text)
            assert error_code(r) in ("invalid_token", "unauthenticated")
    # Nothing changed.
    assert t["api"].get("/api/v1/me").json()["tenant"]["plan"] == "free"


def test_admin_token_is_refused_on_tenant_endpoints(admin):
    r = admin["api"].get("/api/v1/me")
    assert r.status_code == 401
    assert error_code(r) == "invalid_token"
    r = admin["api"].post("/api/v1/auth/logout", json={})
    assert r.status_code == 401


# ---- listing -----------------------------------------------------------------

def test_list_shows_a_new_tenant_with_its_counts(admin, new_tenant):
    t = new_tenant("adm")
    item = find(admin, t["slug"])
    assert item == {
        "id": t["tenant"]["id"], "name": f"Org {t['slug']}",
        "slug": t["slug"], "plan": "free", "status": "active",
        "created_at": item["created_at"], "user_count": 1,
        "api_key_count": 0}
    assert ISO.match(item["created_at"])

    body = admin["api"].get(TENANTS).json()
    assert body["page"] == 1 and body["size"] == 50
    assert body["total"] >= 1
    assert set(body["plans"]) >= {"free", "pro", "enterprise"}
    assert "password" not in str(body)


def test_list_counts_api_keys_not_revoked(admin, new_tenant, mongo):
    t = new_tenant("adm")
    plant_api_key(mongo, t["tenant"]["id"])
    revoked = plant_api_key(mongo, t["tenant"]["id"])
    mongo.api_keys.update_one(
        {"hash": hashlib.sha256(revoked.encode()).hexdigest()},
        {"$set": {"revoked_at": "2026-01-02T00:00:00Z"}})
    assert find(admin, t["slug"])["api_key_count"] == 1


def test_list_pages_newest_first_and_filters(admin, new_tenant):
    prefix = f"pg{uuid.uuid4().hex[:6]}"
    made = [new_tenant(prefix) for _ in range(3)]
    api = admin["api"]

    r = api.get(TENANTS, params={"q": prefix, "size": 2})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["total"] == 3 and first["size"] == 2
    assert len(first["items"]) == 2
    second = api.get(TENANTS, params={"q": prefix, "size": 2,
                                      "page": 2}).json()
    assert len(second["items"]) == 1 and second["page"] == 2
    slugs = [i["slug"] for i in first["items"] + second["items"]]
    assert sorted(slugs) == sorted(m["slug"] for m in made)
    stamps = [i["created_at"] for i in first["items"] + second["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert api.get(TENANTS, params={"q": prefix, "page": 3,
                                    "size": 2}).json()["items"] == []

    # q matches the name too, whatever the case.
    r = api.get(TENANTS, params={"q": f"ORG {prefix.upper()}"})
    assert r.json()["total"] == 3

    # status filters.
    victim = made[0]["tenant"]["id"]
    assert api.post(f"{TENANTS}/{victim}/suspend").status_code == 200
    sus = api.get(TENANTS, params={"q": prefix, "status": "suspended"}).json()
    assert [i["id"] for i in sus["items"]] == [victim] and sus["total"] == 1
    act = api.get(TENANTS, params={"q": prefix, "status": "active"}).json()
    assert act["total"] == 2 and victim not in [i["id"] for i in act["items"]]
    assert api.post(f"{TENANTS}/{victim}/reactivate").status_code == 200


@pytest.mark.parametrize("q", [".*", ".", "^", "(", "[", "\\", "a|b", "$ne",
                               "{\"$gt\":\"\"}", "(?i)org", "[a-z]+", "*",
                               "org-.*", "' or 1=1 --"])
def test_list_q_is_plain_text_never_a_pattern(admin, tenant, q):
    r = admin["api"].get(TENANTS, params={"q": q})
    assert r.status_code == 200, r.text
    for item in r.json()["items"]:
        assert (q.lower() in item["slug"].lower()
                or q.lower() in item["name"].lower()), (q, item)


def test_list_q_with_punctuation_matches_literally(admin, new_tenant):
    t = new_tenant("adm")
    # The slug has a hyphen and digits; a dot would match any character
    # if q were a pattern.
    r = admin["api"].get(TENANTS, params={"q": t["slug"].replace("-", ".")})
    assert r.status_code == 200
    assert t["slug"] not in [i["slug"] for i in r.json()["items"]]


@pytest.mark.parametrize("params,field", [
    ({"status": "deleted"}, "status"),
    ({"status": ""}, "status"),
    ({"size": "0"}, "size"),
    ({"size": "201"}, "size"),
    ({"size": "-1"}, "size"),
    ({"size": "ten"}, "size"),
    ({"page": "0"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"page": "100001"}, "page"),
    ({"page": "99999999999999999999"}, "page"),
    ({"q": "x" * 101}, "q"),
    ({"q": "a\x01b"}, "q"),
    ({"sort": "slug"}, "sort"),
    ({"status": ["active", "suspended"]}, "status"),
])
def test_list_bad_query_is_refused(admin, params, field):
    r = admin["api"].get(TENANTS, params=params)
    assert r.status_code == 422, r.text
    assert error_code(r) == "validation_failed"
    assert r.json()["error"]["details"]["field"] == field


# ---- one organization --------------------------------------------------------

def test_get_one_with_its_plan_limits(admin, new_tenant):
    t = new_tenant("adm")
    r = admin["api"].get(f"{TENANTS}/{t['tenant']['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == t["tenant"]["id"] and body["slug"] == t["slug"]
    assert body["status"] == "active" and body["user_count"] == 1
    assert body["plan"] == "free" and body["plan_display_name"] == "Free"
    assert body["limits"] == {
        "users": 3, "storage_gb": 1, "ingest_gb_per_day": 0.5,
        "ingest_docs_per_day": 500000, "api_requests_per_day": 10000,
        "retention_days": 7}


HOSTILE_IDS = ["000000000000000000000000", "ffffffffffffffffffffffff",
               "abc", "..", "%2e%2e%2fusers", "%24where", "null",
               quote('{"$ne":null}', safe=""), "' or 1=1 --",
               "0" * 200, "%00", "a" * 24 + "%0a"]


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_unknown_and_hostile_ids_answer_404(admin, bad):
    api = admin["api"]
    for method, path, body in (
            ("GET", f"{TENANTS}/{bad}", None),
            ("PATCH", f"{TENANTS}/{bad}", {"plan": "pro"}),
            ("POST", f"{TENANTS}/{bad}/suspend", None),
            ("POST", f"{TENANTS}/{bad}/reactivate", None)):
        r = api(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
        assert error_code(r) == "not_found"


def test_an_id_in_another_spelling_is_not_found(admin, tenant):
    tid = tenant["tenant"]["id"]
    for bad in (tid.upper(), tid + "0", tid[:-1], f" {tid}"):
        r = admin["api"].get(f"{TENANTS}/{quote(bad)}")
        assert r.status_code == 404, (bad, r.text)


# ---- suspension --------------------------------------------------------------

def test_suspend_stops_every_credential_at_once_and_reactivate_restores(
        base_url, admin, new_tenant, redis, mongo):
    t = new_tenant("adm")
    other = new_tenant("adm")
    tid = t["tenant"]["id"]
    key = Api(base_url, f"ApiKey {plant_api_key(mongo, tid)}")
    assert t["api"].get("/api/v1/me").status_code == 200
    assert key.get("/api/v1/me").status_code == 200

    r = admin["api"].post(f"{TENANTS}/{tid}/suspend")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended" and r.json()["id"] == tid
    assert '"status":"suspended"' in redis.get(f"t:{tid}:meta").replace(
        " ", "")

    # The access token, the API key, login and refresh: all refused now.
    for r in (t["api"].get("/api/v1/me"), key.get("/api/v1/me"),
              login(base_url, t["email"]), refresh(base_url, t["refresh"])):
        assert r.status_code == 403, r.text
        assert error_code(r) == "tenant_suspended"
    # Another organization is untouched.
    assert other["api"].get("/api/v1/me").status_code == 200
    assert find(admin, other["slug"])["status"] == "active"
    assert find(admin, t["slug"])["status"] == "suspended"

    r = admin["api"].post(f"{TENANTS}/{tid}/reactivate")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"
    assert t["api"].get("/api/v1/me").status_code == 200
    assert key.get("/api/v1/me").status_code == 200
    assert login(base_url, t["email"]).status_code == 200
    r = refresh(base_url, t["refresh"])
    assert r.status_code == 200, r.text
    assert find(admin, t["slug"])["status"] == "active"


def test_suspension_survives_a_lost_cache(base_url, admin, new_tenant, redis):
    """MongoDB holds the truth: with the cached status gone, the
    authenticator reloads it and still refuses."""
    t = new_tenant("adm")
    tid = t["tenant"]["id"]
    assert admin["api"].post(f"{TENANTS}/{tid}/suspend").status_code == 200
    redis.delete(f"t:{tid}:meta")
    r = t["api"].get("/api/v1/me")
    assert r.status_code == 403 and error_code(r) == "tenant_suspended"
    assert admin["api"].post(f"{TENANTS}/{tid}/reactivate").status_code == 200
    assert t["api"].get("/api/v1/me").status_code == 200


def test_suspend_twice_is_harmless(admin, new_tenant):
    t = new_tenant("adm")
    tid = t["tenant"]["id"]
    for _ in range(2):
        r = admin["api"].post(f"{TENANTS}/{tid}/suspend")
        assert r.status_code == 200 and r.json()["status"] == "suspended"
    for _ in range(2):
        r = admin["api"].post(f"{TENANTS}/{tid}/reactivate")
        assert r.status_code == 200 and r.json()["status"] == "active"
    assert t["api"].get("/api/v1/me").status_code == 200


def test_changes_are_audited_in_the_tenant_naming_the_admin(
        admin, new_tenant, mongo):
    t = new_tenant("adm")
    tid = t["tenant"]["id"]
    api = admin["api"]
    assert api.post(f"{TENANTS}/{tid}/suspend").status_code == 200
    assert api.post(f"{TENANTS}/{tid}/reactivate").status_code == 200
    assert api.patch(f"{TENANTS}/{tid}", json={"plan": "pro"}).status_code \
        == 200
    records = list(mongo.audit.find({"tenant_id": tid}).sort("_id", 1))
    actions = [r["action"] for r in records]
    assert actions == ["admin.tenant.suspend", "admin.tenant.reactivate",
                       "admin.tenant.plan"], actions
    for rec in records:
        assert rec["actor_kind"] == "platform_admin"
        assert rec["actor_email"] == ADMIN_EMAIL
        assert ISO.match(rec["at"])
    assert records[0]["details"] == {"from": {"status": "active"},
                                     "to": {"status": "suspended"}}
    assert records[2]["details"] == {"from": {"plan": "free"},
                                     "to": {"plan": "pro"}}


def test_a_tenant_being_created_cannot_be_suspended(admin, mongo):
    slug = f"prov-{uuid.uuid4().hex[:10]}"
    tid = str(mongo.tenants.insert_one({
        "name": "Half made", "slug": slug, "plan": "free",
        "status": "provisioning",
        "created_at": "2026-01-01T00:00:00Z"}).inserted_id)
    try:
        for action in ("suspend", "reactivate"):
            r = admin["api"].post(f"{TENANTS}/{tid}/{action}")
            assert r.status_code == 409, r.text
            assert error_code(r) == "tenant_provisioning"
        r = admin["api"].get(TENANTS, params={"q": slug,
                                              "status": "provisioning"})
        assert [i["id"] for i in r.json()["items"]] == [tid]
    finally:
        mongo.tenants.delete_one({"slug": slug})


def test_action_refuses_a_body_with_fields(admin, tenant):
    tid = tenant["tenant"]["id"]
    r = admin["api"].post(f"{TENANTS}/{tid}/suspend",
                          json={"status": "active"})
    assert r.status_code == 422
    assert error_code(r) == "validation_failed"
    r = admin["api"].get(f"{TENANTS}/{tid}")
    assert r.json()["status"] == "active"


# ---- plans -------------------------------------------------------------------

def test_plan_change_is_visible_at_once(admin, new_tenant):
    t = new_tenant("adm")
    tid = t["tenant"]["id"]
    r = admin["api"].patch(f"{TENANTS}/{tid}", json={"plan": "pro"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["plan"] == "pro" and body["plan_display_name"] == "Pro"
    assert body["limits"]["users"] == 25
    assert t["api"].get("/api/v1/me").json()["tenant"]["plan"] == "pro"
    assert find(admin, t["slug"])["plan"] == "pro"
    assert admin["api"].get(f"{TENANTS}/{tid}").json()["plan"] == "pro"

    # A suspended tenant changes plan and stays suspended.
    assert admin["api"].post(f"{TENANTS}/{tid}/suspend").status_code == 200
    r = admin["api"].patch(f"{TENANTS}/{tid}", json={"plan": "enterprise"})
    assert r.status_code == 200
    assert r.json()["status"] == "suspended"
    assert t["api"].get("/api/v1/me").status_code == 403
    assert admin["api"].post(f"{TENANTS}/{tid}/reactivate").status_code == 200
    assert t["api"].get("/api/v1/me").json()["tenant"]["plan"] == \
        "enterprise"


@pytest.mark.parametrize("body,status,code", [
    ({"plan": "platinum"}, 422, "validation_failed"),
    ({"plan": "Pro"}, 422, "validation_failed"),
    ({"plan": ""}, 422, "validation_failed"),
    ({"plan": "x" * 30}, 422, "validation_failed"),
    ({"plan": 2}, 422, "validation_failed"),
    ({"plan": None}, 422, "validation_failed"),
    ({"plan": "pro", "status": "active"}, 422, "validation_failed"),
    ({"status": "suspended"}, 422, "validation_failed"),
    ({}, 422, "validation_failed"),
    ([], 422, "validation_failed"),
    (None, 400, "invalid_body"),
])
def test_bad_plan_change_is_refused(admin, tenant, body, status, code):
    tid = tenant["tenant"]["id"]
    r = admin["api"].patch(f"{TENANTS}/{tid}", json=body)
    assert r.status_code == status, r.text
    assert error_code(r) == code
    assert admin["api"].get(f"{TENANTS}/{tid}").json()["plan"] == "free"


def test_bad_json_is_refused(admin, tenant):
    tid = tenant["tenant"]["id"]
    r = admin["api"].patch(f"{TENANTS}/{tid}", data="{plan: pro",
                           headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_json"


def test_wrong_methods_answer_405(admin, tenant):
    tid = tenant["tenant"]["id"]
    api = admin["api"]
    for method, path in (("POST", TENANTS), ("DELETE", TENANTS),
                         ("DELETE", f"{TENANTS}/{tid}"),
                         ("PUT", f"{TENANTS}/{tid}"),
                         ("GET", f"{TENANTS}/{tid}/suspend"),
                         ("PATCH", f"{TENANTS}/{tid}/reactivate")):
        r = api(method, path)
        assert r.status_code == 405, (method, path, r.status_code)


def test_unknown_action_is_not_a_route(admin, tenant):
    tid = tenant["tenant"]["id"]
    r = admin["api"].post(f"{TENANTS}/{tid}/delete")
    assert r.status_code == 404
    assert error_code(r) == "not_found"


# ---- the console -------------------------------------------------------------

def test_console_page_is_served(base_url):
    r = requests.get(f"{base_url}/admin", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/assets/js/admin.js" in r.text
    assert "/assets/vendor/bootstrap.min.css" in r.text
    assert "/assets/css/shell.css" in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    # No third-party origin: every script and stylesheet is our own.
    assert not re.search(r'(src|href)="(https?:)?//', r.text)
    for asset in ("/assets/js/admin.js", "/assets/css/admin.css"):
        a = requests.get(base_url + asset, timeout=10)
        assert a.status_code == 200, asset
    assert requests.post(f"{base_url}/admin", timeout=10).status_code == 405
