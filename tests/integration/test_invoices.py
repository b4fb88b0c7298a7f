"""Invoices: the worker closes a month into one invoice per tenant
(idempotent, numbered per tenant), priced in integer minor units from
usage_daily and the plan; the API lists them and serves the PDF made at
close time (text, rendering and structure checked with poppler and qpdf);
the current month's bill with its projection; administrators close a
period on demand; other tenants, other roles and bad input get nothing."""
import io
import json
import shutil
import subprocess
import uuid
from datetime import datetime, timezone

import pytest
from PIL import Image

from conftest import PASSWORD, Api, login, wait_for

GB = 10**9
PRO = {"fee": 4900, "ingest": 25, "storage": 10, "ingest_limit": 10 * GB,
       "storage_limit": 50 * GB}
TAX_BP = 2000


def rnd(num, den):
    """num / den rounded half up: the billing rule (docs/BILLING.md)."""
    return (2 * num + den) // (2 * den)


def money(minor):
    return f"{minor // 100}.{minor % 100:02d}"


def usage_doc(tid, day, ingested, stored):
    return {"tenant_id": tid, "day": day, "ingested_bytes": ingested,
            "ingested_docs": ingested // 200, "stored_bytes": stored,
            "api_requests": 10, "active_users": 1,
            "updated_at": day + "T23:59:59Z"}


def october_usage():
    """(day, ingested, stored) of October 2026: overage on day 15
    (12.5 GB > 10 GB a day) and on day 31 (60 GB stored > 50 GB)."""
    days = []
    for d in range(1, 32):
        ingested = 12 * GB + GB // 2 if d == 15 else d * 300_000_000
        stored = 60 * GB if d == 31 else 20 * GB + d * 1_000_003
        days.append((f"2026-10-{d:02d}", ingested, stored))
    return days


def expected_october():
    days = october_usage()
    ingested = sum(i for _, i, _ in days)
    stored = sum(s for _, _, s in days)
    over_in = sum(max(0, i - PRO["ingest_limit"]) for _, i, _ in days)
    over_st = sum(max(0, s - PRO["storage_limit"]) for _, _, s in days)
    lines = [("plan", 1000, PRO["fee"]),
             ("ingest", rnd(ingested * 1000, GB),
              rnd(ingested * PRO["ingest"], GB)),
             ("storage", rnd(stored * 1000, 31 * GB),
              rnd(stored * PRO["storage"], 31 * GB)),
             ("overage", rnd(over_in * 1000, GB),
              rnd(over_in * PRO["ingest"], GB)),
             ("overage", rnd(over_st * 1000, 31 * GB),
              rnd(over_st * PRO["storage"], 31 * GB))]
    subtotal = sum(a for _, _, a in lines)
    taxes = rnd(subtotal * TAX_BP, 10000)
    return lines, subtotal, taxes, subtotal + taxes


def backdated_pro_tenant(new_tenant, admin, db, prefix="inv"):
    """A tenant on the Pro plan that has existed since September 2026."""
    t = new_tenant(prefix)
    tid = t["tenant"]["id"]
    r = admin["api"].patch(f"/api/v1/admin/tenants/{tid}",
                           json={"plan": "pro"})
    assert r.status_code == 200, r.text
    from bson import ObjectId
    db.tenants.update_one({"_id": ObjectId(tid)},
                          {"$set": {"created_at": "2026-09-10T08:00:00Z"}})
    return t


def close(admin, tid, period):
    r = admin["api"].post("/api/v1/admin/billing/close",
                          json={"period": period, "tenant_id": tid})
    assert r.status_code == 202, r.text
    return r.json()


def invoices(api):
    r = api.get("/api/v1/invoices")
    assert r.status_code == 200, r.text
    return r.json()["invoices"]


def wait_invoices(api, n, timeout=120):
    found = wait_for(lambda: (lambda l: l if len(l) >= n else None)(
        invoices(api)), timeout, 0.3)
    assert found, "the worker issued no invoice"
    return found


