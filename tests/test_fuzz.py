"""Bad input, fuzzed: every public estimator and method answers it with a clear error or a sound result.

For each estimator of tests/test_common.py's CASES, hypothesis draws bad or
awkward inputs (NaN and infinity, empty, 1-D and 3-D arrays, object, string
and complex dtypes, DataFrames with string columns, the wrong number of
features, values of 1e30, constant columns, a single row, bad ``n_samples``,
bad labels for conditional models) and feeds them to ``fit`` (on a fresh
clone) or to a method of a fitted model. Each call must either raise
ValueError or TypeError with a message that names the problem, or return a
result without NaN; any other exception (IndexError, torch's RuntimeError,
AttributeError, ...) is an internal error and fails the test.
"""

import inspect
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from conftest import DEVICE
from test_common import CASES

pd = pytest.importorskip("pandas")

EXAMPLES_PER_ESTIMATOR = 200

# What a message must mention for an input that is certainly wrong.
NAN, INF, EMPTY, ONE_D, THREE_D, STRINGS, COMPLEX, WIDTH, N_SAMPLES, LABELS = (
    "NaN", "inf", "sample", "2D", "dim", "string|convert|float|numeric|dtype", "omplex", "feature",
    "n_samples", "label|class|y ",
)
AWKWARD = None  # may work or raise, but never an internal error or NaN


def _bad_arrays(X):
    """(name, input, keyword or AWKWARD) of bad or awkward versions of valid rows X."""
    rows = np.asarray(X, dtype=np.float64)[:6].copy()
    nan, inf = rows.copy(), rows.copy()
    nan[1, 0], inf[2, -1] = np.nan, np.inf
    strings = pd.DataFrame(rows).astype(object)
    strings[strings.columns[0]] = "a"
    return [
        ("nan", nan, NAN),
        ("inf", inf, INF),
        ("empty", rows[:0], EMPTY),
        ("1-D", rows[0], ONE_D),
        ("3-D", rows[None], THREE_D),
        ("object strings", np.full(rows.shape, "abc", dtype=object), STRINGS),
        ("numeric strings", rows.astype(str).astype(object), AWKWARD),  # converted, as scikit-learn does
        ("string array", np.full(rows.shape, "x"), STRINGS),
        ("complex", rows.astype(np.complex128) + 1j, COMPLEX),
        ("frame with a string column", strings, STRINGS),
        ("one feature too many", np.hstack([rows, rows[:, :1]]), WIDTH),
        ("one feature too few", rows[:, :-1], WIDTH),
        ("1e30", rows * 1e30, AWKWARD),
        ("-1e30", rows * -1e30, AWKWARD),
        ("constant columns", np.ones_like(rows), AWKWARD),
        ("single row", rows[:1], AWKWARD),
        ("float32", rows.astype(np.float32), AWKWARD),
        ("ints", rows.astype(int), AWKWARD),
        ("list of lists", rows.tolist(), AWKWARD),
    ]


def _bad_sample_sizes():
    return [
        ("negative", -1, N_SAMPLES),
        ("float", 2.5, N_SAMPLES),
        ("integral float", 2.0, N_SAMPLES),
        ("bool", True, N_SAMPLES),
        ("string", "3", N_SAMPLES),
        ("None", None, N_SAMPLES),
        ("numpy int", np.int64(2), AWKWARD),
        ("zero", 0, AWKWARD),
    ]


def _bad_targets(y):
    """(name, bad y, keyword) for labels (conditional models) or for regression targets (Pix2Pix)."""
    y = np.asarray(y)
    if y.ndim == 2 or y.dtype.kind == "f":  # targets of a regressor
        strings = y.astype(str).astype(object)
        strings[0] = "abc"
        return [
            ("wrong length", y[:-1], "sample|length|inconsistent"),
            ("NaN targets", np.full(y.shape, np.nan), "NaN"),
            ("string targets", strings, STRINGS),
        ]
    return [
        ("unseen label", np.full(len(y), "never seen", dtype=object), AWKWARD),  # a new model: any labels go
        ("wrong length", y[:-1], "label|sample|length|inconsistent"),
        ("NaN labels", np.full(len(y), np.nan), "NaN|label|y "),
        ("2-D labels", np.c_[y, y], "y|shape|1d|label|column"),
    ]


