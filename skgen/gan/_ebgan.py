"""EBGAN (Zhao et al. 2017): the discriminator is an autoencoder whose reconstruction error is an energy.

Three layers: the autoencoder discriminators and the losses (pure torch),
:class:`EBGANNet` (the shared adversarial loop with the margin loss and the
pulling-away term) and :class:`EBGAN` (the scikit-learn estimator).
"""

import functools
from numbers import Integral, Real

import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval
from torch import nn

from ..nn import MLP, ConvDecoder, ConvEncoder
from ._estimator import _BaseAdversarial, _UnconditionalAdversarial
from ._module import ConvGenerator, MLPGenerator
from ._net import AdversarialNet


# ------------------------------------------------------------------ torch parts
class _Autoencoder(nn.Module):
    """Shared methods: energy = mean squared reconstruction error per row; features = the codes."""

    def energy_and_codes(self, x):
        codes = self.encoder(x)
        reconstruction = self.decoder(codes)
        return ((reconstruction - x.flatten(1)) ** 2).mean(dim=1), codes

    def features(self, x, y_onehot=None):
        """The encoder's codes (``transform``)."""
        return self.encoder(x)

    def forward(self, x, y_onehot=None):
        """The energy D(x) of each row: its mean squared reconstruction error."""
        return self.energy_and_codes(x)[0]


class MLPAutoencoder(_Autoencoder):
    """Rows -> MLP encoder (LeakyReLU(0.2)) -> ``code_size`` codes -> mirrored MLP decoder -> rows.

    Parameters
    ----------
    n_inputs : int
        Width of a (packed) input row.
    hidden_layer_sizes : tuple of int
        Encoder widths; the decoder mirrors them.
    code_size : int
    """

    def __init__(self, n_inputs, hidden_layer_sizes, code_size):
        super().__init__()
        activation = functools.partial(nn.LeakyReLU, 0.2)
        self.encoder = MLP(n_inputs, tuple(hidden_layer_sizes), code_size, activation=activation)
        self.decoder = MLP(code_size, tuple(reversed(hidden_layer_sizes)), n_inputs, activation=activation)


class ConvAutoencoder(_Autoencoder):
    """DCGAN-style convolutional autoencoder on flat image rows (packed images stacked as channels).

    Encoder: strided convolutions, LeakyReLU(0.2), batch norm after all but
    the first, then a linear map to ``code_size`` codes; decoder: a linear
    layer then transposed convolutions with batch norm, linear output.
    """

    def __init__(self, image_shape, code_size):
        super().__init__()
        self.encoder = ConvEncoder(image_shape, code_size, negative_slope=0.2, batch_norm=True)
        self.decoder = ConvDecoder(code_size, image_shape, batch_norm=True)


def margin_loss(real_energy, fake_energy, margin):
    """EBGAN's discriminator loss: E[D(x)] + E[max(0, margin - D(G(z)))]."""
    return real_energy.mean() + F.relu(margin - fake_energy).mean()


def pulling_away_term(codes):
    """Mean squared cosine similarity between distinct rows' codes (Zhao et al. 2017, eq. 5).

    f_PT(S) = 1 / (N (N - 1)) sum_{i != j} (S_i . S_j / (|S_i| |S_j|))^2; 0 for
    a batch of one row. Small when the codes of a batch point in different
    directions, so adding it to the generator's loss pushes against mode
    collapse.
    """
    n = codes.shape[0]
    if n < 2:
        return codes.sum() * 0.0
    unit = codes / codes.norm(dim=1, keepdim=True).clamp_min(1e-12)
    cosines = unit @ unit.T
    off_diagonal = (cosines**2).sum() - (torch.diagonal(cosines) ** 2).sum()
    return off_diagonal / (n * (n - 1))


