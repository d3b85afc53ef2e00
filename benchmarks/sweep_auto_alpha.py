"""How alpha="auto" searches: folds and path length against accuracy and time.

On the small tables of ``bench_real_data.py`` (5 to 50 rows) and its main
tables under 200 rows (where ``alpha="auto"`` searches), for each setting of
the search's folds and path length: the R² of pooled out-of-fold
predictions (``KFold(5)``, leave-one-out on the blog's five rows), the train
R² of a fit on all rows, the chosen alphas and the total fit time, next to
the fixed ``alpha=1``. Every fit sits in bench_real_data's pipeline.

Run: python benchmarks/sweep_auto_alpha.py [--settings 5:none,3:200]
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default="5:none,5:200,3:200,3:100")
    args = parser.parse_args()
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
