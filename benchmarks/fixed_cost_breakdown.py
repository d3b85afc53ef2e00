"""Where the fixed cost of a fit goes, measured inside the fit.

``bench_speed.py --only fixed`` estimates the fixed cost of every
contender as ``t(1 epoch) - (t(2) - t(1))``, a difference of two whole fits
whose noise (a few ms on this 2-core machine) is as large as what it
measures. For SimpleMLPRegressor this script times the pieces themselves:
each is wrapped in a timer, and the fixed cost is the fit's time less its
epoch loop. Configurations (b) and wide of ``bench_speed.py``, 2 epochs, one
BLAS thread, medians of 7 fits, with this library's default
``normalize_y=True``: the fits learn (R² 0.73 and 0.09 after 2 epochs), as
real fits do. ``bench_speed.py`` trains with ``normalize_y=False``, as
MLPRegressor does; its fits collapse in so few epochs and so also pay for
the collapse diagnosis.

On the 2-core development machine: (b) 5.1% of an epoch (2.3-2.4 ms),
from 6.8-6.9% before the collapse check cleared fits on a quarter of its
rows, in runs interleaved with a worktree of ce0e4ed; 6.4-6.7% in later
runs of the same code. Wide 4.1%, from 3.7%: after 2 epochs its
predictions spread 0.10 of y's (this script prints it), under the 0.15
that clears a fit, so it pays both forward passes. All runs:
``benchmarks/results/fixed_cost_2cores.md``.

The thread limits' line timed, at b0333ea, the round trips to the thread
that set and restored the BLAS limits for every fit
(``_blas._SharedLimits._in_owner``); that thread is gone, and the line now
times ``_blas._limit_pools``, entered (setting the limits) and left
(restoring them) by the fit's own thread. Under this script's
``threadpool_limits(limits=1)`` the pools are within the limits already, so
a fit neither sets nor restores them, then as now, and the line reads 0.

Run: python benchmarks/fixed_cost_breakdown.py
"""

import contextlib
import functools
import statistics
import time
import warnings
from collections import defaultdict

from sklearn.datasets import make_friedman1
from threadpoolctl import threadpool_limits

import sknn_simple._base as base
import sknn_simple._blas as blas
import sknn_simple._diagnostics as diagnostics
import sknn_simple._regressor as regressor
import sknn_simple._training as training
from sknn_simple import SimpleMLPRegressor

CONFIGS = {"b": ((100, 100), 200), "wide": ((512, 512), 256)}
REPEATS = 7

# (label, owner, attribute): the pieces of a fit that are not its epochs.
PIECES = [
    # The epoch loop, each epoch's shuffle and end-of-epoch checks included.
    ("epochs", training._EpochLoop, "run"),
    ("input validation", base.BaseSimpleMLP, "_validate_training_data"),
    # A new fit's (a continued one's would be _continued_state).
    ("starting weights", base.BaseSimpleMLP, "_new_state"),
    ("start loss (256 rows)", training, "start_loss_estimate"),
    ("collapse check", regressor.SimpleMLPRegressor, "_collapse_message"),
    ("  of which the diagnosis", diagnostics, "collapse_message"),
    # A context manager: entering (setting) and leaving (restoring) are timed.
    ("thread limits (set, restore)", blas, "_limit_pools"),
]
#: The pieces that are context managers, whose enter and exit are timed.
CONTEXTS = {"thread limits (set, restore)"}


def timed(spent, label, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start

    return wrapper


def timed_context(spent, label, function):
    """Time entering and leaving the context managers ``function`` returns,
    not what runs inside them."""

    @functools.wraps(function)
    @contextlib.contextmanager
    def wrapper(*args, **kwargs):
        stack = contextlib.ExitStack()
        start = time.perf_counter()
        try:
            stack.enter_context(function(*args, **kwargs))
        finally:
            spent[label] += time.perf_counter() - start
        try:
            yield
        finally:
            start = time.perf_counter()
            try:
                stack.close()
            finally:
                spent[label] += time.perf_counter() - start

    return wrapper


def measure(hidden, batch, X, y):
    spent = defaultdict(float)
    originals = [(owner, name, getattr(owner, name)) for _, owner, name in PIECES]
    for (label, owner, name), (_, _, function) in zip(PIECES, originals):
        timer = timed_context if label in CONTEXTS else timed
        setattr(owner, name, timer(spent, label, function))
    try:
        model = SimpleMLPRegressor(
            hidden,
            solver="adam",
            batch_size=batch,
            alpha=0.0,
            max_iter=2,
            n_iter_no_change=3,
            tol=0.0,
            random_state=0,
        )
        start = time.perf_counter()
        model.fit(X, y)
        spent["fit"] = time.perf_counter() - start
        spent["r2"] = model.score(X, y)
        spent["spread"] = model.predict(X).std() / y.std()
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)
    return spent


def main():
    warnings.simplefilter("ignore")
    X, y = make_friedman1(n_samples=20_000, n_features=20, random_state=0)
    with threadpool_limits(limits=1, user_api="blas"):
        for config, (hidden, batch) in CONFIGS.items():
            runs = [measure(hidden, batch, X, y) for _ in range(REPEATS)]
            median = {
                key: statistics.median(run[key] for run in runs) for key in runs[0]
            }
            fixed = [run["fit"] - run["epochs"] for run in runs]
            epoch = median["epochs"] / 2
            print(
                f"{config}: one epoch {epoch * 1e3:.1f} ms; fixed cost "
                f"{statistics.median(fixed) * 1e3:.2f} ms (range "
                f"{min(fixed) * 1e3:.2f}-{max(fixed) * 1e3:.2f}), "
                f"{statistics.median(fixed) / epoch:.1%} of an epoch; after "
                f"it R² {median['r2']:.2f}, predictions spread "
                f"{median['spread']:.2f} of y's"
            )
            for label, _, _ in PIECES[1:]:
                print(f"    {label:28s} {median.get(label, 0.0) * 1e3:7.2f} ms")


if __name__ == "__main__":
    main()
