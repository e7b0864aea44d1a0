#!/usr/bin/env bash
# Composes the same messages with our MessageComposer (release build), nodemailer's MailComposer
# (Debian's node-nodemailer) and Python's email package, in one run, and prints a Markdown table
# for Docs/Performance.md.
#   (1) 2 KB text+HTML messages: messages per second
#   (2) a 5 MB attachment: MB per second of output (base64)
# Usage: scripts/bench-mime.sh [SMALL_COUNT] [ATTACHMENT_REPEATS]   (as root it installs node-nodemailer)
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${1:-20000}
REPEATS=${2:-20}
PY_SMALL=$(( SMALL / 4 ))

if ! [ -d /usr/share/nodejs/nodemailer ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs node-nodemailer >/dev/null
    else
        echo "bench-mime: node-nodemailer is missing (apt-get install node-nodemailer)" >&2; exit 1
    fi
fi
export NODEMAILER_PATH=/usr/share/nodejs/nodemailer/lib/mail-composer
PYTHON=/usr/bin/python3; [ -x "$PYTHON" ] || PYTHON=python3

swift build -c release --product mime-benchmark >/dev/null
bin=$(swift build -c release --show-bin-path)/mime-benchmark

field() { "$PYTHON" -c "import json,sys; print(round(json.loads(sys.argv[1])[sys.argv[2]]))" "$1" "$2"; }

echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)" >&2
swift_small=$("$bin" small "$SMALL");                                   echo "swift   small: $swift_small" >&2
node_small=$(node scripts/bench/nodemailer-compose.js small "$SMALL");   echo "node    small: $node_small" >&2
py_small=$("$PYTHON" scripts/bench/python-email-compose.py small "$PY_SMALL"); echo "python  small: $py_small" >&2
swift_att=$("$bin" attachment 5 "$REPEATS");                                    echo "swift   5 MB: $swift_att" >&2
node_att=$(node scripts/bench/nodemailer-compose.js attachment 5 "$REPEATS");   echo "node    5 MB: $node_att" >&2
py_att=$("$PYTHON" scripts/bench/python-email-compose.py attachment 5 "$REPEATS"); echo "python  5 MB: $py_att" >&2

s1=$(field "$swift_small" messagesPerSecond); n1=$(field "$node_small" messagesPerSecond); p1=$(field "$py_small" messagesPerSecond)
s2=$(field "$swift_att" base64MBPerSecond); n2=$(field "$node_att" base64MBPerSecond); p2=$(field "$py_att" base64MBPerSecond)
ratio() { "$PYTHON" -c "import sys; a,b,c=map(float,sys.argv[1:]); print(f'{a/max(b,c):.1f}x')" "$1" "$2" "$3"; }

echo "| workload | MessageComposer (Swift) | nodemailer MailComposer | Python email | Swift vs the faster other |"
echo "|---|---|---|---|---|"
echo "| 2 KB text+HTML, messages/s | $s1 | $n1 | $p1 | $(ratio "$s1" "$n1" "$p1") |"
echo "| 5 MB attachment, MB/s of output | $s2 | $n2 | $p2 | $(ratio "$s2" "$n2" "$p2") |"
