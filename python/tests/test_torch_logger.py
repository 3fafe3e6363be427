import json
import math
import os
import signal
import subprocess
import sys
import textwrap

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from gradcheck_log.torch import GradLogger  # noqa: E402


def read(path):
    return [json.loads(l) for l in open(path)]


def train(path, steps=5, bias=None, **kwargs):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    if bias is not None:
        with torch.no_grad():
            model[0].bias[:] = bias
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    with GradLogger(model, path, optimizer=opt, **kwargs) as log:
        for _ in range(steps):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            log.step(loss)
    return model, read(path)


def test_writes_run_start_steps_and_run_end(tmp_path):
    model, lines = train(tmp_path / "run.jsonl")
    assert lines[0]["event"] == "run_start" and lines[0]["format"] == "gradcheck.log/1"
    assert [p["name"] for p in lines[0]["parameters"]] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert lines[0]["parameters"][0] == {"name": "0.weight", "layer": "0", "shape": [8, 4]}
    steps = [l for l in lines if l["event"] == "step"]
    assert [s["step"] for s in steps] == [1, 2, 3, 4, 5]
    assert lines[-1] == {"event": "run_end", "status": "completed", "step": 5}
    s = steps[-1]
    assert s["learning_rate"] == 0.1
    assert set(s["params"]["0.weight"]) == {"grad_norm", "grad_max", "grad_zero_fraction", "weight_norm", "update_norm"}
    total = math.sqrt(sum(p["grad_norm"] ** 2 for p in s["params"].values()))
    assert s["grad_norm"] == pytest.approx(total)


def test_gradients_updates_and_weights_are_the_steps(tmp_path):
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.randn(5, 3)
    with GradLogger(model, tmp_path / "r.jsonl", optimizer=opt) as log:
        before = model.weight.detach().clone()
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        grad = model.weight.grad.detach().clone()
        opt.step()
        opt.zero_grad()  # the hook kept the gradient: zeroing before log.step is fine
        log.step(1.0)
    p = read(tmp_path / "r.jsonl")[1]["params"]["weight"]
    assert p["grad_norm"] == pytest.approx(float(grad.norm()), rel=1e-6)
    assert p["grad_max"] == pytest.approx(float(grad.abs().max()), rel=1e-6)
    assert p["update_norm"] == pytest.approx(float((model.weight.detach() - before).norm()), rel=1e-5)
    assert p["weight_norm"] == pytest.approx(float(model.weight.detach().norm()), rel=1e-6)


def test_dead_units_show_in_zero_fractions_and_activations(tmp_path):
    bias = torch.tensor([-50.0] * 6 + [0.0] * 2)
    _, lines = train(tmp_path / "dead.jsonl", bias=bias, activations=True)
    start = lines[0]
    assert start["layers"] == [{"name": "0", "activation": "relu_family"}]
    s = lines[1]
    assert s["params"]["0.bias"]["grad_zero_fraction"] == pytest.approx(0.75)
    assert s["layers"]["0"]["dead_fraction"] == pytest.approx(0.75)


def test_an_exception_ends_the_run_interrupted(tmp_path):
    model = nn.Linear(2, 1)
    with pytest.raises(RuntimeError):
        with GradLogger(model, tmp_path / "x.jsonl") as log:
            log.step(float("nan"))
            raise RuntimeError("boom")
    lines = read(tmp_path / "x.jsonl")
    assert lines[1]["loss"] == "nan"
    assert lines[-1]["status"] == "interrupted"


def test_a_killed_run_leaves_whole_lines(tmp_path):
    path = tmp_path / "killed.jsonl"
    script = textwrap.dedent("""
        import sys, torch
        sys.path.insert(0, %r)
        from gradcheck_log.torch import GradLogger
        m = torch.nn.Linear(2, 1)
        log = GradLogger(m, %r)
        for i in range(3):
            m(torch.ones(1, 2)).sum().backward()
            log.step(1.0)
        print("ready", flush=True)
        import time; time.sleep(60)
    """ % (os.path.join(os.path.dirname(__file__), ".."), str(path)))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lines = read(path)
    assert [l["event"] for l in lines] == ["run_start", "step", "step", "step"]


class _Attend(nn.Module):
    """Causal self-attention over 6 steps of 8 features, pooled into 3 classes."""

    def __init__(self, average=False):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.out = nn.Linear(8, 3)
        self.average = average
        self.mask = torch.triu(torch.ones(6, 6, dtype=torch.bool), diagonal=1)

    def forward(self, x):
        y, _ = self.attn(x, x, x, attn_mask=self.mask, average_attn_weights=self.average)
        return self.out(y.mean(dim=1))


def attention_run(path, lr, steps=60, average=False):
    torch.manual_seed(0)
    model = _Attend(average)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = torch.randn(32, 6, 8), torch.randint(0, 3, (32,))
    with GradLogger(model, path, optimizer=opt, activations=True) as log:
        for _ in range(steps):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            log.step(loss)
    return model, x, read(path)


def test_attention_layers_log_their_normalised_entropy(tmp_path):
    model, x, lines = attention_run(tmp_path / "a.jsonl", lr=0.003, steps=1)
    assert {"name": "attn", "activation": "attention"} in lines[0]["layers"]
    logged = lines[1]["layers"]["attn"]["attention_entropy"]
    # By hand, on the weights of that first forward pass (no step taken before it): query i
    # sees keys 0..i, the first row has no choice and is left out.
    torch.manual_seed(0)
    fresh = _Attend()
    _, w = fresh.attn(x, x, x, attn_mask=fresh.mask, average_attn_weights=False)
    w = w.detach().double()
    total, rows = 0.0, 0
    for b in range(w.shape[0]):
        for h in range(w.shape[1]):
            for i in range(1, 6):
                p = w[b, h, i, : i + 1]
                total += float(-(p * p.log()).sum() / math.log(i + 1))
                rows += 1
    assert logged == pytest.approx(total / rows, rel=1e-9)
    assert 0.5 < logged <= 1


def test_a_collapsing_attention_is_reported_by_gradcheck(tmp_path):
    _, _, calm = attention_run(tmp_path / "calm.jsonl", lr=0.003)
    _, _, hot = attention_run(tmp_path / "hot.jsonl", lr=0.3)
    entropy = lambda lines: [l["layers"]["attn"]["attention_entropy"] for l in lines if l["event"] == "step"]
    assert min(entropy(calm)) > 0.8
    assert entropy(hot)[-1] < 0.1
    # The gradcheck binary of this checkout (GRADCHECK_BIN, else .build/release or debug)
    # judges the two logs.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    candidates = [os.environ.get("GRADCHECK_BIN")] + [os.path.join(root, ".build", c, "gradcheck")
                                                      for c in ("release", "debug")]
    gradcheck = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    if gradcheck is None:
        pytest.skip("no gradcheck binary built (swift build) and no GRADCHECK_BIN")
    for name, collapsed in (("hot", True), ("calm", False)):
        out = subprocess.run([gradcheck, "report", str(tmp_path / (name + ".jsonl")), "--format", "json"],
                             capture_output=True, text=True)
        kinds = [f["kind"] for f in json.loads(out.stdout)["findings"]]
        assert ("attention_collapse" in kinds) == collapsed, (name, kinds)
