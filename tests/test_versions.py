"""What depends on the installed scikit-learn version."""

import importlib.util

import numpy as np
import pytest

from sknn_simple import SimpleMLPRegressor


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callback_support_follows_the_installed_scikit_learn():
    has_callback_api = importlib.util.find_spec("sklearn.callback") is not None
    model = SimpleMLPRegressor((4,), max_iter=5, random_state=0)
    assert hasattr(model, "set_callbacks") == has_callback_api
    # Without the API the estimator trains all the same.
    X = np.random.RandomState(0).rand(20, 3)
    assert np.isfinite(model.fit(X, X.sum(axis=1)).predict(X)).all()
