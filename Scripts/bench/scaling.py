#!/usr/bin/env python3
"""The scaling study of issue 16: time of a full and a fast gradient check against parameter
count, from about 10k to about 1M parameters, for an MLP (784-h-h/2-10, ReLU) and a conv net
(16x16x1 -> conv3x3 c -> maxpool 2 -> conv3x3 2c -> maxpool 2 -> dense 10), batch 8,
float64, one thread, whole model only (`gradcheck check SPEC --no-layers --threads 1`), with
the exponent k of time ~ parameters^k fitted by least squares on log-log; and beside it
`torch.autograd.gradcheck` (fast_mode False and True) on the same architecture for the sizes
up to --torch-max-params (it gets very slow).

usage: Scripts/bench/scaling.py --gradcheck .build/release/gradcheck [--sizes mlp:12,32,... conv:16,...]
           [--timeout S] [--torch-max-params N] [--full-max-params N] [--no-torch] [--out DIR]
       Scripts/bench/scaling.py --table ROWS.jsonl...   (the table and fits of earlier runs' rows, together)

Each run's time is CPU time (user + sys of the child process for gradcheck, process time for
PyTorch, one thread each), which a busy machine inflates far less than wall time; wall time
is recorded too. A full check that does not finish within --timeout seconds is reported as
such (that is a finding, not a failure of the script).
"""
import argparse
import json
import math
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

DEFAULT_SIZES = {"mlp": [12, 32, 64, 128, 256, 512, 1024], "conv": [16, 32, 64, 128, 240]}


