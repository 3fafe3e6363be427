#!/usr/bin/env python3
"""Real Keras 3 runs (torch backend) for `gradcheck report`, logged with
gradcheck_log.keras.GradLogger. The Keras logger writes gradients only (no activation
statistics), so the dead-ReLU run is judged from `grad_zero_fraction` alone.

  healthy     64-32-10 ReLU MLP, Adam 1e-3                                -> healthy
  vanishing   8 sigmoid layers of 32, RandomNormal(0.05) weights, SGD 0.5 -> vanishing_gradients
  exploding   8 ReLU layers of 64, RandomNormal(1.0) weights, SGD 0.01    -> exploding_gradients (root)
  dead-relu   64-64-10 ReLU MLP, 52 of the first layer's 64 biases at -5  -> dead_units

usage: KERAS_BACKEND=torch /root/torchenv/bin/python Scripts/runs/keras_runs.py [--out Fixtures/runs/keras]
Seeded (keras.utils.set_random_seed(0)), single-threaded.
"""

import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

import numpy as np  # noqa: E402
import keras  # noqa: E402
import torch  # noqa: E402

from gradcheck_log.keras import GradLogger  # noqa: E402


def digits():
    data = np.loadtxt(os.path.join(ROOT, "Fixtures/data/digits.csv"), delimiter=",", skiprows=1)
    return (data[:, :-1] / 16.0).astype("float32"), data[:, -1].astype("int64")


def mlp(name, widths, activation, init=None, first_bias=None):
    layers = [keras.Input((64,))]
    for i, w in enumerate(widths):
        last = i == len(widths) - 1
        kwargs = {}
        if init is not None:
            kwargs["kernel_initializer"] = keras.initializers.RandomNormal(stddev=init, seed=i)
        if i == 0 and first_bias is not None:
            kwargs["bias_initializer"] = keras.initializers.Constant(first_bias)
        layers.append(keras.layers.Dense(w, activation=None if last else activation, name="dense_%d" % (i + 1), **kwargs))
    return keras.Sequential(layers, name=name)


def run(name, model, optimizer, out, epochs=6):
    x, y = digits()
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    path = os.path.join(out, name + ".jsonl")
    model.fit(x, y, batch_size=32, epochs=epochs, shuffle=True, verbose=0, callbacks=[GradLogger(path, model_name=name)])
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "Fixtures/runs/keras"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)

    keras.utils.set_random_seed(0)
    run("healthy", mlp("healthy", [32, 10], "relu"), keras.optimizers.Adam(1e-3), args.out)
    keras.utils.set_random_seed(0)
    run("vanishing", mlp("vanishing", [32] * 7 + [10], "sigmoid", init=0.05), keras.optimizers.SGD(0.5), args.out)
    keras.utils.set_random_seed(0)
    run("exploding", mlp("exploding", [64] * 7 + [10], "relu", init=1.0), keras.optimizers.SGD(0.01), args.out, epochs=2)
    keras.utils.set_random_seed(0)
    model = mlp("dead-relu", [64, 10], "relu")
    bias = np.zeros(64, dtype="float32")
    bias[:52] = -5.0
    model.layers[0].bias.assign(bias)
    run("dead-relu", model, keras.optimizers.Adam(1e-3), args.out)

    for name in sorted(os.listdir(args.out)):
        if name.endswith(".jsonl"):
            print("%-16s %8d bytes" % (name, os.path.getsize(os.path.join(args.out, name))))


if __name__ == "__main__":
    main()
