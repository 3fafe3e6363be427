#!/usr/bin/env python3
"""Reference gradients for GradCheck's fixture specs, computed independently in PyTorch.

Run from the repository root:

    /root/torchenv/bin/python Scripts/reference/generate.py            # every spec
    /root/torchenv/bin/python Scripts/reference/generate.py tiny-logits mlp-binary.json

Generated with torch 2.15.0 and numpy 2.4.6 (CPU, float64).

For each model spec `Fixtures/specs/<name>.json` (format `gradcheck.model/1`) this writes

    Fixtures/reference/<name>/weights.json    gradcheck.weights/1
    Fixtures/reference/<name>/batch.json      gradcheck.batch/1
    Fixtures/reference/<name>/gradients.json  gradcheck.gradients/1

The model is interpreted here from the spec JSON following docs/FORMATS.md (the
contract), with no code shared with the Swift implementation. All maths is float64;
the loss is differentiated with torch.autograd and every gradient file is then
self-checked against central differences on a few elements per tensor.

Choices made here (the Swift side must match them when it loads these files):
  * Weights: numpy default_rng(seed) with seed = crc32(spec name); kernels are
    normal(0, sqrt(2 / fan_in)) with fan_in the product of every axis but the last
    (in for dense, kh*kw*in for conv2d), other parameters (biases, embeddings)
    normal(0, 0.1). Drawn in model order, kernel then bias per layer.
  * Token ids (a model whose first layer is an embedding) are drawn uniform in
    0..input_dim-1, stored as integer-valued numbers; such a model has no input
    gradient, and gradients.json has no "inputs" (FORMATS.md section 2).
  * conv2d / pooling layers: NHWC; padding "same" as TensorFlow pads (see the
    convolution section below); max-pool inputs are continuous random values, so
    ties (kinks) have probability zero except at exact ReLU zeros, where every
    candidate's gradient is zero anyway.
  * Batch: inputs standard normal (batch 4 when the input has 784 features, else 5).
    sparse_categorical_crossentropy targets have shape [B] (integer-valued numbers);
    categorical_crossentropy targets are one-hot [B, C]; binary targets 0/1 with the
    output's shape [B, 1]; regression targets standard normal with the output's shape.
  * Losses (per sample, then mean over the batch), as in Keras:
      mse/mae/huber/binary_crossentropy: mean over the last axis;
      categorical/sparse_categorical_crossentropy: sum over classes.
    Cross-entropy on probabilities is computed exactly from the pre-activation of the
    last layer (log_softmax / log-sigmoid), no epsilon clipping.
  * Regularisers: l1 a*sum|w|, l2 b*sum(w^2) (no 1/2); activity regulariser on the
    layer's output after its activation, divided by the batch size.
  * Dropout in training mode with the SplitMix64 mask described in dropout_mask().
    Forward seed s = 0.
"""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_DIR = os.path.join(ROOT, "Fixtures", "specs")
OUT_DIR = os.path.join(ROOT, "Fixtures", "reference")

M64 = (1 << 64) - 1
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
FORWARD_SEED = 0


# ---------------------------------------------------------------------------
# Activations (FORMATS.md "Exact semantics")

def parse_activation(a):
    if a is None:
        return ("linear", {})
    if isinstance(a, str):
        return (a, {})
    a = dict(a)
    kind = a.pop("type")
    return (kind, a)


