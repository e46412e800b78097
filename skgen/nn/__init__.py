"""Default network architectures: MLPs, and DCGAN-style convolutional nets for image rows."""

from ._conv import ConvDecoder, ConvEncoder
from ._mlp import MLP

__all__ = ["ConvDecoder", "ConvEncoder", "MLP"]
