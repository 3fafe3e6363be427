#!/usr/bin/env python3
"""PyTorch counterparts of Benchmarks/ (gradcheck-bench), on ONE CPU thread.

Prints one JSON line per measurement, with the same fields and names as
`gradcheck-bench`, so that Scripts/bench/compare.sh can join the two:

  check    torch.autograd.gradcheck (float64, fast_mode=False, default eps/atol/rtol) of
           the loss of mlp-l2-clipnorm (784-64-32-10, sparse CE on the logits + 0.01*sum(w^2)
           per kernel) as a function of (inputs, all 6 parameter tensors), batch 8
  transformer
           torch.autograd.gradcheck (float64, fast_mode=False) of the loss of the
           transformer-encoder fixture as a function of its 36 parameter tensors (18k
           elements), on the fixture's reference weights and batch (batch 4, sequence 16);
           the model is built from the spec by Scripts/reference/generate_graph.py, the
           interpreter that produced the fixture's PyTorch gradients. Takes minutes.
  fwdbwd   forward + backward of mlp-l2-clipnorm at batch 128 and of the digits MLP
           (64-64-32-10) at batch 32 and 128, float64 and float32; the inputs require grad,
           as GradCheck's lossAndGradients returns the input gradient too
  train    forward + backward + Adam step of the digits MLP at batch 32 and 128, float32 and float64
           (no GradCheck counterpart yet: for a later comparison)
  matmul   torch.mm of n x n matrices, n = 64, 128, 256, 512, float64 and float32

With --data FILE (written by `gradcheck-bench export --out FILE`) the models use exactly
GradCheck's parameters and batches, and the loss each side computes is printed for a
cross-check; without it, they use PyTorch-side random values of the same shapes.

Run with the venv that has torch:  /root/torchenv/bin/python Scripts/bench/torch_bench.py all
"""
import argparse
import json
import math
import os
import re
import statistics
import sys
import time

import torch

# Fairness: one intra-op and one inter-op thread (GradCheck's fwdbwd and matmul are
# single-threaded; its checker's threads are reported separately).
torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

MLP = "mlp-l2-clipnorm"
DIGITS = "digits-mlp"
SHAPES = {MLP: [784, 64, 32, 10], DIGITS: [64, 64, 32, 10]}
L2 = {MLP: 0.01, DIGITS: 0.0}


def cpu_usage():
    """(machine-wide busy CPU seconds from /proc/stat, this process's CPU seconds)."""
    busy = float("nan")
    try:
        with open("/proc/stat") as f:
            v = [float(x) for x in f.readline().split()[1:]]
        busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return busy, time.process_time()


class Usage:
    """Other processes' CPU use while timing (cores), to tell a clean measurement from
    one taken while the machine was busy."""

    def __enter__(self):
        self.m0, self.o0 = cpu_usage()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        m1, o1 = cpu_usage()
        wall = time.perf_counter() - self.t0
        self.own = (o1 - self.o0) / wall
        self.other = max(0.0, (m1 - self.m0) / wall - self.own)
        return False

    def fields(self):
        # cpu_share: CPU time per wall time of the one thread; below ~0.95 the process was
        # descheduled for part of the measurement (a busy machine).
        return {"own_cores": round(self.own, 2), "other_cores": round(self.other, 2),
                "cpu_share": round(self.own / max(1, torch.get_num_threads()), 2)}


LAST_USAGE = {}
FILTER = None


def runs(name):
    return FILTER is None or FILTER in name


def emit(bench, name, samples, repeats, **extra):
    s = sorted(samples)
    o = {
        "framework": "pytorch", "bench": bench, "name": name,
        "iterations": len(samples), "repeats_per_sample": repeats,
        "median_s": statistics.median(s), "min_s": s[0],
        "torch": torch.__version__, "threads": torch.get_num_threads(),
    }
    o.update(LAST_USAGE)
    o.update(extra)
    print(json.dumps(o, sort_keys=True), flush=True)


