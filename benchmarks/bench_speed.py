"""Our MLPs against scikit-learn's and eager PyTorch, on identical work.

SimpleMLPRegressor against MLPRegressor and torch; SimpleMLPClassifier
against MLPClassifier (section ``classifier``).

Every contender fits the same network (architecture, activation, solver,
batch size, learning rate, dtype, starting weights, shuffling) for a fixed
number of epochs or L-BFGS iterations: ``tol=0``, ``n_iter_no_change`` past
``max_iter``, ``alpha=0`` and ``normalize_y=False`` for ours. Fits are
interleaved in one process (the order rotates every repeat), so machine load
hits all alike, after an untimed warm-up fit of each contender; tables give
median times, their min-max over the repeats, and ratios of medians (above
1: we are faster). The final training losses are printed to show the same
optimisation was done. Every fit of ours ends with the collapse check, a
forward pass on up to 1,000 training rows; a time marked † is of fits that
warned ``CollapsedFitWarning`` (after few epochs at this learning rate the
model still predicts almost a constant), which also ran the least-squares
test of y on X. MLPRegressor and torch do neither.

Data come from ``make_friedman1`` (``make_classification`` for the
classifier); hidden layers are logistic, the output linear (the
classifier's: a sigmoid or a softmax). Sections (``--only``,
comma-separated; all by default):

``mlp``: ours against MLPRegressor, float64 and float32,

- (a) hidden (5, 5), n=2,000 (10 features), adam, batch 'auto' (200);
- (b) hidden (100, 100), n=20,000 (20 features), adam, batch 200;
- (c) as (b) with sgd, full batch;
- (d) as (b) with lbfgs, 50 iterations: time per loss-and-gradient evaluation;

then each against numpy's matrix-multiply bound, (b) with one BLAS thread,
the sigmoid against scipy's ``expit``, and the peak memory (tracemalloc)
of fit (b).

``torch``: ours against an eager PyTorch loop (``_torch_contender.py``:
``nn.Linear`` layers, ``torch.optim.Adam`` / ``SGD``, our starting weights
and row order; no ``torch.compile``), float64 and float32, with 1 and with 2
threads (``threadpool_limits`` for numpy's BLAS and ``torch.set_num_threads``
for torch), ratio = torch time / ours:

- (b) as above, 5 epochs;
- tiny: hidden (32, 32), n=5,000 (20 features), adam, batch 32, 30 epochs;
- (c) as above, 30 epochs;
- wide: hidden (512, 512), n=20,000 (20 features), adam, batch 256, 3 epochs;

then (b) and wide at one thread against the matmul bound. Adam places its
``eps`` elsewhere in torch (see ``_torch_contender.py``); a check fit with
``eps`` moved to our place shows how much of the loss difference that is.

``predict``: (b)'s network in float64 on 1, 100, 10,000 and 1,000,000 rows:
ours, torch (``inference_mode``, numpy in and out, inside the timed call)
and MLPRegressor, at each thread count; median of runs of many calls.

``fixed``: the fixed cost of a fit, ``time(max_iter=1) - (time(max_iter=2)
- time(max_iter=1))``, against one epoch, for (b) and wide in float64.

``grid``: ``GridSearchCV`` (alpha in [1e-4, 1e-3] x hidden_layer_sizes in
[(50, 50), (100, 100)], cv=3) on 5,000 rows of (b)'s data, adam, 10 epochs,
ours and MLPRegressor, with n_jobs=1, 2 and -1 (the BLAS pools as the
process has them; joblib's workers started before the clock).

``classifier``: SimpleMLPClassifier against MLPClassifier, float64 and
float32, with 1 and with 2 threads (the thread groups of ``torch``), on
``make_classification(random_state=0)`` with half of the features
informative, the settings above (alpha=0 for both: the same cross-entropy)
and the epochs or iterations of ``mlp``:

- (a) hidden (5, 5), n=2,000 (10 features), adam, batch 200, two classes
  (one sigmoid output);
- (b) hidden (100, 100), n=20,000 (20 features), adam, batch 200, five
  classes (softmax);
- (d) as (b) with lbfgs: time per loss-and-gradient evaluation;

the same random_state gives both the same Glorot draws and row order, and
the final losses are printed side by side. In (d) float32, MLPClassifier
evaluates in float32 (scipy returns the iterate in x0's dtype) while ours
computes L-BFGS in float64 whatever the data's dtype; the table says so.
Then ``predict_proba`` on 10,000 rows of (b)'s network (one epoch; the same
weights in both), float64 and float32, median per call of interleaved runs
at each thread count. Ratio = MLPClassifier time / ours. Skipped, with one
line, on a tree without SimpleMLPClassifier (compare_commits.py).

GFLOP/s counts the matrix products of a forward and backward pass
(``2 * rows * fan_in * fan_out`` each); the bound is numpy's own ``matmul``
on the same shapes and batch size, the most the products alone could reach.

torch is optional here (no test uses this contender; the ``test-torch``
extra installs it for the array API tests): without it the torch columns
and section are skipped with one line. Install the CPU build with
``pip install torch==2.13.0`` (in the project's development environment pip
installs it from a wheel on disk, no download).

Run: python benchmarks/bench_speed.py [--repeats 5] [--quick]
[--only mlp,torch,predict,fixed,grid,classifier] [--threads 1,2]
[--torch-configs b,tiny,c,wide] [--configs abcd] [--out FILE.md]

``--quick`` is a smoke run: 1 repeat, 1-2 epochs, predict up to 100,000
rows, 1-epoch grid search, 2 predict_proba calls a run; its times mean
little. ``--configs`` picks the classifier's configurations too (of abd).
Put the checkout first on the path (``PYTHONPATH=.``) to time it rather
than an installed copy. The machine is described at the top: CPU, cores,
versions, and every thread pool threadpoolctl finds with its size.
"""

import argparse
import contextlib
import functools
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import scipy
import scipy.optimize
import sklearn
from scipy.special import expit
from sklearn.datasets import make_classification, make_friedman1
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from sknn_simple import CollapsedFitWarning, SimpleMLPRegressor
from sknn_simple._activations import _logistic

try:  # compare_commits.py runs this script on trees that predate it
    from sknn_simple import SimpleMLPClassifier
except ImportError:
    SimpleMLPClassifier = None

