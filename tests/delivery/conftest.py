"""Shared helpers of the delivery tests (scripts/delivery-check.sh tests)."""
import os
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".cache" / "bin"


def tool(name):
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/install.sh delivery")
    return str(path)


@pytest.fixture(scope="session")
def compose_config():
    """docker-compose.yml resolved by composecheck (all profiles on)."""
    env = dict(os.environ)
    env["VIGIE_JWT_SECRET"] = "delivery-tests-placeholder-0123456789abcdef"
    out = subprocess.run(
        [tool("composecheck"), "-env-file", "/dev/null", "-profile", "tls",
         str(ROOT / "docker-compose.yml")],
        check=True, capture_output=True, text=True, env=env)
    return yaml.safe_load(out.stdout)


def helm_template(values, *extra):
    out = subprocess.run(
        [tool("helm"), "template", "vigie", str(ROOT / "helm/vigie"),
         "--namespace", "vigie", "--kube-version", "1.30.0",
         "-f", str(ROOT / "helm/vigie" / values), *extra],
        check=True, capture_output=True, text=True)
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def workflow(name):
    return yaml.safe_load((ROOT / ".github/workflows" / name).read_text())
