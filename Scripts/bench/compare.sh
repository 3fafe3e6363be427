#!/usr/bin/env bash
# GradCheck vs PyTorch (CPU, one thread), in one invocation: builds the Benchmarks package
# in release (and the native-CPU variant), runs gradcheck-bench, then torch_bench.py on
# exactly the same parameters and batches, and prints a Markdown table of ratios
# (PyTorch time / GradCheck time) with the machine it ran on.
#
# usage: Scripts/bench/compare.sh [--quick] [--no-native] [--no-check] [--no-transformer] [--rounds N] [--retries N] [--out DIR]
#   --quick      fewer samples on both sides (smoke test; PyTorch's gradcheck still takes ~20 s)
#   --no-native  skip the -target-cpu native build (it runs fwdbwd and matmul)
#   --no-check   skip the gradient-check benchmarks (~10 s Swift, ~20 s PyTorch on 2 cores)
#   --no-transformer  skip the transformer fixture's full check (~20 s Swift on one thread,
#                minutes for PyTorch's gradcheck)
#   --rounds N   run fwdbwd, train, matmul (and monitor, Swift only) N times, alternating Swift and
#                PyTorch, and keep each measurement's fastest undisturbed result; default 2
#                (the checks run once)
#   --retries N  re-run up to N times each measurement that other work disturbed (its
#                process got under 95% of a core per thread while timed); default 3
#   --out DIR    keep the raw JSON lines and the table there (default: a temporary folder)
# environment: PYTHON (default /root/torchenv/bin/python, a Python with torch)
#              IDLE_WAIT (default 300): the most seconds to wait, before each benchmark,
#              for the machine to go quiet (a core free; both cores for `check`)
#
# Both sides run at raised priority (nice -10, where allowed). Every result line records
# the CPU share its process got while timed (cpu_share, per thread) and the cores other
# processes used (other_cores); the table flags results with cpu_share < 0.95, and those
# are re-run (--retries) and the best kept.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-/root/torchenv/bin/python}"
quick=() native=1 check=1 transformer=1 out="" retries=3 rounds=2
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick) ;;
        --no-native) native=0 ;;
        --no-check) check=0 ;;
        --no-transformer) transformer=0 ;;
        --out) out="$2"; shift ;;
        --retries) retries="$2"; shift ;;
        --rounds) rounds="$2"; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$out" ] || out="$(mktemp -d "${TMPDIR:-/tmp}/gradcheck-bench.XXXXXX")"
mkdir -p "$out"

# Cores busy machine-wide over one second, from /proc/stat.
busy_cores() {
    local a b
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
    echo "$busy $(getconf CLK_TCK)" | awk '{ printf "%.2f", $1 / $2 }'
}
# Waits (up to IDLE_WAIT seconds) until two successive seconds have fewer than $1 cores
# busy (default 0.85: a core free for a one-thread benchmark; the check, which also
# runs on every core, asks for 0.15).
wait_idle() {
    local limit="${1:-0.85}" deadline=$(( $(date +%s) + ${IDLE_WAIT:-300} )) quiet=0 b
    while :; do
        b="$(busy_cores)"
        if awk -v b="$b" -v l="$limit" 'BEGIN { exit !(b < l) }'; then quiet=$((quiet + 1)); else quiet=0; fi
        [ "$quiet" -ge 2 ] && return 0
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "warning: the machine is still busy ($b cores); measuring anyway" >&2
            return 0
        fi
    done
}
prio=()
if nice -n -10 true 2>/dev/null; then prio=(nice -n -10); fi

cd "$root/Benchmarks"
echo "== building (release)" >&2
swift build -c release >&2
bench="$(swift build -c release --show-bin-path)/gradcheck-bench"
if [ "$native" = 1 ]; then
    echo "== building (release, -target-cpu native)" >&2
    swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native >&2
    bench_native="$(swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native --show-bin-path)/gradcheck-bench"
fi

"$bench" export --out "$out/data.json"

