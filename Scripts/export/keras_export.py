#!/usr/bin/env python3
"""Export a Keras 3 model so that `gradcheck compare` can check it end to end.

Writes, into one directory:

- `model.json`      the model's own `model.to_json()` (turn it into a spec with
                    `gradcheck import keras model.json --loss LOSS`),
- `weights.json`    `gradcheck.weights/1`: every variable, named as gradcheck names
                    parameters (`dense/kernel`, `mha/query/kernel`, `lstm/kernel` for Keras'
                    `lstm/lstm_cell/kernel`, `bi/forward/kernel` for `bi/forward_gru/gru_cell/kernel`)
                    in Keras layouts, moving statistics included,
- `batch.json`      `gradcheck.batch/1`: a seeded random batch (or the one you pass),
                    keyed by input name when the model has several inputs,
- `gradients.json`  `gradcheck.gradients/1`: Keras' own loss (regularisation included) and
                    its float64 gradient with respect to every trainable variable and every
                    float input, by the torch backend's autograd, in training mode.

Run it with KERAS_BACKEND=torch (set here before keras is imported):

    /root/torchenv/bin/python Scripts/export/keras_export.py model.keras --out exported/ \
        [--loss sparse_categorical_crossentropy] [--from-logits] [--batch-size 4] [--seed 0] [--randomize]

or from Python: `from keras_export import export; export(model, "exported/", loss=...)`.
The model must be built in float64 (`keras.config.set_floatx("float64")` before building,
or a `.keras` file is loaded with float64 variables) so the gradients are float64 ones.
Dropout must be off (rate 0) for a comparison: Keras and gradcheck draw different masks.
"""
import argparse
import json
import math
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import torch  # noqa: E402
from keras.src.backend.common import dtypes as _keras_dtypes  # noqa: E402

# Keras 3 on a backend other than TensorFlow demotes 64-bit results of its type
# promotion to 32 bits, as JAX does by default: keras.ops.matmul of two float64 tensors
# computes in float32, so a Dense layer is float32-accurate even in a float64 model.
# Gradients to compare at 1e-9 need float64 throughout, so promotion keeps float64 here.
_keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"


