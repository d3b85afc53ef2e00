"""SimpleMLPRegressor against MLPRegressor on identical work, side by side.

Both libraries fit the same network (architecture, activation, solver, batch
size, learning rate, dtype, starting weights, shuffling) for a fixed number of
epochs or L-BFGS iterations: ``tol=0``, ``n_iter_no_change`` past
``max_iter``, and ``normalize_y=False`` for ours. Fits are interleaved in one
process, so machine load hits both alike, and the table reports median times
and the ratio MLPRegressor time / SimpleMLPRegressor time (above 1: we are
faster). Both final training losses are printed to show the same optimisation
was done.

Configurations (data from ``make_friedman1``, logistic hidden layers):

- (a) hidden (5, 5), n=2,000 (10 features), adam, batch 'auto' (200);
- (b) hidden (100, 100), n=20,000 (20 features), adam, batch 200;
- (c) as (b) with sgd, full batch;
- (d) as (b) with lbfgs, 50 iterations: time per loss-and-gradient evaluation;

each in float64 and float32; then predict on 10,000 rows and on 1 row with
(b)'s models, (b) with one BLAS thread against numpy's matrix-multiply bound,
and the peak memory (tracemalloc) of fit (b).

GFLOP/s counts the matrix products of a forward and backward pass
(``2 * rows * fan_in * fan_out`` each); the bound is numpy's own ``matmul``
on the same shapes and batch size, the most the products alone could reach.

Run: python benchmarks/bench_speed.py [--repeats 5] [--quick]
"""

import argparse
import os
import platform
import statistics
import time
import tracemalloc
import warnings

import numpy as np
import scipy
import scipy.optimize
import sklearn
from scipy.special import expit
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from sknn_simple import SimpleMLPRegressor
from sknn_simple._activations import _logistic

CONFIGS = {
    "a": dict(hidden=(5, 5), n=2_000, features=10, solver="adam", batch="auto"),
    "b": dict(hidden=(100, 100), n=20_000, features=20, solver="adam", batch=200),
    "c": dict(hidden=(100, 100), n=20_000, features=20, solver="sgd", batch=20_000),
    "d": dict(hidden=(100, 100), n=20_000, features=20, solver="lbfgs", batch=20_000),
}
# Epochs (L-BFGS: iterations) per fit: enough for a fit to last about a second.
ITERATIONS = {"a": 100, "b": 5, "c": 30, "d": 50}
QUICK_ITERATIONS = {"a": 20, "b": 1, "c": 5, "d": 10}

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


