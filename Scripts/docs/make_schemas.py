#!/usr/bin/env python3
"""Writes the JSON Schemas (draft 2020-12) of every file GradCheck reads or writes to
docs/schemas/. The schemas are committed; this script is where they come from, so the 40-odd
layer types of the model format are written down once. Run it after changing a format:

    python3 Scripts/docs/make_schemas.py

Only the subset of JSON Schema that the test target's own validator understands is used:
type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, not,
$ref (to "#/$defs/..." or "<file>#/$defs/..."), $defs, minimum, exclusiveMinimum,
maximum, exclusiveMaximum, minItems, maxItems, minLength, pattern.
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[2] / "docs" / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# ---------------------------------------------------------------- shared pieces

number = {"anyOf": [{"type": "number"}, {"enum": ["nan", "inf", "-inf"]}],
          "description": "a number; NaN and infinities as the strings \"nan\", \"inf\", \"-inf\""}
number_or_null = {"anyOf": [{"$ref": "#/$defs/number"}, {"type": "null"}]}
shape = {"type": "array", "items": {"type": "integer", "minimum": 0}}
tensor = {
    "type": "object",
    "description": "{shape, values}: values flat, row-major, product(shape) long",
    "properties": {"shape": {"$ref": "#/$defs/shape"},
                   "values": {"type": "array", "items": {"$ref": "#/$defs/number"}}},
    "required": ["shape", "values"],
    "additionalProperties": False,
}
tensor_map = {"type": "object", "additionalProperties": {"$ref": "#/$defs/tensor"},
              "description": "tensors by name"}
TENSOR = "tensor.schema.json#/$defs/tensor"
NUMBER = "tensor.schema.json#/$defs/number"


def ref(r):
    return {"$ref": r}


def fmt(tag):
    return {"const": tag, "description": f"the format tag; optional in files you write"}


def obj(props, required=(), extra=False, description=None):
    o = {"type": "object", "properties": props}
    if required:
        o["required"] = list(required)
    o["additionalProperties"] = extra
    if description:
        o["description"] = description
    return o


def doc(name, title, body, defs=None):
    s = {"$schema": DRAFT, "$id": f"{name}.schema.json", "title": title}
    s.update(body)
    if defs:
        s["$defs"] = defs
    return s


positive_int = {"type": "integer", "minimum": 1}
non_negative_int = {"type": "integer", "minimum": 0}
positive_number = {"type": "number", "exclusiveMinimum": 0}
non_negative_number = {"type": "number", "minimum": 0}
unit_half_open = {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
unit_interval = {"type": "number", "minimum": 0, "maximum": 1}
boolean = {"type": "boolean"}
string = {"type": "string"}
positive_shape = {"type": "array", "items": positive_int, "minItems": 1}
int_or_pair = {"anyOf": [positive_int, {"type": "array", "items": positive_int, "minItems": 2, "maxItems": 2}]}
name_list = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}

# ---------------------------------------------------------------- model spec

ACTIVATIONS = ["linear", "relu", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh",
               "softplus", "softsign", "swish", "softmax", "log_softmax"]
activation = {"anyOf": [
    {"enum": ACTIVATIONS},
    obj({"type": {"enum": ["leaky_relu", "elu"]}, "alpha": {"type": "number"}}, ["type"]),
    obj({"type": {"const": "gelu"}, "approximate": boolean}, ["type"]),
    obj({"type": {"enum": [a for a in ACTIVATIONS if a not in ("leaky_relu", "elu", "gelu")]}}, ["type"]),
]}

PLAIN_INITIALIZERS = ["zeros", "ones", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
                      "lecun_normal", "lecun_uniform"]
initializer = {"anyOf": [
    {"enum": PLAIN_INITIALIZERS + ["constant", "random_normal", "random_uniform", "truncated_normal", "orthogonal"]},
    obj({"type": {"enum": PLAIN_INITIALIZERS}}, ["type"]),
    obj({"type": {"const": "constant"}, "value": {"type": "number"}}, ["type"]),
    obj({"type": {"enum": ["random_normal", "truncated_normal"]}, "mean": {"type": "number"},
         "stddev": non_negative_number}, ["type"]),
    obj({"type": {"const": "random_uniform"}, "minval": {"type": "number"}, "maxval": {"type": "number"}}, ["type"]),
    obj({"type": {"const": "orthogonal"}, "gain": {"type": "number"}}, ["type"]),
]}
regularizer = obj({"l1": non_negative_number, "l2": non_negative_number},
                  description="{\"l1\": a}, {\"l2\": b} or both: a·Σ|w| + b·Σw² added to the loss")

CROSSENTROPIES = ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]
loss = {"anyOf": [
    {"enum": ["mean_squared_error", "mean_absolute_error", "huber"] + CROSSENTROPIES},
    obj({"type": {"const": "huber"}, "delta": positive_number}, ["type"]),
    obj({"type": {"enum": CROSSENTROPIES}, "from_logits": boolean}, ["type"]),
    obj({"type": {"enum": ["mean_squared_error", "mean_absolute_error"]}}, ["type"]),
]}

OPTIMIZER_KEYS = {
    "sgd": {"momentum": non_negative_number, "nesterov": boolean},
    "rmsprop": {"rho": non_negative_number, "momentum": non_negative_number, "epsilon": positive_number},
    "adagrad": {"initial_accumulator_value": non_negative_number, "epsilon": positive_number},
    "adam": {"beta_1": non_negative_number, "beta_2": non_negative_number, "epsilon": positive_number, "amsgrad": boolean},
    "adamw": {"beta_1": non_negative_number, "beta_2": non_negative_number, "epsilon": positive_number, "amsgrad": boolean,
              "weight_decay": non_negative_number},
}
keras_clipping = {"clipnorm": positive_number, "clipvalue": positive_number, "global_clipnorm": positive_number}
optimizer = {"anyOf": [{"enum": list(OPTIMIZER_KEYS)}] + [
    obj({"type": {"const": t}, "learning_rate": positive_number, **keys, **keras_clipping}, ["type"])
    for t, keys in OPTIMIZER_KEYS.items()]}

clipping = {"anyOf": [
    obj({"type": {"const": "none"}}, ["type"]),
    obj({"type": {"const": "value"}, "clip_value": positive_number}, ["type", "clip_value"]),
    obj({"type": {"enum": ["norm", "global_norm"]}, "max_norm": positive_number}, ["type", "max_norm"]),
    obj({"type": {"const": "agc"}, "clipping": positive_number, "eps": positive_number}, ["type"]),
    obj({"type": {"const": "autoclip"}, "percentile": {"type": "number", "exclusiveMinimum": 0, "maximum": 100}}, ["type"]),
    obj({"type": {"const": "zclip"}, "z_threshold": positive_number, "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
         "warmup_steps": non_negative_int}, ["type"]),
]}
early_stopping = obj({"monitor": {"enum": ["val_loss", "loss", "val_accuracy", "accuracy"]},
                      "patience": non_negative_int, "min_delta": non_negative_number,
                      "restore_best_weights": boolean})
training = obj({"optimizer": ref("#/$defs/optimizer"), "clipping": ref("#/$defs/clipping"),
                "epochs": positive_int, "batch_size": positive_int,
                "validation_split": unit_half_open, "seed": non_negative_int,
                "early_stopping": ref("#/$defs/early_stopping")})

A, I, R = ref("#/$defs/activation"), ref("#/$defs/initializer"), ref("#/$defs/regularizer")
weighted = {"activation": A, "use_bias": boolean, "kernel_initializer": I, "bias_initializer": I,
            "kernel_regularizer": R, "bias_regularizer": R, "activity_regularizer": R}
norm_keys = {"epsilon": positive_number, "center": boolean, "scale": boolean, "beta_initializer": I,
             "gamma_initializer": I, "beta_regularizer": R, "gamma_regularizer": R}
recurrent = {"units": positive_int, "return_sequences": boolean, "recurrent_initializer": I,
             "recurrent_regularizer": R, **weighted}
pool2d = {"pool_size": int_or_pair, "strides": int_or_pair, "padding": {"enum": ["valid", "same"]}}
pool1d = {"pool_size": positive_int, "strides": positive_int, "padding": {"enum": ["valid", "same"]}}

fill_keys = {"fill_mode": {"enum": ["reflect", "constant", "nearest", "wrap"]}, "fill_value": {"type": "number"},
             "interpolation": {"enum": ["bilinear"]}}
factor = {"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}]}

# type: (keys, required keys)
LAYERS = {
    "dense": ({"units": positive_int, **weighted}, ["units"]),
    "activation": ({"activation": A}, ["activation"]),
    "dropout": ({"rate": unit_half_open}, ["rate"]),
    "flatten": ({}, []),
    "reshape": ({"target_shape": {"type": "array", "minItems": 1,
                                  "items": {"anyOf": [positive_int, {"const": -1}]}}}, ["target_shape"]),
    "conv2d": ({"filters": positive_int, "kernel_size": int_or_pair, "strides": int_or_pair,
                "padding": {"enum": ["valid", "same"]}, **weighted}, ["filters", "kernel_size"]),
    "conv1d": ({"filters": positive_int, "kernel_size": positive_int, "strides": positive_int,
                "padding": {"enum": ["valid", "same", "causal"]}, "dilation_rate": positive_int, **weighted},
               ["filters", "kernel_size"]),
    "max_pooling2d": (pool2d, []),
    "average_pooling2d": (pool2d, []),
    "max_pooling1d": (pool1d, []),
    "average_pooling1d": (pool1d, []),
    "global_average_pooling2d": ({}, []),
    "global_max_pooling2d": ({}, []),
    "global_average_pooling1d": ({}, []),
    "global_max_pooling1d": ({}, []),
    "batch_normalization": ({"momentum": {"type": "number", "minimum": 0, "maximum": 1},
                             "moving_mean_initializer": I, "moving_variance_initializer": I, **norm_keys}, []),
    "layer_normalization": (norm_keys, []),
    "rms_normalization": ({"epsilon": positive_number}, []),
    "group_normalization": ({"groups": positive_int, **norm_keys}, []),
    "embedding": ({"input_dim": positive_int, "output_dim": positive_int, "embeddings_initializer": I,
                   "embeddings_regularizer": R, "activity_regularizer": R}, ["input_dim", "output_dim"]),
    "simple_rnn": (recurrent, ["units"]),
    "lstm": ({**recurrent, "recurrent_activation": A, "unit_forget_bias": boolean}, ["units"]),
    "gru": ({**recurrent, "recurrent_activation": A, "reset_after": boolean}, ["units"]),
    "bidirectional": ({"layer": ref("#/$defs/recurrent_layer"),
                       "merge_mode": {"enum": ["concat", "sum", "mul", "ave"]}}, ["layer"]),
    "multi_head_attention": ({"num_heads": positive_int, "key_dim": positive_int, "value_dim": positive_int,
                              "use_bias": boolean, "use_causal_mask": boolean, "dropout": unit_half_open,
                              "kernel_initializer": I, "bias_initializer": I,
                              "kernel_regularizer": R, "bias_regularizer": R}, ["num_heads", "key_dim"]),
    "residual": ({"layers": {"type": "array", "items": ref("#/$defs/layer"), "minItems": 1}}, ["layers"]),
    "add": ({}, []), "subtract": ({}, []), "multiply": ({}, []), "average": ({}, []),
    "maximum": ({}, []), "minimum": ({}, []),
    "concatenate": ({"axis": {"type": "integer"}}, []),
    # data augmentation (training only; the identity at check time)
    "random_flip": ({"mode": {"enum": ["horizontal", "vertical", "horizontal_and_vertical"]}}, []),
    "random_translation": ({"height_factor": ref("#/$defs/factor"), "width_factor": ref("#/$defs/factor"), **fill_keys},
                           ["height_factor", "width_factor"]),
    "random_rotation": ({"factor": ref("#/$defs/factor"), **fill_keys}, ["factor"]),
    "random_zoom": ({"height_factor": ref("#/$defs/factor"), "width_factor": ref("#/$defs/factor"), **fill_keys},
                    ["height_factor"]),
    "random_crop": ({"height": positive_int, "width": positive_int}, ["height", "width"]),
    "random_contrast": ({"factor": ref("#/$defs/factor")}, ["factor"]),
    "gaussian_noise": ({"stddev": non_negative_number}, ["stddev"]),
    "feature_dropout": ({"rate": unit_half_open}, ["rate"]),
}


def layer_schema(t, keys, required):
    props = {"type": {"const": t}, "name": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
             "inputs": ref("#/$defs/layer_inputs"), **keys}
    return obj(props, ["type"] + required)


layer_defs = {f"layer_{t}": layer_schema(t, k, r) for t, (k, r) in LAYERS.items()}
model_defs = {
    "factor": factor, "activation": activation, "initializer": initializer, "regularizer": regularizer, "loss": loss,
    "optimizer": optimizer, "clipping": clipping, "early_stopping": early_stopping, "training": training,
    "layer_inputs": {**name_list, "description": "names of earlier layers or model inputs this layer takes"},
    "layer": {"description": "one layer; `type` picks the keys it takes",
              "oneOf": [ref(f"#/$defs/layer_{t}") for t in LAYERS]},
    "recurrent_layer": {"oneOf": [ref(f"#/$defs/layer_{t}") for t in ("simple_rnn", "lstm", "gru")]},
    "model_input": obj({"name": {"type": "string", "minLength": 1}, "shape": positive_shape,
                        "dtype": {"enum": ["float", "int"]}}, ["name", "shape"]),
    **layer_defs,
}
model = doc("model", "GradCheck model spec (gradcheck.model/1)", {
    "type": "object",
    "properties": {
        "format": fmt("gradcheck.model/1"),
        "name": {"type": "string", "minLength": 1, "description": "a label; default: the file's name without .json"},
        "input_shape": {**positive_shape, "description": "one sample's shape, without the batch axis"},
        "inputs": {"type": "array", "items": ref("#/$defs/model_input"), "minItems": 1},
        "layers": {"type": "array", "items": ref("#/$defs/layer"), "minItems": 1},
        "outputs": {"type": "string", "minLength": 1},
        "loss": ref("#/$defs/loss"),
        "training": ref("#/$defs/training"),
    },
    "required": ["layers", "loss"],
    "oneOf": [{"required": ["input_shape"]}, {"required": ["inputs"]}],
    "additionalProperties": False,
}, model_defs)

# ---------------------------------------------------------------- tensors and files

tensor_doc = doc("tensor", "GradCheck tensor ({shape, values})", {"$ref": "#/$defs/tensor"},
                 {"number": number, "shape": shape, "tensor": tensor, "tensor_map": tensor_map})
inputs_value = {"anyOf": [ref(TENSOR), {"type": "object", "additionalProperties": ref(TENSOR),
                                        "description": "one tensor per model input, by name"}]}
weights = doc("weights", "GradCheck weights file (gradcheck.weights/1)", obj({
    "format": fmt("gradcheck.weights/1"),
    "parameters": {"type": "object", "additionalProperties": ref(TENSOR)},
}, ["parameters"]))
batch = doc("batch", "GradCheck batch file (gradcheck.batch/1)", obj({
    "format": fmt("gradcheck.batch/1"), "inputs": inputs_value, "targets": ref(TENSOR),
}, ["inputs", "targets"]))
gradients = doc("gradients", "GradCheck gradients file (gradcheck.gradients/1)", obj({
    "format": fmt("gradcheck.gradients/1"), "loss": ref(NUMBER),
    "parameters": {"type": "object", "additionalProperties": ref(TENSOR)},
    "inputs": inputs_value,
}, ["loss", "parameters"]))

# ---------------------------------------------------------------- run log (one line)

N = ref(NUMBER)
open_obj = lambda props, required=(): obj(props, required, extra=True)
KINDS = ["vanishing_gradients", "exploding_gradients", "nonfinite", "loss_divergence", "dead_units", "saturation",
         "attention_collapse", "loss_plateau", "oscillating_loss", "small_updates", "large_updates",
         "learning_rate_jump"]
SEVERITIES = ["info", "warning", "critical"]
STATUSES = ["completed", "stopped_early", "diverged", "interrupted"]
EVENTS = ["run_start", "step", "epoch", "alert", "run_end"]
log_defs = {
    "run_start": open_obj({
        "event": {"const": "run_start"}, "format": {"const": "gradcheck.log/1"}, "model": string,
        "parameters": {"type": "array", "items": open_obj({"name": string, "layer": string, "shape": shape}, ["name"])},
        "layers": {"type": "array", "items": open_obj({
            "name": string,
            "activation": {"enum": ["relu_family", "sigmoid", "tanh", "hard_sigmoid", "softsign", "saturating",
                                    "attention", "other"]},
            "units": non_negative_int, "bounds": {"type": "array", "items": N, "minItems": 2, "maxItems": 2},
            "causal": {"type": "boolean"}}, ["name"])},
    }, ["event"]),
    "step": open_obj({
        "event": {"const": "step"}, "step": non_negative_int, "epoch": non_negative_int, "loss": N,
        "grad_norm": N, "clipped_grad_norm": N, "learning_rate": N,
        "params": {"type": "object", "additionalProperties": open_obj(
            {"grad_norm": N, "grad_max": N, "weight_norm": N, "update_norm": N}, ["grad_norm"])},
        "layers": {"type": "object", "additionalProperties": open_obj(
            {"mean": N, "std": N, "dead_fraction": N, "saturated_fraction": N, "attention_entropy": N})},
        "nonfinite": {"type": "array", "items": open_obj({
            "pass": {"enum": ["inputs", "forward", "loss", "backward", "update"]}, "layer": string, "op": string,
            "parameter": string, "value": N}, ["pass"])},
    }, ["event", "step", "loss"]),
    "epoch": open_obj({"event": {"const": "epoch"}, "epoch": non_negative_int, "step": non_negative_int,
                       "loss": N, "val_loss": N, "accuracy": N, "val_accuracy": N}, ["event", "epoch"]),
    "alert": open_obj({"event": {"const": "alert"}, "kind": {"enum": KINDS}, "severity": {"enum": SEVERITIES},
                       "step": non_negative_int, "layer": string, "parameter": string, "message": string},
                      ["event", "kind", "severity", "message"]),
    "run_end": open_obj({"event": {"const": "run_end"}, "status": {"enum": STATUSES}, "step": non_negative_int},
                        ["event", "status"]),
    "other": open_obj({"event": {"type": "string", "not": {"enum": EVENTS}}}, ["event"]),
}
log_line = doc("log-line", "One line of a GradCheck run log (gradcheck.log/1, JSON Lines)", {
    "description": "readers skip keys and event kinds they do not know",
    "oneOf": [ref(f"#/$defs/{e}") for e in EVENTS + ["other"]],
}, log_defs)

# ---------------------------------------------------------------- command outputs

index = {"type": "array", "items": non_negative_int}
NN = ref("#/$defs/number_or_null")
taylor = open_obj({
    "rate": NN, "points": non_negative_int, "floor": N, "exact": boolean, "exact_below": NN, "h_min": N, "h_max": N,
    "steps": {"type": "array", "items": N}, "remainders": {"type": "array", "items": N},
}, ["rate", "points", "floor", "exact", "exact_below", "steps", "remainders"])
check = doc("check", "gradcheck check --format json (gradcheck.check/1)", open_obj({
    "format": {"const": "gradcheck.check/1"}, "passed": boolean, "model": string, "loss": N,
    "tolerance": open_obj({"step": N, "atol": N, "rtol": N}), "seconds": {"type": "number", "minimum": 0},
    "checks": {"type": "array", "items": open_obj({
        "target": string, "parameter": string, "status": {"enum": ["pass", "fail", "kink"]},
        "max_abs_error": N, "max_rel_error": N, "index": index, "analytic": N, "numerical": N,
        "method": {"enum": ["elements", "probes", "dot_product", "taylor"]}, "note": string, "truncation_error": N,
        "taylor": taylor,
        "shape": shape, "elements_checked": non_negative_int, "elements": non_negative_int,
        "failures": non_negative_int, "kinks": non_negative_int,
        "failing": {"type": "array", "items": open_obj({"index": index, "analytic": N, "numerical": N})},
    }, ["target", "parameter", "status", "max_abs_error", "max_rel_error"])},
    "contracts": {"type": "array", "items": open_obj({
        "target": string, "contract": {"enum": ["linearity", "zero_cotangent", "determinism", "immutability"]},
        "status": {"enum": ["pass", "fail"]}, "detail": string, "deviation": N, "allowed": N,
        "worst": open_obj({"tensor": string, "index": index, "expected": N, "actual": N, "note": string},
                          ["tensor", "index", "expected", "actual"]),
    }, ["target", "contract", "status", "detail"])},
}, ["format", "passed", "checks"]), {"number_or_null": {"anyOf": [N, {"type": "null"}]}})
check["properties"]["sampled"] = obj({
    "fraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}, "budget_seconds": positive_number,
    "estimated_seconds": non_negative_number, "seed": non_negative_int,
}, ["fraction", "budget_seconds", "estimated_seconds", "seed"],
    description="present when --budget sampled the check: the fraction of all elements checked, every tensor sampled on its own")
element_full = obj({
    "flat_index": non_negative_int, "index": index, "analytic": N, "numerical": N, "forward": N, "backward": N,
    "abs_error": N, "rel_error": N, "allowed": N, "status": {"enum": ["pass", "fail", "kink"]}, "truncation": N,
}, ["flat_index", "index", "analytic", "numerical", "forward", "backward", "abs_error", "rel_error", "allowed", "status"],
    description="one element's comparison, every number of it")
check_part = doc("check-part", "gradcheck check --shard K/N (gradcheck.check-part/1): one shard's part, for gradcheck merge",
                 open_obj({
    **check["properties"],
    "format": {"const": "gradcheck.check-part/1"},
    "shard": obj({"index": positive_int, "count": positive_int}, ["index", "count"],
                 description="shard K (index, from 1) of N (count)"),
    "run": obj({"fingerprint": {"type": "string", "pattern": "^[0-9a-f]+$"}, "settings": {"type": "array", "items": string}},
               ["fingerprint", "settings"],
               description="what was checked: a hash of the spec, weights and batch bytes and of the settings; parts merge only with equal fingerprints"),
    "batch": string,
    "elements": {"type": "array", "description": "per check, in the order of checks: its worst and first failing elements in full",
                 "items": obj({"worst": {"anyOf": [element_full, {"type": "null"}]},
                               "failing": {"type": "array", "items": element_full, "maxItems": 10},
                               "truncation_error": {"anyOf": [N, {"type": "null"}]}},
                              ["worst", "failing", "truncation_error"])},
}, ["format", "passed", "model", "loss", "tolerance", "seconds", "checks", "shard", "run", "batch", "elements"]),
    check.get("$defs"))
range_use = open_obj({"elements": non_negative_int, "overflow": unit_interval, "subnormal": unit_interval,
                      "underflow": unit_interval}, ["elements", "overflow", "subnormal", "underflow"])
narrow_format = open_obj({"outputs": range_use, "gradients": range_use})
digits = {"type": "number", "minimum": 0, "maximum": 16}
audit = doc("audit", "gradcheck audit --format json (gradcheck.audit/1)", open_obj({
    "format": {"const": "gradcheck.audit/1"}, "model": string, "batch": string,
    "loss": open_obj({"float64": N, "float32": N}), "seconds": {"type": "number", "minimum": 0},
    "worst_layer": string,
    "targets": {"type": "array", "items": open_obj({
        "target": string, "elements": non_negative_int, "median_digits": digits, "worst_digits": digits,
        "worst": open_obj({"tensor": string, "index": index, "float32": N, "float64": N, "digits": digits},
                          ["tensor", "index", "float32", "float64"]),
        "float16": narrow_format, "bfloat16": narrow_format,
    }, ["target", "elements", "median_digits", "worst_digits"])},
}, ["format", "model", "targets"]))
compare = doc("compare", "gradcheck compare --format json (gradcheck.compare/1)", open_obj({
    "format": {"const": "gradcheck.compare/1"}, "matched": boolean, "reference": string, "atol": N, "rtol": N,
    "tensors": {"type": "array", "items": open_obj({
        "name": string, "shape": shape, "max_abs_diff": N, "max_rel_diff": N,
        "status": {"enum": ["match", "mismatch"]}, "index": index, "ours": N, "reference": N, "note": string,
    }, ["name", "status"])},
}, ["format", "matched", "tensors"]))
summary = doc("summary", "gradcheck validate --format json (gradcheck.summary/1)", open_obj({
    "format": {"const": "gradcheck.summary/1"}, "valid": boolean, "model": string,
    "input_shape": shape, "inputs": {"type": "array", "items": open_obj({"name": string, "shape": shape})},
    "output_shape": shape, "loss": string,
    "layers": {"type": "array", "items": open_obj({
        "name": string, "type": string, "output_shape": shape, "inputs": {"type": "array", "items": string},
        "parameters": {"type": "array", "items": open_obj({"name": string, "shape": shape, "trainable": boolean},
                                                          ["name", "shape"])},
    }, ["name", "type"])},
    "total_parameters": non_negative_int, "trainable_parameters": non_negative_int,
}, ["format", "valid", "model", "layers"]))
train = doc("train", "gradcheck train --format json (gradcheck.train/1)", open_obj({
    "format": {"const": "gradcheck.train/1"}, "model": string, "status": {"enum": STATUSES}, "reason": string,
    "epochs": non_negative_int, "steps": non_negative_int, "seconds": N, "mean_step_seconds": N,
    "dtype": {"enum": ["float32", "float64"]}, "train_samples": non_negative_int,
    "validation_samples": non_negative_int, "batch_size": positive_int, "seed": non_negative_int,
    "final": open_obj({"loss": N, "accuracy": NN, "val_loss": NN, "val_accuracy": NN}),
    "best_epoch": {"anyOf": [non_negative_int, {"type": "null"}]}, "restored_best_weights": boolean,
    "history": {"type": "array", "items": open_obj({"epoch": positive_int, "loss": N}, ["epoch"])},
    "log": string, "report": string, "verdict": {"enum": ["healthy", "warning", "unhealthy"]}, "weights": string,
}, ["format", "model", "status"]), {"number_or_null": {"anyOf": [N, {"type": "null"}]}})
health = doc("health", "gradcheck report --format json (gradcheck.health/1)", open_obj({
    "format": {"const": "gradcheck.health/1"}, "verdict": {"enum": ["healthy", "warning", "unhealthy"]},
    "findings": {"type": "array", "items": open_obj({
        "kind": {"enum": KINDS}, "severity": {"enum": SEVERITIES}, "message": string, "layer": string,
        "parameter": string, "first_step": non_negative_int, "last_step": non_negative_int,
        "evidence": {"type": "object", "additionalProperties": N}, "suggestion": string,
    }, ["kind", "severity", "message"])},
    "run": open_obj({"model": string, "steps": non_negative_int, "first_step": non_negative_int,
                     "last_step": non_negative_int, "epochs": non_negative_int,
                     "status": {"anyOf": [{"enum": STATUSES}, {"type": "null"}]}}),
    "alerts": {"type": "array", "items": open_obj({"kind": {"enum": KINDS}, "severity": {"enum": SEVERITIES},
                                                   "step": non_negative_int, "layer": string, "parameter": string,
                                                   "message": string}, ["kind", "severity", "message"])},
    "log_warnings": {"type": "array", "items": open_obj({"kind": string, "line": non_negative_int, "message": string},
                                                        ["message"])},
    "thresholds": {"type": "object", "additionalProperties": N},
}, ["format", "verdict", "findings"]))
spread = {"anyOf": [open_obj({"median": NN, "min": NN, "max": NN}), {"type": "null"}]}
cliplab = doc("cliplab", "gradcheck clip-lab --format json (gradcheck.cliplab/1)", open_obj({
    "format": {"const": "gradcheck.cliplab/1"}, "model": string, "optimizer": string, "learning_rate": N,
    "epochs": non_negative_int, "batch_size": positive_int, "seeds": {"type": "array", "items": non_negative_int},
    "train_samples": non_negative_int, "validation_samples": non_negative_int, "metric_source": string,
    "target_loss": NN,
    "runs": {"type": "array", "items": open_obj({
        "policy": string, "seeds": non_negative_int, "diverged": non_negative_int, "final_loss": NN,
        "clip_rate": NN, "cosine_to_raw": NN, "norm_before": NN, "norm_after": NN,
        "final_loss_spread": spread, "best_loss": spread, "final_accuracy": spread, "best_accuracy": spread,
        "min_cosine_to_raw": NN, "min_tensor_cosine_to_raw": NN, "clipped_fraction": NN, "steps_to_target": NN,
        "per_seed": {"type": "array", "items": open_obj({
            "seed": non_negative_int, "status": {"enum": STATUSES}, "diverged": boolean, "final_loss": NN,
            "best_loss": NN, "final_accuracy": NN, "steps": non_negative_int, "steps_to_target": NN})},
    }, ["policy", "seeds", "diverged", "final_loss", "clip_rate", "cosine_to_raw", "norm_before", "norm_after"])},
}, ["format", "runs"]), {"number_or_null": {"anyOf": [N, {"type": "null"}]}})
package = open_obj({"available": boolean, "version": string}, ["available"])
sweep = doc("sweep", "gradcheck sweep --format json (gradcheck.sweep/1)", open_obj({
    "format": {"const": "gradcheck.sweep/1"}, "model": string,
    "metric": open_obj({"name": string, "higher_is_better": boolean}), "trials": {"type": "object"},
}, ["format"]))
sweep_results_line = doc("sweep-results-line",
    "One line of a sweep's results file (gradcheck.sweep-results/1, JSON Lines): the header, then one line per finished trial",
    {"anyOf": [
        open_obj({"format": {"const": "gradcheck.sweep-results/1"}, "model": string, "plan": {"type": "object"}},
                 ["format", "plan"]),
        open_obj({"trial": non_negative_int, "configuration": non_negative_int, "seed": non_negative_int,
                  "status": string, "diverged": boolean, "verdict": {"enum": ["healthy", "warning", "unhealthy"]}},
                 ["trial", "configuration"]),
    ]})
healthcompare = doc("healthcompare", "gradcheck report A B ... --format json (gradcheck.healthcompare/1)", open_obj({
    "format": {"const": "gradcheck.healthcompare/1"}, "verdict": {"enum": ["healthy", "warning", "unhealthy"]},
    "runs": {"type": "array", "items": {"type": "object"}},
}, ["format", "runs"]))

doctor = doc("doctor", "gradcheck doctor --format json (gradcheck.doctor/1)", open_obj({
    "format": {"const": "gradcheck.doctor/1"}, "version": string, "toolchain": string, "os": string, "arch": string,
    "cpu_features": {"type": "array", "items": string}, "kernel": string, "threads": positive_int,
    "python": open_obj({"interpreter": {"anyOf": [string, {"type": "null"}]}, "torch": package, "keras": package}),
}, ["format", "version", "toolchain", "os", "arch", "cpu_features", "kernel", "threads"]))

SCHEMAS = {"model": model, "tensor": tensor_doc, "weights": weights, "batch": batch, "gradients": gradients,
           "log-line": log_line, "check": check, "check-part": check_part, "compare": compare, "summary": summary, "train": train,
           "health": health, "cliplab": cliplab, "doctor": doctor, "sweep": sweep,
           "sweep-results-line": sweep_results_line, "healthcompare": healthcompare, "audit": audit}

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, schema in SCHEMAS.items():
        (OUT / f"{name}.schema.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(SCHEMAS)} schemas to {OUT}")
