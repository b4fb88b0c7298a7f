#!/usr/bin/env python3
"""The files of the Docker build context: those git tracks, less what
.dockerignore excludes (Docker's rules: patterns match paths and their
parent folders, `**/` any depth, the last matching pattern wins, `!`
re-includes).

    scripts/docker-context.py list          print the files
    scripts/docker-context.py copy DIR      copy them into DIR (make it empty)
"""
import fnmatch
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def patterns():
    out = []
    with open(os.path.join(ROOT, ".dockerignore")) as f:
        for raw in f:
            line = raw.strip()
            if line and not line.startswith("#"):
                out.append((line.startswith("!"), line.lstrip("!")))
    return out


def excluded(path, pats=None):
    pats = patterns() if pats is None else pats
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for negate, pat in pats:
        if any(fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, pat.replace("**/", ""))
               for p in prefixes):
            result = not negate
    return result


def context_files():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split("\n")
    pats = patterns()
    return [f for f in tracked if f and not excluded(f, pats)]


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        print("\n".join(context_files()))
    elif len(argv) == 3 and argv[1] == "copy":
        for f in context_files():
            dst = os.path.join(argv[2], f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), dst)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
