"""Preprocessing: steps fitted on the training split only and saved with the model.

``imageops`` (vectorised image operations) → ``image_steps`` and ``steps`` (one class a
step, with ``fit``/``transform``/``state``) → ``pipeline`` (steps in order, their spec, the
registry that parses ``--preprocess`` text).
"""

from .image_steps import Blur, Denoise, Deskew, MomentNorm, Pool
from .pipeline import CENTER_CHOICES, STEPS, USER_STEPS, Pipeline, parse_step, steps_help
from .steps import PCA, CenterImages, CenterPixels, Scale, Standardize, Step

__all__ = ["CENTER_CHOICES", "PCA", "STEPS", "USER_STEPS", "Blur", "CenterImages",
           "CenterPixels", "Denoise", "Deskew", "MomentNorm", "Pipeline", "Pool", "Scale",
           "Standardize", "Step", "parse_step", "steps_help"]
