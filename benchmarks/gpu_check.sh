#!/usr/bin/env bash
# The GPU check of issue #23, for one NVIDIA GPU, in under 8 minutes: the CUDA tests, then
# python -m benchmarks.gpu (interop and readback per frame, full and reuse per task at fp32
# and fp16, the decision's share, eval's delta-H / delta-L speedups on temple, 60 frames),
# at 1920x1080 and 640x360. On a machine without our dependencies, run
# benchmarks/gpu_wheels.sh where pip works first and bring .whl/ and .gl/ along.
set -euo pipefail
cd "$(dirname "$0")/.."
if compgen -G ".gl/*.deb" >/dev/null; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl
    export PYTHONPATH="$PYTHONPATH:/tmp/site"
fi
export PYTHONUNBUFFERED=1
python3 -c "import torch; assert torch.cuda.is_available(), 'torch sees no GPU'; \
print(torch.cuda.get_device_name(), torch.__version__)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "== CUDA tests"
timeout 240 python3 -m pytest -q -m cuda -p no:cacheprovider \
    tests/common/test_device.py tests/caching/test_precision.py tests/caching/test_graphs.py \
    tests/renderer/test_transfer.py tests/viewer/test_cli_device.py || echo "CUDA TESTS FAILED"
echo "== benchmarks.gpu"
timeout 240 python3 -m benchmarks.gpu --sizes 1920x1080 640x360 --frames 60
