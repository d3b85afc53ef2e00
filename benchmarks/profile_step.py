"""Where the time of a training step goes, and what each speed-up buys.

``bench_speed.py`` compares whole fits with MLPRegressor; this script takes
configuration (b) of that benchmark apart (hidden (100, 100), logistic, 20
features, Adam, minibatches of 200 rows) and measures, in one process:

1. every numpy call of one float64 step, timed alone, next to
   ``loss_and_gradient`` and the Adam step as the library runs them;
2. the sigmoid against scipy's ``expit`` at several sizes (why arrays under
   ``_kernels.SMALL_ARRAY`` elements use ``expit``; ``_activations._SMALL``
   at b0333ea), and BLAS ``axpy`` against numpy's two passes on a (b)-sized
   parameter vector;
3. (c), full-batch SGD on 20,000 rows, in blocks of ``BLOCK_ROWS`` rows
   against one block of all rows (numpy's kernel reads the block as
   ``_kernels.NumpyKernel.block_rows``; at b0333ea, ``_network.BLOCK_ROWS``);
4. fit (b) with and without one thread for scipy's BLAS pool during
   training, and the share of fit (b) spent on the starting loss.

Timings are medians of repeats; they vary with the machine and its load.

Run: python benchmarks/profile_step.py
"""

import statistics
import time
import timeit
import warnings

import numpy as np
from bench_speed import CONFIGS, estimators, make_data
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

import sknn_simple._blas as blas
import sknn_simple._training as training
from sknn_simple._activations import _logistic, _logistic_derivative
from sknn_simple._kernels import NUMPY, NumpyKernel
from sknn_simple._network import Network, Workspace
from sknn_simple._solvers import AdamOptimizer


def microseconds(function, number=300, repeat=9):
    return statistics.median(timeit.repeat(function, number=number, repeat=repeat)) / (
        number / 1e6
    )


def median_fit_seconds(make_estimator, X, y, repeats=3):
    times = []
    for _ in range(repeats):
        estimator = make_estimator()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            estimator.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_breakdown(dtype=np.float64):
    """Each numpy call of one (b) step, timed alone (µs)."""
    with blas.training_threads(numpy_threads=1):  # as during training
        return _step_breakdown(dtype)


def _step_breakdown(dtype):
    net = Network((20, 100, 100, 1), "logistic", "identity")
    rng = np.random.RandomState(0)
    params = net.initialize(rng, dtype)
    X, Y = rng.rand(200, 20).astype(dtype), rng.rand(200, 1).astype(dtype)
    workspace = Workspace(net, 200, dtype)
    grad = np.empty_like(params)
    (W0, W1, W2), (b0, b1, b2) = net.unpack(params)
    A1, A2, A3 = workspace.outputs
    D1, D2, D3 = workspace.deltas
    G0, G1, G2 = net.unpack(grad)[0]
    Z, D, S = (rng.rand(200, 100).astype(dtype) for _ in range(3))
    products = {
        "X @ W0": lambda: np.matmul(X, W0, out=A1),
        "A1 @ W1": lambda: np.matmul(A1, W1, out=A2),
        "A2 @ W2": lambda: np.matmul(A2, W2, out=A3),
        "A2.T @ delta3": lambda: np.matmul(A2.T, D3, out=G2),
        "delta3 * W2.T (outer product)": lambda: np.multiply(D3, W2.T, out=D2),
        "A1.T @ delta2": lambda: np.matmul(A1.T, D2, out=G1),
        "delta2 @ W1.T": lambda: np.matmul(D2, W1.T, out=D1),
        "X.T @ delta1": lambda: np.matmul(X.T, D1, out=G0),
    }
    rows = [(name, microseconds(f)) for name, f in products.items()]
    rows.append(("matrix products, total", sum(t for _, t in rows)))
    rows += [
        ("sigmoid, 200 x 100", microseconds(lambda: _logistic(NUMPY, Z))),
        (
            "sigmoid derivative",
            microseconds(lambda: _logistic_derivative(NUMPY, S, D)),
        ),
        ("bias addition, 200 x 100", microseconds(lambda: Z.__iadd__(b0))),
    ]
    # Adam overwrites its gradient argument: give it a fresh copy each time.
    net.loss_and_gradient(params, X, Y, None, grad=grad, workspace=workspace)
    adam = AdamOptimizer(params.size, dtype)
    step_and_copies = microseconds(lambda: adam.step(NUMPY, params.copy(), grad.copy()))
    copies = microseconds(lambda: (params.copy(), grad.copy()))
    rows.append(("Adam step", step_and_copies - copies))
    rows.append(
        (
            "loss_and_gradient, as the library runs it",
            microseconds(
                lambda: net.loss_and_gradient(
                    params, X, Y, None, grad=grad, workspace=workspace
                )
            ),
        )
    )
    return rows


