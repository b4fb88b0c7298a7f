"""Sign-up, login, tokens: the happy paths, the rules, and the attacks."""
import base64
import hashlib
import hmac
import json
import os
import threading
import time
import uuid

import pytest
import requests

from conftest import PASSWORD, Api, login, random_ip

SECRET = os.environ.get("VIGIE_JWT_SECRET", "").encode()


def signup(base_url, **over):
    slug = over.pop("slug", f"acc-{uuid.uuid4().hex[:10]}")
    body = {"organization_name": "Acme Inc", "slug": slug,
            "email": f"owner@{slug}.example.com", "name": "Owner",
            "password": PASSWORD}
    body.update(over)
    return requests.post(f"{base_url}/api/v1/signup", json=body, timeout=30)


# ---- sign-up -------------------------------------------------------------

def test_signup_creates_tenant_owner_template_and_namespace(base_url, redis):
    r = signup(base_url)
    assert r.status_code == 201, r.text
    body = r.json()
    tid = body["tenant"]["id"]
    assert body["tenant"]["status"] == "active"
    assert body["user"]["role"] == "owner"
    assert "password" not in json.dumps(body)
    # Its Redis namespace exists under t:<id>:
    assert redis.exists(f"t:{tid}:meta")
    # Its index template exists in Elasticsearch, for logs-<slug>-*.
    es = os.environ["VIGIE_ES_URL"]
    t = requests.get(f"{es}/_index_template/vigie-t-{tid}", timeout=10).json()
    tpl = t["index_templates"][0]["index_template"]
    assert tpl["index_patterns"] == [f"logs-{body['tenant']['slug']}-*"]
    assert f"vigie-t-{tid}" in tpl["template"]["aliases"]


def test_signup_slug_and_email_are_unique(base_url):
    r = signup(base_url)
    assert r.status_code == 201
    slug = r.json()["tenant"]["slug"]
    again = signup(base_url, slug=slug, email=f"other@{uuid.uuid4().hex}.io")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "slug_taken"
    email = r.json()["user"]["email"]
    again = signup(base_url, email=email.upper())
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "email_taken"


@pytest.mark.parametrize("slug", [
    "..", "*", "_all", "a,b", "has space", "UPPER", "a" * 101, "ab\u0000cd",
    "-lead", "trail-", "ab", "double--dash", "admin", "api", "logs",
    "caf\u00e9", "a/b", "a.b", "\u0430cme",
])
def test_hostile_slugs_are_refused_and_create_nothing(base_url, redis, slug):
    email = f"owner-{uuid.uuid4().hex}@example.com"
    r = signup(base_url, slug=slug, email=email)
    # A NUL cannot even be part of a JSON string here (400 invalid_json).
    assert r.status_code in (400, 422), (slug, r.text)
    assert r.json()["error"]["code"] in ("validation_failed", "invalid_json")
    # Nothing was created: the e-mail is still free.
    ok = signup(base_url, email=email)
    assert ok.status_code == 201


@pytest.mark.parametrize("field,value", [
    ("password", "short"),
    ("password", "x" * 2000),
    ("email", "not-an-email"),
    ("email", "a@b"),
    ("organization_name", ""),
    ("organization_name", "x" * 101),
    ("name", "   "),
    ("name", "bad\u0007bell"),
])
def test_signup_field_rules(base_url, field, value):
    r = signup(base_url, **{field: value})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "validation_failed"
    assert field in err["message"]


def test_signup_password_equal_to_email_refused(base_url):
    slug = f"acc-{uuid.uuid4().hex[:10]}"
    email = f"{slug}-long-enough@example.com"
    r = signup(base_url, slug=slug, email=email, password=email)
    assert r.status_code == 422
    assert "password" in r.json()["error"]["message"]


