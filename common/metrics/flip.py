"""LDR-FLIP (Andersson et al., "FLIP: A Difference Evaluator for Alternating Images", 2020)
in torch, batched, on any device: fast enough for a live heatmap.

The pipeline, per the paper: both images go to the opponent space YyCxCz and are filtered
with the contrast sensitivity functions of the achromatic and the two chromatic channels;
the filtered images go to Hunt-adjusted CIELAB, where the HyAB distance, raised to 0.7 and
remapped, is the color error. Edges and points are detected on the luminance of the
unfiltered images; their largest difference, raised to 0.5, is the feature error. FLIP
is ``color_error ** (1 - feature_error)`` per pixel. NVIDIA's ``flip-evaluator`` package is
this module's test oracle (``tests/common/test_flip.py``), not its implementation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from common.metrics.checks import check_image_pair
from common.srgb import srgb_to_linear

DEFAULT_PPD = 3840 * math.pi / 180.0
"""Pixels per degree of visual angle: a 0.7 m wide 4K monitor seen from 0.7 m (FLIP's
default, 67.02)."""

QC, PC, PT, QF = 0.7, 0.4, 0.95, 0.5
"""Color error exponent, the two knots of its remapping, and the feature error exponent."""
FEATURE_WIDTH = 0.082
"""Degrees of visual angle that set the feature detectors' Gaussian (sigma = 0.5 x this)."""

# Gaussian sums approximating the contrast sensitivity functions: (a1, b1, a2, b2) for the
# achromatic, red-green and blue-yellow channels.
CSF = ((1.0, 0.0047, 0.0, 1e-5), (1.0, 0.0053, 0.0, 1e-5), (34.1, 0.04, 13.5, 0.025))

# Linear sRGB <-> CIE XYZ (D65), and the D65 white point.
_RGB_TO_XYZ = (
    (10135552 / 24577794, 8788810 / 24577794, 4435075 / 24577794),
    (2613072 / 12288897, 8788810 / 12288897, 887015 / 12288897),
    (1425312 / 73733382, 8788810 / 73733382, 70074185 / 73733382),
)
_WHITE = (0.950428545, 1.0, 1.088900371)


