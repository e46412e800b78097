"""Sphinx configuration of skgen's documentation.

Build (from the repository root)::

    pip install -e ".[doc]"
    python -m sphinx -W -b html doc doc/_build/html

The gallery runs every ``examples/plot_*.py`` in quick mode (fewer epochs);
``SKGEN_QUICK=0 python -m sphinx ...`` runs them as written.
"""

import os
import posixpath
import re
import sys
from pathlib import Path

import skgen

DOC = Path(__file__).resolve().parent
# The gallery hooks live in doc/sphinxext, imported by name (see below).
sys.path.insert(0, str(DOC / "sphinxext"))

# Examples read this (directly or through --quick) to train for fewer epochs.
os.environ.setdefault("SKGEN_QUICK", "1")

project = "skgen"
author = "skgen developers"
copyright = "skgen developers"
version = release = skgen.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
# The build output and the gallery hooks are not pages.
exclude_patterns = ["_build", "sphinxext"]

# -- MyST: the Markdown guides ------------------------------------------------
# $...$ and $$...$$ math as in the guides; anchors for "page.md#section" links.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# -- API reference: autosummary + numpydoc --------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
# Methods first, then properties; alphabetical within each group.
autodoc_default_options = {"member-order": "groupwise"}
# "fit" rather than "BernoulliRBM.fit" in the page's table of contents.
toc_object_entries_show_parents = "hide"
# Members are listed by the class template (doc/_templates/autosummary/class.rst),
# not by numpydoc, so that only skgen's own methods appear.
numpydoc_show_class_members = False
numpydoc_validation_checks = set()  # tests/test_docstrings.py validates instead


def skip_foreign_members(app, what, name, obj, skip, options):
    """Document only members defined in skgen, not those of sklearn, torch or object.

    Estimators inherit ``get_params``, ``set_output``, ... from scikit-learn and
    the networks some fifty methods from ``torch.nn.Module``; their own
    documentation covers them.
    """
    if what != "class" or skip:
        return skip
    module = getattr(obj, "__module__", None) or getattr(getattr(obj, "fget", None), "__module__", None)
    return None if (module or "").startswith("skgen") else True


# The Markdown pages link to files of the repository (``../examples/plot_x.py``,
# ``../../benchmarks/bench_x.py``, ``../README.md``) so that they work when read
# on a code host. In the site, a link to an example goes to its gallery page and
# any other link out of doc/ becomes its text alone; the files stay unchanged.
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s#]+)\)")
EXAMPLE = re.compile(r"examples/(plot_\w+)\.py")


def redirect_repository_links(app, docname, source):
    if not app.env.doc2path(docname).suffix == ".md":
        return
    page_dir = posixpath.dirname(docname)

    def replace(match):
        text, target = match.groups()
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, ...
            return match.group(0)
        path = posixpath.normpath(posixpath.join("doc", page_dir, target))
        if not path.startswith("../") and not path.startswith("doc/"):
            example = EXAMPLE.fullmatch(path)
            if example:  # relative to the page, as MyST resolves it
                gallery_page = posixpath.join("auto_examples", example.group(1) + ".rst")
                return f"[{text}]({posixpath.relpath(gallery_page, page_dir or '.')})"
            return text
        return match.group(0)

    source[0] = MARKDOWN_LINK.sub(replace, source[0])


def setup(app):
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("source-read", redirect_repository_links)


# -- Gallery --------------------------------------------------------------------
# The examples save PNG files instead of showing figures: each gets its own
# output folder as argv[1], and a scraper moves the files a code block wrote
# into the gallery (doc/sphinxext/skgen_gallery.py).
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "reset_argv": "skgen_gallery.reset_argv",
    "image_scrapers": ("skgen_gallery.png_scraper",),
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skgen",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
}

# -- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skgen {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 8,
}
html_static_path = []
# The front page and the guides have no sub-pages: no empty left sidebar.
html_sidebars = {"index": [], "user_guide/*": []}
