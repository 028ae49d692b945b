"""Policy specs and decisions."""

import numpy as np
import pytest
import torch

from caching.measures import box, low_frequency_difference, mean_motion, smape
from caching.policies import Delta, EveryN, FrameInfo, Full, LowFrequency, Motion
from caching.spec import PolicyError, parse_policy

PRESET = {"delta-H": 0.05, "delta-L": 0.2, "motion-H": 3.0, "motion-L": 9.0}


@pytest.mark.parametrize(
    ("spec", "kind", "value"),
    [
        ("full", Full, None), ("every-1", EveryN, 1), ("every-12", EveryN, 12),
        ("delta-H", Delta, 0.05), ("delta-L", Delta, 0.2), ("delta-0.07", Delta, 0.07),
        ("delta-1e-3", Delta, 0.001), ("motion-H", Motion, 3.0), ("motion-12", Motion, 12.0),
        ("lfd-0.02", LowFrequency, 0.02),
    ],
)  # fmt: skip
def test_specs(spec, kind, value):
    policy = parse_policy(spec, PRESET)
    assert isinstance(policy, kind) and policy.spec == spec
    if value is not None:
        assert getattr(policy, "n", getattr(policy, "tau", None)) == value


@pytest.mark.parametrize(
    "spec", ["every-0", "every-x", "delta", "delta-", "lfd-H", "warp", "delta-Z"]
)
def test_bad_specs_are_named(spec):
    with pytest.raises(PolicyError, match=f"'{spec}'"):
        parse_policy(spec, PRESET)


def test_mean_motion_is_the_mean_vector_length_in_pixels():
    flow = torch.zeros(2, 4, 6)
    flow[0], flow[1, :2] = 3.0, 4.0  # half the vectors (3, 4), half (3, 0)
    assert mean_motion(flow) == pytest.approx(4.0)
    assert mean_motion(flow[None]) == mean_motion(flow)  # batched alike


def test_smape_is_designs_formula():
    x, c = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8)
    xn, cn = x.numpy(), c.numpy()
    expected = 2 * np.abs(xn - cn).mean() / (np.abs(xn) + np.abs(cn)).mean()
    assert smape(x, c) == pytest.approx(expected, rel=1e-6)
    assert smape(x, x) == 0.0


def test_low_frequency_difference_ignores_pixel_noise():
    gen = torch.Generator().manual_seed(0)
    base = torch.rand(1, 3, 64, 64, generator=gen)
    noisy = base + 0.2 * (torch.rand(1, 3, 64, 64, generator=gen) - 0.5)
    shifted = base.roll(8, dims=-1)
    assert low_frequency_difference(noisy, base) < smape(noisy, base) / 3
    assert low_frequency_difference(shifted, base) > low_frequency_difference(noisy, base)


def test_decisions():
    x = torch.ones(1, 2, 4, 4)
    assert [EveryN("every-3", 3).wants_refresh(x, x, FrameInfo(index=i)) for i in range(4)] == [
        True, False, False, True]  # fmt: skip
    delta = Delta("delta-0.1", 0.1)
    assert not delta.wants_refresh(x * 1.05, x, FrameInfo())
    assert delta.wants_refresh(x * 1.2, x, FrameInfo())
    motion = Motion("motion-5", 5.0)
    seen = [motion.wants_refresh(x, x, FrameInfo(motion=2.0)) for _ in range(3)]
    assert seen == [False, False, True]
    motion.refreshed(FrameInfo())
    assert not motion.wants_refresh(x, x, FrameInfo(motion=2.0)), "accumulates since a refresh"


def test_an_unmeasurable_motion_refreshes():
    x = torch.ones(1, 2, 4, 4)
    motion = Motion("motion-5", 5.0)
    seen = [motion.wants_refresh(x, x, FrameInfo(motion=m)) for m in (1.0, float("nan"), 1.0)]
    assert seen == [False, True, False], "a NaN would have frozen the sum below tau for good"


@pytest.mark.parametrize(
    ("policy", "reference"),
    [(Delta("delta-0.1", 0.1), smape), (LowFrequency("lfd-0.1", 0.1), low_frequency_difference)],
)
def test_kept_cached_side_matches_the_reference_across_refreshes(policy, reference):
    gen = torch.Generator().manual_seed(1)
    frames = [torch.randn(1, 5, 20, 36, generator=gen) for _ in range(4)]
    cached = frames[0].clone()
    for i, x in enumerate(frames[1:]):
        assert policy.measure(x, cached) == pytest.approx(reference(x, cached), rel=1e-5)
        if i == 1:  # the cache refreshes by copying into the buffer it already holds
            cached.copy_(x)
            policy.refreshed(FrameInfo())
    small = torch.rand(1, 5, 8, 8, generator=gen)
    assert policy.measure(small, small.clone()) == 0.0, "a new shape is not the kept one"


