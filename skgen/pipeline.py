"""Sampling through a fitted scikit-learn pipeline."""

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["sample"]


def sample(pipeline, n_samples=1, *, random_state=None, **sample_params):
    """Draw from a pipeline's last step and map the draws back to the data's units.

    ``make_pipeline(StandardScaler(), GAN())`` learns the distribution of
    standardised rows; its GAN samples standardised rows. This draws them
    from the last step's ``sample`` and passes them back through the
    ``inverse_transform`` of every earlier step, last to first, so they come
    out in the units of the pipeline's input.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline whose last step has a ``sample`` method and whose
        other steps have ``inverse_transform`` (``"passthrough"`` steps are
        skipped).
    n_samples : int, default=1
        Number of draws.
    random_state : int, RandomState instance or None, default=None
        Passed to the last step's ``sample``.
    **sample_params : dict
        Other keyword arguments of the last step's ``sample``, e.g.
        ``y=`` for :class:`~skgen.CGAN`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The draws in the data's units (``n_features`` of the pipeline's
        input). When the last step returns
        ``(X, y)`` (conditional models), ``(X, y)`` with the labels untouched.

    Raises
    ------
    ValueError
        When a step before the last has no ``inverse_transform``, or the last
        step cannot sample; the message names the step.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgen import GaussianBinaryRBM
    >>> from skgen.datasets import make_gaussian_mixture
    >>> from skgen.pipeline import sample
    >>> X, _, _ = make_gaussian_mixture("ring", 300, random_state=0)
    >>> pipe = make_pipeline(StandardScaler(), GaussianBinaryRBM(n_components=8, n_iter=2, random_state=0))
    >>> draws = sample(pipe.fit(X * 100), 5, random_state=0)
    >>> draws.shape, bool(abs(draws).max() > 10)  # in the data's units, not standardised ones
    ((5, 2), True)
    """
    if not isinstance(pipeline, Pipeline):
        raise ValueError(f"sample needs a scikit-learn Pipeline, got {type(pipeline).__name__}.")
    check_is_fitted(pipeline)
    *earlier, (last_name, last_step) = pipeline.steps
    if not hasattr(last_step, "sample"):
        raise ValueError(f"The pipeline's last step {last_name!r} ({type(last_step).__name__}) has no sample method.")
    for name, step in earlier:
        if step not in (None, "passthrough") and not hasattr(step, "inverse_transform"):
            raise ValueError(
                f"Step {name!r} ({type(step).__name__}) has no inverse_transform, so samples cannot be "
                "mapped back through it to the data's units."
            )
    drawn = last_step.sample(n_samples, random_state=random_state, **sample_params)
    X, labels = drawn if isinstance(drawn, tuple) else (drawn, None)
    for _, step in reversed(earlier):
        if step not in (None, "passthrough"):
            X = step.inverse_transform(X)
    return X if labels is None else (X, labels)
