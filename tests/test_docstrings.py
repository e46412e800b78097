"""Every public docstring of skgen passes numpydoc's validation.

As scikit-learn's ``sklearn/tests/test_docstrings.py``: the public classes and
functions (``skgen.__all__`` and the ``__all__`` of skgen.datasets, .metrics,
.sampling, .nn, .ebm and .pipeline), and the public methods and properties
those classes get from skgen itself (not the ones inherited from
scikit-learn, skorch or torch), go through ``numpydoc.validate.validate``;
each object is one test case, failing on any error whose code is checked.
These docstrings are also the API reference of the documentation site.

Checked: every numpydoc code (``numpydoc.validate.ERROR_MSGS``) except those
in ``IGNORED`` below. ``EX01`` (no Examples section) is checked for the
classes of ``skgen.__all__`` only.

Nothing is fitted: the whole module runs in seconds.
"""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import skgen  # noqa: E402

MODULES = ["skgen.datasets", "skgen.metrics", "skgen.sampling", "skgen.nn", "skgen.ebm", "skgen.pipeline"]

IGNORED = {
    # A one-line summary says enough for most methods and small functions.
    "ES01": "no extended summary",
    # Cross-references where they help (the RBMs, DBN), not on every object.
    "SA01": "no See Also section",
    # numpydoc allows naming a single returned value ("self : VAE",
    # "log_z : float"), which the names in the text refer to; scikit-learn
    # ignores RT02 too.
    "RT02": "a single return value with a name",
    # The GAN family's parameter sections are assembled from a shared
    # template (skgen/gan/_estimator.py) that lists each model's own
    # parameters first; matching the signature's order would mean
    # restructuring that code. Every parameter is still checked to be
    # documented (PR01) and to exist (PR02).
    "PR03": "parameters documented in another order than the signature's",
    # Checked for the estimator classes only (see below): methods, functions
    # and torch modules are shown by the class examples and the gallery.
    "EX01": "no Examples section",
}
CHECKED = sorted(set(numpydoc_validate.ERROR_MSGS) - set(IGNORED))


def _own_members(cls):
    """Public methods and properties of ``cls`` defined in a skgen class (any in its MRO)."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next(klass for klass in cls.__mro__ if name in vars(klass))
        member = inspect.getattr_static(owner, name)
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        # Functions and properties only: not sklearn's generated set_*_request
        # descriptors or class attributes such as InfoGAN.pack.
        if owner.__module__.startswith("skgen") and (inspect.isfunction(member) or isinstance(member, property)):
            yield name


def public_objects():
    """(qualified name, object, is an estimator class of skgen.__all__) for every public object."""
    found, seen = [], set()

    def add(qualname, obj, top_level):
        if id(obj) in seen:  # e.g. skgen.ebm.EBM is skgen.EBM
            return
        seen.add(id(obj))
        found.append((qualname, top_level and inspect.isclass(obj)))
        if inspect.isclass(obj):
            found.extend((f"{qualname}.{name}", False) for name in _own_members(obj))

    for name in skgen.__all__:
        add(f"skgen.{name}", getattr(skgen, name), top_level=True)
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            add(f"{module_name}.{name}", getattr(module, name), top_level=False)
    return found


OBJECTS = public_objects()


def test_collection():
    """The collection finds the objects it should (so a passing run means something)."""
    names = {name for name, _ in OBJECTS}
    expected = {
        "skgen.BernoulliRBM", "skgen.BernoulliRBM.fit", "skgen.BernoulliRBM.log_z_", "skgen.GAN.sample",
        "skgen.DivergenceError", "skgen.datasets.make_ising", "skgen.metrics.mmd2", "skgen.sampling.GeometricPath",
        "skgen.sampling.GeometricPath.annealed_transition", "skgen.nn.UNet.forward", "skgen.ebm.ReplayBuffer.push",
        "skgen.pipeline.sample",
    }
    assert expected <= names, sorted(expected - names)
    # Inherited from scikit-learn or torch: documented there, not checked here.
    assert not names & {"skgen.BernoulliRBM.get_params", "skgen.BernoulliRBM.fit_transform", "skgen.nn.UNet.train"}
    assert len(OBJECTS) > 100


@pytest.mark.parametrize("name, is_estimator_class", OBJECTS, ids=[name for name, _ in OBJECTS])
def test_docstring(name, is_estimator_class):
    checked = set(CHECKED) | ({"EX01"} if is_estimator_class else set())
    result = numpydoc_validate.validate(name)
    errors = [f"{code}: {message}" for code, message in result["errors"] if code in checked]
    assert not errors, f"{name} ({result['file']}:{result['file_line']}):\n" + "\n".join(errors)
