#!/bin/sh
# Remakes the sweep and augmentation fixtures of Fixtures/sweeps/ with the release binary.
#   Scripts/sweeps/make_sweeps.sh            (from the package root; ~a few minutes on 2 cores)
# The k-fold reference is made by Scripts/sweeps/kfold_reference.py (numpy; scikit-learn to confirm).
set -eu
swift build -c release --product gradcheck
G=.build/release/gradcheck
D=Fixtures/data/digits.csv
S=Fixtures/sweeps
rm -f "$S/digits-lr-clipnorm.jsonl"
# Learning rate × clipnorm on the digits, 3-fold cross-validation (KFold, shuffled, seed 0).
$G sweep "$S/digits-lr-clipnorm.json" --data "$D" \
    --grid 'optimizer.learning_rate=1e-5,1e-3,1e-1,1,10' --grid 'optimizer.clipnorm=none,1.0' \
    --folds 3 --threads 2 --results "$S/digits-lr-clipnorm.jsonl" \
    --html "$S/digits-lr-clipnorm.html" --best-spec "$S/digits-lr-clipnorm-best.json" \
    --format json --output "$S/digits-lr-clipnorm-sweep.json"
$G sweep --merge "$S/digits-lr-clipnorm.jsonl" --format markdown --output "$S/digits-lr-clipnorm.md"
# Augmentation on the digits: the same MLP on 30 % of the data, without and with augmentation.
for name in digits-plain digits-augmented; do
    $G train "$S/$name.json" --data "$D" --quiet --format json > "$S/$name-train.json"
done