# The library's sigmoid, in place on its argument. The activations take the
# kernel first since the kernels (after b0333ea); compare_commits.py runs
# this script on older trees too, where they took the array alone. (Told
# apart by the signature: under an editable install, a module an older tree
# lacks, such as _kernels, imports from the installed checkout instead.)
if _logistic.__code__.co_argcount == 1:  # b0333ea and before
    our_sigmoid = _logistic
else:
    from sknn_simple._kernels import NUMPY

    our_sigmoid = functools.partial(_logistic, NUMPY)

try:
    import torch  # noqa: F401  (optional: only to know whether it is there)
except ImportError:
    torch_loop = None
else:
    import _torch_contender as torch_loop

TORCH_MISSING = "torch not installed: pip install torch==2.13.0 to add it"

CONFIGS = {
    "a": dict(hidden=(5, 5), n=2_000, features=10, solver="adam", batch="auto"),
    "b": dict(hidden=(100, 100), n=20_000, features=20, solver="adam", batch=200),
    "c": dict(hidden=(100, 100), n=20_000, features=20, solver="sgd", batch=20_000),
    "d": dict(hidden=(100, 100), n=20_000, features=20, solver="lbfgs", batch=20_000),
}
# Epochs (L-BFGS: iterations) per fit: enough for a fit to last about a second.
ITERATIONS = {"a": 100, "b": 5, "c": 30, "d": 50}
QUICK_ITERATIONS = {"a": 20, "b": 1, "c": 5, "d": 10}

# The race against torch (issue 14's table).
TORCH_CONFIGS = {
    "b": CONFIGS["b"],
    "tiny": dict(hidden=(32, 32), n=5_000, features=20, solver="adam", batch=32),
    "c": CONFIGS["c"],
    "wide": dict(hidden=(512, 512), n=20_000, features=20, solver="adam", batch=256),
}
TORCH_EPOCHS = {"b": 5, "tiny": 30, "c": 30, "wide": 3}
QUICK_TORCH_EPOCHS = {"b": 1, "tiny": 1, "c": 2, "wide": 1}
# The configurations measured against the matmul bound and for fixed cost.
BOUND_CONFIGS = ("b", "wide")

# (rows, runs, calls per run) of the predict table.
PREDICT_SIZES = [(1, 7, 300), (100, 7, 100), (10_000, 7, 5), (1_000_000, 3, 1)]
QUICK_PREDICT_SIZES = [(1, 3, 50), (100, 3, 20), (10_000, 3, 2), (100_000, 1, 1)]

GRID = {"alpha": [1e-4, 1e-3], "hidden_layer_sizes": [(50, 50), (100, 100)]}
GRID_ROWS, GRID_EPOCHS, QUICK_GRID_EPOCHS = 5_000, 10, 1
GRID_JOBS = (1, 2, -1)

DTYPES = (np.float64, np.float32)

# The classifier section: (a), (b) and (d) above with make_classification's
# labels (two classes for (a): one sigmoid output; five for (b) and (d): a
# softmax), and the epochs or iterations of ITERATIONS.
CLASSIFIER_CONFIGS = {
    "a": dict(CONFIGS["a"], batch=200, classes=2),
    "b": dict(CONFIGS["b"], classes=5),
    "d": dict(CONFIGS["d"], classes=5),
}
# (rows, runs, calls per run) of the predict_proba table.
PROBA_SIZE, QUICK_PROBA_SIZE = (10_000, 7, 5), (10_000, 3, 2)

SHARED_SETTINGS = dict(
    activation="logistic",
    # No penalty: with minibatches MLPRegressor divides it by the batch's
    # weight and we by the training set's, so alpha > 0 would not be the
    # same objective.
    alpha=0.0,
    learning_rate_init=1e-3,
    random_state=0,
    tol=0.0,
    shuffle=True,
)


def make_data(config, dtype):
    X, y = make_friedman1(
        n_samples=config["n"], n_features=config["features"], random_state=0
    )
    return X.astype(dtype), y.astype(dtype)


def estimators(config, max_iter):
    settings = dict(
        SHARED_SETTINGS,
        hidden_layer_sizes=config["hidden"],
        solver=config["solver"],
        batch_size=config["batch"],
        max_iter=max_iter,
        n_iter_no_change=max_iter + 1,
    )
    return {
        "MLPRegressor": MLPRegressor(**settings),
        "SimpleMLPRegressor": SimpleMLPRegressor(**settings, normalize_y=False),
    }


# ----------------------------------------------------------- timing helpers
class CountEvaluations:
    """Record ``nfev`` of every ``scipy.optimize.minimize`` call (both
    libraries reach L-BFGS-B through it)."""

    def __enter__(self):
        self.nfev = None
        self._minimize = scipy.optimize.minimize

        def counting_minimize(*args, **kwargs):
            result = self._minimize(*args, **kwargs)
            self.nfev = result.nfev
            return result

        scipy.optimize.minimize = counting_minimize
        return self

    def __exit__(self, *exc):
        scipy.optimize.minimize = self._minimize


@contextlib.contextmanager
def quiet_fits():
    """No warnings shown for the fixed budgets the benchmark trains for;
    yields the list of the CollapsedFitWarnings caught."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", CollapsedFitWarning)
        yield caught


@contextlib.contextmanager
def no_warnings():
    """Every warning ignored, in joblib's workers too (scikit-learn passes
    the filters on to them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def timed_fit(estimator, X, y):
    """Seconds, L-BFGS evaluations (None for the other solvers) and whether
    the fit warned CollapsedFitWarning: then its time includes the
    least-squares test of y on X that the collapse diagnosis runs."""
    with CountEvaluations() as counter, quiet_fits() as caught:
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    collapsed = any(issubclass(w.category, CollapsedFitWarning) for w in caught)
    return seconds, counter.nfev, collapsed


def timed_torch_fit(config, dtype, tensors, epochs, *, eps_as_ours=False):
    """Seconds and final loss of one torch fit from our starting point."""
    start_point = torch_loop.starting_point(config["features"], config["hidden"], dtype)
    start = time.perf_counter()
    _, loss = torch_loop.fit(
        start_point,
        *tensors,
        solver=config["solver"],
        batch_size=batch_rows(config),
        epochs=epochs,
        learning_rate=SHARED_SETTINGS["learning_rate_init"],
        eps_as_ours=eps_as_ours,
    )
    return time.perf_counter() - start, loss


