"""InfoGAN (Chen et al. 2016): a GAN whose latent codes are read back by a Q head on the discriminator.

Three layers, as everywhere in skgen: the Q head and the information loss
(pure torch), :class:`InfoGANNet` (the shared adversarial loop with the
information term added to both players' objectives) and :class:`InfoGAN`
(the scikit-learn estimator).
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import clone, _fit_context
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array
from skorch.callbacks import PassthroughScoring
from threadpoolctl import threadpool_limits
from torch import nn

from .._cudnn import deterministic_cudnn
from .._threads import torch_threads
from ._estimator import GAN
from ._module import ConvDiscriminator, ConvGenerator, MinibatchDiscrimination
from ._net import AdversarialNet


# ------------------------------------------------------------------ torch parts
class QHead(nn.Module):
    """Q(c | x) from the discriminator's features: categorical logits and continuous means.

    features -> Linear(n_hidden) -> LeakyReLU(0.2) -> Linear(n_categories + n_continuous).

    Parameters
    ----------
    n_features : int
        Width of the discriminator's ``features``.
    n_categories : int
    n_continuous : int
    n_hidden : int, default=128
    """

    def __init__(self, n_features, n_categories, n_continuous, n_hidden=128):
        super().__init__()
        self.n_categories = n_categories
        self.net = nn.Sequential(
            nn.Linear(n_features, n_hidden), nn.LeakyReLU(0.2), nn.Linear(n_hidden, n_categories + n_continuous)
        )

    def forward(self, features):
        """(category logits of shape (n, n_categories), continuous means of shape (n, n_continuous))."""
        out = self.net(features)
        return out[:, : self.n_categories], out[:, self.n_categories :]


class _BatchNorm1d(nn.BatchNorm1d):
    """Batch norm that uses its running statistics for a batch of one row (training on a single sample)."""

    def forward(self, x):
        if self.training and x.shape[0] < 2:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps)
        return super().forward(x)


class InfoMLPGenerator(nn.Module):
    """Latent rows -> [Linear, batch norm, ReLU] per hidden width -> Linear: InfoGAN's generator, fully connected."""

    def __init__(self, n_latent, hidden_layer_sizes, n_features):
        super().__init__()
        layers, n_in = [], n_latent
        for width in hidden_layer_sizes:
            layers += [nn.Linear(n_in, width), _BatchNorm1d(width), nn.ReLU()]
            n_in = width
        layers.append(nn.Linear(n_in, n_features))
        self.net = nn.Sequential(*layers)

    def forward(self, z, y_onehot=None):
        return self.net(z)


class InfoMLPDiscriminator(nn.Module):
    """Rows -> Linear, LeakyReLU(0.2), then [Linear, batch norm, LeakyReLU(0.2)] -> features -> logit.

    InfoGAN's discriminator, fully connected: batch norm on every hidden
    layer but the first; ``features`` (the last hidden layer, with optional
    minibatch features) is the body the Q head shares.
    """

    def __init__(self, n_inputs, hidden_layer_sizes, *, minibatch_features=False):
        super().__init__()
        layers, n_in = [], n_inputs
        for i, width in enumerate(hidden_layer_sizes):
            layers.append(nn.Linear(n_in, width))
            if i > 0:
                layers.append(_BatchNorm1d(width))
            layers.append(nn.LeakyReLU(0.2))
            n_in = width
        self.body = nn.Sequential(*layers)
        self.minibatch = MinibatchDiscrimination(n_in) if minibatch_features else None
        self.output = nn.Linear(n_in + (self.minibatch.n_kernels if minibatch_features else 0), 1)

    def features(self, x, y_onehot=None):
        features = self.body(x)
        return self.minibatch(features) if self.minibatch is not None else features

    def forward(self, x, y_onehot=None):
        return self.output(self.features(x)).squeeze(1)


def info_loss(category_logits, continuous_means, category, continuous):
    """-E[log Q(c | x)]: the information term InfoGAN minimises, averaged over rows, in nats.

    Q is a softmax over categories times a factored Gaussian of unit variance
    over the continuous codes (InfoGAN's fixed-variance choice), so the loss is
    the cross-entropy of the categories plus, per continuous code,
    ``0.5 (c - mu)^2 + 0.5 log(2 pi)``. The variational lower bound on the
    mutual information between the codes and the generated rows is
    ``H(c) - info_loss``.

    Parameters
    ----------
    category_logits : tensor of shape (n, n_categories)
    continuous_means : tensor of shape (n, n_continuous)
    category : LongTensor of shape (n,)
        The categories drawn for the rows.
    continuous : tensor of shape (n, n_continuous)
        The continuous codes drawn for the rows.
    """
    loss = F.cross_entropy(category_logits, category)
    if continuous.shape[1]:
        squared = 0.5 * (continuous - continuous_means) ** 2 + 0.5 * math.log(2 * math.pi)
        loss = loss + squared.sum(dim=1).mean()
    return loss


