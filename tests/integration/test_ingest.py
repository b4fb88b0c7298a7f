"""Uploading files and ingesting them: formats, progress, refused lines,
bad input, and other tenants."""
import gzip
import hashlib
import io
import json
import os
import socket
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import wait_for, shared_data

ES = os.environ.get("VIGIE_ES_URL", "")


def upload(t, content, name="x.log", type_=None):
    params = {"name": name}
    if type_:
        params["type"] = type_
    return t["api"].post("/api/v1/files", params=params, data=content,
                         headers={"Content-Type": "application/octet-stream"})


def wait_finished(t, file_id, timeout=120):
    def finished():
        f = t["api"].get(f"/api/v1/files/{file_id}").json()
        return f if f["status"] in ("done", "partial", "failed") else None
    f = wait_for(finished, timeout, interval=0.5)
    assert f, t["api"].get(f"/api/v1/files/{file_id}").json()
    return f


def es_count(t, query=None):
    requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_refresh", timeout=30)
    body = {"query": query or {"match_all": {}}}
    r = requests.post(f"{ES}/vigie-t-{t['tenant']['id']}/_count",
                      params={"ignore_unavailable": "true",
                              "allow_no_indices": "true"},
                      json=body, timeout=30)
    return r.json().get("count", 0)


@pytest.fixture(scope="module")
def acme(new_tenant):
    return new_tenant("ingest")


def test_apache_access_log_is_ingested_completely(acme):
    content = shared_data("apache_access_10k.log").read_bytes()
    r = upload(acme, content, "apache_access_10k.log")
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["status"] == "queued"
    assert f["size"] == len(content)
    assert f["lines"] == 10000
    assert len(f["sha256"]) == 64
    assert r.headers["location"] == f"/api/v1/files/{f['id']}"
    done = wait_finished(acme, f["id"])
    assert done["status"] == "done", done
    assert done["format"] == "access"
    assert done["indexed"] == 10000 and done["rejected"] == 0
    assert es_count(acme) == 10000
    # Levels from status codes, normalised timestamps, ECS fields.
    assert es_count(acme, {"term": {"http.response.status_code": 404}}) > 0
    assert es_count(acme, {"bool": {"filter": [
        {"term": {"log.level": "WARNING"}},
        {"range": {"http.response.status_code": {"gte": 400, "lt": 500}}}]}}) \
        == es_count(acme, {"range": {"http.response.status_code":
                                     {"gte": 400, "lt": 500}}})
    hit = requests.post(f"{ES}/vigie-t-{acme['tenant']['id']}/_search",
                        json={"size": 1, "query": {"term": {"vigie.line": 1}}},
                        timeout=30).json()["hits"]["hits"][0]["_source"]
    assert hit["client.ip"] == "83.149.9.216"
    assert hit["@timestamp"] == "2015-05-17T10:05:03.000Z"
    assert hit["vigie.file_id"] == f["id"]
    assert hit["http.request.method"] == "GET"


def test_same_file_twice_never_duplicates(acme):
    before = es_count(acme)
    lines = b"".join(shared_data("apache_access_10k.log").read_bytes()
                     .splitlines(keepends=True)[:100])
    f = upload(acme, lines, "small.log").json()
    wait_finished(acme, f["id"])
    assert es_count(acme) == before + 100


def recv_head(s, got=b""):
    """Reads until the end of a response's head: (head, what follows)."""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        assert chunk, got
        got += chunk
    head, _, rest = got.partition(b"\r\n\r\n")
    return head, rest


def test_upload_answers_expect_100_continue(acme):
    # curl asks for "100 Continue" before sending a body over 1 MiB and,
    # when no answer comes, waits a second before sending it anyway.
    body = b"".join(shared_data("apache_access_10k.log").read_bytes()
                    .splitlines(keepends=True)[:50])
    url = urllib.parse.urlsplit(acme["api"].base_url)
    head = (f"POST /api/v1/files?name=expect.log HTTP/1.1\r\n"
            f"Host: {url.netloc}\r\n"
            f"Authorization: {acme['api'].session.headers['Authorization']}\r\n"
            "Content-Type: application/octet-stream\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Expect: 100-continue\r\nConnection: close\r\n\r\n")
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        s.sendall(head.encode())
        # Nothing of the body is sent before the interim answer.
        interim, rest = recv_head(s)
        assert interim == b"HTTP/1.1 100 Continue", interim
        assert rest == b""
        s.sendall(body)
        final, rest = recv_head(s)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    assert final.startswith(b"HTTP/1.1 201 "), final
    f = json.loads(rest)
    assert f["lines"] == 50 and f["size"] == len(body)
    done = wait_finished(acme, f["id"])
    assert done["status"] == "done" and done["indexed"] == 50


