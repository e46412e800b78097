"""Energy networks, the EBM training loss and the replay buffer, as pure torch code.

Nothing here knows about scikit-learn. An energy network maps rows of shape
(n, d) to one energy per row, shape (n,), with a smooth activation so that
its input gradient (what Langevin dynamics follows) is continuous, and a
``features`` method giving its penultimate layer (what ``transform``
returns). Rows never interact inside a network (no batch normalisation), so
the gradient of the summed energy is each row's own gradient.
"""

import torch
from torch import nn

from ..nn import MLP
from ..nn._conv import _downsampled_sizes, _n_stride2_layers


class _ConfinedEnergy(nn.Module):
    """E(x) = output(features(x)) + confinement / 2 * ||x||^2, one value per row.

    A network of Lipschitz layers and activations (as here) grows at most
    linearly in ||x||, so any positive ``confinement`` makes exp(-E)
    integrable and log Z finite, whatever the weights.
    """

    def __init__(self, confinement):
        super().__init__()
        if confinement < 0:
            raise ValueError(f"confinement must be non-negative, got {confinement}.")
        self.confinement = confinement

    def forward(self, x):
        """Return the energy of each row.

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, n_features)
            Input rows.

        Returns
        -------
        energy : torch.Tensor of shape (n_rows,)
            ``output(features(x))`` plus the confinement term.
        """
        energy = self.output(self.features(x)).squeeze(1)
        if self.confinement:
            energy = energy + 0.5 * self.confinement * (x**2).sum(dim=1)
        return energy


class MLPEnergy(_ConfinedEnergy):
    """An MLP energy: rows -> smooth hidden layers -> one energy per row.

    Parameters
    ----------
    n_features : int
        Width of the input rows.
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Widths of the hidden layers, as in scikit-learn's ``MLPClassifier``.
    activation : type of torch.nn.Module, default=torch.nn.SiLU
        Activation after each hidden layer; a smooth one gives Langevin
        dynamics a continuous gradient.
    confinement : float, default=0.0
        Weight c of a quadratic term c / 2 * ||x||^2 added to the energy;
        any c > 0 makes exp(-E) integrable (the network grows at most
        linearly). In the units the rows arrive in.
    input_bound : float or None, default=None
        If set to b, the hidden layers see each coordinate through
        b * tanh(x / b): close to the identity where each coordinate is well below b, and
        bounded beyond it, so the network's output is bounded and the
        confinement term alone rules far from the data. Without it the
        output may fall linearly without limit in a direction no training
        row or chain explores, and a deep well can grow there. None: the
        rows as they are.

    Examples
    --------
    >>> import torch
    >>> from skgen.ebm import MLPEnergy
    >>> _ = torch.manual_seed(0)
    >>> energy = MLPEnergy(2, (16, 8), confinement=0.1)
    >>> x = torch.randn(5, 2)
    >>> energy(x).shape, energy.features(x).shape
    (torch.Size([5]), torch.Size([5, 8]))
    """

    def __init__(
        self, n_features, hidden_layer_sizes=(128, 128), *, activation=nn.SiLU, confinement=0.0, input_bound=None
    ):
        super().__init__(confinement)
        if input_bound is not None and not input_bound > 0:
            raise ValueError(f"input_bound must be positive or None, got {input_bound}.")
        self.input_bound = input_bound
        *hidden, output = MLP(n_features, hidden_layer_sizes, 1, activation=activation)
        self.body = nn.Sequential(*hidden)
        self.output = output

    def features(self, x):
        """Return the last hidden layer's activations (the input itself when there is none).

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, n_features)
            Input rows.

        Returns
        -------
        features : torch.Tensor of shape (n_rows, n_features)
            ``n_features`` is the last hidden width.
        """
        if self.input_bound is not None:
            x = self.input_bound * torch.tanh(x / self.input_bound)
        return self.body(x)


