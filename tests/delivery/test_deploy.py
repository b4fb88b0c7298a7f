"""scripts/deploy.sh against stand-ins for helm and curl that record their
calls: the deploy is atomic, smoke-tested, and rolled back when the smoke
test fails."""
import json
import os
import stat
import subprocess

import pytest

from conftest import ROOT

STUB = r'''#!/usr/bin/env python3
import json, os, sys
with open(os.environ["STUB_LOG"], "a") as f:
    f.write(json.dumps([os.path.basename(sys.argv[0])] + sys.argv[1:]) + "\n")
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
if name == "curl":
    sys.stdout.write(os.environ.get("STUB_HTTP_CODE", "200"))
    sys.exit(0)
cmd = args[0]
if cmd == "status":
    rev = os.environ.get("STUB_DEPLOYED_REVISION")
    if not rev:
        sys.stderr.write("Error: release: not found\n")
        sys.exit(1)
    print(json.dumps({"version": int(rev), "info": {"status": "deployed"}}))
elif cmd == "upgrade":
    sys.exit(int(os.environ.get("STUB_UPGRADE_RC", "0")))
elif cmd == "test":
    sys.exit(int(os.environ.get("STUB_TEST_RC", "0")))
'''


@pytest.fixture
def deploy(tmp_path):
    for name in ("helm", "curl"):
        p = tmp_path / name
        p.write_text(STUB)
        p.chmod(p.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"

    def run(*args, **env):
        log.write_text("")
        e = dict(os.environ, HELM=str(tmp_path / "helm"), CURL=str(tmp_path / "curl"),
                 STUB_LOG=str(log), SMOKE_TRIES="3", SMOKE_DELAY_S="0",
                 GITHUB_REPOSITORY="Acme/Vigie",
                 VIGIE_PUBLIC_URL="https://staging.example.test")
        e.update({k: str(v) for k, v in env.items()})
        r = subprocess.run([str(ROOT / "scripts/deploy.sh"), *args], env=e,
                           capture_output=True, text=True)
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        return r, calls

    return run


def helm_calls(calls, cmd):
    return [c for c in calls if c[0] == "helm" and c[1] == cmd]


def test_success_upgrades_atomically_and_smoke_tests(deploy):
    r, calls = deploy("staging", "sha-0123abcd", STUB_DEPLOYED_REVISION=4)
    assert r.returncode == 0, r.stdout + r.stderr
    (up,) = helm_calls(calls, "upgrade")
    assert {"--install", "--atomic", "--wait"} <= set(up)
    assert up[up.index("--namespace") + 1] == "vigie-staging"
    assert up[up.index("--values") + 1].endswith("helm/vigie/values-staging.yaml")
    assert "image.repository=ghcr.io/acme/vigie" in up
    assert "image.tag=sha-0123abcd" in up
    assert helm_calls(calls, "test")
    assert [c for c in calls if c[0] == "curl"][0][-1] == "https://staging.example.test/health"
    assert not helm_calls(calls, "rollback")


def test_failed_smoke_test_rolls_back_to_the_previous_revision(deploy):
    r, calls = deploy("production", "1.4.0", STUB_DEPLOYED_REVISION=7,
                      STUB_HTTP_CODE="503")
    assert r.returncode == 1
    assert len([c for c in calls if c[0] == "curl"]) == 3
    (rb,) = helm_calls(calls, "rollback")
    assert rb[2:4] == ["vigie", "7"] and "--wait" in rb
    assert rb[rb.index("--namespace") + 1] == "vigie-production"


def test_failed_helm_test_rolls_back_without_asking_outside(deploy):
    r, calls = deploy("staging", "sha-1", STUB_DEPLOYED_REVISION=2, STUB_TEST_RC=1)
    assert r.returncode == 1
    assert not [c for c in calls if c[0] == "curl"]
    assert helm_calls(calls, "rollback")[0][3] == "2"


def test_first_install_failing_its_smoke_test_fails_without_rollback(deploy):
    r, calls = deploy("staging", "sha-1", STUB_HTTP_CODE="000")
    assert r.returncode == 1
    assert not helm_calls(calls, "rollback")
    assert "nothing to roll back to" in r.stdout


def test_failed_upgrade_stops_before_the_smoke_test(deploy):
    # --atomic: helm has already rolled the release back itself.
    r, calls = deploy("staging", "sha-1", STUB_DEPLOYED_REVISION=3, STUB_UPGRADE_RC=1)
    assert r.returncode != 0
    assert not helm_calls(calls, "test") and not helm_calls(calls, "rollback")


@pytest.mark.parametrize("args", [("qa", "sha-1"), ("staging", "bad tag;rm"), ("staging",)])
def test_bad_arguments_deploy_nothing(deploy, args):
    r, calls = deploy(*args)
    assert r.returncode == 2
    assert not calls
