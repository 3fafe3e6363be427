#!/usr/bin/env python3
"""Reference gradients for the normalisation, residual and recurrent fixture specs,
computed independently in PyTorch float64.

Run from the repository root:

    /root/torchenv/bin/python Scripts/reference/generate_norm_rnn.py             # every spec below
    /root/torchenv/bin/python Scripts/reference/generate_norm_rnn.py lstm-tiny   # some of them

Generated with torch 2.15.0 and numpy 2.4.6 (CPU, float64).

For each spec in SPECS (`Fixtures/specs/<name>.json`) this writes

    Fixtures/reference/<name>/weights.json    gradcheck.weights/1 (moving statistics included)
    Fixtures/reference/<name>/batch.json      gradcheck.batch/1
    Fixtures/reference/<name>/gradients.json  gradcheck.gradients/1 (trainable parameters only)

It reuses generate.py (same directory) for everything that is not a new layer type:
activations, dropout masks, losses, regularisers, JSON output and the central-difference
self-check. The new layers are written here from FORMATS.md alone, by hand, with Keras
layouts; nothing is shared with the Swift code and no torch.nn layer is used:

  * batch_normalization (training mode): over every axis but the last, with the batch
    mean and the biased batch variance, y = gamma * (x - mean) / sqrt(var + epsilon) + beta
    (epsilon 1e-3 unless given). moving_mean / moving_variance do not enter a training
    pass; they are written to the weights file (state) and never to the gradients file.
  * layer_normalization: over the last axis, biased variance, epsilon 1e-3 unless given.
  * residual: input + inner layers(input); inner layers named and counted in model order
    (the block before its inner layers), their parameters named by their own names.
  * simple_rnn: h_t = act(x_t W + h_{t-1} U + b), h_0 = 0.
  * lstm: z = x_t W + h_{t-1} U + b split into gates i, f, c, o (blocks of `units`
    columns); c_t = f c_{t-1} + i act(z_c), h_t = o act(c_t), with sigmoid gates
    (recurrent_activation) and tanh act (activation); h_0 = c_0 = 0.
  * gru (reset_after true): bias [2, 3u], row 0 input bias, row 1 recurrent bias;
    xp = x_t W + b_in, hp = h_{t-1} U + b_rec, split into z, r, h blocks;
    z = sig(xp_z + hp_z), r = sig(xp_r + hp_r), hh = tanh(xp_h + r * hp_h),
    h_t = z h_{t-1} + (1 - z) hh; h_0 = 0.
  * return_sequences: every h_t, [batch, timesteps, units]; else the last h.

Data (seeded by crc32 of the spec name, numpy default_rng), in model order per layer:
  kernels and recurrent kernels normal(0, sqrt(2 / shape[0])); biases (GRU's [2, 3u]
  included) and beta normal(0, 0.1); gamma 1 + normal(0, 0.1); moving_mean normal(0, 0.1);
  moving_variance 1 + |normal(0, 0.1)|. Exact zeros are replaced by 1e-3. Then the batch:
  inputs standard normal (4 samples for 784 features, else 5); targets as generate.py
  draws them, except that class labels have the output's shape without its last axis
  ([batch], or [batch, timesteps] for a sequence output).
"""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402  (activations, dropout, losses, output, self-check)

torch.set_default_dtype(torch.float64)

ROOT = G.ROOT
SPEC_DIR = G.SPEC_DIR
OUT_DIR = G.OUT_DIR

SPECS = [
    "bn-tiny", "ln-tiny", "residual-tiny", "rnn-tiny", "lstm-tiny", "gru-tiny", "lstm-sequences",
    "mlp-batchnorm", "adding-lstm", "adding-rnn",
]

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


# ---------------------------------------------------------------------------
# Model interpreter

