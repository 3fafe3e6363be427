#!/usr/bin/env python3
"""Reference gradients for the graph fixture specs (several inputs, branches, merges),
computed independently in PyTorch float64.

Run from the repository root:

    /root/torchenv/bin/python Scripts/reference/generate_graph.py              # every spec below
    /root/torchenv/bin/python Scripts/reference/generate_graph.py graph-towers # some of them

For each spec in SPECS (`Fixtures/specs/<name>.json`) this writes weights.json,
batch.json and gradients.json under `Fixtures/reference/<name>/`, as the other
generators do.

The graph is interpreted from FORMATS.md ("Graphs") alone:

  * top-level `inputs` (name, shape, dtype int|float) or `input_shape` (one input named
    "input");
  * a layer's `inputs` names earlier layers or model inputs; without it a layer takes the
    previous layer's output (the first layer: the only model input);
  * the output is the last layer's unless `outputs` names another;
  * merges: add (sum), subtract (first minus second), multiply (product), average (mean),
    maximum / minimum (elementwise, torch.maximum: ties do not occur with random data),
    concatenate (`axis`, default -1, counted with the batch axis as 0);
  * unnamed layers are named `<type>_<k>`, `k` counting that type in spec order (a
    residual block before its inner layers).

Every single-input layer is evaluated by the existing interpreters: generate_norm_rnn.py
(dense, activation, dropout, flatten, reshape, normalisations, recurrent layers,
residual) and generate.py (conv2d, pooling, embedding); activity and parameter
regularisers as there. Parameters are named `<layer>/<param>` and listed in topological
(= spec) order.

Data (seeded by crc32 of the spec name, numpy default_rng): parameters as
generate_norm_rnn.py draws them (kernels normal(0, sqrt(2 / shape[0])), the rest
normal(0, 0.1), gamma 1 + normal(0, 0.1)); then per input in order: token ids uniform in
0..<min(input_dim) of the embeddings that read it (dtype int), standard normal values
otherwise; then targets as generate_norm_rnn.py draws them. Batch 4. A batch or
gradients file keys `inputs` by input name when the model has several inputs (float
inputs only in gradients).

The gradients are self-checked against 5-point central differences (generate.py's
self_check, on the packed float inputs).
"""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402
import generate_norm_rnn as NR  # noqa: E402
import generate_sequence as SQ  # noqa: E402  (conv1d, pooling1d, norms, bidirectional, attention)

torch.set_default_dtype(torch.float64)

SPECS = ["graph-towers", "graph-skip", "graph-two-embeddings",
         "transformer-encoder", "cross-attention", "tcn-dilated", "bigru-tagger"]

MERGES = ("add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate")


