"""Fingerprints of many small fits: proof that a refactor changed no number.

Runs a fixed table of small ``SimpleMLPRegressor`` fits (every solver, SGD
schedule and momentum, loss, activation, bounded output, sample weights,
float32, sparse CSR and multi-output input, ``alpha="auto"``, early
stopping, warm starts, ``partial_fit``, short last batches, more than 1,024
rows, a diverging fit, fits stopped by ``max_iter``) and records, for each,
every fitted attribute (``coefs_``, ``intercepts_``, ``loss_curve_``,
``n_iter_``, ``loss_``, ``best_loss_``, ``validation_scores_``,
``validation_loss_curve_``, ``best_validation_score_``, ``t_``,
``alpha_``, ``solver_``), the predictions on the training rows and on new
rows, and the categories of the warnings the case raised. It uses only the
public API, so the same script runs against any version of the package:
whichever ``sknn_simple`` is importable (its path is printed first).

``--save FILE.npz`` records the fingerprints. ``--compare FILE.npz`` runs
the table again and reports, per case, whether every array is bit-identical
to the saved one (``np.array_equal``, NaN-aware, same dtype and shape) and
else the largest absolute and relative differences; the warnings must
match too, and a case that raises must raise the same error. It exits
with status 1 unless every numpy case is bit-identical.

A second group fits a few of the same cases (adam, sgd and lbfgs, float64
and float32) on torch CPU tensors, and on array-api-strict arrays, under
``sklearn.config_context(array_api_dispatch=True)``. Those need not be
bit-identical: ``--compare`` checks every float field (params,
predictions, curves) against the numpy fit of the same case in the same
run and against the saved run, to a relative (and absolute) tolerance of
1e-10 in float64 and 1e-5 in float32, and every other field for equality;
a case outside, or one that raises, also makes the exit status 1. The
group is skipped, with a note, where the loaded sknn_simple (with this
scikit-learn) declares no array API support (its ``array_api_support``
estimator tag), and a library that is not installed is left out.

Every case runs serially in the main thread; the thread count of the BLAS
is left as it is. Run from the repository root, the old code first::

    PYTHONPATH=/tmp/start python benchmarks/fit_fingerprints.py --save before.npz
    python benchmarks/fit_fingerprints.py --compare before.npz

``--only TEXT`` runs the cases whose name contains TEXT; ``--list`` names
the cases; ``--perturb CASE`` nudges that case's first training value by
64 ulps, to check that ``--compare`` catches a change.
"""

import argparse
import contextlib
import importlib.metadata
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

# scikit-learn dispatches to the array API only with scipy's support on,
# which must be set before scipy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import make_friedman1, make_regression  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402

import sknn_simple  # noqa: E402
from sknn_simple import SimpleMLPRegressor  # noqa: E402

#: Relative and absolute tolerance of the array API cases, by dtype.
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}
#: How a None attribute is stored (an npz holds arrays only).
NONE = np.array("None")
#: Separates a case's name from a field's in the npz keys.
SEP = "/"


# ------------------------------------------------------------------ inputs
@dataclass
class Data:
    """One case's arrays: training rows, targets, weights and new rows."""

    X: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    X_new: object


class Inputs:
    """How a case hands its arrays to the estimator.

    Parameters
    ----------
    convert : callable or None
        Turns a numpy array into the input library's (None: numpy itself).
    nudge : bool
        Move the first stored value of the training X by 64 ulps
        (``--perturb``): about 1e-14 of it in float64, 8e-6 in float32. (One
        ulp of one value can round away in the first layer's sums.)
    """

    def __init__(self, convert=None, nudge=False):
        self.convert = convert
        self.nudge = nudge

    def __call__(self, array):
        """``array`` in the input library; None stays None."""
        if array is None or self.convert is None:
            return array
        return self.convert(array)

    def train(self, X):
        """The training X, nudged when asked."""
        if self.nudge:
            X = X.copy()
            values = X.data if sp.issparse(X) else X.reshape(-1)
            values[0] += 64 * np.spacing(values[0])
        return self(X)


