"""``--device`` and ``--precision`` on the commands: the CPU at fp32 is the run as it always
was, a half precision stays close to it, and on a GPU eval agrees with the CPU within a
stated tolerance."""

import csv

import pytest
import torch

from viewer.cli import main

RUN = ["eval", "--task", "denoise", "--frames", "4", "--resolution", "64x36", "--quiet"]
RUN += ["--policy", "full", "--policy", "delta-H"]
TIMES = ("ms", "speedup")


def scores(tmp_path, name, *extra):
    out = tmp_path / name
    assert main([*RUN, "--cache", str(tmp_path / "cache"), "--out", str(out), *extra]) == 0
    with open(out / "frames.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{k: v for k, v in r.items() if not any(t in k for t in TIMES)} for r in rows]


@pytest.mark.skipif(torch.cuda.is_available(), reason="auto is the GPU there")
def test_cpu_at_fp32_is_the_default_run_exactly(tmp_path):
    assert scores(tmp_path, "a", "--device", "cpu", "--precision", "fp32") == scores(tmp_path, "b")


def test_bf16_stays_close_to_fp32(tmp_path):
    fp32 = scores(tmp_path, "fp32", "--device", "cpu")
    bf16 = scores(tmp_path, "bf16", "--device", "cpu", "--precision", "bf16")
    assert len(fp32) == len(bf16) > 0
    for a, b in zip(fp32, bf16, strict=True):
        if a["method"] == "baseline":  # no network: untouched by the precision
            assert a == b
        else:
            assert abs(float(a["psnr_vs_ref"]) - float(b["psnr_vs_ref"])) < 0.5, (a, b)


@pytest.mark.skipif(torch.cuda.is_available(), reason="there is a GPU")
def test_cuda_without_a_gpu_is_one_line_and_exit_2(tmp_path, capsys):
    assert main([*RUN, "--device", "cuda", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no CUDA GPU" in err[0]
    assert not (tmp_path / "x").exists()


@pytest.mark.cuda
def test_eval_on_cuda_agrees_with_the_cpu(tmp_path):
    """Within 0.05 dB PSNR and 0.002 FLIP per frame and method: convolutions on the GPU
    sum in another order (TF32 off), so bits differ, and a decision near its tau may too."""
    torch.backends.cudnn.allow_tf32 = False
    cpu = scores(tmp_path, "cpu", "--device", "cpu")
    gpu = scores(tmp_path, "gpu", "--device", "cuda")
    for a, b in zip(cpu, gpu, strict=True):
        assert a["method"] == b["method"]
        assert abs(float(a["psnr_vs_ref"]) - float(b["psnr_vs_ref"])) < 0.05, (a, b)
        assert abs(float(a["flip_vs_ref"]) - float(b["flip_vs_ref"])) < 0.002, (a, b)
