#!/usr/bin/env bash
# Runs scripts/test.sh RUNS times in a row (default 3) while stress-ng keeps every core busy, as a
# host app's other work would: the suite must stay green on a loaded machine (Docs/Reliability.md).
# stress-ng (Debian's package) is installed by test.sh when run as root; it is started here, in a
# process group of its own, and stopped when this script ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
if ! command -v stress-ng >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q stress-ng >/dev/null
    else
        echo "test-under-load.sh: stress-ng is missing; install Debian's stress-ng package (or run as root)" >&2
        exit 1
    fi
fi
cores=$(nproc)
setsid stress-ng --cpu "$cores" --cpu-method matrixprod --quiet &
stress_pid=$!
stop_stress() { kill -TERM -- "-$stress_pid" 2>/dev/null || kill -TERM "$stress_pid" 2>/dev/null || true; wait "$stress_pid" 2>/dev/null || true; }
trap stop_stress EXIT
sleep 1
kill -0 "$stress_pid" || { echo "test-under-load.sh: stress-ng did not start" >&2; exit 1; }
echo "test-under-load.sh: stress-ng --cpu $cores running (pid $stress_pid)" >&2
for run in $(seq 1 "$runs"); do
    echo "test-under-load.sh: run $run of $runs" >&2
    log=$(mktemp)
    set +e
    bash scripts/test.sh > "$log" 2>&1
    status=$?
    set -e
    grep -E "^(✔|✘) Test run" "$log" >&2 || true
    if [ "$status" != 0 ]; then
        echo "test-under-load.sh: run $run FAILED (exit $status); the failures:" >&2
        grep -E "^✘|error:|FAIL" "$log" | head -40 >&2
        tail -5 "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
done
echo "test-under-load.sh: $runs loaded runs passed" >&2