class ConvEnergy(_ConfinedEnergy):
    """A convolutional energy on flat image rows: strided convolutions, smooth activations, one energy per row.

    The layout of :class:`skgen.nn.ConvEncoder` (kernel 4, stride 2, padding
    1, channels doubling from ``base_channels``, as many halvings as keep
    the map at least 2x2, at most 3) with a smooth activation and no batch
    normalisation, then a linear layer to one value.

    Parameters
    ----------
    image_shape : tuple (C, H, W)
        Shape of the images the rows hold, flattened in C, H, W order.
    base_channels : int, default=32
        Channels of the first convolution; each further one doubles them.
    activation : type of torch.nn.Module, default=torch.nn.SiLU
        Activation after each convolution.
    confinement : float, default=0.0
        Weight c of a quadratic term c / 2 * ||x||^2 added to the energy;
        any c > 0 makes exp(-E) integrable.

    Examples
    --------
    >>> import torch
    >>> from skgen.ebm import ConvEnergy
    >>> _ = torch.manual_seed(0)
    >>> energy = ConvEnergy((1, 8, 8), base_channels=4)
    >>> x = torch.rand(3, 64)
    >>> energy(x).shape, energy.features(x).shape
    (torch.Size([3]), torch.Size([3, 32]))
    """

    def __init__(self, image_shape, *, base_channels=32, activation=nn.SiLU, confinement=0.0):
        super().__init__(confinement)
        channels, height, width = image_shape
        self.image_shape = tuple(image_shape)
        n_layers = _n_stride2_layers(height, width)
        layers, c_in = [], channels
        for i in range(n_layers):
            c_out = base_channels * 2**i
            layers += [nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1), activation()]
            c_in = c_out
        self.convolutions = nn.Sequential(*layers)
        h, w = _downsampled_sizes(height, width, n_layers)[-1]
        self.output = nn.Linear(c_in * h * w, 1)

    def features(self, x):
        """Return the flattened output of the last convolution (the penultimate layer).

        Parameters
        ----------
        x : torch.Tensor of shape (n_rows, C * H * W)
            Input rows (flat images).

        Returns
        -------
        features : torch.Tensor of shape (n_rows, n_features)
            ``n_features`` is the size of the last feature map.
        """
        return self.convolutions(x.reshape(-1, *self.image_shape)).flatten(1)


def ebm_loss(e_pos, e_neg, alpha):
    """Maximum-likelihood loss of an energy-based model with an energy-magnitude penalty.

    loss = mean E(x+) - mean E(x-) + alpha * (mean E(x+)^2 + mean E(x-)^2)

    (Du & Mordatch 2019). The gradient of the first part is the negative
    log-likelihood gradient when the negatives x- are samples of the model:
    it lowers the energy of the data (positive phase) and raises that of
    the model's samples (negative phase). The penalty keeps energies near
    zero, which the first part alone leaves free.

    Parameters
    ----------
    e_pos : torch.Tensor of shape (n_pos,)
        Energies of data rows.
    e_neg : torch.Tensor of shape (n_neg,)
        Energies of the model's samples (e.g. short-run Langevin chains).
    alpha : float
        Weight of the penalty, non-negative.

    Returns
    -------
    loss : torch.Tensor of shape ()
        The total, differentiable.
    parts : dict of str to torch.Tensor
        Detached parts: "contrastive" (mean E(x+) - mean E(x-)) and
        "regularization" (the weighted penalty); left on the device.

    Examples
    --------
    >>> import torch
    >>> from skgen.ebm import ebm_loss
    >>> loss, parts = ebm_loss(torch.tensor([1.0, 3.0]), torch.tensor([4.0]), alpha=0.5)
    >>> float(loss), float(parts["contrastive"]), float(parts["regularization"])
    (8.5, -2.0, 10.5)
    """
    if e_pos.ndim != 1 or e_neg.ndim != 1:
        raise ValueError(
            f"Energies must be 1-D (one per row), got shapes {tuple(e_pos.shape)} and {tuple(e_neg.shape)}."
        )
    if not alpha >= 0:
        raise ValueError(f"alpha must be non-negative, got {alpha}.")
    contrastive = e_pos.mean() - e_neg.mean()
    regularization = alpha * ((e_pos**2).mean() + (e_neg**2).mean())
    return contrastive + regularization, {
        "contrastive": contrastive.detach(),
        "regularization": regularization.detach(),
    }


