#!/usr/bin/env python3
"""Real PyTorch runs for `gradcheck report`, logged with gradcheck_log.torch.GradLogger.

Each run trains on Fixtures/data/digits.csv (8x8 digits, pixels / 16) and shows one
thing; the Swift tests (Tests/GradCheckHealthTests/FrameworkRunTests.swift) assert the
verdict and the root cause of each:

  healthy          64-32-10 ReLU MLP, Adam 1e-3                    -> healthy
  vanishing        8 sigmoid layers of 32, N(0, 0.05) weights, SGD 0.5   -> vanishing_gradients
  exploding        8 ReLU layers of 64, N(0, 1) weights, SGD 0.01   -> exploding_gradients (root), nonfinite after
  dead-relu        64-64-10 ReLU MLP, 52 of the first layer's 64 biases at -5, activations logged -> dead_units
  dead-relu-minimal  the same log with only loss, grad_norm and grad_zero_fraction  -> dead_units
  lr-jump          healthy MLP, SGD 0.05 jumping to 20 at step 150 (a warm-up bug) -> learning_rate_jump (root)

usage: /root/torchenv/bin/python Scripts/runs/torch_runs.py [--out Fixtures/runs/torch]
Seeded (torch.manual_seed(0)), single-threaded: the logs are the same from one
invocation to the next on one machine.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from gradcheck_log.torch import GradLogger  # noqa: E402


def digits():
    data = np.loadtxt(os.path.join(ROOT, "Fixtures/data/digits.csv"), delimiter=",", skiprows=1)
    x = torch.tensor(data[:, :-1] / 16.0, dtype=torch.float32)
    y = torch.tensor(data[:, -1], dtype=torch.long)
    return x, y


def mlp(widths, activation):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def train(name, model, optimizer, out, steps=300, batch=32, activations=False, lr_at=None):
    x, y = digits()
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    path = os.path.join(out, name + ".jsonl")
    per_epoch = (len(x) + batch - 1) // batch
    with GradLogger(model, path, optimizer=optimizer, activations=activations, model_name=name) as log:
        step = 0
        epoch = 0
        while step < steps:
            epoch += 1
            order = torch.randperm(len(x), generator=g)
            for k in range(per_epoch):
                if step >= steps:
                    break
                if lr_at is not None:
                    for group in optimizer.param_groups:
                        group["lr"] = lr_at(step + 1)
                idx = order[k * batch:(k + 1) * batch]
                optimizer.zero_grad()
                loss = loss_fn(model(x[idx]), y[idx])
                loss.backward()
                optimizer.step()
                log.step(loss, epoch=epoch)
                step += 1
            log.epoch(epoch)
    return path


def minimal(src, dst):
    """Keeps only what a cheap foreign logger writes: step, loss, grad_norm and grad_zero_fraction."""
    with open(src) as f, open(dst, "w") as g:
        for line in f:
            e = json.loads(line)
            if e["event"] != "step":
                continue
            params = {n: {k: v for k, v in p.items() if k in ("grad_norm", "grad_zero_fraction")}
                      for n, p in e["params"].items()}
            g.write(json.dumps({"event": "step", "step": e["step"], "loss": e["loss"], "params": params}) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "Fixtures/runs/torch"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)

    torch.manual_seed(0)
    m = mlp([64, 32, 10], nn.ReLU)
    train("healthy", m, torch.optim.Adam(m.parameters(), lr=1e-3), args.out)

    torch.manual_seed(0)
    m = mlp([64] + [32] * 7 + [10], nn.Sigmoid)
    for layer in m:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=0.05)
            nn.init.zeros_(layer.bias)
    train("vanishing", m, torch.optim.SGD(m.parameters(), lr=0.5), args.out, activations=True)

    torch.manual_seed(0)
    m = mlp([64] + [64] * 7 + [10], nn.ReLU)
    for layer in m:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=1.0)
    train("exploding", m, torch.optim.SGD(m.parameters(), lr=0.01), args.out, steps=100)

    torch.manual_seed(0)
    m = mlp([64, 64, 10], nn.ReLU)
    with torch.no_grad():
        m[0].bias[:52] = -5.0  # 52 of 64 units start far below zero and never fire

    path = train("dead-relu", m, torch.optim.Adam(m.parameters(), lr=1e-3), args.out, activations=True)
    minimal(path, os.path.join(args.out, "dead-relu-minimal.jsonl"))

    torch.manual_seed(0)
    m = mlp([64, 32, 10], nn.ReLU)
    train("lr-jump", m, torch.optim.SGD(m.parameters(), lr=0.05), args.out,
          lr_at=lambda s: 0.05 if s < 150 else 20.0)

    for name in sorted(os.listdir(args.out)):
        if name.endswith(".jsonl"):
            p = os.path.join(args.out, name)
            print("%-24s %8d bytes" % (name, os.path.getsize(p)))


if __name__ == "__main__":
    main()
