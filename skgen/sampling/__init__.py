"""Samplers as pure torch functions taking a model and a ``torch.Generator``."""

from ._ais import ais_betas, annealed_importance_sampling
from ._bernoulli import bernoulli_sample
from ._gibbs import gibbs_chain

__all__ = ["ais_betas", "annealed_importance_sampling", "bernoulli_sample", "gibbs_chain"]
