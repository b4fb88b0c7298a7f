"""Answers stored after the request (cache_answer_put_later(), see
src/store/cache.h): the C program build/tests/store/test_cache_later
checks them against the real Redis with a tenant id of its own; the
keys it leaves are removed here."""
import os
import secrets
import subprocess

from conftest import ROOT

BINARY = ROOT / "build/tests/store/test_cache_later"


def test_cache_answers_stored_after_the_request(redis):
    assert BINARY.exists(), f"{BINARY} is not built: run 'make all'"
    tid = secrets.token_hex(12)
    try:
        run = subprocess.run([str(BINARY)],
                             env=dict(os.environ, VIGIE_TEST_TENANT_ID=tid),
                             capture_output=True, text=True, timeout=120)
        out = run.stdout + run.stderr
        assert run.returncode == 0, out[-4000:]
        assert "[  PASSED  ] 5 test(s)." in out, out[-4000:]
        # Every answer under the tenant's prefix, with its TTL.
        keys = redis.keys(f"t:{tid}:cache:search:*")
        assert len(keys) >= 200
        assert all(0 < redis.ttl(k) <= 30 for k in keys[:20])
    finally:
        keys = redis.keys(f"t:{tid}:*")
        if keys:
            redis.delete(*keys)
