#!/usr/bin/env python3
"""Runs a command and prints one line: `wall_s user_s sys_s maxrss_kb | <the command's last stdout line>`.
Used by scripts/bench-smtp.sh for CPU per message and peak memory."""
import resource
import subprocess
import sys
import time

start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
last = (result.stdout.strip().splitlines() or [""])[-1]
print(f"{wall:.3f} {usage.ru_utime:.3f} {usage.ru_stime:.3f} {usage.ru_maxrss} | {last}")
