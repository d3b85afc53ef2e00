"""Defaults that work on any data, and a collapsed fit that is never silent.

The cases here are the ones a new user meets first: the blog's five rows,
tables of a few dozen rows, inputs nobody scaled, float32 inputs with large
targets.
"""

import numpy as np
import pytest
from sklearn.datasets import make_friedman1

from sknn_simple import SimpleMLPRegressor


def test_float32_inputs_with_large_targets_fit_like_float64():
    # y = 1e9 + signal: in float32 the spread (1,000) is below 10 eps times
    # the mean, so normalising after the cast took y for a constant.
    X, signal = make_friedman1(n_samples=500, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = 1e9 + 1_000 * (signal - signal.mean()) / signal.std()
    scores = {}
    for dtype in (np.float32, np.float64):
        model = SimpleMLPRegressor(random_state=0).fit(X.astype(dtype), y)
        assert model.predict(X[:2].astype(dtype)).dtype == dtype
        scores[dtype] = model.score(X.astype(dtype), y)
    assert scores[np.float64] > 0.95
    assert scores[np.float32] == pytest.approx(scores[np.float64], abs=0.01)
