#!/usr/bin/env bash
# Times `smtp-connector validate` on a generated config of about 1 MB (a Logto SMTP config with
# 4,000 templates), to show that parsing stays linear in the file's size. Prints the median of
# RUNS (default 5) wall-clock times in milliseconds.
# Usage: scripts/bench-config.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
swift build -c release --product smtp-connector >/dev/null
bin=$(swift build -c release --show-bin-path)/smtp-connector
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$work/big.json" <<'PY'
import json, sys
templates = [{"usageType": "Generic", "type": "text/plain", "subject": f"Code {i}",
              "content": "Your code is {{code}}. " * 8 + f"({i})"} for i in range(4000)]
config = {"host": "127.0.0.1", "port": 2525, "fromEmail": "noreply@example.test", "templates": templates}
open(sys.argv[1], "w").write(json.dumps(config, indent=2))
PY
python3 - "$bin" "$work/big.json" "$RUNS" <<'PY'
import os, statistics, subprocess, sys, time
binary, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(runs):
    start = time.perf_counter()
    # Exit 1 is expected (4,000 Generic templates are duplicates); only the parse time matters.
    subprocess.run([binary, "validate", "--config", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"config {os.path.getsize(path)} bytes: validate median {statistics.median(times):.0f} ms over {runs} runs")
PY
