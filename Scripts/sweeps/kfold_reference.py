#!/usr/bin/env python3
"""Fold assignments of scikit-learn's KFold, for the sweep's k-fold test.

Reproduces `KFold(n_splits=k, shuffle=s, random_state=seed).split(range(n))` with numpy
only, as scikit-learn documents and implements it:

  indices = np.arange(n); if shuffle: np.random.RandomState(seed).shuffle(indices)
  fold sizes: n // k each, the first n % k folds one larger; fold i tests on the i-th run
  of consecutive (shuffled) indices; train and test indices are returned sorted.

When scikit-learn is importable the script also asserts that KFold itself gives the same
folds (it did with scikit-learn 1.9.1 and numpy 2.x). Writes
Fixtures/sweeps/kfold-reference.json; `SweepFoldsTests` matches `SweepFolds` to it.

    python3 Scripts/sweeps/kfold_reference.py   # needs numpy; scikit-learn optional
"""
import json
import os
import sys

import numpy as np

CASES = [
    # (n, k, shuffle, seed)
    (10, 3, True, 0),
    (11, 4, True, 7),
    (7, 3, False, 0),
    (150, 5, True, 1),
    (1797, 5, True, 42),   # the digits data of Fixtures/data/digits.csv
    (1797, 3, True, 0),
]


def kfold(n, k, shuffle, seed):
    indices = np.arange(n)
    if shuffle:
        np.random.RandomState(seed).shuffle(indices)
    sizes = np.full(k, n // k, dtype=int)
    sizes[: n % k] += 1
    folds, start = [], 0
    for size in sizes:
        test = np.sort(indices[start:start + size])
        mask = np.zeros(n, dtype=bool)
        mask[test] = True
        folds.append((np.arange(n)[~mask].tolist(), test.tolist()))
        start += size
    return folds


def main():
    try:
        from sklearn.model_selection import KFold
    except ImportError:
        KFold = None
    out = []
    for n, k, shuffle, seed in CASES:
        folds = kfold(n, k, shuffle, seed)
        if KFold is not None:
            ref = KFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)
            for (train, test), (rt, rv) in zip(folds, ref.split(np.zeros(n))):
                assert train == rt.tolist() and test == rv.tolist(), (n, k, shuffle, seed)
        out.append({"n": n, "k": k, "shuffle": shuffle, "seed": seed,
                    "validation": [test for _, test in folds]})
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    path = os.path.join(root, "Fixtures", "sweeps", "kfold-reference.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"format": "gradcheck.kfold-reference/1",
                   "checked_with_sklearn": KFold is not None,
                   "numpy": np.__version__, "cases": out}, f, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {path} ({len(out)} cases; scikit-learn check: {'yes' if KFold is not None else 'no'})", file=sys.stderr)


if __name__ == "__main__":
    main()
