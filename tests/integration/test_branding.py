"""Branding: display name, colours, billing address, logo (PNG/JPEG,
checked by their bytes) and custom domain; who may change them; the
public branding of a login page by Host; and no tenant sees or changes
another's."""
import io
import os
import uuid

import pytest
from PIL import Image

from conftest import PASSWORD, Api, login

DEFAULTS = {"primary_color": "#0b5fff", "accent_color": "#00a88f"}


def member(base_url, t, role):
    r = t["api"].post("/api/v1/users", json={
        "email": f"{role}-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com",
        "name": role.title(), "role": role, "password": PASSWORD})
    assert r.status_code == 201, r.text
    r = login(base_url, r.json()["email"])
    assert r.status_code == 200, r.text
    return Api(base_url, f"Bearer {r.json()['access_token']}")


def image_bytes(fmt, size=(120, 40), color=(200, 30, 60)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def put_logo(api, data, ctype="application/octet-stream"):
    return api("PUT", "/api/v1/branding/logo", data=data,
               headers={"Content-Type": ctype})


def error_code(r):
    return r.json()["error"]["code"]


# ---- display name and colours ------------------------------------------------

def test_defaults_until_set(new_tenant):
    t = new_tenant("brand")
    r = t["api"].get("/api/v1/branding")
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["display_name"] == f"Org {t['slug']}"
    assert b["primary_color"] == DEFAULTS["primary_color"]
    assert b["accent_color"] == DEFAULTS["accent_color"]
    assert b["logo_url"] is None and b["custom_domain"] is None


def test_set_and_read_back(new_tenant, db):
    t = new_tenant("brand")
    r = t["api"]("PUT", "/api/v1/branding", json={
        "display_name": "Acme Monitoring", "primary_color": "#FF8800",
        "accent_color": "#123abc",
        "billing_address": "12 rue de la Paix\n75002 Paris"})
    assert r.status_code == 200, r.text
    b = t["api"].get("/api/v1/branding").json()
    assert b["display_name"] == "Acme Monitoring"
    assert b["primary_color"] == "#ff8800"
    assert b["accent_color"] == "#123abc"
    assert b["billing_address"] == "12 rue de la Paix\n75002 Paris"
    # A partial change keeps the rest; "" goes back to the default.
    r = t["api"]("PUT", "/api/v1/branding", json={"primary_color": ""})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["primary_color"] == DEFAULTS["primary_color"]
    assert b["display_name"] == "Acme Monitoring"
    doc = db.branding.find_one({"tenant_id": t["tenant"]["id"]})
    assert doc["display_name"] == "Acme Monitoring"
    assert db.branding.count_documents(
        {"tenant_id": t["tenant"]["id"]}) == 1


@pytest.mark.parametrize("body,field", [
    ({"primary_color": "red"}, "primary_color"),
    ({"primary_color": "#12345"}, "primary_color"),
    ({"accent_color": "#1234567"}, "accent_color"),
    ({"accent_color": "#12345g"}, "accent_color"),
    ({"display_name": "a\u0001b"}, "display_name"),
    ({"display_name": "x" * 101}, "display_name"),
    ({"display_name": 12}, "display_name"),
    ({"custom_domain": "localhost"}, "custom_domain"),
    ({"custom_domain": "10.0.0.1"}, "custom_domain"),
    ({"custom_domain": "logs.example.com:8080"}, "custom_domain"),
    ({"custom_domain": "-x.example.com"}, "custom_domain"),
    ({"custom_domain": "a_b.example.com"}, "custom_domain"),
    ({"colour": "#ffffff"}, "colour"),
])
def test_bad_input_is_refused(new_tenant, body, field):
    t = new_tenant("brand")
    r = t["api"]("PUT", "/api/v1/branding", json=body)
    assert r.status_code == 422, r.text
    assert error_code(r) == "validation_failed"
    assert r.json()["error"]["details"]["field"] == field
    b = t["api"].get("/api/v1/branding").json()
    assert b["primary_color"] == DEFAULTS["primary_color"]


def test_bad_bodies(new_tenant):
    t = new_tenant("brand")
    r = t["api"]("PUT", "/api/v1/branding", data=b"{nope",
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_json"
    r = t["api"]("PUT", "/api/v1/branding")
    assert r.status_code == 400 and error_code(r) == "invalid_body"
    r = t["api"]("PUT", "/api/v1/branding", json={
        "billing_address": "a\u0007b"})
    assert r.status_code == 422


def test_roles(base_url, new_tenant):
    t = new_tenant("brand")
    # The free plan has room for two more members: a viewer and an admin
    # (analysts lack the permission as viewers do: tests/unit/test_perm.c).
    viewer = member(base_url, t, "viewer")
    admin = member(base_url, t, "admin")
    assert viewer.get("/api/v1/branding").status_code == 200
    for who in (viewer,):
        r = who("PUT", "/api/v1/branding", json={"display_name": "Nope"})
        assert r.status_code == 403 and error_code(r) == "forbidden"
        assert put_logo(who, image_bytes("PNG")).status_code == 403
        assert who.delete("/api/v1/branding/logo").status_code == 403
    r = admin("PUT", "/api/v1/branding", json={"display_name": "By admin"})
    assert r.status_code == 200, r.text
    assert viewer.get("/api/v1/branding").json()["display_name"] == \
        "By admin"
    assert Api(base_url).get("/api/v1/branding").status_code == 401


# ---- logo ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt,ctype", [("PNG", "image/png"),
                                       ("JPEG", "image/jpeg")])