class Model:
    """The spec's layers as a tree of dicts (residual blocks hold their inner layers)."""

    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        self.input_shape = list(spec["input_shape"])
        self.counts = {}
        self.dropouts = 0
        self.layers, self.output_shape = self.build(spec["layers"], list(self.input_shape))

    def build(self, raws, shape):
        layers = []
        for raw in raws:
            layer, shape = self.build_one(raw, shape)
            layers.append(layer)
        return layers, shape

    def build_one(self, raw, shape):
        t = raw["type"]
        self.counts[t] = self.counts.get(t, 0) + 1
        layer = {"type": t, "name": raw.get("name", f"{t}_{self.counts[t]}"), "in_shape": list(shape),
                 "activity_regularizer": raw.get("activity_regularizer")}
        if t == "dense":
            layer["units"] = raw["units"]
            layer["use_bias"] = raw.get("use_bias", True)
            layer["act"] = G.parse_activation(raw.get("activation"))
            layer["params"] = [("kernel", [shape[-1], raw["units"]], raw.get("kernel_regularizer"))]
            if layer["use_bias"]:
                layer["params"].append(("bias", [raw["units"]], raw.get("bias_regularizer")))
            shape = shape[:-1] + [raw["units"]]
        elif t == "activation":
            layer["act"] = G.parse_activation(raw["activation"])
        elif t == "dropout":
            self.dropouts += 1
            layer["rate"] = raw["rate"]
            layer["k"] = self.dropouts
        elif t == "flatten":
            shape = [int(np.prod(shape))]
        elif t == "reshape":
            shape = list(raw["target_shape"])
        elif t in ("batch_normalization", "layer_normalization"):
            c = shape[-1]
            layer["epsilon"] = raw.get("epsilon", 1e-3)
            layer["center"] = raw.get("center", True)
            layer["scale"] = raw.get("scale", True)
            layer["params"] = []
            if layer["scale"]:
                layer["params"].append(("gamma", [c], raw.get("gamma_regularizer")))
            if layer["center"]:
                layer["params"].append(("beta", [c], raw.get("beta_regularizer")))
            if t == "batch_normalization":
                layer["state"] = [("moving_mean", [c]), ("moving_variance", [c])]
        elif t in GATES:
            assert len(shape) == 2, f"{layer['name']}: needs [timesteps, features], got {shape}"
            u, g = raw["units"], GATES[t]
            layer["units"] = u
            layer["act"] = G.parse_activation(raw.get("activation", "tanh"))
            layer["rec_act"] = G.parse_activation(raw.get("recurrent_activation", "sigmoid"))
            layer["use_bias"] = raw.get("use_bias", True)
            layer["return_sequences"] = raw.get("return_sequences", False)
            layer["params"] = [("kernel", [shape[1], g * u], raw.get("kernel_regularizer")),
                               ("recurrent_kernel", [u, g * u], raw.get("recurrent_regularizer"))]
            if layer["use_bias"]:
                layer["params"].append(("bias", [2, 3 * u] if t == "gru" else [g * u], raw.get("bias_regularizer")))
            shape = [shape[0], u] if layer["return_sequences"] else [u]
        elif t == "residual":
            inner, out = self.build(raw["layers"], list(shape))
            assert not any(l.get("activity_regularizer") for l in inner), \
                f"{layer['name']}: activity regularisers inside a residual block are not supported"  # as in Swift
            assert out == shape, f"{layer['name']}: inner output {out} != input {shape}"
            layer["inner"] = inner
        else:
            raise ValueError(f"layer type {t!r} not supported by this generator")
        layer["out_shape"] = list(shape)
        return layer, shape

    def walk(self, layers=None):
        for layer in (self.layers if layers is None else layers):
            yield layer
            if layer["type"] == "residual":
                yield from self.walk(layer["inner"])

    def parameter_shapes(self):
        """Trainable parameters, in model order: (name, shape)."""
        return [(f"{l['name']}/{p}", s) for l in self.walk() for (p, s, _) in l.get("params", [])]

    def state_shapes(self):
        return [(f"{l['name']}/{p}", s) for l in self.walk() for (p, s) in l.get("state", [])]

    def all_shapes(self):
        """Every parameter in model order (each layer's trainable ones, then its state)."""
        out = []
        for l in self.walk():
            out += [(f"{l['name']}/{p}", s) for (p, s, _) in l.get("params", [])]
            out += [(f"{l['name']}/{p}", s) for (p, s) in l.get("state", [])]
        return out

    def forward(self, params, x):
        """Returns (output, (last activation name, its input) or None, regularisation)."""
        batch = x.shape[0]
        out, pre, reg = self.run(self.layers, params, x, batch)
        return out, pre, reg

    def run(self, layers, params, x, batch):
        reg = torch.zeros(())
        pre = None
        for layer in layers:
            x, pre, r = self.layer_forward(layer, params, x, batch)
            reg = reg + r
        return x, pre, reg

    def layer_forward(self, layer, params, x, batch):
        t = layer["type"]
        name = layer["name"]
        p = {k: params[f"{name}/{k}"] for (k, _, _) in layer.get("params", [])}
        reg = torch.zeros(())
        for (k, _, cfg) in layer.get("params", []):
            reg = reg + G.regularizer(cfg, p[k])
        pre = None
        if t == "dense":
            z = torch.matmul(x, p["kernel"])
            if layer["use_bias"]:
                z = z + p["bias"]
            pre = (layer["act"][0], z)
            x = G.apply_activation(layer["act"], z)
        elif t == "activation":
            pre = (layer["act"][0], x)
            x = G.apply_activation(layer["act"], x)
        elif t == "dropout":
            rate = layer["rate"]
            x = x * G.dropout_mask(layer["k"], rate, tuple(x.shape)) / (1.0 - rate)
        elif t in ("flatten", "reshape"):
            x = x.reshape([batch] + layer["out_shape"])
        elif t == "batch_normalization":
            axes = tuple(range(x.dim() - 1))
            mean = x.mean(dim=axes)
            var = ((x - mean) ** 2).mean(dim=axes)  # biased
            x = (x - mean) / torch.sqrt(var + layer["epsilon"])
            x = scale_shift(x, p)
        elif t == "layer_normalization":
            mean = x.mean(dim=-1, keepdim=True)
            var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased
            x = (x - mean) / torch.sqrt(var + layer["epsilon"])
            x = scale_shift(x, p)
        elif t in GATES:
            x = recurrent(layer, p, x)
        elif t == "residual":
            y, _, r = self.run(layer["inner"], params, x, batch)
            x = x + y
            reg = reg + r
        if layer.get("activity_regularizer"):
            reg = reg + G.regularizer(layer["activity_regularizer"], x) / batch
        return x, pre, reg


