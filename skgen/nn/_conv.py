"""DCGAN-style convolutional networks on flat image rows.

Images arrive as flat rows of C*H*W values (the scikit-learn convention) and
are reshaped inside the networks. Each stride-2 convolution (kernel 4,
padding 1) halves the spatial size, rounding down; the decoder undoes them
with transposed convolutions whose output padding restores odd sizes exactly.
"""

import torch
from torch import nn


def _downsampled_sizes(height, width, n_layers):
    sizes = [(height, width)]
    for _ in range(n_layers):
        h, w = sizes[-1]
        sizes.append((h // 2, w // 2))
    return sizes


def _n_stride2_layers(height, width, max_layers=3):
    """As many halvings as keep the feature map at least 2x2, at most ``max_layers``."""
    n = 0
    while n < max_layers and min(height, width) // 2 ** (n + 1) >= 2:
        n += 1
    return max(n, 1)


class ConvEncoder(nn.Module):
    """Strided convolutions then a linear layer: flat image rows -> ``n_outputs`` values.

    Parameters
    ----------
    image_shape : tuple (C, H, W)
        Shape of one image; the input rows have C * H * W values.
    n_outputs : int
        Width of the output.
    base_channels : int, default=32
        Channels of the first convolution; each further one doubles them.
    negative_slope : float or None, default=None
        LeakyReLU slope (DCGAN discriminators use 0.2); None uses ReLU.
    batch_norm : bool, default=False
        Batch normalisation after every convolution but the first.
    """

    def __init__(self, image_shape, n_outputs, *, base_channels=32, negative_slope=None, batch_norm=False):
        super().__init__()
        channels, height, width = image_shape
        self.image_shape = tuple(image_shape)
        n_layers = _n_stride2_layers(height, width)
        layers, c_in = [], channels
        for i in range(n_layers):
            c_out = base_channels * 2**i
            layers.append(nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1))
            if batch_norm and i > 0:
                layers.append(nn.BatchNorm2d(c_out))
            layers.append(nn.LeakyReLU(negative_slope) if negative_slope is not None else nn.ReLU())
            c_in = c_out
        self.convolutions = nn.Sequential(*layers)
        h, w = _downsampled_sizes(height, width, n_layers)[-1]
        self.n_features = c_in * h * w
        self.linear = nn.Linear(self.n_features, n_outputs)

    def features(self, x):
        """Return the flattened output of the last convolution (the penultimate layer).

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, C * H * W)
            Flat image rows.

        Returns
        -------
        features : torch.Tensor of shape (n_rows, n_features)
            ``n_features`` is the attribute of that name.
        """
        return self.convolutions(x.reshape(-1, *self.image_shape)).flatten(1)

    def forward(self, x):
        """Map flat image rows to ``n_outputs`` values.

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, C * H * W)
            Flat image rows.

        Returns
        -------
        y : torch.Tensor of shape (n_rows, n_outputs)
            The linear layer's output (no activation).
        """
        return self.linear(self.features(x))


class ConvDecoder(nn.Module):
    """A linear layer then transposed convolutions: ``n_inputs`` values -> flat image rows.

    Parameters
    ----------
    n_inputs : int
        Width of the input rows (e.g. the latent dimension).
    image_shape : tuple (C, H, W)
        Shape of one output image.
    base_channels : int, default=32
        Channels of the last hidden feature map; earlier ones double them.
    batch_norm : bool, default=False
        Batch normalisation after every hidden transposed convolution.
    output_activation : torch.nn.Module or None, default=None
        Applied to the output image (DCGAN generators use ``nn.Tanh()``).
    """

    def __init__(self, n_inputs, image_shape, *, base_channels=32, batch_norm=False, output_activation=None):
        super().__init__()
        channels, height, width = image_shape
        n_layers = _n_stride2_layers(height, width)
        sizes = _downsampled_sizes(height, width, n_layers)
        self.start_channels = base_channels * 2 ** (n_layers - 1)
        self.start_size = sizes[-1]
        self.linear = nn.Linear(n_inputs, self.start_channels * sizes[-1][0] * sizes[-1][1])
        layers, c_in = [nn.ReLU()], self.start_channels
        for i in reversed(range(n_layers)):
            c_out = channels if i == 0 else base_channels * 2 ** (i - 1)
            target_h, target_w = sizes[i]
            output_padding = (target_h % 2, target_w % 2)
            layers.append(nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1, output_padding=output_padding))
            if i > 0:
                if batch_norm:
                    layers.append(nn.BatchNorm2d(c_out))
                layers.append(nn.ReLU())
            c_in = c_out
        if output_activation is not None:
            layers.append(output_activation)
        self.deconvolutions = nn.Sequential(*layers)

    def forward(self, z):
        """Map rows of ``n_inputs`` values to flat image rows.

        Parameters
        ----------
        z : torch.Tensor of shape (n_rows, n_inputs)
            Input rows.

        Returns
        -------
        x : torch.Tensor of shape (n_rows, C * H * W)
            Flat images, after ``output_activation`` when one is given.
        """
        h = self.linear(z).reshape(-1, self.start_channels, *self.start_size)
        return torch.flatten(self.deconvolutions(h), 1)
