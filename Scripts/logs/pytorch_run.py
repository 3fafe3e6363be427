#!/usr/bin/env python3
"""Train a small PyTorch MLP on iris and write a gradcheck.log/1 run log with only the
fields FORMATS.md section 3 requires: per step `step`, `loss` and each parameter's
`grad_norm` (raw, after backward() and before the optimiser step).

This is what a PyTorch user adds to their own loop for `gradcheck report` to judge it:
the few lines between `loss.backward()` and `optimizer.step()` below.

Usage: python pytorch_run.py [--data iris.csv] [--out run.jsonl] [--epochs 20] [--seed 0]
The committed fixture Fixtures/logs/pytorch_iris.jsonl was written with the defaults.
"""
import argparse
import csv
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_iris(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    label = header.index("label")
    x = torch.tensor([[float(v) for i, v in enumerate(r) if i != label] for r in body], dtype=torch.float32)
    y = torch.tensor([int(float(r[label])) for r in body], dtype=torch.long)
    x = (x - x.mean(0)) / x.std(0, unbiased=False)
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "Fixtures", "data", "iris.csv"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Fixtures", "logs", "pytorch_iris.jsonl"))
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x, y = load_iris(args.data)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    step = 0
    with open(args.out, "w") as log:
        for _ in range(args.epochs):
            order = torch.randperm(len(x))
            for start in range(0, len(x), args.batch_size):
                batch = order[start:start + args.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(model(x[batch]), y[batch])
                loss.backward()
                # --- the gradcheck.log/1 logger: one line per step, flushed ---
                step += 1
                params = {name: {"grad_norm": p.grad.norm().item()}
                          for name, p in model.named_parameters() if p.grad is not None}
                log.write(json.dumps({"event": "step", "step": step, "loss": loss.item(), "params": params}) + "\n")
                log.flush()
                # ---------------------------------------------------------------
                optimizer.step()
    print(f"wrote {step} steps to {args.out}")


if __name__ == "__main__":
    main()
