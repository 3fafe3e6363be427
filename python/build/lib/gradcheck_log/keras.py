"""A ``gradcheck.log/1`` logger for Keras 3 ``model.fit``, as a callback.

    from gradcheck_log.keras import GradLogger

    model.fit(x, y, epochs=5, callbacks=[GradLogger("run.jsonl")])

Which mechanism it uses: Keras callbacks never see gradients, so when training begins
the callback wraps the model's ``train_step`` (an instance attribute that shadows the
class's method; Keras looks ``self.train_step`` up on every batch) and the model's
``compute_loss`` (to see the batch's loss; ``logs["loss"]`` is the running mean of the
epoch). After the original ``train_step`` returns, the wrapper reads the gradients:

* **torch backend** (tested): Keras's torch trainer calls ``loss.backward()`` and leaves
  each trainable variable's gradient in ``variable.value.grad`` until the next step's
  ``zero_grad()``; the wrapper reads them there. No second backward pass, no
  ``tf.GradientTape``.
* **other backends** (TensorFlow, JAX): the gradients never leave the compiled step, so
  the callback raises ``NotImplementedError`` when training begins; use the torch backend
  (``KERAS_BACKEND=torch``) for a gradient log.

It records per trainable variable (named ``layer/variable``, e.g. ``dense_1/kernel``) the
gradient's L2 norm, largest magnitude and exactly-zero fraction, the weight norm after
the step and the update norm (the change since the last logged step), the learning rate,
and ``epoch`` lines with the epoch's metrics. Every line is flushed as it is written.
"""

import math

import keras
import numpy as np

from ._writer import LogWriter, layer_of

__all__ = ["GradLogger"]

_RELU = {"relu", "relu6"}
_BOUNDED = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0)}


class GradLogger(keras.callbacks.Callback):
    """A Keras 3 callback that writes a ``gradcheck.log/1`` run log.

    Args:
        path: where to write the log (truncated when training begins).
        every: log every N-th batch only.
        model_name: the ``model`` of ``run_start`` (default: the model's name).
        fsync: force every line to the disk, not only to the operating system.
    """

    def __init__(self, path, every=1, model_name=None, fsync=False):
        super().__init__()
        if every < 1:
            raise ValueError("gradcheck_log: every must be >= 1, got %r" % (every,))
        self.path = path
        self.every = int(every)
        self.model_name = model_name
        self.fsync = fsync
        self._writer = None
        self._steps = 0
        self._epoch = 0
        self._last_loss = None
        self._diverged = False
        self._original = {}

    # -- wiring --------------------------------------------------------------

    def on_train_begin(self, logs=None):
        backend = keras.backend.backend()
        if backend != "torch":
            raise NotImplementedError(
                "gradcheck_log.keras.GradLogger reads gradients from the torch backend's variables; "
                "this Keras runs on %r: set KERAS_BACKEND=torch" % backend)
        model = self.model
        self._variables = list(model.trainable_variables)
        # Names as the model format writes them: `layer/variable` (dense_1/kernel), not
        # `variable.path`, which starts with the model's name in a Sequential.
        owner = {}
        for layer in model.layers:
            for v in layer.trainable_variables:
                owner.setdefault(id(v), "%s/%s" % (layer.name, v.name))
        self._names = [owner.get(id(v), v.path) for v in self._variables]
        self._previous = [np.array(keras.ops.convert_to_numpy(v.value), dtype=np.float64, copy=True)
                          for v in self._variables]
        self._writer = LogWriter(self.path, fsync=self.fsync)
        layers = []
        for layer in model.layers:
            activation = getattr(getattr(layer, "activation", None), "__name__", None)
            units = getattr(layer, "units", None)
            if activation in _RELU:
                entry = {"name": layer.name, "activation": "relu_family"}
            elif activation in _BOUNDED:
                entry = {"name": layer.name, "activation": "saturating", "bounds": list(_BOUNDED[activation])}
            else:
                continue
            if units is not None:
                entry["units"] = int(units)
            layers.append(entry)
        self._writer.write(
            "run_start", format="gradcheck.log/1", model=self.model_name or model.name,
            framework="keras %s (%s backend)" % (keras.__version__, backend),
            parameters=[{"name": n, "layer": layer_of(n), "shape": [int(d) for d in v.shape]}
                        for n, v in zip(self._names, self._variables)],
            layers=layers or None)
        self._wrap(model)

    def _wrap(self, model):
        original_step = model.train_step
        original_loss = model.compute_loss
        self._original = {"train_step": original_step, "compute_loss": original_loss}
        logger = self

        def compute_loss(*args, **kwargs):
            loss = original_loss(*args, **kwargs)
            logger._last_loss = loss
            return loss

        def train_step(data):
            result = original_step(data)
            logger._record()
            return result

        model.compute_loss = compute_loss
        model.train_step = train_step

    def _unwrap(self):
        for name in self._original:
            try:
                delattr(self.model, name)
            except AttributeError:
                pass
        self._original = {}

    # -- logging -------------------------------------------------------------

    def _record(self):
        self._steps += 1
        if (self._steps - 1) % self.every != 0:
            return
        import torch

        loss = self._last_loss
        loss_value = float(loss.detach().float().item()) if torch.is_tensor(loss) else float(loss)
        if not math.isfinite(loss_value):
            self._diverged = True
        params = {}
        total = 0.0
        with torch.no_grad():
            for i, v in enumerate(self._variables):
                grad = getattr(v.value, "grad", None)
                entry = {}
                if grad is not None:
                    g = grad.detach().float()
                    norm = float(g.norm())
                    entry.update(grad_norm=norm, grad_max=float(g.abs().max()) if g.numel() else 0.0,
                                 grad_zero_fraction=float((g == 0).float().mean()) if g.numel() else 0.0)
                    total += norm * norm
                else:
                    entry.update(grad_norm=0.0, grad_max=0.0, grad_zero_fraction=1.0)
                current = np.asarray(keras.ops.convert_to_numpy(v.value), dtype=np.float64)
                entry["weight_norm"] = float(np.linalg.norm(current))
                entry["update_norm"] = float(np.linalg.norm(current - self._previous[i]))
                self._previous[i] = current.copy()
                params[self._names[i]] = entry
        self._writer.write("step", step=self._steps, epoch=self._epoch + 1, loss=loss_value,
                           grad_norm=math.sqrt(total), learning_rate=self._learning_rate(), params=params)

    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return None
        try:
            return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        except Exception:  # a schedule object this version cannot evaluate here
            return None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._writer.write("epoch", epoch=epoch + 1, step=self._steps,
                           loss=_number(logs.get("loss")), val_loss=_number(logs.get("val_loss")),
                           accuracy=_number(logs.get("accuracy")), val_accuracy=_number(logs.get("val_accuracy")))

    def on_train_end(self, logs=None):
        self._unwrap()
        if self._writer is not None and not self._writer.closed:
            status = "stopped_early" if getattr(self.model, "stop_training", False) else (
                "diverged" if self._diverged else "completed")
            self._writer.write("run_end", status=status, step=self._steps)
            self._writer.close()


def _number(value):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