def _check_outcome(call, keyword, what):
    """Run call(); it must raise ValueError/TypeError naming ``keyword``, or return a NaN-free result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = call()
        except (ValueError, TypeError) as error:
            message = str(error)
            assert message, f"{what}: an empty error message"
            if keyword is not None:
                assert any(k.lower() in message.lower() for k in keyword.split("|")), f"{what}: {message!r}"
            return
    if keyword is not None and keyword not in (AWKWARD,):
        pytest.fail(f"{what}: accepted without an error")
    for part in result if isinstance(result, tuple) else (result,):
        values = np.asarray(part)
        if values.dtype.kind in "fc":
            assert not np.isnan(values).any(), f"{what}: a silent NaN result"


@pytest.fixture(scope="module")
def fitted():
    models = {}
    for name, (make, data, _) in CASES.items():
        args = data()
        models[name] = (make(random_state=0, device=DEVICE).fit(*args), args)
    return models


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_clear_error(name, fitted):
    model, args = fitted[name]
    X = args[0]
    labels = args[1] if len(args) > 1 else None
    methods = [m for m in ("transform", "score_samples", "score", "inverse_transform", "predict", "predict_proba",
                           "elbo", "energy_samples", "free_energy", "generate") if hasattr(model, m)]
    arrays = _bad_arrays(X)
    conditions_on_rows = "X" in inspect.signature(model.sample).parameters
    cases = []
    for array_name, array, keyword in arrays:
        cases.append(("fit", array_name, keyword))
        cases += [(method, array_name, keyword) for method in methods]
    cases += [("sample", size_name, keyword) for size_name, _, keyword in _bad_sample_sizes()]
    if labels is not None:
        cases += [("fit targets", target_name, keyword) for target_name, _, keyword in _bad_targets(labels)]

    @settings(max_examples=EXAMPLES_PER_ESTIMATOR, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(cases), st.integers(0, 2**16))
    def check(case, seed):
        method, input_name, keyword = case
        what = f"{name}.{method}({input_name})"
        if method == "sample":
            size = dict((n, v) for n, v, _ in _bad_sample_sizes())[input_name]
            if conditions_on_rows:  # Pix2Pix.sample(X, n_draws=...): the size is the draws per row
                call = lambda: model.sample(X[:3], n_draws=size, random_state=seed)
                keyword = "n_draws|n_samples" if keyword is not AWKWARD else keyword
            else:
                call = lambda: model.sample(size, random_state=seed)
            _check_outcome(call, keyword, what)
        elif method == "fit targets":
            bad_y = dict((n, v) for n, v, _ in _bad_targets(labels))[input_name]
            _check_outcome(lambda: clone(model).fit(X[: len(labels)], bad_y), keyword, what)
        else:
            array = dict((n, a) for n, a, _ in arrays)[input_name]
            if method == "fit":  # a new model: any width goes, and absurd values may diverge (a ValueError)
                fit_keyword = AWKWARD if keyword == WIDTH else keyword
                fit_args = (array,) if labels is None else (array, labels[: len(array)] if np.ndim(array) == 2 else labels)
                _check_outcome(lambda: clone(model).set_params(random_state=seed).fit(*fit_args), fit_keyword, what)
            elif method in ("generate", "inverse_transform"):
                # these take latent rows, whose width has nothing to do with X's; no rows is no draws
                latent_keyword = AWKWARD if keyword == WIDTH or input_name == "empty" else keyword
                _check_outcome(lambda: getattr(model, method)(array), latent_keyword, what)
            else:
                call_args = (array,) if method != "score" or labels is None else (array, labels[: len(array)])
                _check_outcome(lambda: getattr(model, method)(*call_args), keyword, what)

    check()
