#!/usr/bin/env python3
"""The adding problem (Hochreiter & Schmidhuber 1997) as a sequence example.

Run from the repository root (any Python 3 with numpy):

    python3 Scripts/reference/make_adding.py

Writes
    Fixtures/data/adding.csv         1000 sequences, seeded (numpy default_rng(1997))
    Fixtures/specs/adding-lstm.json  input [10, 2] -> lstm 8 -> dense 1, mean squared error
    Fixtures/specs/adding-rnn.json   input [10, 2] -> simple_rnn 8 -> dense 1, mean squared error

Each sequence has T = 10 steps of 2 features: a value uniform in [0, 1) and a marker,
1 at exactly two steps (one in the first half, one in the second) and 0 elsewhere.
The target is the sum of the two marked values. A row of the CSV is the sequence
flattened in row-major [t, f] order, t0_value, t0_marker, t1_value, ..., t9_marker,
then `label`. Values are written with 6 decimals and the label is the exact sum of the
written values.
"""

import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STEPS = 10
SAMPLES = 1000
SEED = 1997


def main():
    rng = np.random.default_rng(SEED)
    header = [f"t{t}_{f}" for t in range(STEPS) for f in ("value", "marker")] + ["label"]
    lines = [",".join(header)]
    for _ in range(SAMPLES):
        values = np.round(rng.uniform(0.0, 1.0, size=STEPS), 6)
        first = int(rng.integers(0, STEPS // 2))
        second = int(rng.integers(STEPS // 2, STEPS))
        fields = []
        for t in range(STEPS):
            fields.append(f"{values[t]:.6f}")
            fields.append("1" if t in (first, second) else "0")
        # Integer micro-units: the label is exactly the sum of the printed values.
        micro = int(round(values[first] * 1e6)) + int(round(values[second] * 1e6))
        fields.append(f"{micro // 1000000}.{micro % 1000000:06d}")
        lines.append(",".join(fields))
    with open(os.path.join(ROOT, "Fixtures", "data", "adding.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")

    for kind, name in (("lstm", "adding-lstm"), ("simple_rnn", "adding-rnn")):
        spec = {
            "format": "gradcheck.model/1",
            "name": name,
            "input_shape": [STEPS, 2],
            "layers": [
                {"type": kind, "units": 8},
                {"type": "dense", "units": 1},
            ],
            "loss": "mean_squared_error",
            "training": {
                "optimizer": {"type": "adam", "learning_rate": 0.01},
                "epochs": 30,
                "batch_size": 32,
            },
        }
        with open(os.path.join(ROOT, "Fixtures", "specs", name + ".json"), "w") as f:
            f.write(json.dumps(spec, indent=2) + "\n")


if __name__ == "__main__":
    main()
