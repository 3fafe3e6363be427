#!/usr/bin/env python3
"""Reference gradients for the sequence, attention and normalisation fixture specs,
computed independently in PyTorch float64.

Run from the repository root:

    /root/torchenv/bin/python Scripts/reference/generate_sequence.py               # every spec below
    /root/torchenv/bin/python Scripts/reference/generate_sequence.py bigru-concat  # some of them

Generated with torch 2.15.0 and numpy 2.4.6 (CPU, float64).

It extends generate_norm_rnn.py's interpreter (dense, activation, layer_normalization,
the recurrent layers, ...) with the layers below, written from FORMATS.md ("Sequence,
attention and normalisation layers") alone, by hand with Keras layouts; nothing is
shared with the Swift code and no torch.nn layer is used. Sequences are
[batch, timesteps, channels] (channels last).

  * conv1d: kernel [k, in, filters]; y[b, t, f] = sum_{i, c} xpad[b, t*s + i*d, c] K[i, c, f]
    (+ bias), where xpad pads the time axis with zeros: valid none; causal d*(k-1) on the
    left; same as TensorFlow on the dilated span S = d*(k-1)+1: out = ceil(n/s),
    total = max((out-1)*s + S - n, 0), total//2 before, the rest after.
  * max_pooling1d / average_pooling1d: windows of pool_size steps every `strides`
    (default pool_size), padding valid or same (TensorFlow's); padded steps never win a
    max and are left out of an average's count.
  * global_average_pooling1d / global_max_pooling1d: mean / max over time;
    global_max_pooling2d: max over height and width of [batch, h, w, c].
  * rms_normalization: x * rsqrt(mean(x^2, last axis) + epsilon) * scale, epsilon 1e-6.
  * group_normalization: channels split into `groups` consecutive blocks; each block of
    each sample normalised over its channels and every position with its mean and biased
    variance, epsilon 1e-3; then gamma, beta per channel.
  * bidirectional: two copies of the recurrent layer with parameters
    <layer>/forward/... and <layer>/backward/...; the backward copy reads x reversed in
    time and, with return_sequences, its outputs are reversed back; merged by concat
    (last axis), sum, mul or ave.
  * multi_head_attention (self-attention): q = x Wq + bq with Wq [d, H, K] (einsum), the
    same for k and v (value_dim V); scores q.k / sqrt(K) per head [b, H, Tq, Tv]; with
    use_causal_mask query step i sees key steps j <= i (others -inf before the softmax,
    probability 0); softmax over keys; o = p v; output = sum_h o_h Wo_h + bo with
    Wo [H, V, d].

Data as generate_norm_rnn.py draws it (kernels normal(0, sqrt(2 / shape[0])), others
normal(0, 0.1), same order and seed); an rms_normalization `scale` is then shifted to
1 + normal(0, 0.1), as gamma is.
"""

import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402
import generate_norm_rnn as N  # noqa: E402

torch.set_default_dtype(torch.float64)

SPECS = [
    "conv1d-causal-dilated", "pool1d", "global-max-pool2d", "rmsnorm", "groupnorm", "bigru-concat",
    "bilstm-sum", "birnn-mul-ave", "mha-self-causal", "mha-self-value-dim",
]

NEW_TYPES = ("conv1d", "max_pooling1d", "average_pooling1d", "global_average_pooling1d", "global_max_pooling1d",
             "global_max_pooling2d", "rms_normalization", "group_normalization", "bidirectional",
             "multi_head_attention")


def single(v, default):
    """A 1-D size: an int or a one-element list."""
    if v is None:
        return default
    return v[0] if isinstance(v, list) else v


