"""API keys: shown once, stored hashed, scoped, revocable at once, for
admins and owners only, and invisible to other tenants."""
import base64
import hashlib
import json
import os
import re
import uuid

import pytest

from conftest import PASSWORD, Api, login

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PUBLIC = {"id", "name", "prefix", "scopes", "created_at", "revoked_at",
          "created_by"}
HOSTILE_IDS = ["..", "%2e%2e", "*", "x" * 300, "%00", "a%00b",
               "000000000000000000000000", "ZZZZZZZZZZZZZZZZZZZZZZZZ",
               "%2F%2F", "{\"$ne\":null}"]


@pytest.fixture(scope="module")
def db():
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"],
                                 serverSelectionTimeoutMS=5000)
    yield client[os.environ.get("VIGIE_MONGO_DB", "vigie_test")]
    client.close()


def create_key(api, name="ci", scopes=("read",)):
    return api.post("/api/v1/api-keys",
                    json={"name": name, "scopes": list(scopes)})


def key_api(t, key, scheme="ApiKey"):
    return Api(t["api"].base_url, f"{scheme} {key}")


def key_ids(api):
    r = api.get("/api/v1/api-keys")
    assert r.status_code == 200, r.text
    return [k["id"] for k in r.json()["api_keys"]]


def member(base_url, t, role):
    r = t["api"].post("/api/v1/users", json={
        "email": f"{role}-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com",
        "name": role.title(), "role": role, "password": PASSWORD})
    assert r.status_code == 201, r.text
    user = r.json()
    r = login(base_url, user["email"])
    assert r.status_code == 200, r.text
    return user, Api(base_url, f"Bearer {r.json()['access_token']}")


def error_code(r):
    return r.json()["error"]["code"]


# ---- create, show once, list ----------------------------------------------

def test_create_shows_the_key_once(new_tenant, db):
    t = new_tenant("key")
    tid = t["tenant"]["id"]
    r = create_key(t["api"], "shipper", ["ingest"])
    assert r.status_code == 201, r.text
    body = r.json()
    key = body.pop("key")
    assert set(body) == PUBLIC
    m = re.fullmatch(r"vgk_([0-9a-f]{24})_([A-Za-z0-9_-]{43})", key)
    assert m and m.group(1) == tid
    secret = m.group(2)
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert body["prefix"] == secret[:12]
    assert body["name"] == "shipper" and body["scopes"] == ["ingest"]
    assert body["created_by"] == t["user"]["id"]
    assert body["revoked_at"] is None and ISO.match(body["created_at"])
    assert r.headers["location"] == f"/api/v1/api-keys/{body['id']}"

    # Listed and shown without the key or its hash.
    listed = t["api"].get("/api/v1/api-keys")
    assert listed.status_code == 200
    assert listed.json()["api_keys"] == [body]
    assert secret not in listed.text and "hash" not in listed.text
    one = t["api"].get(f"/api/v1/api-keys/{body['id']}")
    assert one.status_code == 200 and one.json() == body
    assert secret not in one.text

    # Stored: only the SHA-256 of the whole key.
    stored = db.api_keys.find_one({"tenant_id": tid})
    assert stored["hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert secret not in json.dumps({k: v for k, v in stored.items()
                                     if k != "_id"})


def test_each_key_is_different(new_tenant):
    t = new_tenant("key")
    keys = {create_key(t["api"], f"k{i}").json()["key"] for i in range(5)}
    assert len(keys) == 5
    listed = t["api"].get("/api/v1/api-keys").json()["api_keys"]
    assert len(listed) == 5
    stamps = [k["created_at"] for k in listed]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("given,stored", [
    (["read"], ["read"]),
    (["ingest"], ["ingest"]),
    (["read", "ingest"], ["ingest", "read"]),
    (["read", "read"], ["read"]),
])
def test_scopes_are_normalized_and_shown(new_tenant, given, stored):
    t = new_tenant("key")
    r = create_key(t["api"], "k", given)
    assert r.status_code == 201, r.text
    assert r.json()["scopes"] == stored
    me = key_api(t, r.json()["key"]).get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["api_key"]["scopes"] == stored