def measure(body, warmup, samples, min_sample_s=0.02):
    """`warmup` untimed calls, then `samples` timed samples of `repeats` calls each
    (`repeats` chosen from the last warm-up so a sample lasts about `min_sample_s`)."""
    last = 0.0
    for _ in range(max(1, warmup)):
        t0 = time.perf_counter()
        body()
        last = time.perf_counter() - t0
    repeats = 1 if last >= min_sample_s else max(1, math.ceil(min_sample_s / max(last, 1e-9)))
    out, cpu = [], []
    with Usage() as u:
        for _ in range(samples):
            c0, t0 = time.process_time(), time.perf_counter()
            for _ in range(repeats):
                body()
            out.append((time.perf_counter() - t0) / repeats)
            cpu.append((time.process_time() - c0) / repeats)
    LAST_USAGE.update(u.fields())
    LAST_USAGE["cpu_median_s"] = statistics.median(cpu)
    return out, repeats


# ---------------------------------------------------------------------------- models

class Setup:
    """Parameters [W1, b1, W2, b2, W3, b3] (kernels [in, out], as GradCheck/Keras store
    them), inputs and labels of one model at one batch size, in float64."""

    def __init__(self, model, batch, data):
        self.model, self.batch = model, batch
        self.l2 = L2[model]
        entry = None
        if data is not None:
            entry = next((m for m in data["models"] if m["model"] == model and m["batch"] == batch), None)
        if entry is not None:
            self.params = [torch.tensor(p["values"], dtype=torch.float64).reshape(p["shape"])
                           for p in entry["parameters"]]
            self.x = torch.tensor(entry["inputs"], dtype=torch.float64).reshape(entry["input_shape"])
            self.y = torch.tensor(entry["labels"], dtype=torch.long)
            regs = [p.get("regularizer") for p in entry["parameters"]]
            l2s = [float(m.group(1)) for r in regs if r for m in [re.search(r"l2: ([0-9.eE+-]+)", r)] if m]
            self.l2 = l2s[0] if l2s else 0.0
            self.gradcheck_loss = entry["loss"]
            self.source = "gradcheck-export"
        else:
            g = torch.Generator().manual_seed(0)
            sizes = SHAPES[model]
            self.params = []
            for i, o in zip(sizes[:-1], sizes[1:]):
                limit = math.sqrt(6.0 / (i + o))  # Glorot uniform, zero bias (Keras defaults)
                self.params.append((torch.rand(i, o, generator=g, dtype=torch.float64) * 2 - 1) * limit)
                self.params.append(torch.zeros(o, dtype=torch.float64))
            self.x = torch.randn(batch, sizes[0], generator=g, dtype=torch.float64)
            self.y = torch.randint(0, sizes[-1], (batch,), generator=g)
            self.gradcheck_loss = None
            self.source = "torch-random"

    def loss_fn(self):
        """loss(x, W1, b1, W2, b2, W3, b3): softmax + sparse categorical CE, computed as
        cross_entropy on the logits (GradCheck fuses the same way), mean over the batch,
        plus l2 * sum(W^2) for each kernel."""
        y, l2 = self.y, self.l2

        def loss(x, w1, b1, w2, b2, w3, b3):
            h = torch.relu(x @ w1 + b1)
            h = torch.relu(h @ w2 + b2)
            out = torch.nn.functional.cross_entropy(h @ w3 + b3, y)
            if l2:
                out = out + l2 * ((w1 * w1).sum() + (w2 * w2).sum() + (w3 * w3).sum())
            return out
        return loss

    def tensors(self, dtype, grad_inputs):
        x = self.x.to(dtype).clone().requires_grad_(grad_inputs)
        ps = [p.to(dtype).clone().requires_grad_(True) for p in self.params]
        return x, ps