# --------------------------------------------------------------------- the net
class EBGANNet(AdversarialNet):
    """The adversarial loop with EBGAN's objectives.

    Discriminator (the autoencoder): E[D(x)] + E[max(0, margin - D(G(z)))];
    generator: E[D(G(z))] + pt_weight * f_PT(codes of the generated batch).
    ``wasserstein_estimate`` in ``history`` is the energy gap
    E[D(G(z))] - E[D(x)].
    """

    def __init__(self, module, *args, margin=1.0, pt_weight=0.1, **kwargs):
        self.margin = margin
        self.pt_weight = pt_weight
        super().__init__(module, *args, **kwargs)

    def fake_rows(self, z, condition, noise_generator):
        """Generated rows; with mode-specific scaling the mode indicators are made exactly one-hot.

        The autoencoder would otherwise tell generated rows by their soft
        softmax indicators alone (real rows' are exactly 0 or 1) and push
        every generated row above the margin, whatever its modes. The
        one-hot rows pass the soft indicators' gradient (straight-through).

        Each feature's mode is the most probable one of the generator's
        logits, without Gumbel noise (``noise_generator`` is not used): a
        mode that is a function of z lets the generator tie the modes of
        different features together. With independent Gumbel draws per
        feature, EBGAN kept only the combinations that every draw makes
        valid, e.g. the ring's 4 diagonal modes (x and y both near +-1.41),
        never (0, 2) or (2, 0): 4/8 modes against 8/8 without the noise.
        """
        rows = super().fake_rows(z, condition, None)
        if self.modes_per_feature is None:
            return rows
        blocks, start = [], 0
        for n_modes in self.modes_per_feature:
            soft = rows[:, start + 1 : start + 1 + n_modes]
            hard = F.one_hot(soft.argmax(dim=1), n_modes).to(soft.dtype)
            blocks += [rows[:, start : start + 1], hard + soft - soft.detach()]
            start += 1 + n_modes
        return torch.cat(blocks, dim=1)

    def energy_and_codes(self, x):
        """Energies and codes of (packed) rows ``x`` in the network's units."""
        packed, _ = self._packed(x, None)
        discriminator = self.discriminator_
        if hasattr(discriminator, "energy_and_codes"):
            return discriminator.energy_and_codes(packed)
        return discriminator(packed), discriminator.features(packed)

    def discriminator_objective(self, real, fake, condition):
        real_energy = self._discriminate(real, condition)
        fake_energy = self._discriminate(fake, condition)
        loss = margin_loss(real_energy, fake_energy, self.margin)
        return loss, (fake_energy.mean() - real_energy.mean()).detach()

    def generator_objective(self, real, fake, condition, z):
        if not self.pt_weight:
            return self._discriminate(fake, condition).mean()
        energy, codes = self.energy_and_codes(fake)
        return energy.mean() + self.pt_weight * pulling_away_term(codes)