@pytest.mark.parametrize(
    ("policy", "reference"),
    [(Delta("delta-0.1", 0.1), smape), (LowFrequency("lfd-0.1", 0.1), low_frequency_difference)],
)
def test_a_warped_cached_input_is_measured_afresh_every_frame(policy, reference):
    """``+warp`` hands the policy another warped input every frame, possibly in the memory
    of the last one (here: the same buffer): nothing of it may be kept."""
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(1, 5, 16, 32, generator=gen)
    against = torch.empty_like(x)
    for scale in (1.0, 3.0, 0.5):  # a kept sum of another frame's input is far off
        against.copy_(scale * (x + 0.3 * torch.randn(x.shape, generator=gen)))
        value = reference(x, against)
        # tau 2% either side of the true value: a decision from a stale sum is wrong
        for tau, expected in ((0.98 * value, True), (1.02 * value, False)):
            policy.tau = tau
            assert policy.wants_refresh(x, against, FrameInfo(warped=True)) == expected


@pytest.mark.parametrize("spec", ["delta-0.2+warp", "every-3+warp", "motion-H+warp"])
def test_warp_is_a_modifier_of_any_policy(spec):
    policy = parse_policy(spec, PRESET)
    plain = parse_policy(spec.removesuffix("+warp"), PRESET)
    assert policy.warp and not plain.warp and policy.spec == spec
    assert type(policy) is type(plain)


@pytest.mark.parametrize("spec", ["delta-0.2+warp+online", "lfd-0.05+online+warp"])
def test_modifiers_combine_in_any_order(spec):
    policy = parse_policy(spec, PRESET)
    assert policy.warp and policy.online and policy.spec == spec


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("delta-0.2+blur", r"\+warp, \+online and \+depth"),
        ("delta-0.2+warp+warp", "at most once"),
        ("every-3+online", "adapts a tau"),
        ("full+warp", "no modifiers"),
    ],
)
def test_bad_modifiers_are_named(spec, named):
    with pytest.raises(PolicyError, match=named):
        parse_policy(spec, PRESET)


def test_auto_needs_a_calibration():
    with pytest.raises(PolicyError, match="reframe-rt calibrate"):
        parse_policy("delta-auto", PRESET)
    assert parse_policy("delta-auto", {**PRESET, "delta-auto": 0.3}).tau == 0.3


def test_delta_decides_as_its_measure_whether_or_not_its_bounds_settle_it():
    gen = torch.Generator().manual_seed(6)
    c = torch.rand(1, 5, 16, 24, generator=gen) - 0.3  # some negative values: |x| matters
    for scale in (0.001, 0.05, 0.1, 0.2, 0.5, 2.0):
        x = c + scale * (torch.rand(c.shape, generator=gen) - 0.5)
        for tau in (0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0):
            policy = Delta(f"delta-{tau}", tau)
            value = policy.measure(x, c)
            assert policy.wants_refresh(x, c, FrameInfo()) == (value > tau), (scale, tau)
    # On the bound itself (a tau equal to the SMAPE) the exact measure decides.
    policy = Delta("delta-exact", value)
    assert not policy.wants_refresh(x, c, FrameInfo())


def test_delta_bounds_settle_clear_cases_without_the_full_measure(monkeypatch):
    gen = torch.Generator().manual_seed(7)
    c = torch.rand(1, 5, 16, 24, generator=gen)
    near = c + 0.001 * torch.rand(c.shape, generator=gen)
    monkeypatch.setattr(Delta, "_sum_abs", lambda *args: pytest.fail("summed |x|"))
    assert not Delta("delta-0.2", 0.2).wants_refresh(near, c, FrameInfo())
    assert Delta("delta-1e-5", 1e-5).wants_refresh(near, c, FrameInfo())


def test_box_filter_of_channels_last_matches_avg_pool():
    gen = torch.Generator().manual_seed(5)
    for shape in ((1, 15, 40, 64), (2, 3, 37, 50)):  # the fast path, and the fallback
        x = torch.rand(*shape, generator=gen).contiguous(memory_format=torch.channels_last)
        expected = torch.nn.functional.avg_pool2d(x, 8, ceil_mode=True)
        torch.testing.assert_close(box(x, 8), expected, atol=1e-6, rtol=0)
        torch.testing.assert_close(box(x.contiguous(), 8), expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize(
    ("x_format", "c_format"),
    [
        (torch.channels_last, torch.channels_last),
        (torch.contiguous_format, torch.contiguous_format),
        (torch.channels_last, torch.contiguous_format),
        (torch.contiguous_format, torch.channels_last),
    ],
)
def test_delta_in_chunks_is_smape_in_every_layout(x_format, c_format, monkeypatch):
    import caching.measures as measures

    monkeypatch.setattr(measures, "CHUNK", 1000)  # 10 chunks and a short last one
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(1, 5, 30, 62, generator=gen).contiguous(memory_format=x_format)
    c = torch.randn(1, 5, 30, 62, generator=gen).contiguous(memory_format=c_format)
    assert Delta("delta-0.1", 0.1).measure(x, c) == pytest.approx(smape(x, c), rel=1e-6)
    strided = x[..., ::2]  # neither layout: the plain path
    assert Delta("delta-0.1", 0.1).measure(strided, c[..., ::2]) == pytest.approx(
        smape(strided, c[..., ::2]), rel=1e-6
    )
