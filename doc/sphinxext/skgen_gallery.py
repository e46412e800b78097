"""Sphinx-gallery hooks for skgen's examples.

The examples draw on :class:`matplotlib.figure.Figure` objects and save PNG
files into the folder named by their first argument; they never use pyplot,
so the matplotlib scraper sees nothing. Instead, :func:`reset_argv` gives
each example an empty folder of its own, and :func:`png_scraper` moves the
PNG files written by each code block into the gallery, in the order written.
conf.py names both by their import path (``"skgen_gallery.png_scraper"``),
which keeps ``sphinx_gallery_conf`` picklable.
"""

import os
import shutil
import tempfile
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

OUTPUT_ROOT = Path(tempfile.gettempdir()) / "skgen-gallery"


def _output_dir(src_file):
    return OUTPUT_ROOT / Path(src_file).stem


def reset_argv(gallery_conf, script_vars):
    """Command-line arguments of an example: a fresh output folder, and --quick."""
    output_dir = _output_dir(script_vars["src_file"])
    shutil.rmtree(output_dir, ignore_errors=True)
    output_dir.mkdir(parents=True)
    # Examples with a main() take --quick; the others read SKGEN_QUICK.
    quick = os.environ.get("SKGEN_QUICK") == "1"
    return [str(output_dir)] + (["--quick"] if quick else [])


def png_scraper(block, block_vars, gallery_conf):
    """Move the PNG files the last code block wrote into the gallery's image paths."""
    output_dir = _output_dir(block_vars["src_file"])
    written = sorted(output_dir.rglob("*.png"), key=lambda path: path.stat().st_mtime_ns)
    images = []
    for png, image_path in zip(written, block_vars["image_path_iterator"]):
        shutil.move(png, image_path)
        images.append(image_path)
    return figure_rst(images, gallery_conf["src_dir"])