def test_signup_refuses_unknown_fields_and_bad_json(base_url):
    r = signup(base_url, plan="enterprise")
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "plan"
    r = requests.post(f"{base_url}/api/v1/signup", data='{"slug": ',
                      timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"
    r = requests.post(f"{base_url}/api/v1/signup",
                      data='{"slug":"a","slug":"b"}', timeout=10)
    assert r.status_code == 400
    r = requests.post(f"{base_url}/api/v1/signup", data="x" * 70000,
                      timeout=10)
    assert r.status_code == 413


# ---- login and tokens ---------------------------------------------------

def test_login_returns_tokens_and_me_works(base_url, new_tenant):
    t = new_tenant("login")
    me = t["api"].get("/api/v1/me")
    assert me.status_code == 200
    body = me.json()
    assert body["tenant"]["id"] == t["tenant"]["id"]
    assert body["user"]["role"] == "owner"
    claims = json.loads(base64.urlsafe_b64decode(
        t["access"].split(".")[1] + "=="))
    for claim in ("iss", "aud", "sub", "tid", "role", "iat", "nbf", "exp",
                  "jti"):
        assert claim in claims
    assert claims["exp"] - claims["iat"] == 900


def test_login_wrong_password_and_unknown_email(base_url, new_tenant):
    t = new_tenant("badpw")
    r = login(base_url, t["email"], "wrong password here")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"
    r = login(base_url, "nobody-" + uuid.uuid4().hex + "@example.com")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"


def test_password_is_stored_with_argon2id(base_url, new_tenant):
    from pymongo import MongoClient
    t = new_tenant("argon")
    client = MongoClient(os.environ["VIGIE_MONGO_URI"])
    user = client[os.environ["VIGIE_MONGO_DB"]].users.find_one(
        {"email": t["email"]})
    assert user["password"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert user["tenant_id"] == t["tenant"]["id"]


def test_refresh_rotates_and_reuse_revokes_the_family(base_url, new_tenant):
    t = new_tenant("refresh")
    r1 = requests.post(f"{base_url}/api/v1/auth/refresh",
                       json={"refresh_token": t["refresh"]}, timeout=10)
    assert r1.status_code == 200, r1.text
    second = r1.json()["refresh_token"]
    assert second != t["refresh"]
    assert Api(base_url, "Bearer " + r1.json()["access_token"]).get(
        "/api/v1/me").status_code == 200
    # The first token, presented again: reuse. The family dies...
    r2 = requests.post(f"{base_url}/api/v1/auth/refresh",
                       json={"refresh_token": t["refresh"]}, timeout=10)
    assert r2.status_code == 401
    assert r2.json()["error"]["code"] == "refresh_token_reused"
    # ...including the token that was legitimately rotated in.
    r3 = requests.post(f"{base_url}/api/v1/auth/refresh",
                       json={"refresh_token": second}, timeout=10)
    assert r3.status_code == 401


def test_refresh_token_garbage_is_refused(base_url, new_tenant):
    t = new_tenant("rgarb")
    tid = t["tenant"]["id"]
    flipped = t["refresh"][:-1] + ("B" if t["refresh"][-1] == "A" else "A")
    for token in ("", "vrt_", "x" * 150, flipped,
                  f"vrt_{tid}_{'0' * 32}_{'A' * 43}",
                  t["refresh"].replace(tid, "0" * 24)):
        r = requests.post(f"{base_url}/api/v1/auth/refresh",
                          json={"refresh_token": token}, timeout=10)
        assert r.status_code in (401, 422), (token, r.text)


def test_logout_revokes_the_access_token_and_refresh_family(base_url,
                                                            new_tenant):
    t = new_tenant("logout")
    r = t["api"].post("/api/v1/auth/logout",
                      json={"refresh_token": t["refresh"]})
    assert r.status_code == 200, r.text
    me = t["api"].get("/api/v1/me")
    assert me.status_code == 401
    assert me.json()["error"]["code"] == "token_revoked"
    r = requests.post(f"{base_url}/api/v1/auth/refresh",
                      json={"refresh_token": t["refresh"]}, timeout=10)
    assert r.status_code == 401


# ---- rate limits --------------------------------------------------------

def _concurrent(n, fn):
    results = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    return results


def test_50_concurrent_attempts_on_one_account_admit_exactly_10(base_url):
    r = signup(base_url)
    assert r.status_code == 201
    email = r.json()["user"]["email"]
    codes = _concurrent(50, lambda i: login(
        base_url, email, "wrong password " + str(i)).status_code)
    assert codes.count(401) == 10, codes
    assert codes.count(429) == 40, codes
    # Even the right password waits now.
    r = login(base_url, email)
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 60


def test_50_concurrent_attempts_from_one_address_admit_exactly_30(base_url):
    ip = random_ip()
    codes = _concurrent(50, lambda i: login(
        base_url, f"nobody-{uuid.uuid4().hex}@example.com",
        client_ip=ip).status_code)
    assert codes.count(401) == 30, codes
    assert codes.count(429) == 20, codes


# ---- tokens that must be refused ------------------------------------------

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header, claims, secret=SECRET, signature=None):
    h = b64(json.dumps(header).encode())
    p = b64(json.dumps(claims).encode())
    if signature is None:
        signature = b64(hmac.new(secret, f"{h}.{p}".encode(),
                                 hashlib.sha256).digest())
    return f"{h}.{p}.{signature}"


def good_claims(t, **over):
    now = int(time.time())
    c = {"iss": "vigie", "aud": "vigie-api", "sub": t["user"]["id"],
         "tid": t["tenant"]["id"], "role": "owner", "iat": now, "nbf": now,
         "exp": now + 600, "jti": uuid.uuid4().hex}
    c.update(over)
    return c


@pytest.fixture(scope="module")
def victim(new_tenant):
    return new_tenant("victim")


def test_a_correctly_forged_token_with_the_secret_is_accepted(base_url,
                                                              victim):
    """Control: the forging helper itself makes valid tokens, so the
    refusals below are about the one thing each test changes."""
    token = forge({"alg": "HS256", "typ": "JWT"}, good_claims(victim))
    r = Api(base_url, "Bearer " + token).get("/api/v1/me")
    assert r.status_code == 200, r.text


def _bad_tokens(t, other):
    now = int(time.time())
    hs = {"alg": "HS256", "typ": "JWT"}
    good = forge(hs, good_claims(t))
    h, p, s = good.split(".")
    yield "alg none", forge({"alg": "none"}, good_claims(t), signature="")
    yield "alg None", forge({"alg": "None"}, good_claims(t), signature="")
    yield "alg HS384", forge({"alg": "HS384"}, good_claims(t))
    yield "alg RS256", forge({"alg": "RS256"}, good_claims(t))
    yield "no alg", forge({"typ": "JWT"}, good_claims(t))
    yield "stripped signature", f"{h}.{p}."
    yield "two parts", f"{h}.{p}"
    yield "altered signature", f"{h}.{p}.{s[:-2]}{'A' if s[-2] != 'A' else 'B'}{s[-1]}"
    yield "other secret", forge(hs, good_claims(t), secret=b"x" * 40)
    yield "altered tid", f"{h}.{b64(json.dumps(good_claims(t, tid=other['tenant']['id'])).encode())}.{s}"
    yield "altered role", f"{h}.{b64(json.dumps(good_claims(t, role='owner', sub=t['user']['id'], jti='x')).encode())}.{s}"
    yield "expired", forge(hs, good_claims(t, exp=now - 3600, iat=now - 7200, nbf=now - 7200))
    yield "future nbf", forge(hs, good_claims(t, nbf=now + 3600))
    yield "wrong iss", forge(hs, good_claims(t, iss="evil"))
    yield "wrong aud", forge(hs, good_claims(t, aud="vigie-admin"))
    yield "unknown tenant", forge(hs, good_claims(t, tid="0" * 24))
    yield "user of another tenant", forge(hs, good_claims(t, sub=other["user"]["id"]))
    yield "bad base64", "@@@.###.$$$"
    yield "header not json", f"{b64(b'not json')}.{p}.{s}"
    yield "oversized", "a" * 5000 + "." + p + "." + s
    yield "empty", ""
    yield "role superuser", forge(hs, good_claims(t, role="superuser"))
    yield "exp as string", forge(hs, good_claims(t, exp=str(now + 600)))


def test_hostile_tokens_are_refused(base_url, victim, new_tenant):
    other = new_tenant("other")
    names = []
    for name, token in _bad_tokens(victim, other):
        r = Api(base_url, "Bearer " + token).get("/api/v1/me")
        assert r.status_code == 401, (name, r.status_code, r.text)
        assert r.json()["error"]["code"] in (
            "invalid_token", "token_expired", "unauthenticated"), name
        names.append(name)
    assert len(names) >= 23


def test_missing_or_unknown_authorization(base_url):
    assert requests.get(f"{base_url}/api/v1/me",
                        timeout=10).status_code == 401
    for header in ("Token abc", "Bearer", "Basic !!!", "ApiKey nope"):
        r = requests.get(f"{base_url}/api/v1/me",
                         headers={"Authorization": header}, timeout=10)
        assert r.status_code == 401, header