def flops_fwdbwd(model, batch):
    s = SHAPES[model]
    macs = sum(i * o for i, o in zip(s[:-1], s[1:]))
    return 3 * 2.0 * batch * macs  # forward 2·B·macs, backward twice that


# ------------------------------------------------------------------------ benchmarks

def bench_check(args, data):
    if not runs("check/torch.autograd.gradcheck"):
        return
    st = Setup(MLP, 8, data)
    loss = st.loss_fn()
    x, ps = st.tensors(torch.float64, True)
    inputs = (x, *ps)
    elements = sum(t.numel() for t in inputs)
    value = loss(*inputs).item()
    # One untimed forward+backward so that lazy initialisation is out of the timing.
    loss(*inputs).backward()
    for t in inputs:
        t.grad = None
    samples, cpu, ok = [], [], None
    with Usage() as u:
        for _ in range(args.check_runs):
            c0, t0 = time.process_time(), time.perf_counter()
            ok = torch.autograd.gradcheck(loss, inputs, fast_mode=False)
            samples.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    LAST_USAGE.update(u.fields())
    LAST_USAGE["cpu_median_s"] = statistics.median(cpu)
    emit("check", "check/torch.autograd.gradcheck", samples, 1,
         model=MLP, batch=8, dtype="float64", fast_mode=False, eps=1e-6, atol=1e-5, rtol=1e-3,
         passed=bool(ok), elements_checked=elements, elements_per_s=elements / statistics.median(samples),
         loss=value, gradcheck_loss=st.gradcheck_loss, data=st.source)


def bench_transformer(args, _data):
    name = "transformer-encoder"
    label = "transformer/torch.autograd.gradcheck"
    if not runs(label):
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, os.path.join(root, "Scripts", "reference"))
    import generate as G  # noqa: E402
    import generate_graph as GG  # noqa: E402
    with open(os.path.join(root, "Fixtures", "specs", name + ".json")) as f:
        spec = json.load(f)
    spec.setdefault("name", name)
    model = GG.Graph(spec)
    ref = os.path.join(root, "Fixtures", "reference", name)

    def tensor(t):
        return torch.tensor(t["values"], dtype=torch.float64).reshape(t["shape"])

    with open(os.path.join(ref, "weights.json")) as f:
        weights = {k: tensor(v) for k, v in json.load(f)["parameters"].items()}
    with open(os.path.join(ref, "batch.json")) as f:
        batch = json.load(f)
    xs = {k: tensor(v).numpy() for k, v in batch["inputs"].items()}
    x = torch.tensor(GG.packed(model, xs))
    y = tensor(batch["targets"])
    names = [n for n, _ in model.parameter_shapes()]
    params = [weights[n].clone().requires_grad_(True) for n in names]

    def loss(*ps):
        return G.total_loss(model, dict(zip(names, ps)), x, y)

    elements = sum(t.numel() for t in params)
    value = loss(*params).item()
    loss(*params).backward()
    for t in params:
        t.grad = None
    samples, cpu, ok = [], [], None
    with Usage() as u:
        for _ in range(args.check_runs):
            c0, t0 = time.process_time(), time.perf_counter()
            ok = torch.autograd.gradcheck(loss, tuple(params), fast_mode=False)
            samples.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    LAST_USAGE.update(u.fields())
    LAST_USAGE["cpu_median_s"] = statistics.median(cpu)
    emit("transformer", label, samples, 1,
         model=name, batch=int(x.shape[0]), dtype="float64", fast_mode=False, eps=1e-6, atol=1e-5, rtol=1e-3,
         passed=bool(ok), elements_checked=elements, elements_per_s=elements / statistics.median(samples),
         loss=value, data="fixture-reference")


