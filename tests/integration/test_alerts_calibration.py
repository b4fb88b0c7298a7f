"""Threshold calibration (POST /api/v1/alert-rules/calibrate) on a
realistic synthetic history, generated with a fixed seed and ingested:
six weeks of web traffic with a daily cycle, quieter weekends, traffic and
error ratios that drift from one 5-minute window to the next, and rare
incidents. For each metric the threshold is fitted on the first half of
the windows; on the second half, which it never saw, it fires in 0.5% to
1.5% of the windows. The same calibration runs as a worker job."""
import math
import random
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests

from alerting import ES, ingest, iso, refresh
from conftest import wait_for

DAYS = 42  # six whole weeks: each half holds three
WINDOW_S = 300
URLS = ["/cart", "/pay"]
USERS = ["ann", "bob"]


def history(end, seed=20261121):
    """The documents of DAYS days of 5-minute windows ending at end. The
    cycles follow the window's rank, not the wall clock, so every run
    gets the same history."""
    rnd = random.Random(seed)
    n = DAYS * 86400 // WINDOW_S
    start = end - timedelta(seconds=n * WINDOW_S)
    docs = []
    for w in range(n):
        t0 = start + timedelta(seconds=w * WINDOW_S)
        hour = (w % 288) / 12
        daily = 1 + 0.5 * math.sin(2 * math.pi * (hour - 8) / 24)
        weekend = 0.7 if (w // 288) % 7 >= 5 else 1.0
        rate = 16 * daily * weekend * math.exp(rnd.gauss(0, 0.25))
        p_err = 0.06 * math.exp(rnd.gauss(0, 0.5))
        if rnd.random() < 0.004:
            p_err += rnd.uniform(0.1, 0.4)  # an incident
        count = max(0, int(round(rnd.gauss(rate, math.sqrt(rate)))))
        for _ in range(count):
            err = rnd.random() < min(p_err, 0.95)
            docs.append({
                "@timestamp": iso(t0 + timedelta(
                    seconds=rnd.uniform(0, WINDOW_S - 0.01))),
                "service": "web",
                "level": "error" if err else "info",
                "status": rnd.choice((500, 502, 404)) if err else 200,
                "path": rnd.choice(URLS), "user": rnd.choice(USERS),
                "message": "request"})
    return docs


@pytest.fixture(scope="module")
def shop(new_tenant):
    t = new_tenant("calib")
    now = datetime.now(timezone.utc)
    end = now - timedelta(seconds=now.timestamp() % WINDOW_S)
    ingest(t["api"], history(end), batch=10000)
    refresh(t)
    yield t
    # Six weeks are 43 daily indices: give the shards back.
    r = requests.get(f"{ES}/_cat/indices/logs-{t['slug']}-*",
                     params={"format": "json", "h": "index"}, timeout=30)
    own = re.compile(
        rf"^logs-{re.escape(t['slug'])}-\d{{4}}\.\d{{2}}\.\d{{2}}$")
    for index in [x["index"] for x in r.json() if own.match(x["index"])]:
        requests.delete(f"{ES}/{index}", timeout=60)


BODY = {"history": f"{DAYS}d", "window": "5m", "target": 0.01,
        "fit_share": 0.5, "min_volume": 5, "query": {"service": ["web"]}}


def check(result):
    assert result["windows"] == DAYS * 288
    names = {m["metric"] for m in result["metrics"]}
    assert names == {"count", "errors", "error_rate", "error_rate_by_url",
                     "error_rate_by_user"}
    for m in result["metrics"]:
        assert m["fit_windows"] == m["held_out_windows"] == DAYS * 144
        assert 0.005 <= m["expected_rate"] <= 0.015, m
        assert 0.005 <= m["held_out_rate"] <= 0.015, m
        assert m["threshold"] > 0, m


def test_thresholds_fire_in_one_percent_of_unseen_windows(shop):
    r = shop["api"].post("/api/v1/alert-rules/calibrate", json=BODY,
                         timeout=300)
    assert r.status_code == 200, r.text
    check(r.json())
    rates = {m["metric"]: m for m in r.json()["metrics"]}
    assert rates["error_rate"]["rule_type"] == "error_rate"
    assert rates["error_rate_by_url"]["group_by"] == "url.path"
    assert 0 < rates["error_rate"]["threshold"] < 1


def test_the_worker_job_gives_the_same_answer(shop, new_tenant):
    api = shop["api"]
    r = api.post("/api/v1/alert-rules/calibrate", params={"async": "1"},
                 json=BODY)
    assert r.status_code == 202, r.text
    url = r.json()["url"]
    assert r.headers["Location"] == url
    done = wait_for(lambda: (lambda d: d if d["status"] != "pending"
                             else None)(api.get(url).json()), 120, 0.5)
    assert done and done["status"] == "done", done
    check(done["result"])
    stranger = new_tenant("calibstranger")
    assert stranger["api"].get(url).status_code == 404


@pytest.mark.parametrize("change", [
    {"history": "1h"}, {"history": "400d"}, {"window": "7m"},
    {"target": 0}, {"target": 0.9}, {"fit_share": 0.01},
    {"query": {"level": ["NOPE"]}}, {"extra": 1}])
def test_bad_calibrations_are_422(shop, change):
    body = dict(BODY)
    body.update(change)
    r = shop["api"].post("/api/v1/alert-rules/calibrate", json=body)
    assert r.status_code == 422, r.text