def apply_activation(act, x):
    kind, opts = act
    if kind == "linear":
        return x
    if kind == "relu":
        return torch.relu(x)
    if kind == "leaky_relu":
        alpha = opts.get("alpha", 0.2)
        return torch.where(x > 0, x, alpha * x)
    if kind == "elu":
        return torch.where(x > 0, x, torch.expm1(x))
    if kind == "selu":
        return SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * torch.expm1(x))
    if kind == "gelu":
        if opts.get("approximate", False):
            c = math.sqrt(2.0 / math.pi)
            return 0.5 * x * (1.0 + torch.tanh(c * (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if kind == "sigmoid":
        return torch.sigmoid(x)
    if kind == "hard_sigmoid":
        return torch.clamp(x / 6.0 + 0.5, 0.0, 1.0)
    if kind == "tanh":
        return torch.tanh(x)
    if kind == "softplus":
        return torch.nn.functional.softplus(x)  # log(1 + exp(x)), stable
    if kind == "softsign":
        return x / (1.0 + torch.abs(x))
    if kind == "swish":
        return x * torch.sigmoid(x)
    if kind == "softmax":
        return torch.softmax(x, dim=-1)
    if kind == "log_softmax":
        return torch.log_softmax(x, dim=-1)
    raise ValueError(f"unknown activation {kind!r}")


# ---------------------------------------------------------------------------
# Dropout mask: SplitMix64, deterministic

class SplitMix64:
    def __init__(self, state):
        self.state = state & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)


def dropout_mask(k, rate, shape, seed=FORWARD_SEED):
    """Keep-mask for the k-th dropout layer (k from 1), over its input incl. batch axis.

    state0 = seed XOR (k * 0xD1B54A32D192ED03 mod 2^64); for each element in row-major
    order u = (next() >> 11) * 2^-53; keep iff u >= rate.
    """
    g = SplitMix64(seed ^ ((k * 0xD1B54A32D192ED03) & M64))
    n = int(np.prod(shape))
    keep = np.empty(n, dtype=np.float64)
    for i in range(n):
        u = (g.next() >> 11) * 2.0 ** -53
        keep[i] = 1.0 if u >= rate else 0.0
    return torch.tensor(keep.reshape(shape))


# ---------------------------------------------------------------------------
# Model interpreter

class Model:
    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        self.input_shape = list(spec["input_shape"])
        self.layers = []  # dicts: type, name, and layer-specific entries
        counts = {}
        shape = list(self.input_shape)
        for raw in spec["layers"]:
            t = raw["type"]
            counts[t] = counts.get(t, 0) + 1
            layer = {"type": t, "name": raw.get("name", f"{t}_{counts[t]}"), "k": counts[t],
                     "in_shape": list(shape)}
            if t == "dense":
                units = raw["units"]
                layer["units"] = units
                layer["use_bias"] = raw.get("use_bias", True)
                layer["act"] = parse_activation(raw.get("activation"))
                layer["kernel_shape"] = [shape[-1], units]
                for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
                    layer[key] = raw.get(key)
                shape = shape[:-1] + [units]
            elif t == "activation":
                layer["act"] = parse_activation(raw["activation"])
                layer["activity_regularizer"] = raw.get("activity_regularizer")
            elif t == "dropout":
                layer["rate"] = raw["rate"]
            elif t == "flatten":
                shape = [int(np.prod(shape))]
            elif t == "reshape":
                target = list(raw["target_shape"])
                assert int(np.prod(target)) == int(np.prod(shape)), "reshape size mismatch"
                shape = target
            elif t in CONV_LAYER_TYPES:
                shape = conv_build_layer(layer, raw, shape)
            else:
                raise ValueError(f"layer type {t!r} not supported by the reference generator")
            layer["out_shape"] = list(shape)
            self.layers.append(layer)
        self.output_shape = shape
        # Token ids (an embedding first) are indices: no input gradient.
        self.takes_indices = bool(self.layers) and self.layers[0]["type"] == "embedding"

    def parameter_shapes(self):
        out = []
        for layer in self.layers:
            if layer["type"] == "dense":
                out.append((layer["name"] + "/kernel", layer["kernel_shape"]))
                if layer["use_bias"]:
                    out.append((layer["name"] + "/bias", [layer["units"]]))
            elif layer["type"] in CONV_LAYER_TYPES:
                out.extend(conv_parameter_shapes(layer))
        return out

    def forward(self, params, x):
        """Returns (output, pre_activation_of_last_layer_or_None, reg_loss)."""
        batch = x.shape[0]
        reg = torch.zeros(())
        pre = None
        for layer in self.layers:
            t = layer["type"]
            pre = None
            if t == "dense":
                w = params[layer["name"] + "/kernel"]
                z = torch.matmul(x, w)  # acts on the last axis
                if layer["use_bias"]:
                    b = params[layer["name"] + "/bias"]
                    z = z + b
                    reg = reg + regularizer(layer["bias_regularizer"], b)
                reg = reg + regularizer(layer["kernel_regularizer"], w)
                pre = (layer["act"][0], z)
                x = apply_activation(layer["act"], z)
                reg = reg + regularizer(layer["activity_regularizer"], x) / batch
            elif t == "activation":
                pre = (layer["act"][0], x)
                x = apply_activation(layer["act"], x)
                reg = reg + regularizer(layer["activity_regularizer"], x) / batch
            elif t == "dropout":
                rate = layer["rate"]
                mask = dropout_mask(layer["k"], rate, tuple(x.shape))
                x = x * mask / (1.0 - rate)
            elif t == "flatten":
                x = x.reshape(batch, -1)
            elif t == "reshape":
                x = x.reshape([batch] + layer["out_shape"])
            elif t in CONV_LAYER_TYPES:
                x, pre, reg = conv_forward_layer(layer, params, x, reg, batch)
        return x, pre, reg


def regularizer(cfg, w):
    if not cfg:
        return torch.zeros(())
    r = torch.zeros(())
    if "l1" in cfg:
        r = r + cfg["l1"] * torch.sum(torch.abs(w))
    if "l2" in cfg:
        r = r + cfg["l2"] * torch.sum(w * w)
    return r


def parse_loss(loss):
    if isinstance(loss, str):
        return loss, {}
    loss = dict(loss)
    return loss.pop("type"), loss


def data_loss(spec_loss, out, pre, y):
    kind, opts = parse_loss(spec_loss)
    from_logits = opts.get("from_logits", False)
    if kind == "mean_squared_error":
        per = torch.mean((out - y) ** 2, dim=-1)
    elif kind == "mean_absolute_error":
        per = torch.mean(torch.abs(out - y), dim=-1)
    elif kind == "huber":
        d = opts.get("delta", 1.0)
        e = torch.abs(out - y)
        per = torch.mean(torch.where(e <= d, 0.5 * e * e, d * e - 0.5 * d * d), dim=-1)
    elif kind == "binary_crossentropy":
        if from_logits:
            z = out
        else:
            assert pre is not None and pre[0] == "sigmoid", \
                "binary_crossentropy on probabilities needs a sigmoid last layer here"
            z = pre[1]
        # -(y log sigmoid(z) + (1-y) log(1 - sigmoid(z))) = softplus(z) - y z
        per = torch.mean(torch.nn.functional.softplus(z) - y * z, dim=-1)
    elif kind in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        if from_logits:
            logp = torch.log_softmax(out, dim=-1)
        else:
            assert pre is not None and pre[0] == "softmax", \
                "cross-entropy on probabilities needs a softmax last layer here"
            logp = torch.log_softmax(pre[1], dim=-1)
        if kind == "categorical_crossentropy":
            per = -torch.sum(y * logp, dim=-1)
        else:
            idx = y.long().reshape(logp.shape[:-1] + (1,))
            per = -torch.gather(logp, -1, idx).squeeze(-1)
    else:
        raise ValueError(f"unknown loss {kind!r}")
    return torch.mean(per)


def total_loss(model, params, x, y):
    out, pre, reg = model.forward(params, x)
    return data_loss(model.spec["loss"], out, pre, y) + reg


# ---------------------------------------------------------------------------
# Convolution, pooling and embedding layers (conv2d, max_pooling2d, average_pooling2d,
# global_average_pooling2d, embedding). Samples are NHWC (channels last); torch works
# in NCHW, so tensors are permuted in and out. Padding "same" is TensorFlow's:
# out = ceil(n / s), total = max((out - 1) * s + k - n, 0), before = total // 2, the odd
# one after (bottom / right). Average pooling with "same" averages over the elements
# inside the input only; max pooling never picks a padded position.

CONV_LAYER_TYPES = ("conv2d", "max_pooling2d", "average_pooling2d", "global_average_pooling2d", "embedding")


def conv_pair(v, default=None):
    if v is None:
        return list(default)
    if isinstance(v, int):
        return [v, v]
    assert len(v) == 2
    return [int(v[0]), int(v[1])]


def tf_same_padding(n, k, s):
    """(before, after, out) along one axis for TensorFlow "same" padding."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2, out


def conv_window_pads(layer, h, w):
    """F.pad tuple (left, right, top, bottom) and output (oh, ow) of a window layer."""
    (kh, kw), (sh, sw) = layer["window"], layer["strides"]
    if layer["padding"] == "same":
        t, b, oh = tf_same_padding(h, kh, sh)
        l, r, ow = tf_same_padding(w, kw, sw)
        return (l, r, t, b), (oh, ow)
    assert layer["padding"] == "valid"
    assert h >= kh and w >= kw, "window larger than a valid-padded input"
    return (0, 0, 0, 0), ((h - kh) // sh + 1, (w - kw) // sw + 1)


def conv_build_layer(layer, raw, shape):
    """Fills `layer` from the spec object `raw`; returns the output shape."""
    t = layer["type"]
    if t == "embedding":
        layer["input_dim"] = raw["input_dim"]
        layer["output_dim"] = raw["output_dim"]
        layer["embeddings_regularizer"] = raw.get("embeddings_regularizer")
        layer["activity_regularizer"] = raw.get("activity_regularizer")
        return list(shape) + [raw["output_dim"]]
    assert len(shape) == 3, f"{layer['name']}: needs [height, width, channels], got {shape}"
    h, w, c = shape
    if t == "global_average_pooling2d":
        return [c]
    if t == "conv2d":
        layer["window"] = conv_pair(raw["kernel_size"])
        layer["strides"] = conv_pair(raw.get("strides"), [1, 1])
        layer["padding"] = raw.get("padding", "valid")
        layer["filters"] = raw["filters"]
        layer["use_bias"] = raw.get("use_bias", True)
        layer["act"] = parse_activation(raw.get("activation"))
        for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
            layer[key] = raw.get(key)
        layer["kernel_shape"] = layer["window"] + [c, raw["filters"]]
        out_c = raw["filters"]
    else:  # max_pooling2d, average_pooling2d
        layer["window"] = conv_pair(raw.get("pool_size"), [2, 2])
        layer["strides"] = conv_pair(raw.get("strides"), layer["window"])
        layer["padding"] = raw.get("padding", "valid")
        out_c = c
    _, (oh, ow) = conv_window_pads(layer, h, w)
    return [oh, ow, out_c]


def conv_parameter_shapes(layer):
    if layer["type"] == "conv2d":
        out = [(layer["name"] + "/kernel", layer["kernel_shape"])]
        if layer["use_bias"]:
            out.append((layer["name"] + "/bias", [layer["filters"]]))
        return out
    if layer["type"] == "embedding":
        return [(layer["name"] + "/embeddings", [layer["input_dim"], layer["output_dim"]])]
    return []


def conv_forward_layer(layer, params, x, reg, batch):
    """One layer's forward pass; returns (x, pre, reg) as Model.forward keeps them."""
    F = torch.nn.functional
    t = layer["type"]
    pre = None
    if t == "embedding":
        table = params[layer["name"] + "/embeddings"]
        ids = x.detach().long()
        assert torch.equal(ids.double(), x.detach()), "token ids must be integers"
        x = table[ids]
        reg = reg + regularizer(layer["embeddings_regularizer"], table)
        reg = reg + regularizer(layer["activity_regularizer"], x) / batch
        return x, pre, reg
    if t == "global_average_pooling2d":
        return x.mean(dim=(1, 2)), pre, reg
    h, w = x.shape[1], x.shape[2]
    pads, _ = conv_window_pads(layer, h, w)
    xc = x.permute(0, 3, 1, 2)  # NCHW
    kh, kw = layer["window"]
    sh, sw = layer["strides"]
    if t == "conv2d":
        k = params[layer["name"] + "/kernel"]  # [kh, kw, in, filters]
        z = F.conv2d(F.pad(xc, pads), k.permute(3, 2, 0, 1), stride=(sh, sw)).permute(0, 2, 3, 1)
        reg = reg + regularizer(layer["kernel_regularizer"], k)
        if layer["use_bias"]:
            b = params[layer["name"] + "/bias"]
            z = z + b
            reg = reg + regularizer(layer["bias_regularizer"], b)
        pre = (layer["act"][0], z)
        x = apply_activation(layer["act"], z)
        reg = reg + regularizer(layer["activity_regularizer"], x) / batch
        return x, pre, reg
    if t == "max_pooling2d":
        y = F.max_pool2d(F.pad(xc, pads, value=-math.inf), (kh, kw), stride=(sh, sw))
        return y.permute(0, 2, 3, 1), pre, reg
    if t == "average_pooling2d":
        total = F.avg_pool2d(F.pad(xc, pads), (kh, kw), stride=(sh, sw), divisor_override=1)
        ones = torch.ones_like(xc[:1, :1])
        count = F.avg_pool2d(F.pad(ones, pads), (kh, kw), stride=(sh, sw), divisor_override=1)
        return (total / count).permute(0, 2, 3, 1), pre, reg
    raise ValueError(t)


def embedding_ids(model, rng, batch):
    """Token ids, uniform in 0..<input_dim, for a model whose first layer is an embedding."""
    vocab = model.layers[0]["input_dim"]
    return rng.integers(0, vocab, size=[batch] + model.input_shape).astype(np.float64)


# ---------------------------------------------------------------------------
# Data

def make_data(model):
    seed = zlib.crc32(model.name.encode("utf-8"))
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in model.parameter_shapes():
        if name.endswith("/kernel"):
            # fan-in = product of every axis but the last: in for [in, out], kh*kw*in for conv
            std = math.sqrt(2.0 / int(np.prod(shape[:-1])))
        else:
            std = 0.1
        v = rng.normal(0.0, std, size=shape)
        v[v == 0.0] = 1e-3  # no exact zeros
        params[name] = v
    batch = 4 if int(np.prod(model.input_shape)) == 784 else 5
    x = rng.standard_normal(size=[batch] + model.input_shape)
    if model.takes_indices:
        x = embedding_ids(model, rng, batch)
    kind, _ = parse_loss(model.spec["loss"])
    out_shape = [batch] + model.output_shape
    classes = model.output_shape[-1]
    if kind == "sparse_categorical_crossentropy":
        y = rng.integers(0, classes, size=[batch]).astype(np.int64)
    elif kind == "categorical_crossentropy":
        idx = rng.integers(0, classes, size=[batch])
        y = np.zeros(out_shape, dtype=np.int64)
        y[np.arange(batch), idx] = 1
    elif kind == "binary_crossentropy":
        y = rng.integers(0, 2, size=out_shape).astype(np.int64)
    else:
        y = rng.standard_normal(size=out_shape)
    return params, x, y


# ---------------------------------------------------------------------------
# Output

def num(v):
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return repr(v)  # shortest round-trip repr: full float64 precision


def tensor_json(a):
    a = np.asarray(a)
    shape = ", ".join(str(int(d)) for d in a.shape)
    vals = ", ".join(num(v) for v in a.reshape(-1).tolist())
    return '{"shape": [' + shape + '], "values": [' + vals + ']}'


def write_doc(path, fmt, fields):
    """fields: list of (key, json_text) or (key, dict-of-name->tensor-json)."""
    lines = ['{', f'  "format": {json.dumps(fmt)}']
    for key, val in fields:
        if isinstance(val, dict):
            inner = [f'    {json.dumps(k)}: {v}' for k, v in val.items()]
            lines[-1] += ','
            lines.append(f'  {json.dumps(key)}: {{')
            lines.append(",\n".join(inner))
            lines.append('  }')
        else:
            lines[-1] += ','
            lines.append(f'  {json.dumps(key)}: {val}')
    lines.append('}')
    text = "\n".join(lines) + "\n"
    json.loads(text)  # must be valid JSON
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------
# Self-check: central differences

def self_check(model, params, x, y, grads, gx, loss, rng):
    """Compares autograd with a 5-point central difference (step 1e-4, error O(h^4)) on
    up to 7 elements of every tensor (6 random ones and the largest gradient).

    Returns (max relative error over elements with |gradient| >= 1e-7 * max(1, |loss|),
    max absolute error, failures). The relative error of an element is
    |numerical - analytic| / max(|numerical|, |analytic|, 1e-12). An
    element fails when its relative error is above 1e-6 AND its absolute error is above
    the rounding noise of the difference quotient, 1e-10 * max(1, |loss|) (float64
    rounding of the loss, ~1e-16 * |loss|, divided by the step 1e-4, with margin);
    elements whose true gradient is 0 (dead ReLU units) or tiny are thus judged on
    absolute error.
    """
    h = 1e-4
    worst_rel = 0.0
    worst_abs = 0.0
    failures = 0
    noise = 1e-10 * max(1.0, abs(loss))

    def f():
        with torch.no_grad():
            return float(total_loss(model, params, x, y))

    base = f()
    assert abs(base - loss) <= 1e-12 * max(1.0, abs(loss)), "loss not reproducible"
    targets = [(n, params[n], grads[n]) for n in params] + ([] if gx is None else [("inputs", x, gx)])
    for name, t, g in targets:
        flat = t.view(-1)
        gflat = g.reshape(-1).numpy()
        n = flat.numel()
        picks = sorted(set(rng.choice(n, size=min(n, 6), replace=False).tolist())
                       | {int(np.argmax(np.abs(gflat)))})
        for i in picks:
            old = float(flat[i])
            vals = []
            for step in (2 * h, h, -h, -2 * h):
                with torch.no_grad():
                    flat[i] = old + step
                vals.append(f())
            with torch.no_grad():
                flat[i] = old
            numd = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)
            ana = float(gflat[i])
            abs_err = abs(numd - ana)
            rel = abs_err / max(abs(numd), abs(ana), 1e-12)
            if abs(ana) >= 1e3 * noise:  # report rel only where it is meaningful
                worst_rel = max(worst_rel, rel)
            worst_abs = max(worst_abs, abs_err)
            if rel > 1e-6 and abs_err > noise:
                failures += 1
                print(f"    WARNING {name}[{i}]: analytic {ana!r} numerical {numd!r} rel {rel:.3g}")
    return worst_rel, worst_abs, failures


def generate(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    if "name" not in spec:
        spec["name"] = os.path.splitext(os.path.basename(spec_path))[0]
    model = Model(spec)
    pnp, xnp, ynp = make_data(model)

    params = {k: torch.tensor(v, requires_grad=True) for k, v in pnp.items()}
    x = torch.tensor(xnp, requires_grad=not model.takes_indices)
    y = torch.tensor(ynp.astype(np.float64))
    loss = total_loss(model, params, x, y)
    names = list(params)
    wrt = [params[n] for n in names] + ([] if model.takes_indices else [x])
    gs = torch.autograd.grad(loss, wrt)
    grads = {n: g.detach() for n, g in zip(names, gs[:len(names)])}
    gx = None if model.takes_indices else gs[-1].detach()
    loss_v = float(loss.detach())

    out = os.path.join(OUT_DIR, model.name)
    os.makedirs(out, exist_ok=True)
    write_doc(os.path.join(out, "weights.json"), "gradcheck.weights/1",
              [("parameters", {n: tensor_json(pnp[n]) for n in names})])
    write_doc(os.path.join(out, "batch.json"), "gradcheck.batch/1",
              [("inputs", tensor_json(xnp)), ("targets", tensor_json(ynp))])
    write_doc(os.path.join(out, "gradients.json"), "gradcheck.gradients/1",
              [("loss", num(loss_v)),
               ("parameters", {n: tensor_json(grads[n].numpy()) for n in names})]
              + ([] if gx is None else [("inputs", tensor_json(gx.numpy()))]))

    p2 = {k: v.detach().clone() for k, v in params.items()}
    x2 = x.detach().clone()
    rel, abs_err, failures = self_check(model, p2, x2, y, grads, gx, loss_v,
                                        np.random.default_rng(0))
    print(f"{model.name}: loss {loss_v!r}  self-check max rel error {rel:.2e},"
          f" max abs error {abs_err:.2e}, failures {failures}")
    return failures


def main(argv):
    if argv:
        paths = []
        for a in argv:
            name = a if a.endswith(".json") else a + ".json"
            paths.append(name if os.path.sep in name else os.path.join(SPEC_DIR, name))
    else:
        paths = sorted(os.path.join(SPEC_DIR, p) for p in os.listdir(SPEC_DIR)
                       if p.endswith(".json"))
    failures = sum(generate(p) for p in paths)
    if failures:
        print(f"self-check FAILED on {failures} element(s)")
        return 1
    print("all self-checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
