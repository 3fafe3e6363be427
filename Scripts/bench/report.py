#!/usr/bin/env python3
"""Joins the JSON lines of gradcheck-bench and torch_bench.py into Markdown tables.

usage: report.py --swift SWIFT.jsonl [--native NATIVE.jsonl] --torch TORCH.jsonl [--machine TEXT]
       report.py --list-busy FILE.jsonl      (the names whose best result is still flagged)

A result is flagged ⚠ when its process got less than 95% of a core per thread while it was
timed (`cpu_share` < 0.95: descheduled by other work on the machine). When a file holds
several results of one name (compare.sh's rounds and re-runs), the fastest undisturbed one
is used (or, if all were disturbed, the one with the highest cpu_share).

Every ratio is PyTorch time / GradCheck time (equivalently GradCheck GFLOP/s / PyTorch
GFLOP/s): above 1 GradCheck is faster, below 1 PyTorch is. All numbers are medians.
"ratio (CPU)" divides the medians of CPU time per call instead (`cpu_median_s`): for a
one-thread measurement on a busy machine, where wall time also counts the time other
processes held the core, it is the steadier of the two.
"""
import argparse
import json


def share(o):
    return o.get("cpu_share", 1.0)


def better(a, b):
    """Whether result `a` beats `b` of the same name: an undisturbed run (cpu_share ≥
    SHARE) beats a disturbed one; between undisturbed runs the faster median wins (noise
    only ever adds time); between disturbed ones the higher share."""
    ca, cb = share(a) >= SHARE, share(b) >= SHARE
    if ca != cb:
        return ca
    return a["median_s"] < b["median_s"] if ca else share(a) > share(b)


def load(path):
    out = {}
    if not path:
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                o = json.loads(line)
                old = out.get(o["name"])
                if old is None or better(o, old):
                    out[o["name"]] = o
    return out


def t(s):
    """A duration with a unit that keeps 3 significant digits."""
    if s is None:
        return "–"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def ratio(pt, gc):
    if pt is None or gc is None or gc == 0:
        return "–"
    r = pt / gc
    return f"**{r:.2f}×**" if r >= 1 else f"{r:.2f}×"


SHARE = 0.95  # cpu_share below which a measurement is flagged
FLAGGED = []


def med(d, name):
    o = d.get(name)
    return o["median_s"] if o else None


def cpu(d, name):
    o = d.get(name)
    return o.get("cpu_median_s") if o else None


