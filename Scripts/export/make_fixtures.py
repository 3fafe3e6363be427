#!/usr/bin/env python3
"""Builds the Keras fixtures of Fixtures/keras/ with real Keras 3 (torch backend, float64).

For each model NAME it writes Fixtures/keras/NAME.json (the model's `to_json()`) and,
through keras_export.export, Fixtures/keras/NAME/{weights,batch,gradients}.json: seeded
random weights, a seeded batch and Keras' own float64 loss and gradients. `mlp` is also
saved as Fixtures/keras/mlp.keras (a compiled model: its config.json carries the loss
and optimizer) and as mlp-deflated.keras (the same entries, deflated). Deterministic:
rerunning rewrites the same numbers (the archives' metadata.json holds the save date).

Scripts/export/import_fixtures.sh then writes each expected spec, Fixtures/keras/NAME/spec.json,
with `gradcheck import keras` and the loss each model is trained with.

    KERAS_BACKEND=torch /root/torchenv/bin/python Scripts/export/make_fixtures.py [NAME ...]
"""
import os
import sys
import zipfile

os.environ["KERAS_BACKEND"] = "torch"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from keras import layers  # noqa: E402

import keras_export  # noqa: E402

keras.config.set_floatx("float64")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.normpath(os.path.join(ROOT, "Fixtures", "keras"))
LOGITS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def mlp():
    model = keras.Sequential([
        keras.Input((6,)),
        layers.Dense(8, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01), name="hidden_1"),
        layers.Dense(8, activation="gelu", bias_regularizer=keras.regularizers.L1(0.001),
                     kernel_initializer="he_normal", name="hidden_2"),
        layers.Dense(3, name="logits"),
    ], name="mlp")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003, clipnorm=1.0), loss=LOGITS)
    return model, None


def cnn():
    model = keras.Sequential([
        keras.Input((8, 8, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_1"),
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(name="pool"),
        layers.Conv2D(6, (3, 3), strides=(1, 1), activation="swish", name="conv_2"),
        layers.Flatten(name="flatten"),
        layers.Dense(3, activation="softmax", name="probabilities"),
    ], name="cnn")
    return model, "sparse_categorical_crossentropy"


def recurrent_stack():
    model = keras.Sequential([
        keras.Input((6, 4)),
        layers.SimpleRNN(5, return_sequences=True, name="rnn"),
        layers.LSTM(4, return_sequences=True, name="lstm"),
        layers.LayerNormalization(epsilon=1e-5, name="ln"),
        layers.GRU(3, name="gru"),
        layers.Dense(2, name="out"),
    ], name="recurrent-stack")
    return model, "mse"


def sequence_conv():
    """A Sequential model of issue 14's sequence layers: no graph, so it runs without the
    graph decoder."""
    model = keras.Sequential([
        keras.Input((16, 3)),
        layers.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="tanh", name="conv"),
        layers.MaxPooling1D(2, name="pool"),
        layers.GroupNormalization(groups=3, name="group_norm"),
        layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode="sum", name="bilstm"),
        layers.RMSNormalization(name="rms"),
        layers.Conv1D(5, 2, strides=2, padding="same", name="conv_same"),
        layers.AveragePooling1D(2, strides=1, padding="same", name="smooth"),
        layers.GlobalMaxPooling1D(name="summary"),
        layers.Dense(3, name="logits"),
    ], name="sequence-conv")
    return model, LOGITS


