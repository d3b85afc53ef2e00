"""The classifier's ``alpha="auto"`` search from 200 rows on: grid and path.

For every table of ``bench_real_data_classification.py`` with at least 200
rows (preprocessed by its pipeline, fitted on all rows), fit
``SimpleMLPClassifier()`` under each setting of the search below and print
the penalty it chose and the fit time. A setting is the grid searched from
200 rows on and the iterations of each path fit:

- ``full:300``: 0.001 to 10, 300 iterations (the grid of the small tables);
- ``from0.1:300``: 0.1 to 10, 300 iterations;
- ``from0.1:100``: 0.1 to 10, 100 iterations (the defaults).

A setting that chooses the same penalties in less time is as good: the
final fit is the same. The held-out log loss of each penalty is what
``bench_real_data_classification.py --candidate a3:alpha=3`` measures.

Run: python benchmarks/sweep_classifier_alpha.py [--tables caravan,churn]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_real_data_classification as tables  # noqa: E402
from bench_real_data import preprocessor  # noqa: E402

from sknn_simple import SimpleMLPClassifier  # noqa: E402
from sknn_simple import _alpha_search as search  # noqa: E402

SETTINGS = {
    "full:300": ((1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0), 300),
    "from0.1:300": ((0.1, 0.3, 1.0, 3.0, 10.0), 300),
    "from0.1:100": ((0.1, 0.3, 1.0, 3.0, 10.0), 100),
}


def chosen(X, y, grid, path_max_iter):
    """The penalty ``alpha="auto"`` chooses with this grid and path, and the
    fit time."""
    defaults = search.CLASSIFIER_LARGE_ALPHA_GRID, search.LARGE_PATH_MAX_ITER
    search.CLASSIFIER_LARGE_ALPHA_GRID, search.LARGE_PATH_MAX_ITER = (
        grid,
        path_max_iter,
    )
    try:
        start = time.perf_counter()
        model = SimpleMLPClassifier(random_state=0).fit(X, y)
        return model.alpha_, time.perf_counter() - start
    finally:
        search.CLASSIFIER_LARGE_ALPHA_GRID, search.LARGE_PATH_MAX_ITER = defaults


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(tables.TABLES))
    names = parser.parse_args().tables.split(",")
    warnings.simplefilter("ignore")
    print("| table | rows | " + " | ".join(SETTINGS) + " |")
    print("|---|---:|" + "---:|" * len(SETTINGS))
    totals = dict.fromkeys(SETTINGS, 0.0)
    for name in names:
        X, y, numeric, categorical = tables.load(name)
        if len(y) < search.SEARCH_MAX_ROWS:
            continue
        X = preprocessor(numeric, categorical).fit_transform(X)
        cells = []
        for setting, (grid, path_max_iter) in SETTINGS.items():
            alpha, seconds = chosen(X, y, grid, path_max_iter)
            totals[setting] += seconds
            cells.append(f"{alpha:g} ({seconds:.1f} s)")
        print(f"| {name} | {len(y)} | " + " | ".join(cells) + " |", flush=True)
    print("| total time | | " + " | ".join(f"{t:.1f} s" for t in totals.values()))


if __name__ == "__main__":
    main()
