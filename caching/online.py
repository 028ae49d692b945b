"""Online thresholds (the ``+online`` modifier): a policy's tau adapted while it runs.

Every ``every`` frames the cache runs both the reuse path and the whole network (a
*check*): the frame is shown from the full network and counts as a refresh, and the FLIP of
the reuse output against it says whether tau is too loose (over the aim: tighten) or too
tight (under it: loosen). A check happens whatever the policy decided, so a tau so tight
that nothing is reused still learns what reuse would cost. A calibrated tau holds for the
scenes it was calibrated on; this follows the scene actually shown, at the price of a full
network and a FLIP every ``every`` frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from caching.policies import Policy

DEFAULT_BUDGET = 0.02
"""FLIP against the full network when no calibration names a budget for the task."""

SMALLEST = {"delta": 0.005, "lfd": 0.002, "motion": 0.25}
"""Where a tau of 0 starts to grow from (a product of 0 stays 0)."""


@dataclass
class OnlineTau:
    """Decides when to check, and moves ``policy.tau`` by each check's FLIP."""

    policy: Policy
    """A delta, motion or lfd policy (one with a ``tau``)."""
    budget: float = DEFAULT_BUDGET
    """The FLIP against the full network that a checked reuse frame should stay under."""
    every: int = 30
    """Frames between checks (a forced refresh, which has nothing to check, defers one).
    A check costs about a full network and a FLIP more than a reuse frame."""
    aim: float = 0.9
    """The share of the budget a checked frame is steered to. Refresh frames add FLIP 0 to
    the mean, and the margin absorbs some of one frame's noise."""
    max_step: float = 2.0
    """The most one check may multiply or divide tau by."""
    since: int = field(default=0, init=False)
    history: list[tuple[int, float, float]] = field(default_factory=list, init=False)
    """(frame, FLIP, tau after the check) per check."""

    def __post_init__(self) -> None:
        if not self.policy.family:
            raise ValueError(f"{self.policy.spec}: only a policy with a tau can adapt it")
        self.start = self.policy.tau

    def reset(self) -> None:
        """A new sequence starts from the policy's own tau again."""
        self.policy.tau = self.start
        self.since = 0
        self.history.clear()

    def due(self) -> bool:
        """Counts a frame; whether this one should be checked."""
        self.since += 1
        return self.since >= self.every

    def adapt(self, flip: float, frame: int = 0) -> float:
        """Moves the policy's tau by a check's ``flip``; returns the new tau.

        The factor is ``sqrt(aim * budget / flip)``, within ``max_step`` either way: FLIP
        grows faster than linearly with tau, so a square root moves it about halfway to
        the aim per check.
        """
        self.since = 0
        target = self.aim * self.budget
        if math.isfinite(flip):
            factor = math.sqrt(target / max(flip, 1e-9))
            factor = min(max(factor, 1.0 / self.max_step), self.max_step)
        else:
            factor = 1.0 / self.max_step  # reuse gave no image at all: as far off as can be
        tau = self.policy.tau
        if factor > 1.0:
            tau = max(tau, SMALLEST[self.policy.family])
        self.policy.tau = tau * factor
        self.history.append((frame, flip, self.policy.tau))
        return self.policy.tau