def test_gzip_upload(acme):
    lines = shared_data("loghub_2k/Linux/Linux_2k.log").read_bytes()
    f = upload(acme, gzip.compress(lines), "linux.log.gz").json()
    assert f["compressed"] is True
    done = wait_finished(acme, f["id"])
    assert done["format"] == "syslog", done
    assert done["indexed"] + done["rejected"] == 2000


def test_csv_with_bad_rows_is_partial_with_located_reasons(acme):
    csv = b"time,level,service,message\n" \
          b"2026-01-01T00:00:00Z,ERROR,api,boom\n" \
          b"2026-01-01T00:00:01Z,INFO,api\n" \
          b"2026-01-01T00:00:02Z,WARN,db,slow,extra\n" \
          b"2026-01-01T00:00:03Z,INFO,web,ok\n"
    # Rows of different widths do not look like CSV to detection, so the
    # type is declared, as a user would in the upload form.
    f = upload(acme, csv, "app.csv", type_="csv").json()
    done = wait_finished(acme, f["id"])
    assert done["status"] == "partial"
    assert done["format"] == "csv"
    assert done["indexed"] == 2 and done["rejected"] == 2
    rejects = acme["api"].get(f"/api/v1/files/{f['id']}/rejects").json()
    assert rejects["total"] == 2
    assert [r["line"] for r in rejects["items"]] == [3, 4]
    assert "column" in rejects["items"][0]["reason"]


def test_csv_is_detected_with_its_delimiter(acme):
    csv = b"time;level;service;message\n" \
          b"2026-01-01T00:00:00Z;ERROR;api;\"boom; with a ;\"\n" \
          b"2026-01-01T00:00:01Z;INFO;api;fine\n"
    f = upload(acme, csv, "semi.csv").json()
    done = wait_finished(acme, f["id"])
    assert done["format"] == "csv", done
    assert done["status"] == "done" and done["indexed"] == 2


def test_json_lines_with_a_syntax_error(acme):
    body = b'{"@timestamp":"2026-01-01T00:00:00Z","level":"error","message":"a"}\n' \
           b'{"message": "broken"\n' \
           b'{"timestamp":1767225600000,"severity":"warn","msg":"c","service":"pay"}\n'
    f = upload(acme, body, "app.ndjson").json()
    done = wait_finished(acme, f["id"])
    assert done["format"] == "json"
    assert done["indexed"] == 2 and done["rejected"] == 1
    assert done["error_samples"][0]["line"] == 2
    assert "line 2" in done["error_samples"][0]["reason"]


@pytest.mark.parametrize("content,status,code", [
    (b"", 422, "empty_file"),
    (b"abc\x00def\n", 415, "unsupported_content"),
    (b"good line\nbad \xff byte\n", 422, "invalid_encoding"),
])
def test_bad_content_is_refused_and_nothing_is_kept(acme, content, status,
                                                    code):
    before = acme["api"].get("/api/v1/files").json()["total"]
    r = upload(acme, content)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    if code == "invalid_encoding":
        assert "line 2" in r.json()["error"]["message"]
    assert acme["api"].get("/api/v1/files").json()["total"] == before


def stored_path(t, file_id):
    return (Path(os.environ["VIGIE_DATA_DIR"]) / "uploads" /
            t["tenant"]["id"] / file_id)


@pytest.mark.parametrize("compress", [False, True])
def test_uploads_are_stored_whole_with_their_digest(acme, compress):
    # Over 1 MiB, Kore spools the body to disk; the server links that
    # file into place (or copies it) and takes Kore's SHA-256. Smaller
    # bodies are copied from memory.
    lines = shared_data("apache_access_10k.log").read_bytes() \
        .splitlines(keepends=True)[:6000]
    big = b"".join(lines) * (3 if compress else 1)
    small = b"".join(lines[:10])
    for text, n in ((big, big.count(b"\n")), (small, 10)):
        # Level 0 (stored blocks): the gzip stream is as big as the text.
        body = gzip.compress(text, compresslevel=0) if compress else text
        assert (len(body) > 1024 * 1024) == (text is big)
        r = upload(acme, body, "big.log.gz" if compress else "big.log")
        assert r.status_code == 201, r.text
        f = r.json()
        assert f["sha256"] == hashlib.sha256(body).hexdigest()
        assert f["size"] == len(body)
        assert f["doc_ids"] == "file-line"
        assert f["compressed"] is compress
        assert stored_path(acme, f["id"]).read_bytes() == body
        done = wait_finished(acme, f["id"])
        assert done["status"] == "done" and done["indexed"] == n, done


