#!/usr/bin/env bash
# The scaling study (issue 16): full and fast check time against parameter count, 10k to 1M
# parameters, MLP and conv net, with the fitted exponents, beside torch.autograd.gradcheck for
# the smaller sizes. Builds the release gradcheck, then runs Scripts/bench/scaling.py.
#
# usage: Scripts/bench/scaling.sh [scaling.py options: --sizes mlp:12,64 conv:16 --timeout S
#                                  --torch-max-params N --no-torch --out DIR]
# environment: PYTHON (default /root/torchenv/bin/python, a Python with torch)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-/root/torchenv/bin/python}"
[ -x "$python" ] || python=python3
(cd "$root" && swift build -c release --product gradcheck >&2)
exec "$python" "$root/Scripts/bench/scaling.py" --gradcheck "$root/.build/release/gradcheck" "$@"
