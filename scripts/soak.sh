#!/usr/bin/env bash
# The fault soak: MESSAGES messages (default 100,000) through an SMTPPool of 4 connections to a
# server on loopback that fails at random (disconnects at every phase and part-way through the
# body, 421 and 451 replies, stalls past the timeouts, replies written byte by byte). Then it joins
# the client's outcomes with what the server kept, by Message-ID, and checks descriptors and memory.
#
#   scripts/soak.sh [MESSAGES] [SEED]
#
# Prints the counts; exits 1 when a delivered message is missing, one arrived twice, a failed one
# arrived, a body was sent twice, or memory, descriptors or the 40 MB peak are off. Docs/Reliability.md
# records a run.
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-100000}
seed=${2:-2026}
swift build -c release --product smtp-soak 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
binary="$(swift build -c release --product smtp-soak --show-bin-path)/smtp-soak"
"$binary" --messages "$messages" --connections 4 --seed "$seed"