def to_numpy(value):
    """A numpy array of ``value`` (numpy, torch, array-api-strict or a
    Python scalar); None becomes :data:`NONE`."""
    if value is None:
        return NONE
    if isinstance(value, np.ndarray | float | int | str | list | tuple):
        return np.asarray(value)
    if hasattr(value, "cpu"):  # torch
        return value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError):  # array-api-strict has no __array__
        return np.from_dlpack(value)


# -------------------------------------------------------------------- data
def friedman(n=150, n_features=6, seed=0, dtype=np.float64, n_new=300):
    """Friedman #1 regression data, standardised: ``n`` training rows and
    ``n_new`` new ones."""
    X, y = make_friedman1(
        n + n_new, n_features=n_features, noise=0.5, random_state=seed
    )
    X = ((X - 0.5) * np.sqrt(12)).astype(dtype)  # standardised: mean 0, std 1
    return Data(X[:n], y[:n], None, X[n:])


def uniform(n=120, dtype=np.float64, seed=0):
    """``tests/test_array_api.py``'s data: a smooth target, positive weights."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n + 80, 5)).astype(dtype)
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n + 80)
    weights = rng.uniform(0.5, 2.0, size=n).astype(dtype)
    return Data(X[:n], y[:n], weights, X[n:])


def multi_output(n=150, n_targets=3, seed=0):
    """Linear data with ``n_targets`` correlated target columns."""
    X, y = make_regression(
        n + 200,
        n_features=6,
        n_informative=4,
        n_targets=n_targets,
        noise=5.0,
        random_state=seed,
    )
    return Data(X[:n], y[:n], None, X[n:])


def non_negative(data):
    """``data`` with y clipped at 0 (the Poisson loss)."""
    return Data(data.X, np.maximum(data.y, 0.0), data.sample_weight, data.X_new)


def counts(n=150, seed=0):
    """Poisson counts whose mean grows with X."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n + 200, 4))
    y = rng.poisson(np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.5)).astype(float)
    return Data(X[:n], y[:n], None, X[n:])


def in_range(data, low, high):
    """``data`` with y mapped linearly into the open interval (low, high)."""
    unit = (data.y - data.y.min()) / (data.y.max() - data.y.min())
    y = low + (high - low) * (0.05 + 0.9 * unit)
    return Data(data.X, y, data.sample_weight, data.X_new)


def weighted(data, kind, seed=1):
    """``data`` with sample weights of one ``kind``.

    "positive": uniform in (0.5, 2); "zeros": a third of them 0;
    "integer": integers 0 to 3 on rows whose first 30 repeat at the end.
    """
    rng = np.random.RandomState(seed)
    n = data.y.shape[0]
    if kind == "positive":
        return Data(data.X, data.y, rng.uniform(0.5, 2.0, n), data.X_new)
    if kind == "zeros":
        weights = rng.uniform(0.5, 2.0, n)
        weights[rng.rand(n) < 1 / 3] = 0.0
        return Data(data.X, data.y, weights, data.X_new)
    X = np.concatenate([data.X, data.X[:30]])
    y = np.concatenate([data.y, data.y[:30]])
    weights = rng.randint(0, 4, size=n + 30).astype(float)
    return Data(X, y, weights, data.X_new)


def sparse(data, seed=2):
    """``data`` with 60% of X's values zeroed, as CSR matrices."""
    rng = np.random.RandomState(seed)
    X = np.where(rng.rand(*data.X.shape) < 0.6, 0.0, data.X)
    X_new = np.where(rng.rand(*data.X_new.shape) < 0.6, 0.0, data.X_new)
    return Data(sp.csr_matrix(X), data.y, data.sample_weight, sp.csr_matrix(X_new))


# ------------------------------------------------------------- fingerprint
def fingerprint(model, inputs, data, prefix=""):
    """Every fitted attribute and both predictions of ``model``, as arrays."""
    fields = {}
    for i, coef in enumerate(model.coefs_):
        fields[f"coefs_{i}"] = to_numpy(coef)
    for i, intercept in enumerate(model.intercepts_):
        fields[f"intercepts_{i}"] = to_numpy(intercept)
    for name in (
        "loss_curve_",
        "n_iter_",
        "loss_",
        "best_loss_",
        "validation_scores_",
        "validation_loss_curve_",
        "best_validation_score_",
        "t_",
        "alpha_",
        "solver_",
    ):
        value = getattr(model, name)
        if isinstance(value, list):
            value = [float(to_numpy(v)) for v in value]
        fields[name] = to_numpy(value)
    fields["predict"] = to_numpy(model.predict(inputs(data.X)))
    fields["predict_new"] = to_numpy(model.predict(inputs(data.X_new)))
    return {prefix + key: value for key, value in fields.items()}


