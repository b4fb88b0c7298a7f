"""Alert evaluation with Elasticsearch unreachable (service/alerting_eval.c
through the C program build/tests/store/test_alert_eval_down, built by
'make all'): the error is recorded on the rule, never a silent "nothing
fires", and clears once Elasticsearch answers again. Nothing is stopped:
the program is pointed at a closed port."""
import os
import socket
import subprocess

from conftest import ROOT

BINARY = ROOT / "build/tests/store/test_alert_eval_down"


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_elasticsearch_is_an_error_on_the_rule():
    assert BINARY.exists(), f"{BINARY} is not built: run 'make all'"
    env = dict(os.environ, VIGIE_ES_URL=f"http://127.0.0.1:{closed_port()}",
               VIGIE_ES_TIMEOUT_MS="1000",
               VIGIE_TEST_ES_URL_UP=os.environ["VIGIE_ES_URL"])
    run = subprocess.run([str(BINARY)], env=env, capture_output=True,
                         text=True, timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    assert "[  PASSED  ] 1 test(s)." in out, out[-4000:]
    assert "SKIPPED" not in out
    assert "recorded: elasticsearch unreachable" in out