def tf_same(n, span, s):
    out = -(-n // s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2, out


def windows(n, k, s, d, before, after):
    """Index of the padded input read by window position i of output step t: [T', k]."""
    span = d * (k - 1) + 1
    out = (n + before + after - span) // s + 1
    return torch.tensor([[t * s + i * d for i in range(k)] for t in range(out)], dtype=torch.long), out


class Model(N.Model):
    def build_one(self, raw, shape):
        t = raw["type"]
        if t not in NEW_TYPES:
            return super().build_one(raw, shape)
        self.counts[t] = self.counts.get(t, 0) + 1
        layer = {"type": t, "name": raw.get("name", f"{t}_{self.counts[t]}"), "in_shape": list(shape),
                 "activity_regularizer": raw.get("activity_regularizer"), "params": []}
        if t == "conv1d":
            k, s, d = single(raw["kernel_size"], None), single(raw.get("strides"), 1), single(raw.get("dilation_rate"), 1)
            n, c, f = shape[0], shape[1], raw["filters"]
            span = d * (k - 1) + 1
            pad = raw.get("padding", "valid")
            before, after = {"valid": (0, 0), "causal": (span - 1, 0)}.get(pad, (None, None))
            if pad == "same":
                before, after, _ = tf_same(n, span, s)
            layer.update(k=k, s=s, d=d, before=before, after=after, use_bias=raw.get("use_bias", True),
                         act=G.parse_activation(raw.get("activation")))
            layer["index"], out = windows(n, k, s, d, before, after)
            layer["params"] = [("kernel", [k, c, f], raw.get("kernel_regularizer"))]
            if layer["use_bias"]:
                layer["params"].append(("bias", [f], raw.get("bias_regularizer")))
            shape = [out, f]
        elif t in ("max_pooling1d", "average_pooling1d"):
            k = single(raw.get("pool_size"), 2)
            s = single(raw.get("strides"), k)
            n = shape[0]
            before, after = (0, 0)
            if raw.get("padding", "valid") == "same":
                before, after, _ = tf_same(n, k, s)
            layer.update(before=before, after=after)
            layer["index"], out = windows(n, k, s, 1, before, after)
            shape = [out, shape[1]]
        elif t in ("global_average_pooling1d", "global_max_pooling1d", "global_max_pooling2d"):
            shape = [shape[-1]]
        elif t == "rms_normalization":
            layer["epsilon"] = raw.get("epsilon", 1e-6)
            layer["params"] = [("scale", [shape[-1]], None)]
        elif t == "group_normalization":
            c = shape[-1]
            layer["groups"] = raw.get("groups", 32)
            assert c % layer["groups"] == 0
            layer["epsilon"] = raw.get("epsilon", 1e-3)
            if raw.get("scale", True):
                layer["params"].append(("gamma", [c], raw.get("gamma_regularizer")))
            if raw.get("center", True):
                layer["params"].append(("beta", [c], raw.get("beta_regularizer")))
        elif t == "bidirectional":
            inner = dict(raw["layer"])
            inner.pop("name", None)
            saved = dict(self.counts)
            fwd, out = N.Model.build_one(self, dict(inner, name="forward"), shape)
            bwd, _ = N.Model.build_one(self, dict(inner, name="backward"), shape)
            self.counts = saved
            layer["merge_mode"] = raw.get("merge_mode", "concat")
            layer["copies"] = (fwd, bwd)
            layer["params"] = [(f"{d}/{p}", s, cfg) for d, l in (("forward", fwd), ("backward", bwd))
                               for (p, s, cfg) in l["params"]]
            shape = out[:-1] + [out[-1] * 2] if layer["merge_mode"] == "concat" else out
        elif t == "multi_head_attention":
            h, kd = raw["num_heads"], raw["key_dim"]
            vd = raw.get("value_dim", kd)
            d = shape[-1]
            layer.update(heads=h, key_dim=kd, use_bias=raw.get("use_bias", True),
                         causal=raw.get("use_causal_mask", False))
            for part, size, width in (("query", kd, d), ("key", kd, d), ("value", vd, d)):
                layer["params"].append((f"{part}/kernel", [width, h, size], raw.get("kernel_regularizer")))
                if layer["use_bias"]:
                    layer["params"].append((f"{part}/bias", [h, size], raw.get("bias_regularizer")))
            layer["params"].append(("attention_output/kernel", [h, vd, d], raw.get("kernel_regularizer")))
            if layer["use_bias"]:
                layer["params"].append(("attention_output/bias", [d], raw.get("bias_regularizer")))
        layer["out_shape"] = list(shape)
        return layer, shape

    def layer_forward(self, layer, params, x, batch):
        t = layer["type"]
        if t not in NEW_TYPES:
            return super().layer_forward(layer, params, x, batch)
        name = layer["name"]
        p = {k: params[f"{name}/{k}"] for (k, _, _) in layer["params"]}
        reg = torch.zeros(())
        for (k, _, cfg) in layer["params"]:
            reg = reg + G.regularizer(cfg, p[k])
        pre = None
        if t == "conv1d":
            xp = torch.nn.functional.pad(x, (0, 0, layer["before"], layer["after"]))  # zeros on the time axis
            patches = xp[:, layer["index"], :]                                           # [b, T', k, c]
            z = torch.einsum("btkc,kcf->btf", patches, p["kernel"])
            if layer["use_bias"]:
                z = z + p["bias"]
            pre = (layer["act"][0], z)
            x = G.apply_activation(layer["act"], z)
        elif t in ("max_pooling1d", "average_pooling1d"):
            n = x.shape[1]
            idx = layer["index"]
            if t == "max_pooling1d":
                xp = torch.nn.functional.pad(x, (0, 0, layer["before"], layer["after"]), value=-math.inf)
                x = xp[:, idx, :].amax(dim=2)
            else:
                xp = torch.nn.functional.pad(x, (0, 0, layer["before"], layer["after"]))
                inside = ((idx - layer["before"] >= 0) & (idx - layer["before"] < n)).sum(dim=1).to(x.dtype)
                x = xp[:, idx, :].sum(dim=2) / inside[None, :, None]
        elif t == "global_average_pooling1d":
            x = x.mean(dim=1)
        elif t == "global_max_pooling1d":
            x = x.amax(dim=1)
        elif t == "global_max_pooling2d":
            x = x.amax(dim=(1, 2))
        elif t == "rms_normalization":
            x = x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + layer["epsilon"]) * p["scale"]
        elif t == "group_normalization":
            g, c = layer["groups"], x.shape[-1]
            xs = x.reshape(batch, -1, g, c // g)
            mean = xs.mean(dim=(1, 3), keepdim=True)
            var = ((xs - mean) ** 2).mean(dim=(1, 3), keepdim=True)  # biased
            x = ((xs - mean) / torch.sqrt(var + layer["epsilon"])).reshape(x.shape)
            x = N.scale_shift(x, p)
        elif t == "bidirectional":
            fwd, bwd = layer["copies"]
            pf = {k.split("/", 1)[1]: v for k, v in p.items() if k.startswith("forward/")}
            pb = {k.split("/", 1)[1]: v for k, v in p.items() if k.startswith("backward/")}
            f = N.recurrent(fwd, pf, x)
            b = N.recurrent(bwd, pb, torch.flip(x, dims=[1]))
            if fwd["return_sequences"]:
                b = torch.flip(b, dims=[1])
            mode = layer["merge_mode"]
            x = {"concat": lambda: torch.cat([f, b], dim=-1), "sum": lambda: f + b,
                 "mul": lambda: f * b, "ave": lambda: (f + b) / 2}[mode]()
        elif t == "multi_head_attention":
            def proj(part):
                y = torch.einsum("btd,dhk->bthk", x, p[f"{part}/kernel"])
                return y + p[f"{part}/bias"] if layer["use_bias"] else y
            q, k, v = proj("query"), proj("key"), proj("value")
            scores = torch.einsum("bqhk,bvhk->bhqv", q, k) / math.sqrt(layer["key_dim"])
            if layer["causal"]:
                tq, tv = scores.shape[-2], scores.shape[-1]
                allowed = torch.tril(torch.ones(tq, tv, dtype=torch.bool))
                scores = scores.masked_fill(~allowed, -math.inf)
            probs = torch.softmax(scores, dim=-1)
            o = torch.einsum("bhqv,bvhe->bqhe", probs, v)
            x = torch.einsum("bqhe,hed->bqd", o, p["attention_output/kernel"])
            if layer["use_bias"]:
                x = x + p["attention_output/bias"]
        if layer.get("activity_regularizer"):
            reg = reg + G.regularizer(layer["activity_regularizer"], x) / batch
        return x, pre, reg


def make_data(model):
    values, x, y = N.make_data(model)
    for name in values:
        if name.endswith("/scale"):
            values[name] = 1.0 + values[name]
    return values, x, y


def main(argv):
    names = [a[:-5] if a.endswith(".json") else a for a in argv] or SPECS
    failures = sum(N.generate(n, model_class=Model, data=make_data) for n in names)
    if failures:
        print(f"self-check FAILED on {failures} element(s)")
        return 1
    print("all self-checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
