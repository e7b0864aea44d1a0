#!/usr/bin/env bash
# Builds the fuzz targets (Tests/Fuzz) with libFuzzer and AddressSanitizer, and runs them.
#
#   scripts/fuzz.sh                  every target for 30 seconds each
#   scripts/fuzz.sh TARGET SECONDS   one target ("all" for every one)
#   MERGE=1 scripts/fuzz.sh ...      also keep new interesting inputs in Tests/Fuzz/Corpus/TARGET
#   FUZZ_SEED=1 scripts/fuzz.sh ...  libFuzzer's random seed (default 0: a new one each run); CI
#                                    fixes it so a run repeats, and longer random runs find the new
#
# Each target starts from its committed corpus (Tests/Fuzz/Corpus/TARGET); inputs it finds go to a
# temporary folder unless MERGE=1. A crash, a sanitizer report or a broken invariant stops the run:
# libFuzzer saves the input under .build/fuzz/findings/, the script prints how to replay it, and
# exits 1. Copy the input into the target's corpus as crash-NAME once fixed: the ordinary test suite
# (FuzzChecksTests) replays the whole corpus, so it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(reply-decoder command-parser client-state-machine config template mime-header punycode http-request)
target=${1:-all}
seconds=${2:-30}
if [ "$target" != all ] && [[ ! " ${TARGETS[*]} " =~ " $target " ]]; then
    echo "fuzz.sh: unknown target '$target'; the targets are: ${TARGETS[*]}" >&2
    exit 2
fi
[ "$target" = all ] && selected=("${TARGETS[@]}") || selected=("$target")

scratch=.build/fuzz
flags=(--scratch-path "$scratch" --product smtp-fuzz
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING)
echo "fuzz.sh: building smtp-fuzz with libFuzzer and AddressSanitizer" >&2
swift build "${flags[@]}" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
binary="$(swift build "${flags[@]}" --show-bin-path)/smtp-fuzz"
[ -x "$binary" ] || { echo "fuzz.sh: the build did not produce $binary" >&2; exit 1; }

findings="$scratch/findings"
mkdir -p "$findings"
status=0
for name in "${selected[@]}"; do
    corpus="Tests/Fuzz/Corpus/$name"
    found=$(mktemp -d)
    rm -f "$findings/$name"-*   # findings of an earlier run: they are in the log of that run
    echo "fuzz.sh: $name for ${seconds}s (corpus: $(ls "$corpus" | wc -l) inputs)" >&2
    # -timeout: one input taking 10 s is a hang, a finding like a crash. -rss_limit_mb: memory is a
    # finding too. Leak detection stays on: a leak in the code under test fails the run.
    # SWIFT_BACKTRACE: Swift's own crash backtracer reads the stack in a way ASan reports; libFuzzer
    # and ASan print the stack instead.
    if FUZZ_TARGET=$name SWIFT_BACKTRACE=enable=no "$binary" "$found" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -max_len=8192 -seed="${FUZZ_SEED:-0}" -artifact_prefix="$findings/$name-" -print_final_stats=1 > "$findings/$name.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$findings/$name.log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz.sh: $name: clean, $runs inputs run" >&2
        if [ "${MERGE:-}" = 1 ]; then
            FUZZ_TARGET=$name "$binary" -merge=1 "$corpus" "$found" >> "$findings/$name.log" 2>&1
            echo "fuzz.sh: $name: corpus now $(ls "$corpus" | wc -l) inputs" >&2
        fi
    else
        status=1
        echo "fuzz.sh: $name FAILED; the end of its log ($findings/$name.log):" >&2
        grep -v '^#[0-9]' "$findings/$name.log" | tail -40 >&2
        # The invariant that broke (Swift's "Fatal error" line scrolls out of the tail above), and
        # the input itself, so a CI log alone is enough to reproduce the finding.
        grep -m 3 'Fatal error' "$findings/$name.log" >&2 || true
        for input in "$findings/$name"-*; do
            [ -f "$input" ] || continue
            echo "fuzz.sh: the input, base64 (decode with: base64 -d > crash-NAME): $input" >&2
            base64 -w 0 "$input" >&2   # at most -max_len (8 KB) of input
            echo >&2
        done
        echo "fuzz.sh: replay with: swift run smtp-fuzz $name $findings/$name-*" >&2
    fi
    rm -rf "$found"
done
exit $status