# ---- authenticating with a key ---------------------------------------------

def test_key_authenticates_as_a_machine(new_tenant):
    t = new_tenant("key")
    r = create_key(t["api"], "reader", ["read"])
    created = r.json()
    for api in (key_api(t, created["key"]),
                key_api(t, base64.b64encode(
                    f"vigie:{created['key']}".encode()).decode(), "Basic")):
        me = api.get("/api/v1/me")
        assert me.status_code == 200, me.text
        body = me.json()
        assert body["kind"] == "api_key"
        assert body["tenant"]["id"] == t["tenant"]["id"]
        assert body["api_key"] == {"id": created["id"], "scopes": ["read"]}


def test_key_cannot_manage_people_or_keys(new_tenant):
    t = new_tenant("key")
    r = create_key(t["api"], "all", ["ingest", "read"])
    key = r.json()
    api = key_api(t, key["key"])
    for method, path, body in [
            ("GET", "/api/v1/api-keys", None),
            ("POST", "/api/v1/api-keys", {"name": "x", "scopes": ["read"]}),
            ("GET", f"/api/v1/api-keys/{key['id']}", None),
            ("PATCH", f"/api/v1/api-keys/{key['id']}", {"name": "x"}),
            ("DELETE", f"/api/v1/api-keys/{key['id']}", None),
            ("GET", "/api/v1/users", None)]:
        r = api(method, path, json=body)
        assert r.status_code == 401, (method, path, r.text)
        assert error_code(r) == "unauthenticated"
    assert key_ids(t["api"]) == [key["id"]]
    assert t["api"].get(
        f"/api/v1/api-keys/{key['id']}").json()["revoked_at"] is None


@pytest.mark.parametrize("mangle", [
    lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),
    lambda k: k[:-5],
    lambda k: k + "x",
    lambda k: k.replace("vgk_", "VGK_"),
    lambda k: "vgk_" + "0" * 24 + k[28:],
    lambda k: k[:28] + "-" + k[29:],
    lambda k: k[:4] + k[4:28].upper() + k[28:],
    lambda k: k.upper(),
    lambda k: k[29:],
    lambda k: "",
], ids=["last-char", "truncated", "extended", "scheme-case", "zero-tenant",
        "separator", "tenant-upper", "upper", "secret-only", "empty"])
def test_forged_keys_are_refused(new_tenant, mangle):
    t = new_tenant("key")
    key = create_key(t["api"]).json()["key"]
    r = key_api(t, mangle(key)).get("/api/v1/me")
    assert r.status_code == 401, r.text


def test_a_key_works_only_for_its_own_tenant(new_tenant):
    a, b = new_tenant("keya"), new_tenant("keyb")
    key_a = create_key(a["api"]).json()["key"]
    # A's secret under B's tenant id: the hash names no key of B.
    moved = f"vgk_{b['tenant']['id']}_{key_a[29:]}"
    r = key_api(b, moved).get("/api/v1/me")
    assert r.status_code == 401
    assert error_code(r) == "invalid_api_key"
    me = key_api(a, key_a).get("/api/v1/me").json()
    assert me["tenant"]["id"] == a["tenant"]["id"]


# ---- revocation -----------------------------------------------------------

def test_revoked_key_stops_at_once(new_tenant, redis):
    t = new_tenant("key")
    created = create_key(t["api"], "soon gone", ["read"]).json()
    api = key_api(t, created["key"])
    # Used once, so that it sits in the authentication cache.
    assert api.get("/api/v1/me").status_code == 200
    digest = hashlib.sha256(created["key"].encode()).hexdigest()
    cache = f"t:{t['tenant']['id']}:apikey:{digest}"
    assert redis.exists(cache)

    r = t["api"].delete(f"/api/v1/api-keys/{created['id']}")
    assert r.status_code == 200, r.text
    revoked = r.json()
    assert ISO.match(revoked["revoked_at"])
    assert revoked["id"] == created["id"] and "key" not in revoked
    # Forgotten: a tombstone replaces the cached key, so that no refill
    # racing with the revocation can bring it back.
    assert json.loads(redis.get(cache)) == {"_gone": True}

    r = api.get("/api/v1/me")
    assert r.status_code == 401, r.text
    assert error_code(r) == "invalid_api_key"
    # Still listed, as revoked; revoking again changes nothing.
    listed = t["api"].get("/api/v1/api-keys").json()["api_keys"]
    assert listed[0]["revoked_at"] == revoked["revoked_at"]
    again = t["api"].delete(f"/api/v1/api-keys/{created['id']}")
    assert again.status_code == 200
    assert again.json()["revoked_at"] == revoked["revoked_at"]
    assert api.get("/api/v1/me").status_code == 401


