"""Samples added to a rendered frame: the frame a render at the total spp gives."""

import pytest
import torch

from tests.conftest import temple_renderer

SIZE = (64, 36)


@pytest.fixture(scope="module")
def temple(gl_session):
    with temple_renderer(gl_session, SIZE) as made:
        yield made


@pytest.mark.parametrize(("first", "added"), [(1, 1), (1, 7), (3, 5)])
def test_added_samples_equal_a_render_at_the_total_spp(gl, temple, first, added):
    renderer, view = temple
    whole = renderer.render(view, None, index=4, seed=9, spp=first + added)
    start = renderer.render(view, None, index=4, seed=9, spp=first)
    topped = renderer.add_samples(start, view, added, seed=9)
    assert topped.spp == first + added
    # The color target is half float: the two differ by its rounding, not by noise (two
    # other renders at this spp differ by far more).
    assert torch.allclose(topped.color, whole.color, rtol=2e-3, atol=2e-3)
    other = renderer.render(view, None, index=4, seed=10, spp=first + added)
    assert not torch.allclose(other.color, whole.color, rtol=2e-3, atol=2e-3)
    for name in ("albedo", "normal", "depth", "motion"):
        assert torch.equal(getattr(topped, name), getattr(start, name)), name


def test_a_plain_render_after_a_top_up_is_unchanged(gl, temple):
    renderer, view = temple
    before = renderer.render(view, None, index=2, seed=1)
    renderer.add_samples(before, view, 3, seed=1)
    assert torch.equal(renderer.render(view, None, index=2, seed=1).color, before.color)


def test_no_samples_to_add_is_refused(gl, temple):
    renderer, view = temple
    frame = renderer.render(view, None)
    with pytest.raises(ValueError, match="at least 1"):
        renderer.add_samples(frame, view, 0)
