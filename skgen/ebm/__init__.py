"""Energy-based models trained with Langevin negatives."""

from ._estimator import EBM
from ._module import ConvEnergy, MLPEnergy, ReplayBuffer, ebm_loss
from ._net import EBMModule

__all__ = ["EBM", "ConvEnergy", "EBMModule", "MLPEnergy", "ReplayBuffer", "ebm_loss"]
