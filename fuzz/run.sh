#!/usr/bin/env bash
# Usage: fuzz/run.sh SECONDS [credentials|gotime|import]
# Builds the fuzzers (fuzz/build.sh) and runs each target (or just the one named) for
# SECONDS with libFuzzer, on a COPY of fuzz/corpus/<target> in a temp dir (the checked-in
# seeds are never modified). Exits non-zero if any target found a crash/leak/timeout;
# the reproducer is copied to fuzz/artifacts/<target>/ and the log tail is printed.
# Set FUZZ_KEEP_CORPUS=DIR to keep the grown corpus under DIR/<target>.
set -uo pipefail
seconds="${1:?usage: fuzz/run.sh SECONDS [credentials|gotime|import]}"
only="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${FUZZ_OUT:-$here/.build}"; export FUZZ_OUT="$out"
"$here/build.sh" || exit 2

# GoTime is also checked in a zone with a negative offset and DST history.
export TZ="${TZ:-America/Sao_Paulo}"
targets=(credentials gotime import)
[ -n "$only" ] && targets=("$only")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for target in "${targets[@]}"; do
    bin="$out/fuzz-$target"
    [ -x "$bin" ] || { echo "unknown target: $target" >&2; exit 2; }
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    cp "$here/corpus/$target/"* "$work/$target/corpus/"
    echo "== fuzz-$target for ${seconds}s (TZ=$TZ)"
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$target/artifacts/" "$work/$target/corpus" > "$work/$target/log" 2>&1
    rc=$?
    grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::new_units_added|^stat::peak_rss_mb' "$work/$target/log"
    echo "corpus: $(ls "$work/$target/corpus" | wc -l) files"
    if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
        mkdir -p "$FUZZ_KEEP_CORPUS/$target" && cp "$work/$target/corpus/"* "$FUZZ_KEEP_CORPUS/$target/"
    fi
    if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/$target/artifacts")" ]; then
        echo "!! fuzz-$target: FINDING (exit $rc)"
        grep -m3 -E 'ERROR|Fatal error|deadly signal' "$work/$target/log"
        tail -25 "$work/$target/log"
        mkdir -p "$here/artifacts/$target" && cp "$work/$target/artifacts/"* "$here/artifacts/$target/" 2>/dev/null
        echo "reproducer(s) in $here/artifacts/$target/ ; replay with: $bin <file>"
        status=1
    else
        echo "fuzz-$target: no findings"
    fi
done
exit $status
