"""The layer cache (ReFrame) and its refresh policies; :func:`wrap` puts any U-Net behind
it. Needs torch and numpy only."""

from caching.autostage import wrap
from caching.cache import LayerCache

__all__ = ["LayerCache", "wrap"]
