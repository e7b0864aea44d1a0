#!/usr/bin/env bash
# The whole test suite under a sanitizer: scripts/sanitize.sh thread | address
#
# It is scripts/test.sh (the same Postfix instance, the same tests) built with --sanitize=SANITIZER
# in .build/sanitize-SANITIZER. A report fails the run: TSan and ASan make the process exit non-zero
# (halt_on_error), and Swift Testing counts a crashed test as failed. Docs/Reliability.md says when
# CI runs it and what each sanitizer found.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizer=${1:-}
case "$sanitizer" in
    thread|address) ;;
    *) echo "usage: scripts/sanitize.sh thread|address" >&2; exit 2 ;;
esac
# Swift's crash backtracer and the sanitizers both want to report a crash; the sanitizer's report is
# the one that names the race or the bad access.
export SWIFT_BACKTRACE=enable=no
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 ${ASAN_OPTIONS:-}"
export TEST_SWIFT_FLAGS="--sanitize=$sanitizer --scratch-path .build/sanitize-$sanitizer"
exec bash scripts/test.sh
