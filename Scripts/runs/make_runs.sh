#!/usr/bin/env bash
# The fixture runs of issue 5: trains each spec of Fixtures/runs/ with the release
# `gradcheck` binary and keeps its run log (Fixtures/runs/<name>.jsonl) and HTML health
# report (Fixtures/runs/<name>.html), then prints each run's verdict and findings.
#
# usage: Scripts/runs/make_runs.sh [--no-build]
#   --no-build  use .build/release/gradcheck as it is
#
# The runs are seeded and run in float32, so the logs are the same from one invocation to
# the next on one machine, except the wall-clock fields (`time`, `seconds`). The
# Swift tests (Tests/GradCheckTrainingTests/FixtureRunTests.swift) train the same specs and
# assert the findings; this script only makes the files a person looks at.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${1:-}" != "--no-build" ]]; then
    swift build -c release --product gradcheck >&2
fi
bin=.build/release/gradcheck
out=Fixtures/runs

# name  data (in Fixtures/data)  what it shows
runs=(
    "healthy     digits.csv    nothing: a 64-32-10 ReLU MLP with Adam"
    "vanishing   digits.csv    vanishing_gradients: 8 sigmoid layers, random_normal stddev 0.01"
    "exploding   digits.csv    exploding_gradients then nonfinite: 8 ReLU layers, random_normal stddev 1.0"
    "divergence  digits.csv    loss_divergence: SGD at learning rate 3"
    "dead-units  digits.csv    dead_units: ReLU layer with bias_initializer constant -5"
    "nan-input   iris_nan.csv  nonfinite in the inputs: one NaN in a CSV row"
    "attention-collapse digits.csv attention_collapse: causal self-attention over 8 rows of pixels, Adam 0.3"
)

for line in "${runs[@]}"; do
    read -r name data what <<<"$line"
    echo "== $name ($what)"
    start=$(date +%s.%N)
    # Exit 1 is expected for the runs that diverge.
    "$bin" train "$out/$name.json" --data "Fixtures/data/$data" --quiet \
        --log "$out/$name.jsonl" --report "$out/$name.html" >/dev/null || true
    end=$(date +%s.%N)
    printf '   %.2f s, log %s bytes\n' "$(echo "$end - $start" | bc)" "$(wc -c <"$out/$name.jsonl")"
    "$bin" report "$out/$name.jsonl" 2>/dev/null | grep -E '^(Verdict|[A-Z]+  [a-z_]+|  evidence)' | sed 's/^/   /' || true
done

# The real PyTorch and Keras runs (Scripts/runs/torch_runs.py, keras_runs.py make their
# logs, which need Python with torch/keras): their HTML reports, and the comparison of the
# torch runs.
for fw in torch keras; do
    for log in "$out/$fw"/*.jsonl; do
        [[ -e "$log" ]] || continue
        name=$(basename "$log" .jsonl)
        echo "== $fw/$name"
        "$bin" report "$log" --format html --output "$out/$fw/$name.html" 2>/dev/null || true
        "$bin" report "$log" 2>/dev/null | grep -E '^(Verdict|Root cause)' | sed 's/^/   /' || true
    done
done
"$bin" report "$out"/torch/{healthy,lr-jump,exploding}.jsonl --format html --output "$out/torch/compare.html" 2>/dev/null || true
