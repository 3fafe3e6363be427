#!/usr/bin/env python3
"""Golden values for GradCheck's gradient-clipping policies, from PyTorch and the Keras 3
formulas.

Run from the repository root:

    /root/torchenv/bin/python Scripts/reference/clipping_golden.py

It writes Fixtures/clipping/golden.json (format gradcheck.clipping-golden/1), read by
Tests/GradCheckClippingTests/GoldenTests.swift. The output is deterministic.

Sources of truth, independent of the Swift code:

* PyTorch (torch.nn.utils.clip_grad_norm_, clip_grad_value_), run in the gradients'
  dtype on CPU. clip_grad_norm_ computes, in torch 2.x
  (torch/nn/utils/clip_grad.py, _get_total_norm and _clip_grads_with_norm_):
      norms      = _foreach_norm(grads)                 # per tensor, in the dtype
      total_norm = vector_norm(stack(norms))
      clip_coef  = max_norm / (total_norm + 1e-6)       # float / Tensor is
                                                        # Tensor.reciprocal() * float
      coef       = clamp(clip_coef, max=1.0)
      _foreach_mul_(grads, coef)                        # always multiplies
  The script checks that a NumPy emulation of the coefficient in the dtype matches
  torch bit for bit on every case, so the Swift side can reproduce it.

* Keras 3 has no install here; its formulas are written out in NumPy, in the
  gradients' dtype, from keras/src/optimizers/base_optimizer.py:
      _clip_gradients: clipnorm (if clipnorm > 0) -> _clip_by_norm per variable;
                       global_clipnorm (if > 0)   -> clip_by_global_norm;
                       clipvalue (if > 0)         -> ops.clip(g, -v, v)
      _clip_by_norm(values):
          l2sum = sum(square(values)); pred = l2sum > 0
          l2norm = where(pred, sqrt(where(pred, l2sum, 1)), l2sum)
          return (values * clipnorm) / maximum(l2norm, clipnorm)
      global_norm(value_list) = sqrt(sum(stack([sum(square(v)) for v in value_list])))
      clip_by_global_norm(value_list, clip_norm):
          use_norm = global_norm(value_list)
          scale_for_finite = clip_norm * minimum(1.0 / use_norm, 1.0 / clip_norm)
          scale = scale_for_finite + (use_norm - use_norm)   # NaN for a non-finite norm
          return [v * scale for v in value_list]
  Note that Keras skips clipping altogether when the threshold is 0 (the `> 0` tests);
  the formulas are still evaluated here so that the edge is visible.

* "exact": GradCheck's documented exact mode, computed here with exact arithmetic:
  norm = the correctly rounded sqrt of the exact sum of squares (fractions), factor =
  c / norm in float64 when norm > c, each element x*factor rounded once to the dtype;
  identity otherwise (and identity for a non-finite norm).

Every float is stored as its IEEE bit pattern ("bits", hex) next to a readable value
("values"; non-finite ones as the strings "inf", "-inf", "nan").

Generated with torch 2.15.0 and numpy 2.4.6.
"""

import json
import math
import os
import struct
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import torch

getcontext().prec = 80

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "clipping", "golden.json")

DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


# ---------------------------------------------------------------- encoding helpers

