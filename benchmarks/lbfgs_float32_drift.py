"""How fast float32 L-BFGS fits on torch and on numpy drift apart.

The same model (``tests/test_array_api.py``'s data and settings) fitted on
numpy arrays and on torch CPU tensors under array API dispatch, stopped
after 1 to 5 L-BFGS iterations; prints the largest difference between
their weights. The rounding of the two libraries' kernels differs from the
first gradient on; while L-BFGS computed in float32 (up to commit a3188da:
``PYTHONPATH=<that tree>``), the line search amplified it about tenfold an
iteration (3e-8 after one iteration, 7.5e-5 after five). L-BFGS now computes
in float64 for float32 data and casts the weights back: the float32 weights
agree (0.0 here at every iteration), and tests/test_array_api.py compares
float32 L-BFGS fits over as many iterations as the others.

Run: SCIPY_ARRAY_API=1 python benchmarks/lbfgs_float32_drift.py
(needs torch: pip install -e ".[test-torch]")
"""

import warnings

import numpy as np
import torch
from sklearn import config_context

from sknn_simple import SimpleMLPRegressor


def main():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(120, 5)).astype(np.float32)
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=120)
    weights = rng.uniform(0.5, 2.0, size=120).astype(np.float32)
    params = dict(solver="lbfgs", hidden_layer_sizes=(8, 6), alpha=1e-3, random_state=0)
    warnings.simplefilter("ignore")
    print("| iterations | largest weight difference |")
    print("|---:|---:|")
    for max_iter in range(1, 6):
        numpy_fit = SimpleMLPRegressor(max_iter=max_iter, **params)
        numpy_fit.fit(X, y, sample_weight=weights)
        torch_fit = SimpleMLPRegressor(max_iter=max_iter, **params)
        with config_context(array_api_dispatch=True):
            torch_fit.fit(
                torch.asarray(X), torch.asarray(y), sample_weight=torch.asarray(weights)
            )
        gap = max(
            float(np.max(np.abs(ours.numpy() - theirs)))
            for ours, theirs in zip(torch_fit.coefs_, numpy_fit.coefs_)
        )
        print(f"| {max_iter} | {gap:.1e} |")


if __name__ == "__main__":
    main()
