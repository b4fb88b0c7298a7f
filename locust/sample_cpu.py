#!/usr/bin/env python3
"""CPU use of named processes (and their children) during a load test.

    sample_cpu.py --out cpu.csv --seconds 120 [--every 5] LABEL=PID...

Every --every seconds, for each LABEL, the CPU time (user + system) used by
PID and all its descendants since the previous sample, as a percentage of
one core; also the whole machine's busy percentage of all cores (from
/proc/stat) and the load average. One CSV row per sample. Stops after
--seconds, or when every PID has exited. Reads /proc only (Linux).
"""
import argparse
import csv
import os
import time

TICK = os.sysconf("SC_CLK_TCK")


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += children(p)
    return seen


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def machine():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--every", type=float, default=5)
    ap.add_argument("targets", nargs="+", help="LABEL=PID")
    a = ap.parse_args()
    targets = [(t.split("=", 1)[0], int(t.split("=", 1)[1])) for t in a.targets]
    labels = [label for label, _ in targets]
    prev = {label: sum(cpu_ticks(p) for p in tree(pid)) for label, pid in targets}
    busy0, all0 = machine()
    t0 = last = time.monotonic()
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_s"] + [f"{label}_cpu_pct" for label in labels]
                   + ["machine_busy_pct", "load1"])
        while time.monotonic() - t0 < a.seconds:
            time.sleep(a.every)
            now = time.monotonic()
            dt = now - last
            last = now
            row = [round(now - t0, 1)]
            alive = False
            for label, pid in targets:
                procs = tree(pid) if os.path.exists(f"/proc/{pid}") else []
                alive = alive or bool(procs)
                ticks = sum(cpu_ticks(p) for p in procs)
                row.append(round(100 * max(ticks - prev[label], 0) / TICK / dt, 1))
                prev[label] = ticks
            busy1, all1 = machine()
            row.append(round(100 * (busy1 - busy0) / max(all1 - all0, 1), 1))
            busy0, all0 = busy1, all1
            row.append(os.getloadavg()[0])
            w.writerow(row)
            f.flush()
            if not alive:
                break


if __name__ == "__main__":
    main()