def _model(**params):
    """A small network with a fixed seed; ``params`` override."""
    return SimpleMLPRegressor(
        **{"hidden_layer_sizes": (8, 6), "random_state": 0, **params}
    )


def _fit(model, inputs, data):
    """``model.fit`` on ``data``, handed over by ``inputs``."""
    model.fit(
        inputs.train(data.X), inputs(data.y), sample_weight=inputs(data.sample_weight)
    )


# ---------------------------------------------------------- kinds of case
@dataclass(frozen=True)
class Case:
    """One row of the table.

    ``run(inputs)`` fits and returns the fingerprint; ``array_api`` says
    whether the case is also fitted on the array API libraries' arrays.
    """

    name: str
    run: Callable[[Inputs], dict]
    array_api: bool = False


def single(name, make_data, array_api=False, **params):
    """One ``fit`` of ``_model(**params)`` on ``make_data()``."""

    def run(inputs):
        data = make_data()
        model = _model(**params)
        _fit(model, inputs, data)
        return fingerprint(model, inputs, data)

    return Case(name, run, array_api)


def warm_start(name, make_data, second_max_iter, **params):
    """``fit``, then a warm-started ``fit`` with another ``max_iter``."""

    def run(inputs):
        data = make_data()
        model = _model(warm_start=True, **params)
        _fit(model, inputs, data)
        first = fingerprint(model, inputs, data, prefix="fit1.")
        model.set_params(max_iter=second_max_iter)
        _fit(model, inputs, data)
        return {**first, **fingerprint(model, inputs, data, prefix="fit2.")}

    return Case(name, run)


def partial_fits(name, make_data, n_calls=3, **params):
    """``partial_fit`` on ``n_calls`` consecutive slices of the rows."""

    def run(inputs):
        data = make_data()
        model = _model(**params)
        n = data.y.shape[0]
        bounds = np.linspace(0, n, n_calls + 1).astype(int)
        result = {}
        for call, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:]), 1):
            X, weights = data.X[start:stop], data.sample_weight
            model.partial_fit(
                inputs.train(X) if call == 1 else inputs(X),
                inputs(data.y[start:stop]),
                sample_weight=inputs(None if weights is None else weights[start:stop]),
            )
            result.update(fingerprint(model, inputs, data, prefix=f"call{call}."))
        return result

    return Case(name, run)


# -------------------------------------------------------------- the table
SOLVERS = ("lbfgs", "adam", "sgd")


def few(solver, **params):
    """Settings for a few iterations of ``solver``: enough to learn, too few
    to converge; ``params`` override.

    A weak fixed penalty and batches of 32 (on 150 rows: four full batches
    and a last one of 22). SGD gets tanh units and a larger step: on the
    logistic units' plateau it learns nothing for tens of epochs.
    """
    settings = {"solver": solver, "alpha": 1e-3, "batch_size": 32, "max_iter": 20}
    if solver == "lbfgs":
        settings["max_iter"] = 25
    if solver == "sgd":
        settings.update(activation="tanh", learning_rate_init=0.05)
    return {**settings, **params}


def array_api_cases():
    """``tests/test_array_api.py``'s fits, also run on other array libraries."""
    return [
        single(
            f"uniform_{solver}_{dtype}",
            lambda dtype=dtype: uniform(dtype=np.dtype(dtype)),
            array_api=True,
            solver=solver,
            alpha=1e-3,
            batch_size=32,  # 120 rows: a last batch of 24
            # L-BFGS in float32: torch and numpy drift apart about tenfold
            # an iteration (benchmarks/lbfgs_float32_drift.py).
            max_iter=2 if (solver, dtype) == ("lbfgs", "float32") else 15,
        )
        for dtype in ("float64", "float32")
        for solver in SOLVERS
    ]


