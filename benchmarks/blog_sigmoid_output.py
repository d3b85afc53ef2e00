"""Why ``alpha="auto"`` skips its search below 10 rows: the blog's network.

The blog post's 3-5-5-1 network, with its sigmoid output
(``output_activation="logistic"``) or the identity, on its five rows, for
``random_state`` 0 to 9. For each seed it prints the train R² of a fit with
``alpha`` fixed at 0.01 and at 0.001, and with the default ``alpha="auto"``
(which takes 0.001 there), and whether a CollapsedFitWarning was raised.
It then prints the leave-one-out validation error of each candidate
penalty of the old search (in units of y's variance; predicting the mean
of the other four rows scores 1.5625), for the first seeds.

Run: python benchmarks/blog_sigmoid_output.py
"""

import warnings

import numpy as np
from sklearn.model_selection import KFold

from sknn_simple import CollapsedFitWarning, SimpleMLPRegressor, _alpha_search

X = np.array([[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]], float)
y = np.array([50, 96, 63, 80, 96], float)


def train_r2(output, seed, alpha):
    model = SimpleMLPRegressor(
        hidden_layer_sizes=(5, 5),
        output_activation=output,
        alpha=alpha,
        random_state=seed,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    collapsed = any(issubclass(w.category, CollapsedFitWarning) for w in caught)
    return f"{model.score(X, y):.3f}" + (" (collapsed)" if collapsed else "")


def leave_one_out_errors(output, seed):
    """The old search's mean validation error of each candidate."""
    model = SimpleMLPRegressor(
        hidden_layer_sizes=(5, 5), output_activation=output, random_state=seed
    )
    folds = KFold(len(y), shuffle=True, random_state=seed)
    Y = y.reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        totals, _ = _alpha_search._fold_totals(model, X, Y, None, folds)
    return {alpha: round(total / len(y), 3) for alpha, total in totals.items()}


def main():
    for output in ("logistic", "identity"):
        print(f"## output_activation={output!r}: train R²")
        print("| random_state | alpha=0.01 | alpha=0.001 | alpha='auto' |")
        print("|---:|---|---|---|")
        for seed in range(10):
            cells = [train_r2(output, seed, a) for a in (0.01, 0.001, "auto")]
            print(f"| {seed} | " + " | ".join(cells) + " |")
        print()
        for seed in range(3):
            print(
                f"leave-one-out errors, seed {seed}:",
                leave_one_out_errors(output, seed),
            )
        print()


if __name__ == "__main__":
    main()
