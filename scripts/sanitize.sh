#!/usr/bin/env bash
# The whole test suite under a sanitizer: scripts/sanitize.sh thread | address
#
# It is scripts/test.sh (the same Postfix instance, the same tests) built with --sanitize=SANITIZER
# in .build/sanitize-SANITIZER. A report fails the run: TSan and ASan make the process exit non-zero
# (halt_on_error), and Swift Testing counts a crashed test as failed. Before the suite, a canary
# with a deliberate bug (scripts/sanitizer-canary.swift) must be reported; after it, the test binary
# must carry the sanitizer's runtime. Docs/Reliability.md says when CI runs it and what each
# sanitizer found.
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
# Leaks inside the toolchain's own libraries, each with its reason in the file; the run prints which
# were used. Child processes (the CLI tests run the sanitized smtp-connector) inherit it.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt print_suppressions=1 ${LSAN_OPTIONS:-}"
scratch=.build/sanitize-$sanitizer

# First the canary: a deliberate data race (thread) or heap overflow (address), which must be
# reported. A sanitizer that reports nothing here would make a green suite prove nothing.
canary=$(mktemp -d)
trap 'rm -rf "$canary"' EXIT
swiftc -sanitize="$sanitizer" scripts/sanitizer-canary.swift -o "$canary/canary" 2> "$canary/build.log" \
    || { cat "$canary/build.log" >&2; echo "sanitize.sh: the canary did not build" >&2; exit 1; }
# The report must be the canary's own bug, not any sanitizer message (a SEGV, a failed mapping).
expected=$([ "$sanitizer" = thread ] && echo 'WARNING: ThreadSanitizer: (data|Swift access) race' \
    || echo 'ERROR: AddressSanitizer: heap-buffer-overflow')
if "$canary/canary" "$sanitizer" > "$canary/run.log" 2>&1 || ! grep -Eq "$expected" "$canary/run.log"; then
    cat "$canary/run.log" >&2
    echo "sanitize.sh: the $sanitizer sanitizer did not report the canary's bug; its results cannot be trusted" >&2
    exit 1
fi
echo "sanitize.sh: the canary's bug was reported: $(grep -Eo -m 1 "$expected" "$canary/run.log")" >&2

TEST_SWIFT_FLAGS="--sanitize=$sanitizer --scratch-path $scratch" bash scripts/test.sh

# And the suite really ran instrumented: its binary carries the sanitizer's runtime.
runtime=$([ "$sanitizer" = thread ] && echo __tsan_init || echo __asan_init)
# (grep reads all of nm's output: with -q it would stop early, and pipefail would see nm's SIGPIPE.)
if ! nm "$scratch/debug/SwiftEmailConnectorsPackageTests.xctest" | grep " T $runtime\$" > /dev/null; then
    echo "sanitize.sh: the test binary has no $runtime: the suite was not built with --sanitize=$sanitizer" >&2
    exit 1
fi
echo "sanitize.sh: the whole suite passed under --sanitize=$sanitizer" >&2
