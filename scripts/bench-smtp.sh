#!/usr/bin/env bash
# Sends the same load to Postfix's smtp-sink with our client (`smtp-connector bench`, release build)
# and with Postfix's own C load generator smtp-source, in one run, and prints a Markdown table.
# Usage: scripts/bench-smtp.sh [MESSAGES] [CONNECTIONS] [SIZE]   (needs postfix installed for smtp-sink/-source)
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${1:-20000}
CONNECTIONS=${2:-10}
SIZE=${3:-1000}
command -v smtp-sink >/dev/null || { echo "bench-smtp: smtp-sink missing (apt-get install postfix)" >&2; exit 1; }

swift build -c release --product smtp-connector >/dev/null
bin=$(swift build -c release --show-bin-path)/smtp-connector
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
user=$( [ "$(id -u)" = 0 ] && echo "-u nobody" || echo "")
# -c: count, 1000: backlog; accepts and discards on loopback only.
smtp-sink $user -c 127.0.0.1:$port 1000 >/dev/null &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
sleep 0.5

now() { python3 -c 'import time; print(time.perf_counter())'; }
rate() { python3 -c "import sys; print(round(float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

ours=$("$bin" bench --host 127.0.0.1 --port "$port" --messages "$MESSAGES" --connections "$CONNECTIONS" --size "$SIZE" | tail -1)
ours_s=${ours##*inner_s=}
echo "smtp-connector bench (pooled): $ours" >&2

start=$(now); smtp-source -d -s "$CONNECTIONS" -m "$MESSAGES" -l "$SIZE" 127.0.0.1:$port; end=$(now)
source_s=$(python3 -c "print($end - $start)")
echo "smtp-source -d: ${source_s}s" >&2

fresh_count=$(( MESSAGES / 10 ))
fresh=$("$bin" bench --host 127.0.0.1 --port "$port" --messages "$fresh_count" --connections "$CONNECTIONS" --size "$SIZE" --fresh | tail -1)
fresh_s=${fresh##*inner_s=}
echo "smtp-connector bench --fresh: $fresh" >&2
start=$(now); smtp-source -s "$CONNECTIONS" -m "$fresh_count" -l "$SIZE" 127.0.0.1:$port; end=$(now)
source_fresh_s=$(python3 -c "print($end - $start)")
echo "smtp-source (new connection per message): ${source_fresh_s}s" >&2

echo "| load ($SIZE-byte messages, $CONNECTIONS connections, smtp-sink on loopback) | smtp-connector bench | Postfix smtp-source |"
echo "|---|---|---|"
echo "| $MESSAGES messages, connections reused | $(rate "$MESSAGES" "$ours_s") msg/s | $(rate "$MESSAGES" "$source_s") msg/s |"
echo "| $fresh_count messages, a new connection each | $(rate "$fresh_count" "$fresh_s") msg/s | $(rate "$fresh_count" "$source_fresh_s") msg/s |"
