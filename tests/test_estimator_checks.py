"""scikit-learn's estimator checks, all of them, with no expected failures."""

import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn_simple import SimpleMLPRegressor

# Parameters for individual checks, the way scikit-learn's own suite sets them
# for MLPRegressor (sklearn/utils/_test_common/instance_generator.py).
# Weighting a row by 2 and repeating it give the same objective, but L-BFGS
# (which solver="auto" picks for the checks' small data) amplifies the last-bit
# differences of the two sums over hundreds of iterations and ends in a
# different local minimum. Full-batch SGD with momentum follows both
# trajectories to within rounding, so the check can compare predictions at
# rtol=1e-7 as it does for MLPRegressor. A fixed alpha, because alpha="auto"
# cross-validates on small data: its folds split the repeated copies of a
# row, which a weight of 2 cannot mimic.
CHECK_PARAMS = {
    "check_sample_weight_equivalence_on_dense_data": dict(
        solver="sgd", tol=1e-2, random_state=42, alpha=1.0
    ),
    "check_sample_weight_equivalence_on_sparse_data": dict(
        solver="sgd", tol=1e-2, random_state=42, alpha=1.0
    ),
}


def _check_name(check):
    return getattr(check, "func", check).__name__


# scikit-learn < 1.9 hands pytest a generator of cases, which pytest 10 will
# refuse: pass them on as a list.
_CHECKS = parametrize_with_checks([SimpleMLPRegressor()])
sklearn_checks = pytest.mark.parametrize(
    *_CHECKS.args[:1], list(_CHECKS.args[1]), **_CHECKS.kwargs
)


@sklearn_checks
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_compatible_estimator(estimator, check):
    params = CHECK_PARAMS.get(_check_name(check))
    if params is not None:
        # The same instance serves every check: change a clone, not it.
        estimator = clone(estimator).set_params(**params)
    check(estimator)


def test_check_params_only_name_existing_checks():
    # A renamed check would silently run with default parameters.
    argvalues = parametrize_with_checks([SimpleMLPRegressor()]).args[1]
    names = {_check_name(check) for _, check in argvalues}
    assert set(CHECK_PARAMS) <= names
