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

Two alternatives that did not pay: ``--floor`` divides the penalty by
``max(S, n0)`` instead of ``S`` (emulated exactly by ``alpha * S / max(S,
n0)``, as the rows are unweighted) on 20-, 30- and 50-row samples of the
diabetes data and on the blog's rows; ``--path-order`` compares a path from
the strongest penalty down with the path from the weakest up, on the blog's
rows (train R² of the refit with the chosen alpha).

Run: python benchmarks/sweep_auto_alpha.py [--settings 5:none,3:200]
     python benchmarks/sweep_auto_alpha.py --synthetic
     python benchmarks/sweep_auto_alpha.py --floor
     python benchmarks/sweep_auto_alpha.py --path-order
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


BLOG_X = np.array([[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]], float)
BLOG_Y = np.array([50, 96, 63, 80, 96], float)


def floor():
    """CV R² of alpha=1 with a floor n0 on the penalty's denominator."""
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import cross_val_score
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rows = np.random.RandomState(0).permutation(len(y))
    print("| n0 | diabetes 20 | 30 | 50 rows (5-fold CV R²) | blog train R², (5, 5) |")
    print("|---:|---:|---:|---:|---:|")
    for n0 in (1, 100, 200, 500, 1000):
        scores = []
        for n_rows in (20, 30, 50):
            train_rows = 0.8 * n_rows  # what each fold trains on
            model = SimpleMLPRegressor(
                alpha=train_rows / max(train_rows, n0), random_state=0
            )
            sample = rows[:n_rows]
            scores.append(
                cross_val_score(
                    model,
                    X[sample],
                    y[sample],
                    cv=KFold(5, shuffle=True, random_state=0),
                ).mean()
            )
        blog = SimpleMLPRegressor(
            hidden_layer_sizes=(5, 5), alpha=5 / max(5, n0), random_state=0
        ).fit(BLOG_X, BLOG_Y)
        cells = " | ".join(f"{score:.2f}" for score in scores)
        print(f"| {n0} | {cells} | {blog.score(BLOG_X, BLOG_Y):.3f} |", flush=True)


def path_order():
    """The alpha a path chooses on the blog's rows, weakest or strongest first."""
    print("| order | seed | chosen alpha | train R² of the refit |")
    print("|---|---:|---:|---:|")
    for order, grid in (
        ("weakest first", search.ALPHA_GRID),
        ("strongest first", search.ALPHA_GRID[::-1]),
    ):
        for seed in range(3):
            errors = dict.fromkeys(grid, 0.0)
            for train, test in LeaveOneOut().split(BLOG_X):
                path = SimpleMLPRegressor(
                    hidden_layer_sizes=(5, 5), warm_start=True, random_state=seed
                )
                for alpha in grid:
                    path.set_params(alpha=alpha).fit(BLOG_X[train], BLOG_Y[train])
                    errors[alpha] += float(
                        ((path.predict(BLOG_X[test]) - BLOG_Y[test]) ** 2).sum()
                    )
            best = min(errors, key=errors.get)
            refit = SimpleMLPRegressor(
                hidden_layer_sizes=(5, 5), alpha=best, random_state=seed
            ).fit(BLOG_X, BLOG_Y)
            print(
                f"| {order} | {seed} | {best:g} | {refit.score(BLOG_X, BLOG_Y):.3f} |",
                flush=True,
            )


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
    for mode in ("synthetic", "floor", "path-order"):
        parser.add_argument(f"--{mode}", action="store_true")
    args = parser.parse_args()
    modes = {"synthetic": synthetic, "floor": floor, "path_order": path_order}
    for name, run in modes.items():
        if getattr(args, name):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run()
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
