"""A CSV export larger than what the kernel buffers, read slowly.

Kore restarts its header timer (10 s) when an answer starts, for the
connection's next request, and its idle timer (8 s) counts only events
of the event loop: a long download would be cut short at 10 s, or after
8 s without the kernel asking for more data. src/api/drain.c keeps both
timers from firing while the client is still taking data. Here a client
with a small receive buffer reads an export of about 8 MB over 25 s on a
kept-alive connection and must get every byte."""
import csv
import datetime as dt
import io
import socket
import time

import pytest

from test_search import drop_indices, es_count

DOCS = 40000


@pytest.fixture(scope="module")
def big(new_tenant):
    t = new_tenant("bigexp")
    now = dt.datetime.now(dt.timezone.utc)
    filler = "lorem ipsum dolor sit amet " * 6
    for start in range(0, DOCS, 5000):
        docs = [{"@timestamp": (now - dt.timedelta(seconds=i)).strftime(
                     "%Y-%m-%dT%H:%M:%SZ"),
                 "level": "INFO", "service": "export",
                 "message": f"row {i} {filler}"}
                for i in range(start, start + 5000)]
        r = t["api"].post("/api/v1/ingest", json=docs, timeout=120)
        assert r.status_code == 200, r.text
        assert r.json()["rejected"] == 0, r.text
    assert es_count(t, {"match_all": {}}) == DOCS
    yield t
    drop_indices(t)


def test_a_slow_reader_gets_the_whole_export(big, base_url):
    host, port = base_url.split("//", 1)[1].rsplit(":", 1)
    auth = big["api"].session.headers["Authorization"]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((host, int(port)))
    try:
        sock.sendall(f"GET /api/v1/logs/export.csv HTTP/1.1\r\n"
                     f"Host: {host}\r\nAuthorization: {auth}\r\n\r\n"
                     .encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            assert chunk, data
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200"), head
        length = next(int(line.split(b":", 1)[1]) for line in
                      head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        # More than the kernel's largest send buffer (4 MiB here).
        assert length > 6_000_000, length
        started = time.monotonic()
        per_second = length / 25
        while len(body) < length:
            chunk = sock.recv(min(16384, length - len(body)))
            assert chunk, f"closed after {len(body)} of {length} bytes"
            body += chunk
            ahead = len(body) / per_second - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        assert time.monotonic() - started > 20
        # The connection still serves a next request.
        sock.sendall(f"GET /api/v1/ping HTTP/1.1\r\nHost: {host}\r\n\r\n"
                     .encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        sock.close()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert rows[0][0] == "id" and len(rows) - 1 == DOCS
    assert len({row[0] for row in rows[1:]}) == DOCS
