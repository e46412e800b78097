"""Fast Bernoulli draws."""

import torch


def bernoulli_sample(probs, generator, out=None, noise=None):
    """0/1 draws with P(1) = probs, in probs' dtype.

    ``uniform_`` then a comparison into ``out`` is 3-4x faster than
    ``torch.bernoulli`` on the CPU. ``out`` may be ``probs`` itself;
    ``noise`` is an optional scratch buffer of probs' shape.
    """
    noise = torch.empty_like(probs) if noise is None else noise
    noise.uniform_(generator=generator)
    if out is None:
        out = torch.empty_like(probs)
    return torch.lt(noise, probs, out=out)
