"""store/es_bulk.c against the real Elasticsearch: runs the C test program
build/tests/store/test_es_bulk (built by 'make all') for a tenant signed
up here. It indexes 10,000 documents, sends them again without a
duplicate, checks that one bad document is reported with its line and
reason, and deletes what it created."""
import os
import subprocess

import requests

from conftest import ROOT

# VIGIE_BUILD_DIR: the build folder under test (build-cov for make coverage).
BINARY = ROOT / os.environ.get("VIGIE_BUILD_DIR", "build") / "tests/store/test_es_bulk"


def test_es_bulk_send_against_elasticsearch(new_tenant):
    assert BINARY.exists(), f"{BINARY} is not built: run 'make all'"
    t = new_tenant("esbulk")
    env = dict(os.environ, VIGIE_TEST_TENANT_ID=t["tenant"]["id"],
               VIGIE_TEST_TENANT_SLUG=t["slug"])
    run = subprocess.run([str(BINARY)], env=env, capture_output=True,
                         text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    assert "SKIPPED" not in out, out[-6000:]
    assert "[  PASSED  ] 3 test(s)." in out
    assert "rejected line 503: document_parsing_exception" in out
    assert "[log.level]" in out

    es = os.environ["VIGIE_ES_URL"].rstrip("/")
    left = requests.get(f"{es}/_cat/indices/logs-{t['slug']}-*?format=json",
                        timeout=30)
    assert left.status_code == 200
    assert left.json() == []
