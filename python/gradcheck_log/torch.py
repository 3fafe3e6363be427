"""A ``gradcheck.log/1`` logger for PyTorch training loops.

    from gradcheck_log.torch import GradLogger

    with GradLogger(model, "run.jsonl", optimizer=opt) as log:
        for x, y in batches:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            log.step(loss)

How it measures:

* **Gradients** are kept by a hook on each parameter
  (``Tensor.register_post_accumulate_grad_hook``, torch >= 2.1; older versions read
  ``param.grad`` in :meth:`GradLogger.step`). The hook runs after ``backward()`` has
  accumulated the parameter's gradient and stores its L2 norm, its largest magnitude and
  the fraction of its elements that are exactly zero, as tensors (no device sync until
  :meth:`step`). They are the raw gradients: clipping between ``backward()`` and
  ``step()`` does not change them. With gradient accumulation the last backward of the
  step wins, which is the accumulated gradient.
* **Updates**: the logger keeps a copy of the parameters as they were after the last
  logged step; ``update_norm`` is the norm of the change since then, so call
  :meth:`step` after ``optimizer.step()``. ``weight_norm`` is the norm after the step;
  ``gradcheck report`` divides the two (the update/weight ratio).
* **Learning rate**: ``optimizer.param_groups[0]["lr"]`` when an optimizer is given.
* **Activations** (``activations=True``): forward hooks on the activation modules
  (``nn.ReLU``, ``nn.ReLU6``, ``nn.Sigmoid``, ``nn.Tanh``, ``nn.Hardsigmoid``,
  ``nn.Softsign``; functional calls such as ``F.relu`` cannot be hooked) record the mean,
  standard deviation, the dead fraction (ReLU: units whose output is <= 0 for the whole
  batch; the unit axis is the last one, or the channel axis 1 after a convolution) and
  the saturated fraction (bounded activations: outputs within 1% of the range from a
  bound) of the last training forward pass before the step. Each activation is reported
  under the name of the module with parameters that precedes it (``fc1`` for
  ``fc1 -> relu1``), so that its statistics sit with that layer's gradients.
* **Attention** (``activations=True``): each ``nn.MultiheadAttention`` is logged as an
  ``attention`` layer with ``attention_entropy``, the normalised entropy of the attention
  weights it returns (``-sum p log p / log n`` per query row with ``n >= 2`` visible keys,
  averaged; 1 is uniform, 0 is one key per query: collapsed attention). ``n`` counts the
  keys ``attn_mask`` and ``key_padding_mask`` leave visible. The module returns weights
  only when called with ``need_weights=True`` (its default; ``nn.TransformerEncoderLayer``
  passes ``False``, so nothing is logged there), averaged over heads unless
  ``average_attn_weights=False``: the average of the heads is spread at least as widely as
  they are, so pass ``False`` for per-head entropy.

Every line is flushed as it is written; a killed run leaves a log that
``gradcheck report`` reads up to its last whole line.
"""

import math

import torch
from torch import nn

from ._writer import LogWriter, layer_of

__all__ = ["GradLogger"]

_RELU = (nn.ReLU, nn.ReLU6)
_BOUNDED = {nn.Sigmoid: (0.0, 1.0), nn.Hardsigmoid: (0.0, 1.0), nn.Tanh: (-1.0, 1.0), nn.Softsign: (-1.0, 1.0)}
_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


def _bounds(module):
    for kind, bounds in _BOUNDED.items():
        if isinstance(module, kind):
            return bounds
    return None


def _visible_keys(weights, module, args, kwargs):
    """How many keys each query row of ``weights`` ([..., L, S]) may see, from the
    ``attn_mask`` and ``key_padding_mask`` of the call (``None``: all of them)."""
    names = ("query", "key", "value", "key_padding_mask", "need_weights", "attn_mask")
    given = dict(zip(names, args))
    given.update(kwargs)
    allowed = torch.ones(weights.shape, dtype=torch.bool, device=weights.device)
    mask = given.get("attn_mask")
    if mask is not None:
        ok = ~mask if mask.dtype == torch.bool else torch.isfinite(mask)
        if ok.dim() == 3 and weights.dim() == 3:
            # [batch * heads, L, S] against head-averaged weights [batch, L, S]
            ok = ok.reshape(weights.shape[0], -1, *ok.shape[-2:]).all(dim=1)
        elif ok.dim() == 3 and weights.dim() == 4:
            ok = ok.reshape(weights.shape)
        allowed = allowed & ok
    padding = given.get("key_padding_mask")
    if padding is not None:
        ok = ~padding if padding.dtype == torch.bool else torch.isfinite(padding)
        # [batch, S] whatever batch_first says
        ok = ok.reshape(ok.shape[0], *([1] * (weights.dim() - 2)), ok.shape[-1])
        allowed = allowed & ok
    return allowed.sum(dim=-1)


