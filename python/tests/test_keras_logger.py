import json
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras logger reads gradients from the torch backend", allow_module_level=True)

import numpy as np  # noqa: E402

from gradcheck_log.keras import GradLogger  # noqa: E402


def test_fit_writes_a_log_with_gradients(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="dense_1"),
                              keras.layers.Dense(3, name="dense_2")])
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = np.arange(32) % 3
    path = tmp_path / "k.jsonl"
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[GradLogger(str(path))])
    lines = [json.loads(l) for l in open(path)]
    assert lines[0]["event"] == "run_start"
    assert [p["name"] for p in lines[0]["parameters"]] == ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"]
    assert lines[0]["layers"] == [{"name": "dense_1", "activation": "relu_family", "units": 8}]
    steps = [l for l in lines if l["event"] == "step"]
    assert len(steps) == 8 and steps[-1]["epoch"] == 2
    p = steps[0]["params"]["dense_1/kernel"]
    assert p["grad_norm"] > 0 and 0 <= p["grad_zero_fraction"] <= 1 and p["update_norm"] > 0
    assert steps[0]["learning_rate"] == pytest.approx(0.1)
    # The logged loss is the batch's, not the epoch's running mean.
    assert steps[1]["loss"] != pytest.approx(steps[0]["loss"])
    assert [l["epoch"] for l in lines if l["event"] == "epoch"] == [1, 2]
    assert lines[-1]["event"] == "run_end" and lines[-1]["status"] == "completed"
    # The wrapping is undone after training.
    assert "train_step" not in vars(model)