def bits(x, dtype):
    if dtype == "float32":
        return "0x%08x" % struct.unpack("<I", struct.pack("<f", float(x)))[0]
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def readable(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def encode_tensor(a, dtype):
    a = np.asarray(a)
    flat = a.reshape(-1)
    return {"shape": list(a.shape), "values": [readable(v) for v in flat], "bits": [bits(v, dtype) for v in flat]}


def encode_list(arrs, dtype):
    return [encode_tensor(a, dtype) for a in arrs]


# ---------------------------------------------------------------- exact arithmetic

def exact_norm(arrs):
    """Correctly rounded (to float64) Euclidean norm of all elements; inf/nan if any."""
    s = Fraction(0)
    for a in arrs:
        for v in np.asarray(a, dtype=np.float64).reshape(-1):
            v = float(v)
            if math.isnan(v):
                return float("nan")
            if math.isinf(v):
                return float("inf")
            s += Fraction(v) ** 2
    if s == 0:
        return 0.0
    return float((Decimal(s.numerator) / Decimal(s.denominator)).sqrt())


def round_to(x, dtype):
    return float(DTYPES[dtype][0](x))


def exact_global(arrs, c, dtype):
    n = exact_norm(arrs)
    if not math.isfinite(n) or not n > c:
        return [np.array(a, copy=True) for a in arrs]
    factor = c / n
    npd = DTYPES[dtype][0]
    return [(np.asarray(a, dtype=np.float64) * factor).astype(npd) for a in arrs]


def exact_per_tensor(arrs, c, dtype):
    return [exact_global([a], c, dtype)[0] for a in arrs]


# ---------------------------------------------------------------- torch

def torch_global(arrs, c, dtype):
    tdt = DTYPES[dtype][1]
    params = []
    for a in arrs:
        p = torch.zeros(a.shape, dtype=tdt, requires_grad=True)
        p.grad = torch.tensor(np.array(a, copy=True), dtype=tdt)
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, c)
    return [p.grad.numpy().copy() for p in params], total.item()


def torch_value(arrs, c, dtype):
    tdt = DTYPES[dtype][1]
    params = []
    for a in arrs:
        p = torch.zeros(a.shape, dtype=tdt, requires_grad=True)
        p.grad = torch.tensor(np.array(a, copy=True), dtype=tdt)
        params.append(p)
    torch.nn.utils.clip_grad_value_(params, c)
    return [p.grad.numpy().copy() for p in params]


def emulated_coefficient(total, c, dtype):
    """clamp(reciprocal(total + 1e-6) * c, max=1) in the dtype (see the docstring)."""
    npd = DTYPES[dtype][0]
    with np.errstate(all="ignore"):
        coef = (npd(1) / (npd(total) + npd(1e-6))) * npd(c)
    if math.isnan(float(coef)):
        return coef
    return min(coef, npd(1))


def two_level_exact_total(arrs, dtype):
    """PyTorch's total norm if every norm it computes were correctly rounded."""
    norms = [round_to(exact_norm([a]), dtype) for a in arrs]
    return round_to(exact_norm([np.array(norms)]), dtype)


# ---------------------------------------------------------------- Keras 3 formulas in NumPy

def keras_clip_by_global_norm(arrs, c, dtype):
    npd = DTYPES[dtype][0]
    with np.errstate(all="ignore"):
        squared = [np.sum(np.square(a)) for a in arrs]
        use_norm = np.sqrt(np.sum(np.stack(squared)))
        # 1.0 / clip_norm is a Python division; at c = 0 (which Keras never evaluates,
        # since it skips clipping there) it would raise, so inf stands in for it.
        scale_for_finite = npd(c) * np.minimum(npd(1) / use_norm, npd(1.0 / c) if c != 0 else npd(np.inf))
        scale = scale_for_finite + (use_norm - use_norm)
        return [(a * scale).astype(npd) for a in arrs]


def keras_clip_by_norm(a, c, dtype):
    npd = DTYPES[dtype][0]
    with np.errstate(all="ignore"):
        l2sum = np.sum(np.square(a))
        pred = l2sum > 0
        l2norm = np.sqrt(l2sum) if pred else l2sum
        return ((a * npd(c)) / np.maximum(l2norm, npd(c))).astype(npd)


def keras_clip_value(a, c, dtype):
    npd = DTYPES[dtype][0]
    return np.clip(a, npd(-c), npd(c)).astype(npd)


# ---------------------------------------------------------------- cases

def arrays(raw, dtype):
    npd = DTYPES[dtype][0]
    return [np.array(t, dtype=npd) for t in raw]


def random_set(seed, shapes, scale):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * scale).tolist() for s in shapes]


INF = float("inf")
NAN = float("nan")