def solver_cases():
    """Each solver, the defaults and ``alpha="auto"``."""
    return [
        single("lbfgs", friedman, **few("lbfgs", max_iter=40)),
        single("lbfgs_converges", friedman, solver="lbfgs", alpha=1e-2, tol=1e-3),
        single("defaults_alpha_auto", lambda: friedman(n=90), max_iter=60),
        single("lbfgs_alpha_auto", friedman, solver="lbfgs", max_iter=30),
        single("adam_alpha_auto", lambda: friedman(n=60), solver="adam", max_iter=8),
        single("adam_batch_64", friedman, **few("adam", batch_size=64)),
        single(
            "adam_batch_auto_stops",
            friedman,
            solver="adam",
            alpha=1e-3,
            learning_rate_init=0.05,
            n_iter_no_change=3,
            tol=1e-3,
        ),
        single("sgd_no_shuffle", friedman, **few("sgd", shuffle=False)),
        single("sgd_logistic", friedman, **few("sgd", activation="logistic")),
    ]


def sgd_cases():
    """SGD: every schedule, without momentum, with Nesterov's and classic."""
    # adaptive: stall early and often, so the rate is divided by 5
    stall = {"tol": 5e-2, "n_iter_no_change": 2, "max_iter": 30}
    cases = []
    for schedule in ("constant", "invscaling", "adaptive"):
        for label, momentum, nesterov in (
            ("m0", 0.0, True),
            ("nesterov", 0.9, True),
            ("classic", 0.9, False),
        ):
            params = few(
                "sgd",
                learning_rate=schedule,
                momentum=momentum,
                nesterovs_momentum=nesterov,
                **(stall if schedule == "adaptive" else {}),
            )
            cases.append(single(f"sgd_{schedule}_{label}", friedman, **params))
    return cases


def loss_cases():
    """Every loss, on L-BFGS and on Adam."""
    losses = {
        "squared_error": {},
        "poisson": {},
        "huber": {"huber_delta": 0.5},
        "absolute_error": {},
        "quantile": {"quantile": 0.3},
    }
    cases = [
        single(
            f"{solver}_loss_{loss}",
            (lambda: non_negative(friedman())) if loss == "poisson" else friedman,
            **few(solver, loss=loss, **extra),
        )
        for solver in ("lbfgs", "adam")
        for loss, extra in losses.items()
    ]
    cases.append(
        single(
            "lbfgs_loss_poisson_counts_raw_y",
            counts,
            **few("lbfgs", loss="poisson", normalize_y=False),
        )
    )
    return cases


def activation_cases():
    """Hidden activations, and bounded outputs with y inside their range."""
    cases = [
        single(f"lbfgs_activation_{name}", friedman, **few("lbfgs", activation=name))
        for name in ("logistic", "tanh", "relu", "identity")
    ]
    cases.append(
        single("sgd_activation_relu", friedman, **few("sgd", activation="relu"))
    )
    for solver in ("lbfgs", "adam"):
        for output, low, high in (("logistic", 0.0, 1.0), ("tanh", -1.0, 1.0)):
            for normalize in (True, False):
                cases.append(
                    single(
                        f"{solver}_output_{output}_normalize_{normalize}",
                        lambda low=low, high=high: in_range(friedman(), low, high),
                        **few(solver, output_activation=output, normalize_y=normalize),
                    )
                )
    return cases


def input_cases():
    """Sample weights, float32, sparse CSR X and multi-output y."""
    cases = [
        single(
            f"{solver}_weights_{kind}",
            lambda kind=kind: weighted(friedman(), kind),
            **few(solver),
        )
        for kind in ("positive", "zeros", "integer")
        for solver in SOLVERS
    ]
    for solver in SOLVERS:
        cases += [
            single(
                f"{solver}_float32", lambda: friedman(dtype=np.float32), **few(solver)
            ),
            single(f"{solver}_sparse_csr", lambda: sparse(friedman()), **few(solver)),
            single(f"{solver}_multi_output", multi_output, **few(solver)),
        ]
    cases += [
        single(
            "lbfgs_weights_integer_alpha_auto",
            lambda: weighted(friedman(n=80), "integer"),
            solver="lbfgs",
            max_iter=20,
        ),
        single(
            "lbfgs_sparse_csr_weighted",
            lambda: sparse(weighted(friedman(), "zeros")),
            **few("lbfgs"),
        ),
        single(
            "lbfgs_multi_output_alpha_auto", lambda: multi_output(n=70), max_iter=20
        ),
    ]
    return cases


