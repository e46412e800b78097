"""Exceptions raised by skgen estimators."""


class DivergenceError(ValueError, FloatingPointError):
    """Raised when training diverges: a loss or parameter becomes non-finite, or the loss explodes.

    The message names the epoch, the criterion that fired and the fix that
    fits the case (a smaller ``learning_rate``; scaling the data when its
    scale is far from the model's). It is a ``ValueError`` (the settings or
    the data cannot be fitted as given), so code that handles bad input
    handles it too, and a ``FloatingPointError`` (what went wrong is
    arithmetic). The estimator's parameters are not to be trusted: refit it.

    Examples
    --------
    >>> from skgen import DivergenceError
    >>> try:
    ...     raise DivergenceError("the loss is NaN at epoch 3: try a smaller learning_rate")
    ... except ValueError as error:  # caught with the other bad-input errors
    ...     print(type(error).__name__, isinstance(error, FloatingPointError))
    DivergenceError True
    """
