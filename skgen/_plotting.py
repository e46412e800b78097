"""Small matplotlib helpers for the demo and the examples (``pip install skgen[plot]``).

Figures are drawn with the Agg backend on :class:`matplotlib.figure.Figure`
objects, never through ``pyplot``, so nothing here changes the user's backend
or opens a window.
"""

import math
from pathlib import Path

import numpy as np

PLOT_HINT = "Pictures need matplotlib: pip install skgen[plot]"

# Screen pixels per image (about) in a grid, pixels reserved for a title, and the resolution.
_CELL_PIXELS = 45
_TITLE_PIXELS = 40
_DPI = 100


def new_figure(figsize):
    """Return a matplotlib ``Figure`` of ``figsize`` inches drawn by the Agg backend.

    Raises
    ------
    ImportError
        If matplotlib is not installed (the message says how to install it).
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(PLOT_HINT) from exc
    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure


def _scaled(images, vmin, vmax):
    """Images mapped to [0, 1]: each by its own range, or all by [vmin, vmax]."""
    if vmin is None and vmax is None:
        low = images.min(axis=(1, 2), keepdims=True)
        span = images.max(axis=(1, 2), keepdims=True) - low
        return np.divide(images - low, span, out=np.full_like(images, 0.5), where=span > 0)
    low = images.min() if vmin is None else vmin
    high = images.max() if vmax is None else vmax
    return np.clip((images - low) / max(high - low, np.finfo(float).tiny), 0.0, 1.0)


def image_grid(images, shape, path, *, n_cols, title=None, vmin=None, vmax=None, cmap="gray_r"):
    """Save images as a grid in a PNG file.

    Parameters
    ----------
    images : array-like of shape (n_images, height * width) or (n_images, height, width)
        The images, e.g. rows of a data set, samples or ``components_``.
    shape : tuple of int
        (height, width) of one image.
    path : str or path-like
        Where to write the PNG; missing parent folders are created.
    n_cols : int
        Images per row of the grid.
    title : str, default=None
        Title drawn above the grid.
    vmin, vmax : float, default=None
        Grey-level range shared by all images (as in ``imshow``); when both
        are None each image is stretched to its own range, which suits
        filters such as ``components_``.
    cmap : str, default="gray_r"
        Colour map; ``"gray_r"`` draws 0 as white and 1 as black.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    height, width = shape
    images = np.asarray(images, dtype=np.float64).reshape(-1, height, width)
    n_rows = max(1, math.ceil(len(images) / n_cols))
    # One mosaic with a one-pixel border around every image: NaN is drawn as the border colour.
    mosaic = np.full((n_rows * (height + 1) + 1, n_cols * (width + 1) + 1), np.nan)
    for i, image in enumerate(_scaled(images, vmin, vmax)):
        top, left = 1 + (i // n_cols) * (height + 1), 1 + (i % n_cols) * (width + 1)
        mosaic[top : top + height, left : left + width] = image

    # A whole number of screen pixels per image pixel keeps every border equally thick.
    zoom = max(1, round(_CELL_PIXELS / (width + 1)))
    grid_pixels = zoom * mosaic.shape[0]
    total_pixels = grid_pixels + (_TITLE_PIXELS if title else 0)
    figure = new_figure((zoom * mosaic.shape[1] / _DPI, total_pixels / _DPI))
    from matplotlib import colormaps  # importable: new_figure has checked


    axes = figure.add_axes((0.0, 0.0, 1.0, grid_pixels / total_pixels))
    colours = colormaps[cmap].with_extremes(bad="#8c9fb5")
    axes.imshow(mosaic, cmap=colours, vmin=0.0, vmax=1.0, interpolation="nearest", aspect="auto")
    axes.set_axis_off()
    if title:
        figure.suptitle(title, y=1.0 - 6 / total_pixels, va="top")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=_DPI)
    return path
