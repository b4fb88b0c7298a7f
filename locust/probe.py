#!/usr/bin/env python3
"""Where a request's time goes while a load test runs: every --every
seconds, one request of each kind, timed from outside, into a CSV.

    probe.py --out probe.csv --seconds 300 --host http://127.0.0.1:18117 \
        --es http://127.0.0.1:19200 --mongo mongodb://127.0.0.1:37017/ --mongo-db vigie_load \
        --redis redis://127.0.0.1:16379/7

Columns (milliseconds):
  ping_ms        GET /api/v1/ping: answered on Kore's event loop, no task
                 thread, no service;
  health_ms      GET /health: three checks run on Kore's task threads;
  health_es_ms, health_mongo_ms, health_redis_ms
                 the latencies /health itself reports for each dependency;
  es_direct_ms, mongo_direct_ms, redis_direct_ms
                 the same services asked directly, bypassing Vigie
                 (ES _cluster/health, a find on the files collection, PING);
  in_flight      vigie_http_requests_in_flight from /metrics.
A gap between health_ms and the dependencies' own latencies is time spent
waiting for a task thread. Only 127.0.0.1 addresses are accepted.
"""
import argparse
import csv
import re
import time
from urllib.parse import urlsplit

import pymongo
import redis
import requests


def local(url):
    if urlsplit(url).hostname != "127.0.0.1":
        raise SystemExit(f"probe: refusing {url}: 127.0.0.1 only")
    return url.rstrip("/")


def timed(fn):
    t = time.perf_counter()
    try:
        out = fn()
    except Exception:  # a failed probe is a blank cell, not a crash
        return "", None
    return round(1000 * (time.perf_counter() - t), 1), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--every", type=float, default=2)
    ap.add_argument("--host", required=True)
    ap.add_argument("--es", required=True)
    ap.add_argument("--mongo", required=True)
    ap.add_argument("--mongo-db", required=True)
    ap.add_argument("--redis", required=True)
    a = ap.parse_args()
    host, es = local(a.host), local(a.es)
    local(a.mongo)
    local(a.redis)
    http = requests.Session()
    mongo = pymongo.MongoClient(a.mongo, serverSelectionTimeoutMS=5000)
    files = mongo[a.mongo_db]["files"]
    rds = redis.Redis.from_url(a.redis, socket_timeout=5)
    cols = ["t_s", "ping_ms", "health_ms", "health_es_ms", "health_mongo_ms",
            "health_redis_ms", "es_direct_ms", "mongo_direct_ms", "redis_direct_ms",
            "in_flight"]
    t0 = time.monotonic()
    with open(a.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        while time.monotonic() - t0 < a.seconds:
            row = {"t_s": round(time.monotonic() - t0, 1)}
            row["ping_ms"], _ = timed(lambda: http.get(f"{host}/api/v1/ping", timeout=30).raise_for_status())
            row["health_ms"], r = timed(lambda: http.get(f"{host}/health", timeout=30))
            try:
                deps = r.json()["dependencies"]
                for name in ("elasticsearch", "mongodb", "redis"):
                    short = {"elasticsearch": "es", "mongodb": "mongo", "redis": "redis"}[name]
                    row[f"health_{short}_ms"] = deps[name].get("latency_ms", "")
            except Exception:
                pass
            row["es_direct_ms"], _ = timed(lambda: http.get(f"{es}/_cluster/health", timeout=30).raise_for_status())
            row["mongo_direct_ms"], _ = timed(lambda: list(files.find({}).sort("created_at", -1).limit(20)))
            row["redis_direct_ms"], _ = timed(rds.ping)
            _, m = timed(lambda: http.get(f"{host}/metrics", timeout=30).text)
            if m:
                found = re.search(r"^vigie_http_requests_in_flight (\d+)", m, re.M)
                row["in_flight"] = found.group(1) if found else ""
            w.writerow(row)
            f.flush()
            time.sleep(max(0.0, a.every - (time.monotonic() - t0 - row["t_s"])))


if __name__ == "__main__":
    main()
