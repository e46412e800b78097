"""U-Nets: encoder-decoder networks whose decoder layers also see the encoder layer of their size.

Made for paired translation (pix2pix): the input passes down an encoder, and
each decoder layer receives the previous decoder output concatenated with the
encoder output of the same size (the skip connections), so detail the
bottleneck cannot carry reaches the output directly. Randomness enters only
through dropout, whose masks are computed from noise the caller passes in
(uniform numbers in [0, 1), one per dropped unit): the network itself draws
nothing, so a caller with its own ``torch.Generator`` controls every draw.
Without noise the dropout layers are the identity (inverted dropout's
expectation), so the network is a deterministic function of its input.
"""

import torch
from torch import nn

from ._conv import _downsampled_sizes


def noise_dropout(h, u, p):
    """Inverted dropout of ``h`` with the masks ``u >= p`` from uniform numbers ``u`` (h's shape).

    Kept units are scaled by 1 / (1 - p), so the expectation over ``u`` is ``h``;
    ``u`` None (or ``p`` 0) returns ``h`` unchanged.
    """
    if u is None or p == 0:
        return h
    return h * (u >= p).to(h.dtype) * (1.0 / (1.0 - p))


def _noise_slices(noise, sizes):
    """Split (n, sum(sizes)) noise into per-layer blocks (None stays None)."""
    if noise is None:
        return [None] * len(sizes)
    if noise.shape[1] != sum(sizes):
        raise ValueError(f"noise has {noise.shape[1]} columns; the network takes {sum(sizes)}.")
    return list(torch.split(noise, sizes, dim=1))


class MLPUNet(nn.Module):
    """Fully connected U-Net: flat rows -> flat rows, with skips between layers of equal width.

    The encoder has hidden layers of widths ``h_1, ..., h_k`` (LeakyReLU(0.2));
    the decoder mirrors them, ``h_{k-1}, ..., h_1`` (ReLU), each decoder layer
    taking the previous decoder output concatenated with the encoder output of
    the same width, and the output layer (linear, then
    ``output_activation``) takes the last decoder output concatenated with the
    first encoder layer's. Dropout with rate ``dropout`` follows the first
    ``n_dropout_layers`` decoder layers; ``noise_size`` is the number of
    uniform numbers per row they take.

    Parameters
    ----------
    n_inputs : int
        Width of the input rows.
    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers, at least one.
    n_outputs : int
        Width of the output rows.
    dropout : float, default=0.5
        Dropout rate of the noisy decoder layers; 0 turns dropout off.
    n_dropout_layers : int, default=3
        How many decoder layers, from the innermost, are followed by dropout.
    output_activation : torch.nn.Module or None, default=None
        Applied to the output (None: linear output).
    """

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, *, dropout=0.5, n_dropout_layers=3, output_activation=None):
        super().__init__()
        widths = list(hidden_layer_sizes)
        if not widths:
            raise ValueError("MLPUNet needs at least one hidden layer.")
        self.dropout = float(dropout)
        self.encoder = nn.ModuleList()
        n_in = n_inputs
        for width in widths:
            self.encoder.append(nn.Sequential(nn.Linear(n_in, width), nn.LeakyReLU(0.2)))
            n_in = width
        self.decoder = nn.ModuleList()
        k = len(widths)
        for j in range(k - 2, -1, -1):  # decoder widths h_{k-1}, ..., h_1
            n_in = widths[j + 1] if j == k - 2 else 2 * widths[j + 1]
            self.decoder.append(nn.Sequential(nn.Linear(n_in, widths[j]), nn.ReLU()))
        self.output = nn.Linear(widths[0] if k == 1 else 2 * widths[0], n_outputs)
        self.output_activation = output_activation
        n_noisy = min(n_dropout_layers, len(self.decoder)) if dropout > 0 else 0
        self.noise_sizes = [widths[j] for j in range(k - 2, k - 2 - n_noisy, -1)]
        self.noise_size = sum(self.noise_sizes)

    def forward(self, x, noise=None):
        """Map input rows to output rows.

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, n_inputs)
            Input rows.
        noise : torch.Tensor of shape (n_rows, noise_size) or None, default=None
            Uniform numbers in [0, 1) for the dropout masks (a unit is kept
            where its number is at least ``dropout``); None turns dropout off.

        Returns
        -------
        y : torch.Tensor of shape (n_rows, n_outputs)
            Output rows, after ``output_activation`` when one is given.
        """
        skips = []
        h = x
        for layer in self.encoder:
            h = layer(h)
            skips.append(h)
        noise_blocks = _noise_slices(noise, self.noise_sizes)
        k = len(self.encoder)
        for i, layer in enumerate(self.decoder):
            if i > 0:
                h = torch.cat([h, skips[k - 1 - i]], dim=1)
            h = layer(h)
            if i < len(noise_blocks):
                h = noise_dropout(h, noise_blocks[i], self.dropout)
        if k > 1:
            h = torch.cat([h, skips[0]], dim=1)
        out = self.output(h)
        return out if self.output_activation is None else self.output_activation(out)


def _n_halvings(height, width):
    """Stride-2 halvings until the smaller side is 1 (at least one)."""
    n, size = 0, min(height, width)
    while size >= 2:
        size //= 2
        n += 1
    return max(n, 1)


