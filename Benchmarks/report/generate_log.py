#!/usr/bin/env python3
"""Writes a synthetic gradcheck.log/1 run log for the `gradcheck report` benchmark.

usage: generate_log.py OUT.jsonl [--steps 1000000] [--params 10] [--seed 0]

A run of STEPS steps of a model with PARAMS parameter tensors (5 dense layers, kernel
and bias each, for the default 10): a loss falling from 2.3 with noise, per-parameter
grad_norm on every step and weight_norm, update_norm and grad_zero_fraction every 10th
(as the trainer's weight-norm interval does), the global grad_norm and the learning rate; an epoch line every 1000 steps and a run_end. At the defaults the file is
about 0.5 GB. Deterministic for a seed.
"""

import argparse
import math
import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--params", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rnd = random.Random(a.seed)
    names = []
    for k in range(a.params):
        layer = "dense_%d" % (k // 2 + 1)
        names.append((layer + ("/kernel" if k % 2 == 0 else "/bias"), layer, [64, 64] if k % 2 == 0 else [64]))
    with open(a.out, "w") as f:
        params = ",".join('{"name":"%s","layer":"%s","shape":%s}' % (n, l, str(s).replace(" ", "")) for n, l, s in names)
        f.write('{"event":"run_start","format":"gradcheck.log/1","model":"synthetic-%d","parameters":[%s]}\n'
                % (a.steps, params))
        for t in range(1, a.steps + 1):
            loss = 0.1 + 2.2 * math.exp(-t / (a.steps / 10)) + 0.02 * rnd.random()
            parts = []
            total = 0.0
            for k, (n, _, _) in enumerate(names):
                g = 0.5 * (0.7 ** (k // 2)) * (0.8 + 0.4 * rnd.random())
                total += g * g
                if t % 10 == 0:
                    parts.append('"%s":{"grad_norm":%.6g,"weight_norm":%.5g,"update_norm":%.4g,"grad_zero_fraction":0}'
                                 % (n, g, 8.0 + k * 0.1, 1e-3 * (0.5 + rnd.random())))
                else:
                    parts.append('"%s":{"grad_norm":%.6g}' % (n, g))
            f.write('{"event":"step","step":%d,"epoch":%d,"loss":%.6g,"grad_norm":%.6g,"learning_rate":0.001,"params":{%s}}\n'
                    % (t, (t - 1) // 1000 + 1, loss, math.sqrt(total), ",".join(parts)))
            if t % 1000 == 0:
                f.write('{"event":"epoch","epoch":%d,"step":%d,"loss":%.6g}\n' % (t // 1000, t, loss))
        f.write('{"event":"run_end","status":"completed","step":%d}\n' % a.steps)


if __name__ == "__main__":
    main()
