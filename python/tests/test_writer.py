import json
import math

from gradcheck_log import LogWriter
from gradcheck_log._writer import layer_of


def test_lines_are_whole_json_and_flushed_before_close(tmp_path):
    path = tmp_path / "run.jsonl"
    w = LogWriter(path)
    w.write("step", step=1, loss=float("nan"), grad_norm=math.inf, params={"a": {"grad_norm": 1.0, "x": None}})
    # Flushed per line: readable before close, as after a kill.
    line = json.loads(path.read_text().splitlines()[0])
    assert line == {"event": "step", "step": 1, "loss": "nan", "grad_norm": "inf", "params": {"a": {"grad_norm": 1.0}}}
    w.close()
    assert w.closed


def test_layer_names_follow_the_reader():
    assert layer_of("dense_1/kernel") == "dense_1"
    assert layer_of("fc1.weight") == "fc1"
    assert layer_of("encoder.0.weight") == "encoder.0"
    assert layer_of("bias") == "bias"
