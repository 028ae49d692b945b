"""U-Net and U-Net++ networks for denoising, 2x super-resolution and frame extrapolation.

Built from explicit stages so the layer cache can cut them; see docs/DESIGN.md.
"""
