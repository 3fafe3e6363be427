#!/usr/bin/env python3
"""Cross-checks generate_sequence.py's hand-written layers against real Keras 3.

For each fixture spec of generate_sequence.py this builds the same model in Keras
(float64, torch backend), loads the committed weights `Fixtures/reference/<spec>/weights.json`
into it in model order, and compares the model output on the committed batch with the
output of generate_sequence.py's interpreter. It is evidence that the interpreter (and
therefore the committed gradients) has Keras semantics: causal and same padding, the
reversal of the backward copy of `Bidirectional`, MultiHeadAttention's layouts and causal
mask, GroupNormalization's groups, RMSNormalization's formula.

    KERAS_BACKEND=torch /root/torchenv/bin/python Scripts/reference/keras_crosscheck_sequence.py

Exits 1 when an output differs by more than 1e-12 relative to its largest entry.
Checked with Keras 3.15.1 (torch backend), with its 64-to-32-bit type demotion switched
off (see below).
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_sequence as S  # noqa: E402

keras.config.set_floatx("float64")
# Keras 3.15.1's type promotion maps every 64-bit result dtype to 32 bits
# (keras/src/backend/common/dtypes.py, _lattice_result_type: "Force to be 32-bit dtype when
# encountering 64-bit dtype", BIT64_TO_BIT32_DTYPE), so keras.ops.matmul on two float64
# tensors computes in float32 (errors ~1e-7). Emptying that table keeps float64 float64.
from keras.src.backend.common import dtypes as _keras_dtypes  # noqa: E402

_keras_dtypes.BIT64_TO_BIT32_DTYPE.clear()

KERAS_TYPES = {
    "conv1d": "Conv1D", "max_pooling1d": "MaxPooling1D", "average_pooling1d": "AveragePooling1D",
    "global_average_pooling1d": "GlobalAveragePooling1D", "global_max_pooling1d": "GlobalMaxPooling1D",
    "global_max_pooling2d": "GlobalMaxPooling2D", "rms_normalization": "RMSNormalization",
    "group_normalization": "GroupNormalization", "dense": "Dense", "activation": "Activation",
    "layer_normalization": "LayerNormalization",
}


def keras_activation(a):
    if isinstance(a, dict):
        a = dict(a)
        kind = a.pop("type")
        return keras.layers.Activation(lambda x: keras.activations.get(kind)(x, **a))
    return a


def keras_layer(raw):
    t = raw["type"]
    cfg = {k: v for k, v in raw.items() if k not in ("type", "name")}
    if t == "bidirectional":
        inner = dict(raw["layer"])
        kind = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM, "simple_rnn": keras.layers.SimpleRNN}[inner.pop("type")]
        return keras.layers.Bidirectional(kind(**inner), merge_mode=raw.get("merge_mode", "concat"))
    if t == "multi_head_attention":
        causal = cfg.pop("use_causal_mask", False)
        layer = keras.layers.MultiHeadAttention(**cfg)
        return lambda x: layer(x, x, use_causal_mask=causal), layer
    if t == "activation":
        return keras_activation(raw["activation"]) if isinstance(raw["activation"], dict) else keras.layers.Activation(raw["activation"])
    if "activation" in cfg and isinstance(cfg["activation"], dict):
        act = cfg.pop("activation")
        dense = getattr(keras.layers, KERAS_TYPES[t])(**cfg)
        post = keras_activation(act)
        return lambda x: post(dense(x)), dense
    return getattr(keras.layers, KERAS_TYPES[t])(**cfg)


def check(name):
    with open(os.path.join(S.N.SPEC_DIR, name + ".json")) as f:
        spec = json.load(f)
    ref = os.path.join(S.N.OUT_DIR, name)
    weights = json.load(open(os.path.join(ref, "weights.json")))["parameters"]
    batch = json.load(open(os.path.join(ref, "batch.json")))
    tensors = [np.array(v["values"], dtype=np.float64).reshape(v["shape"]) for v in weights.values()]
    x = np.array(batch["inputs"]["values"], dtype=np.float64).reshape(batch["inputs"]["shape"])

    inputs = keras.Input(shape=spec["input_shape"], dtype="float64")
    h, owners = inputs, []
    for raw in spec["layers"]:
        made = keras_layer(raw)
        call, owner = made if isinstance(made, tuple) else (made, made)
        h = call(h)
        owners.append(owner)
    model = keras.Model(inputs, h)
    k = 0
    for owner in owners:
        n = len(owner.get_weights())
        owner.set_weights(tensors[k:k + n])
        k += n
    assert k == len(tensors), f"{name}: {len(tensors) - k} weights left over"
    ours, _, _ = S.Model(dict(spec, name=name)).forward({n: torch.tensor(t) for n, t in zip(weights, tensors)}, torch.tensor(x))
    theirs = np.asarray(keras.ops.convert_to_numpy(model(x)))
    diff = float(np.max(np.abs(theirs - ours.detach().numpy())))
    scale = float(np.max(np.abs(theirs)))
    ok = diff <= 1e-12 * max(scale, 1.0)
    print(f"{name}: max |keras - interpreter| {diff:.2e} (output scale {scale:.2e}) {'ok' if ok else 'DIFFERS'}")
    return ok


def main(argv):
    names = argv or S.SPECS
    bad = [n for n in names if not check(n)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