def timed_fit(estimator, X, y):
    with CountEvaluations() as counter, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    return seconds, counter.nfev


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

    steps = max(1, int(2e8 / (flops_per_row(config) * rows)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            one_step()
        times.append(time.perf_counter() - start)
    return flops_per_row(config) * rows * steps / statistics.median(times) / 1e9


def work_units(name, config, iterations, nfev):
    """Rows processed by the forward/backward pass in one fit."""
    if config["solver"] == "lbfgs":
        return config["n"] * nfev
    return config["n"] * iterations


def run_fit_table(names, dtypes, iterations, repeats):
    rows = []
    for name in names:
        config = CONFIGS[name]
        for dtype in dtypes:
            X, y = make_data(config, dtype)
            times = {"MLPRegressor": [], "SimpleMLPRegressor": []}
            for repeat in range(repeats):
                pair = list(estimators(config, iterations[name]).items())
                if repeat % 2:  # alternate who goes first
                    pair.reverse()
                fitted = {}
                for label, estimator in pair:
                    seconds, nfev = timed_fit(estimator, X, y)
                    times[label].append((seconds, nfev))
                    fitted[label] = estimator
            rows.append(summarise(name, config, dtype, iterations[name], times, fitted))
            print(format_row(rows[-1]), flush=True)
    return rows


def summarise(name, config, dtype, iterations, times, fitted):
    ours, theirs = fitted["SimpleMLPRegressor"], fitted["MLPRegressor"]
    medians = {}
    for label, values in times.items():
        seconds = statistics.median(s for s, _ in values)
        nfev = values[-1][1]
        per = seconds / nfev if config["solver"] == "lbfgs" else seconds
        medians[label] = (seconds, per, nfev)
    ours_seconds, ours_per, ours_nfev = medians["SimpleMLPRegressor"]
    theirs_seconds, theirs_per, theirs_nfev = medians["MLPRegressor"]
    flops = flops_per_row(config) * work_units(name, config, iterations, ours_nfev)
    return dict(
        config=name,
        dtype=np.dtype(dtype).name,
        theirs=theirs_per,
        ours=ours_per,
        ratio=theirs_per / ours_per,
        loss_theirs=float(theirs.loss_),
        loss_ours=float(ours.loss_),
        gflops=flops / ours_seconds / 1e9,
        nfev=(theirs_nfev, ours_nfev),
        model=ours if name == "b" and np.dtype(dtype) == np.float64 else None,
        model_theirs=theirs if name == "b" and np.dtype(dtype) == np.float64 else None,
    )


def format_row(row):
    unit = "s/eval" if row["config"] == "d" else "s"
    return (
        f"| ({row['config']}) {row['dtype']} | {row['theirs']:.4g} {unit} | "
        f"{row['ours']:.4g} {unit} | **{row['ratio']:.2f}x** | "
        f"{row['loss_theirs']:.6g} | {row['loss_ours']:.6g} | {row['gflops']:.1f} |"
    )


def time_calls(function, repeats, calls):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def predict_table(row_b, repeats):
    ours, theirs = row_b["model"], row_b["model_theirs"]
    X, _ = make_data(dict(CONFIGS["b"], n=10_000), np.float64)
    results = []
    for rows, calls in [(10_000, 5), (1, 300)]:
        batch = X[:rows]
        t_theirs, t_ours = [], []
        for _ in range(repeats):
            t_theirs.append(time_calls(lambda b=batch: theirs.predict(b), 1, calls))
            t_ours.append(time_calls(lambda b=batch: ours.predict(b), 1, calls))
        results.append((rows, statistics.median(t_theirs), statistics.median(t_ours)))
    return results


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
    flops = flops_per_row(config) * config["n"] * iterations["b"]
    achieved = flops / statistics.median(times) / 1e9
    return achieved, bound


def peak_memory(iterations):
    """Peak traced memory (MiB) of fit (b) float64, per library, data excluded."""
    config = CONFIGS["b"]
    X, y = make_data(config, np.float64)
    peaks = {}
    for label, estimator in estimators(config, iterations["b"]).items():
        tracemalloc.start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
        peaks[label] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return peaks, X.nbytes / 2**20


def sigmoid_table(repeats):
    """ns per element of scipy's expit and of the library's sigmoid, in place
    on a (b)-sized minibatch activation (200 x 100)."""
    rows = []
    for dtype in (np.float64, np.float32):
        base = np.random.default_rng(0).normal(0, 2, (200, 100)).astype(dtype)
        work = base.copy()
        copy_time = time_calls(lambda w=work, b=base: np.copyto(w, b), repeats, 200)
        timings = {}
        kernels = {"expit": lambda z: expit(z, out=z), "ours": _logistic}
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


def describe_machine():
    pools = [
        f"{info['internal_api']} {info.get('version')} ({info['num_threads']} "
        f"threads, {os.path.basename(os.path.dirname(info['filepath']))})"
        for info in threadpool_info()
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load:.2f}; Python {platform.python_version()}, "
        f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}\nThread pools: " + "; ".join(pools)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="few epochs, 1 repeat")
    parser.add_argument("--configs", default="abcd")
    args = parser.parse_args()
    iterations = QUICK_ITERATIONS if args.quick else ITERATIONS
    repeats = 1 if args.quick else args.repeats

    print(describe_machine())
    print(
        f"\nMedian of {repeats} interleaved fits. Epochs: "
        + ", ".join(f"({k}) {v}" for k, v in iterations.items() if k != "d")
        + f"; (d) {iterations['d']} L-BFGS iterations.\n"
    )
    print(
        "| config | MLPRegressor | SimpleMLPRegressor | ratio | "
        "final loss, MLPRegressor | final loss, ours | ours GFLOP/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = run_fit_table(args.configs, [np.float64, np.float32], iterations, repeats)

    print("\n| config | matmul bound GFLOP/s | ours GFLOP/s | ours / bound |")
    print("|---|---:|---:|---:|")
    for row in rows:
        bound = matmul_bound(CONFIGS[row["config"]], row["dtype"], repeats=5)
        print(
            f"| ({row['config']}) {row['dtype']} | {bound:.1f} | "
            f"{row['gflops']:.1f} | {row['gflops'] / bound:.0%} |"
        )
    if "d" in args.configs:
        for row in rows:
            if row["config"] == "d":
                print(
                    f"(d) {row['dtype']}: loss evaluations MLPRegressor "
                    f"{row['nfev'][0]}, ours {row['nfev'][1]}"
                )

    if "b" not in args.configs:
        return
    achieved, bound = one_thread_row(iterations, repeats)
    print(
        f"\n(b) float64, every BLAS pool at 1 thread: ours {achieved:.1f} GFLOP/s, "
        f"matmul bound {bound:.1f} GFLOP/s: **{achieved / bound:.0%}** of the bound"
    )

    row_b = next(r for r in rows if r["model"] is not None)
    print("\n| predict, (b)'s model, float64 | MLPRegressor | ours | ratio |")
    print("|---|---:|---:|---:|")
    for n_rows, theirs, ours in predict_table(row_b, repeats):
        print(
            f"| {n_rows:,} rows | {theirs * 1e3:.3f} ms | {ours * 1e3:.3f} ms | "
            f"**{theirs / ours:.2f}x** |"
        )

    print("\n| sigmoid, 200 x 100 in place | scipy expit ns/element | ours | ratio |")
    print("|---|---:|---:|---:|")
    for dtype, theirs, ours in sigmoid_table(repeats=max(repeats, 5)):
        print(f"| {dtype} | {theirs:.2f} | {ours:.2f} | **{theirs / ours:.1f}x** |")

    peaks, data_mib = peak_memory(iterations)
    print(
        f"\nPeak traced memory of fit (b) float64 (X itself is {data_mib:.1f} MiB "
        "and allocated before):"
    )
    for label, mib in peaks.items():
        print(f"- {label}: {mib:.1f} MiB")
    ratio = peaks["SimpleMLPRegressor"] / peaks["MLPRegressor"]
    print(f"- ours / MLPRegressor: **{ratio:.2f}**")


if __name__ == "__main__":
    main()
