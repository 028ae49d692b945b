"""Policy spec strings (``--policy``) -> refresh policies.

Specs: ``full``, ``every-N``, ``delta-<tau>``, ``delta-H``, ``delta-L``, ``motion-<tau>``,
``motion-H``, ``motion-L``, ``lfd-<tau>``, and ``<family>-auto`` for a tau ``reframe-rt
calibrate`` chose. The named taus are the caller's (``presets``): they are per task, and the
cache knows no task (the evaluation's are in :mod:`evaluation.presets`). Modifiers follow,
each at most once: ``+warp`` (any policy but ``full``: motion-compensated reuse; delta and
lfd then compare the input with the cached input warped the same way) and ``+online``
(delta, motion and lfd: tau adapted while running, ``caching.online``) and ``+depth``
(delta and lfd, alone: adaptive depth, ``caching.depth``).
"""

from __future__ import annotations

import re

from caching.policies import Delta, EveryN, Full, LowFrequency, Motion, Policy

_SPEC = re.compile(r"^(full|every-(\d+)|(delta|motion|lfd)-(H|L|auto|\d*\.?\d+(?:e-?\d+)?))$")


WARP = "warp"
ONLINE = "online"
DEPTH = "depth"
MODIFIERS = (WARP, ONLINE, DEPTH)


class PolicyError(ValueError):
    """A policy spec that cannot be parsed."""


def parse_policy(spec: str, presets: dict[str, float] | None = None) -> Policy:
    """A policy from its spec. ``presets`` maps ``delta-H`` etc. to taus.

    Raises:
        PolicyError: naming the spec and the forms that are accepted.
    """
    base, *modifiers = spec.strip().split("+")
    for modifier in modifiers:
        if modifier not in MODIFIERS or modifiers.count(modifier) > 1:
            raise PolicyError(
                f"bad policy {spec!r}: the modifiers are +{WARP}, +{ONLINE} and +{DEPTH}, "
                "each at most once"
            )
    policy = _parse_base(base, spec, presets)
    if modifiers and isinstance(policy, Full):
        raise PolicyError(f"bad policy {spec!r}: full takes no modifiers (it caches nothing)")
    policy.warp = WARP in modifiers
    policy.online = ONLINE in modifiers
    if policy.online and not policy.family:
        raise PolicyError(f"bad policy {spec!r}: +{ONLINE} adapts a tau: use delta, motion or lfd")
    policy.depth = DEPTH in modifiers
    if policy.depth and (policy.family not in ("delta", "lfd") or policy.warp or policy.online):
        raise PolicyError(
            f"bad policy {spec!r}: +{DEPTH} compares each level's input by delta or lfd, "
            f"without +{WARP} or +{ONLINE}"
        )
    return policy


def _parse_base(base: str, spec: str, presets: dict[str, float] | None) -> Policy:
    match = _SPEC.match(base)
    if not match:
        raise PolicyError(
            f"bad policy {spec!r}: use full, every-N, delta-H, delta-L, delta-auto, "
            "delta-<tau>, motion-H, motion-L, motion-auto, motion-<tau>, lfd-auto or lfd-<tau>, "
            "each but full optionally followed by +warp and (but every-N) +online"
        )
    if match.group(1) == "full":
        return Full(spec)
    if match.group(2):
        n = int(match.group(2))
        if n < 1:
            raise PolicyError(f"bad policy {spec!r}: N must be at least 1")
        return EveryN(spec, n)
    family, value = match.group(3), match.group(4)
    if value in ("H", "L", "auto"):
        name = f"{family}-{value}"
        if presets is None or name not in presets:
            if value == "auto":
                raise PolicyError(
                    f"no calibrated tau for {spec!r} for this task: run 'reframe-rt "
                    "calibrate --task TASK --flip-budget B' (a family none of whose taus kept "
                    "the budget has none)"
                )
            raise PolicyError(f"bad policy {spec!r}: no preset {name} here")
        tau = presets[name]
    else:
        tau = float(value)
    cls = {"delta": Delta, "motion": Motion, "lfd": LowFrequency}[family]
    return cls(spec, tau)
