"""``python -m sknn_simple``: fit on the bundled diabetes data, side by side
with scikit-learn's MLPRegressor.

Every model sits in a ``StandardScaler`` pipeline and is scored on the same
held-out quarter of the data. The diabetes targets (disease progression,
25 to 346) are left on their raw scale, as a user would pass them.
"""

import time
import warnings

from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor


def _fit_and_score(name, regressor, data):
    X_train, X_test, y_train, y_test = data
    model = make_pipeline(StandardScaler(), regressor)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return {
        "model": name,
        "r2": model.score(X_test, y_test),
        "seconds": seconds,
        "epochs": model[-1].n_iter_,
        "converged": "yes" if converged else "no (max_iter)",
    }


def _matching_mlp(ours):
    """MLPRegressor with the settings SimpleMLPRegressor used."""
    return MLPRegressor(
        hidden_layer_sizes=ours.hidden_layer_sizes,
        activation=ours.activation,
        solver=ours.solver_,
        alpha=ours.alpha,
        batch_size=ours.batch_size,
        learning_rate_init=ours.learning_rate_init,
        max_iter=ours.max_iter,
        tol=ours.tol,
        n_iter_no_change=ours.n_iter_no_change,
        random_state=ours.random_state,
    )


def main():
    """Print held-out R² and fit time of each model as a markdown table."""
    X, y = load_diabetes(return_X_y=True)
    data = train_test_split(X, y, test_size=0.25, random_state=0)
    ours = SimpleMLPRegressor(random_state=0)
    rows = [_fit_and_score("SimpleMLPRegressor()", ours, data)]
    rows.append(
        _fit_and_score("MLPRegressor, same settings", _matching_mlp(ours), data)
    )
    rows.append(_fit_and_score("MLPRegressor()", MLPRegressor(random_state=0), data))

    print(
        f"Diabetes: {len(y)} rows, {X.shape[1]} features, raw targets "
        f"{y.min():.0f}-{y.max():.0f}; trained on {len(data[2])}, "
        f"scored on {len(data[3])}.\n"
    )
    print("| model | held-out R² | fit time (s) | epochs | converged |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row['model']} | {row['r2']:.3f} | {row['seconds']:.2f} | "
            f"{row['epochs']} | {row['converged']} |"
        )
    print(
        f"\nSimpleMLPRegressor used solver={ours.solver_!r}, hidden layers "
        f"{ours.hidden_layer_sizes}, activation={ours.activation!r}."
    )


if __name__ == "__main__":
    main()
