"""Run logs for `gradcheck report` from PyTorch and Keras 3 training loops.

Both loggers write ``gradcheck.log/1`` (JSON Lines), one line per optimiser step,
flushed line by line, so that a run that is killed leaves a log that reads up to its
last whole line:

* :class:`gradcheck_log.torch.GradLogger` -- a context manager around a PyTorch loop;
* :class:`gradcheck_log.keras.GradLogger` -- a Keras 3 callback for ``model.fit``.

This module imports neither framework; each submodule imports its own.
"""

from ._writer import LogWriter, FORMAT

__all__ = ["LogWriter", "FORMAT"]
__version__ = "0.1.0"