class ReplayBuffer(nn.Module):
    """A fixed-size store of Langevin chains to restart from (Du & Mordatch 2019).

    Short-run chains started from where earlier chains stopped behave like
    long-run ones at the price of short ones. :meth:`sample` draws distinct
    rows uniformly and restarts each from noise with probability
    ``reinit_fraction`` (as in Grathwohl et al. 2020); after the Langevin
    steps, :meth:`push` writes the chains back over the rows they came
    from (distinct rows make that write well defined). The chains are a
    registered buffer, so they follow ``.to(device)`` and appear in
    ``state_dict``.

    Parameters
    ----------
    buffer_size : int
        Number of chains kept.
    noise_fn : callable
        ``noise_fn(n, generator)`` returns n noise rows of shape (n, d) on
        the generator's device; it fills the buffer here. Not stored, so the
        buffer pickles whatever ``noise_fn`` is.
    generator : torch.Generator
        Source of the initial noise.

    Attributes
    ----------
    chains : torch.Tensor of shape (buffer_size, d)

    Examples
    --------
    >>> import torch
    >>> from skgen.ebm import ReplayBuffer
    >>> def noise(n, generator):
    ...     return torch.rand(n, 2, generator=generator) * 2 - 1
    >>> g = torch.Generator().manual_seed(0)
    >>> buffer = ReplayBuffer(100, noise, g)
    >>> start = buffer.sample(16, g, reinit_fraction=0.05, noise_fn=noise)
    >>> buffer.push(start * 0.5)  # write the chains' new states back
    >>> buffer.chains.shape
    torch.Size([100, 2])
    """

    def __init__(self, buffer_size, noise_fn, generator):
        super().__init__()
        if buffer_size < 1:
            raise ValueError(f"buffer_size must be at least 1, got {buffer_size}.")
        chains = noise_fn(buffer_size, generator)
        if chains.ndim != 2 or chains.shape[0] != buffer_size:
            raise ValueError(
                f"noise_fn({buffer_size}, generator) must return shape ({buffer_size}, d), got {tuple(chains.shape)}."
            )
        self.register_buffer("chains", chains.detach().clone())
        self._sampled_rows = None  # the rows the last sample came from, for push

    def sample(self, n, generator, reinit_fraction, noise_fn):
        """Draw n chains to start from: distinct buffer rows, some restarted from noise.

        Parameters
        ----------
        n : int
            Number of chains, at most ``buffer_size``.
        generator : torch.Generator
            Draws the rows, the restart decisions and (through
            ``noise_fn``) the noise, on the buffer's device.
        reinit_fraction : float in [0, 1]
            Probability that a chain starts from noise instead of the buffer.
        noise_fn : callable
            ``noise_fn(n, generator)`` -> rows of the buffer's shape.

        Returns
        -------
        chains : torch.Tensor of shape (n, d)
            A new tensor; the buffer is unchanged until :meth:`push`.
        """
        if not 0 <= n <= self.chains.shape[0]:
            raise ValueError(f"n must be between 0 and the buffer size {self.chains.shape[0]}, got {n}.")
        if not 0 <= reinit_fraction <= 1:
            raise ValueError(f"reinit_fraction must be in [0, 1], got {reinit_fraction}.")
        device = self.chains.device
        rows = torch.randperm(self.chains.shape[0], generator=generator, device=device)[:n]
        restart = torch.rand(n, generator=generator, device=device, dtype=self.chains.dtype) < reinit_fraction
        noise = noise_fn(n, generator)
        if noise.shape != (n, self.chains.shape[1]):
            raise ValueError(
                f"noise_fn({n}, generator) must return shape ({n}, {self.chains.shape[1]}), got {tuple(noise.shape)}."
            )
        self._sampled_rows = rows
        return torch.where(restart.unsqueeze(1), noise, self.chains[rows])

    def push(self, x):
        """Write chains back over the rows the last :meth:`sample` drew, in the same order.

        Parameters
        ----------
        x : torch.Tensor of shape (n, d)
            The chains after their Langevin steps, one per row that
            :meth:`sample` drew.
        """
        if self._sampled_rows is None:
            raise ValueError("push needs a preceding sample: it writes back to the rows that sample drew.")
        if x.shape != (self._sampled_rows.shape[0], self.chains.shape[1]):
            raise ValueError(
                f"push expects the {self._sampled_rows.shape[0]} sampled chains of width {self.chains.shape[1]}, "
                f"got shape {tuple(x.shape)}."
            )
        self.chains.index_copy_(0, self._sampled_rows, x.detach().to(self.chains.dtype))
        self._sampled_rows = None
