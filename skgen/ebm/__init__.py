"""Energy-based models trained with Langevin negatives: the torch layer."""

from ._module import ConvEnergy, MLPEnergy, ReplayBuffer, ebm_loss

__all__ = ["ConvEnergy", "MLPEnergy", "ReplayBuffer", "ebm_loss"]
