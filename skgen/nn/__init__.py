"""Default network architectures: MLPs, DCGAN-style convolutional nets for image rows, U-Nets."""

from ._conv import ConvDecoder, ConvEncoder
from ._mlp import MLP
from ._unet import MLPUNet, UNet

__all__ = ["ConvDecoder", "ConvEncoder", "MLP", "MLPUNet", "UNet"]
