"""scikit-learn's estimator checks for every loss besides the default one
(``tests/test_estimator_checks.py`` runs them for the squared error)."""

import pytest
from test_estimator_checks import runnable_checks

from sknn_simple import SimpleMLPRegressor
from sknn_simple._losses import REGRESSION_LOSSES

ESTIMATORS = [
    SimpleMLPRegressor(loss=loss)
    for loss in sorted(REGRESSION_LOSSES)
    if loss != "squared_error"
]


def _expected_failed_checks(estimator):
    if estimator.loss != "poisson":
        return {}
    return {
        # scikit-learn's check feeds make_regression's negative targets to
        # every regressor, ignoring target_tags.positive_only (which the
        # checks that use y >= 0 follow); Poisson rejects them, as it must.
        "check_regressor_multioutput": "the check ignores positive_only",
    }


# As in test_estimator_checks.py: without the array API cases for libraries
# and devices this machine lacks.
loss_checks = runnable_checks(
    ESTIMATORS, expected_failed_checks=_expected_failed_checks
)


@loss_checks
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_compatible_estimator_for_each_loss(estimator, check):
    # Each loss with the other parameters at their defaults, as in
    # test_estimator_checks.py: no check is handed other parameters.
    check(estimator)