class Graph:
    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        if "inputs" in spec:
            self.inputs = [dict(name=i["name"], shape=list(i["shape"]), dtype=i.get("dtype")) for i in spec["inputs"]]
        else:
            self.inputs = [dict(name="input", shape=list(spec["input_shape"]), dtype=None)]
        self.nr = SQ.Model.__new__(SQ.Model)  # its layer builder, without a spec
        self.nr.counts = {}
        self.nr.dropouts = 0
        shapes = {i["name"]: i["shape"] for i in self.inputs}
        self.nodes = []
        prev = None
        for k, raw in enumerate(spec["layers"]):
            t = raw["type"]
            if "inputs" in raw:
                srcs = [raw["inputs"]] if isinstance(raw["inputs"], str) else list(raw["inputs"])
            elif prev is not None:
                srcs = [prev]
            else:
                assert len(self.inputs) == 1, "the first layer must name its input"
                srcs = [self.inputs[0]["name"]]
            in_shapes = [shapes[s] for s in srcs]
            if t in MERGES:
                self.nr.counts[t] = self.nr.counts.get(t, 0) + 1
                layer = {"type": t, "name": raw.get("name", f"{t}_{self.nr.counts[t]}"), "axis": raw.get("axis", -1)}
                if t == "concatenate":
                    rank = len(in_shapes[0])
                    a = layer["axis"]
                    a = rank + a if a < 0 else a - 1
                    layer["sample_axis"] = a
                    out = list(in_shapes[0])
                    out[a] = sum(s[a] for s in in_shapes)
                else:
                    assert all(s == in_shapes[0] for s in in_shapes), f"{layer['name']}: shapes {in_shapes}"
                    out = list(in_shapes[0])
                layer["out_shape"] = out
            elif t in G.CONV_LAYER_TYPES:
                assert len(srcs) == 1
                self.nr.counts[t] = self.nr.counts.get(t, 0) + 1
                layer = {"type": t, "name": raw.get("name", f"{t}_{self.nr.counts[t]}"), "in_shape": in_shapes[0]}
                layer["out_shape"] = G.conv_build_layer(layer, raw, in_shapes[0])
            elif t == "multi_head_attention" and len(srcs) > 1:
                # Cross-attention, [query, value] or [query, value, key]: the key and value
                # projections read their own inputs' features.
                layer, _ = self.nr.build_one(raw, in_shapes[0])
                widths = {"query": in_shapes[0][-1], "value": in_shapes[1][-1], "key": in_shapes[-1][-1]}
                layer["params"] = [(n, [widths[n.split("/")[0]]] + s[1:] if n.endswith("/kernel") and n.split("/")[0] in
                                    ("query", "key", "value") else s, cfg) for (n, s, cfg) in layer["params"]]
            else:
                assert len(srcs) == 1
                layer, _ = self.nr.build_one(raw, in_shapes[0])
            layer["srcs"] = srcs
            shapes[layer["name"]] = layer["out_shape"]
            self.nodes.append(layer)
            prev = layer["name"]
        self.output = spec.get("outputs", self.nodes[-1]["name"])
        if isinstance(self.output, list):
            self.output = self.output[0]
        assert self.output == self.nodes[-1]["name"], "the output must be the last layer here"
        self.output_shape = shapes[self.output]
        for i in self.inputs:
            readers = [n for n in self.nodes if i["name"] in n["srcs"]]
            embedded = [n for n in readers if n["type"] == "embedding"]
            i["int"] = i["dtype"] == "int" or (i["dtype"] is None and bool(embedded))
            i["vocab"] = min(n["input_dim"] for n in embedded) if embedded else None
        self.takes_indices = all(i["int"] for i in self.inputs)
        self.mixed = any(i["int"] for i in self.inputs) and not self.takes_indices
        self.widths = [int(np.prod(i["shape"])) for i in self.inputs]

    # Parameters in layer order; state (moving statistics) after each layer's trainable ones.
    def layer_params(self, layer):
        if layer["type"] in MERGES:
            return [], []
        if layer["type"] in G.CONV_LAYER_TYPES:
            return [(n, s) for n, s in G.conv_parameter_shapes(layer)], []
        walk = [layer] + (list(self.nr_walk(layer["inner"])) if layer["type"] == "residual" else [])
        train, state = [], []
        for l in walk:
            train += [(f"{l['name']}/{p}", s) for (p, s, _) in l.get("params", [])]
            state += [(f"{l['name']}/{p}", s) for (p, s) in l.get("state", [])]
        return train, state

    def nr_walk(self, layers):
        for l in layers:
            yield l
            if l["type"] == "residual":
                yield from self.nr_walk(l["inner"])

    def parameter_shapes(self):
        return [p for l in self.nodes for p in self.layer_params(l)[0]]

    def all_shapes(self):
        out = []
        for l in self.nodes:
            t, s = self.layer_params(l)
            out += t + s
        return out

    def split(self, x):
        """The packed batch [batch, sum of widths] (or the one input) as a dict by name."""
        if len(self.inputs) == 1:
            return {self.inputs[0]["name"]: x}
        out, off = {}, 0
        for i, w in zip(self.inputs, self.widths):
            out[i["name"]] = x[:, off:off + w].reshape([x.shape[0]] + i["shape"])
            off += w
        return out

    def forward(self, params, x):
        """Returns (output, (last activation, its input) or None, regularisation)."""
        values = self.split(x)
        batch = x.shape[0]
        reg = torch.zeros(())
        pre = None
        for layer in self.nodes:
            xs = [values[s] for s in layer["srcs"]]
            t = layer["type"]
            pre = None
            if t in MERGES:
                if t == "add":
                    y = xs[0]
                    for v in xs[1:]:
                        y = y + v
                elif t == "subtract":
                    y = xs[0] - xs[1]
                elif t == "multiply":
                    y = xs[0]
                    for v in xs[1:]:
                        y = y * v
                elif t == "average":
                    y = xs[0]
                    for v in xs[1:]:
                        y = y + v
                    y = y * (1.0 / len(xs))
                elif t == "maximum":
                    y = xs[0]
                    for v in xs[1:]:
                        y = torch.maximum(y, v)
                elif t == "minimum":
                    y = xs[0]
                    for v in xs[1:]:
                        y = torch.minimum(y, v)
                else:
                    y = torch.cat(xs, dim=layer["sample_axis"] + 1)
            elif t in G.CONV_LAYER_TYPES:
                y, pre, reg = G.conv_forward_layer(layer, params, xs[0], reg, batch)
            elif t == "multi_head_attention" and len(xs) > 1:
                y, r = cross_attention(layer, params, xs[0], xs[1], xs[2] if len(xs) > 2 else xs[1], batch)
                reg = reg + r
            else:
                y, pre, r = self.nr.layer_forward(layer, params, xs[0], batch)
                reg = reg + r
            values[layer["name"]] = y
        return values[self.output], pre, reg


