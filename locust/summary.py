#!/usr/bin/env python3
"""Summary of one locust/run.sh report folder, as Markdown tables.

    locust/summary.py var/locust/<time>/

Per endpoint, as the clients saw it (stats_stats.csv): requests, failures,
requests/s, p50/p95/p99 in ms. Per route, as the server measured it
(metrics_before.txt / metrics_after.txt): requests and mean time, from
vigie_http_request_duration_seconds. CPU (cpu.csv): mean and peak per
sampled process, and the machine's busy share. stress_steps.csv as is.
"""
import csv
import re
import sys
from pathlib import Path


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def metrics(path):
    sums, counts = {}, {}
    if not path.exists():
        return sums, counts
    for line in path.read_text().splitlines():
        m = re.match(r'vigie_http_request_duration_seconds_(sum|count)\{route="([^"]+)"\} (\S+)', line)
        if m:
            (sums if m.group(1) == "sum" else counts)[m.group(2)] = float(m.group(3))
    return sums, counts


def main(folder):
    d = Path(folder)
    rows = []
    with open(d / "stats_stats.csv") as f:
        for r in csv.DictReader(f):
            rows.append([r["Type"] + " " + r["Name"] if r["Type"] else "**all**",
                         r["Request Count"], r["Failure Count"],
                         f'{float(r["Requests/s"]):.1f}', r["50%"], r["95%"], r["99%"]])
    print(table(["endpoint", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms"], rows))
    s0, c0 = metrics(d / "metrics_before.txt")
    s1, c1 = metrics(d / "metrics_after.txt")
    srv = []
    for route in sorted(c1):
        n = c1[route] - c0.get(route, 0)
        if n > 0:
            srv.append([route, int(n), f"{1000 * (s1[route] - s0.get(route, 0)) / n:.1f}"])
    if srv:
        print()
        print(table(["route (server side)", "requests", "mean ms"], srv))
    if (d / "cpu.csv").exists():
        with open(d / "cpu.csv") as f:
            data = list(csv.DictReader(f))
        if data:
            print()
            cols = [c for c in data[0] if c.endswith("_pct")]
            print(table(["process", "mean % of one core", "peak"],
                        [[c.replace("_cpu_pct", "").replace("_pct", ""),
                          f"{sum(float(r[c]) for r in data) / len(data):.0f}",
                          f"{max(float(r[c]) for r in data):.0f}"] for c in cols]))
            print(f"\nload average (1 min) during the run: "
                  f"{min(float(r['load1']) for r in data):.1f} to {max(float(r['load1']) for r in data):.1f}")
    if (d / "stress_steps.csv").exists():
        with open(d / "stress_steps.csv") as f:
            data = list(csv.reader(f))
        print()
        print(table(data[0], data[1:]))


if __name__ == "__main__":
    main(sys.argv[1])
