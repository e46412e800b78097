"""Exceptions raised by skgen estimators."""


class DivergenceError(FloatingPointError):
    """Raised when training produces a non-finite loss or non-finite parameters.

    The message names the epoch at which training diverged and the usual fix
    (a smaller ``learning_rate``). The estimator is left unfitted-looking only
    in the sense that its parameters are not to be trusted: refit it.
    """