def stateful_cases():
    """Early stopping, warm starts and ``partial_fit``."""
    early = {"early_stopping": True, "max_iter": 25, "n_iter_no_change": 3}
    return [
        *(
            single(
                f"{solver}_early_stopping",
                lambda: friedman(n=200),
                **few(solver, batch_size=40, **early),
            )
            for solver in ("adam", "sgd")
        ),
        single(
            "adam_early_stopping_weighted",
            lambda: weighted(friedman(n=200), "positive"),
            **few("adam", validation_fraction=0.2, **early),
        ),
        *(
            warm_start(f"{solver}_warm_start", friedman, 5, **few(solver))
            for solver in SOLVERS
        ),
        warm_start(
            "adam_warm_start_early_stopping",
            lambda: friedman(n=200),
            4,
            **few("adam", early_stopping=True, max_iter=6),
        ),
        # 50 rows a call in batches of 16: a last batch of 2.
        *(
            partial_fits(
                f"{solver}_partial_fit", friedman, **few(solver, batch_size=16)
            )
            for solver in ("adam", "sgd", "auto")
        ),
        partial_fits(
            "adam_partial_fit_weighted",
            lambda: weighted(friedman(), "zeros"),
            **few("adam", batch_size=16),
        ),
    ]


def large_cases():
    """More than 1,024 rows: L-BFGS and predict work in blocks of rows; the
    default alpha is 1 without a search, and solver="auto" picks Adam
    beyond 10,000 rows."""
    return [
        single(
            "lbfgs_2500_rows",
            lambda: friedman(n=2500, n_new=3000),
            solver="lbfgs",
            hidden_layer_sizes=(10,),
            max_iter=15,
        ),
        single(
            "lbfgs_2500_rows_weighted_float32",
            lambda: weighted(friedman(n=2500, dtype=np.float32), "zeros"),
            solver="lbfgs",
            hidden_layer_sizes=(10,),
            max_iter=10,
        ),
        single(
            "adam_1500_rows_batch_1100",  # batches over 1,024 rows; a last of 400
            lambda: friedman(n=1500, n_new=2500),
            **few("adam", batch_size=1100, max_iter=5, learning_rate_init=0.05),
        ),
        single(
            "auto_solver_10500_rows",
            lambda: friedman(n=10_500, n_new=1500),
            hidden_layer_sizes=(6,),
            max_iter=2,
        ),
    ]


def warning_cases():
    """Fits that diverge, collapse or stop at ``max_iter``."""
    return [
        single(
            "sgd_diverges",
            friedman,
            **few("sgd", activation="relu", learning_rate_init=1.6),
        ),
        single("lbfgs_collapses", friedman, solver="lbfgs", alpha=1e5, max_iter=30),
        single("lbfgs_max_iter_1", friedman, **few("lbfgs", max_iter=1)),
        single("adam_max_iter_1", friedman, **few("adam", max_iter=1)),
    ]


def build_cases():
    """The table of cases, in the order they run."""
    cases = [
        *array_api_cases(),
        *solver_cases(),
        *sgd_cases(),
        *loss_cases(),
        *activation_cases(),
        *input_cases(),
        *stateful_cases(),
        *large_cases(),
        *warning_cases(),
    ]
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


