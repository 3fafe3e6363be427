"""The line writer both loggers share: one JSON object per line, flushed per line."""

import json
import math
import os

FORMAT = "gradcheck.log/1"


def _clean(value):
    """JSON cannot hold NaN or infinity: the log writes them as "nan", "inf", "-inf"."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class LogWriter:
    """Writes ``gradcheck.log/1`` events to ``path``, one flushed line each.

    The file is opened for writing (truncated) and every line is flushed to the
    operating system as soon as it is written: a process killed at any point leaves
    whole lines, except possibly a torn last one, which ``gradcheck report`` reports
    and skips. ``fsync=True`` also forces each line to the disk (survives a power cut,
    costs a disk round trip per step).
    """

    def __init__(self, path, fsync=False):
        self.path = os.fspath(path)
        self._file = open(self.path, "w", encoding="utf-8")
        self._fsync = fsync

    def write(self, event, **fields):
        """Writes one event line: ``{"event": event, **fields}`` (``None`` values left out)."""
        if self._file is None:
            raise ValueError("gradcheck_log: the log %s is closed" % self.path)
        line = {"event": event}
        line.update(fields)
        self._file.write(json.dumps(_clean(line), separators=(",", ":"), allow_nan=False) + "\n")
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def closed(self):
        return self._file is None


def layer_of(name):
    """The layer a parameter name implies: before the last "/" (Keras), else before the last "." (PyTorch)."""
    for sep in ("/", "."):
        i = name.rfind(sep)
        if i > 0:
            return name[:i]
    return name
