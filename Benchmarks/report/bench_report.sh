#!/usr/bin/env bash
# `gradcheck report` on generated logs of 10k, 100k and 1M steps (10 parameter tensors):
# wall time and peak resident memory (/usr/bin/time -v) of the text and the HTML report.
#
# usage: Benchmarks/report/bench_report.sh [--steps "10000 100000 1000000"] [--dir DIR] [--no-build]
#   --dir      where the generated logs go (default /tmp/gradcheck-report-bench; 0.5 GB for 1M)
#   --no-build use .build/release/gradcheck as it is
# Prints one JSON line per measurement: steps, bytes, format, seconds, max_rss_mb, verdict.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="10000 100000 1000000"
dir=/tmp/gradcheck-report-bench
build=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --steps) steps="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[[ $build == 1 ]] && swift build -c release --product gradcheck >&2
bin=.build/release/gradcheck
py="${GRADCHECK_PYTHON:-python3}"
mkdir -p "$dir"
for n in $steps; do
    log="$dir/log-$n.jsonl"
    [[ -s "$log" ]] || "$py" Benchmarks/report/generate_log.py "$log" --steps "$n"
    bytes=$(wc -c <"$log")
    for format in text html; do
        out="$dir/report-$n.$format"
        /usr/bin/time -v "$bin" report "$log" --format "$format" --output "$out" 2>"$dir/time-$n-$format.txt" || true
        seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$dir/time-$n-$format.txt")
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$dir/time-$n-$format.txt")
        verdict=$(grep -o 'wrote [^:]*: [a-z]*' "$dir/time-$n-$format.txt" | awk '{print $NF}')
        printf '{"steps": %d, "bytes": %d, "format": "%s", "seconds": %s, "max_rss_mb": %s, "verdict": "%s"}\n' \
            "$n" "$bytes" "$format" "$seconds" "$rss" "$verdict"
    done
done
