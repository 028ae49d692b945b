#!/usr/bin/env bash
# Prepare, on a machine with pip and the package index, what benchmarks/gpu_check.sh
# carries to a GPU machine whose image has Python 3.12, PyTorch, cuda-bindings, numpy,
# scipy, pillow, matplotlib, tqdm and safetensors but not our other dependencies: their
# wheels into .whl/ and the OpenGL loader packages into .gl/ (both ignored by git). Run
# from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo /.whl/ >> .git/info/exclude
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >> .git/info/exclude
mkdir -p .whl .gl
# What our packages import that the GPU image lacks (imgui-bundle and glfw are the
# viewer's window, which a headless GPU check never opens).
WHEELS=(moderngl glcontext trimesh OpenEXR tyro docstring-parser typeguard shtab
        jsonschema jsonschema-specifications referencing rpds-py platformdirs)
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 --platform any -d .whl "${WHEELS[@]}"
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
# shellcheck disable=SC2086
apt-get $o update -qq
# shellcheck disable=SC2086
(cd .gl && apt-get $o download libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .whl .gl
