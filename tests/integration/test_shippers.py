"""The proof with a real shipper nobody here wrote: Fluent Bit's `tail`
input and `es` output send the 10,000-line Apache log to Vigie's /_bulk
with an API key as HTTP password, and every line becomes searchable in
the key's tenant (and nowhere else).

Needs a Fluent Bit binary (scripts/fluentbit.sh build <source>): at
$VIGIE_FLUENTBIT or /work/fluentbit-build/bin/fluent-bit. Skipped
otherwise (CI machines have none). Figures: docs/SHIPPERS.md."""
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, wait_for, shared_data

ES = os.environ.get("VIGIE_ES_URL", "")
# Fluent Bit's apache2 parser (conf/parsers.conf), in Python's syntax.
APACHE2 = re.compile(
    r'^(?P<host>[^ ]*) [^ ]* (?P<user>[^ ]*) \[(?P<time>[^\]]*)\] '
    r'"(?P<method>\S+)(?: +(?P<path>[^ ]*) +\S*)?" (?P<code>[^ ]*) '
    r'(?P<size>[^ ]*)(?: "(?P<referer>[^\"]*)" "(?P<agent>.*)")?$')
BINARY = Path(os.environ.get("VIGIE_FLUENTBIT",
                             "/work/fluentbit-build/bin/fluent-bit"))

pytestmark = pytest.mark.skipif(
    not (BINARY.is_file() and os.access(BINARY, os.X_OK)),
    reason=f"no Fluent Bit binary at {BINARY} (set VIGIE_FLUENTBIT, or "
           "build one with scripts/fluentbit.sh build <source dir>)")


def es_count(tenant_id, query=None):
    requests.post(f"{ES}/vigie-t-{tenant_id}/_refresh", timeout=30)
    r = requests.post(f"{ES}/vigie-t-{tenant_id}/_count",
                      params={"ignore_unavailable": "true",
                              "allow_no_indices": "true"},
                      json={"query": query or {"match_all": {}}}, timeout=30)
    return r.json().get("count", 0)


@pytest.mark.parametrize("compress", ["", "gzip"])
def test_fluent_bit_ships_the_apache_log_completely(new_tenant, base_url,
                                                    tmp_path, compress):
    log = shared_data("apache_access_10k.log")
    lines = sum(1 for line in log.read_bytes().splitlines() if line.strip())
    t = new_tenant("fluentbit")
    other = new_tenant("fbother")
    r = t["api"].post("/api/v1/api-keys",
                      json={"name": "fluent-bit", "scopes": ["ingest"]})
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    # tail remembers nothing between runs (no DB): a copy under a fresh
    # name is read from its head.
    copy = tmp_path / "access.log"
    copy.write_bytes(log.read_bytes())

    start = time.monotonic()
    run = subprocess.run(
        [ROOT / "scripts/fluentbit.sh", "ship", base_url, key, str(copy),
         str(BINARY)], capture_output=True, text=True, timeout=300,
        env={**os.environ, "FLUENTBIT_COMPRESS": compress})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    output = run.stdout + run.stderr
    assert "[error]" not in output and "[warn]" not in output, \
        output[-3000:]
    tid = t["tenant"]["id"]
    got = wait_for(lambda: es_count(tid) == lines or None, 60, 0.5)
    elapsed = time.monotonic() - start
    shipped = [x for x in run.stdout.splitlines() if x.startswith("shipped")]
    print(f"\nFluent Bit ({compress or 'plain'}): {lines} lines, {shipped[-1] if shipped else '?'}"
          f"; all searchable after {elapsed:.1f} s (count {es_count(tid)})")
    assert got, f"{es_count(tid)} of {lines} documents"
    assert es_count(tid) == lines == 10000
    # Mapped as Vigie maps JSON: ECS fields, the lines' own timestamps.
    assert es_count(tid, {"term": {"http.response.status_code": 404}}) > 0
    # Lines Fluent Bit's apache2 regex refuses (the file's last line is
    # cut short) are sent as {"log": line}: Vigie keeps them as messages.
    parsed = sum(1 for line in log.read_text().splitlines()
                 if APACHE2.match(line))
    assert es_count(tid, {"exists": {"field": "client.ip"}}) == parsed
    assert parsed >= lines - 1
    assert es_count(tid, {"term": {"vigie.ingest_source": "bulk"}}) == lines
    assert es_count(other["tenant"]["id"]) == 0