def bench_fwdbwd(args, data):
    cases = [(MLP, 128)] + [(DIGITS, b) for b in (32, 128)]
    for model, batch in cases:
        st = Setup(model, batch, data)
        loss = st.loss_fn()
        for dtype, dname in ((torch.float64, "float64"), (torch.float32, "float32")):
            shape = "-".join(map(str, SHAPES[model]))
            kind = "mlp" if model == MLP else "digits"
            name = f"fwdbwd/{kind}-{shape}/b{batch}/{dname}"
            if not runs(name):
                continue
            x, ps = st.tensors(dtype, True)
            last = [0.0]

            def step():
                l = loss(x, *ps)
                gx, *gp = torch.autograd.grad(l, [x, *ps])
                last[0] = l

            samples, reps = measure(step, args.warmup, args.samples)
            f = flops_fwdbwd(model, batch)
            emit("fwdbwd", name, samples, reps,
                 model=model, batch=batch, dtype=dname, loss=float(last[0].detach()), gradcheck_loss=st.gradcheck_loss
                 if dtype == torch.float64 else None, flops=f, gflops=f / statistics.median(samples) / 1e9,
                 samples_per_s=batch / statistics.median(samples), data=st.source)


def bench_train(args, data):
    for batch in (32, 128):
        for dtype, dname in ((torch.float32, "float32"), (torch.float64, "float64")):
            name = f"train/digits-64-64-32-10/b{batch}/{dname}/adam"
            if not runs(name):
                continue
            st = Setup(DIGITS, batch, data)
            loss = st.loss_fn()
            x, ps = st.tensors(dtype, False)
            opt = torch.optim.Adam(ps, lr=1e-3)

            def step():
                opt.zero_grad(set_to_none=True)
                l = loss(x, *ps)
                l.backward()
                opt.step()

            samples, reps = measure(step, args.warmup, args.samples)
            emit("train", name, samples, reps,
                 model=DIGITS, batch=batch, dtype=dname, optimizer="adam", lr=1e-3,
                 samples_per_s=batch / statistics.median(samples), data=st.source)


def bench_matmul(args, _data):
    for n in (64, 128, 256, 512):
        g = torch.Generator().manual_seed(n)
        a64 = torch.randn(n, n, generator=g, dtype=torch.float64)
        b64 = torch.randn(n, n, generator=g, dtype=torch.float64)
        for dtype, dname in ((torch.float64, "float64"), (torch.float32, "float32")):
            if not runs(f"matmul/n={n}/{dname}"):
                continue
            a, b = a64.to(dtype), b64.to(dtype)
            samples, reps = measure(lambda: torch.mm(a, b), args.warmup, args.samples)
            f = 2.0 * n ** 3
            emit("matmul", f"matmul/n={n}/{dname}", samples, reps, n=n, dtype=dname, flops=f,
                 gflops=f / statistics.median(samples) / 1e9)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["check", "transformer", "fwdbwd", "train", "matmul", "all"])
    p.add_argument("--data", help="gradcheck-bench export file (same parameters and batches as GradCheck)")
    p.add_argument("--samples", type=int, default=15, help="timed samples per measurement (default 15)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    p.add_argument("--check-runs", type=int, default=1, help="timed gradcheck calls (default 1; ~10+ s each)")
    p.add_argument("--skip-transformer", action="store_true",
                   help="leave the transformer's gradcheck (minutes) out of `all`")
    p.add_argument("--quick", action="store_true", help="3 samples, 1 warm-up")
    p.add_argument("--filter", help="run only the measurements whose name contains this text")
    args = p.parse_args()
    global FILTER
    FILTER = args.filter
    if args.quick:
        args.samples, args.warmup = min(args.samples, 3), 1
    data = None
    if args.data:
        with open(args.data) as f:
            data = json.load(f)
    cmds = ["check", "transformer", "fwdbwd", "train", "matmul"] if args.command == "all" else [args.command]
    if args.skip_transformer and args.command == "all":
        cmds.remove("transformer")
    for c in cmds:
        {"check": bench_check, "transformer": bench_transformer, "fwdbwd": bench_fwdbwd, "train": bench_train, "matmul": bench_matmul}[c](args, data)


if __name__ == "__main__":
    sys.exit(main())
