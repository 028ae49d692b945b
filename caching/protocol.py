"""What a network must expose to be cached: three stages and its padding rule.

:func:`caching.wrap` builds them from any U-Net's captured graph; written by hand, any
``nn.Module`` with these members works, ours or a user's::

    class MyNet(nn.Module):
        alignment = 8                       # inputs are padded to multiples of this

        def top_encoder(self, x, k=1):      # aligned input -> skips of the top k levels
            return [self.enc0(x)]

        def deep(self, skips, k=1):         # -> the feature(s) a cache keeps (any pytree
            return self.up(self.body(skips[-1]))   # of tensors)

        def top_decoder(self, c, skips, k=1):     # -> output, aligned size
            return self.dec0(torch.cat([c, skips[-1]], 1))

        def stage_flops(self, height, width, k=1):  # optional: for FLOP statistics
            return {"top_encoder": ..., "deep": ..., "top_decoder": ...}

``top_decoder(deep(top_encoder(x, k), k), top_encoder(x, k), k)`` must be the network's
plain forward on an aligned ``x`` (the cache pads inputs on the right and bottom by
replicating edges, as ``networks.blocks.pad_to`` does, and crops the output back); the cache
then reproduces the forward bit for bit on refresh frames.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import torch


@runtime_checkable
class Staged(Protocol):
    alignment: int

    def top_encoder(self, x: torch.Tensor, k: int = 1) -> list[torch.Tensor]: ...

    def deep(self, skips: list[torch.Tensor], k: int = 1) -> Any: ...

    def top_decoder(self, c: Any, skips: list[torch.Tensor], k: int = 1) -> torch.Tensor: ...
