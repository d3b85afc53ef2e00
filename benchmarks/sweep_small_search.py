"""Variants of the ``alpha="auto"`` search, judged on the small tables.

``alpha="auto"`` cross-validates the penalty below 200 rows
(``sknn_simple/_alpha_search.py``). This script swaps in variants of that
search, one at a time, and scores each on the small group of
``bench_real_data.py`` (20 tables of 5 to 50 rows, the same pipeline): the
R² of the pooled out-of-fold predictions, averaged over three draws of the
5 folds (``KFold(5, shuffle=True, random_state=r)``, r = 0, 1, 2;
leave-one-out on the blog's five rows), beside ``RidgeCV()`` and
``MLPRegressor()`` in a ``TransformedTargetRegressor``.

The variants (``--variants``; "default" is the library's own search):

- ``one_se``: the strongest penalty whose mean fold error is within one
  standard error of the best (``half_se``: half of one);
- ``folds5``: 5 folds instead of 3; ``repeated``: 3 folds drawn 3 times;
- ``fine_grid``: 9 candidates, 0.001 to 1, instead of 5;
- ``path_final``: the final fit starts where the path on all rows reached
  the penalty chosen, as each fold's fits did;
- ``cap300``: the final fit capped at the path's 300 iterations.

Install: pip install -e ".[bench]"
Run:     python benchmarks/sweep_small_search.py [--variants default,one_se]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import RepeatedKFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
import bench_real_data as bench  # noqa: E402

import sknn_simple._alpha_search as search  # noqa: E402
import sknn_simple._base as base  # noqa: E402
from sknn_simple import SimpleMLPRegressor  # noqa: E402

DEFAULT_GRID = search.ALPHA_GRID
FINE_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0)
VARIANTS = {
    "default": {},
    "one_se": {"rule": 1.0},
    "half_se": {"rule": 0.5},
    "folds5": {"folds": 5},
    "repeated": {"repeats": 3},
    "fine_grid": {"grid": FINE_GRID},
    "path_final": {"path_final": True},
    "cap300": {"params": {"max_iter": 300}},
}


class Search:
    """``choose_alpha`` with the variant's settings; ``start`` holds the
    path's weights for ``path_final``, read by the patched initialisation."""

    def __init__(self, grid=DEFAULT_GRID, folds=3, repeats=1, rule=None, **other):
        self.grid, self.folds, self.repeats, self.rule = grid, folds, repeats, rule
        self.path_final = other.get("path_final", False)
        self.start = None

    def choose(self, estimator, X, Y, sample_weight):
        n_rows = Y.shape[0]
        if n_rows < search.MIN_SEARCH_ROWS:
            return self.grid[0], {}
        search.ALPHA_GRID = self.grid
        try:
            errors, flat = self._fold_errors(estimator, X, Y, sample_weight)
        finally:
            search.ALPHA_GRID = DEFAULT_GRID
        pick = self._pick(errors, flat if n_rows < 20 else set())
        if self.path_final and pick > 0:
            self.start = self._path_weights(estimator, X, Y, sample_weight, pick)
        return self.grid[pick], dict(zip(self.grid, errors.mean(axis=0)))

    def _fold_errors(self, estimator, X, Y, sample_weight):
        splitter = RepeatedKFold(
            n_splits=self.folds, n_repeats=self.repeats, random_state=0
        )
        spread = search._error_units(estimator, Y, sample_weight)
        rows, flat = [], set()
        for train, test in splitter.split(X):
            path = search._path_errors(
                estimator, (X, Y, sample_weight), (train, test), spread
            )
            rows.append([path[alpha][0] / len(test) for alpha in self.grid])
            flat |= {index for index, a in enumerate(self.grid) if path[a][1]}
        return np.array(rows), flat

    def _pick(self, errors, flat):
        mean = errors.mean(axis=0)
        error = errors.std(axis=0, ddof=1) / np.sqrt(len(errors))
        allowed = [i for i in range(len(self.grid)) if i not in flat] or list(
            range(len(self.grid))
        )
        best = min(allowed, key=lambda i: (mean[i], -i))  # ties: stronger
        if self.rule is None:
            return best
        limit = mean[best] + self.rule * error[best]
        return max(i for i in allowed if mean[i] <= limit)

    def _path_weights(self, estimator, X, Y, sample_weight, pick):
        model = search._path_model(estimator, Y.shape[0])
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for alpha in self.grid[:pick]:
                target = Y.ravel() if Y.shape[1] == 1 else Y
                model.set_params(alpha=alpha).fit(X, target, **fit_params)
        return model._state.params.copy()


def patch(variant):
    """Install the variant's search; return the estimator's extra params."""
    settings = dict(VARIANTS[variant])
    params = settings.pop("params", {})
    chosen = Search(**settings)
    base.choose_alpha = chosen.choose
    initial = PATCHED_FROM

    def initial_params(network, random_state, dtype, hidden_layer_sizes):
        params = initial(network, random_state, dtype, hidden_layer_sizes)
        start, chosen.start = chosen.start, None
        return params if start is None else start.astype(params.dtype)

    base._initial_params = initial_params
    return params


PATCHED_FROM = base._initial_params


def out_of_fold_r2(table, make):
    """Mean over the draws of the pooled out-of-fold R², on the folds of
    ``bench_real_data.py``'s small group."""
    X, y, numeric, categorical = bench.load("small", table)
    predicted = {}
    for fold, train, test in bench.folds("small", table, len(y)):
        if fold == "all":
            continue
        pipe = Pipeline(
            [("prep", bench.preprocessor(numeric, categorical)), ("m", make())]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipe.fit(X.iloc[train], y[train])
        predicted.setdefault(fold[0], np.empty(len(y)))[test] = pipe.predict(
            X.iloc[test]
        )
    return float(np.mean([r2_score(y, pred) for pred in predicted.values()]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    tables = list(bench.SMALL_TABLES)
    first8, added = tables[:8], tables[8:]
    columns = {
        "ridge": lambda: RidgeCV(),
        "mlp_ttr": lambda: TransformedTargetRegressor(
            MLPRegressor(random_state=0), transformer=StandardScaler()
        ),
    }
    results = {}
    for name, make in columns.items():
        results[name] = ({t: out_of_fold_r2(t, make) for t in tables}, np.nan)
    for variant in args.variants.split(","):
        params = patch(variant)
        start = time.perf_counter()
        scores = {
            t: out_of_fold_r2(
                t, lambda p=params: SimpleMLPRegressor(random_state=0, **p)
            )
            for t in tables
        }
        results[variant] = (scores, time.perf_counter() - start)
        print(f"{variant}: done", file=sys.stderr, flush=True)
    print(
        "| column | mean R², 20 tables | without the blog's rows | first 8 "
        "| added 12 | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, (scores, seconds) in results.items():

        def mean(names, scores=scores):
            return np.mean([scores[t] for t in names])

        print(
            f"| {name} | {mean(tables):.3f} | {mean(tables[1:]):.3f} "
            f"| {mean(first8):.3f} | {mean(added):.3f} | {seconds:.0f} |"
        )
    print()
    print("| table | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for table in tables:
        cells = " | ".join(f"{results[c][0][table]:.3f}" for c in results)
        print(f"| {table} | {cells} |")


if __name__ == "__main__":
    main()