# ---------------------------------------------------------------- running
def run_case(case, inputs, dispatch=False):
    """Fingerprint of one case, with the sorted categories of its warnings.

    An exception is recorded (as field ``error``) instead of raised, so
    that one broken case does not hide the others.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if dispatch:
                with sklearn.config_context(array_api_dispatch=True):
                    result = case.run(inputs)
            else:
                result = case.run(inputs)
        except Exception as error:  # noqa: BLE001 (recorded and reported)
            result = {"error": np.array(f"{type(error).__name__}: {error}")}
    result["warnings"] = np.array(
        sorted(w.category.__name__ for w in caught), dtype=str
    )
    return result


def array_api_libraries():
    """``{name: convert}`` of the array libraries to fit on, and notes on
    what is skipped.

    Empty where the loaded sknn_simple declares no array API support (its
    ``array_api_support`` estimator tag). Where it declares it, a fit that
    then fails is recorded as the case's error, not skipped.
    """
    if not get_tags(SimpleMLPRegressor()).array_api_support:
        return {}, [
            "this sknn_simple, with this scikit-learn, declares no array API "
            "support (estimator tag array_api_support=False)"
        ]
    libraries, notes = {}, []
    try:
        import torch

        libraries["torch"] = torch.asarray
    except ImportError:
        notes.append("torch is not installed")
    try:
        import array_api_strict

        libraries["array_api_strict"] = array_api_strict.asarray
    except ImportError:
        notes.append("array_api_strict is not installed")
    return libraries, notes


def run_all(cases, perturb=None):
    """Every case's fingerprint, by key ``"{group}:{case}"``, and its time."""
    results, times = {}, {}
    for case in cases:
        start = time.perf_counter()
        key = f"numpy:{case.name}"
        results[key] = run_case(case, Inputs(nudge=case.name == perturb))
        times[key] = time.perf_counter() - start
        print(f"  ran {key:<50} {times[key]:6.2f} s", flush=True)
    libraries, notes = array_api_libraries()
    for note in notes:
        print(f"  note: {note}")
    if not libraries:
        print("  note: the array API group is skipped")
    for library, convert in libraries.items():
        for case in (case for case in cases if case.array_api):
            start = time.perf_counter()
            key = f"{library}:{case.name}"
            inputs = Inputs(convert, nudge=case.name == perturb)
            results[key] = run_case(case, inputs, dispatch=True)
            times[key] = time.perf_counter() - start
            print(f"  ran {key:<50} {times[key]:6.2f} s", flush=True)
    return results, times


# ------------------------------------------------------------------ saving
def metadata():
    """What ran: the package's path and the versions of its dependencies."""
    versions = {
        "sknn_simple_file": sknn_simple.__file__,
        "sknn_simple_version": sknn_simple.__version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
    }
    for name in ("torch", "array_api_strict"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name.replace("_", "-"))
    return versions


def save(path, results):
    """Write ``results`` and :func:`metadata` to one npz file."""
    arrays = {
        f"{case}{SEP}{field}": value
        for case, fields in results.items()
        for field, value in fields.items()
    }
    arrays.update({f"__meta__{SEP}{k}": np.array(v) for k, v in metadata().items()})
    np.savez(path, **arrays)


def load(path):
    """The results saved in ``path``, and their metadata."""
    results, meta = {}, {}
    with np.load(path, allow_pickle=False) as saved:
        for key in saved.files:
            case, field = key.rsplit(SEP, 1)
            if case == "__meta__":
                meta[field] = str(saved[key])
            else:
                results.setdefault(case, {})[field] = saved[key]
    return results, meta


# --------------------------------------------------------------- comparing
def _is_float(array):
    """Whether ``array`` holds floating-point numbers."""
    return np.issubdtype(array.dtype, np.inexact)


def differences(actual, expected):
    """Largest absolute and relative differences of two numeric arrays of one
    shape; values equal (infinities and NaNs included) count as 0."""
    a = actual.astype(np.float64)
    b = expected.astype(np.float64)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0, 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(same, 0.0, np.abs(a - b))
        gap = np.where(np.isnan(gap), np.inf, gap)  # a NaN against a number
        scale = np.abs(b)
        relative = np.where(same, 0.0, np.where(scale > 0, gap / scale, np.inf))
    return float(gap.max()), float(relative.max())


