"""Intel Open Image Denoise as a peer method (pyoidn is a test dependency)."""

import pytest
import torch

from evaluation.methods import methods_for
from evaluation.oidn import OidnMethod
from networks.tasks import TASKS
from renderer.errors import UserError
from renderer.frame import Frame


def noisy_frame(height: int, width: int, seed: int = 0) -> Frame:
    """A flat grey wall at 1 spp: the clean answer is known exactly."""
    g = torch.Generator().manual_seed(seed)
    clean = torch.full((3, height, width), 0.5)
    # Mean-preserving noise: each sample is 0 or 1, as a sparse 1-spp estimate is.
    noisy = (torch.rand(3, height, width, generator=g) < 0.5).float()
    normal = torch.tensor([0.0, 0.0, 1.0]).view(3, 1, 1).expand(3, height, width).contiguous()
    return Frame(
        color=noisy,
        albedo=torch.full((3, height, width), 0.5),
        normal=normal,
        depth=torch.ones(1, height, width),
        motion=torch.zeros(2, height, width),
        prev_depth=torch.ones(1, height, width),
        reference=clean,
        index=0,
        time=0.0,
        cut=False,
        camera=None,
    )


@pytest.fixture(scope="module")
def oidn():
    method = OidnMethod(threads=1)
    yield method
    method.close()


def test_denoises_a_flat_wall(oidn):
    frame = noisy_frame(48, 64)
    out = oidn(frame, [])
    assert out.shape == (3, 48, 64) and out.dtype == torch.float32
    assert torch.isfinite(out).all()
    before = (frame.color - frame.reference).abs().mean()
    after = (out - frame.reference).abs().mean()
    assert after < 0.1 * before
    assert oidn.last_ms > 0 and oidn.last_refresh is None


def test_a_new_size_rebuilds_the_filter(oidn):
    small = oidn(noisy_frame(32, 40), [])
    big = oidn(noisy_frame(40, 56, seed=1), [])
    assert small.shape == (3, 32, 40) and big.shape == (3, 40, 56)
    again = oidn(noisy_frame(32, 40), [])
    torch.testing.assert_close(again, small)


def test_is_a_method_of_eval_for_denoise_only():
    names = [m.name for m in methods_for(TASKS["denoise"], ["oidn"], "unet")]
    assert names == ["baseline", "oidn"]
    with pytest.raises(UserError, match="--task denoise"):
        methods_for(TASKS["supersample"], ["oidn"], "unet")


def test_an_unknown_quality_is_named():
    with pytest.raises(ValueError, match="'best'"):
        OidnMethod(quality="best")