def code_entropy(n_categories, n_continuous):
    """H(c) in nats for a uniform category and continuous codes uniform on [-1, 1]."""
    return math.log(n_categories) + n_continuous * math.log(2.0)


def neighbour_loss(proba, neighbour_proba, balance_weight=5.0):
    """SCAN's clustering loss (Van Gansbeke et al. 2020) on category probabilities of rows and their neighbours.

    ``consistency`` is -mean_i log sum_k p_ik q_ik, minus the log of the
    probability that a row and its neighbour, each given a category drawn
    from its own distribution, share it (0 when both are certain of the
    same category). ``balance`` is KL(m || uniform) = log K - H(m) for the
    rows' mean distribution m: 0 when the categories are used equally, and
    what keeps the consistency term from putting every row in one category.

    Parameters
    ----------
    proba : tensor of shape (n, n_categories)
        Category probabilities of the rows.
    neighbour_proba : tensor of shape (n, n_categories)
        Category probabilities of one neighbour of each row.
    balance_weight : float, default=5.0
        SCAN's weight of the balance term (its entropy weight).

    Returns
    -------
    consistency : scalar tensor
        In nats.
    loss : scalar tensor
        ``consistency + balance_weight * balance``, at least 0.
    """
    tiny = torch.finfo(proba.dtype).tiny
    consistency = -torch.log((proba * neighbour_proba).sum(dim=1).clamp_min(tiny)).mean()
    mean = proba.mean(dim=0)
    balance = math.log(proba.shape[1]) + (mean * torch.log(mean.clamp_min(tiny))).sum()
    return consistency, consistency + balance_weight * balance


def neighbour_agreement(rows, labels, n_neighbors=10):
    """Share of each row's nearest neighbours (Euclidean) given the row's own label, averaged over rows.

    1.0 when every row's ``n_neighbors`` nearest other rows share its label
    (fewer when there are fewer other rows; 1.0 for a single row).

    Parameters
    ----------
    rows : ndarray of shape (n, d)
    labels : ndarray of shape (n,)
    n_neighbors : int, default=10

    Returns
    -------
    agreement : float
        In [0, 1].
    """
    n_neighbors = min(n_neighbors, len(rows) - 1)
    if n_neighbors < 1:
        return 1.0
    neighbours = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(rows).kneighbors(rows, return_distance=False)
    # Each row is its own nearest neighbour unless it has duplicates: drop the row itself wherever it appears.
    others = neighbours != np.arange(len(rows))[:, None]
    same = (labels[neighbours] == labels[:, None]) & others
    return float(np.mean(same.sum(axis=1) / others.sum(axis=1)))


def starting_categories(rows, n_categories, init_params, random_state):
    """The clusters Q learns before the adversarial fit (``InfoGAN(init_params=...)``, "kmeans" or "tsne").

    Parameters
    ----------
    rows : ndarray of shape (n, d)
        At least two rows, in the network's units.
    n_categories : int
        Number of clusters (at most ``n``).
    init_params : {"kmeans", "tsne"}
        "kmeans": KMeans on the rows; "tsne": KMeans on their 2-D t-SNE embedding.
    random_state : RandomState
        Drives t-SNE and KMeans.

    Returns
    -------
    labels : ndarray of shape (n,)
    """
    n_clusters = min(n_categories, len(rows))
    # t-SNE needs a perplexity below the number of rows, and its PCA start as many features as dimensions
    if init_params == "tsne" and len(rows) > 2 and rows.shape[1] >= 2:
        perplexity = min(30.0, (len(rows) - 1) / 3)
        rows = TSNE(2, perplexity=perplexity, init="pca", random_state=random_state).fit_transform(rows)
    with warnings.catch_warnings():
        # rows with duplicates may form fewer distinct clusters: Q then starts with fewer categories in use
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters, n_init=10, random_state=random_state).fit_predict(rows)


