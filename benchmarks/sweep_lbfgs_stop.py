"""Which stopping rule lets default L-BFGS fits end before max_iter?

For six real tables of bench_real_data.py (1,000 to 7,305 rows) and one small
synthetic set, fits SimpleMLPRegressor with max_iter=4000 and, on its loss
curve, finds where each candidate rule would have stopped; then refits with
max_iter at that point (L-BFGS is deterministic, so this is the fit the rule
would have given) and reports the held-out R² (one 25% split).

Rules: "abs tol/w" stops when the loss has not improved on its best by tol
for more than w iterations (the stochastic solvers' rule); "win tol/w" when
it fell by less than tol over the last w iterations; "rel tol/w" when it
fell by less than tol times itself over the last w iterations (the rule
adopted, with tol=1e-4 and w=10: sknn_simple._training.loss_stalled).

Run from benchmarks/: python sweep_lbfgs_stop.py
"""

import warnings

import numpy as np
from bench_real_data import load, preprocessor
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

from sknn_simple import SimpleMLPRegressor

TABLES = ["saratoga", "births", "computers", "wage", "concrete", "ames"]


def abs_stop(curve, tol, window):
    best, count = np.inf, 0
    for i, loss in enumerate(curve):
        count = count + 1 if loss > best - tol else 0
        best = min(best, loss)
        if count > window:
            return i + 1
    return None


def window_stop(curve, tol, window, relative=False):
    for i in range(window, len(curve)):
        scale = curve[i] if relative else 1.0
        if curve[i - window] - curve[i] < tol * scale:
            return i + 1
    return None


RULES = {
    "abs 1e-4/10": lambda c: abs_stop(c, 1e-4, 10),
    "abs 1e-5/10": lambda c: abs_stop(c, 1e-5, 10),
    "win 1e-4/10": lambda c: window_stop(c, 1e-4, 10),
    "win 1e-5/10": lambda c: window_stop(c, 1e-5, 10),
    "rel 1e-4/10": lambda c: window_stop(c, 1e-4, 10, relative=True),
    "rel 1e-4/20": lambda c: window_stop(c, 1e-4, 20, relative=True),
}


def cases():
    for name in TABLES:
        X, y, numeric, categorical = load("main", name)
        yield name, preprocessor(numeric, categorical).fit_transform(X), y, 1.0
    X, y = make_friedman1(150, noise=0.5, random_state=0)
    yield "friedman1 150 rows, alpha=0.01", X, y, 0.01


def main():
    # Fits without the new stall rule: tol and n_iter_no_change let only
    # scipy's gradient test and max_iter stop them.
    warnings.simplefilter("ignore")
    for name, X, y, alpha in cases():
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

        def fit(max_iter, alpha=alpha, X_train=X_train, y_train=y_train):
            model = SimpleMLPRegressor(
                alpha=alpha, max_iter=max_iter, n_iter_no_change=np.inf, random_state=0
            )
            return model.fit(X_train, y_train)

        full = fit(4000)
        score = full.score(X_test, y_test)
        cells = [f"{name}: full {len(full.loss_curve_)} its, R² {score:.4f}"]
        for rule, stop in RULES.items():
            at = stop(full.loss_curve_)
            if at is None:
                cells.append(f"{rule}: -")
            else:
                cells.append(
                    f"{rule}: {at} its, R² {fit(at).score(X_test, y_test):.4f}"
                )
        limited = fit(1000)
        cells.append(f"max_iter=1000: R² {limited.score(X_test, y_test):.4f}")
        print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