def test_logo_round_trip(new_tenant, base_url, fmt, ctype):
    t = new_tenant("logo")
    data = image_bytes(fmt, (300, 90))
    # The type comes from the bytes, not from what the client says.
    r = put_logo(t["api"], data, "text/html")
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["content_type"] == ctype
    assert (info["width"], info["height"]) == (300, 90)
    assert info["size"] == len(data)
    assert t["api"].get("/api/v1/branding").json()["logo_url"] == \
        "/api/v1/branding/logo"
    viewer = member(base_url, t, "viewer")
    r = viewer.get("/api/v1/branding/logo")
    assert r.status_code == 200
    assert r.content == data
    assert r.headers["content-type"] == ctype
    assert r.headers["x-content-type-options"] == "nosniff"
    r = t["api"].delete("/api/v1/branding/logo")
    assert r.status_code == 204, r.text
    assert t["api"].get("/api/v1/branding/logo").status_code == 404
    assert t["api"].get("/api/v1/branding").json()["logo_url"] is None


def test_logo_replaced_keeps_one_copy(new_tenant, db):
    t = new_tenant("logo")
    assert put_logo(t["api"], image_bytes("PNG")).status_code == 200
    second = image_bytes("JPEG", (64, 64))
    assert put_logo(t["api"], second).status_code == 200
    assert t["api"].get("/api/v1/branding/logo").content == second
    assert db.branding_logos.count_documents(
        {"tenant_id": t["tenant"]["id"]}) == 1


def gif():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize("name,make,status", [
    ("gif", gif, 415),
    ("svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg">'
     b'<script>alert(1)</script></svg>', 415),
    ("html", lambda: b"<html><script>alert(1)</script></html>", 415),
    ("text", lambda: b"hello", 415),
    ("truncated png", lambda: image_bytes("PNG")[:60], 422),
    ("png without IEND", lambda: image_bytes("PNG")[:-12], 422),
    ("png with bad crc", lambda: (lambda d: d[:29] + bytes([d[29] ^ 1]) +
                                  d[30:])(image_bytes("PNG")), 422),
    ("too wide png", lambda: image_bytes("PNG", (2049, 4)), 422),
    ("too tall jpeg", lambda: image_bytes("JPEG", (4, 3000)), 422),
])
def test_bad_logos_refused(new_tenant, name, make, status):
    t = new_tenant("logo")
    r = put_logo(t["api"], make(), "image/png")
    assert r.status_code == status, (name, r.text)
    assert r.json()["error"]["code"] in ("unsupported_media_type",
                                         "validation_failed")
    assert t["api"].get("/api/v1/branding/logo").status_code == 404


def test_logo_size_limits(new_tenant):
    t = new_tenant("logo")
    big = image_bytes("PNG")
    big = big + b"\0" * (512 * 1024 + 1 - len(big))
    r = put_logo(t["api"], big)
    assert r.status_code == 413, r.text
    r = put_logo(t["api"], b"")
    assert r.status_code == 400, r.text


# ---- other tenants ---------------------------------------------------------------

def test_tenants_do_not_share_branding(new_tenant):
    a = new_tenant("bra")
    b = new_tenant("brb")
    assert a["api"]("PUT", "/api/v1/branding", json={
        "display_name": "A only", "primary_color": "#111111"}
    ).status_code == 200
    assert put_logo(a["api"], image_bytes("PNG")).status_code == 200
    bb = b["api"].get("/api/v1/branding").json()
    assert bb["display_name"] == f"Org {b['slug']}"
    assert bb["primary_color"] == DEFAULTS["primary_color"]
    assert bb["logo_url"] is None
    assert b["api"].get("/api/v1/branding/logo").status_code == 404
    # B deleting "its" logo leaves A's in place.
    assert b["api"].delete("/api/v1/branding/logo").status_code == 204
    assert a["api"].get("/api/v1/branding/logo").status_code == 200


