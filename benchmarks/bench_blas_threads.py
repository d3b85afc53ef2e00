"""One or two BLAS threads for training: on a quiet machine, and on a busy one.

``sknn_simple._blas.numpy_threads_for`` trains on one thread when a step's
largest matrix product is small (under ``MIN_FLOPS_FOR_THREADS``), and on
the pool's threads otherwise. This script times epochs of three
configurations with numpy's pool forced to 1 and to 2 threads, first on a
quiet machine, then with one core kept busy by another process (a Python
loop spinning in a subprocess, as a second user's job would), and prints
the median seconds per epoch with the range over the repeats.

Configurations (``make_friedman1``, 20 features, logistic hidden layers):

- (b) hidden (100, 100), 20,000 rows, adam, batch 200 (4e6 operations per
  matrix product);
- (c) as (b) with sgd, full batch, in blocks of ``BLOCK_ROWS`` rows (2e7);
- wide: hidden (512, 512), 10,000 rows, adam, batch 256 (1.3e8).

With ``--blocks``, it instead times (c) in blocks of 1,024 to 8,192 rows
(``sknn_simple._kernels.BLOCK_ROWS``, which numpy's kernel reads as
``NumpyKernel.block_rows``; at b0333ea, ``_network.BLOCK_ROWS``, with a
copy in ``_training``) at 1 and 2 threads, float64 and float32, on the
machine as it is.

Run: python benchmarks/bench_blas_threads.py [--repeats 5] [--blocks]
"""

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from unittest import mock

import numpy as np
from sklearn.datasets import make_friedman1
from threadpoolctl import threadpool_limits

from sknn_simple import SimpleMLPRegressor
from sknn_simple._kernels import NumpyKernel

CONFIGS = {
    "(b)": dict(hidden=(100, 100), n=20_000, solver="adam", batch=200, epochs=2),
    "(c)": dict(hidden=(100, 100), n=20_000, solver="sgd", batch=20_000, epochs=20),
    "wide": dict(hidden=(512, 512), n=10_000, solver="adam", batch=256, epochs=1),
}


def seconds_per_epoch(config, X, y, threads):
    """One fit with numpy's pool at ``threads``, whatever the layers."""
    model = SimpleMLPRegressor(
        config["hidden"],
        solver=config["solver"],
        batch_size=config["batch"],
        max_iter=config["epochs"],
        alpha=1e-4,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    )
    # The pool as threadpool_limits sets it, not as the library would choose.
    with (
        mock.patch("sknn_simple._training.numpy_threads_for", return_value=None),
        threadpool_limits(limits=threads, user_api="blas"),
    ):
        start = time.perf_counter()
        model.fit(X[: config["n"]], y[: config["n"]])
    return (time.perf_counter() - start) / config["epochs"]


def measure(repeats, X, y):
    """Median and range of seconds per epoch, 1 and 2 threads interleaved."""
    times = {(name, k): [] for name in CONFIGS for k in (1, 2)}
    for _ in range(repeats):
        for name, config in CONFIGS.items():
            for threads in (1, 2):
                times[name, threads].append(seconds_per_epoch(config, X, y, threads))
    return times


def print_table(title, times):
    print(f"\n{title}\n")
    print("| configuration | 1 thread (ms/epoch) | 2 threads (ms/epoch) | 2 / 1 |")
    print("|---|---:|---:|---:|")
    for name in CONFIGS:
        one, two = times[name, 1], times[name, 2]
        cells = [
            f"{1e3 * statistics.median(t):.1f} [{1e3 * min(t):.1f}-{1e3 * max(t):.1f}]"
            for t in (one, two)
        ]
        ratio = statistics.median(two) / statistics.median(one)
        print(f"| {name} | {cells[0]} | {cells[1]} | {ratio:.2f} |")


def block_sweep(repeats, X, y):
    """(c) in blocks of 1,024 to 8,192 rows, at 1 and 2 threads."""
    print("\n| dtype | block rows | 1 thread (ms/epoch) | 2 threads (ms/epoch) |")
    print("|---|---:|---:|---:|")
    shipped = NumpyKernel.block_rows
    try:
        for dtype in (np.float64, np.float32):
            Xd, yd = X.astype(dtype), y.astype(dtype)
            times = {}
            for _ in range(repeats):
                for rows in (1024, 2048, 4096, 8192):
                    # The network's passes and the training loop both read
                    # the kernel's block_rows.
                    NumpyKernel.block_rows = rows
                    for threads in (1, 2):
                        times.setdefault((rows, threads), []).append(
                            seconds_per_epoch(CONFIGS["(c)"], Xd, yd, threads)
                        )
            for rows in (1024, 2048, 4096, 8192):
                cells = [
                    f"{1e3 * statistics.median(times[rows, k]):.1f}" for k in (1, 2)
                ]
                name = np.dtype(dtype).name
                print(f"| {name} | {rows:,} | {cells[0]} | {cells[1]} |")
    finally:
        NumpyKernel.block_rows = shipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blocks", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    X, y = make_friedman1(n_samples=20_000, n_features=20, random_state=0)
    if args.blocks:
        block_sweep(args.repeats, X, y)
        return
    seconds_per_epoch(CONFIGS["(b)"], X, y, 1)  # warm up
    print_table("Quiet machine", measure(args.repeats, X, y))
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        print_table("One core busy with another process", measure(args.repeats, X, y))
    finally:
        hog.kill()


if __name__ == "__main__":
    main()
