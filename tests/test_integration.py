"""SimpleMLPRegressor inside scikit-learn's tools: pipelines, model selection,
meta-estimators, cloning, copying and pickling."""

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sknn_simple import SimpleMLPRegressor

ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)

# Small, fast settings: a full L-BFGS fit of these on diabetes takes ~50 ms.
FAST = dict(hidden_layer_sizes=(20, 20), solver="lbfgs", alpha=1.0, max_iter=50)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0)


def _fitted_small(small_data, **params):
    X, y = small_data
    settings = dict(hidden_layer_sizes=(8, 6), max_iter=15, random_state=0)
    settings.update(params)
    return SimpleMLPRegressor(**settings).fit(X, y)


def _assert_views_of_flat_params(est):
    flat = est._state.params
    assert len(est.coefs_) == len(est.intercepts_) == est.n_layers_ - 1
    for array in [*est.coefs_, *est.intercepts_]:
        assert np.shares_memory(array, flat)


# ---------------------------------------------------------------- pipelines
@ignore_convergence
def test_pipeline_with_scaler_fits_predicts_and_scores_on_held_out_data(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    pipe = make_pipeline(StandardScaler(), SimpleMLPRegressor(random_state=0, **FAST))
    pipe.fit(X_train, y_train)

    pred = pipe.predict(X_test)
    assert pred.shape == y_test.shape
    assert np.isfinite(pred).all()
    score = pipe.score(X_test, y_test)
    assert score == pytest.approx(r2_score(y_test, pred))
    # A linear model reaches ~0.36 on this split; the network must learn too.
    assert score > 0.25
    assert pipe[-1].n_features_in_ == X_train.shape[1]


@ignore_convergence
def test_grid_search_over_alpha_and_hidden_layer_sizes(diabetes):
    X_train, X_test, y_train, _ = diabetes
    grid = {"alpha": [1e-3, 1.0], "hidden_layer_sizes": [(5,), (20, 20)]}
    search = GridSearchCV(
        SimpleMLPRegressor(solver="lbfgs", max_iter=30, random_state=0),
        grid,
        cv=3,
    )
    search.fit(X_train, y_train)

    assert search.best_params_["alpha"] in grid["alpha"]
    assert search.best_params_["hidden_layer_sizes"] in grid["hidden_layer_sizes"]
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ == np.max(search.cv_results_["mean_test_score"])

    best = search.best_estimator_
    for name, value in search.best_params_.items():
        assert best.get_params()[name] == value
    check_is_fitted(best)
    assert best.coefs_[0].shape[1] == search.best_params_["hidden_layer_sizes"][0]
    pred = search.predict(X_test)
    assert pred.shape == (X_test.shape[0],)
    np.testing.assert_array_equal(pred, best.predict(X_test))


@ignore_convergence
def test_cross_validate_returns_independent_fitted_estimators(diabetes):
    X_train, _, y, _ = diabetes
    X = StandardScaler().fit_transform(X_train)
    est = SimpleMLPRegressor(random_state=0, **FAST)
    cv = KFold(n_splits=3, shuffle=True, random_state=0)
    result = cross_validate(est, X, y, cv=cv, return_estimator=True)

    estimators = result["estimator"]
    assert len(estimators) == 3
    assert len({id(fold_est) for fold_est in estimators}) == 3
    assert all(fold_est is not est for fold_est in estimators)
    with pytest.raises(NotFittedError):  # the template stays unfitted
        est.predict(X)
    for fold_est, (_, test), score in zip(
        estimators, cv.split(X), result["test_score"], strict=True
    ):
        check_is_fitted(fold_est)
        assert fold_est.get_params() == est.get_params()
        # The returned estimator is the one that produced the fold's score.
        assert fold_est.score(X[test], y[test]) == pytest.approx(score, rel=1e-12)
        assert score > 0.1


@ignore_convergence
def test_transformed_target_regressor_matches_normalize_y(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    ttr = make_pipeline(
        StandardScaler(),
        TransformedTargetRegressor(
            regressor=SimpleMLPRegressor(normalize_y=False, random_state=0, **FAST),
            transformer=StandardScaler(),
        ),
    ).fit(X_train, y_train)
    pred = ttr.predict(X_test)

    # Predictions come back on the scale of y (25..346), not standardised.
    assert pred.shape == y_test.shape
    assert abs(pred.mean() - y_train.mean()) < 0.5 * y_train.std()
    assert ttr.score(X_test, y_test) > 0.25
    inner = ttr[-1].regressor_
    assert inner.normalize_y is False
    check_is_fitted(inner)

    # normalize_y=True standardises y exactly as StandardScaler does.
    builtin = make_pipeline(
        StandardScaler(), SimpleMLPRegressor(random_state=0, **FAST)
    ).fit(X_train, y_train)
    np.testing.assert_allclose(pred, builtin.predict(X_test), rtol=1e-6)


# --------------------------------------------------------------------- clone
@ignore_convergence
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_clone_is_unfitted_with_equal_params_and_refits_identically(small_data, solver):
    X, y = small_data
    est = _fitted_small(small_data, solver=solver, alpha=1e-3)
    cloned = clone(est)

    assert cloned is not est
    assert cloned.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        cloned.predict(X)
    assert not hasattr(cloned, "coefs_")
    assert not hasattr(cloned, "_flat_params")

    cloned.fit(X, y)
    np.testing.assert_array_equal(cloned.predict(X), est.predict(X))
    assert not np.shares_memory(cloned._state.params, est._state.params)
    _assert_views_of_flat_params(cloned)


# ------------------------------------------------------- pickle and deepcopy
@ignore_convergence
@pytest.mark.parametrize(
    "round_trip",
    [lambda est: pickle.loads(pickle.dumps(est)), copy.deepcopy],
    ids=["pickle", "deepcopy"],
)
def test_copies_predict_identically_and_keep_params_as_views(small_data, round_trip):
    X, _ = small_data
    est = _fitted_small(small_data, solver="adam")
    expected = est.predict(X)
    params = [array.copy() for array in est.coefs_ + est.intercepts_]

    restored = round_trip(est)
    assert restored is not est
    np.testing.assert_array_equal(restored.predict(X), expected)
    for restored_array, array in zip(
        restored.coefs_ + restored.intercepts_, params, strict=True
    ):
        np.testing.assert_array_equal(restored_array, array)
    assert not np.shares_memory(restored._state.params, est._state.params)

    # coefs_ and intercepts_ are views of the flat vector again, not copies:
    # moving the flat vector moves them and the predictions.
    _assert_views_of_flat_params(restored)
    first_weight = restored.coefs_[0][0, 0]
    restored._state.params[...] += 0.5  # in place: the views follow
    assert restored.coefs_[0][0, 0] == first_weight + 0.5
    assert not np.allclose(restored.predict(X), expected)
    # ... and the original is untouched.
    np.testing.assert_array_equal(est.predict(X), expected)


@ignore_convergence
@pytest.mark.parametrize(
    "serialise",
    [pickle.dumps, copy.deepcopy, copy.copy],
    ids=["pickle.dumps", "deepcopy", "copy"],
)
def test_copying_or_pickling_leaves_the_original_intact(small_data, serialise):
    X, _ = small_data
    est = _fitted_small(small_data)
    expected = est.predict(X)
    coefs = [c.copy() for c in est.coefs_]

    serialise(est)

    # The fitted attributes are still there, still views of the flat vector.
    assert hasattr(est, "coefs_") and hasattr(est, "intercepts_")
    _assert_views_of_flat_params(est)
    for a, b in zip(est.coefs_, coefs, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(est.predict(X), expected)


@ignore_convergence
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_warm_start_refit_after_pickle_continues_like_the_original(small_data, solver):
    X, y = small_data
    est = _fitted_small(small_data, solver=solver, warm_start=True, max_iter=5)
    restored = pickle.loads(pickle.dumps(est))
    before = restored.predict(X)
    n_iter = restored.n_iter_

    restored.fit(X, y)
    assert restored.n_iter_ > n_iter
    assert len(restored.loss_curve_) == restored.n_iter_
    assert not np.array_equal(restored.predict(X), before)
    _assert_views_of_flat_params(restored)

    # The pickle carried the whole training state (weights, optimizer,
    # random state): continuing it is the same as continuing the original.
    est.fit(X, y)
    assert restored.n_iter_ == est.n_iter_
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


@ignore_convergence
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_refitting_does_not_grow_the_pickle(small_data, solver):
    X, y = small_data
    est = _fitted_small(small_data, solver=solver)
    first = pickle.dumps(est)
    est.fit(X, y)
    second = pickle.dumps(est)
    assert len(second) == len(first)
    np.testing.assert_array_equal(
        pickle.loads(second).predict(X), pickle.loads(first).predict(X)
    )