# ---- custom domains and the public branding --------------------------------------

def test_custom_domain_brands_the_login_page(new_tenant, anon):
    a = new_tenant("dom")
    b = new_tenant("dom")
    host = f"Logs.{a['slug']}.Example.com"
    r = a["api"]("PUT", "/api/v1/branding", json={
        "custom_domain": host, "display_name": "A Logs",
        "primary_color": "#102030", "billing_address": "secret street"})
    assert r.status_code == 200, r.text
    assert r.json()["custom_domain"] == host.lower()
    logo = image_bytes("PNG", (50, 20))
    assert put_logo(a["api"], logo).status_code == 200

    r = anon.get("/api/v1/branding/public",
                 headers={"Host": f"{host.lower()}:18106"})
    assert r.status_code == 200, r.text
    assert r.json() == {"display_name": "A Logs", "primary_color": "#102030",
                        "accent_color": DEFAULTS["accent_color"],
                        "logo_url": "/api/v1/branding/public/logo"}
    r = anon.get("/api/v1/branding/public/logo", headers={"Host": host})
    assert r.status_code == 200 and r.content == logo
    assert r.headers["x-content-type-options"] == "nosniff"

    # Unknown hosts get the defaults and no logo.
    r = anon.get("/api/v1/branding/public",
                 headers={"Host": "unknown.example.org"})
    assert r.status_code == 200
    assert r.json()["display_name"] == "Vigie"
    assert r.json()["logo_url"] is None
    assert anon.get("/api/v1/branding/public").json()["logo_url"] is None
    assert anon.get("/api/v1/branding/public/logo", headers={
        "Host": "unknown.example.org"}).status_code == 404

    # The domain is A's alone; once A moves, B may take it.
    r = b["api"]("PUT", "/api/v1/branding", json={"custom_domain": host})
    assert r.status_code == 409 and error_code(r) == "domain_taken"
    assert b["api"].get("/api/v1/branding").json()["custom_domain"] is None
    new_host = f"status.{a['slug']}.example.com"
    r = a["api"]("PUT", "/api/v1/branding", json={"custom_domain": new_host})
    assert r.status_code == 200, r.text
    r = b["api"]("PUT", "/api/v1/branding", json={"custom_domain": host})
    assert r.status_code == 200, r.text
    r = anon.get("/api/v1/branding/public", headers={"Host": host})
    assert r.json()["display_name"] == f"Org {b['slug']}"
    r = anon.get("/api/v1/branding/public", headers={"Host": new_host})
    assert r.json()["display_name"] == "A Logs"
    # Setting the same domain again is no change; "" releases it.
    r = a["api"]("PUT", "/api/v1/branding", json={"custom_domain": new_host})
    assert r.status_code == 200, r.text
    r = a["api"]("PUT", "/api/v1/branding", json={"custom_domain": ""})
    assert r.status_code == 200 and r.json()["custom_domain"] is None
    r = anon.get("/api/v1/branding/public", headers={"Host": new_host})
    assert r.json()["display_name"] == "Vigie"


def test_suspended_tenant_domain_is_not_branded(new_tenant, anon, admin):
    t = new_tenant("dom")
    host = f"logs.{t['slug']}.example.net"
    assert t["api"]("PUT", "/api/v1/branding", json={
        "custom_domain": host, "display_name": "Soon gone"}
    ).status_code == 200
    tid = t["tenant"]["id"]
    r = admin["api"].post(f"/api/v1/admin/tenants/{tid}/suspend")
    assert r.status_code == 200, r.text
    r = anon.get("/api/v1/branding/public", headers={"Host": host})
    assert r.json()["display_name"] == "Vigie"
    r = admin["api"].post(f"/api/v1/admin/tenants/{tid}/reactivate")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("host", ["{domain}", "login.{domain}",
                                  "A.B.{upper}"])
def test_the_platform_domains_cannot_be_claimed(new_tenant, host):
    domain = os.environ.get("VIGIE_PLATFORM_DOMAINS",
                            "vigie.test").split(",")[0].strip()
    t = new_tenant("dom")
    r = t["api"]("PUT", "/api/v1/branding", json={
        "custom_domain": host.format(domain=domain, upper=domain.upper())})
    assert r.status_code == 422, r.text
    assert "platform" in r.json()["error"]["message"]
    # A name that merely ends with the same letters is no sub-domain.
    r = t["api"]("PUT", "/api/v1/branding", json={
        "custom_domain": f"x{t['slug']}{domain}"})
    assert r.status_code == 200, r.text
