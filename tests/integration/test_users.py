"""Users of an organization: the happy paths, the role and owner rules,
the plan's quota, immediate effect on live tokens, and other tenants."""
import json
import os
import re
import uuid

import pytest

from conftest import PASSWORD, Api, login

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PUBLIC = {"id", "email", "name", "role", "status", "created_at"}
HOSTILE_IDS = ["..", "%2e%2e", "*", "x" * 300, "%00", "a%00b",
               "000000000000000000000000", "ZZZZZZZZZZZZZZZZZZZZZZZZ",
               "%2F%2F", "{\"$ne\":null}", "id"]


@pytest.fixture(scope="module")
def db():
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient(os.environ["VIGIE_MONGO_URI"],
                                 serverSelectionTimeoutMS=5000)
    yield client[os.environ.get("VIGIE_MONGO_DB", "vigie_test")]
    client.close()


def email_for(t, who="user"):
    return f"{who}-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com"


def add_user(api, t, role="analyst", **over):
    body = {"email": email_for(t, role), "name": f"A {role}",
            "role": role, "password": PASSWORD}
    body.update(over)
    return api.post("/api/v1/users", json=body)


def session_of(base_url, email):
    """An Api logged in as email, and its tokens."""
    r = login(base_url, email)
    assert r.status_code == 200, r.text
    tokens = r.json()
    return Api(base_url, f"Bearer {tokens['access_token']}"), tokens


def member(base_url, t, role):
    """Adds a user with role to tenant t; returns (user, Api of theirs)."""
    r = add_user(t["api"], t, role)
    assert r.status_code == 201, r.text
    user = r.json()
    api, _ = session_of(base_url, user["email"])
    return user, api


def user_ids(api):
    r = api.get("/api/v1/users")
    assert r.status_code == 200, r.text
    return [u["id"] for u in r.json()["users"]]


def error_code(r):
    return r.json()["error"]["code"]


# ---- happy paths ---------------------------------------------------------

def test_list_shows_the_owner_without_secrets(new_tenant):
    t = new_tenant("usr")
    r = t["api"].get("/api/v1/users")
    assert r.status_code == 200, r.text
    users = r.json()["users"]
    assert len(users) == 1
    owner = users[0]
    assert set(owner) == PUBLIC
    assert owner["id"] == t["user"]["id"]
    assert owner["email"] == t["email"]
    assert owner["role"] == "owner"
    assert owner["status"] == "active"
    assert ISO.match(owner["created_at"])
    assert "argon2" not in r.text and "password" not in r.text


def test_create_get_and_login_as_the_new_user(base_url, new_tenant):
    t = new_tenant("usr")
    email = email_for(t)
    r = add_user(t["api"], t, "analyst", email=email, name="Ada Analyst")
    assert r.status_code == 201, r.text
    user = r.json()
    assert set(user) == PUBLIC
    assert user["email"] == email and user["name"] == "Ada Analyst"
    assert user["role"] == "analyst" and user["status"] == "active"
    assert ISO.match(user["created_at"])
    assert r.headers["location"] == f"/api/v1/users/{user['id']}"
    assert "password" not in r.text

    got = t["api"].get(f"/api/v1/users/{user['id']}")
    assert got.status_code == 200, got.text
    assert got.json() == user
    assert user["id"] in user_ids(t["api"])

    api, tokens = session_of(base_url, email)
    me = api.get("/api/v1/me").json()
    assert me["kind"] == "user"
    assert me["user"]["id"] == user["id"]
    assert me["user"]["role"] == "analyst"
    assert me["tenant"]["id"] == t["tenant"]["id"]
    assert tokens["user"]["role"] == "analyst"


def test_email_is_stored_lower_case_and_unique_platform_wide(new_tenant):
    a, b = new_tenant("usr"), new_tenant("usr")
    email = email_for(a)
    r = add_user(a["api"], a, email=email.upper())
    assert r.status_code == 201, r.text
    assert r.json()["email"] == email
    again = add_user(a["api"], a, email=email)
    assert again.status_code == 409
    assert error_code(again) == "email_taken"
    # Taken in another organization too, whatever the case.
    other = add_user(b["api"], b, email=email.title())
    assert other.status_code == 409
    assert error_code(other) == "email_taken"
    owner = add_user(b["api"], b, email=a["email"])
    assert owner.status_code == 409
    assert error_code(owner) == "email_taken"
    assert len(user_ids(b["api"])) == 1