# --------------------------------------------------------------- the estimator
class EBGAN(_UnconditionalAdversarial):
    """Energy-based GAN (Zhao et al. 2017): an autoencoder discriminator, a margin loss, a pulling-away term.

    The discriminator is an autoencoder; its energy D(x) is the mean squared
    reconstruction error of a row (in the network's units: standardised
    features by default). It learns to reconstruct real rows and to give
    generated rows an energy of at least ``margin``, minimising
    E[D(x)] + E[max(0, margin - D(G(z)))]. The generator x = G(z),
    z ~ N(0, I), minimises E[D(G(z))] + ``pt_weight`` * f_PT, where the
    pulling-away term f_PT is the mean squared cosine similarity between the
    encoder's codes of distinct rows of a generated batch: it keeps a batch's
    samples apart, against mode collapse. Adam with betas (0.5, 0.999).

    Parameters
    ----------
    n_components : int, default=8
        Dimension of the latent noise z ~ N(0, I).
    margin : float, default=1.0
        The energy m below which generated rows are pushed up. Energies are
        mean squared errors per feature in the network's units, so with
        standardised features (the default) a margin near 1 means "as badly
        reconstructed as an unrelated row".
    pt_weight : float, default=0.1
        Weight of the pulling-away term in the generator's loss (the paper's
        0.1); 0 switches it off.
    code_size : int, default=16
        Width of the autoencoder's bottleneck (``transform``'s output).
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Widths of the default MLP encoder (the decoder mirrors them) and of
        the generator. Ignored with ``image_shape``.
    learning_rate : float, default=2e-4
        Step size of both optimizers.
    batch_size : int, default=64
        Real rows per discriminator step (and latent rows per generator step).
    max_iter : int, default=100
        Epochs: passes of the discriminator over the training rows.
    n_critic : int, default=1
        Discriminator steps per generator step.
    pack : int, default=1
        PacGAN: the autoencoder reconstructs ``pack`` rows concatenated.
        ``transform`` and ``score_samples`` pack each row with copies of itself.
    scale : {"auto", "standard", "minmax", "mode-specific"} or None, default="auto"
        How the data are rescaled for the networks, as in :class:`GAN`,
        except that with "mode-specific" each feature's mode is always the
        most probable one of the generator's logits (no Gumbel draw, in
        training and in ``sample``), so the modes of different features can
        depend on each other through z.
    image_shape : tuple (C, H, W) or None, default=None
        Rows are flat images: a DCGAN-style generator (tanh output, data
        min-max scaled to [-1, 1]) and a convolutional autoencoder.
    generator, discriminator : torch.nn.Module class or instance, default=None
        Your own networks. The discriminator maps (packed) rows to one
        non-negative energy per row and has ``features(x)`` returning its
        codes; an ``energy_and_codes(x)`` method, if present, gives both in
        one pass.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness.
    verbose : int, default=0
        0 silent; 1 a progress bar showing both losses; 2 a line per epoch.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks for the training loop (deep-copied at each fit).
    early_stopping : bool, default=False
        As in :class:`GAN` (MMD^2 of samples against held-out rows).
    validation_fraction : float, default=0.1
        Share of rows held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest improvement that counts for early stopping.
    shuffle : bool, default=True
        Reshuffle the rows every epoch.
    n_threads : int or None, default=None
        Intra-op threads of torch on the CPU; None chooses for the work.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``discriminator_loss`` (the margin loss),
        ``generator_loss``, ``wasserstein_estimate`` (here the energy gap
        E[D(G(z))] - E[D(x)]), ``train_loss`` (= the discriminator loss),
        ``dur``, and ``valid_loss`` (MMD^2) with early stopping.
    device_ : str
    net_ : skorch.NeuralNet
        The skorch net; ``net_.generator_`` and ``net_.discriminator_`` (the
        autoencoder) are the torch modules.

    Examples
    --------
    >>> from skgen import EBGAN
    >>> from skgen.datasets import make_gaussian_mixture
    >>> X, centers, std = make_gaussian_mixture("ring", 500, random_state=0)
    >>> ebgan = EBGAN(max_iter=2, random_state=0).fit(X)
    >>> ebgan.sample(3).shape, ebgan.transform(X[:2]).shape
    ((3, 2), (2, 16))
    >>> bool((ebgan.score_samples(X[:4]) <= 0).all())  # minus an energy
    True
    """

    _parameter_constraints: dict = {
        **_BaseAdversarial._parameter_constraints,
        "margin": [Interval(Real, 0, None, closed="neither")],
        "pt_weight": [Interval(Real, 0, None, closed="left")],
        "code_size": [Interval(Integral, 1, None, closed="left")],
    }
    _net_class = EBGANNet
    _shape_params = _BaseAdversarial._shape_params + ("code_size",)

    def __init__(
        self,
        n_components=8,
        *,
        margin=1.0,
        pt_weight=0.1,
        code_size=16,
        hidden_layer_sizes=(128, 128),
        learning_rate=2e-4,
        batch_size=64,
        max_iter=100,
        n_critic=1,
        pack=1,
        scale="auto",
        image_shape=None,
        generator=None,
        discriminator=None,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        shuffle=True,
        n_threads=None,
    ):
        self.n_components = n_components
        self.margin = margin
        self.pt_weight = pt_weight
        self.code_size = code_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_critic = n_critic
        self.pack = pack
        self.scale = scale
        self.image_shape = image_shape
        self.generator = generator
        self.discriminator = discriminator
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.n_threads = n_threads

    def _build_modules(self, data):
        self._fit_scaling(data)
        n_features, pack = self._scaling.n_outputs, self._fitted("pack")
        image_shape, hidden = self._fitted("image_shape"), tuple(self._fitted("hidden_layer_sizes"))
        n_components, code_size = self._fitted("n_components"), self._fitted("code_size")
        if self.generator is not None:
            generator = self._user_module(self.generator)
        elif image_shape is not None:
            generator = ConvGenerator(n_components, tuple(image_shape))
        else:
            generator = MLPGenerator(n_components, hidden, n_features)
        if self.discriminator is not None:
            discriminator = self._user_module(self.discriminator)
        elif image_shape is not None:
            channels, height, width = image_shape
            discriminator = ConvAutoencoder((pack * channels, height, width), code_size)
        else:
            discriminator = MLPAutoencoder(pack * n_features, hidden, code_size)
        return {"module": generator, "discriminator": discriminator}

    def _objective_params(self):
        adam = (torch.optim.Adam, {"lr": self.learning_rate, "betas": (0.5, 0.999)})
        return dict(margin=self.margin, pt_weight=self.pt_weight, generator_optimizer=adam, discriminator_optimizer=adam)

    def score_samples(self, X):
        """Return minus the energy of each row: higher = more typical of the training data.

        The energy is the autoencoder's mean squared reconstruction error per
        feature, in the network's units (standardised features by default),
        so ``score_samples`` is at most 0. It is not a log-density: compare
        rows under one fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more typical of the training data.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        return -self._discriminator_output(X, features=False)

    def transform(self, X):
        """The autoencoder's codes of each row (deterministic).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to map to features.

        Returns
        -------
        codes : ndarray of shape (n_samples, code_size)
            In the dtype of ``X``.
        """
        return super().transform(X)