def _number(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 2 ** 53:
        return int(x)
    return x


def tensor_json(array):
    a = np.asarray(array, dtype=np.float64)
    return {"shape": list(a.shape), "values": [_number(v) for v in a.reshape(-1)]}


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def parameter_names(model):
    """(gradcheck name, keras variable) for every variable of the model, in model order."""
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            for direction, sub in (("forward", layer.forward_layer), ("backward", layer.backward_layer)):
                for v in sub.weights:
                    out.append((f"{layer.name}/{direction}/{v.path.split('/')[-1]}", v))
        elif isinstance(layer, keras.layers.RNN):
            for v in layer.weights:
                out.append((f"{layer.name}/{v.path.split('/')[-1]}", v))
        else:
            for v in layer.weights:
                # Keras paths may start with the model's name: keep what follows the layer's.
                parts = v.path.split("/")
                if layer.name not in parts:
                    raise SystemExit(f"variable {v.path} does not hold its layer's name {layer.name}")
                out.append(("/".join(parts[parts.index(layer.name):]), v))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise SystemExit(f"two variables map to one gradcheck name: {names}")
    return out


def _input_name(model, k):
    tensor = model.inputs[k]
    history = getattr(tensor, "_keras_history", None)
    return history[0].name if history else tensor.name


def _embedding_dim_for(model, tensor):
    """The smallest input_dim among the embeddings that read `tensor`, or None."""
    dims = [l.input_dim for l in model.layers if isinstance(l, keras.layers.Embedding)
            for node in l._inbound_nodes if any(t is tensor for t in node.input_tensors)]
    return min(dims) if dims else None


def random_batch(model, loss_name, batch_size, rng):
    """Inputs: normal floats, or token ids below the input_dim of the embedding reading them;
    targets: class ids for sparse cross-entropy, one-hot rows for categorical, 0/1 for
    binary, normal values for regression."""
    inputs = []
    for k, t in enumerate(model.inputs):
        shape = [batch_size] + [int(d) for d in t.shape[1:]]
        if "int" in str(t.dtype):
            high = _embedding_dim_for(model, t)
            if high is None:
                raise SystemExit(f"integer input {_input_name(model, k)} feeds no Embedding: pass the batch yourself")
            inputs.append(rng.integers(0, high, size=shape).astype(np.float64))
        else:
            inputs.append(rng.normal(size=shape))
    out_shape = [batch_size] + [int(d) for d in model.outputs[0].shape[1:]]
    name = loss_name
    if "sparse_categorical" in name:
        targets = rng.integers(0, out_shape[-1], size=out_shape[:-1]).astype(np.float64)
    elif "categorical" in name:
        targets = np.eye(out_shape[-1])[rng.integers(0, out_shape[-1], size=out_shape[:-1])]
    elif "binary" in name:
        targets = rng.integers(0, 2, size=out_shape).astype(np.float64)
    else:
        targets = rng.normal(size=out_shape)
    return inputs, targets


def randomize(model, rng, scale=0.3):
    """Seeded weights with every bias, gamma and beta away from its initial 0 or 1, so no
    gradient term vanishes by accident; moving variances stay positive."""
    for name, v in parameter_names(model):
        shape = tuple(int(d) for d in v.shape)
        if name.endswith("moving_variance"):
            value = rng.uniform(0.5, 1.5, size=shape)
        elif name.endswith("gamma") or name.endswith("scale"):
            value = 1 + rng.normal(scale=0.2, size=shape)
        else:
            fan_in = shape[0] if len(shape) > 1 else 1
            value = rng.normal(scale=min(scale, 1.0 / math.sqrt(max(fan_in, 1)) * 1.5), size=shape)
        v.assign(value.astype(np.float64))


def export(model, out_dir, loss=None, inputs=None, targets=None, batch_size=4, seed=0, randomize_weights=False):
    """Write model.json, weights.json, batch.json and gradients.json for `model` into `out_dir`."""
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise SystemExit("the model has no loss: compile it or pass loss=")
    loss = keras.losses.get(loss) if isinstance(loss, str) else loss
    loss_name = loss.fn.__name__ if hasattr(loss, "fn") else getattr(loss, "__name__", str(loss))
    if isinstance(loss, keras.losses.Loss):
        # A Loss object's reduction comes out in float32 (Keras 3.15, torch backend) even
        # with float64 inputs: call its function and take the mean ourselves, which is
        # what its reduction "sum_over_batch_size" computes.
        if loss.reduction != "sum_over_batch_size" or not hasattr(loss, "fn"):
            raise SystemExit(f"loss {loss.name}: only the batch mean (sum_over_batch_size) of a built-in loss is supported")
        fn, kwargs = loss.fn, dict(getattr(loss, "_fn_kwargs", {}))
        loss = lambda t, p, fn=fn, kwargs=kwargs: fn(t, p, **kwargs)  # noqa: E731
    if randomize_weights:
        randomize(model, rng)
    for _, v in parameter_names(model):
        if "float64" not in str(v.dtype):
            raise SystemExit(f"variable {v.path} is {v.dtype}; build the model with keras.config.set_floatx('float64')")
    if inputs is None:
        inputs, targets = random_batch(model, loss_name, batch_size, rng)
    names = [_input_name(model, k) for k in range(len(model.inputs))]
    is_int = ["int" in str(t.dtype) for t in model.inputs]

    write_json(os.path.join(out_dir, "model.json"), json.loads(model.to_json()))
    write_json(os.path.join(out_dir, "weights.json"), {
        "format": "gradcheck.weights/1",
        "parameters": {n: tensor_json(keras.ops.convert_to_numpy(v.value)) for n, v in parameter_names(model)},
    })
    batch_inputs = tensor_json(inputs[0]) if len(inputs) == 1 else {n: tensor_json(x) for n, x in zip(names, inputs)}
    write_json(os.path.join(out_dir, "batch.json"), {
        "format": "gradcheck.batch/1", "inputs": batch_inputs, "targets": tensor_json(targets)})

    xs = []
    for x, integer in zip(inputs, is_int):
        if integer:
            xs.append(torch.tensor(np.asarray(x), dtype=torch.int64))
        else:
            xs.append(torch.tensor(np.asarray(x), dtype=torch.float64, requires_grad=True))
    y_pred = model(xs if len(xs) > 1 else xs[0], training=True)
    y_true = torch.tensor(np.asarray(targets), dtype=torch.float64)
    value = loss(y_true, y_pred)
    if value.ndim > 0:   # a loss function, not a Loss object: Keras' sum_over_batch_size is the mean
        value = torch.mean(value)
    for extra in model.losses:
        value = value + extra
    if value.dtype != torch.float64:
        raise SystemExit(f"the loss came out as {value.dtype}, not float64")
    trainable = [(n, v) for n, v in parameter_names(model) if v.trainable]
    wrt = [v.value for _, v in trainable] + [x for x, integer in zip(xs, is_int) if not integer]
    grads = torch.autograd.grad(value, wrt, allow_unused=True)
    param_grads = {}
    for (n, v), g in zip(trainable, grads):
        param_grads[n] = tensor_json(np.zeros(tuple(v.shape)) if g is None else g.detach().numpy())
    gradients = {"format": "gradcheck.gradients/1", "loss": float(value.detach()), "parameters": param_grads}
    input_grads = [g for g in grads[len(trainable):]]
    float_names = [n for n, integer in zip(names, is_int) if not integer]
    if len(inputs) == 1 and float_names:
        gradients["inputs"] = tensor_json(input_grads[0].detach().numpy())
    elif len(inputs) > 1 and float_names:
        gradients["inputs"] = {n: tensor_json(g.detach().numpy()) for n, g in zip(float_names, input_grads)}
    write_json(os.path.join(out_dir, "gradients.json"), gradients)
    return gradients["loss"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a .keras file")
    parser.add_argument("--out", required=True, help="the directory to write")
    parser.add_argument("--loss", help="a Keras loss name (default: the compiled loss)")
    parser.add_argument("--from-logits", action="store_true", help="the loss takes logits")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--randomize", action="store_true", help="replace the weights with seeded random ones")
    args = parser.parse_args(argv)
    keras.config.set_floatx("float64")
    model = keras.saving.load_model(args.model, compile=True)
    loss = None
    if args.loss:
        loss = keras.losses.get(args.loss)
        if args.from_logits:
            loss = type(loss)(from_logits=True)
    value = export(model, args.out, loss=loss, batch_size=args.batch_size, seed=args.seed,
                   randomize_weights=args.randomize)
    print(f"wrote {args.out}: loss {value:.12g}", file=sys.stderr)


if __name__ == "__main__":
    main()
