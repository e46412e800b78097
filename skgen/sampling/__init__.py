"""Samplers as pure torch functions taking a model and a ``torch.Generator``."""

from ._ais import ais_betas, annealed_importance_resampling, annealed_importance_sampling
from ._bernoulli import bernoulli_sample
from ._gibbs import gibbs_chain
from ._langevin import GeometricPath, kernel_jump_step, langevin_chain, mala_step

__all__ = [
    "GeometricPath",
    "ais_betas",
    "annealed_importance_resampling",
    "annealed_importance_sampling",
    "bernoulli_sample",
    "gibbs_chain",
    "kernel_jump_step",
    "langevin_chain",
    "mala_step",
]