NORM_CASES = [
    # name, tensors (nested lists), threshold, note
    ("at_threshold", [[3.0, 4.0]], 5.0,
     "norm exactly c: exact mode is the identity; PyTorch still scales by c/(c+1e-6)"),
    ("within_1e-6_below", [[3.0, 4.0]], 5.0000005,
     "norm below c by less than 1e-6: PyTorch scales down anyway"),
    ("above_exact_sums", [[3.0, 4.0], [12.0]], 1.0,
     "global norm 13 (sums exact in every dtype)"),
    ("zero_gradients_threshold_zero", [[0.0, 0.0, 0.0], [0.0]], 0.0,
     "0 <= 0: exact mode is the identity; PyTorch multiplies by 0; Keras skips clipping "
     "at threshold 0, and its formulas would give NaN"),
    ("nonzero_threshold_zero", [[1.0, -2.0]], 0.0,
     "threshold 0 zeroes a non-zero gradient (signed zeros)"),
    ("entries_1e20", [[1e20, -1e20, 1e20, 1e20]], 1.0,
     "float32 squares overflow: PyTorch's float32 norm is inf (gradients zeroed), Keras' "
     "gives NaN; exact mode scales correctly"),
    ("inf_entry", [[1.0, INF, 2.0]], 1.0,
     "non-finite: PyTorch gives [0, nan, 0], Keras all NaN; GradCheck applies its "
     "non-finite rule first"),
    ("nan_entry", [[1.0, NAN], [3.0]], 1.0,
     "NaN norm: PyTorch and Keras give all NaN"),
    ("tiny_norm_tiny_threshold", [[3e-8, 4e-8]], 1e-8,
     "norm 5e-8 > c = 1e-8: the +1e-6 dominates PyTorch's coefficient, which leaves the "
     "norm near 4.8e-10 instead of c"),
    ("tiny_norm_below", [[3e-8, 4e-8]], 1.0,
     "far below the threshold: identity everywhere"),
    ("float32_underflow", [[3e-25, 4e-25]], 1e-26,
     "float32 squares underflow to 0, so PyTorch's float32 norm is 0 and its coefficient "
     "is c/1e-6; GradCheck's norm is 5e-25"),
    ("random_a", random_set(11, [(3, 4), (4,), (2, 2, 2)], 1.0), 0.5, "random, clipped"),
    ("random_b", random_set(12, [(5, 3), (3,)], 3.0), 2.0, "random, clipped"),
    ("random_c", random_set(13, [(2, 6), (6,), (6, 2), (2,)], 0.1), 10.0, "random, below the threshold"),
]

VALUE_CASES = [
    ("mixed", [[0.5, -2.0, 3.0, -0.25], [1.0, -1.0]], 1.0, "bounds and exact hits"),
    ("non_finite", [[INF, -INF, NAN, 0.5]], 1.0, "clamp maps +-inf to +-c and keeps NaN"),
    ("threshold_zero", [[0.5, -2.0, 0.0]], 0.0, "every element to +-0"),
    ("entries_1e20", [[1e20, -1e20, 3e-8]], 1.0, "large entries"),
]


def norm_case(name, raw, c, note, dtype, per_tensor):
    arrs = arrays(raw, dtype)
    case = {"name": name, "dtype": dtype, "max_norm": c, "note": note,
            "gradients": encode_list(arrs, dtype)}
    if per_tensor:
        # PyTorch has no per-tensor clipnorm; the usual port is clip_grad_norm_ per tensor.
        outs, totals = [], []
        for a in arrs:
            g, total = torch_global([a], c, dtype)
            outs.append(g[0])
            totals.append(total)
        keras = [keras_clip_by_norm(a, c, dtype) for a in arrs]
        exact = exact_per_tensor(arrs, c, dtype)
        exact_totals = [round_to(exact_norm([a]), dtype) for a in arrs]
        torch_norm_exact = all(bits(t, dtype) == bits(e, dtype) for t, e in zip(totals, exact_totals))
        for a, t, g in zip(arrs, totals, outs):
            check_coefficient(name, [a], c, dtype, t, [g])
        case["torch"] = {"total_norms": [readable(t) for t in totals],
                         "total_norm_bits": [bits(t, dtype) for t in totals],
                         "norm_correctly_rounded": torch_norm_exact,
                         "gradients": encode_list(outs, dtype)}
    else:
        outs, total = torch_global(arrs, c, dtype)
        keras = keras_clip_by_global_norm(arrs, c, dtype)
        exact = exact_global(arrs, c, dtype)
        exact_total = two_level_exact_total(arrs, dtype)
        check_coefficient(name, arrs, c, dtype, total, outs)
        case["torch"] = {"total_norm": readable(total), "total_norm_bits": bits(total, dtype),
                         "norm_correctly_rounded": bits(total, dtype) == bits(exact_total, dtype)
                         or (math.isnan(total) and math.isnan(exact_total)),
                         "gradients": encode_list(outs, dtype)}
    case["keras"] = {"gradients": encode_list(keras, dtype)}
    case["exact"] = {"norm": readable(exact_norm(arrs)), "gradients": encode_list(exact, dtype)}
    return case


