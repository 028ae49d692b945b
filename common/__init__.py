"""The small base every layer may use and that imports none of them: user errors, atomic
writes, padding to a network's alignment, warping by motion vectors, timing, the sRGB
transfer function, the one tone mapping, the magma color map and the image metrics
(torch, numpy and the standard library; matplotlib's magma table read on first use)."""