def compare_field(actual, expected, tolerance=None):
    """None where ``actual`` matches the reference ``expected``, else what
    differs.

    Always: the same dtype and shape. Without ``tolerance``: bit-identical,
    NaNs equal. With it: float arrays within ``tolerance`` relative or
    absolute (``np.allclose(actual, expected, rtol=tolerance,
    atol=tolerance)``), anything else equal.
    """
    if not (_is_float(actual) and _is_float(expected)):
        same_kind = actual.dtype.kind == expected.dtype.kind
        if same_kind and np.array_equal(actual, expected):
            return None
        return f"this run {_short(actual)}, reference {_short(expected)}"
    if actual.shape != expected.shape:
        return f"shape {actual.shape} in this run, {expected.shape} in the reference"
    problems = []
    if actual.dtype != expected.dtype:
        problems.append(
            f"dtype {actual.dtype} in this run, {expected.dtype} in the reference"
        )
    if tolerance is None:
        close = np.array_equal(actual, expected, equal_nan=True)
    else:
        close = np.allclose(
            actual, expected, rtol=tolerance, atol=tolerance, equal_nan=True
        )
    if not close:
        gap, relative = differences(actual, expected)
        problems.insert(0, f"max abs {gap:.3g}, max rel {relative:.3g}")
        if (np.isnan(actual) != np.isnan(expected)).any():
            problems.append("NaN in other places")
    return "; ".join(problems) or None


def _short(array):
    """``array`` printed on at most one line of about 120 characters."""
    text = np.array2string(array, threshold=6, max_line_width=200)
    return text if len(text) < 120 else text[:117] + "..."


def compare_case(actual, expected, tolerance=None):
    """``{field: what differs}`` between two fingerprints of a case."""
    if "error" in actual or "error" in expected:  # the fields say nothing more
        errors = [str(case.get("error", "no error")) for case in (actual, expected)]
        if errors[0] == errors[1]:
            return {}
        return {"error": f"this run: {errors[0]}; reference: {errors[1]}"}
    problems = {}
    for field in sorted(set(actual) | set(expected)):
        if field not in actual:
            problems[field] = "missing from this run"
        elif field not in expected:
            problems[field] = "not in the reference"
        else:
            problem = compare_field(actual[field], expected[field], tolerance)
            if problem:
                problems[field] = problem
    return problems


def _report(label, problems, seconds=None):
    """Print one case's verdict, and each field that differs."""
    timing = "" if seconds is None else f" ({seconds:.2f} s)"
    if not problems:
        print(f"  identical  {label}{timing}")
        return
    print(f"  DIFFERENT  {label}{timing}")
    for field, problem in problems.items():
        print(f"      {field}: {problem}")


def compare(results, times, saved):
    """Report every case against ``saved``; True when all pass."""
    numpy_ok = compare_numpy(results, times, saved)
    array_api_ok = compare_array_api(results, times, saved)
    missing = sorted(set(saved) - set(results))
    skipped = [key for key in missing if not key.startswith("numpy:")]
    if skipped and not any(not key.startswith("numpy:") for key in results):
        print(
            f"\nNOTE: the saved run has {len(skipped)} array API cases; this run "
            "skipped them (see the notes above): not compared"
        )
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        print(f"\nnote: {len(missing)} saved cases not run: {shown}")
    return numpy_ok and array_api_ok


def compare_numpy(results, times, saved):
    """Report whether each numpy case is bit-identical to the saved run."""
    keys = [key for key in results if key.startswith("numpy:")]
    print("\nnumpy cases: bit-identical to the saved run?")
    failed = []
    for key in keys:
        if key not in saved:
            print(f"  NEW        {key} (not in the saved run)")
            failed.append(key)
            continue
        problems = compare_case(results[key], saved[key])
        _report(key, problems, times[key])
        if problems:
            failed.append(key)
    print(
        f"\nSUMMARY numpy: {len(keys) - len(failed)}/{len(keys)} cases "
        "bit-identical" + (f"; not: {', '.join(failed)}" if failed else "")
    )
    return not failed


