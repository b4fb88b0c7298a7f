"""E-mail notifications through a real SMTP server (aiosmtpd, on the port
scripts/integration.sh gives the worker in VIGIE_SMTP_URL): the default
and per-channel templates, HTML escaping, encoded headers that no
template can break, the PDF chart attached, branding, and SMTP refusals
(permanent: a dead letter at once; temporary: retried)."""
import email
import email.policy
import os
import socket
import ssl
import subprocess
import threading
import uuid
from urllib.parse import urlparse

import pytest

from conftest import wait_for
from notify_receiver import (alert_event, create_channel, db, deliveries,
                             private_worker, push_notify)
from notify_receiver import settled as settled_all

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Mailbox:
    """Accepts mail; refuses recipients containing "reject" (550) and
    the first try of those containing "later" (451)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.tls = []  # whether each message came over TLS
        self.tried = set()

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if "reject" in address:
            return "550 5.1.1 no such mailbox"
        with self.lock:
            if "later" in address and address not in self.tried:
                self.tried.add(address)
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content,
                                       policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from,
                                  list(envelope.rcpt_tos), msg,
                                  envelope.content))
            self.tls.append(session.ssl is not None)
        return "250 Message accepted"

    def find(self, event_id):
        with self.lock:
            return [m for m in self.messages
                    if m[2]["X-Vigie-Event-Id"] == event_id]


@pytest.fixture(scope="module")
def mailbox():
    url = urlparse(os.environ["VIGIE_SMTP_URL"])
    box = Mailbox()
    ctl = aiosmtpd_controller.Controller(box, hostname="127.0.0.1",
                                         port=url.port)
    ctl.start()
    yield box
    ctl.stop()


@pytest.fixture(scope="module")
def owner(new_tenant):
    return new_tenant("ntfmail")


def settled(api, event_id):
    return settled_all(api, event_id)[0]


def send(owner, redis, config, event, name="mail"):
    r = create_channel(owner["api"], "email", config, name=name)
    assert r.status_code == 201, r.text
    event_id = "mail-" + uuid.uuid4().hex
    push_notify(redis, owner["tenant"]["id"], r.json()["id"], event_id,
                event)
    return r.json(), event_id


def parts(msg):
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    files = [p for p in msg.iter_attachments()]
    return text, html, files


def test_default_email_with_chart(owner, redis, mailbox):
    rule = "<b>Payments</b> & café"
    to = [f"ops@{owner['slug']}.example.com",
          f"dev@{owner['slug']}.example.com"]
    event = alert_event(rule=rule, value=42, threshold=10)
    event["alert"]["series"] = [{"t": f"2026-11-21T08:0{i}:00Z",
                                 "count": c}
                                for i, c in enumerate([3, 5, 8, 13, 42])]
    _, event_id = send(owner, redis, {"to": to}, event)
    item = settled(owner["api"], event_id)
    assert item["status"] == "sent", item
    (mail_from, rcpts, msg, raw), = mailbox.find(event_id)
    assert sorted(rcpts) == sorted(to)
    assert mail_from == os.environ.get("VIGIE_SMTP_FROM",
                                       "alerts@vigie.invalid")
    assert msg["Subject"] == f"[critical] Alert firing: {rule}"
    assert "Org ntfmail" in str(msg["From"])
    assert msg["Message-ID"] == f"<{event_id}.{item['channel_id']}@vigie>"
    text, html, files = parts(msg)
    base = os.environ["VIGIE_TEST_BASE_URL"]
    assert "Value:     42 (threshold 10)" in text
    assert f"{base}/app/search?q=level%3AERROR&from=now-15m" in text
    assert rule in text
    assert "&lt;b&gt;Payments&lt;/b&gt; &amp; café" in html
    assert "<b>Payments</b>" not in html
    assert f'href="{base}/app/search?q=level%3AERROR&amp;from=now-15m"' \
        in html
    assert len(files) == 1
    pdf = files[0]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "vigie-alert.pdf"
    data = pdf.get_content()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/URI" in data  # the link to the search is clickable
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_channel_templates_and_no_attachment(owner, redis, mailbox):
    config = {"to": [f"t@{owner['slug']}.example.com"],
              "subject": "{{severity}} | {{rule.name}} = {{alert.value}}",
              "text_template": "V={{alert.value}} T={{alert.threshold}} "
                               "W={{alert.window}} {{search_url}}",
              "html_template": "<p>{{message}}</p><i>{{organization}}</i>",
              "attach": "none"}
    ch, event_id = send(owner, redis, config,
                        alert_event(rule="Disk", value=97.5, threshold=90,
                                    severity="warning"))
    assert ch["config"]["subject"] == config["subject"]
    assert settled(owner["api"], event_id)["status"] == "sent"
    (_, _, msg, _), = mailbox.find(event_id)
    assert msg["Subject"] == "warning | Disk = 97.5"
    text, html, files = parts(msg)
    assert text.strip() == ("V=97.5 T=90 W=5m " +
                            os.environ["VIGIE_TEST_BASE_URL"] +
                            "/app/search?q=level%3AERROR&from=now-15m")
    assert html.strip() == ("<p>Disk: 97.5 errors in 5 minutes "
                            "(threshold 90)</p><i>Org "
                            f"{owner['slug']}</i>")
    assert files == []


def test_templates_cannot_add_headers(owner, redis, mailbox):
    rule = "Evil\r\nBcc: victim@example.com\r\nX-Evil: 1"
    _, event_id = send(owner, redis,
                       {"to": [f"h@{owner['slug']}.example.com"],
                        "subject": "{{rule.name}}"},
                       alert_event(rule=rule))
    assert settled(owner["api"], event_id)["status"] == "sent"
    (_, rcpts, msg, raw), = mailbox.find(event_id)
    assert rcpts == [f"h@{owner['slug']}.example.com"]
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "Bcc: victim" not in msg["Subject"].splitlines()[0][:4]
    assert b"\r\nBcc:" not in raw and b"\r\nX-Evil:" not in raw


def test_branding_colours_the_mail(new_tenant, redis, mailbox, db):
    t = new_tenant("ntfbrand")
    db["branding"].insert_one({"tenant_id": t["tenant"]["id"],
                               "display_name": "Acme Ops",
                               "primary_color": "#aa3300"})
    _, event_id = send(t, redis, {"to": [f"b@{t['slug']}.example.com"]},
                       alert_event())
    assert settled(t["api"], event_id)["status"] == "sent"
    (_, _, msg, _), = mailbox.find(event_id)
    assert "Acme Ops" in str(msg["From"])
    _, html, files = parts(msg)
    assert "background:#aa3300" in html and "Acme Ops" in html
    assert files[0].get_content().startswith(b"%PDF-")


def test_the_logo_travels_inline(new_tenant, redis, mailbox):
    """An organization with a logo gets it in the mail's header, as an
    inline part the HTML names by Content-ID (nothing to fetch), beside
    the chart attachment; a template that does not show it gets no such
    part."""
    from test_branding import image_bytes, put_logo
    t = new_tenant("ntflogo")
    logo = image_bytes("PNG", (96, 32), (10, 120, 200))
    assert put_logo(t["api"], logo).status_code == 200
    _, event_id = send(t, redis, {"to": [f"l@{t['slug']}.example.com"]},
                       alert_event())
    assert settled(t["api"], event_id)["status"] == "sent"
    (_, _, msg, _), = mailbox.find(event_id)
    related = [p for p in msg.walk()
               if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    images = [p for p in msg.walk() if p["Content-ID"] == "<logo@vigie>"]
    assert len(images) == 1
    assert images[0].get_content_type() == "image/png"
    assert images[0].get_content() == logo
    _, html, files = parts(msg)
    assert 'src="cid:logo@vigie"' in html
    assert [f.get_content_type() for f in files] == ["application/pdf"]
    # A channel template without the logo: no inline part.
    _, event_id = send(t, redis, {
        "to": [f"l@{t['slug']}.example.com"],
        "html_template": "<p>{{title}}</p>"}, alert_event(), name="plain")
    assert settled(t["api"], event_id)["status"] == "sent"
    (_, _, msg, _), = mailbox.find(event_id)
    assert not [p for p in msg.walk() if p["Content-ID"]]


def test_refused_recipient_is_a_dead_letter_at_once(owner, redis, mailbox):
    _, event_id = send(owner, redis,
                       {"to": [f"reject@{owner['slug']}.example.com"]},
                       alert_event())
    item = settled(owner["api"], event_id)
    assert item["status"] == "dead" and item["attempts"] == 1, item
    assert "550" in item["last_error"]
    assert mailbox.find(event_id) == []


def test_temporary_refusal_is_retried(owner, redis, mailbox):
    _, event_id = send(owner, redis,
                       {"to": [f"later-{uuid.uuid4().hex[:6]}@"
                               f"{owner['slug']}.example.com"]},
                       alert_event())
    item = settled(owner["api"], event_id)
    assert item["status"] == "sent" and item["attempts"] == 2, item
    assert len(mailbox.find(event_id)) == 1


def test_test_action_sends_an_email(owner, mailbox):
    ch = create_channel(owner["api"], "email",
                        {"to": [f"x@{owner['slug']}.example.com"]}).json()
    r = owner["api"].post(f"/api/v1/notification-channels/{ch['id']}/test")
    assert r.status_code == 202, r.text
    event_id = r.json()["event_id"]
    assert settled(owner["api"], event_id)["status"] == "sent"
    (_, _, msg, _), = mailbox.find(event_id)
    assert msg["Subject"] == "Test notification: channel check"
    text, _, files = parts(msg)
    assert "the channel works" in text
    assert files[0].get_content().startswith(b"%PDF-")


def test_starttls_required_and_certificate_verified(new_tenant, tmp_path):
    """A worker told VIGIE_SMTP_TLS=required and given the authority of
    a server that insists on STARTTLS delivers over TLS."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(str(cert), str(key))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Mailbox()
    ctl = aiosmtpd_controller.Controller(box, hostname="127.0.0.1",
                                         port=port, tls_context=tls,
                                         require_starttls=True)
    ctl.start()
    try:
        with private_worker("smtp-tls",
                            VIGIE_SMTP_URL=f"smtp://127.0.0.1:{port}",
                            VIGIE_SMTP_TLS="required",
                            VIGIE_SMTP_CA_FILE=str(cert)) as queue:
            t = new_tenant("ntftls")
            ch = create_channel(t["api"], "email",
                                {"to": [f"tls@{t['slug']}.example.com"]})
            assert ch.status_code == 201, ch.text
            event_id = "tls-" + uuid.uuid4().hex
            push_notify(queue, t["tenant"]["id"], ch.json()["id"], event_id,
                        alert_event())
            item = settled(t["api"], event_id)
            assert item["status"] == "sent", item
        (_, rcpts, msg, _), = box.find(event_id)
        assert rcpts == [f"tls@{t['slug']}.example.com"]
        assert box.tls == [True]

        # Another authority than the one that signed the server's
        # certificate: the worker refuses to speak to it.
        other = tmp_path / "other.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", str(tmp_path / "other.key"),
                        "-out", str(other), "-days", "1",
                        "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True)
        with private_worker("smtp-tls-wrong-ca",
                            VIGIE_SMTP_URL=f"smtp://127.0.0.1:{port}",
                            VIGIE_SMTP_TLS="required",
                            VIGIE_SMTP_CA_FILE=str(other)) as queue:
            event_id = "tls-bad-" + uuid.uuid4().hex
            push_notify(queue, t["tenant"]["id"], ch.json()["id"], event_id,
                        alert_event())

            def failed_once():
                items = deliveries(t["api"], event_id=event_id)
                return items if items and items[0]["attempts"] >= 1 \
                    else None
            items = wait_for(failed_once, 180, 0.3)
            assert items, deliveries(t["api"], event_id=event_id)
            assert items[0]["status"] in ("retrying", "dead"), items
            assert "SSL" in items[0]["last_error"] or \
                "certificate" in items[0]["last_error"], items
        assert box.find(event_id) == []
    finally:
        ctl.stop()
