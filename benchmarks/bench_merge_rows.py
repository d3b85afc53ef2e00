"""What merging duplicate rows costs (``sknn_simple._rows``), next to a fit.

A ``fit`` that trains with L-BFGS (``solver="auto"`` up to 10,000 rows)
first merges identical rows and sorts them canonically. This script times
that step on dense and sparse data of several sizes, and, for the sizes
L-BFGS trains on, one ``fit`` of the same data with the defaults but
``max_iter=200`` (the default is 2,000, so the ratios are upper bounds).
Merge times are medians of ``--repeats`` runs; 1 BLAS thread.

Run: python benchmarks/bench_merge_rows.py [--repeats 5]
"""

import argparse
import time
import warnings

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from sknn_simple import SimpleMLPRegressor
from sknn_simple._rows import merge_duplicate_rows


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.RandomState(0)
    print("| rows | features | X | merge (ms) | default fit (ms) | merge / fit |")
    print("|---:|---:|---|---:|---:|---:|")
    for n_rows, n_features, fit in [
        (1_000, 20, True),
        (10_000, 20, True),
        (10_000, 200, True),
        (100_000, 20, False),
        (1_000_000, 20, False),
    ]:
        X = rng.normal(size=(n_rows, n_features))
        Y = X[:, :1] + 0.1 * rng.normal(size=(n_rows, 1))
        for kind in ("dense", "sparse"):
            if kind == "sparse" and n_rows > 100_000:
                continue
            data = sp.csr_matrix(np.where(X > 1, X, 0)) if kind == "sparse" else X
            with threadpool_limits(1):
                merge = median_seconds(
                    lambda data=data, Y=Y: merge_duplicate_rows(data, Y, None),
                    args.repeats,
                )
                fit_time = np.nan
                if fit:
                    model = SimpleMLPRegressor(random_state=0, max_iter=200)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        fit_time = median_seconds(
                            lambda m=model, d=data, Y=Y: m.fit(d, Y.ravel()), 1
                        )
            print(
                f"| {n_rows:,} | {n_features} | {kind} | {1e3 * merge:.1f} "
                f"| {1e3 * fit_time:.0f} | {merge / fit_time:.3f} |"
            )


if __name__ == "__main__":
    main()