def compare_array_api(results, times, saved):
    """Report whether each array API case is within tolerance of this run's
    numpy fit of the same case and of the saved run."""
    keys = [key for key in results if not key.startswith("numpy:")]
    if not keys:
        return True
    print(
        "\narray API cases: within tolerance of this run's numpy fit "
        "and of the saved run?"
    )
    failed = []
    for key in keys:
        reference = results["numpy:" + key.split(":", 1)[1]]
        dtype = reference.get("coefs_0", np.zeros(0)).dtype.name
        tolerance = TOLERANCE.get(dtype, TOLERANCE["float64"])
        print(f"  {key} ({dtype}, tolerance {tolerance:g}, {times[key]:.2f} s)")
        against_numpy = compare_case(results[key], reference, tolerance)
        _report_xp(
            "vs numpy, this run", results[key], reference, against_numpy, tolerance
        )
        against_saved = {}
        if key in saved:
            against_saved = compare_case(results[key], saved[key], tolerance)
            _report_xp(
                "vs saved run", results[key], saved[key], against_saved, tolerance
            )
        else:
            print("      vs saved run: not in the saved run")
        if against_numpy or against_saved:
            failed.append(key)
    print(
        f"\nSUMMARY array API: {len(keys) - len(failed)}/{len(keys)} cases "
        "within tolerance" + (f"; not: {', '.join(failed)}" if failed else "")
    )
    return not failed


def _report_xp(label, actual, reference, problems, tolerance):
    """One line on the params and predictions (largest absolute and relative
    difference, and the largest difference as a share of the one allowed,
    ``tolerance * (1 + |reference|)``), then any field outside tolerance."""
    if "error" in problems:
        print(f"      {label}: ERROR: {problems['error']}")
        return
    gap = relative = share = 0.0
    for field in actual:
        name = field.split(".")[-1]
        if field in reference and name.startswith(("coefs_", "intercepts_", "predict")):
            a, b = actual[field], reference[field]
            if a.shape == b.shape and _is_float(a) and _is_float(b):
                field_gap, field_relative = differences(a, b)
                gap, relative = max(gap, field_gap), max(relative, field_relative)
                allowed = tolerance * (1 + np.abs(b.astype(np.float64)))
                excess = np.abs(a.astype(np.float64) - b) / allowed
                share = max(share, float(np.nanmax(excess, initial=0.0)))
    status = "OUTSIDE TOLERANCE" if problems else "within tolerance"
    print(
        f"      {label}: {status}; params and predictions: max abs {gap:.3g}, "
        f"max rel {relative:.3g}, {share:.2g} of the difference allowed"
    )
    for field, problem in problems.items():
        print(f"        {field}: {problem}")


# -------------------------------------------------------------------- main
def main(argv=None):
    """Run the table; save it, or compare it. Returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", metavar="FILE.npz", help="record the fingerprints")
    mode.add_argument("--compare", metavar="FILE.npz", help="check against a record")
    mode.add_argument("--list", action="store_true", help="name the cases and stop")
    parser.add_argument("--only", metavar="TEXT", help="cases whose name contains TEXT")
    parser.add_argument(
        "--perturb", metavar="CASE", help="nudge CASE's first training value (debug)"
    )
    args = parser.parse_args(argv)

    cases = build_cases()
    if args.only:
        cases = [case for case in cases if args.only in case.name]
    if args.list:
        for case in cases:
            print(case.name + ("  (+ array API)" if case.array_api else ""))
        return 0
    if args.perturb and args.perturb not in {case.name for case in cases}:
        parser.error(f"--perturb: no case named {args.perturb!r}")

    print(f"sknn_simple: {sknn_simple.__file__}")
    versions = {k: v for k, v in metadata().items() if k != "sknn_simple_file"}
    print("  " + ", ".join(f"{name} {value}" for name, value in versions.items()))
    saved = meta = None
    if args.compare:
        saved, meta = load(args.compare)
        print(f"saved run: {args.compare}, from {meta.get('sknn_simple_file')}")
        for name, value in versions.items():
            if meta.get(name) != value:
                print(f"  note: {name} was {meta.get(name)}, is {value} now")
    if args.perturb:
        print(f"perturbing case {args.perturb!r} (debug)")

    start = time.perf_counter()
    results, times = run_all(cases, perturb=args.perturb)
    elapsed = time.perf_counter() - start
    print(f"{len(results)} fingerprints in {elapsed:.1f} s")

    if args.save:
        save(args.save, results)
        print(f"saved to {args.save}")
        errors = [key for key, fields in results.items() if "error" in fields]
        for key in errors:
            print(f"  note: {key} raised {results[key]['error']}")
        return 0
    return 0 if compare(results, times, saved) else 1


if __name__ == "__main__":
    sys.exit(main())
