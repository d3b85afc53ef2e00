"""L-BFGS with and without one thread for scipy's own BLAS pool.

scipy's wheels bundle an OpenBLAS apart from numpy's; during L-BFGS both
thread pools compete for the cores (see sknn_simple._blas.
_scipy_blas_controller). This script fits the same L-BFGS problem three ways,
interleaved in one process, and prints median times and ratios:

- SimpleMLPRegressor as shipped (scipy's pool limited to one thread);
- SimpleMLPRegressor with that limit switched off;
- scikit-learn's MLPRegressor with the same network and iteration count.

Run: python benchmarks/bench_lbfgs_threads.py [repeats]
"""

import statistics
import sys
import time
import warnings

from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController, threadpool_info

import sknn_simple._blas as blas
from sknn_simple import SimpleMLPRegressor

SETTINGS = dict(
    hidden_layer_sizes=(100, 100),
    activation="logistic",
    solver="lbfgs",
    max_iter=100,
    tol=0.0,
    random_state=0,
)


def _time_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def main(repeats=5):
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    limited = blas._scipy_blas_controller()
    unlimited = ThreadpoolController().select(filepath=[])  # limits nothing

    times = {"limited": [], "unlimited": [], "MLPRegressor": []}
    shipped = blas._scipy_blas_controller
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(repeats):
            for name, controller in [("limited", limited), ("unlimited", unlimited)]:
                blas._scipy_blas_controller = lambda c=controller: c
                times[name].append(_time_fit(SimpleMLPRegressor(**SETTINGS), X, y))
            times["MLPRegressor"].append(_time_fit(MLPRegressor(**SETTINGS), X, y))
    blas._scipy_blas_controller = shipped

    pools = [
        (i["filepath"].split("/")[-2], i["num_threads"]) for i in threadpool_info()
    ]
    print(f"Thread pools (library folder, threads): {pools}")
    print("| fit (100 L-BFGS iterations, diabetes, (100, 100)) | median s |")
    print("|---|---:|")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"| {name} | {value:.3f} |")
    for name in ("unlimited", "MLPRegressor"):
        print(f"{name} / limited: {medians[name] / medians['limited']:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
