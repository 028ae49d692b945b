"""Image metrics on display-referred images: LDR-FLIP, SSIM, PSNR, and a sequence's PSNR.

They live in the shared base because both the training of the networks (its loss and
validation) and the evaluation score with them, and neither may import the other.
"""
