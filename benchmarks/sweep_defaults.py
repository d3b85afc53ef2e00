"""Candidate defaults for SimpleMLPRegressor, cross-validated side by side.

The defaults of :class:`~sknn_simple.SimpleMLPRegressor` were chosen from the
table this script prints: every candidate setting (and the two MLPRegressor
baselines of ``bench_quality.py``) is cross-validated on the quality
benchmark's datasets, plus ``make_friedman1`` at 300, 3,000 and 10,000 rows
to see where L-BFGS stops paying off against Adam. Folds, pipelines
(StandardScaler first) and datasets are those of ``bench_quality.py``.

Every (candidate, dataset, fold) fit is one task; tasks run in parallel, one
BLAS thread each, so fit times are comparable within one run only.

``results/sweep_small.md`` was made before minibatch steps divided the
penalty by the weight of all training rows (they divided it by the batch's,
as MLPRegressor does), so its Adam rows with ``alpha`` above 1e-4 differ
from a run of this script today; the rest should match up to rounding.
``results/sweep_large.md`` was made after that change.

Run: python benchmarks/sweep_defaults.py [--n-jobs 14] [--out sweep.csv]
"""

import argparse
import csv
import itertools
import time
import warnings

import numpy as np
from bench_quality import DATASETS, load, make_estimator
from joblib import Parallel, delayed
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sknn_simple import SimpleMLPRegressor

# friedman1 at other sizes: where does L-BFGS stop paying off?
SIZES = {f"friedman1@{n}": n for n in (300, 3_000, 10_000, 30_000, 100_000)}
LARGE = ["friedman1@3000", "friedman1@10000", "friedman1@30000", "friedman1@100000"]


def _lbfgs(hidden, alpha, max_iter):
    """(name, parameters) of an L-BFGS candidate."""
    name = f"lbfgs h={hidden[0]} a={alpha:g} it={max_iter}"
    params = dict(
        solver="lbfgs", hidden_layer_sizes=hidden, alpha=alpha, max_iter=max_iter
    )
    return name, params


def _adam(hidden, lr, alpha, early, **extra):
    """(name, parameters) of an Adam candidate."""
    name = f"adam h={hidden[0]} lr={lr:g} a={alpha:g} es={'T' if early else 'F'}"
    params = dict(
        solver="adam",
        hidden_layer_sizes=hidden,
        learning_rate_init=lr,
        alpha=alpha,
        early_stopping=early,
        **extra,
    )
    return name, params


def candidates():
    """name -> (SimpleMLPRegressor parameters, runs on the large sizes too)."""
    grid = {}
    for hidden, alpha, max_iter in itertools.product(
        [(100, 100), (50, 50), (20, 20)], [1e-4, 1e-2, 0.1, 1.0, 10.0], [200, 500]
    ):
        name, params = _lbfgs(hidden, alpha, max_iter)
        big = max_iter == 500 and hidden == (50, 50) and alpha in (0.1, 1.0)
        grid[name] = (params, big)
    # Longer L-BFGS runs: does a larger max_iter end the warnings?
    for hidden, alpha, max_iter in itertools.product(
        [(50, 50), (20, 20)], [0.1, 1.0, 10.0], [1000, 2000]
    ):
        name, params = _lbfgs(hidden, alpha, max_iter)
        big = hidden == (50, 50) and alpha == 1.0 and max_iter == 2000
        grid[name] = (params, big)
    for hidden, lr, alpha, early in itertools.product(
        [(100, 100), (50, 50)], [1e-3, 1e-2], [1e-4, 0.1, 1.0], [False, True]
    ):
        # max_iter=500: the default when results/sweep_small.md was made.
        name, params = _adam(hidden, lr, alpha, early, max_iter=500)
        big = hidden == (100, 100) and lr == 1e-3 and alpha != 0.1
        grid[name] = (params, big)
    return grid


def large_candidates():
    """The chosen small-data default against Adam settings, for large data."""
    name, params = _lbfgs((20, 20), 1.0, 1000)
    grid = {name: (params, True)}
    for lr, alpha, early in itertools.product([1e-3, 1e-2], [1e-4, 1.0], [False, True]):
        name, params = _adam((20, 20), lr, alpha, early, max_iter=200)
        grid[name] = (params, True)
    return grid


def load_any(key):
    if key in SIZES:
        return make_friedman1(n_samples=SIZES[key], noise=1.0, random_state=0)
    return load(key)


def fit_one(name, params, key, fold, train, test):
    """Fit one candidate on one fold; return a result row."""
    X, y = load_any(key)
    if name in ("mlp", "expert"):
        estimator = make_estimator(name, False, {})
    else:
        estimator = SimpleMLPRegressor(random_state=0, **params)
    pipeline = make_pipeline(StandardScaler(), estimator)
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        try:
            pipeline.fit(X[train], y[train])
            seconds = time.perf_counter() - start
            r2 = r2_score(y[test], pipeline.predict(X[test]))
        except ValueError as exc:  # e.g. validation set too small on linnerud
            seconds, r2 = time.perf_counter() - start, np.nan
            print(f"{name} on {key} fold {fold}: {exc}"[:200], flush=True)
    n_warnings = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return dict(
        candidate=name,
        dataset=key,
        fold=fold,
        r2=r2,
        fit_time=seconds,
        warnings=n_warnings,
    )


def tasks(datasets, grid):
    cv = KFold(n_splits=5, shuffle=True, random_state=0)
    for key in datasets:
        X, y = load_any(key)
        runs = {"mlp": ({}, True), "expert": ({}, True), **grid}
        for name, (params, big) in runs.items():
            if key in LARGE and not big:
                continue
            for fold, (train, test) in enumerate(cv.split(X)):
                yield delayed(fit_one)(name, params, key, fold, train, test)


def summarise(rows):
    table = {}
    for row in rows:
        cell = table.setdefault(row["candidate"], {}).setdefault(row["dataset"], [])
        cell.append(row)
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--out", default="sweep.csv")
    parser.add_argument("--datasets", help="comma-separated; default: the grid's")
    parser.add_argument(
        "--grid",
        choices=["small", "large"],
        default="small",
        help="small: many settings on the quality datasets and friedman1 up to "
        "10,000 rows; large: the chosen L-BFGS default against Adam up to "
        "100,000 rows",
    )
    args = parser.parse_args()
    if args.grid == "small":
        grid, default_datasets = candidates(), [*DATASETS, *list(SIZES)[:3]]
    else:
        grid, default_datasets = large_candidates(), LARGE
    datasets = args.datasets.split(",") if args.datasets else default_datasets
    start = time.perf_counter()
    rows = Parallel(n_jobs=args.n_jobs, verbose=2)(tasks(datasets, grid))
    print(f"{len(rows)} fits in {time.perf_counter() - start:.0f} s", flush=True)
    with open(args.out, "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    table = summarise(rows)
    print("| candidate | " + " | ".join(datasets) + " | warnings |")
    print("|---|" + "---:|" * (len(datasets) + 1))
    for name, cells in table.items():
        shown = []
        for key in datasets:
            folds = cells.get(key)
            if not folds:
                shown.append("")
                continue
            r2 = np.mean([f["r2"] for f in folds])
            seconds = np.mean([f["fit_time"] for f in folds])
            shown.append(f"{r2:.3f} ({seconds:.2g}s)")
        n_warnings = sum(f["warnings"] for folds in cells.values() for f in folds)
        print(f"| {name} | " + " | ".join(shown) + f" | {n_warnings} |")


if __name__ == "__main__":
    main()