def _sigmoid_times(base):
    """µs per in-place call of expit and of ours on a copy of ``base``."""
    work = base.copy()
    reset = microseconds(lambda: np.copyto(work, base), number=1000)
    theirs = microseconds(lambda: (np.copyto(work, base), expit(work, out=work)), 1000)
    ours = microseconds(lambda: (np.copyto(work, base), _logistic(NUMPY, work)), 1000)
    return theirs - reset, ours - reset


def kernels():
    """Sigmoid against expit by size, and axpy against numpy's two passes."""
    rng = np.random.default_rng(0)
    rows = []
    for dtype in (np.float64, np.float32):
        for size in (100, 1_000, 20_000):
            base = rng.normal(0, 2, size).astype(dtype)
            rows.append((np.dtype(dtype).name, size, *_sigmoid_times(base)))
    n_params = Network((20, 100, 100, 1), "logistic", "identity").n_params
    x, y = rng.random(n_params), rng.random(n_params)
    scratch = np.empty_like(x)

    def two_passes():
        np.multiply(x, 0.3, out=scratch)
        y.__iadd__(scratch)

    with blas.training_threads():
        axpy_time = microseconds(lambda: blas.axpy(0.3, x, y), number=2000)
    return rows, n_params, axpy_time, microseconds(two_passes, number=2000)


def blocks_against_one_block(epochs=10):
    """Full-batch SGD (c) in blocks of BLOCK_ROWS rows and in one block."""
    config = CONFIGS["c"]
    shipped = NumpyKernel.block_rows
    results = {}
    # The block changes the network's passes only: numpy's BLAS threads are
    # chosen for blocks of the shipped size, as when the training loop read
    # a copy of the constant of its own (b0333ea).
    real_threads_for = training.numpy_threads_for

    def threads_for(layer_sizes, rows):
        return real_threads_for(layer_sizes, min(rows, shipped))

    for dtype in (np.float64, np.float32):
        X, y = make_data(config, dtype)
        for rows in (shipped, config["n"]):
            NumpyKernel.block_rows = rows
            training.numpy_threads_for = threads_for
            try:
                seconds = median_fit_seconds(
                    lambda: estimators(config, epochs)["SimpleMLPRegressor"], X, y
                )
            finally:
                NumpyKernel.block_rows = shipped
                training.numpy_threads_for = real_threads_for
            results[np.dtype(dtype).name, rows] = seconds
    return results


def scipy_thread_limit_and_starting_loss(epochs=5):
    """Fit (b) with the limit on and off; the starting loss's share of it."""
    config = CONFIGS["b"]
    X, y = make_data(config, np.float64)

    def make():
        return estimators(config, epochs)["SimpleMLPRegressor"]

    limited = median_fit_seconds(make, X, y)
    shipped = blas._scipy_blas_controller
    blas._scipy_blas_controller = lambda: ThreadpoolController().select(filepath=[])
    try:
        unlimited = median_fit_seconds(make, X, y)
    finally:
        blas._scipy_blas_controller = shipped

    spent = []
    real_start_loss = training.start_loss_estimate

    def timed_start_loss(*args, **kwargs):
        start = time.perf_counter()
        result = real_start_loss(*args, **kwargs)
        spent.append(time.perf_counter() - start)
        return result

    training.start_loss_estimate = timed_start_loss
    try:
        total = median_fit_seconds(make, X, y)
    finally:
        training.start_loss_estimate = real_start_loss
    return limited, unlimited, statistics.median(spent) / total


def main():
    print("1. One (b) step in float64, each call timed alone (µs, median):\n")
    print("| call | µs |\n|---|---:|")
    for name, value in step_breakdown():
        print(f"| {name} | {value:.1f} |")

    rows, n_params, axpy_time, numpy_time = kernels()
    print("\n2. Sigmoid against scipy's expit, in place (µs per call):\n")
    print("| dtype | elements | expit | ours |\n|---|---:|---:|---:|")
    for dtype, size, theirs, ours in rows:
        print(f"| {dtype} | {size:,} | {theirs:.2f} | {ours:.2f} |")
    print(
        f"\ny += 0.3 * x on (b)'s {n_params:,} float64 parameters: BLAS axpy "
        f"{axpy_time:.2f} µs, "
        f"numpy multiply-then-add {numpy_time:.2f} µs"
    )

    print("\n3. (c), 10 epochs of full-batch SGD on 20,000 rows (s, median of 3):\n")
    results = blocks_against_one_block()
    for (dtype, rows_per_block), seconds in results.items():
        print(f"- {dtype}, blocks of {rows_per_block:,} rows: {seconds:.3f} s")

    limited, unlimited, share = scipy_thread_limit_and_starting_loss()
    print("\n4. Fit (b), 5 epochs (s, median of 3):\n")
    print(f"- scipy's BLAS pool at one thread during training: {limited:.3f} s")
    print(f"- without that limit: {unlimited:.3f} s")
    print(f"- share of the fit spent on the starting loss: {share:.1%}")


if __name__ == "__main__":
    main()