def tm(d, name, fmt=None, who=None):
    """A result's median (or `fmt(result)`), flagged ⚠ when its process got less than
    SHARE of a core per thread while it was timed."""
    o = d.get(name)
    if o is None:
        return "–"
    text = fmt(o) if fmt else t(o["median_s"])
    if share(o) < SHARE:
        entry = f"{who or o['framework']} {name} (cpu share {share(o):.2f})"
        if entry not in FLAGGED:
            FLAGGED.append(entry)
        text += " ⚠"
    return text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--swift")
    p.add_argument("--native")
    p.add_argument("--torch")
    p.add_argument("--machine", default="")
    p.add_argument("--list-busy")
    a = p.parse_args()
    if a.list_busy:
        for n, o in load(a.list_busy).items():
            if share(o) < SHARE:
                print(n)
        return
    if not a.swift or not a.torch:
        p.error("--swift and --torch are required")
    sw, nat, pt = load(a.swift), load(a.native), load(a.torch)
    has_native = bool(nat)
    lines = []
    if a.machine:
        lines += [a.machine, ""]
    lines += ["Ratio = PyTorch time / GradCheck time (= GradCheck GFLOP/s ÷ PyTorch GFLOP/s): "
              "**bold** where GradCheck is faster, plain where PyTorch is. Medians; PyTorch on 1 thread.", ""]

    # Gradient check.
    g = pt.get("check/torch.autograd.gradcheck")
    checks = [o for n, o in sw.items() if o["bench"] == "check"]
    if checks or g:
        lines += ["### Gradient check: mlp-l2-clipnorm (784-64-32-10, 52,650 parameters), batch 8, float64", ""]
        lines += ["| GradCheck run | elements checked | GradCheck | PyTorch gradcheck (model only, 1 thread) | ratio | ratio (CPU, 1 thread) |",
                  "|---|---:|---:|---:|---:|---:|"]
        for o in checks:
            what = ("layers + model" if o["check_layers"] else "model only") + f", {o['threads']} thread" + ("s" if o["threads"] > 1 else "")
            cr = ratio(g.get("cpu_median_s") if g else None, o.get("cpu_median_s")) if o["threads"] == 1 else "–"
            lines.append(f"| {what} | {o['elements_checked']:,} | {tm(sw, o['name'])} | "
                         f"{tm(pt, g['name']) if g else '–'} | {ratio(g['median_s'] if g else None, o['median_s'])} | {cr} |")
        if g:
            lines += ["", f"PyTorch `torch.autograd.gradcheck(fast_mode=False)` checked {g['elements_checked']:,} elements "
                      f"(inputs + 6 parameter tensors), passed={g['passed']}, loss {g['loss']:.12g}"
                      + (f" (GradCheck's loss on the same data: {g['gradcheck_loss']:.12g})" if g.get("gradcheck_loss") else "")
                      + f"; {g['iterations']} timed call(s)."]
        lines.append("")

    # Transformer full check.
    tg = pt.get("transformer/torch.autograd.gradcheck")
    tchecks = [o for n, o in sw.items() if o["bench"] == "transformer"]
    if tchecks or tg:
        lines += ["### Full check: transformer-encoder fixture (2 causal attention blocks, 18,469 parameters), batch 4, "
                  "sequence 16, float64, model only", ""]
        lines += ["| GradCheck run | elements checked | GradCheck | PyTorch gradcheck (1 thread) | ratio | ratio (CPU, 1 thread) |",
                  "|---|---:|---:|---:|---:|---:|"]
        for o in tchecks:
            what = f"model only, {o['threads']} thread" + ("s" if o["threads"] > 1 else "")
            cr = ratio(tg.get("cpu_median_s") if tg else None, o.get("cpu_median_s")) if o["threads"] == 1 else "–"
            lines.append(f"| {what} | {o['elements_checked']:,} | {tm(sw, o['name'])} | "
                         f"{tm(pt, tg['name']) if tg else '–'} | {ratio(tg['median_s'] if tg else None, o['median_s'])} | {cr} |")
        if tg:
            lines += ["", f"PyTorch checked {tg['elements_checked']:,} parameter elements, passed={tg['passed']}, "
                      f"loss {tg['loss']:.12g}; {tg['iterations']} timed call(s)."]
        lines.append("")

    # Forward + backward.
    fb = [n for n, o in sw.items() if o["bench"] == "fwdbwd"]
    if fb:
        lines += ["### Forward + backward (`lossAndGradients`, input gradient included)", ""]
        head = "| model / batch / dtype | GradCheck | " + ("GradCheck native | " if has_native else "") + "PyTorch | ratio | ratio (CPU) |" + (" ratio native |" if has_native else "")
        lines += [head, "|---|" + "---:|" * (head.count("|") - 2)]
        for n in fb:
            row = f"| {n.removeprefix('fwdbwd/')} | {tm(sw, n)} | "
            if has_native:
                row += f"{tm(nat, n, who='gradcheck-native')} | "
            row += f"{tm(pt, n)} | {ratio(med(pt, n), med(sw, n))} | {ratio(cpu(pt, n), cpu(sw, n))} |"
            if has_native:
                row += f" {ratio(med(pt, n), med(nat, n))} |"
            lines.append(row)
        lines.append("")

    # Training step.
    ts = [n for n, o in sw.items() if o["bench"] == "train"]
    if ts:
        lines += ["### Training step (`Trainer.step`: forward, backward, Adam lr 1e-3; PyTorch: zero_grad, forward, backward, `Adam.step`)", "",
                  "| model / batch / dtype | GradCheck | PyTorch | ratio | ratio (CPU) |", "|---|---:|---:|---:|---:|"]
        for n in ts:
            lines.append(f"| {n.removeprefix('train/')} | {tm(sw, n)} | {tm(pt, n)} | {ratio(med(pt, n), med(sw, n))} | "
                         f"{ratio(cpu(pt, n), cpu(sw, n))} |")
        lines.append("")

    # Monitor overhead.
    mo = [n for n, o in sw.items() if o["bench"] == "monitor" and not n.endswith("/none")]
    if mo:
        lines += ["### Health-monitor overhead (same step, float32, with a `HealthMonitorObserver`)", "",
                  "| model / batch / instruments | bare step | with monitor | overhead (wall) | overhead (CPU) |",
                  "|---|---:|---:|---:|---:|"]
        for n in mo:
            base = n.rsplit("/", 1)[0] + "/none"
            b, o = sw.get(base), sw[n]
            def pct(x, y):
                return f"{(x / y - 1) * 100:+.1f} %" if x is not None and y else "–"
            lines.append(f"| {n.removeprefix('monitor/')} | {tm(sw, base)} | {tm(sw, n)} | "
                         f"{pct(o['median_s'], b['median_s'] if b else None)} | "
                         f"{pct(o.get('cpu_median_s'), b.get('cpu_median_s') if b else None)} |")
        lines.append("")

    # Matmul.
    mm = [n for n, o in sw.items() if o["bench"] == "matmul"]
    if mm:
        lines += ["### Square matmul (`Tensor.matmul` vs `torch.mm`), GFLOP/s = 2n³/t", ""]
        head = "| n | dtype | GradCheck GFLOP/s | " + ("GradCheck native GFLOP/s | " if has_native else "") + "PyTorch GFLOP/s | ratio | ratio (CPU) |" + (" ratio native |" if has_native else "")
        lines += [head, "|---|---|" + "---:|" * (head.count("|") - 3)]
        for n in mm:
            o = sw[n]
            gf = lambda r: f"{r['gflops']:.1f}"
            row = f"| {o['n']} | {o['dtype']} | {tm(sw, n, gf)} | "
            if has_native:
                row += f"{tm(nat, n, gf, who='gradcheck-native')} | "
            row += f"{tm(pt, n, gf)} | "
            row += f"{ratio(med(pt, n), med(sw, n))} | {ratio(cpu(pt, n), cpu(sw, n))} |"
            if has_native:
                row += f" {ratio(med(pt, n), med(nat, n))} |"
            lines.append(row)
        lines.append("")

    # PyTorch only.
    tr = [o for o in pt.values() if o["bench"] == "train" and o["name"] not in sw]
    if tr:
        lines += ["### PyTorch only: training step (forward, backward, Adam), float32, 1 thread", "",
                  "| model / batch | median | samples/s |", "|---|---:|---:|"]
        for o in tr:
            lines.append(f"| {o['name'].removeprefix('train/')} | {tm(pt, o['name'])} | {o['samples_per_s']:,.0f} |")
        lines.append("")
    if FLAGGED:
        lines += [f"⚠ these got less than {SHARE:.0%} of a core per thread while timed (the machine was busy; "
                  "their times are overstated): " + "; ".join(FLAGGED) + "."]
    else:
        lines += [f"Every measurement got at least {SHARE:.0%} of a core per thread while timed."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