def cross_attention(layer, params, query, value, key, batch):
    """Keras MultiHeadAttention on separate query, value and key (FORMATS.md), by hand."""
    name = layer["name"]
    p = {k: params[f"{name}/{k}"] for (k, _, _) in layer["params"]}
    reg = torch.zeros(())
    for (k, _, cfg) in layer["params"]:
        reg = reg + G.regularizer(cfg, p[k])

    def proj(part, x):
        y = torch.einsum("btd,dhk->bthk", x, p[f"{part}/kernel"])
        return y + p[f"{part}/bias"] if layer["use_bias"] else y
    q, k, v = proj("query", query), proj("key", key), proj("value", value)
    scores = torch.einsum("bqhk,bvhk->bhqv", q, k) / math.sqrt(layer["key_dim"])
    if layer["causal"]:
        tq, tv = scores.shape[-2], scores.shape[-1]
        scores = scores.masked_fill(~torch.tril(torch.ones(tq, tv, dtype=torch.bool)), -math.inf)
    o = torch.einsum("bhqv,bvhe->bqhe", torch.softmax(scores, dim=-1), v)
    y = torch.einsum("bqhe,hed->bqd", o, p["attention_output/kernel"])
    if layer["use_bias"]:
        y = y + p["attention_output/bias"]
    if layer.get("activity_regularizer"):
        reg = reg + G.regularizer(layer["activity_regularizer"], y) / batch
    return y, reg


def make_data(model):
    rng = np.random.default_rng(zlib.crc32(model.name.encode("utf-8")))
    values = {}
    for name, shape in model.all_shapes():
        param = name.rsplit("/", 1)[1]
        if param in ("kernel", "recurrent_kernel"):
            v = rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)
        elif param in ("gamma", "scale"):
            v = 1.0 + rng.normal(0.0, 0.1, size=shape)
        elif param == "moving_variance":
            v = 1.0 + np.abs(rng.normal(0.0, 0.1, size=shape))
        else:
            v = rng.normal(0.0, 0.1, size=shape)
        v[v == 0.0] = 1e-3
        values[name] = v
    batch = 4
    xs = {}
    for i in model.inputs:
        if i["int"]:
            xs[i["name"]] = rng.integers(0, i["vocab"], size=[batch] + i["shape"]).astype(np.float64)
        else:
            xs[i["name"]] = rng.standard_normal(size=[batch] + i["shape"])
    kind, _ = G.parse_loss(model.spec["loss"])
    out_shape = [batch] + model.output_shape
    classes = model.output_shape[-1]
    if kind == "sparse_categorical_crossentropy":
        y = rng.integers(0, classes, size=out_shape[:-1]).astype(np.int64)
    elif kind == "categorical_crossentropy":
        y = np.eye(classes, dtype=np.int64)[rng.integers(0, classes, size=out_shape[:-1])]
    elif kind == "binary_crossentropy":
        y = rng.integers(0, 2, size=out_shape).astype(np.int64)
    else:
        y = rng.standard_normal(size=out_shape)
    return values, xs, y


def packed(model, xs):
    if len(model.inputs) == 1:
        return xs[model.inputs[0]["name"]]
    b = next(iter(xs.values())).shape[0]
    return np.concatenate([xs[i["name"]].reshape(b, -1) for i in model.inputs], axis=1)


def generate(name):
    with open(os.path.join(G.SPEC_DIR, name + ".json")) as f:
        spec = json.load(f)
    spec.setdefault("name", name)
    model = Graph(spec)
    assert not model.mixed, "the self-check perturbs every packed input: use all-int or all-float inputs"
    values, xs, ynp = make_data(model)
    trainable = [n for n, _ in model.parameter_shapes()]
    params = {n: torch.tensor(values[n], requires_grad=True) for n in trainable}
    x = torch.tensor(packed(model, xs), requires_grad=not model.takes_indices)
    y = torch.tensor(ynp.astype(np.float64))
    loss = G.total_loss(model, params, x, y)
    wrt = [params[n] for n in trainable] + ([] if model.takes_indices else [x])
    gs = torch.autograd.grad(loss, wrt)
    grads = {n: g.detach() for n, g in zip(trainable, gs)}
    gx = None if model.takes_indices else gs[-1].detach()
    loss_v = float(loss.detach())

    out = os.path.join(G.OUT_DIR, model.name)
    os.makedirs(out, exist_ok=True)
    G.write_doc(os.path.join(out, "weights.json"), "gradcheck.weights/1",
                [("parameters", {n: G.tensor_json(values[n]) for n, _ in model.all_shapes()})])
    if len(model.inputs) == 1:
        inputs_json = G.tensor_json(xs[model.inputs[0]["name"]])
    else:
        inputs_json = {i["name"]: G.tensor_json(xs[i["name"]]) for i in model.inputs}
    G.write_doc(os.path.join(out, "batch.json"), "gradcheck.batch/1",
                [("inputs", inputs_json), ("targets", G.tensor_json(ynp))])
    fields = [("loss", G.num(loss_v)), ("parameters", {n: G.tensor_json(grads[n].numpy()) for n in trainable})]
    if gx is not None:
        if len(model.inputs) == 1:
            fields.append(("inputs", G.tensor_json(gx.numpy())))
        else:
            split = model.split(gx)
            fields.append(("inputs", {i["name"]: G.tensor_json(split[i["name"]].numpy()) for i in model.inputs}))
    G.write_doc(os.path.join(out, "gradients.json"), "gradcheck.gradients/1", fields)

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