def mlp_spec(h):
    return {"format": "gradcheck.model/1", "name": f"mlp-784-{h}-{h // 2}-10", "input_shape": [784],
            "layers": [{"type": "dense", "units": h, "activation": "relu"},
                       {"type": "dense", "units": h // 2, "activation": "relu"},
                       {"type": "dense", "units": 10}],
            "loss": {"type": "sparse_categorical_crossentropy", "from_logits": True}}


def conv_spec(c):
    return {"format": "gradcheck.model/1", "name": f"conv-16x16-{c}-{2 * c}", "input_shape": [16, 16, 1],
            "layers": [{"type": "conv2d", "filters": c, "kernel_size": 3, "padding": "same", "activation": "relu"},
                       {"type": "max_pooling2d", "pool_size": 2},
                       {"type": "conv2d", "filters": 2 * c, "kernel_size": 3, "padding": "same", "activation": "relu"},
                       {"type": "max_pooling2d", "pool_size": 2},
                       {"type": "flatten"},
                       {"type": "dense", "units": 10}],
            "loss": {"type": "sparse_categorical_crossentropy", "from_logits": True}}


def parameters(kind, n):
    if kind == "mlp":
        h, g = n, n // 2
        return 784 * h + h + h * g + g + g * 10 + 10
    c = n
    return 9 * c + c + 9 * c * 2 * c + 2 * c + 16 * 2 * c * 10 + 10


def run_gradcheck(binary, spec_path, mode, timeout):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        out = subprocess.run([binary, "check", spec_path, "--no-layers", "--threads", "1", "--mode", mode,
                              "--format", "json", "--quiet"], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "wall_s": time.perf_counter() - start}
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode not in (0, 1):
        raise SystemExit(f"gradcheck failed on {spec_path}: {out.stderr}")
    report = json.loads(out.stdout)
    elements = sum(c["elements_checked"] for c in report["checks"])
    return {"timed_out": False, "wall_s": wall, "cpu_s": cpu, "passed": report["passed"], "elements": elements}


def torch_model(kind, n):
    import torch
    torch.manual_seed(0)
    if kind == "mlp":
        h = n
        net = torch.nn.Sequential(torch.nn.Linear(784, h), torch.nn.ReLU(), torch.nn.Linear(h, h // 2), torch.nn.ReLU(),
                                  torch.nn.Linear(h // 2, 10))
        x = torch.randn(8, 784, dtype=torch.float64)
    else:
        c = n
        net = torch.nn.Sequential(torch.nn.Conv2d(1, c, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                  torch.nn.Conv2d(c, 2 * c, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                  torch.nn.Flatten(), torch.nn.Linear(2 * c * 16, 10))
        x = torch.randn(8, 1, 16, 16, dtype=torch.float64)
    net = net.double()
    y = torch.randint(0, 10, (8,))
    return net, x, y


def run_torch(kind, n, fast):
    import torch
    from torch.func import functional_call
    torch.set_num_threads(1)
    net, x, y = torch_model(kind, n)
    names = [k for k, _ in net.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for _, p in net.named_parameters())
    x = x.requires_grad_(True)

    def loss(x, *ps):
        out = functional_call(net, dict(zip(names, ps)), (x,))
        return torch.nn.functional.cross_entropy(out, y)

    # A first, untimed call pays PyTorch's one-time costs (dispatcher and kernel set-up).
    torch.autograd.gradcheck(loss, (x, *params), fast_mode=True, raise_exception=False)
    start_cpu, start = time.process_time(), time.perf_counter()
    ok = torch.autograd.gradcheck(loss, (x, *params), fast_mode=fast, raise_exception=False)
    return {"timed_out": False, "wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - start_cpu,
            "passed": bool(ok)}


def fit(points):
    """Least-squares slope and intercept of log(time) on log(parameters)."""
    xs = [math.log(p) for p, _ in points]
    ys = [math.log(t) for _, t in points]
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gradcheck", help="the gradcheck binary (a release build)")
    ap.add_argument("--table", nargs="+", metavar="ROWS.jsonl", help="print the table of earlier runs' scaling.jsonl files")
    ap.add_argument("--full-max-params", type=int, help="run the full check only up to this many parameters (fast beyond)")
    ap.add_argument("--sizes", nargs="*", help="kind:n1,n2,... (mlp: width h; conv: filters c)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed per gradcheck run (default 600)")
    ap.add_argument("--torch-max-params", type=int, default=60000, help="largest model torch checks in full mode")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--out", help="write scaling.jsonl and scaling.md there")
    a = ap.parse_args()
    if a.table:
        rows = [json.loads(line) for path in a.table for line in pathlib.Path(path).read_text().splitlines() if line]
        print(table(rows, sorted({r["kind"] for r in rows}), a.timeout))
        return
    if not a.gradcheck:
        raise SystemExit("give --gradcheck BINARY (or --table ROWS.jsonl)")
    sizes = dict(DEFAULT_SIZES)
    if a.sizes:
        sizes = {}
        for item in a.sizes:
            kind, _, ns = item.partition(":")
            if kind not in DEFAULT_SIZES:
                raise SystemExit(f"--sizes {item}: expected mlp:... or conv:...")
            sizes[kind] = [int(n) for n in ns.split(",") if n]
    have_torch = not a.no_torch
    if have_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("note: no torch in this Python; the PyTorch side is skipped", file=sys.stderr)
            have_torch = False
    rows = []
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gradcheck-scaling."))
    for kind, ns in sizes.items():
        for n in ns:
            spec = mlp_spec(n) if kind == "mlp" else conv_spec(n)
            path = tmp / f"{spec['name']}.json"
            path.write_text(json.dumps(spec))
            p = parameters(kind, n)
            for mode in ("fast", "full"):
                if mode == "full" and a.full_max_params is not None and p > a.full_max_params:
                    continue
                r = run_gradcheck(a.gradcheck, str(path), mode, a.timeout)
                row = {"side": "gradcheck", "kind": kind, "size": n, "parameters": p, "mode": mode, **r}
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
                if have_torch and (mode == "fast" or p <= a.torch_max_params):
                    t = run_torch(kind, n, fast=(mode == "fast"))
                    row = {"side": "torch", "kind": kind, "size": n, "parameters": p, "mode": mode, **t}
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr, flush=True)
    text = table(rows, list(sizes), a.timeout)
    print(text)
    if a.out:
        out = pathlib.Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "scaling.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (out / "scaling.md").write_text(text)
        print(f"wrote {out / 'scaling.jsonl'} and {out / 'scaling.md'}", file=sys.stderr)


def table(rows, kinds, timeout):
    """The Markdown table of the rows, and the fitted exponents."""
    lines = ["| model | parameters | mode | gradcheck CPU s | torch.autograd.gradcheck CPU s | ratio (torch / gradcheck) |",
             "|---|---:|---|---:|---:|---:|"]
    for r in rows:
        if r["side"] != "gradcheck":
            continue
        t = next((x for x in rows if x["side"] == "torch" and x["kind"] == r["kind"] and x["size"] == r["size"]
                  and x["mode"] == r["mode"]), None)
        ours = f"> {timeout:.0f} (wall, timed out)" if r["timed_out"] else f"{r['cpu_s']:.3g}"
        theirs = f"{t['cpu_s']:.3g}" if t else "—"
        ratio = "—"
        if t and not r["timed_out"] and r["cpu_s"] > 0:
            x = t["cpu_s"] / r["cpu_s"]
            ratio = f"{x:.0f}x" if x >= 10 else f"{x:.2g}x"
        name = f"mlp 784-{r['size']}-{r['size'] // 2}-10" if r["kind"] == "mlp" else f"conv c={r['size']}"
        lines.append(f"| {name} | {r['parameters']:,} | {r['mode']} | {ours} | {theirs} | {ratio} |")
    lines += ["", "| side | model | mode | fitted exponent k (time ~ parameters^k) | points |", "|---|---|---|---:|---:|"]
    for side in ("gradcheck", "torch"):
        for kind in kinds:
            for mode in ("full", "fast"):
                pts = [(r["parameters"], r["cpu_s"]) for r in rows if r["side"] == side and r["kind"] == kind
                       and r["mode"] == mode and not r["timed_out"] and r["cpu_s"] > 0]
                k = fit(pts)
                if k is not None:
                    lines.append(f"| {side} | {kind} | {mode} | {k:.2f} | {len(pts)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