def transformer_encoder(vocab=50, length=16, d=32, heads=4, blocks=2):
    tokens = keras.Input((length,), dtype="int32", name="tokens")
    positions = keras.Input((length,), dtype="int32", name="positions")
    x = layers.Add(name="embed")([layers.Embedding(vocab, d, name="tok")(tokens),
                                  layers.Embedding(length, d, name="pos")(positions)])
    for b in range(1, blocks + 1):
        h = layers.LayerNormalization(epsilon=1e-5, name=f"ln{b}a")(x)
        h = layers.MultiHeadAttention(heads, d // heads, name=f"mha{b}")(h, h, use_causal_mask=True)
        x = layers.Add(name=f"res{b}a")([x, h])
        h = layers.LayerNormalization(epsilon=1e-5, name=f"ln{b}b")(x)
        h = layers.Dense(2 * d, activation="gelu", name=f"mlp{b}_up")(h)
        h = layers.Dense(d, name=f"mlp{b}_down")(h)
        x = layers.Add(name=f"res{b}b")([x, h])
    x = layers.LayerNormalization(epsilon=1e-5, name="ln_final")(x)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    out = layers.Dense(5, name="classifier")(x)
    return keras.Model([tokens, positions], out, name="transformer-encoder"), LOGITS


def cross_attention():
    queries = keras.Input((8,), dtype="int32", name="queries")
    memory = keras.Input((10, 12), name="memory")
    q = layers.Embedding(20, 16, name="query_embedding")(queries)
    v = layers.Dense(16, name="memory_values")(memory)
    k = layers.Dense(16, activation="tanh", name="memory_keys")(memory)
    attended = layers.MultiHeadAttention(2, 8, value_dim=6, name="cross")(q, v, key=k)
    x = layers.Add(name="residual")([q, attended])
    x = layers.LayerNormalization(name="ln")(x)
    x = layers.GlobalMaxPooling1D(name="pool")(x)
    out = layers.Dense(3, name="classifier")(x)
    return keras.Model([queries, memory], out, name="cross-attention"), LOGITS


def tcn(length=24, channels=3, width=8):
    signal = keras.Input((length, channels), name="signal")
    x = layers.Conv1D(width, 1, name="project")(signal)
    for level, dilation in enumerate([1, 2, 4], start=1):
        h = layers.Conv1D(width, 3, padding="causal", dilation_rate=dilation, activation="relu",
                          name=f"conv{level}a")(x)
        h = layers.Conv1D(width, 3, padding="causal", dilation_rate=dilation, name=f"conv{level}b")(h)
        x = layers.Add(name=f"res{level}")([x, h])
        x = layers.Activation("relu", name=f"relu{level}")(x)
    x = layers.AveragePooling1D(2, name="pool")(x)
    x = layers.GlobalAveragePooling1D(name="summary")(x)
    out = layers.Dense(2, name="forecast")(x)
    return keras.Model(signal, out, name="tcn"), "mse"


def bigru_tagger(length=12, vocab=30, tags=5):
    tokens = keras.Input((length,), dtype="int32", name="tokens")
    e = layers.Embedding(vocab, 16, name="embedding")(tokens)
    recurrent = layers.Bidirectional(layers.GRU(8, return_sequences=True), merge_mode="concat", name="bigru")(e)
    conv = layers.Conv1D(8, 3, padding="same", activation="relu", name="conv")(e)
    conv = layers.GroupNormalization(groups=4, name="group_norm")(conv)
    x = layers.Concatenate(name="merge")([recurrent, conv])
    x = layers.RMSNormalization(name="rms")(x)
    out = layers.Dense(tags, name="tags")(x)
    return keras.Model(tokens, out, name="bigru-tagger"), LOGITS


FIXTURES = {
    "mlp": mlp, "cnn": cnn, "recurrent-stack": recurrent_stack, "sequence-conv": sequence_conv,
    "transformer-encoder": transformer_encoder,
    "cross-attention": cross_attention, "tcn": tcn, "bigru-tagger": bigru_tagger,
}


def main(names):
    os.makedirs(OUT, exist_ok=True)
    for name in names or FIXTURES:
        keras.utils.set_random_seed(0)
        model, loss = FIXTURES[name]()
        directory = os.path.join(OUT, name)
        value = keras_export.export(model, directory, loss=loss, batch_size=4, seed=0, randomize_weights=True)
        os.replace(os.path.join(directory, "model.json"), os.path.join(OUT, f"{name}.json"))
        if name == "mlp":
            stored = os.path.join(OUT, "mlp.keras")
            model.save(stored)
            # The same archive with deflated entries (Keras itself stores them uncompressed).
            with zipfile.ZipFile(stored) as src, zipfile.ZipFile(os.path.join(OUT, "mlp-deflated.keras"), "w",
                                                                  compression=zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    dst.writestr(info.filename, src.read(info.filename))
        print(f"{name}: {model.count_params()} parameters, loss {value:.12g}")


if __name__ == "__main__":
    main(sys.argv[1:])