def interleaved(contenders, repeats):
    """Run each ``contenders[label]()`` once per repeat, the order rotating.

    Each callable returns ``(seconds, result)``. Returns ``times[label]``,
    the list of seconds, and ``results[label]``, the last result.
    """
    labels = list(contenders)
    times = {label: [] for label in labels}
    results = {}
    for repeat in range(repeats):
        shift = repeat % len(labels)
        for label in labels[shift:] + labels[:shift]:
            seconds, results[label] = contenders[label]()
            times[label].append(seconds)
    return times, results


def time_calls(function, repeats, calls):
    """Median over ``repeats`` runs of the seconds per call of ``calls`` calls."""
    return statistics.median(per_call_times(function, repeats, calls))


def per_call_times(function, repeats, calls):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        times.append((time.perf_counter() - start) / calls)
    return times


def format_seconds(seconds):
    """Seconds in a unit that leaves 3-4 significant digits."""
    for unit, factor in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(seconds) >= factor or unit == "µs":
            return f"{seconds / factor:.4g} {unit}"


def format_spread(times):
    """``median (min-max)``, in the median's unit."""
    median = statistics.median(times)
    for unit, factor in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if median >= factor or unit == "µs":
            break
    low, high = min(times) / factor, max(times) / factor
    return f"{median / factor:.4g} {unit} ({low:.3g}–{high:.3g})"


def ratio_of_medians(numerator, denominator):
    return statistics.median(numerator) / statistics.median(denominator)


def paired_ratio_range(numerator, denominator):
    """min-max over repeats of the ratio within each repeat."""
    ratios = [a / b for a, b in zip(numerator, denominator)]
    return f"{min(ratios):.2f}–{max(ratios):.2f}"


@contextlib.contextmanager
def thread_group(n_threads):
    """Every BLAS/OpenMP pool threadpoolctl sees, and torch's intra-op pool,
    at ``n_threads``."""
    with threadpool_limits(limits=n_threads):
        previous = torch_loop.set_threads(n_threads) if torch_loop else None
        try:
            yield
        finally:
            if previous is not None:
                torch_loop.set_threads(previous)