def test_revoking_one_key_leaves_the_others(new_tenant):
    t = new_tenant("key")
    one = create_key(t["api"], "one").json()
    two = create_key(t["api"], "two").json()
    assert t["api"].delete(
        f"/api/v1/api-keys/{one['id']}").status_code == 200
    assert key_api(t, one["key"]).get("/api/v1/me").status_code == 401
    assert key_api(t, two["key"]).get("/api/v1/me").status_code == 200


def test_rename_keeps_the_key_working(new_tenant):
    t = new_tenant("key")
    created = create_key(t["api"], "old name").json()
    r = t["api"].patch(f"/api/v1/api-keys/{created['id']}",
                       json={"name": "new name"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "new name"
    assert r.json()["scopes"] == created["scopes"]
    assert key_api(t, created["key"]).get("/api/v1/me").status_code == 200
    # Scopes are fixed at creation.
    r = t["api"].patch(f"/api/v1/api-keys/{created['id']}",
                       json={"scopes": ["ingest", "read"]})
    assert r.status_code == 422 and error_code(r) == "validation_failed"
    r = t["api"].patch(f"/api/v1/api-keys/{created['id']}", json={})
    assert r.status_code == 422


# ---- bad input ------------------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"scopes": ["read"]}, "name"),
    ({"name": "", "scopes": ["read"]}, "name"),
    ({"name": "   ", "scopes": ["read"]}, "name"),
    ({"name": "x" * 101, "scopes": ["read"]}, "name"),
    ({"name": "tab\there", "scopes": ["read"]}, "name"),
    ({"name": 7, "scopes": ["read"]}, "name"),
    ({"name": "k"}, "scopes"),
    ({"name": "k", "scopes": []}, "scopes"),
    ({"name": "k", "scopes": "read"}, "scopes"),
    ({"name": "k", "scopes": ["admin"]}, "scopes"),
    ({"name": "k", "scopes": ["READ"]}, "scopes"),
    ({"name": "k", "scopes": [1]}, "scopes"),
    ({"name": "k", "scopes": [""]}, "scopes"),
    ({"name": "k", "scopes": ["read", "ingest", "read"]}, "scopes"),
    ({"name": "k", "scopes": ["read"], "hash": "0" * 64}, "hash"),
    ({"name": "k", "scopes": ["read"], "key": "vgk_x"}, "key"),
    ({"name": "k", "scopes": ["read"], "revoked_at": None}, "revoked_at"),
])
def test_bad_key_input_creates_nothing(new_tenant, body, field):
    t = new_tenant("key")
    r = t["api"].post("/api/v1/api-keys", json=body)
    assert r.status_code == 422, r.text
    assert error_code(r) == "validation_failed"
    assert field in r.json()["error"]["message"]
    assert key_ids(t["api"]) == []