def logo_png():
    out = io.BytesIO()
    Image.new("RGB", (200, 60), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def october(new_tenant, admin, db):
    """A branded Pro tenant with October's usage, its October invoice
    closed, and a second tenant with usage on the same days."""
    t = backdated_pro_tenant(new_tenant, admin, db)
    tid = t["tenant"]["id"]
    other = new_tenant("inv-other")
    docs = [usage_doc(tid, d, i, s) for d, i, s in october_usage()]
    # Outside the period, and another tenant's: never billed here.
    docs.append(usage_doc(tid, "2026-09-30", 900 * GB, 900 * GB))
    docs.append(usage_doc(tid, "2026-11-01", 900 * GB, 900 * GB))
    docs += [usage_doc(other["tenant"]["id"], d, 500 * GB, 500 * GB)
             for d, _, _ in october_usage()]
    db.usage_daily.insert_many(docs)
    r = t["api"]("PUT", "/api/v1/branding", json={
        "display_name": "Acmé Observability", "primary_color": "#C0392B",
        "accent_color": "#27AE60",
        "billing_address": "Acme SARL\n5 avenue Victor Hugo\n69002 Lyon"})
    assert r.status_code == 200, r.text
    r = t["api"]("PUT", "/api/v1/branding/logo", data=logo_png())
    assert r.status_code == 200, r.text
    close(admin, tid, "2026-10")
    t["invoice"] = wait_invoices(t["api"], 1)[0]
    t["other"] = other
    return t


# ---- computation --------------------------------------------------------------

def test_invoice_lines_and_totals(october):
    r = october["api"].get(f"/api/v1/invoices/{october['invoice']['id']}")
    assert r.status_code == 200, r.text
    inv = r.json()
    lines, subtotal, taxes, total = expected_october()
    assert [(l["code"], l["amount"]) for l in inv["lines"]] == \
        [(code, amount) for code, _, amount in lines]
    for line, (_, milli, _) in zip(inv["lines"], lines):
        assert line["quantity"] == f"{milli // 1000}.{milli % 1000:03d}"
        assert isinstance(line["amount"], int)
        assert isinstance(line["unit_price"], int)
    assert (inv["subtotal"], inv["taxes"], inv["total"]) == \
        (subtotal, taxes, total)
    assert inv["tax_rate_bp"] == TAX_BP
    assert inv["currency"] == "EUR"
    assert inv["period"] == "2026-10"
    assert (inv["period_start"], inv["period_end"]) == \
        ("2026-10-01", "2026-10-31")
    assert inv["status"] == "issued"
    assert inv["plan"] == "pro"
    assert inv["sequence"] == 1
    assert inv["number"] == f"INV-{october['slug']}-00001"
    assert inv["bill_to"]["name"] == "Acmé Observability"
    assert len(inv["usage"]["days"]) == 31
    assert inv["pdf_url"] == f"/api/v1/invoices/{inv['id']}.pdf"


def test_list_is_brief(october):
    items = invoices(october["api"])
    assert len(items) == 1
    assert "lines" not in items[0] and "usage" not in items[0]
    assert items[0]["total"] == expected_october()[3]


def test_closing_again_gives_the_same_invoice(october, admin, redis):
    tid = october["tenant"]["id"]
    close(admin, tid, "2026-10")
    for _ in range(2):
        redis.lpush("p:jobs", json.dumps({
            "type": "billing-close", "tenant_id": tid, "period": "2026-10"}))
    # The queue drains in order: a later job proves the earlier ones ran.
    close(admin, tid, "2026-09")
    items = wait_invoices(october["api"], 2)
    assert [i["period"] for i in items] == ["2026-10", "2026-09"]
    assert items[0]["id"] == october["invoice"]["id"]
    # September: created on the 10th, no usage recorded but the 30th.
    sept = october["api"].get(f"/api/v1/invoices/{items[1]['id']}").json()
    assert sept["sequence"] == 2
    assert sept["number"] == f"INV-{october['slug']}-00002"
    assert sept["lines"][1]["quantity"] == "900.000"


# ---- the PDF -------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(october, tmp_path_factory):
    r = october["api"].get(october["invoice"]["pdf_url"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF-")
    path = tmp_path_factory.mktemp("pdf") / "invoice.pdf"
    path.write_bytes(r.content)
    return path


def tool(name):
    if shutil.which(name) is None:
        pytest.fail(f"{name} is missing: scripts/install.sh installs it")
    return name


def test_pdf_text_shows_the_totals(october, pdf):
    text = subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"],
                          check=True, capture_output=True,
                          text=True).stdout
    lines, subtotal, taxes, total = expected_october()
    assert f"INV-{october['slug']}-00001" in text
    assert "Acmé Observability" in text
    assert "5 avenue Victor Hugo" in text
    assert "Vigie SAS" in text
    assert f"{money(subtotal)} EUR" in text
    assert f"{money(taxes)} EUR" in text
    assert f"{money(total)} EUR" in text
    for _, _, amount in lines:
        assert f"{money(amount)} EUR" in text
    assert "Data ingested per day" in text
    assert "2026-10-01 to 2026-10-31" in text


def test_pdf_is_well_formed_and_renders(pdf, tmp_path):
    check = subprocess.run([tool("qpdf"), "--check", str(pdf)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    subprocess.run([tool("pdftoppm"), "-png", "-r", "50", "-f", "1", "-l",
                    "1", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    img = Image.open(page).convert("RGB")
    assert img.size[0] > 300 and img.size[1] > 400
    # The brand's colours: primary band at the top, accent in the chart.
    assert img.getpixel((img.size[0] // 2, 4)) == (0xc0, 0x39, 0x2b)
    accent = sum(1 for px in img.getdata() if px == (0x27, 0xae, 0x60))
    assert accent > 200
    images = subprocess.run([tool("pdfimages"), "-list", str(pdf)],
                            check=True, capture_output=True,
                            text=True).stdout.splitlines()[2:]
    assert len(images) == 1 and " 200    60 " in images[0]


# ---- other tenants, roles, bad input ------------------------------------------------

def test_other_tenant_sees_nothing(october):
    other = october["other"]
    iid = october["invoice"]["id"]
    assert invoices(other["api"]) == []
    for path in (f"/api/v1/invoices/{iid}", f"/api/v1/invoices/{iid}.pdf"):
        r = other["api"].get(path)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", [
    "/api/v1/invoices/000000000000000000000000",
    "/api/v1/invoices/000000000000000000000000.pdf",
    "/api/v1/invoices/..", "/api/v1/invoices/%2e%2e.pdf",
    "/api/v1/invoices/ZZZZZZZZZZZZZZZZZZZZZZZZ",
    "/api/v1/invoices/" + "a" * 300 + ".pdf",
    "/api/v1/invoices/x.pdf.pdf"])
def test_unknown_ids_are_not_found(october, path):
    r = october["api"].get(path)
    assert r.status_code == 404, r.text


def test_roles_and_credentials(october, base_url, anon):
    t = october
    r = t["api"].post("/api/v1/users", json={
        "email": f"viewer-{uuid.uuid4().hex[:8]}@{t['slug']}.example.com",
        "name": "Viewer", "role": "viewer", "password": PASSWORD})
    assert r.status_code == 201, r.text
    viewer = Api(base_url, "Bearer " +
                 login(base_url, r.json()["email"]).json()["access_token"])
    iid = t["invoice"]["id"]
    for path in ("/api/v1/invoices", f"/api/v1/invoices/{iid}",
                 f"/api/v1/invoices/{iid}.pdf", "/api/v1/billing/current"):
        assert viewer.get(path).status_code == 403
        assert anon.get(path).status_code == 401
    # Tenant users cannot close periods.
    r = t["api"].post("/api/v1/admin/billing/close",
                      json={"period": "2026-10"})
    assert r.status_code in (401, 403)


@pytest.mark.parametrize("body,status,code", [
    ({"period": "2026-13"}, 422, "validation_failed"),
    ({"period": "10-2026"}, 422, "validation_failed"),
    ({"period": "2999-01"}, 422, "period_not_over"),
    ({"tenant_id": "nope"}, 422, "validation_failed"),
    ({"tenant_id": "0" * 24}, 404, "not_found"),
    ({"period": "2026-10", "extra": 1}, 422, "validation_failed"),
])
def test_admin_close_validation(admin, body, status, code):
    r = admin["api"].post("/api/v1/admin/billing/close", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_current_month_is_not_closed(admin):
    now = datetime.now(timezone.utc)
    r = admin["api"].post("/api/v1/admin/billing/close",
                          json={"period": now.strftime("%Y-%m")})
    assert r.status_code == 422, r.text


def test_fan_out_bills_every_tenant_that_existed(new_tenant, admin, db,
                                                 redis):
    t = backdated_pro_tenant(new_tenant, admin, db, "inv-fan")
    young = new_tenant("inv-young")
    r = admin["api"].post("/api/v1/admin/billing/close",
                          json={"period": "2026-09"})
    assert r.status_code == 202, r.text
    assert "tenant_id" not in r.json()
    # One job per tenant of the database, behind whatever the schedule
    # queued at the worker's start (retention of every tenant too).
    items = wait_invoices(t["api"], 1, timeout=600)
    assert items[0]["period"] == "2026-09"
    assert items[0]["total"] == rnd(4900 * (10000 + TAX_BP), 10000)
    # Created in November: nothing to bill for September.
    close(admin, young["tenant"]["id"], "2026-09")
    close(admin, t["tenant"]["id"], "2026-08")  # before it existed
    wait_for(lambda: redis.llen("p:jobs") == 0, 600, 0.5)
    assert wait_for(lambda: not redis.keys("p:jobs:processing:*") or
                    all(redis.llen(k) == 0 for k in
                        redis.keys("p:jobs:processing:*")), 20, 0.2)
    assert invoices(young["api"]) == []
    assert [i["period"] for i in invoices(t["api"])] == ["2026-09"]


# ---- the current month ------------------------------------------------------------

def test_current_month_and_projection(new_tenant, admin, db):
    t = new_tenant("inv-cur")
    tid = t["tenant"]["id"]
    r = admin["api"].patch(f"/api/v1/admin/tenants/{tid}",
                           json={"plan": "pro"})
    assert r.status_code == 200, r.text
    now = datetime.now(timezone.utc)
    today = now.day
    ym = now.strftime("%Y-%m")
    db.usage_daily.insert_many([
        usage_doc(tid, f"{ym}-{d:02d}", 2 * GB, 5 * GB)
        for d in range(1, today + 1)])
    r = t["api"].get("/api/v1/billing/current")
    assert r.status_code == 200, r.text
    cur = r.json()
    assert cur["period"] == ym and cur["days_elapsed"] == today
    days = cur["days_in_period"]
    assert len(cur["usage"]) == today
    ingest = rnd(2 * GB * today * 25, GB)
    storage = rnd(5 * GB * today * 10, days * GB)
    assert [l["amount"] for l in cur["to_date"]["lines"]] == \
        [4900, ingest, storage]
    p_ingest = rnd(rnd(2 * GB * today * days, today) * 25, GB)
    p_storage = rnd(rnd(5 * GB * today * days, today) * 10, days * GB)
    assert [l["amount"] for l in cur["projected"]["lines"]] == \
        [4900, p_ingest, p_storage]
    sub = 4900 + p_ingest + p_storage
    assert cur["projected"]["total"] == sub + rnd(sub * TAX_BP, 10000)


def test_overage_starts_at_the_tenant_override(new_tenant, admin, db):
    """An administrator's override of the daily ingest allowance (the
    tenant record's "overrides", as the quotas set them) moves where
    overage starts."""
    t = new_tenant("inv-ovr")
    tid = t["tenant"]["id"]
    r = admin["api"].patch(f"/api/v1/admin/tenants/{tid}",
                           json={"plan": "pro"})
    assert r.status_code == 200, r.text
    from bson import ObjectId
    db.tenants.update_one({"_id": ObjectId(tid)},
                          {"$set": {"overrides": {"ingest_gb_per_day": 1.5}}})
    ym = datetime.now(timezone.utc).strftime("%Y-%m")
    db.usage_daily.insert_one(usage_doc(tid, f"{ym}-01", 2 * GB, 0))
    cur = t["api"].get("/api/v1/billing/current").json()
    lines = cur["to_date"]["lines"]
    assert [l["code"] for l in lines] == ["plan", "ingest", "storage",
                                          "overage"]
    assert lines[3]["quantity"] == "0.500"
    assert lines[3]["amount"] == rnd(GB // 2 * 25, GB)