def test_spooled_bad_upload_keeps_nothing(acme):
    before = acme["api"].get("/api/v1/files").json()["total"]
    folder = stored_path(acme, "x").parent
    files_before = sorted(p.name for p in folder.iterdir()) \
        if folder.exists() else []
    body = b"a good line\n" * 200000 + b"bad \xff byte\n"
    r = upload(acme, body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_encoding"
    assert "line 200001" in r.json()["error"]["message"]
    assert acme["api"].get("/api/v1/files").json()["total"] == before
    files_after = sorted(p.name for p in folder.iterdir()) \
        if folder.exists() else []
    assert files_after == files_before


def test_unknown_type_and_bad_query(acme):
    assert upload(acme, b"x\n", type_="exe").status_code == 422
    r = acme["api"].get("/api/v1/files", params={"sort": "evil"})
    assert r.status_code == 400
    r = acme["api"].get("/api/v1/files", params={"status": "gone"})
    assert r.status_code == 400
    r = acme["api"].get("/api/v1/files", params={"size": "0"})
    assert r.status_code == 400


def test_listing_sorts_filters_and_paginates(acme):
    r = acme["api"].get("/api/v1/files", params={"sort": "size",
                                                 "order": "asc"})
    items = r.json()["items"]
    sizes = [f["size"] for f in items]
    assert sizes == sorted(sizes)
    r = acme["api"].get("/api/v1/files", params={"status": "done"})
    assert all(f["status"] == "done" for f in r.json()["items"])
    page = acme["api"].get("/api/v1/files", params={"size": 1, "page": 2})
    assert page.json()["size"] == 1 and len(page.json()["items"]) == 1
    r = acme["api"].get("/api/v1/files",
                        params={"from": "2000-01-01", "to": "2000-12-31"})
    assert r.json()["total"] == 0


def test_the_client_name_is_only_metadata(acme):
    f = upload(acme, b"hello\n", "../../etc/passwd").json()
    assert f["name"] == "passwd"
    stored = Path(os.environ["VIGIE_DATA_DIR"]) / "uploads"
    names = [p.name for p in stored.rglob("*")]
    assert f["id"] in names
    assert not any("passwd" in n for n in names)


def test_other_tenants_see_nothing(acme, new_tenant):
    other = new_tenant("ingest-other")
    mine = acme["api"].get("/api/v1/files").json()["items"]
    assert mine
    fid = mine[0]["id"]
    for path in (f"/api/v1/files/{fid}", f"/api/v1/files/{fid}/rejects"):
        r = other["api"].get(path)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"
    assert other["api"].get("/api/v1/files").json()["total"] == 0
    assert es_count(other) == 0


def test_viewer_cannot_upload_but_can_list(acme, base_url):
    from conftest import Api, login, PASSWORD
    email = f"viewer-{time.time_ns()}@{acme['slug']}.example.com"
    r = acme["api"].post("/api/v1/users", json={
        "email": email, "name": "V", "role": "viewer", "password": PASSWORD})
    assert r.status_code == 201, r.text
    token = login(base_url, email).json()["access_token"]
    viewer = {"api": Api(base_url, f"Bearer {token}")}
    assert upload(viewer, b"x\n").status_code == 403
    assert viewer["api"].get("/api/v1/files").status_code == 200


def test_api_key_with_ingest_scope_uploads(acme):
    key = acme["api"].post("/api/v1/api-keys", json={
        "name": "shipper", "scopes": ["ingest"]}).json()["key"]
    from conftest import Api
    machine = {"api": Api(acme["api"].base_url, f"ApiKey {key}")}
    r = upload(machine, b"2026-01-01T00:00:00Z plain line\n", "m.log")
    assert r.status_code == 201, r.text
    # ingest scope does not read
    assert machine["api"].get("/api/v1/files").status_code == 403