def scale_shift(x, p):
    if "gamma" in p:
        x = x * p["gamma"]
    if "beta" in p:
        x = x + p["beta"]
    return x


def recurrent(layer, p, x):
    """Unrolls a simple_rnn / lstm / gru over x [batch, T, features] from a zero state."""
    t_kind, u = layer["type"], layer["units"]
    act = lambda v: G.apply_activation(layer["act"], v)          # noqa: E731
    ract = lambda v: G.apply_activation(layer["rec_act"], v)     # noqa: E731
    batch, steps = x.shape[0], x.shape[1]
    W, U = p["kernel"], p["recurrent_kernel"]
    h = torch.zeros(batch, u)
    c = torch.zeros(batch, u)
    states = []
    for t in range(steps):
        xt = x[:, t, :]
        if t_kind == "simple_rnn":
            z = xt @ W + h @ U
            if layer["use_bias"]:
                z = z + p["bias"]
            h = act(z)
        elif t_kind == "lstm":
            z = xt @ W + h @ U
            if layer["use_bias"]:
                z = z + p["bias"]
            i = ract(z[:, 0:u])
            f = ract(z[:, u:2 * u])
            g = act(z[:, 2 * u:3 * u])
            o = ract(z[:, 3 * u:4 * u])
            c = f * c + i * g
            h = o * act(c)
        else:  # gru, reset_after
            xp = xt @ W
            hp = h @ U
            if layer["use_bias"]:
                xp = xp + p["bias"][0]
                hp = hp + p["bias"][1]
            z = ract(xp[:, 0:u] + hp[:, 0:u])
            r = ract(xp[:, u:2 * u] + hp[:, u:2 * u])
            hh = act(xp[:, 2 * u:3 * u] + r * hp[:, 2 * u:3 * u])
            h = z * h + (1.0 - z) * hh
        states.append(h)
    return torch.stack(states, dim=1) if layer["return_sequences"] else h


