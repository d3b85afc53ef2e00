"""Fixtures shared by several test files."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def small_data():
    """60 rows, 4 features in [-1, 1], a noisy non-linear target."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 4))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=60)
    return X, y