def flip(
    test: torch.Tensor, reference: torch.Tensor, ppd: float = DEFAULT_PPD, eps: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """LDR-FLIP error between display-referred images.

    Args:
        test: (B, 3, H, W) or (3, H, W) sRGB in [0, 1].
        reference: same shape.
        ppd: pixels per degree of visual angle.
        eps: added under every root and power whose gradient is infinite at zero, so that
            FLIP can be a training loss (1e-6 moves the mean by less than 1e-3). 0, the
            metric, is exact.

    Returns:
        (error map (B, 1, H, W) or (1, H, W) in [0, 1], mean error (B,) or scalar).
    """
    check_image_pair(test, reference, channels=3)
    batched = test.dim() == 4
    t = test if batched else test.unsqueeze(0)
    r = reference if batched else reference.unsqueeze(0)
    both = torch.cat([r, t]).float().clamp(0.0, 1.0)
    n = r.shape[0]
    maps = _color_maps(both.device.type, str(both.dtype))
    ycxcz = _affine(srgb_to_linear(both), *maps["rgb_to_ycxcz"])

    filters = _filters(ppd, both.device.type, str(both.dtype))
    filtered = _csf_filter(ycxcz, filters)
    rgb = _affine(filtered, *maps["ycxcz_to_rgb"]).clamp(0.0, 1.0)
    lab = _hunt_lab(_affine(rgb, *maps["rgb_to_normalized_xyz"]))
    color = (_hyab([c[:n] for c in lab], [c[n:] for c in lab], eps) + eps).pow(QC)
    color = _redistribute(color, _cmax(both.device, both.dtype))

    edges, points = _features((ycxcz[:, :1] + 16.0) / 116.0, filters, eps)
    feature = torch.maximum((edges[:n] - edges[n:]).abs(), (points[:n] - points[n:]).abs())
    feature = (feature / math.sqrt(2.0) + eps).pow(QF)

    error = (color + eps).pow(1.0 - feature)
    mean = error.mean(dim=(1, 2, 3))
    return (error, mean) if batched else (error[0], mean[0])


class FLIP(torch.nn.Module):
    """:func:`flip` as a module; ``forward(test, reference)`` returns the error map."""

    def __init__(self, ppd: float = DEFAULT_PPD) -> None:
        super().__init__()
        self.ppd = ppd

    def forward(self, test: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        return flip(test, reference, self.ppd)[0]


# -- color spaces -----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _color_maps(device: str, dtype: str) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The linear steps of the pipeline, each chain folded into one affine map (matrix and
    bias): linear sRGB -> YyCxCz, YyCxCz -> linear sRGB, and linear sRGB -> XYZ divided by
    the white point (what CIELAB starts from)."""
    rgb_to_xyz = torch.tensor(_RGB_TO_XYZ, dtype=torch.float64)
    to_unit_white = torch.diag(1.0 / torch.tensor(_WHITE, dtype=torch.float64))
    # YyCxCz = P v + c for white-normalised XYZ v.
    p = torch.tensor(
        [[0.0, 116.0, 0.0], [500.0, -500.0, 0.0], [0.0, 200.0, -200.0]], dtype=torch.float64
    )
    c = torch.tensor([-16.0, 0.0, 0.0], dtype=torch.float64)
    forward = p @ to_unit_white @ rgb_to_xyz
    backward = torch.linalg.inv(forward)
    torch_dtype = getattr(torch, dtype.split(".")[-1])

    def conv(matrix: torch.Tensor, bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (
            matrix.to(device=device, dtype=torch_dtype),
            bias.to(device=device, dtype=torch_dtype).view(1, 3, 1, 1),
        )

    return {
        "rgb_to_ycxcz": conv(forward, c),
        "ycxcz_to_rgb": conv(backward, -backward @ c),
        "rgb_to_normalized_xyz": conv(
            to_unit_white @ rgb_to_xyz, torch.zeros(3, dtype=torch.float64)
        ),
    }


def _affine(x: torch.Tensor, matrix: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``matrix @ pixel + bias`` for every pixel of (B, 3, H, W)."""
    return torch.einsum("ij,bjhw->bihw", matrix, x) + bias


def _hunt_lab(v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Hunt-adjusted CIELAB (L, a, b), each (B, 1, H, W), from XYZ already divided by the
    white point. Hunt: chroma scaled by lightness, since dark colors look less saturated."""
    delta = 6.0 / 29.0
    # The root sees only its own branch: where would turn its infinite gradient at 0 into NaN.
    cube = v.clamp(min=delta**3).pow(1.0 / 3.0)
    f = torch.where(v > delta**3, cube, v / (3 * delta**2) + 4.0 / 29.0)
    fx, fy, fz = f[:, 0:1], f[:, 1:2], f[:, 2:3]
    lightness = 116.0 * fy - 16.0
    return lightness, 5.0 * lightness * (fx - fy), 2.0 * lightness * (fy - fz)


def _hyab(
    p: tuple[torch.Tensor, ...], q: tuple[torch.Tensor, ...], eps: float = 0.0
) -> torch.Tensor:
    """HyAB distance: city-block in lightness, Euclidean in chroma. (B, 1, H, W)."""
    a, b = p[1] - q[1], p[2] - q[2]
    chroma = torch.sqrt(a.square() + b.square() + eps) if eps else torch.hypot(a, b)
    return (p[0] - q[0]).abs() + chroma


def _cmax(device: torch.device, dtype: torch.dtype) -> float:
    """The largest color error: between Hunt-adjusted pure green and pure blue."""
    g_b = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype, device=device)
    maps = _color_maps(device.type, str(dtype))
    lab = _hunt_lab(_affine(g_b.view(2, 3, 1, 1), *maps["rgb_to_normalized_xyz"]))
    return float(_hyab([c[0:1] for c in lab], [c[1:2] for c in lab]).pow(QC))


def _redistribute(error: torch.Tensor, cmax: float) -> torch.Tensor:
    """Piecewise-linear remapping that gives small differences a larger share of [0, 1]."""
    knee = PC * cmax
    return torch.where(
        error < knee, error * (PT / knee), PT + (error - knee) / (cmax - knee) * (1.0 - PT)
    )


# -- filters ----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _filters(ppd: float, device: str, dtype: str) -> dict:
    """Depthwise convolution weights for the separable filters.

    ``csf_*``: x and y kernels for the narrow channels (Y, Cx) and for the blue-yellow
    channel's two Gaussians (Cz, Cz), and the weights of all four; ``feature``: x kernels
    producing (edge derivative,
    point derivative, Gaussian) and y kernels turning (dE_x, dP_x, G_x, G_x) into
    (edge x, point x, edge y, point y).
    """
    torch_dtype = getattr(torch, dtype.split(".")[-1])

    def stack(kernels: list[torch.Tensor]) -> torch.Tensor:
        return torch.stack(kernels).to(device=device, dtype=torch_dtype).unsqueeze(1)

    # CSF: the 2-D kernel sum_i a_i sqrt(pi / b_i) exp(-pi^2 r^2 / b_i), normalised to unit
    # sum, as a sum of separable Gaussians. Each channel gets the radius its own widest
    # Gaussian needs (3 sigma): the narrow achromatic and red-green filters lose only
    # weights below 1e-5 of their centre against one radius for all, and cost half.
    def gaussians(a1: float, b1: float, a2: float, b2: float) -> list:
        radius = math.ceil(3.0 * math.sqrt(max(b1, b2) / (2 * math.pi**2)) * ppd)
        x = torch.arange(-radius, radius + 1, dtype=torch.float64) / ppd
        terms = [
            (a * math.sqrt(math.pi / b), torch.exp(-(math.pi**2) * x**2 / b))
            for a, b in ((a1, b1), (a2, b2))
            if a > 0
        ]
        total = sum(w * float(k.sum()) ** 2 for w, k in terms)
        return [(w / total, k) for w, k in terms]

    narrow = gaussians(*CSF[0]) + gaussians(*CSF[1])
    wide = gaussians(*CSF[2])
    if len(narrow) != 2 or len(wide) != 2:
        raise AssertionError("the CSF layout assumes one Gaussian each for Y and Cx, two for Cz")

    sigma = 0.5 * FEATURE_WIDTH * ppd
    radius = math.ceil(3.0 * sigma)
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    gauss = torch.exp(-(x**2) / (2 * sigma**2))

    def detector(shape: torch.Tensor) -> torch.Tensor:
        # The 2-D kernel shape(x) * gauss(y) has its positive and its negative weights
        # scaled to sum to +1 and -1; the y factor keeps its sign, so scaling the x factor
        # alone does it.
        k = shape * gauss
        s = float(gauss.sum())
        return torch.where(k < 0, k / (-float(k[k < 0].sum()) * s), k / (float(k[k > 0].sum()) * s))

    edge, point = detector(-x), detector(x**2 / sigma**2 - 1.0)
    return {
        "csf_narrow_x": stack([k for _, k in narrow]).unsqueeze(2),
        "csf_narrow_y": stack([k for _, k in narrow]).unsqueeze(3),
        "csf_wide_x": stack([k for _, k in wide]).unsqueeze(2),
        "csf_wide_y": stack([k for _, k in wide]).unsqueeze(3),
        "csf_weights": torch.tensor(
            [w for w, _ in narrow + wide], dtype=torch_dtype, device=device
        ).view(1, 4, 1, 1),
        "feature_x": stack([edge, point, gauss]).unsqueeze(2),
        "feature_y": stack([gauss, gauss, edge, point]).unsqueeze(3),
    }


def _conv(x: torch.Tensor, weight: torch.Tensor, along_x: bool) -> torch.Tensor:
    """Depthwise 1-D convolution along x or y, edges replicated; (B, C or 1, H, W) with
    (C, 1, 1, K) or (C, 1, K, 1) weights -> (B, C, H, W).

    A sum of shifted, scaled copies: on the CPU this is 2-4x faster than conv2d's depthwise
    kernels for these long 1-D filters.
    """
    taps = weight.reshape(weight.shape[0], -1)
    k = taps.shape[1]
    r = k // 2
    x = F.pad(x, (r, r, 0, 0) if along_x else (0, 0, r, r), mode="replicate")
    h, w = x.shape[-2:]
    out_h, out_w = (h, w - 2 * r) if along_x else (h - 2 * r, w)

    def part(i: int) -> torch.Tensor:
        return x[..., i : i + out_w] if along_x else x[..., i : i + out_h, :]

    out = part(0) * taps[:, 0].view(1, -1, 1, 1)
    for i in range(1, k):
        out.addcmul_(part(i), taps[:, i].view(1, -1, 1, 1))
    return out


def _csf_filter(ycxcz: torch.Tensor, filters: dict) -> torch.Tensor:
    narrow = _conv(
        _conv(ycxcz[:, 0:2], filters["csf_narrow_x"], True), filters["csf_narrow_y"], False
    )
    wide = _conv(_conv(ycxcz[:, [2, 2]], filters["csf_wide_x"], True), filters["csf_wide_y"], False)
    w = filters["csf_weights"]
    return torch.cat([narrow * w[:, 0:2], (wide * w[:, 2:4]).sum(dim=1, keepdim=True)], dim=1)


def _features(
    luminance: torch.Tensor, filters: dict, eps: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Edge and point magnitudes of (B, 1, H, W) luminance."""
    along_x = _conv(luminance, filters["feature_x"], True)
    xy = _conv(along_x[:, [0, 1, 2, 2]], filters["feature_y"], False)
    edges = torch.sqrt(xy[:, 0:1].square() + xy[:, 2:3].square() + eps)
    points = torch.sqrt(xy[:, 1:2].square() + xy[:, 3:4].square() + eps)
    return edges, points