class Report:
    """Prints lines and keeps them for ``--out``."""

    def __init__(self):
        self.lines = []

    def __call__(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def write(self, path):
        Path(path).write_text("\n".join(self.lines) + "\n", encoding="utf-8")


# -------------------------------------------------------------- GFLOP/s
def flops_per_row(config):
    """Multiply-adds x 2 of one forward and backward pass, per row."""
    sizes = (config["features"], *config["hidden"], 1)
    products = [fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    # forward (all layers) + weight gradients (all) + deltas below (not layer 0)
    return 2 * (2 * sum(products) + sum(products[1:]))


def batch_rows(config):
    return 200 if config["batch"] == "auto" else min(config["batch"], config["n"])


def matmul_bound(config, dtype, repeats):
    """GFLOP/s of numpy's matmul on one step's products, into preallocated
    outputs: the speed of the products alone."""
    rows = batch_rows(config)
    sizes = (config["features"], *config["hidden"], 1)
    rng = np.random.default_rng(0)
    inputs = [rng.random((rows, fan_in), dtype=dtype) for fan_in in sizes[:-1]]
    coefs = [rng.random(shape, dtype=dtype) for shape in zip(sizes[:-1], sizes[1:])]
    outputs = [np.empty((rows, fan_out), dtype=dtype) for fan_out in sizes[1:]]
    grads = [np.empty_like(coef) for coef in coefs]
    below = [np.empty_like(a) for a in inputs]

    def one_step():
        for layer, (a, w, z, g, b) in enumerate(
            zip(inputs, coefs, outputs, grads, below)
        ):
            np.matmul(a, w, out=z)
            np.matmul(a.T, z, out=g)
            if layer:
                np.matmul(z, w.T, out=b)

    steps = max(5, int(4e8 / (flops_per_row(config) * rows)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            one_step()
        times.append(time.perf_counter() - start)
    return flops_per_row(config) * rows * steps / statistics.median(times) / 1e9


def fit_gflops(config, epochs, seconds):
    """GFLOP/s of a whole minibatch fit of ``epochs`` epochs."""
    return flops_per_row(config) * config["n"] * epochs / seconds / 1e9


def work_units(name, config, iterations, nfev):
    """Rows processed by the forward/backward pass in one fit."""
    if config["solver"] == "lbfgs":
        return config["n"] * nfev
    return config["n"] * iterations


# ----------------------------------------------- ours against MLPRegressor
def run_fit_table(names, dtypes, iterations, repeats, report):
    rows = []
    for name in names:
        config = CONFIGS[name]
        for dtype in dtypes:
            X, y = make_data(config, dtype)

            def fit_one(label, config=config, X=X, y=y, name=name):
                estimator = estimators(config, iterations[name])[label]
                seconds, nfev, _ = timed_fit(estimator, X, y)
                return seconds, (nfev, estimator)

            times, results = interleaved(
                {
                    label: lambda label=label: fit_one(label)
                    for label in ("MLPRegressor", "SimpleMLPRegressor")
                },
                repeats,
            )
            rows.append(
                summarise(name, config, dtype, iterations[name], times, results)
            )
            report(format_row(rows[-1]))
    return rows


def summarise(name, config, dtype, iterations, times, results):
    (ours_nfev, ours), (theirs_nfev, theirs) = (
        results["SimpleMLPRegressor"],
        results["MLPRegressor"],
    )
    per_unit = {}
    for label, nfev in (
        ("SimpleMLPRegressor", ours_nfev),
        ("MLPRegressor", theirs_nfev),
    ):
        seconds = statistics.median(times[label])
        per_unit[label] = seconds / nfev if config["solver"] == "lbfgs" else seconds
    ours_seconds = statistics.median(times["SimpleMLPRegressor"])
    flops = flops_per_row(config) * work_units(name, config, iterations, ours_nfev)
    return dict(
        config=name,
        dtype=np.dtype(dtype).name,
        theirs=per_unit["MLPRegressor"],
        ours=per_unit["SimpleMLPRegressor"],
        ratio=per_unit["MLPRegressor"] / per_unit["SimpleMLPRegressor"],
        loss_theirs=float(theirs.loss_),
        loss_ours=float(ours.loss_),
        gflops=flops / ours_seconds / 1e9,
        nfev=(theirs_nfev, ours_nfev),
    )


def format_row(row):
    unit = "s/eval" if row["config"] == "d" else "s"
    return (
        f"| ({row['config']}) {row['dtype']} | {row['theirs']:.4g} {unit} | "
        f"{row['ours']:.4g} {unit} | **{row['ratio']:.2f}x** | "
        f"{row['loss_theirs']:.6g} | {row['loss_ours']:.6g} | {row['gflops']:.1f} |"
    )


def one_thread_row(iterations, repeats):
    """Fit (b) float64 with every BLAS pool limited to one thread, against
    the matmul bound measured under the same limit."""
    config = CONFIGS["b"]
    X, y = make_data(config, np.float64)
    with threadpool_limits(limits=1):
        bound = matmul_bound(config, np.float64, repeats=5)
        times = []
        for _ in range(repeats):
            estimator = estimators(config, iterations["b"])["SimpleMLPRegressor"]
            times.append(timed_fit(estimator, X, y)[0])
    return fit_gflops(config, iterations["b"], statistics.median(times)), bound


def peak_memory(iterations):
    """Peak traced memory (MiB) of fit (b) float64, per library, data excluded."""
    config = CONFIGS["b"]
    X, y = make_data(config, np.float64)
    peaks = {}
    for label, estimator in estimators(config, iterations["b"]).items():
        tracemalloc.start()
        with quiet_fits():
            estimator.fit(X, y)
        peaks[label] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return peaks, X.nbytes / 2**20


def sigmoid_table(repeats):
    """ns per element of scipy's expit and of the library's sigmoid, in place
    on a (b)-sized minibatch activation (200 x 100)."""
    rows = []
    for dtype in DTYPES:
        base = np.random.default_rng(0).normal(0, 2, (200, 100)).astype(dtype)
        work = base.copy()
        copy_time = time_calls(lambda w=work, b=base: np.copyto(w, b), repeats, 200)
        timings = {}
        kernels = {"expit": lambda z: expit(z, out=z), "ours": our_sigmoid}
        for label, function in kernels.items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                for _ in range(200):
                    np.copyto(work, base)
                    function(work)
                times.append(time.perf_counter() - start)
            per_call = statistics.median(times) / 200 - copy_time
            timings[label] = per_call / base.size * 1e9
        rows.append((np.dtype(dtype).name, timings["expit"], timings["ours"]))
    return rows


def section_mlp(args, report):
    iterations = QUICK_ITERATIONS if args.quick else ITERATIONS
    repeats = args.repeats
    report("## Ours against MLPRegressor")
    report()
    report(
        f"Median of {repeats} interleaved fits. Epochs: "
        + ", ".join(f"({k}) {v}" for k, v in iterations.items() if k != "d")
        + f"; (d) {iterations['d']} L-BFGS iterations."
    )
    report()
    report(
        "| config | MLPRegressor | SimpleMLPRegressor | ratio | "
        "final loss, MLPRegressor | final loss, ours | ours GFLOP/s |"
    )
    report("|---|---:|---:|---:|---:|---:|---:|")
    rows = run_fit_table(args.configs, DTYPES, iterations, repeats, report)

    report()
    report("| config | matmul bound GFLOP/s | ours GFLOP/s | ours / bound |")
    report("|---|---:|---:|---:|")
    for row in rows:
        bound = matmul_bound(CONFIGS[row["config"]], row["dtype"], repeats=5)
        report(
            f"| ({row['config']}) {row['dtype']} | {bound:.1f} | "
            f"{row['gflops']:.1f} | {row['gflops'] / bound:.0%} |"
        )
    for row in rows:
        if row["config"] == "d":
            report(
                f"(d) {row['dtype']}: loss evaluations MLPRegressor "
                f"{row['nfev'][0]}, ours {row['nfev'][1]}"
            )

    if "b" in args.configs:
        achieved, bound = one_thread_row(iterations, repeats)
        report()
        report(
            f"(b) float64, every BLAS pool at 1 thread: ours {achieved:.1f} GFLOP/s, "
            f"matmul bound {bound:.1f} GFLOP/s: **{achieved / bound:.0%}** of the bound"
        )

    report()
    report("| sigmoid, 200 x 100 in place | scipy expit ns/element | ours | ratio |")
    report("|---|---:|---:|---:|")
    for dtype, theirs, ours in sigmoid_table(repeats=max(repeats, 5)):
        report(f"| {dtype} | {theirs:.2f} | {ours:.2f} | **{theirs / ours:.1f}x** |")

    peaks, data_mib = peak_memory(iterations)
    report()
    report(
        f"Peak traced memory of fit (b) float64 (X itself is {data_mib:.1f} MiB "
        "and allocated before):"
    )
    for label, mib in peaks.items():
        report(f"- {label}: {mib:.1f} MiB")
    ratio = peaks["SimpleMLPRegressor"] / peaks["MLPRegressor"]
    report(f"- ours / MLPRegressor: **{ratio:.2f}**")


# ------------------------------------------------------ ours against torch
def warm_up():
    """One small fit of each contender in each dtype, untimed, so that no
    timed call pays for first-use costs (torch's lazy initialisation, thread
    pools starting)."""
    config = dict(CONFIGS["b"], n=400)
    for dtype in DTYPES:
        X, y = make_data(config, dtype)
        for estimator in estimators(config, 1).values():
            timed_fit(estimator, X, y)
        if torch_loop is not None:
            timed_torch_fit(config, dtype, torch_loop.tensors(X, y), 1)


def torch_race(config, dtype, epochs, repeats):
    """Interleaved fits of ours and torch on one configuration.

    Returns ``times`` (lists of seconds) and ``results``: ours' final loss
    and whether the fit warned CollapsedFitWarning, torch's final loss.
    """
    X, y = make_data(config, dtype)
    tensors = torch_loop.tensors(X, y)

    def ours():
        estimator = estimators(config, epochs)["SimpleMLPRegressor"]
        seconds, _, collapsed = timed_fit(estimator, X, y)
        return seconds, (float(estimator.loss_), collapsed)

    def torch_fit():
        return timed_torch_fit(config, dtype, tensors, epochs)

    return interleaved({"ours": ours, "torch": torch_fit}, repeats)


def eps_check(config, dtype, epochs):
    """Final loss of a torch fit with Adam's eps where ours has it."""
    if config["solver"] != "adam":
        return None
    X, y = make_data(config, dtype)
    return timed_torch_fit(
        config, dtype, torch_loop.tensors(X, y), epochs, eps_as_ours=True
    )[1]


def agreement(reference, other):
    """Relative difference and the significant digits it leaves."""
    relative = abs(other - reference) / abs(reference)
    digits = math.inf if relative == 0 else -math.log10(relative)
    return relative, digits


def section_torch(args, report):
    report("## Ours against eager PyTorch")
    report()
    if torch_loop is None:
        report("Skipped: torch is not installed.")
        return
    epochs = QUICK_TORCH_EPOCHS if args.quick else TORCH_EPOCHS
    report(
        f"torch {torch_loop.version()}, eager, torch.optim defaults. Median "
        f"(min–max) of {args.repeats} interleaved fits; ratio = torch time / ours "
        "(range: the ratio within each repeat). Epochs: "
        + ", ".join(f"{name} {epochs[name]}" for name in args.torch_configs)
        + ". †: ours warned CollapsedFitWarning (the model still predicts "
        "almost a constant after so few epochs), so its time includes the "
        "collapse diagnosis's least-squares test."
    )
    report()
    races = torch_table(args, epochs, report)
    report()
    torch_summary(args, races, report)
    report()
    torch_agreement(args, epochs, races, report)
    if 1 in args.threads and set(BOUND_CONFIGS) & set(args.torch_configs):
        report()
        torch_bound(args, epochs, races, report)


def torch_table(args, epochs, report):
    """Run the races, one row each; return ``{(name, dtype, threads): (times,
    results)}``."""
    report(
        "| config | dtype | threads | ours | torch | torch / ours | "
        "ours GFLOP/s | final loss, ours | final loss, torch |"
    )
    report("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    races = {}
    for n_threads in args.threads:
        with thread_group(n_threads):
            warm_up()
            for name in args.torch_configs:
                config = TORCH_CONFIGS[name]
                for dtype in DTYPES:
                    times, results = torch_race(
                        config, dtype, epochs[name], args.repeats
                    )
                    races[name, np.dtype(dtype).name, n_threads] = times, results
                    (loss_ours, collapsed), loss_torch = (
                        results["ours"],
                        results["torch"],
                    )
                    ratio = ratio_of_medians(times["torch"], times["ours"])
                    gflops = fit_gflops(
                        config, epochs[name], statistics.median(times["ours"])
                    )
                    report(
                        f"| {name} | {np.dtype(dtype).name} | {n_threads} | "
                        f"{format_spread(times['ours'])}{' †' * collapsed} | "
                        f"{format_spread(times['torch'])} | **{ratio:.2f}** "
                        f"({paired_ratio_range(times['torch'], times['ours'])}) | "
                        f"{gflops:.1f} | {loss_ours:.9g} | {loss_torch:.9g} |"
                    )
    return races


def torch_summary(args, races, report):
    report("Summary, torch time / ours (above 1: we are faster):")
    report()
    header = " | ".join(f"{n} thread{'s' * (n > 1)} f64 / f32" for n in args.threads)
    report(f"| work | {header} |")
    report("|---|" + "---|" * len(args.threads))
    for name in args.torch_configs:
        cells = []
        for n_threads in args.threads:
            ratios = []
            for dtype in DTYPES:
                times = races[name, np.dtype(dtype).name, n_threads][0]
                ratios.append(ratio_of_medians(times["torch"], times["ours"]))
            cells.append(" / ".join(f"{ratio:.2f}" for ratio in ratios))
        report(f"| {name} | " + " | ".join(cells) + " |")


def torch_agreement(args, epochs, races, report):
    report(
        "Final training loss, torch against ours: the largest relative "
        "difference over the thread groups, and that of one more torch fit "
        "with Adam's eps moved to our place (`eps / sqrt(1 - beta_2**t)` "
        "before step t):"
    )
    report()
    report(
        "| config | dtype | loss, ours | relative difference | digits "
        "| eps as ours: difference |"
    )
    report("|---|---|---:|---:|---:|---:|")
    for name in args.torch_configs:
        for dtype in DTYPES:
            runs = [races[name, np.dtype(dtype).name, k][1] for k in args.threads]
            worst = max(agreement(run["ours"][0], run["torch"]) for run in runs)
            reference = runs[0]["ours"][0]
            checked = eps_check(TORCH_CONFIGS[name], dtype, epochs[name])
            eps_cell = (
                "(sgd: no eps)"
                if checked is None
                else f"{agreement(reference, checked)[0]:.1e}"
            )
            wanted = 1e-6 if dtype == np.float64 else 1e-5
            verdict = "" if worst[0] <= wanted else f" (**more than {wanted:g}**)"
            report(
                f"| {name} | {np.dtype(dtype).name} | {reference:.9g} | "
                f"{worst[0]:.1e}{verdict} | {worst[1]:.1f} | {eps_cell} |"
            )


def torch_bound(args, epochs, races, report):
    report(
        "At one thread against numpy's 1-thread matmul bound (same shapes and "
        "batch size; whole fits, fixed costs included):"
    )
    report()
    report(
        "| config | dtype | matmul bound GFLOP/s | ours GFLOP/s | ours / bound "
        "| torch / bound |"
    )
    report("|---|---|---:|---:|---:|---:|")
    with thread_group(1):
        for name in BOUND_CONFIGS:
            if name not in args.torch_configs:
                continue
            config = TORCH_CONFIGS[name]
            for dtype in DTYPES:
                times = races[name, np.dtype(dtype).name, 1][0]
                bound = matmul_bound(config, dtype, repeats=5)
                ours, theirs = (
                    fit_gflops(config, epochs[name], statistics.median(times[label]))
                    for label in ("ours", "torch")
                )
                report(
                    f"| {name} | {np.dtype(dtype).name} | {bound:.1f} | "
                    f"{ours:.1f} | **{ours / bound:.0%}** | {theirs / bound:.0%} |"
                )


# ------------------------------------------------------------------ predict
def predict_models():
    """(b)'s network in float64 (one epoch: the weights do not matter for
    speed), as ours, MLPRegressor and torch; and the largest difference
    between torch's predictions and ours on the training rows (None without
    torch)."""
    config = CONFIGS["b"]
    X, y = make_data(config, np.float64)
    models = estimators(config, 1)
    with quiet_fits():
        for estimator in models.values():
            estimator.fit(X, y)
    predictors = {
        "ours": models["SimpleMLPRegressor"].predict,
        "MLPRegressor": models["MLPRegressor"].predict,
    }
    if torch_loop is not None:
        ours = models["SimpleMLPRegressor"]
        model = torch_loop.build_model(ours.coefs_, ours.intercepts_)
        predictors["torch"] = torch_loop.predictor(model)
        difference = np.abs(predictors["torch"](X) - predictors["ours"](X)).max()
        return predictors, float(difference)
    return predictors, None


def calls_timer(predict, X, calls):
    """A contender for :func:`interleaved`: seconds per call of ``calls``
    calls of ``predict(X)``."""

    def run():
        return per_call_times(lambda: predict(X), 1, calls)[0], None

    return run


def section_predict(args, report):
    report("## Predict")
    report()
    sizes = QUICK_PREDICT_SIZES if args.quick else PREDICT_SIZES
    predictors, difference = predict_models()
    if torch_loop is not None:
        report(
            "torch: `with torch.inference_mode(): model(torch.from_numpy(X)).numpy()`; "
            f"largest difference from ours on 20,000 rows: {difference:.1e}."
        )
        report()
    labels = list(predictors)
    X_all, _ = make_data(
        dict(CONFIGS["b"], n=max(rows for rows, _, _ in sizes)), np.float64
    )
    report(
        "(b)'s network, float64; per call, median of runs of many calls "
        "(rows: runs x calls), contenders interleaved run by run."
    )
    report()
    others = [label for label in labels if label != "ours"]
    report(
        "| rows | threads | "
        + " | ".join(labels)
        + " | "
        + " | ".join(f"{label} / ours" for label in others)
        + " |"
    )
    report("|---:|---:|" + "---:|" * (len(labels) + len(others)))
    for n_threads in args.threads:
        with thread_group(n_threads):
            warm_up()
            for n_rows, runs, calls in sizes:
                X = X_all[:n_rows]
                times, _ = interleaved(
                    {
                        label: calls_timer(predictors[label], X, calls)
                        for label in labels
                    },
                    runs,
                )
                cells = [
                    format_seconds(statistics.median(times[label])) for label in labels
                ]
                ratios = [
                    f"**{ratio_of_medians(times[label], times['ours']):.2f}**"
                    for label in others
                ]
                report(
                    f"| {n_rows:,} ({runs} x {calls}) | {n_threads} | "
                    + " | ".join(cells + ratios)
                    + " |"
                )


# --------------------------------------------------------------- fixed cost
def fixed_contenders(config, X, y):
    """``{(label, epochs): contender}`` for fits of 1 and 2 epochs; a
    contender's result says whether the fit warned CollapsedFitWarning."""

    def ours_or_theirs(label, epochs):
        estimator = estimators(config, epochs)[label]
        seconds, _, collapsed = timed_fit(estimator, X, y)
        return seconds, collapsed

    def torch_fit(epochs, tensors):
        return timed_torch_fit(config, X.dtype, tensors, epochs)[0], False

    contenders = {}
    tensors = torch_loop.tensors(X, y) if torch_loop is not None else None
    for epochs in (1, 2):
        for label in ("SimpleMLPRegressor", "MLPRegressor"):
            contenders[label, epochs] = functools.partial(ours_or_theirs, label, epochs)
        if tensors is not None:
            contenders["torch", epochs] = functools.partial(torch_fit, epochs, tensors)
    return contenders


def section_fixed(args, report):
    report("## Fixed cost of a fit")
    report()
    report(
        "fixed = t(max_iter=1) - (t(max_iter=2) - t(max_iter=1)), epoch = "
        "t(2) - t(1), float64, medians over the repeats of interleaved fits "
        "(issue 14's target: fixed ≤ 5% of one epoch). †: the fits warned "
        "CollapsedFitWarning, so they include the collapse diagnosis's "
        "least-squares test."
    )
    report()
    report(
        "| config | threads | contender | t(1) | t(2) | fixed | epoch | fixed / epoch |"
    )
    report("|---|---:|---|---:|---:|---:|---:|---:|")
    for n_threads in args.threads:
        with thread_group(n_threads):
            warm_up()
            for name in BOUND_CONFIGS:
                config = TORCH_CONFIGS[name]
                X, y = make_data(config, np.float64)
                contenders = fixed_contenders(config, X, y)
                times, collapsed = interleaved(contenders, args.repeats)
                for label in dict.fromkeys(label for label, _ in contenders):
                    one = statistics.median(times[label, 1])
                    two = statistics.median(times[label, 2])
                    epoch = two - one
                    fixed = one - epoch
                    mark = " †" * collapsed[label, 1]
                    report(
                        f"| {name} | {n_threads} | {label} | "
                        f"{format_seconds(one)}{mark} | {format_seconds(two)} | "
                        f"{format_seconds(fixed)} | {format_seconds(epoch)} | "
                        f"**{fixed / epoch:.0%}** |"
                    )


# ------------------------------------------------------------ GridSearchCV
def section_grid(args, report):
    report("## GridSearchCV")
    report()
    epochs = QUICK_GRID_EPOCHS if args.quick else GRID_EPOCHS
    config = dict(CONFIGS["b"], n=GRID_ROWS)
    X, y = make_data(config, np.float64)
    settings = dict(
        SHARED_SETTINGS,
        solver="adam",
        batch_size=batch_rows(config),
        max_iter=epochs,
        n_iter_no_change=epochs + 1,
    )
    settings.pop("alpha")
    bases = {
        "SimpleMLPRegressor": SimpleMLPRegressor(**settings, normalize_y=False),
        "MLPRegressor": MLPRegressor(**settings),
    }
    n_fits = 3 * math.prod(len(values) for values in GRID.values()) + 1
    report(
        f"Grid {GRID}, cv=3 ({n_fits} fits with the refit), {GRID_ROWS:,} rows of "
        f"(b)'s data, adam, batch {batch_rows(config)}, {epochs} epochs; median "
        f"(min–max) of {args.repeats} interleaved searches. BLAS pools as the "
        "process has them (joblib limits its workers'); joblib's workers are "
        "started by an untimed search first."
    )
    report()

    def search(label, n_jobs):
        grid = GridSearchCV(bases[label], GRID, cv=3, n_jobs=n_jobs)
        with no_warnings():
            start = time.perf_counter()
            grid.fit(X, y)
        return time.perf_counter() - start, None

    with no_warnings():  # start joblib's worker processes
        GridSearchCV(bases["SimpleMLPRegressor"], GRID, cv=3, n_jobs=2).fit(
            X[:300], y[:300]
        )
    contenders = {
        (label, n_jobs): lambda label=label, n_jobs=n_jobs: search(label, n_jobs)
        for label in bases
        for n_jobs in GRID_JOBS
    }
    times, _ = interleaved(contenders, args.repeats)
    report(
        "| estimator | "
        + " | ".join(f"n_jobs={n_jobs}" for n_jobs in GRID_JOBS)
        + " | n_jobs=1 / n_jobs=2 |"
    )
    report("|---|" + "---:|" * (len(GRID_JOBS) + 1))
    for label in bases:
        cells = [format_spread(times[label, n_jobs]) for n_jobs in GRID_JOBS]
        speedup = ratio_of_medians(times[label, 1], times[label, 2])
        report(f"| {label} | " + " | ".join(cells) + f" | {speedup:.2f} |")
    ratios = [
        ratio_of_medians(times["MLPRegressor", n], times["SimpleMLPRegressor", n])
        for n in GRID_JOBS
    ]
    ratios = [f"**{ratio:.2f}**" for ratio in ratios]
    report("| MLPRegressor / ours | " + " | ".join(ratios) + " | |")


# --------------------------------------------- ours against MLPClassifier
def make_labels(config, dtype):
    """``make_classification``'s rows (half of the features informative)
    and integer labels."""
    X, y = make_classification(
        n_samples=config["n"],
        n_features=config["features"],
        n_informative=config["features"] // 2,
        n_classes=config["classes"],
        random_state=0,
    )
    return X.astype(dtype), y


def classifiers(config, max_iter):
    """MLPClassifier and ours with :data:`SHARED_SETTINGS` (alpha=0, the
    same random_state: the same Glorot draws and row order)."""
    settings = dict(
        SHARED_SETTINGS,
        hidden_layer_sizes=config["hidden"],
        solver=config["solver"],
        batch_size=batch_rows(config),
        max_iter=max_iter,
        n_iter_no_change=max_iter + 1,
    )
    return {
        "MLPClassifier": MLPClassifier(**settings),
        "ours": SimpleMLPClassifier(**settings),
    }


def classifier_warm_up():
    """One small fit of each contender, solver and dtype, and a
    predict_proba, untimed."""
    for name in ("b", "d"):
        config = dict(CLASSIFIER_CONFIGS[name], n=400)
        for dtype in DTYPES:
            X, y = make_labels(config, dtype)
            for estimator in classifiers(config, 2).values():
                timed_fit(estimator, X, y)
                estimator.predict_proba(X)


def classifier_race(config, dtype, iterations, repeats):
    """Interleaved fits of MLPClassifier and ours on one configuration.

    Returns ``times`` (lists of seconds per fit, or per loss-and-gradient
    evaluation for L-BFGS) and ``results``: per contender, the final loss,
    the L-BFGS evaluations (None for adam) and whether the fit warned
    CollapsedFitWarning.
    """
    X, y = make_labels(config, dtype)

    def fit_one(label):
        estimator = classifiers(config, iterations)[label]
        seconds, nfev, collapsed = timed_fit(estimator, X, y)
        per_unit = seconds / nfev if nfev else seconds
        return per_unit, (float(estimator.loss_), nfev, collapsed)

    labels = ("MLPClassifier", "ours")
    return interleaved(
        {label: functools.partial(fit_one, label) for label in labels}, repeats
    )


def section_classifier(args, report):
    report("## Ours against MLPClassifier")
    report()
    if SimpleMLPClassifier is None:
        report("Skipped: this sknn_simple has no SimpleMLPClassifier.")
        return
    iterations = QUICK_ITERATIONS if args.quick else ITERATIONS
    names = [name for name in CLASSIFIER_CONFIGS if name in args.configs]
    report(
        "SimpleMLPClassifier (ours) against MLPClassifier on `make_classification` "
        "(random_state=0, half of the features informative): "
        + "; ".join(
            f"({name}) hidden {config['hidden']}, n={config['n']:,}, "
            f"{config['features']} features, {config['classes']} classes, "
            f"{config['solver']}"
            + (
                f" {iterations[name]} iterations: time per loss-and-gradient evaluation"
                if config["solver"] == "lbfgs"
                else f", batch {config['batch']}, {iterations[name]} epoch"
                + "s" * (iterations[name] > 1)
            )
            for name, config in CLASSIFIER_CONFIGS.items()
            if name in names
        )
        + ". Logistic hidden layers, alpha=0, learning rate 1e-3, tol=0, the same "
        "random_state (the same starting weights and row order). Median (min–max) "
        f"of {args.repeats} interleaved fits after an untimed warm-up; ratio = "
        "MLPClassifier time / ours (above 1: ours is faster; range: the ratio "
        "within each repeat); relative difference of the final training losses. "
        "†: ours warned CollapsedFitWarning, so its time includes the collapse "
        "diagnosis."
    )
    if "d" in names:
        report()
        report(
            "(d) float32: scipy hands L-BFGS-B's iterate back in x0's dtype, so "
            "MLPClassifier evaluates the loss and gradient in float32; ours casts "
            "the data to float64 once and computes L-BFGS in float64 whatever the "
            "data's dtype (its weights come back float32). That row times float64 "
            "arithmetic for ours against float32 for MLPClassifier."
        )
    report()
    report(
        "| config | dtype | threads | MLPClassifier | ours | MLPClassifier / ours "
        "| final loss, MLPClassifier | final loss, ours | relative difference |"
    )
    report("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    races = {}
    evaluations = []
    for n_threads in args.threads:
        with thread_group(n_threads):
            classifier_warm_up()
            for name in names:
                config = CLASSIFIER_CONFIGS[name]
                for dtype in DTYPES:
                    dtype_name = np.dtype(dtype).name
                    times, results = classifier_race(
                        config, dtype, iterations[name], args.repeats
                    )
                    races[name, dtype_name, n_threads] = times
                    (loss_theirs, nfev_theirs, _), (loss_ours, nfev_ours, collapsed) = (
                        results["MLPClassifier"],
                        results["ours"],
                    )
                    if nfev_ours is not None:
                        evaluations.append(
                            f"({name}) {dtype_name}, {n_threads} thread"
                            f"{'s' * (n_threads > 1)}: MLPClassifier {nfev_theirs}, "
                            f"ours {nfev_ours}"
                        )
                    unit = "/eval" if nfev_ours is not None else ""
                    ratio = ratio_of_medians(times["MLPClassifier"], times["ours"])
                    paired = paired_ratio_range(times["MLPClassifier"], times["ours"])
                    difference = agreement(loss_theirs, loss_ours)[0]
                    report(
                        f"| ({name}) | {dtype_name} | {n_threads} | "
                        f"{format_spread(times['MLPClassifier'])}{unit} | "
                        f"{format_spread(times['ours'])}{unit}{' †' * collapsed} | "
                        f"**{ratio:.2f}** ({paired}) | {loss_theirs:.9g} | "
                        f"{loss_ours:.9g} | {difference:.1e} |"
                    )
    if evaluations:
        report()
        report("L-BFGS loss evaluations per fit: " + "; ".join(evaluations) + ".")
    report()
    report("Summary, MLPClassifier time / ours (above 1: ours is faster):")
    report()
    header = " | ".join(f"{n} thread{'s' * (n > 1)} f64 / f32" for n in args.threads)
    report(f"| work | {header} |")
    report("|---|" + "---|" * len(args.threads))
    for name in names:
        cells = []
        for n_threads in args.threads:
            ratios = [
                ratio_of_medians(times["MLPClassifier"], times["ours"])
                for times in (
                    races[name, np.dtype(dtype).name, n_threads] for dtype in DTYPES
                )
            ]
            cells.append(" / ".join(f"{ratio:.2f}" for ratio in ratios))
        report(f"| ({name}) | " + " | ".join(cells) + " |")
    report()
    classifier_proba(args, report)


def classifier_proba(args, report):
    """predict_proba of (b)'s network (one epoch), ours against MLPClassifier."""
    n_rows, runs, calls = QUICK_PROBA_SIZE if args.quick else PROBA_SIZE
    config = CLASSIFIER_CONFIGS["b"]
    models = {}
    for dtype in DTYPES:
        X, y = make_labels(config, dtype)
        models[dtype] = classifiers(config, 1)
        with quiet_fits():
            for estimator in models[dtype].values():
                estimator.fit(X, y)
    X_all, _ = make_labels(dict(config, n=n_rows), np.float64)
    differences = []
    for dtype, model in models.items():
        X = X_all.astype(dtype)
        proba = model["ours"].predict_proba(X), model["MLPClassifier"].predict_proba(X)
        differences.append(
            f"{np.dtype(dtype).name} {np.abs(proba[0] - proba[1]).max():.1e}"
        )
    differences = ", ".join(differences)
    report(
        f"predict_proba on {n_rows:,} rows of (b)'s network (5 classes, after one "
        f"epoch of each library: the same weights; largest difference of the "
        f"probabilities: {differences}); per call, median (min–max) of {runs} runs "
        f"of {calls} calls, contenders interleaved run by run."
    )
    report()
    report("| dtype | threads | MLPClassifier | ours | MLPClassifier / ours |")
    report("|---|---:|---:|---:|---:|")
    for n_threads in args.threads:
        with thread_group(n_threads):
            classifier_warm_up()
            for dtype in DTYPES:
                X = X_all.astype(dtype)
                times, _ = interleaved(
                    {
                        label: calls_timer(model.predict_proba, X, calls)
                        for label, model in models[dtype].items()
                    },
                    runs,
                )
                ratio = ratio_of_medians(times["MLPClassifier"], times["ours"])
                paired = paired_ratio_range(times["MLPClassifier"], times["ours"])
                report(
                    f"| {np.dtype(dtype).name} | {n_threads} | "
                    f"{format_spread(times['MLPClassifier'])} | "
                    f"{format_spread(times['ours'])} | **{ratio:.2f}** ({paired}) |"
                )


# ------------------------------------------------------------------ machine
def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine():
    pools = [
        f"{info['internal_api']} {info.get('version')} ({info['num_threads']} "
        f"threads, {info['filepath'].split('site-packages' + os.sep)[-1]})"
        for info in threadpool_info()
    ]
    if torch_loop is not None:
        pools.append(f"torch intra-op ({torch_loop.get_threads()} threads)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    torch_version = torch_loop.version() if torch_loop else "not installed"
    return [
        f"{cpu_model()}, {os.cpu_count()} cores ({usable} usable), "
        f"load average {load:.2f}",
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}, torch {torch_version}",
        "Thread pools: " + "; ".join(pools),
        f"sknn_simple at commit {_commit()}",
    ]


def _commit():
    """The checkout's commit, with "+" when it has uncommitted changes."""
    try:
        run = functools.partial(
            subprocess.run, capture_output=True, text=True, check=True
        )
        head = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
        dirty = run(["git", "status", "--porcelain", "--", "sknn_simple"]).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + ("+" if dirty.strip() else "")


SECTIONS = {
    "mlp": section_mlp,
    "torch": section_torch,
    "predict": section_predict,
    "fixed": section_fixed,
    "grid": section_grid,
    "classifier": section_classifier,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help="few epochs, 1 repeat: a smoke run"
    )
    parser.add_argument(
        "--configs", default="abcd", help="mlp section: of abcd; classifier: of abd"
    )
    parser.add_argument(
        "--torch-configs",
        default=",".join(TORCH_CONFIGS),
        help="torch section: comma-separated, of " + ",".join(TORCH_CONFIGS),
    )
    parser.add_argument("--threads", default="1,2", help="thread groups, e.g. 1,2")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help="sections: " + ",".join(SECTIONS)
    )
    parser.add_argument("--out", help="also write the tables to this Markdown file")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
    args.threads = [int(n) for n in args.threads.split(",")]
    args.torch_configs = args.torch_configs.split(",")
    sections = args.only.split(",")
    unknown = set(sections) - set(SECTIONS) | set(args.torch_configs) - set(
        TORCH_CONFIGS
    )
    if unknown:
        parser.error(f"unknown section or configuration: {sorted(unknown)}")

    report = Report()
    report("# bench_speed.py")
    report()
    report("Command: `python " + " ".join(sys.argv) + "`")
    report()
    for line in describe_machine():
        report(line + "  ")
    if torch_loop is None:
        report(TORCH_MISSING)
    for name in sections:
        report()
        SECTIONS[name](args, report)
    if args.out:
        report.write(args.out)
        print(f"\nWritten to {args.out}")


if __name__ == "__main__":
    main()