def check_coefficient(name, arrs, c, dtype, total, outs):
    """The emulated coefficient times each element must equal torch's output bit for bit."""
    coef = emulated_coefficient(total, c, dtype)
    npd = DTYPES[dtype][0]
    with np.errstate(all="ignore"):
        for a, g in zip(arrs, outs):
            mine = (a * npd(coef)).astype(npd)
            if mine.tobytes() != np.asarray(g, dtype=npd).tobytes():
                sys.exit(f"{name} ({dtype}): emulated PyTorch coefficient does not reproduce clip_grad_norm_")


def value_case(name, raw, c, note, dtype):
    arrs = arrays(raw, dtype)
    outs = torch_value(arrs, c, dtype)
    keras = [keras_clip_value(a, c, dtype) for a in arrs]
    return {"name": name, "dtype": dtype, "clip_value": c, "note": note,
            "gradients": encode_list(arrs, dtype),
            "torch": {"gradients": encode_list(outs, dtype)},
            "keras": {"gradients": encode_list(keras, dtype)}}


def percentile_cases():
    rng = np.random.default_rng(21)
    cases = []
    for n, p in [(1, 10.0), (2, 10.0), (5, 10.0), (7, 50.0), (10, 90.0), (40, 10.0), (13, 100.0), (6, 0.5), (9, 37.5)]:
        history = np.sort(np.abs(rng.standard_normal(n)) * 3).tolist()
        value = float(np.percentile(np.array(history), p))
        cases.append({"history": history, "history_bits": [bits(h, "float64") for h in history],
                      "percentile": p, "value": value, "value_bits": bits(value, "float64")})
    return cases


def main():
    out = {"format": "gradcheck.clipping-golden/1",
           "generator": "Scripts/reference/clipping_golden.py",
           "torch": torch.__version__.split("+")[0], "numpy": np.__version__,
           "global_norm": [], "norm": [], "value": [], "percentile": percentile_cases()}
    for dtype in ("float32", "float64"):
        for name, raw, c, note in NORM_CASES:
            out["global_norm"].append(norm_case(name, raw, c, note, dtype, per_tensor=False))
        for name, raw, c, note in [
            ("mixed", [[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], 1.0, "first clipped, second kept, third zero"),
            ("at_threshold", [[3.0, 4.0]], 5.0, "norm exactly c"),
            ("zero_gradients_threshold_zero", [[0.0, 0.0]], 0.0,
             "exact: identity; Keras' formula gives 0*0/0 = NaN (Keras skips threshold 0)"),
            ("entries_1e20", [[1e20, -1e20], [1.0]], 1.0, "float32 overflow in PyTorch and Keras norms"),
            ("random", random_set(14, [(3, 4), (4,)], 2.0), 1.0, "random"),
        ]:
            out["norm"].append(norm_case(name, raw, c, note, dtype, per_tensor=True))
        for name, raw, c, note in VALUE_CASES:
            out["value"].append(value_case(name, raw, c, note, dtype))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    flags = [(c["name"], c["dtype"], c["torch"]["norm_correctly_rounded"]) for c in out["global_norm"] + out["norm"]]
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(out['global_norm'])} global_norm, {len(out['norm'])} norm, "
          f"{len(out['value'])} value, {len(out['percentile'])} percentile cases")
    for n, d, ok in flags:
        if not ok:
            print(f"  torch norm not correctly rounded: {n} ({d})")


if __name__ == "__main__":
    main()