: > "$out/swift.jsonl"; : > "$out/native.jsonl"; : > "$out/torch.jsonl"
swift_run() {   # swift_run BINARY FILE COMMAND [args]
    local bin="$1" file="$2"; shift 2
    ${prio[@]+"${prio[@]}"} "$bin" "$@" ${quick[@]+"${quick[@]}"} < /dev/null | tee -a "$file" >&2
}
torch_run() {   # torch_run COMMAND [args]
    ${prio[@]+"${prio[@]}"} "$python" "$root/Scripts/bench/torch_bench.py" "$@" --data "$out/data.json" \
        ${quick[@]+"${quick[@]}"} < /dev/null | tee -a "$out/torch.jsonl" >&2
}
if [ "$check" = 1 ]; then
    echo "== gradcheck-bench check" >&2
    wait_idle 0.15
    swift_run "$bench" "$out/swift.jsonl" check
    echo "== torch_bench.py check" >&2
    wait_idle
    torch_run check
fi
if [ "$transformer" = 1 ]; then
    echo "== gradcheck-bench transformer" >&2
    wait_idle 0.15
    swift_run "$bench" "$out/swift.jsonl" transformer
    echo "== torch_bench.py transformer (torch.autograd.gradcheck: minutes)" >&2
    wait_idle
    torch_run transformer
fi
for ((round = 1; round <= rounds; round++)); do
    for c in fwdbwd train matmul; do
        echo "== round $round: gradcheck-bench $c" >&2
        wait_idle
        swift_run "$bench" "$out/swift.jsonl" "$c"
        if [ "$native" = 1 ] && [ "$c" != train ]; then
            echo "== round $round: gradcheck-bench $c (native)" >&2
            wait_idle
            swift_run "$bench_native" "$out/native.jsonl" "$c"
        fi
        echo "== round $round: torch_bench.py $c" >&2
        wait_idle
        torch_run "$c"
    done
    echo "== round $round: gradcheck-bench monitor" >&2
    wait_idle
    swift_run "$bench" "$out/swift.jsonl" monitor
done

# Re-runs of the measurements taken while other work descheduled them; report.py keeps,
# for each name, the fastest undisturbed result.
for ((try = 1; try <= retries; try++)); do
    again=0
    for side in swift native torch; do
        [ -s "$out/$side.jsonl" ] || continue
        while IFS= read -r name; do
            [ -n "$name" ] || continue
            again=1
            echo "== re-run $try: $side $name (machine was busy)" >&2
            case "$name" in check/*threads=all*|transformer/*threads=all*) wait_idle 0.15 ;; *) wait_idle ;; esac
            case "$side" in
                swift) swift_run "$bench" "$out/swift.jsonl" "${name%%/*}" --filter "$name" ;;
                native) swift_run "$bench_native" "$out/native.jsonl" "${name%%/*}" --filter "$name" ;;
                torch) torch_run "${name%%/*}" --filter "$name" ;;
            esac
        done < <("$python" "$root/Scripts/bench/report.py" --list-busy "$out/$side.jsonl")
    done
    [ "$again" = 1 ] || break
done

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
cores="$(nproc)"
flags=""
for f in avx2 avx512f; do grep -qw "$f" /proc/cpuinfo && flags="$flags $f"; done
swiftv="$(swift --version 2>&1 | head -1)"
torchv="$("$python" -c 'import torch; print(torch.__version__, "capability", torch.backends.cpu.get_cpu_capability())')"
machine="Machine: **${cpu}**, ${cores} cores (flags:${flags:- none}); $(date -u '+%Y-%m-%d %H:%M UTC'); ${swiftv}; PyTorch ${torchv}."

"$python" "$root/Scripts/bench/report.py" --swift "$out/swift.jsonl" --native "$out/native.jsonl" \
    --torch "$out/torch.jsonl" --machine "$machine" | tee "$out/table.md"
echo "(raw results in $out)" >&2