# --------------------------------------------------------------------- the net
class InfoGANNet(AdversarialNet):
    """The adversarial loop with InfoGAN's latent codes and information term.

    Latent rows are ``[z, one-hot c_cat, c_cont]``: ``n_components`` standard
    normal numbers, a uniform category among ``n_categories`` and
    ``n_continuous`` codes uniform on [-1, 1]. Both players add
    ``info_weight * info_loss`` (Q's negative log-likelihood of the codes
    behind the generated rows) to their GAN objective; Q is ``q_head`` on the
    discriminator's features and is updated with the discriminator.

    The discriminator's objective sees the generated rows but not their
    latent rows, so :meth:`fake_rows` keeps the codes of the rows it last
    produced (``fake_codes_``, never pickled) for :meth:`discriminator_objective`.
    """

    cuda_dependent_attributes_ = AdversarialNet.cuda_dependent_attributes_ + ["q_head"]

    # Neighbour consistency: each real row is paired with one of its NEIGHBOURS nearest rows among
    # the first NEIGHBOUR_POOL rows of its chunk (the chunk is shuffled every epoch, so these are a
    # random subset of the training rows, all of them on small data); the pool bounds the cost of
    # the distances per step on large data.
    NEIGHBOURS = 10
    NEIGHBOUR_POOL = 4096

    def __init__(
        self, module, *args, q_head=None, n_categories=10, n_continuous=0, info_weight=1.0, neighbour_weight=0.0,
        **kwargs,
    ):
        self.q_head = q_head
        self.n_categories = n_categories
        self.n_continuous = n_continuous
        self.info_weight = info_weight
        self.neighbour_weight = neighbour_weight
        super().__init__(module, *args, **kwargs)

    def initialize_module(self):
        super().initialize_module()
        self.q_head_ = self.q_head
        return self

    def initialize_optimizer(self, *args, **kwargs):
        # Q shares the discriminator's body: its head is updated by the discriminator's optimizer.
        (g_class, g_kwargs), (d_class, d_kwargs) = self.generator_optimizer, self.discriminator_optimizer
        self.generator_optimizer_ = g_class(self.generator_.parameters(), **g_kwargs)
        d_parameters = list(self.discriminator_.parameters()) + list(self.q_head_.parameters())
        self.discriminator_optimizer_ = d_class(d_parameters, **d_kwargs)
        return self

    def get_default_callbacks(self):
        callbacks = [("info_loss", PassthroughScoring(name="info_loss", on_train=True))]
        if self.neighbour_weight:
            callbacks.append(("neighbour_loss", PassthroughScoring(name="neighbour_loss", on_train=True)))
        return super().get_default_callbacks() + callbacks

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("fake_codes_", None)  # a device tensor of the last call, not part of the model
        return state

    # ---------------------------------------------------------------- codes
    def latent(self, n, like, generator=None):
        """[z, one-hot category, continuous codes] rows, drawn from ``generator`` (default: the training one)."""
        generator = self.generator if generator is None else generator
        noise = super().latent(n, like, generator)
        category = torch.randint(self.n_categories, (n,), generator=generator, device=like.device)
        continuous = torch.rand(n, self.n_continuous, generator=generator, device=like.device, dtype=like.dtype)
        return torch.cat([noise, F.one_hot(category, self.n_categories).to(like.dtype), 2 * continuous - 1], dim=1)

    def fake_rows(self, z, condition, noise_generator):
        self.fake_codes_ = z[:, self.n_components :]
        return super().fake_rows(z, condition, noise_generator)

    def q(self, x):
        """Q's (category logits, continuous means) for rows ``x`` in the network's units."""
        return self.q_head_(self._discriminate(x, None, features=True))

    def information_loss(self, x, codes):
        """``info_loss`` of Q on rows ``x`` generated from ``codes`` = [one-hot category, continuous]."""
        logits, means = self.q(x)
        category = codes[:, : self.n_categories].argmax(dim=1)
        return info_loss(logits, means, category, codes[:, self.n_categories :])

    def neighbour_objective(self, real):
        """(consistency, loss) of :func:`neighbour_loss` for Q's categories of ``real`` rows and their neighbours.

        Each row's neighbour is one of its ``NEIGHBOURS`` nearest rows
        (Euclidean, in the network's units) in the chunk's neighbour pool,
        drawn with the training generator. The nearest row of the pool is
        left out: it is the row itself whenever the row is in the pool.
        None when the pool has fewer than two rows.
        """
        pool = self.neighbour_pool_
        k = min(self.NEIGHBOURS, len(pool) - 1)
        if k < 1:
            return None
        nearest = torch.cdist(real, pool).topk(k + 1, dim=1, largest=False).indices[:, 1:]
        choice = torch.randint(k, (len(real), 1), generator=self.generator, device=real.device)
        neighbours = pool[nearest.gather(1, choice).squeeze(1)]
        return neighbour_loss(F.softmax(self.q(real)[0], dim=1), F.softmax(self.q(neighbours)[0], dim=1))

    def fit_q_to_labels(self, rows, labels, *, n_steps, batch_size, learning_rate, generator):
        """Train the discriminator's body and Q to predict ``labels`` (LongTensor) of ``rows`` (cross-entropy).

        ``n_steps`` Adam steps on batches drawn with replacement by
        ``generator``, with an optimizer of their own: the adversarial
        optimizers start afresh afterwards.
        """
        parameters = list(self.discriminator_.parameters()) + list(self.q_head_.parameters())
        optimizer = torch.optim.Adam(parameters, lr=learning_rate)
        self.discriminator_.train()
        self.q_head_.train()
        for _ in range(n_steps):
            batch = torch.randint(len(rows), (min(batch_size, len(rows)),), generator=generator, device=rows.device)
            loss = F.cross_entropy(self.q(rows[batch])[0], labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    # ----------------------------------------------------------- objectives
    def discriminator_objective(self, real, fake, condition):
        loss, estimate = super().discriminator_objective(real, fake, condition)
        info = self.information_loss(fake, self.fake_codes_)
        loss = loss + self.info_weight * info
        if getattr(self, "batch_info_", None) is not None:  # a training step (not the loss reference)
            self.batch_info_.append(info.detach())
            neighbour = self.neighbour_objective(real) if self.neighbour_weight else None
            if neighbour is not None:
                self.batch_neighbour_.append(neighbour[0].detach())
                loss = loss + self.neighbour_weight * neighbour[1]
        return loss, estimate

    def generator_objective(self, real, fake, condition, z):
        loss = super().generator_objective(real, fake, condition, z)
        return loss + self.info_weight * self.information_loss(fake, z[:, self.n_components :])

    def train_step(self, batch, **fit_params):
        self.q_head_.train()
        self.batch_info_, self.batch_neighbour_ = [], []
        self.neighbour_pool_ = self._split(batch.X[: self.NEIGHBOUR_POOL])[0] if self.neighbour_weight else None
        try:
            step = super().train_step(batch, **fit_params)
            self.history.record_batch("info_loss", float(torch.stack(self.batch_info_).mean()))
            if self.batch_neighbour_:
                self.history.record_batch("neighbour_loss", float(torch.stack(self.batch_neighbour_).mean()))
        finally:
            del self.batch_info_, self.batch_neighbour_, self.neighbour_pool_
        return step


# --------------------------------------------------------------- the estimator
class InfoGAN(GAN):
    __doc__ = (
        """Information-maximising GAN (Chen et al. 2016): latent codes the discriminator can read back.

    The generator receives noise z ~ N(0, I) (``n_components`` numbers) plus
    structured codes: one categorical code with ``n_categories`` equally
    likely values (one-hot) and ``n_continuous`` codes uniform on [-1, 1]. A
    Q head on the discriminator's features (its penultimate layer, shared
    with the real/fake output) estimates Q(c | x): a softmax over the
    categories and unit-variance Gaussians around predicted means for the
    continuous codes. Both players add ``info_weight`` times
    -E[log Q(c | G(z, c))] to their GAN objective, which maximises a
    variational lower bound on the mutual information I(c; G(z, c)) =
    H(c) - that loss: the generator learns to make the codes visible in its
    output, and Q learns to read them. Without labels, the categorical code
    tends to take the data's main discrete factor (on digits: the digit),
    the continuous codes smooth factors (slant, width).

    Like :class:`~sklearn.mixture.GaussianMixture`, it is a density-style
    estimator that also labels rows: ``predict(X)`` is the most probable
    category under Q(c | x), ``predict_proba(X)`` its distribution, and
    ``transform(X)`` Q's code estimates. It is not a ``ClusterMixin``: the
    category is unsupervised and its numbering arbitrary.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the incompressible noise z ~ N(0, I).
    n_categories : int, default=10
        Values of the categorical code (at least 2).
    n_continuous : int, default=2
        Number of continuous codes, uniform on [-1, 1].
    info_weight : float, default=1.0
        Weight lambda of the information term in both objectives.
    neighbour_weight : float, default=0.0
        Weight of a neighbour-consistency term on real rows, added to the
        discriminator's objective (which trains Q): SCAN's clustering loss
        (Van Gansbeke et al. 2020), minus the log of the probability that Q
        puts a real row and one of its 10 nearest rows (Euclidean, in the
        network's units, drawn at random at every step) in the same
        category, plus 5 times KL(mean category distribution || uniform),
        which keeps every category in use. 0 is the paper's InfoGAN, whose
        objective is indifferent between a partition that follows the
        data's classes and one that mixes them; a positive weight makes Q's
        categories follow the data's neighbourhoods, and the generator
        follows Q. On digits, 1.0 raised the median clustering accuracy of
        single fits from 0.73 to 0.86 (see the user guide). The bound
        H(c) - info_loss on the mutual information holds for any Q, so it
        stays valid. Neighbours are searched among at most 4096 rows of the
        training chunk (all rows on small data).
    init_params : {"random", "kmeans", "tsne"}, default="random"
        Where Q's categories start, as ``GaussianMixture``'s ``init_params``
        sets where its components start. "random": from the networks'
        random weights (the paper's InfoGAN). "kmeans": before the
        adversarial training, the discriminator's body and Q learn to
        predict ``KMeans(n_categories)``'s clusters of the training rows (in
        the network's units), in 300 Adam steps of 256 rows; "tsne": the
        same with KMeans on a 2-D :class:`~sklearn.manifold.TSNE` embedding
        of the rows (perplexity 30, less on small data; rows of one
        feature are clustered as they are), whose clusters
        follow the data's classes much more closely where they lie on
        curved manifolds (on digits: 0.945 against KMeans' 0.79). At most
        5000 rows, drawn from ``random_state``, are clustered: t-SNE takes
        about 5 s for 1797 rows and grows as n log n. Only ``fit`` starts
        this way; the adversarial training then moves the categories as
        it would from any start (with ``neighbour_weight``, towards the
        data's neighbourhoods).
    loss : {"non-saturating", "minimax"}, default="non-saturating"
    label_smoothing : float, default=0.0
        One-sided label smoothing, as in :class:`GAN`.
    feature_matching : bool, default=False
        Feature matching, as in :class:`GAN`.
    minibatch_discrimination : bool, default=False
        Minibatch discrimination, as in :class:`GAN`.
    historical_averaging : float, default=0.0
        Historical averaging, as in :class:`GAN`.
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Widths of the default MLP discriminator's hidden layers; the
        generator uses the same widths. Ignored with ``image_shape``.
    learning_rate : float, default=2e-4
        Step size of both optimizers (Adam, betas (0.5, 0.999)).
    batch_size : int, default=64
        Real rows per discriminator step (and latent rows per generator step).
    max_iter : int, default=100
        Epochs: passes of the discriminator over the training rows.
    n_init : int, default=1
        Fits to run, each from its own seed drawn from ``random_state``;
        ``fit`` keeps the one whose categories agree best with the training
        rows' nearest neighbours (``neighbour_agreement_``), as
        :class:`~sklearn.mixture.GaussianMixture` keeps its best likelihood.
        InfoGAN's own objective cannot choose: every fit reads its codes
        back almost perfectly, whether its categories follow the data's
        classes or mix them. A partition that follows the data's structure
        keeps near neighbours together (on digits, this agreement ranked
        ten fits by clustering accuracy with a Spearman correlation of
        0.96). ``fit`` takes ``n_init`` times as long; ``partial_fit``
        continues the kept fit and ignores ``n_init``.
    n_critic : int, default=1
        Discriminator steps per generator step.
    scale : {"auto", "standard", "minmax"} or None, default="auto"
        As in :class:`GAN` ("mode-specific" is not offered: the codes should
        explain the data's structure, not a per-feature mixture). For pixel
        rows use "minmax": "auto" standardises each pixel, which turns the
        rare ink of nearly empty border pixels into values of 10 to 40 that
        the discriminator, and so Q, attend to (on digits the clustering
        accuracy of seed 0 went from 0.61 to 0.81).
    image_shape : tuple (C, H, W) or None, default=None
        DCGAN-style convolutional networks for flat image rows.
    generator, discriminator : torch.nn.Module class or instance, default=None
        Your own networks, as for :class:`GAN`; the generator takes latent
        rows of width ``n_components + n_categories + n_continuous``, and
        the Q head is added on top of the discriminator's ``features``.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness.
    verbose : int, default=0
        0 silent; 1 a progress bar showing the losses; 2 a line per epoch.
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
    neighbour_agreement_ : float
        The share of each training row's 10 nearest neighbours (Euclidean,
        in the network's units, among at most 2000 rows: the deterministic
        subsample ``score`` uses)
        that ``predict`` puts in the row's category, averaged over the rows:
        what ``n_init`` chooses by. Updated by ``partial_fit``.
    history_ : list of dict
        Per epoch: ``discriminator_loss`` and ``generator_loss`` (each with
        its information term), ``info_loss`` (-E log Q(c | G(z, c)) in the
        discriminator steps, in nats: H(c) - info_loss is the variational
        lower bound on the mutual information, H(c) = log(n_categories) +
        n_continuous log 2), with ``neighbour_weight`` > 0 ``neighbour_loss``
        (the consistency part of the neighbour term, in nats: -log of the
        probability that a row and its neighbour share a category),
        ``wasserstein_estimate`` (mean logit gap
        between real and generated rows), ``train_loss`` (= the
        discriminator loss), ``dur``, and ``valid_loss`` (MMD^2) with early
        stopping.
    device_ : str
    net_ : skorch.NeuralNet
        The skorch net; ``net_.generator_``, ``net_.discriminator_`` and
        ``net_.q_head_`` are the torch modules.
"""
        + """
    Notes
    -----
    Packing (PacGAN) is not offered: Q reads one row at a time.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import InfoGAN
    >>> X = load_digits().data / 16
    >>> infogan = InfoGAN(n_categories=10, max_iter=1, random_state=0).fit(X)
    >>> infogan.predict(X[:5]).shape, infogan.predict_proba(X[:5]).shape
    ((5,), (5, 10))
    >>> infogan.sample(3, codes=7).shape  # three rows of the seventh category
    (3, 64)
    """
    )

    _parameter_constraints: dict = {
        **{k: v for k, v in GAN._parameter_constraints.items() if k != "pack"},
        "n_categories": [Interval(Integral, 2, None, closed="left")],
        "n_continuous": [Interval(Integral, 0, None, closed="left")],
        "info_weight": [Interval(Real, 0, None, closed="left")],
        "neighbour_weight": [Interval(Real, 0, None, closed="left")],
        "init_params": [StrOptions({"random", "kmeans", "tsne"})],
        "scale": [StrOptions({"auto", "standard", "minmax"}), None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
    }
    _net_class = InfoGANNet
    _shape_params = GAN._shape_params + ("n_categories", "n_continuous")

    # InfoGAN's Q head reads one row: the discriminator never packs rows.
    pack = 1

    def __init__(
        self,
        n_components=16,
        *,
        n_categories=10,
        n_continuous=2,
        info_weight=1.0,
        neighbour_weight=0.0,
        init_params="random",
        loss="non-saturating",
        label_smoothing=0.0,
        feature_matching=False,
        minibatch_discrimination=False,
        historical_averaging=0.0,
        hidden_layer_sizes=(256, 256),
        learning_rate=2e-4,
        batch_size=64,
        max_iter=100,
        n_init=1,
        n_critic=1,
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
        self.n_categories = n_categories
        self.n_continuous = n_continuous
        self.info_weight = info_weight
        self.neighbour_weight = neighbour_weight
        self.init_params = init_params
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.feature_matching = feature_matching
        self.minibatch_discrimination = minibatch_discrimination
        self.historical_averaging = historical_averaging
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_init = n_init
        self.n_critic = n_critic
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

    # -------------------------------------------------------------- building
    @property
    def _n_latent(self):
        """Width of the generator's input: noise, one-hot category, continuous codes."""
        return self._fitted("n_components") + self._fitted("n_categories") + self._fitted("n_continuous")

    def _build_modules(self, data):
        self._fit_scaling(data)
        n_features = self._scaling.n_outputs
        image_shape = self._fitted("image_shape")
        if self.generator is not None:
            generator = self._user_module(self.generator)
        elif image_shape is not None:
            generator = ConvGenerator(self._n_latent, tuple(image_shape))
        else:
            generator = InfoMLPGenerator(self._n_latent, tuple(self._fitted("hidden_layer_sizes")), n_features)
        if self.discriminator is not None:
            discriminator = self._user_module(self.discriminator)
        elif image_shape is not None:
            discriminator = ConvDiscriminator(tuple(image_shape), minibatch_features=self.minibatch_discrimination)
        else:
            discriminator = InfoMLPDiscriminator(
                n_features, tuple(self._fitted("hidden_layer_sizes")), minibatch_features=self.minibatch_discrimination
            )
        # the width of the discriminator's features sizes the Q head
        training = discriminator.training
        discriminator.eval()
        with torch.no_grad():
            n_features_out = discriminator.features(torch.zeros(2, n_features)).shape[1]
        discriminator.train(training)
        q_head = QHead(n_features_out, self._fitted("n_categories"), self._fitted("n_continuous"))
        return {"module": generator, "discriminator": discriminator, "q_head": q_head}

    def _net_params(self):
        return dict(
            super()._net_params(),
            n_categories=self._fitted("n_categories"),
            n_continuous=self._fitted("n_continuous"),
            info_weight=self.info_weight,
            neighbour_weight=self.neighbour_weight,
        )

    # Q's starting categories (init_params other than "random"): at most INIT_MAX_ROWS rows are clustered
    # (t-SNE's cost grows as n log n), and Q learns their clusters in INIT_STEPS Adam steps.
    INIT_MAX_ROWS = 5000
    INIT_STEPS = 300
    INIT_BATCH_SIZE = 256
    INIT_LEARNING_RATE = 1e-3

    def _build_net(self, data):
        super()._build_net(data)
        if self.init_params != "random":
            # t-SNE's and KMeans' OpenMP threads as torch's: on a busy machine more threads than cores
            # made t-SNE of 200 rows take 20-40 s instead of 1
            n_threads = self._thread_count()
            with torch_threads(n_threads), deterministic_cudnn(self.device_), threadpool_limits(limits=n_threads):
                self._initialise_categories(self._training_rows(data, None).X)

    def _initialise_categories(self, rows):
        """Train Q to predict ``init_params``' clustering of (at most ``INIT_MAX_ROWS`` of) the training rows."""
        rng = check_random_state(self._init_seed)
        if len(rows) > self.INIT_MAX_ROWS:
            chosen = np.sort(rng.choice(len(rows), self.INIT_MAX_ROWS, replace=False))
            rows = rows[torch.as_tensor(chosen, device=rows.device)]
        if min(self._fitted("n_categories"), len(rows)) < 2:
            return
        labels = starting_categories(rows.detach().cpu().numpy(), self._fitted("n_categories"), self.init_params, rng)
        generator = torch.Generator(device=rows.device).manual_seed(int(rng.randint(2**31 - 1)))
        self.net_.fit_q_to_labels(
            rows,
            torch.as_tensor(labels, dtype=torch.long, device=rows.device),
            n_steps=self.INIT_STEPS,
            batch_size=self.INIT_BATCH_SIZE,
            learning_rate=self.INIT_LEARNING_RATE,
            generator=generator,
        )

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to ``X`` from scratch, ``n_init`` times, and keep the best fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : InfoGAN
            The fitted estimator: the fit with the highest ``neighbour_agreement_``.
        """
        if self.n_init == 1:
            return self._fit(X, y, reset=True, epochs=self._epochs_to_run(X))
        seeds = check_random_state(self.random_state).randint(0, 2**31 - 1, size=self.n_init)
        best = None
        for i, seed in enumerate(seeds, start=1):
            candidate = clone(self).set_params(n_init=1, random_state=int(seed)).fit(X, y)
            if self.verbose:
                print(f"InfoGAN fit {i}/{self.n_init}: neighbour agreement {candidate.neighbour_agreement_:.4f}")
            if best is None or candidate.neighbour_agreement_ > best.neighbour_agreement_:
                best = candidate
        # Adopt the kept fit's state; the parameters stay this estimator's own.
        params = self.get_params(deep=False)
        self.__dict__.update({name: value for name, value in vars(best).items() if name not in params})
        return self

    def _fit(self, X, y, *, reset, epochs, validated=False):
        if not validated:
            X = self._validate_X(X, reset=reset, finite=False)
        super()._fit(X, y, reset=reset, epochs=epochs, validated=True)
        X = X[self._score_subsample(X.shape[0])]
        rows = self._apply_in_chunks(X, self._to_network_rows_tensor)
        self.neighbour_agreement_ = neighbour_agreement(rows, self._categories(X))
        return self

    # ----------------------------------------------------------------- codes
    def _code_rows(self, codes, n_samples, generator):
        """[one-hot category, continuous] device rows from ``codes`` (see :meth:`sample`).

        Continuous codes that ``codes`` leaves out are drawn from ``generator``.
        """
        k, c = self._fitted("n_categories"), self._fitted("n_continuous")
        codes = np.asarray(codes)
        if codes.ndim == 0:
            codes = np.full(n_samples, codes)
        if codes.ndim == 1:
            if codes.shape != (n_samples,):
                raise ValueError(f"codes must be one category or {n_samples} categories, got shape {codes.shape}.")
            category, continuous = codes, None
        else:
            codes = check_array(codes, dtype=np.float64, ensure_min_samples=0)
            if codes.shape != (n_samples, 1 + c):
                raise ValueError(
                    f"codes must have shape ({n_samples}, {1 + c}): the category, then the {c} continuous codes; "
                    f"got {codes.shape}."
                )
            category, continuous = codes[:, 0], codes[:, 1:]
        try:
            category = np.asarray(category, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"categories must be integers in [0, {k - 1}], got {category!r}.") from None
        if not (np.all(np.mod(category, 1) == 0) and np.all((category >= 0) & (category < k))):
            raise ValueError(f"categories must be integers in [0, {k - 1}], got {np.unique(category).tolist()}.")
        onehot = torch.as_tensor(np.eye(k)[category.astype(int)], device=self.device_, dtype=self._torch_dtype)
        if continuous is None:
            drawn = torch.rand(n_samples, c, generator=generator, device=self.device_, dtype=self._torch_dtype)
            continuous = 2 * drawn - 1
        else:
            continuous = torch.as_tensor(continuous, device=self.device_, dtype=self._torch_dtype)
        return torch.cat([onehot, continuous], dim=1)

    def sample(self, n_samples=1, *, random_state=None, codes=None):
        """Draw x = G(z, c) for fresh noise z and codes c given or drawn.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.
        random_state : int, RandomState instance or None, default=None
            None continues the estimator's own sampling stream; a value makes
            this call reproducible on its own.
        codes : int, array-like of shape (n_samples,) or (n_samples, 1 + n_continuous), default=None
            None draws the category uniformly and the continuous codes
            uniformly on [-1, 1]. One integer gives every row that category;
            a 1-D array one category per row (continuous codes drawn); a 2-D
            array the category (first column) and the continuous codes of
            each row.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            In the training data's dtype and scale.
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        generator = self._sampling_generator(random_state)
        if codes is None:
            z = self._latent(n_samples, generator)
        else:
            code_rows = self._code_rows(codes, n_samples, generator)
            z = torch.cat([AdversarialNet.latent(self.net_, n_samples, code_rows, generator), code_rows], dim=1)
        return self._as_output(self._generate(z, noise_generator=generator))

    def generate(self, Z, codes=None):
        """Map given noise rows (and codes) through the generator: a deterministic function.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components)
            The noise part of the latent rows.
        codes : int, array-like of shape (n_samples,) or (n_samples, 1 + n_continuous), default=None
            As in :meth:`sample`, except that continuous codes left out are
            0, and None gives the categories in equal shares, in order.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The generator's output, in the training data's dtype and scale.
        """
        z = self._check_latent(Z)
        n, k, c = z.shape[0], self._fitted("n_categories"), self._fitted("n_continuous")
        codes = (np.arange(n) * k) // max(n, 1) if codes is None else np.asarray(codes)
        if codes.ndim == 0:
            codes = np.full(n, codes)
        if codes.ndim == 1 and codes.shape == (n,):
            codes = np.column_stack([codes, np.zeros((n, c))])
        return self._generate(torch.cat([z, self._code_rows(codes, n, None)], dim=1))

    # ------------------------------------------------------------------- Q
    def _q_outputs(self, X):
        """(category logits, continuous means) of validated rows, as float64 arrays."""
        net = self.net_
        net.discriminator_.eval()
        net.q_head_.eval()

        def q(x):
            logits, means = net.q(self._to_network_rows_tensor(x))
            return torch.cat([logits, means], dim=1)

        out = self._apply_in_chunks(X, q).astype(np.float64)
        k = self._fitted("n_categories")
        return out[:, :k], out[:, k:]

    def _to_network_rows_tensor(self, x):
        return self._scaling.transform(x)

    def predict_proba(self, X):
        """Q(c = k | x) for every category k.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to read the categories of.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_categories)
            Each row sums to 1.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        logits, _ = self._q_outputs(X)
        logits = logits - logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most probable category of each row under Q(c | x).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Integers in [0, n_categories).
        """
        self._check_fitted()
        return self._categories(self._validate_X(X, reset=False))

    def _categories(self, X):
        """The most probable category under Q(c | x) of validated rows X."""
        logits, _ = self._q_outputs(X)
        return logits.argmax(axis=1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None):
        """Fit the model and return the category of each training row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The category of each row, integers in [0, n_categories).
        """
        return self.fit(X).predict(X)

    def transform(self, X):
        """Estimate the codes with Q: the category probabilities, then the continuous codes' means.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to map to features.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_categories + n_continuous)
            In the dtype of ``X``.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        logits, means = self._q_outputs(X)
        logits = logits - logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return np.hstack([proba, means]).astype(X.dtype, copy=False)

    @property
    def _n_features_out(self):
        return self._fitted("n_categories") + self._fitted("n_continuous")
