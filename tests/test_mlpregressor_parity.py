"""Code written for MLPRegressor runs unchanged on SimpleMLPRegressor.

Each test is a difference found by running scikit-learn's own MLP tests
against this library (issue 13).
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from sknn_simple import SimpleMLPRegressor
from sknn_simple._training import loss_stalled

pytestmark = pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@ignore_convergence
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_n_iter_no_change_inf_switches_the_stopping_rule_off(small_data, solver):
    # MLPRegressor's own tests pass np.inf to run every epoch; with a huge
    # tol, any finite n_iter_no_change stops after n_iter_no_change + 1.
    X, y = small_data
    params = dict(solver=solver, alpha=1e-3, tol=1e6, max_iter=25, random_state=0)
    stopped = SimpleMLPRegressor((8,), n_iter_no_change=10, **params).fit(X, y)
    assert stopped.n_iter_ == 12  # the first epoch improves on inf
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        model = SimpleMLPRegressor((8,), n_iter_no_change=np.inf, **params).fit(X, y)
    assert model.n_iter_ == len(model.loss_curve_) == 25
    theirs = MLPRegressor(hidden_layer_sizes=(8,), n_iter_no_change=np.inf, **params)
    with pytest.warns(ConvergenceWarning):
        assert theirs.fit(X, y).n_iter_ == 25


def test_n_iter_no_change_inf_never_stops_lbfgs_on_a_stall(small_data):
    X, y = small_data
    params = dict(solver="lbfgs", alpha=1e-3, tol=5e-3, max_iter=60, random_state=0)
    stalled = SimpleMLPRegressor((8,), n_iter_no_change=1, **params).fit(X, y)
    model = SimpleMLPRegressor((8,), n_iter_no_change=np.inf, **params).fit(X, y)
    assert stalled.n_iter_ < model.n_iter_
    # Only scipy's own test ended it: no window of the curve counts as a stall.
    curve = model.loss_curve_
    assert not loss_stalled(curve, 1e9, np.inf)
    assert loss_stalled(curve, 1e9, 1)


@pytest.mark.parametrize("value", [2.5, 0, -np.inf, np.nan])
def test_n_iter_no_change_takes_positive_ints_or_inf_only(small_data, value):
    X, y = small_data
    with pytest.raises(InvalidParameterError, match="n_iter_no_change"):
        SimpleMLPRegressor(n_iter_no_change=value).fit(X, y)


@ignore_convergence
def test_history_counts_the_epochs_of_the_last_call(small_data):
    # The fitted state records the epochs of each call next to the total:
    # what MLPRegressor's n_iter_ counts (fit(); fit() with max_iter=3 is 3).
    X, y = small_data
    model = SimpleMLPRegressor(
        (8,), solver="adam", alpha=1e-3, max_iter=3, warm_start=True, random_state=0
    )
    model.fit(X, y).fit(X, y)
    history = model._state.history
    assert history.last_call_n_iter == 3
    assert history.n_iter == len(model.loss_curve_) == 6
    assert model.t_ == 6 * X.shape[0]
    model.partial_fit(X, y)
    assert model._state.history.last_call_n_iter == 1
    assert model._state.history.n_iter == 7
    theirs = MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=3, warm_start=True, random_state=0
    )
    theirs.fit(X, y).fit(X, y)
    assert theirs.n_iter_ == history.last_call_n_iter
    assert len(theirs.loss_curve_) == history.n_iter


def test_partial_fit_error_with_lbfgs_explains_itself():
    model = SimpleMLPRegressor(solver="lbfgs")
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError) as raised:
        model.partial_fit  # noqa: B018
    # The message itself, not only a chained cause, says why and what to do.
    message = str(raised.value)
    assert "partial_fit" in message
    assert "L-BFGS trains on all the data at once" in message
    assert "solver='adam'" in message
    assert "Use fit instead" in message


def test_partial_fit_exists_for_the_stochastic_solvers():
    for solver in ("auto", "adam", "sgd"):
        assert hasattr(SimpleMLPRegressor(solver=solver), "partial_fit")
    # The class attribute stays documented (help(), Sphinx).
    assert "one epoch" in SimpleMLPRegressor.partial_fit.__doc__


def test_solver_auto_trains_adam_in_partial_fit_and_says_so(small_data):
    # partial_fit needs a stochastic solver; "auto" picks Adam there and
    # L-BFGS in fit on the same rows. solver_ tells which one ran.
    X, y = small_data
    incremental = SimpleMLPRegressor((8,), alpha=1e-3, random_state=0)
    incremental.partial_fit(X, y)
    refit = SimpleMLPRegressor((8,), alpha=1e-3, random_state=0).fit(X, y)
    assert incremental.solver_ == "adam"
    assert refit.solver_ == "lbfgs"
    # Documented where users of incremental tools look.
    for doc in (SimpleMLPRegressor.__doc__, SimpleMLPRegressor.partial_fit.__doc__):
        assert "partial_fit" in doc and "trains Adam" in " ".join(doc.split())


def test_solver_adam_makes_partial_fit_and_fit_agree(small_data):
    X, y = small_data
    params = dict(solver="adam", alpha=1e-3, max_iter=1, shuffle=False, random_state=0)
    incremental = SimpleMLPRegressor((8,), **params)
    incremental.partial_fit(X, y)
    with pytest.warns(ConvergenceWarning):
        refit = SimpleMLPRegressor((8,), **params).fit(X, y)
    assert incremental.solver_ == refit.solver_ == "adam"
    np.testing.assert_allclose(incremental.predict(X), refit.predict(X))
