"""``python -m sknn_simple``: fit on the bundled diabetes data, side by side
with scikit-learn's MLPRegressor and a linear baseline.

Every model sits in a ``StandardScaler`` pipeline and is scored on the same
held-out quarter of the data. X is scaled because a network needs it: sigmoid
units saturate on large inputs, and the L2 penalty ``alpha`` acts on weights
whose size depends on the features' scale. The diabetes targets (disease
progression, 25 to 346) are left on their raw scale, as a user would pass
them. ``RidgeCV`` (a linear model with its penalty chosen by cross-validation)
is the baseline a network has to beat. The output ends with the thread pools
(BLAS, OpenMP) the timings ran with.
"""

import argparse
import os
import time
import warnings

import numpy as np
import scipy
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from sknn_simple import SimpleMLPRegressor


def _fit_and_score(name, regressor, data):
    """Fit ``regressor`` in a StandardScaler pipeline; its markdown table row.

    The row holds the held-out R², the fit time, and for an iterative model
    the number of epochs (or L-BFGS iterations) and whether it converged
    before ``max_iter``; ``-`` for a model that does not iterate.
    """
    X_train, X_test, y_train, y_test = data
    model = make_pipeline(StandardScaler(), regressor)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    epochs = converged = "-"
    if hasattr(regressor, "n_iter_"):
        epochs = regressor.n_iter_
        stopped = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        converged = "no (max_iter)" if stopped else "yes"
    r2 = model.score(X_test, y_test)
    return f"| {name} | {r2:.3f} | {seconds:.2f} | {epochs} | {converged} |"


def _matching_mlp(ours):
    """MLPRegressor with the settings the fitted SimpleMLPRegressor used.

    Every parameter the two estimators share is copied from ``ours``, except
    the solver and the penalty ``alpha``, which are those the fit used
    (``solver_`` and ``alpha_``: what ``"auto"`` chose). The other shared
    parameters (``beta_1``, ``shuffle``, ...) have the same defaults in both
    estimators.
    """
    shared = MLPRegressor().get_params().keys() & ours.get_params().keys()
    params = {name: getattr(ours, name) for name in shared}
    return MLPRegressor(**{**params, "solver": ours.solver_, "alpha": ours.alpha_})


def _thread_settings():
    """One line: the thread pools the fits ran with, as threadpoolctl sees them."""
    folders = {
        module.__name__: os.path.dirname(module.__file__) for module in (np, scipy)
    }
    pools = []
    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            owner = next(
                (name for name, d in folders.items() if pool["filepath"].startswith(d)),
                "a",
            )
            label = f"{owner}'s BLAS ({pool['internal_api']})"
        else:
            label = f"OpenMP ({pool['prefix']})"
        pools.append(f"{label} {pool['num_threads']}")
    return (
        "Threads during the timings (threadpoolctl): "
        f"{', '.join(pools) or 'no pools found'}; {os.cpu_count()} CPU cores. "
        "SimpleMLPRegressor trains with scipy's BLAS at 1 thread where scipy "
        "bundles its own. Set OMP_NUM_THREADS or OPENBLAS_NUM_THREADS to change "
        "them."
    )


def main(argv=None):
    """Print held-out R² and fit time of each model as a markdown table.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; None reads ``sys.argv``. The command takes
        none but ``--help``.
    """
    argparse.ArgumentParser(
        prog="python -m sknn_simple",
        description="Fit SimpleMLPRegressor on scikit-learn's bundled diabetes "
        "data, side by side with MLPRegressor (with the same settings and with "
        "its own defaults) and a linear baseline (RidgeCV), each in a "
        "StandardScaler pipeline, and print a markdown table of held-out R², "
        "fit time, epochs (or L-BFGS iterations) and convergence, then the "
        "thread settings the timings ran with.",
        epilog="Takes a few seconds. For a bug report, also paste the output "
        'of: python -c "import sknn_simple; sknn_simple.show_versions()"',
    ).parse_args(argv)
    X, y = load_diabetes(return_X_y=True)
    data = train_test_split(X, y, test_size=0.25, random_state=0)
    print(
        f"Diabetes: {len(y)} rows, {X.shape[1]} features, raw targets "
        f"{y.min():.0f}-{y.max():.0f}; trained on {len(data[2])}, "
        f"scored on {len(data[3])}. X is standardised (StandardScaler) in "
        "every pipeline: a network needs scaled features.\n"
    )
    print("| model | held-out R² | fit time (s) | epochs | converged |")
    print("|---|---:|---:|---:|---|")
    ours = SimpleMLPRegressor(random_state=0)
    print(_fit_and_score("SimpleMLPRegressor()", ours, data))
    print(_fit_and_score("MLPRegressor, same settings", _matching_mlp(ours), data))
    print(_fit_and_score("MLPRegressor()", MLPRegressor(random_state=0), data))
    print(_fit_and_score("RidgeCV() (linear baseline)", RidgeCV(), data))
    print(
        f"\nSimpleMLPRegressor used solver={ours.solver_!r}, hidden layers "
        f"{ours.hidden_layer_sizes}, activation={ours.activation!r}."
    )
    print(_thread_settings())


if __name__ == "__main__":
    main()