# ---------------------------------------------------------------------------
# Data

def make_data(model):
    rng = np.random.default_rng(zlib.crc32(model.name.encode("utf-8")))
    values = {}
    for name, shape in model.all_shapes():
        param = name.rsplit("/", 1)[1]
        if param in ("kernel", "recurrent_kernel"):
            v = rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)
        elif param == "gamma":
            v = 1.0 + rng.normal(0.0, 0.1, size=shape)
        elif param == "moving_variance":
            v = 1.0 + np.abs(rng.normal(0.0, 0.1, size=shape))
        else:  # bias, beta, moving_mean
            v = rng.normal(0.0, 0.1, size=shape)
        v[v == 0.0] = 1e-3
        values[name] = v
    batch = 4 if int(np.prod(model.input_shape)) == 784 else 5
    x = rng.standard_normal(size=[batch] + model.input_shape)
    kind, _ = G.parse_loss(model.spec["loss"])
    out_shape = [batch] + model.output_shape
    classes = model.output_shape[-1]
    if kind == "sparse_categorical_crossentropy":
        y = rng.integers(0, classes, size=out_shape[:-1]).astype(np.int64)
    elif kind == "categorical_crossentropy":
        idx = rng.integers(0, classes, size=out_shape[:-1])
        y = np.eye(classes, dtype=np.int64)[idx]
    elif kind == "binary_crossentropy":
        y = rng.integers(0, 2, size=out_shape).astype(np.int64)
    else:
        y = rng.standard_normal(size=out_shape)
    return values, x, y


# ---------------------------------------------------------------------------

def generate(name, model_class=None, data=None):
    """Writes the three reference files of spec `name`; `model_class` and `data` default
    to this module's Model and make_data (generate_sequence.py passes its own)."""
    path = os.path.join(SPEC_DIR, name + ".json")
    with open(path) as f:
        spec = json.load(f)
    spec.setdefault("name", name)
    model = (model_class or Model)(spec)
    values, xnp, ynp = (data or make_data)(model)
    trainable = [n for n, _ in model.parameter_shapes()]

    params = {n: torch.tensor(values[n], requires_grad=True) for n in trainable}
    x = torch.tensor(xnp, requires_grad=True)
    y = torch.tensor(ynp.astype(np.float64))
    loss = G.total_loss(model, params, x, y)
    gs = torch.autograd.grad(loss, [params[n] for n in trainable] + [x])
    grads = {n: g.detach() for n, g in zip(trainable, gs[:-1])}
    gx = gs[-1].detach()
    loss_v = float(loss.detach())

    out = os.path.join(OUT_DIR, model.name)
    os.makedirs(out, exist_ok=True)
    all_names = [n for n, _ in model.all_shapes()]
    G.write_doc(os.path.join(out, "weights.json"), "gradcheck.weights/1",
                [("parameters", {n: G.tensor_json(values[n]) for n in all_names})])
    G.write_doc(os.path.join(out, "batch.json"), "gradcheck.batch/1",
                [("inputs", G.tensor_json(xnp)), ("targets", G.tensor_json(ynp))])
    G.write_doc(os.path.join(out, "gradients.json"), "gradcheck.gradients/1",
                [("loss", G.num(loss_v)),
                 ("parameters", {n: G.tensor_json(grads[n].numpy()) for n in trainable}),
                 ("inputs", G.tensor_json(gx.numpy()))])

    p2 = {k: v.detach().clone() for k, v in params.items()}
    rel, abs_err, failures = G.self_check(model, p2, x.detach().clone(), y, grads, gx, loss_v,
                                          np.random.default_rng(0))
    print(f"{model.name}: loss {loss_v!r}  self-check max rel error {rel:.2e},"
          f" max abs error {abs_err:.2e}, failures {failures}")
    return failures


def main(argv):
    names = [a[:-5] if a.endswith(".json") else a for a in argv] or SPECS
    failures = sum(generate(n) for n in names)
    if failures:
        print(f"self-check FAILED on {failures} element(s)")
        return 1
    print("all self-checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
