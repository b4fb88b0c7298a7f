"""locust/: the load test stays on this machine and within its bounds."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

URLS = {"http://127.0.0.1:18117": True, "http://127.0.0.1": True,
        "http://localhost:8080": False, "https://127.0.0.1:8443": False,
        "http://10.0.0.1:8080": False, "http://127.0.0.1.example.com": False,
        "http://127.0.0.1:99999": False}


def test_only_plain_http_to_loopback_is_a_target():
    # Locust patches the standard library with gevent on import: in a
    # process of its own, not in pytest's.
    code = ("import json, sys, locustfile; "
            "print(json.dumps({u: locustfile.host_is_allowed(u) for u in json.loads(sys.argv[1])}))")
    r = subprocess.run([sys.executable, "-c", code, json.dumps(list(URLS))],
                       cwd=ROOT / "locust", capture_output=True, text=True, check=True)
    assert json.loads(r.stdout.strip().splitlines()[-1]) == URLS


@pytest.mark.parametrize("args", [
    ["--host", "http://192.168.1.10:8080"], ["--host", "http://127.0.0.1:1", "--run-time", "2h"],
    ["--host", "http://127.0.0.1:1", "--users", "5000"], ["--bogus"]])
def test_run_script_refuses_before_sending_anything(args):
    r = subprocess.run([str(ROOT / "locust/run.sh"), *args], capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr


def test_the_mix_covers_the_product():
    text = (ROOT / "locust/locustfile.py").read_text()
    for path in ("/api/v1/auth/login", "/api/v1/stats", "/api/v1/logs",
                 "/api/v1/logs/{id}", "/api/v1/files", "/api/v1/ingest"):
        assert f'name="{path}"' in text, path