def test_malformed_key_bodies(new_tenant):
    t = new_tenant("key")
    r = t["api"].post("/api/v1/api-keys", data="{",
                      headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_json"
    r = t["api"].post("/api/v1/api-keys")
    assert r.status_code == 400 and error_code(r) == "invalid_body"
    r = t["api"]("PUT", "/api/v1/api-keys", json={})
    assert r.status_code == 405
    assert key_ids(t["api"]) == []


# ---- who may -----------------------------------------------------------------

def test_only_admins_and_owners_manage_keys(base_url, new_tenant):
    t = new_tenant("key")
    owner_key = create_key(t["api"], "owner's").json()
    admin, admin_api = member(base_url, t, "admin")
    analyst, analyst_api = member(base_url, t, "analyst")
    for api in (analyst_api,):
        for method, path, body in [
                ("GET", "/api/v1/api-keys", None),
                ("POST", "/api/v1/api-keys",
                 {"name": "x", "scopes": ["read"]}),
                ("GET", f"/api/v1/api-keys/{owner_key['id']}", None),
                ("PATCH", f"/api/v1/api-keys/{owner_key['id']}",
                 {"name": "x"}),
                ("DELETE", f"/api/v1/api-keys/{owner_key['id']}", None)]:
            r = api(method, path, json=body)
            assert r.status_code == 403, (method, path, r.text)
            assert error_code(r) == "forbidden"
    # Demoted to viewer: still nothing.
    t["api"].patch(f"/api/v1/users/{analyst['id']}", json={"role": "viewer"})
    assert analyst_api.get("/api/v1/api-keys").status_code == 403
    # An admin manages every key of the organization.
    r = create_key(admin_api, "admin's", ["ingest"])
    assert r.status_code == 201, r.text
    assert r.json()["created_by"] == admin["id"]
    assert len(key_ids(admin_api)) == 2
    r = admin_api.delete(f"/api/v1/api-keys/{owner_key['id']}")
    assert r.status_code == 200
    assert key_api(t, owner_key["key"]).get("/api/v1/me").status_code == 401


# ---- other tenants --------------------------------------------------------

def test_another_tenant_sees_nothing_and_revokes_nothing(new_tenant):
    a, b = new_tenant("keya"), new_tenant("keyb")
    key_a = create_key(a["api"], "A's key", ["ingest", "read"]).json()
    own_b = create_key(b["api"], "B's key").json()
    for method, body in [("GET", None), ("PATCH", {"name": "Pwned"}),
                         ("DELETE", None)]:
        r = b["api"](method, f"/api/v1/api-keys/{key_a['id']}", json=body)
        assert r.status_code == 404, (method, r.text)
        assert error_code(r) == "not_found"
    assert key_ids(b["api"]) == [own_b["id"]]
    # A's key is intact and still authenticates.
    got = a["api"].get(f"/api/v1/api-keys/{key_a['id']}").json()
    assert got["name"] == "A's key" and got["revoked_at"] is None
    assert key_api(a, key_a["key"]).get("/api/v1/me").status_code == 200
    # Missing and foreign ids answer alike.
    missing = b["api"].get("/api/v1/api-keys/" + "0" * 24)
    foreign = b["api"].get(f"/api/v1/api-keys/{key_a['id']}")
    assert missing.json() == foreign.json()


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_hostile_key_ids_find_nothing(new_tenant, bad, db):
    t = new_tenant("key")
    created = create_key(t["api"]).json()
    before = db.api_keys.count_documents({})
    for method in ("GET", "PATCH", "DELETE"):
        r = t["api"](method, f"/api/v1/api-keys/{bad}",
                     json={"name": "Hostile"} if method == "PATCH" else None)
        assert r.status_code == 404, (method, bad, r.status_code, r.text)
        assert error_code(r) == "not_found"
    assert db.api_keys.count_documents({}) == before
    assert key_api(t, created["key"]).get("/api/v1/me").status_code == 200
    assert t["api"].get(
        f"/api/v1/api-keys/{created['id']}").json()["name"] == "ci"


def test_key_changes_are_audited_without_the_key(new_tenant, db):
    t = new_tenant("key")
    created = create_key(t["api"], "audited").json()
    t["api"].patch(f"/api/v1/api-keys/{created['id']}", json={"name": "a2"})
    t["api"].delete(f"/api/v1/api-keys/{created['id']}")
    t["api"].delete(f"/api/v1/api-keys/{created['id']}")
    records = list(db.audit.find({"tenant_id": t["tenant"]["id"],
                                  "action": {"$regex": "^api_keys\\."}}))
    assert sorted(r["action"] for r in records) == [
        "api_keys.create", "api_keys.rename", "api_keys.revoke"]
    secret = created["key"][29:]
    digest = hashlib.sha256(created["key"].encode()).hexdigest()
    text = json.dumps([{k: v for k, v in r.items() if k != "_id"}
                       for r in records])
    assert secret not in text and digest not in text
    assert all(r["details"]["key_id"] == created["id"] for r in records)