@pytest.mark.parametrize("over,field", [
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"email": None}, "email"),
    ({"role": "superuser"}, "role"),
    ({"role": "Owner"}, "role"),
    ({"role": ""}, "role"),
    ({"role": 3}, "role"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "bad\u0001name"}, "name"),
    ({"password": "short"}, "password"),
    ({"password": "p" * 2000}, "password"),
    ({"is_admin": True}, "is_admin"),
    ({"tenant_id": "000000000000000000000000"}, "tenant_id"),
])
def test_bad_user_input_is_refused(new_tenant, over, field):
    t = new_tenant("usr")
    r = add_user(t["api"], t, **over)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "validation_failed"
    assert field in err["message"]
    assert len(user_ids(t["api"])) == 1


def test_password_policy_applies(new_tenant):
    t = new_tenant("usr")
    email = email_for(t)
    for password in (email, email.upper(), email.split("@")[0],
                     "short pass"):
        r = add_user(t["api"], t, email=email, password=password)
        assert r.status_code == 422, (password, r.text)
        assert error_code(r) == "validation_failed"
        assert "password" in r.json()["error"]["message"]
    assert len(user_ids(t["api"])) == 1


def test_malformed_bodies(new_tenant):
    t = new_tenant("usr")
    api = t["api"]
    r = api.post("/api/v1/users", data="{not json",
                 headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_json"
    r = api.post("/api/v1/users")
    assert r.status_code == 400 and error_code(r) == "invalid_body"
    r = api.post("/api/v1/users", json=[{"email": email_for(t)}])
    assert r.status_code == 422 and error_code(r) == "validation_failed"
    dup = ('{"email":"%s","email":"%s","name":"N","role":"viewer",'
           '"password":"%s"}' % (email_for(t), email_for(t), PASSWORD))
    r = api.post("/api/v1/users", data=dup,
                 headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_json"
    assert len(user_ids(api)) == 1


def test_methods_and_authentication(base_url, anon, new_tenant):
    t = new_tenant("usr")
    r = t["api"]("PUT", "/api/v1/users", json={})
    assert r.status_code == 405
    r = t["api"].post(f"/api/v1/users/{t['user']['id']}", json={})
    assert r.status_code == 405
    for method, path in [("GET", "/api/v1/users"),
                         ("POST", "/api/v1/users"),
                         ("GET", f"/api/v1/users/{t['user']['id']}"),
                         ("PATCH", f"/api/v1/users/{t['user']['id']}"),
                         ("DELETE", f"/api/v1/users/{t['user']['id']}")]:
        body = {"name": "x"} if method in ("POST", "PATCH") else None
        r = anon(method, path, json=body)
        assert r.status_code == 401, (method, path, r.status_code)
        assert error_code(r) == "unauthenticated"
        bad = Api(base_url, "Bearer not.a.token")
        assert bad(method, path, json=body).status_code == 401


# ---- roles ----------------------------------------------------------------

def test_viewer_and_analyst_can_read_but_not_manage(base_url, new_tenant):
    t = new_tenant("usr")
    viewer, vapi = member(base_url, t, "viewer")
    analyst, aapi = member(base_url, t, "analyst")
    for api in (vapi, aapi):
        assert len(user_ids(api)) == 3
        assert api.get(f"/api/v1/users/{t['user']['id']}").status_code == 200
        r = add_user(api, t, "viewer")
        assert r.status_code == 403, r.text
        assert error_code(r) == "forbidden"
        r = api.patch(f"/api/v1/users/{viewer['id']}",
                      json={"role": "admin"})
        assert r.status_code == 403 and error_code(r) == "forbidden"
        r = api.delete(f"/api/v1/users/{analyst['id']}")
        assert r.status_code == 403 and error_code(r) == "forbidden"
    # Nobody was promoted or removed.
    assert t["api"].get(
        f"/api/v1/users/{viewer['id']}").json()["role"] == "viewer"
    assert len(user_ids(t["api"])) == 3


def test_admin_manages_but_cannot_make_or_touch_owners(base_url, new_tenant):
    t = new_tenant("usr")
    admin, api = member(base_url, t, "admin")
    owner_id = t["user"]["id"]
    # An admin cannot create an owner...
    r = add_user(api, t, "owner")
    assert r.status_code == 403 and error_code(r) == "forbidden"
    # ...but can create others,
    r = add_user(api, t, "analyst")
    assert r.status_code == 201, r.text
    analyst = r.json()
    # change them (not into owners),
    r = api.patch(f"/api/v1/users/{analyst['id']}", json={"role": "viewer"})
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    r = api.patch(f"/api/v1/users/{analyst['id']}", json={"role": "owner"})
    assert r.status_code == 403 and error_code(r) == "forbidden"
    r = api.patch(f"/api/v1/users/{admin['id']}", json={"role": "owner"})
    assert r.status_code == 403 and error_code(r) == "forbidden"
    # and cannot change or remove an owner.
    for body in ({"role": "viewer"}, {"name": "Renamed"}):
        r = api.patch(f"/api/v1/users/{owner_id}", json=body)
        assert r.status_code == 403 and error_code(r) == "forbidden"
    r = api.delete(f"/api/v1/users/{owner_id}")
    assert r.status_code == 403 and error_code(r) == "forbidden"
    owner = t["api"].get(f"/api/v1/users/{owner_id}").json()
    assert owner["role"] == "owner" and owner["name"] == "Owner"
    # Removing a non-owner is fine for an admin.
    r = api.delete(f"/api/v1/users/{analyst['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == analyst["id"]


def test_owner_creates_and_promotes_owners(new_tenant):
    t = new_tenant("usr")
    r = add_user(t["api"], t, "owner")
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "owner"
    r = add_user(t["api"], t, "viewer")
    viewer = r.json()
    r = t["api"].patch(f"/api/v1/users/{viewer['id']}",
                       json={"role": "owner", "name": "Vi Owner"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "owner" and r.json()["name"] == "Vi Owner"


# ---- last owner -----------------------------------------------------------

def test_last_owner_can_be_neither_demoted_nor_removed(new_tenant):
    t = new_tenant("usr")
    me = t["user"]["id"]
    for role in ("admin", "analyst", "viewer"):
        r = t["api"].patch(f"/api/v1/users/{me}", json={"role": role})
        assert r.status_code == 409, r.text
        assert error_code(r) == "last_owner"
    r = t["api"].delete(f"/api/v1/users/{me}")
    assert r.status_code == 409 and error_code(r) == "last_owner"
    # A rename is not a demotion; "owner" to "owner" neither.
    r = t["api"].patch(f"/api/v1/users/{me}",
                       json={"name": "Still Owner", "role": "owner"})
    assert r.status_code == 200, r.text
    me_now = t["api"].get("/api/v1/me").json()["user"]
    assert me_now["role"] == "owner"


def test_one_of_two_owners_may_go(base_url, new_tenant):
    t = new_tenant("usr")
    second, api2 = member(base_url, t, "owner")
    first = t["user"]["id"]
    # The first owner demotes the second: fine, one owner is left...
    r = t["api"].patch(f"/api/v1/users/{second['id']}",
                       json={"role": "admin"})
    assert r.status_code == 200, r.text
    # ...and the demoted one can no longer touch the owner.
    r = api2.delete(f"/api/v1/users/{first}")
    assert r.status_code == 403
    # Promoted again, the second owner removes the first...
    r = t["api"].patch(f"/api/v1/users/{second['id']}",
                       json={"role": "owner"})
    assert r.status_code == 200
    r = api2.delete(f"/api/v1/users/{first}")
    assert r.status_code == 200, r.text
    # ...and is now the last one: cannot leave.
    r = api2.delete(f"/api/v1/users/{second['id']}")
    assert r.status_code == 409 and error_code(r) == "last_owner"
    r = api2.patch(f"/api/v1/users/{second['id']}", json={"role": "admin"})
    assert r.status_code == 409 and error_code(r) == "last_owner"
    users = api2.get("/api/v1/users").json()["users"]
    assert [u["role"] for u in users] == ["owner"]


def test_owner_may_step_down_when_another_owner_remains(base_url, new_tenant):
    t = new_tenant("usr")
    second, api2 = member(base_url, t, "owner")
    r = t["api"].patch(f"/api/v1/users/{t['user']['id']}",
                       json={"role": "viewer"})
    assert r.status_code == 200, r.text
    # At once: the former owner is a viewer now.
    me = t["api"].get("/api/v1/me").json()
    assert me["user"]["role"] == "viewer"
    assert add_user(t["api"], t, "viewer").status_code == 403
    r = api2.delete(f"/api/v1/users/{second['id']}")
    assert r.status_code == 409 and error_code(r) == "last_owner"


# ---- changes apply at once ------------------------------------------------

def test_removed_user_is_refused_at_once(base_url, new_tenant, redis):
    t = new_tenant("usr")
    user, api = member(base_url, t, "analyst")
    _, tokens = session_of(base_url, user["email"])
    # A request first, so that the user is in the authentication cache.
    assert api.get("/api/v1/me").status_code == 200
    assert redis.exists(f"t:{t['tenant']['id']}:user:{user['id']}")
    r = t["api"].delete(f"/api/v1/users/{user['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == user["id"]
    # The cached user is replaced by a tombstone (see session_cache_forget).
    assert json.loads(redis.get(f"t:{t['tenant']['id']}:user:{user['id']}")) \
        == {"_gone": True}
    # Their access token, their refresh token and their password: refused.
    r = api.get("/api/v1/me")
    assert r.status_code == 401, r.text
    assert error_code(r) == "invalid_token"
    r = Api(base_url).post("/api/v1/auth/refresh",
                           json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    assert login(base_url, user["email"]).status_code == 401
    # Gone from the list; a second removal finds nothing.
    assert user["id"] not in user_ids(t["api"])
    r = t["api"].delete(f"/api/v1/users/{user['id']}")
    assert r.status_code == 404 and error_code(r) == "not_found"
    r = t["api"].get(f"/api/v1/users/{user['id']}")
    assert r.status_code == 404
    # The e-mail is free again.
    assert add_user(t["api"], t, email=user["email"]).status_code == 201


def test_role_change_applies_at_once(base_url, new_tenant):
    t = new_tenant("usr")
    user, api = member(base_url, t, "viewer")
    assert api.get("/api/v1/me").json()["user"]["role"] == "viewer"
    assert api.get("/api/v1/api-keys").status_code == 403
    r = t["api"].patch(f"/api/v1/users/{user['id']}", json={"role": "admin"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "admin"
    # Same token, new role.
    assert api.get("/api/v1/me").json()["user"]["role"] == "admin"
    assert api.get("/api/v1/api-keys").status_code == 200
    r = t["api"].patch(f"/api/v1/users/{user['id']}",
                       json={"role": "analyst"})
    assert r.status_code == 200
    assert api.get("/api/v1/me").json()["user"]["role"] == "analyst"
    assert api.get("/api/v1/api-keys").status_code == 403


@pytest.mark.parametrize("body,field", [
    ({}, ""),
    ({"role": "root"}, "role"),
    ({"name": ""}, "name"),
    ({"name": None, "role": None}, ""),
    ({"email": "new@example.com"}, "email"),
    ({"password": PASSWORD + "x"}, "password"),
    ({"status": "disabled"}, "status"),
])
def test_bad_patches_change_nothing(new_tenant, body, field):
    t = new_tenant("usr")
    r = add_user(t["api"], t, "analyst")
    user = r.json()
    r = t["api"].patch(f"/api/v1/users/{user['id']}", json=body)
    assert r.status_code == 422, r.text
    assert error_code(r) == "validation_failed"
    assert field in r.json()["error"]["message"]
    assert t["api"].get(f"/api/v1/users/{user['id']}").json() == user


# ---- quota ----------------------------------------------------------------

def test_free_plan_allows_three_users(base_url, new_tenant):
    t = new_tenant("usr")
    assert t["tenant"]["plan"] == "free"
    for role in ("admin", "viewer"):
        assert add_user(t["api"], t, role).status_code == 201
    email = email_for(t)
    r = add_user(t["api"], t, "viewer", email=email)
    assert r.status_code == 403, r.text
    err = r.json()["error"]
    assert err["code"] == "quota_exceeded"
    assert err["details"] == {"limit": "users", "usage": 3, "max": 3,
                              "resets_at": None}
    assert (err["limit"], err["usage"], err["max"]) == ("users", 3, 3)
    assert len(user_ids(t["api"])) == 3
    assert login(base_url, email).status_code == 401
    # Room again after a removal.
    victim = [u for u in t["api"].get("/api/v1/users").json()["users"]
              if u["role"] == "viewer"][0]
    assert t["api"].delete(
        f"/api/v1/users/{victim['id']}").status_code == 200
    r = add_user(t["api"], t, "viewer", email=email)
    assert r.status_code == 201, r.text


def test_quota_holds_under_concurrent_creations(new_tenant):
    from concurrent.futures import ThreadPoolExecutor
    t = new_tenant("usr")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: add_user(t["api"], t, "viewer"),
                                range(6)))
    codes = sorted(r.status_code for r in results)
    assert set(codes) <= {201, 403}, [r.text for r in results]
    assert codes.count(201) <= 2
    assert len(user_ids(t["api"])) == 1 + codes.count(201) <= 3


# ---- other tenants --------------------------------------------------------

def test_another_tenant_sees_nothing_and_changes_nothing(base_url,
                                                          new_tenant):
    a, b = new_tenant("usra"), new_tenant("usrb")
    r = add_user(a["api"], a, "analyst", name="A's analyst")
    assert r.status_code == 201
    victim = r.json()
    for uid in (victim["id"], a["user"]["id"]):
        r = b["api"].get(f"/api/v1/users/{uid}")
        assert r.status_code == 404 and error_code(r) == "not_found"
        r = b["api"].patch(f"/api/v1/users/{uid}",
                           json={"role": "viewer", "name": "Pwned"})
        assert r.status_code == 404 and error_code(r) == "not_found"
        r = b["api"].delete(f"/api/v1/users/{uid}")
        assert r.status_code == 404 and error_code(r) == "not_found"
    ids = user_ids(b["api"])
    assert ids == [b["user"]["id"]]
    # A's users are untouched and still work.
    assert a["api"].get(f"/api/v1/users/{victim['id']}").json() == victim
    assert a["api"].get("/api/v1/me").json()["user"]["role"] == "owner"
    assert sorted(user_ids(a["api"])) == sorted([a["user"]["id"],
                                                 victim["id"]])


def test_a_missing_id_and_another_tenants_id_answer_alike(new_tenant):
    a, b = new_tenant("usra"), new_tenant("usrb")
    missing = b["api"].get("/api/v1/users/" + "0" * 24)
    foreign = b["api"].get(f"/api/v1/users/{a['user']['id']}")
    assert missing.status_code == foreign.status_code == 404
    assert missing.json()["error"]["code"] == foreign.json()["error"]["code"]
    assert (missing.json()["error"]["message"]
            == foreign.json()["error"]["message"])


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_hostile_ids_find_nothing(new_tenant, bad, db):
    t = new_tenant("usr")
    before = db.users.count_documents({})
    for method in ("GET", "PATCH", "DELETE"):
        r = t["api"](method, f"/api/v1/users/{bad}",
                     json={"name": "Hostile"} if method == "PATCH" else None)
        assert r.status_code == 404, (method, bad, r.status_code, r.text)
        assert error_code(r) == "not_found"
    assert db.users.count_documents({}) == before
    assert t["api"].get("/api/v1/me").json()["user"]["role"] == "owner"
    owner = t["api"].get(f"/api/v1/users/{t['user']['id']}").json()
    assert owner["name"] == "Owner"


def test_api_keys_cannot_manage_users(new_tenant):
    t = new_tenant("usr")
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": "ci", "scopes": ["ingest", "read"]})
    assert r.status_code == 201, r.text
    key = Api(t["api"].base_url, f"ApiKey {r.json()['key']}")
    assert key.get("/api/v1/me").status_code == 200
    assert key.get("/api/v1/users").status_code == 401
    assert add_user(key, t, "viewer").status_code == 401
    assert key.delete(
        f"/api/v1/users/{t['user']['id']}").status_code == 401
    assert len(user_ids(t["api"])) == 1


# ---- audit trail ----------------------------------------------------------

def test_changes_are_audited_without_secrets(base_url, new_tenant, db):
    t = new_tenant("usr")
    r = add_user(t["api"], t, "viewer")
    user = r.json()
    t["api"].patch(f"/api/v1/users/{user['id']}", json={"role": "analyst"})
    t["api"].delete(f"/api/v1/users/{user['id']}")
    records = list(db.audit.find({"tenant_id": t["tenant"]["id"],
                                  "action": {"$regex": "^users\\."}}))
    actions = sorted(rec["action"] for rec in records)
    assert actions == ["users.create", "users.remove", "users.update"]
    for rec in records:
        assert rec["actor"] == t["user"]["id"]
        assert rec["details"]["user_id"] == user["id"]
    update = [rec for rec in records if rec["action"] == "users.update"][0]
    assert update["details"]["before"]["role"] == "viewer"
    assert update["details"]["after"]["role"] == "analyst"
    text = json.dumps([{k: v for k, v in rec.items() if k != "_id"}
                       for rec in records])
    assert "argon2" not in text and PASSWORD not in text
    # What the store holds: a hash, never the password.
    db_user = db.users.find_one({"email": t["email"]})
    assert db_user["password"].startswith("$argon2id$")