def _attention_entropy(weights, module, args, kwargs):
    """The normalised attention entropy of ``weights`` [..., L, S] (float64), or None when
    no row has two visible keys."""
    visible = _visible_keys(weights, module, args, kwargs).double()
    p = weights.clamp_min(0)
    h = -(torch.where(p > 0, p * p.log(), torch.zeros_like(p))).sum(dim=-1)
    rows = visible >= 2
    if not bool(rows.any()):
        return None
    return float((h[rows] / visible[rows].log()).mean().clamp(0, 1))


class GradLogger:
    """Writes a ``gradcheck.log/1`` run log of a PyTorch model's training.

    Args:
        model: the ``nn.Module`` being trained.
        path: where to write the log (truncated).
        optimizer: the optimizer, for the learning rate (optional).
        activations: hook the activation modules and log their statistics.
        every: log every N-th step only (the hooks still run on every backward).
        model_name: the ``model`` of ``run_start`` (default: the model's class name).
        fsync: force every line to the disk, not only to the operating system.

    Use it as a context manager (``run_start`` on enter, ``run_end`` on exit: completed,
    or interrupted when the block raised), or call :meth:`close` yourself.
    """

    def __init__(self, model, path, optimizer=None, activations=False, every=1, model_name=None, fsync=False):
        if every < 1:
            raise ValueError("gradcheck_log: every must be >= 1, got %r" % (every,))
        self.model = model
        self.optimizer = optimizer
        self.every = int(every)
        self._names = []
        self._params = []
        for name, p in model.named_parameters():
            if p.requires_grad:
                self._names.append(name)
                self._params.append(p)
        self._grad_stats = [None] * len(self._params)
        self._handles = []
        self._previous = [p.detach().clone() for p in self._params]
        self._layers = []  # (name, module, kind, bounds, unit_axis)
        self._activation_stats = {}
        self._steps = 0
        self._diverged = False
        self._writer = LogWriter(path, fsync=fsync)
        self._install_gradient_hooks()
        if activations:
            self._install_activation_hooks()
        self._writer.write(
            "run_start", format="gradcheck.log/1", model=model_name or type(model).__name__,
            framework="torch %s" % torch.__version__,
            parameters=[{"name": n, "layer": layer_of(n), "shape": list(p.shape)}
                        for n, p in zip(self._names, self._params)],
            layers=[self._layer_entry(l) for l in self._layers] or None)

    # -- hooks ---------------------------------------------------------------

    def _install_gradient_hooks(self):
        for i, p in enumerate(self._params):
            if hasattr(p, "register_post_accumulate_grad_hook"):
                self._handles.append(p.register_post_accumulate_grad_hook(self._gradient_hook(i)))

    def _gradient_hook(self, i):
        def hook(param):
            self._grad_stats[i] = self._measure(param.grad)
        return hook

    @staticmethod
    def _measure(grad):
        with torch.no_grad():
            g = grad.detach()
            if g.is_sparse:
                g = g.to_dense()
            g = g.float()
            return torch.stack([g.norm(), g.abs().max() if g.numel() else g.new_zeros(()),
                                (g == 0).float().mean() if g.numel() else g.new_zeros(())])

    def _install_activation_hooks(self):
        owner = None
        owner_is_conv = False
        claimed = set()
        for name, module in self.model.named_modules():
            if isinstance(module, nn.MultiheadAttention):
                self._layers.append((name, module, "attention", None, -1))
                self._handles.append(module.register_forward_hook(self._attention_hook(name), with_kwargs=True))
                owner, owner_is_conv = name, False
                claimed.add(name)
                continue
            if any(True for _ in module.parameters(recurse=False)):
                owner, owner_is_conv = name, isinstance(module, _CONV)
                continue
            if isinstance(module, _RELU):
                kind, bounds = "relu_family", None
            else:
                bounds = _bounds(module)
                if bounds is None:
                    continue
                kind = "saturating"
            layer = owner if owner is not None and owner not in claimed else name
            claimed.add(layer)
            axis = 1 if owner_is_conv else -1
            self._layers.append((layer, module, kind, bounds, axis))
            self._handles.append(module.register_forward_hook(self._activation_hook(layer, kind, bounds, axis)))

    @staticmethod
    def _layer_entry(entry):
        layer, module, kind, bounds, _ = entry
        out = {"name": layer, "activation": kind}
        if bounds is not None:
            out["bounds"] = list(bounds)
        units = getattr(module, "out_features", None)
        if units is not None:
            out["units"] = units
        return out

    def _attention_hook(self, layer):
        def hook(module, args, kwargs, output):
            if not module.training or not isinstance(output, tuple) or len(output) < 2:
                return
            weights = output[1]
            if not torch.is_tensor(weights) or weights.numel() == 0:
                return
            with torch.no_grad():
                entropy = _attention_entropy(weights.detach().double(), module, args, kwargs)
                if entropy is not None:
                    self._activation_stats[layer] = ("attention", entropy)
        return hook

    def _activation_hook(self, layer, kind, bounds, axis):
        def hook(module, inputs, output):
            if not module.training or not torch.is_tensor(output) or output.numel() == 0:
                return
            with torch.no_grad():
                y = output.detach().float()
                stats = [y.mean(), y.std(unbiased=False) if y.numel() > 1 else y.new_zeros(())]
                if kind == "relu_family":
                    unit_axis = axis % y.dim() if y.dim() > 1 else 0
                    units = y.movedim(unit_axis, -1).reshape(-1, y.shape[unit_axis])
                    stats.append((units <= 0).all(dim=0).float().mean())
                else:
                    lo, hi = bounds
                    margin = 0.01 * (hi - lo)
                    stats.append(((y <= lo + margin) | (y >= hi - margin)).float().mean())
                self._activation_stats[layer] = (kind, torch.stack(stats))
        return hook

    # -- logging -------------------------------------------------------------

    def step(self, loss, epoch=None, **extra):
        """Records one optimiser step; call it after ``optimizer.step()``.

        ``loss`` is a number or a scalar tensor. ``epoch`` (1-based) is optional;
        ``extra`` members are written as they are (readers skip keys they do not know).
        Returns the step number.
        """
        self._steps += 1
        if (self._steps - 1) % self.every != 0:
            self._grad_stats = [None] * len(self._params)
            self._activation_stats.clear()
            return self._steps
        loss_value = float(loss.detach().float().item()) if torch.is_tensor(loss) else float(loss)
        if not math.isfinite(loss_value):
            self._diverged = True
        params = {}
        total = 0.0
        with torch.no_grad():
            for i, (name, p) in enumerate(zip(self._names, self._params)):
                stats = self._grad_stats[i]
                if stats is None and p.grad is not None:
                    stats = self._measure(p.grad)
                entry = {}
                if stats is not None:
                    norm, largest, zeros = (float(v) for v in stats.tolist())
                    entry.update(grad_norm=norm, grad_max=largest, grad_zero_fraction=zeros)
                    total += norm * norm
                else:
                    # No gradient reached this parameter: it is not part of the loss.
                    entry.update(grad_norm=0.0, grad_max=0.0, grad_zero_fraction=1.0)
                current = p.detach()
                entry["weight_norm"] = float(current.float().norm())
                entry["update_norm"] = float((current - self._previous[i]).float().norm())
                self._previous[i].copy_(current)
                params[name] = entry
        self._grad_stats = [None] * len(self._params)
        layers = None
        if self._activation_stats:
            layers = {}
            for layer, (kind, stats) in self._activation_stats.items():
                if kind == "attention":
                    layers[layer] = {"attention_entropy": float(stats)}
                    continue
                values = stats.tolist()
                entry = {"mean": values[0], "std": values[1]}
                entry["dead_fraction" if kind == "relu_family" else "saturated_fraction"] = values[2]
                layers[layer] = entry
            self._activation_stats.clear()
        lr = None
        if self.optimizer is not None and self.optimizer.param_groups:
            lr = float(self.optimizer.param_groups[0].get("lr", float("nan")))
        self._writer.write("step", step=self._steps, epoch=epoch, loss=loss_value, grad_norm=math.sqrt(total),
                           learning_rate=lr, params=params, layers=layers, **extra)
        return self._steps

    def epoch(self, epoch, loss=None, val_loss=None, accuracy=None, val_accuracy=None):
        """Writes an ``epoch`` line (1-based epoch; the last step so far)."""
        self._writer.write("epoch", epoch=epoch, step=self._steps, loss=loss, val_loss=val_loss,
                           accuracy=accuracy, val_accuracy=val_accuracy)

    def close(self, status=None):
        """Writes ``run_end`` (``completed``, or ``diverged`` after a non-finite loss) and closes the log."""
        if self._writer.closed:
            return
        for h in self._handles:
            h.remove()
        self._handles = []
        if status is None:
            status = "diverged" if self._diverged else "completed"
        self._writer.write("run_end", status=status, step=self._steps)
        self._writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close("interrupted" if exc_type is not None else None)
        return False