class UNet(nn.Module):
    """Convolutional U-Net of pix2pix (Isola et al. 2017) on flat image rows.

    Encoder: stride-2 convolutions (kernel 4, padding 1) down to a 1-pixel
    side, ``base_channels`` doubling per layer up to ``max_channels``,
    LeakyReLU(0.2), batch norm on all but the first and the innermost.
    Decoder: stride-2 transposed convolutions back to full size, each hidden
    one with batch norm and ReLU and followed by the concatenation with the
    encoder map of its size; dropout (rate ``dropout``) after the first
    ``n_dropout_layers`` decoder layers; then ``output_activation``. Input and
    output images share height and width; their channels may differ.

    Parameters
    ----------
    in_shape : tuple (C_in, H, W)
        Shape of one input image.
    out_shape : tuple (C_out, H, W)
        Shape of one output image: the same height and width.
    base_channels : int, default=32
        Channels of the first convolution (skgen's DCGAN-style nets use 32;
        the paper's 256x256 U-Net 64).
    max_channels : int, default=512
        Upper bound of the channels of any convolution.
    batch_norm : bool, default=True
        Batch normalisation in the layers named above.
    dropout : float, default=0.5
        Dropout rate of the noisy decoder layers; 0 turns dropout off.
    n_dropout_layers : int, default=3
        How many decoder layers, from the innermost, are followed by dropout.
    output_activation : torch.nn.Module or None, default=None
        Applied to the output image; pix2pix uses ``nn.Tanh()`` on images scaled to [-1, 1].
    """

    def __init__(
        self,
        in_shape,
        out_shape,
        *,
        base_channels=32,
        max_channels=512,
        batch_norm=True,
        dropout=0.5,
        n_dropout_layers=3,
        output_activation=None,
    ):
        super().__init__()
        c_in, height, width = in_shape
        c_out, out_height, out_width = out_shape
        if (height, width) != (out_height, out_width):
            raise ValueError(
                f"the U-Net maps images to images of the same size: input {tuple(in_shape)}, output {tuple(out_shape)}."
            )
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)
        self.dropout = float(dropout)
        n = _n_halvings(height, width)
        sizes = _downsampled_sizes(height, width, n)  # sizes[i]: after i halvings
        channels = [min(base_channels * 2**i, max_channels) for i in range(n)]
        self.down = nn.ModuleList()
        previous = c_in
        for i, c in enumerate(channels):
            layers = [nn.Conv2d(previous, c, kernel_size=4, stride=2, padding=1)]
            if batch_norm and 0 < i < n - 1:
                layers.append(nn.BatchNorm2d(c))
            layers.append(nn.LeakyReLU(0.2))
            self.down.append(nn.Sequential(*layers))
            previous = c
        self.up = nn.ModuleList()
        self.noise_sizes = []
        n_noisy = min(n_dropout_layers, n - 1) if dropout > 0 else 0
        for step, i in enumerate(range(n - 1, 0, -1)):  # up to the size after i - 1 ... i halvings
            c_from = channels[i] if i == n - 1 else 2 * channels[i]
            target = sizes[i]
            layers = [
                nn.ConvTranspose2d(
                    c_from, channels[i - 1], 4, stride=2, padding=1, output_padding=(target[0] % 2, target[1] % 2)
                )
            ]
            if batch_norm:
                layers.append(nn.BatchNorm2d(channels[i - 1]))
            layers.append(nn.ReLU())
            self.up.append(nn.Sequential(*layers))
            if step < n_noisy:
                self.noise_sizes.append(channels[i - 1] * target[0] * target[1])
        c_last = channels[0] if n == 1 else 2 * channels[0]
        self.output = nn.ConvTranspose2d(
            c_last, c_out, 4, stride=2, padding=1, output_padding=(height % 2, width % 2)
        )
        self.output_activation = output_activation
        self.noise_size = sum(self.noise_sizes)

    def forward(self, x, noise=None):
        """Map input rows to output rows.

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, C_in * H * W)
            Input rows (flat images).
        noise : torch.Tensor of shape (n_rows, noise_size) or None, default=None
            Uniform numbers in [0, 1) for the dropout masks (a unit is kept
            where its number is at least ``dropout``); None turns dropout off.

        Returns
        -------
        y : torch.Tensor of shape (n_rows, C_out * H * W)
            Output rows (flat images), after ``output_activation`` when one is given.
        """
        h = x.reshape(-1, *self.in_shape)
        skips = []
        for layer in self.down:
            h = layer(h)
            skips.append(h)
        noise_blocks = _noise_slices(noise, self.noise_sizes)
        n = len(self.down)
        for step, layer in enumerate(self.up):
            if step > 0:
                h = torch.cat([h, skips[n - 1 - step]], dim=1)
            h = layer(h)
            if step < len(noise_blocks) and noise_blocks[step] is not None:
                h = noise_dropout(h, noise_blocks[step].reshape(h.shape), self.dropout)
        if n > 1:
            h = torch.cat([h, skips[0]], dim=1)
        out = self.output(h)
        if self.output_activation is not None:
            out = self.output_activation(out)
        return out.flatten(1)
