"""How alpha="auto" searches: folds and path length against accuracy and time.

On the small tables of ``bench_real_data.py`` (5 to 50 rows) and its main
tables under 200 rows (where ``alpha="auto"`` searches), for each setting of
the search's folds and path length: the R² of pooled out-of-fold
predictions (``KFold(5)``, leave-one-out on the blog's five rows), the train
R² of a fit on all rows, the chosen alphas and the total fit time, next to
the fixed ``alpha=1``. Every fit sits in bench_real_data's pipeline.

``--synthetic`` answers the other question, whether the search pays from
200 rows on: on ``make_friedman1`` with 2,000 and 6,000 rows (noise 1), a
fit with ``alpha=1`` against one whose alpha was chosen on a 20% holdout
along the same path (weakest first), both scored on a further held-out 20%,
with the time ratio of the search to the plain fit.

Run: python benchmarks/sweep_auto_alpha.py [--settings 5:none,3:200]
     python benchmarks/sweep_auto_alpha.py --synthetic
"""

import argparse
import time
import warnings

import numpy as np
from bench_real_data import GROUPS, load, preprocessor
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, LeaveOneOut
from sklearn.pipeline import Pipeline

import sknn_simple._alpha_search as search
from sknn_simple import SimpleMLPRegressor


def tables():
    """(group, name) of every table with fewer than SEARCH_MAX_ROWS rows."""
    found = []
    for group, specs in GROUPS.items():
        for name in specs:
            if len(load(group, name)[1]) < search.SEARCH_MAX_ROWS:
                found.append((group, name))
    return found


def evaluate(group, name, alpha):
    X, y, numeric, categorical = load(group, name)
    folds = LeaveOneOut() if len(y) < 10 else KFold(5, shuffle=True, random_state=0)

    def fit(rows):
        model = Pipeline(
            [
                ("prep", preprocessor(numeric, categorical)),
                ("model", SimpleMLPRegressor(alpha=alpha, random_state=0)),
            ]
        )
        return model.fit(X.iloc[rows], y[rows])

    start = time.perf_counter()
    oof = np.empty_like(y)
    for train, test in folds.split(X):
        oof[test] = fit(train).predict(X.iloc[test])
    full = fit(np.arange(len(y)))
    seconds = time.perf_counter() - start
    train_r2 = r2_score(y, full.predict(X))
    return r2_score(y, oof), train_r2, full[-1].alpha_, seconds


def synthetic():
    """The search along the path on a holdout against alpha=1, 2k-6k rows."""
    from sklearn.datasets import make_friedman1
    from sklearn.model_selection import train_test_split

    print("| rows | alpha=1 test R² | chosen alpha | its test R² | time ratio |")
    print("|---:|---:|---|---:|---:|")
    for n_rows in (2000, 6000):
        X, y = make_friedman1(n_samples=n_rows, noise=1.0, random_state=0)
        X_fit, X_test, y_fit, y_test = train_test_split(X, y, random_state=0)
        start = time.perf_counter()
        plain = SimpleMLPRegressor(alpha=1.0, random_state=0).fit(X_fit, y_fit)
        plain_time = time.perf_counter() - start
        start = time.perf_counter()
        X_tr, X_val, y_tr, y_val = train_test_split(X_fit, y_fit, random_state=0)
        path = SimpleMLPRegressor(random_state=0, warm_start=True)
        errors = {}
        for alpha in search.ALPHA_GRID:
            path.set_params(alpha=alpha).fit(X_tr, y_tr)
            errors[alpha] = float(np.mean((path.predict(X_val) - y_val) ** 2))
        best = min(errors, key=errors.get)
        chosen = SimpleMLPRegressor(alpha=best, random_state=0).fit(X_fit, y_fit)
        ratio = (time.perf_counter() - start) / plain_time
        print(
            f"| {n_rows:,} | {plain.score(X_test, y_test):.3f} | {best:g} | "
            f"{chosen.score(X_test, y_test):.3f} | {ratio:.1f} |",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default="5:none,5:200,3:200,3:100")
    parser.add_argument("--synthetic", action="store_true")
    args = parser.parse_args()
    if args.synthetic:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synthetic()
        return
    settings = [("fixed alpha=1", None, None)]
    for item in args.settings.split(","):
        folds, path = item.split(":")
        settings.append(
            (
                f"auto {folds} folds, path {path}",
                int(folds),
                None if path == "none" else int(path),
            )
        )
    found = tables()
    print("tables:", ", ".join(name for _, name in found))
    print(
        "| setting | mean OOF R² | mean train R² | min train R² | time (s) | alphas |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for label, folds, path in settings:
        if folds is not None:
            search.N_FOLDS, search.PATH_MAX_ITER = folds, path
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for group, name in found:
                rows.append(evaluate(group, name, 1.0 if folds is None else "auto"))
        oof, train, alphas, seconds = zip(*rows)
        print(
            f"| {label} | {np.mean(oof):.3f} | {np.mean(train):.3f} | "
            f"{np.min(train):.3f} | {sum(seconds):.1f} | "
            + " ".join(f"{a:g}" for a in alphas)
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
