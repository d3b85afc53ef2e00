"""Fixtures shared by several test files (see tests/README.md)."""

import numpy as np
import pytest
from sklearn.datasets import make_regression


@pytest.fixture(scope="module")
def small_data():
    """60 rows, 4 features in [-1, 1], a noisy non-linear target."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 4))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=60)
    return X, y


@pytest.fixture
def regression_data():
    """120 rows, 6 features of unit standard deviation, a linear target.

    Made afresh for each test, which may change it in place."""
    X, y = make_regression(n_samples=120, n_features=6, noise=1.0, random_state=0)
    return X / X.std(axis=0), y
