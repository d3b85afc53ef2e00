"""SimpleMLPRegressor inside scikit-learn's tools: pipelines and pandas
output, model selection (searches, cross-validation), meta-estimators,
metadata routing of sample_weight, cloning, and copying, pickling and joblib
persistence (memory-mapped loading included)."""

import copy
import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.ensemble import BaggingRegressor, StackingRegressor
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_validate,
    train_test_split,
)
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from sknn_simple import SimpleMLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Small L-BFGS networks: each fit on a few hundred rows takes milliseconds.
FAST = dict(hidden_layer_sizes=(10,), solver="lbfgs", alpha=1.0, max_iter=50)

# Deterministic full-batch gradient descent: no momentum, no shuffling, and
# batch_size="auto" is min(200, n_samples), one step on all rows per epoch.
# Zero-weight rows then contribute exactly nothing, so a weighted fit equals a
# fit on the rows with positive weight (up to summation order).
DETERMINISTIC = dict(
    hidden_layer_sizes=(8,),
    solver="sgd",
    momentum=0.0,
    shuffle=False,
    batch_size="auto",
    learning_rate_init=0.1,
    tol=0.0,
    max_iter=20,
    random_state=0,
)


# ------------------------------------------------------------------ data
@pytest.fixture(scope="module")
def diabetes():
    """Diabetes as arrays; the same held-out split as ``diabetes_frame``."""
    X, y = load_diabetes(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def diabetes_frame():
    """Diabetes as a DataFrame with an extra categorical column; held-out split."""
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.assign(
        bmi_band=pd.qcut(X["bmi"], 3, labels=["low", "mid", "high"]).astype(str)
    )
    return train_test_split(X, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def friedman():
    """Standardized Friedman #1 (learnable, non-linear); held-out split."""
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def weighted_data(small_data):
    """``small_data``, and weights that switch off every other row."""
    X, y = small_data
    sample_weight = np.zeros(60)
    sample_weight[::2] = 1.0
    return X, y, sample_weight


def _numeric(frame):
    return frame.drop(columns="bmi_band")


def _column_transformer():
    numeric = [
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
    ]  # fmt: skip
    return ColumnTransformer(
        [
            ("cat", OneHotEncoder(sparse_output=False), ["bmi_band"]),
            ("num", StandardScaler(), numeric),
        ]
    )


def _fitted_small(small_data, **params):
    """A small network fitted in milliseconds on ``small_data``."""
    X, y = small_data
    settings = dict(hidden_layer_sizes=(8, 6), max_iter=15, random_state=0)
    settings.update(params)
    return SimpleMLPRegressor(**settings).fit(X, y)


def _assert_views_of_flat_params(est):
    flat = est._state.params
    assert len(est.coefs_) == len(est.intercepts_) == est.n_layers_ - 1
    for array in [*est.coefs_, *est.intercepts_]:
        assert np.shares_memory(array, flat)


# ------------------------------------------- pipelines and pandas output
def test_pandas_output_pipeline_matches_numpy_output(diabetes_frame):
    X_train, X_test, y_train, y_test = diabetes_frame
    X_train, X_test = _numeric(X_train), _numeric(X_test)

    def pipe():
        return make_pipeline(
            StandardScaler(), SimpleMLPRegressor(random_state=0, **FAST)
        )

    as_pandas = pipe().set_output(transform="pandas").fit(X_train, y_train)
    as_numpy = pipe().fit(X_train, y_train)

    # The network saw a DataFrame and kept its column names.
    assert isinstance(as_pandas[0].transform(X_test), pd.DataFrame)
    net = as_pandas[-1]
    assert_array_equal(net.feature_names_in_, X_train.columns)
    assert not hasattr(as_numpy[-1], "feature_names_in_")

    pred = as_pandas.predict(X_test)
    assert isinstance(pred, np.ndarray)
    assert pred.shape == (X_test.shape[0],)
    assert np.isfinite(pred).all()
    assert_allclose(pred, as_numpy.predict(X_test), rtol=1e-12)
    score = as_pandas.score(X_test, y_test)
    assert score == pytest.approx(r2_score(y_test, pred))
    # A linear model reaches ~0.36 on this split; the network must learn too.
    assert score > 0.3
    assert net.n_features_in_ == as_numpy[-1].n_features_in_ == X_train.shape[1]


def test_column_transformer_pandas_output_with_one_hot_categories(diabetes_frame):
    X_train, X_test, y_train, y_test = diabetes_frame

    def pipe():
        return make_pipeline(
            _column_transformer(), SimpleMLPRegressor(random_state=0, **FAST)
        )

    as_pandas = pipe().set_output(transform="pandas").fit(X_train, y_train)
    as_numpy = pipe().fit(X_train, y_train)

    transformed = as_pandas[0].transform(X_test)
    assert isinstance(transformed, pd.DataFrame)
    names = as_pandas[0].get_feature_names_out()
    assert_array_equal(transformed.columns, names)
    assert {"cat__bmi_band_low", "cat__bmi_band_mid", "cat__bmi_band_high"} <= set(
        names
    )
    net = as_pandas[-1]
    assert_array_equal(net.feature_names_in_, names)
    assert net.n_features_in_ == len(names) == 13
    assert net.coefs_[0].shape[0] == 13

    pred = as_pandas.predict(X_test)
    assert pred.shape == (X_test.shape[0],)
    # The DataFrame arrives Fortran-ordered, the numpy output C-ordered; fit
    # trains on a C-ordered copy either way, so the models are the same.
    assert_array_equal(as_pandas[0].transform(X_test), as_numpy[0].transform(X_test))
    assert_allclose(pred, as_numpy.predict(X_test), rtol=1e-12)
    assert as_pandas.score(X_test, y_test) > 0.3


@pytest.mark.parametrize("n_targets", [1, 2])
def test_pandas_series_and_two_column_dataframe_targets(diabetes_frame, n_targets):
    X_train, X_test, y_train, _ = diabetes_frame
    if n_targets == 1:
        y = y_train  # a Series
        expected_shape = (X_test.shape[0],)
    else:
        y = pd.DataFrame({"progression": y_train, "log_progression": np.log(y_train)})
        expected_shape = (X_test.shape[0], 2)

    pipe = make_pipeline(
        _column_transformer(), SimpleMLPRegressor(random_state=0, **FAST)
    ).set_output(transform="pandas")
    pred = pipe.fit(X_train, y).predict(X_test)

    assert pred.shape == expected_shape
    assert pipe[-1].n_outputs_ == n_targets
    assert np.isfinite(pred).all()
    # The pandas target is read exactly like its values.
    from_values = clone(pipe).fit(X_train, y.to_numpy()).predict(X_test)
    assert_array_equal(pred, from_values)
    if n_targets == 2:
        # Each column comes back on its own scale (progression 25..346,
        # its log about 3.2..5.8).
        assert 50 < pred[:, 0].mean() < 250
        assert 3 < pred[:, 1].mean() < 6


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


# ---------------------------------------------------------- model selection
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


def test_randomized_search_over_alpha_and_hidden_layer_sizes(friedman):
    X_train, X_test, y_train, y_test = friedman
    distributions = {
        "alpha": loguniform(1e-3, 1e1),
        "hidden_layer_sizes": [(5,), (10,), (8, 8)],
    }
    search = RandomizedSearchCV(
        SimpleMLPRegressor(solver="lbfgs", max_iter=50, random_state=0),
        distributions,
        n_iter=3,
        cv=3,
        random_state=0,
    ).fit(X_train, y_train)

    candidates = search.cv_results_["params"]
    assert len(candidates) == 3
    for params in candidates:
        assert 1e-3 <= params["alpha"] <= 1e1
        assert params["hidden_layer_sizes"] in distributions["hidden_layer_sizes"]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()

    best = search.best_estimator_
    assert best.alpha == search.best_params_["alpha"]
    hidden = search.best_params_["hidden_layer_sizes"]
    assert [c.shape[1] for c in best.coefs_[:-1]] == list(hidden)
    pred = search.predict(X_test)
    assert pred.shape == y_test.shape
    assert search.score(X_test, y_test) > 0.5


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


# ----------------------------------------------------- metadata routing
def _requesting(**params):
    """A regressor that asks for sample_weight in fit and in score."""
    return (
        SimpleMLPRegressor(**{**DETERMINISTIC, **params})
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True)
    )


def _fit_on_kept_rows(X, y, sample_weight, **params):
    keep = sample_weight > 0
    return SimpleMLPRegressor(**{**DETERMINISTIC, **params}).fit(X[keep], y[keep])


def test_get_metadata_routing_lists_sample_weight():
    routing = SimpleMLPRegressor().get_metadata_routing()
    assert routing.fit.requests == {"sample_weight": None}
    assert routing.score.requests == {"sample_weight": None}
    with sklearn.config_context(enable_metadata_routing=True):
        est = SimpleMLPRegressor().set_fit_request(sample_weight=True)
    routing = est.get_metadata_routing()
    assert routing.fit.requests == {"sample_weight": True}
    assert routing.consumes("fit", ["sample_weight"]) == {"sample_weight"}
    assert routing.consumes("score", ["sample_weight"]) == set()


def test_zero_weights_equal_dropping_rows(weighted_data):
    # The premise of the routing tests below, checked directly.
    X, y, sample_weight = weighted_data
    weighted = SimpleMLPRegressor(**DETERMINISTIC).fit(
        X, y, sample_weight=sample_weight
    )
    dropped = _fit_on_kept_rows(X, y, sample_weight)
    unweighted = SimpleMLPRegressor(**DETERMINISTIC).fit(X, y)
    assert_allclose(weighted.predict(X), dropped.predict(X), rtol=1e-8)
    # ... and the weights matter: without them the model differs.
    assert not np.allclose(weighted.predict(X), unweighted.predict(X), rtol=1e-3)


def test_pipeline_routes_sample_weight_to_the_regressor(weighted_data):
    X, y, sample_weight = weighted_data
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            SimpleMLPRegressor(**DETERMINISTIC).set_fit_request(sample_weight=True),
        ).fit(X, y, sample_weight=sample_weight)
    keep = sample_weight > 0
    dropped = make_pipeline(StandardScaler(), SimpleMLPRegressor(**DETERMINISTIC)).fit(
        X[keep], y[keep]
    )
    assert_allclose(pipe.predict(X), dropped.predict(X), rtol=1e-8)


def test_grid_search_routes_sample_weight_to_fit_and_score(weighted_data):
    X, y, sample_weight = weighted_data
    cv = KFold(n_splits=3)
    grid = {"alpha": [1e-4, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(_requesting(), grid, cv=cv).fit(
            X, y, sample_weight=sample_weight
        )

    # Every fold's score is that of a model trained on the fold's kept rows
    # and scored on the kept test rows.
    for i, alpha in enumerate(grid["alpha"]):
        for split, (train, test) in enumerate(cv.split(X)):
            model = _fit_on_kept_rows(
                X[train], y[train], sample_weight[train], alpha=alpha
            )
            keep = sample_weight[test] > 0
            expected = model.score(X[test][keep], y[test][keep])
            actual = search.cv_results_[f"split{split}_test_score"][i]
            assert actual == pytest.approx(expected, rel=1e-8)

    # The refit on all data got the weights too.
    best = _fit_on_kept_rows(X, y, sample_weight, alpha=search.best_params_["alpha"])
    assert_allclose(search.predict(X), best.predict(X), rtol=1e-8)


def test_cross_validate_routes_sample_weight_through_params(weighted_data):
    X, y, sample_weight = weighted_data
    cv = KFold(n_splits=3)
    with sklearn.config_context(enable_metadata_routing=True):
        result = cross_validate(
            _requesting(),
            X,
            y,
            cv=cv,
            params={"sample_weight": sample_weight},
            return_estimator=True,
        )
    for fold_est, score, (train, test) in zip(
        result["estimator"], result["test_score"], cv.split(X)
    ):
        model = _fit_on_kept_rows(X[train], y[train], sample_weight[train])
        assert_allclose(fold_est.predict(X), model.predict(X), rtol=1e-8)
        keep = sample_weight[test] > 0
        expected = model.score(X[test][keep], y[test][keep])
        assert score == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(
    "fit_with_weights",
    [
        lambda est, X, y, w: make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False), est
        ).fit(X, y, sample_weight=w),
        lambda est, X, y, w: GridSearchCV(est, {"alpha": [1e-4, 1.0]}, cv=3).fit(
            X, y, sample_weight=w
        ),
        lambda est, X, y, w: cross_validate(est, X, y, params={"sample_weight": w}),
    ],
    ids=["pipeline", "grid_search", "cross_validate"],
)
def test_sample_weight_without_a_request_raises(weighted_data, fit_with_weights):
    X, y, sample_weight = weighted_data
    est = SimpleMLPRegressor(**DETERMINISTIC)
    with (
        sklearn.config_context(enable_metadata_routing=True),
        # The wording varies across scikit-learn releases; both name the
        # estimator and the method to call.
        pytest.raises(
            UnsetMetadataPassedError,
            match=r"(?s)SimpleMLPRegressor.*set_fit_request|set_fit_request.*SimpleMLPRegressor",
        ),
    ):
        fit_with_weights(est, X, y, sample_weight)
    assert not hasattr(est, "coefs_")


# ------------------------------------------------------ meta-estimators
def test_multi_output_regressor_fits_one_single_output_network_per_target(friedman):
    X_train, X_test, y_train, y_test = friedman
    Y_train = np.c_[y_train, np.sin(np.pi * X_train[:, 0]) + X_train[:, 1]]
    Y_test = np.c_[y_test, np.sin(np.pi * X_test[:, 0]) + X_test[:, 1]]
    est = SimpleMLPRegressor(random_state=0, **FAST)
    multi = MultiOutputRegressor(est).fit(X_train, Y_train)

    pred = multi.predict(X_test)
    assert pred.shape == Y_test.shape
    assert len(multi.estimators_) == 2
    for k, sub in enumerate(multi.estimators_):
        assert sub.n_outputs_ == 1
        assert sub.coefs_[-1].shape == (10, 1)
        sub_pred = sub.predict(X_test)
        assert sub_pred.shape == (X_test.shape[0],)
        assert_array_equal(pred[:, k], sub_pred)
        # The same as fitting that column alone.
        alone = clone(est).fit(X_train, Y_train[:, k])
        assert_array_equal(sub_pred, alone.predict(X_test))
        assert r2_score(Y_test[:, k], pred[:, k]) > 0.5
    assert multi.score(X_test, Y_test) > 0.5


def test_stacking_with_the_network_as_base_estimator(friedman):
    X_train, X_test, y_train, y_test = friedman
    stack = StackingRegressor(
        estimators=[
            ("mlp", SimpleMLPRegressor(random_state=0, **FAST)),
            ("ridge", Ridge()),
        ],
        cv=3,
    ).fit(X_train, y_train)

    pred = stack.predict(X_test)
    assert pred.shape == y_test.shape
    assert stack.named_estimators_["mlp"].n_features_in_ == X_train.shape[1]
    mlp_score = stack.named_estimators_["mlp"].score(X_test, y_test)
    assert mlp_score > 0.5
    # The stack learns to lean on the non-linear network.
    assert stack.score(X_test, y_test) > 0.5
    assert stack.final_estimator_.coef_[0] > stack.final_estimator_.coef_[1]


def test_stacking_with_the_network_as_final_estimator(friedman):
    X_train, X_test, y_train, y_test = friedman
    final = SimpleMLPRegressor(random_state=0, **FAST)
    stack = StackingRegressor(
        estimators=[("ridge", RidgeCV()), ("knn", KNeighborsRegressor())],
        final_estimator=final,
        cv=3,
    ).fit(X_train, y_train)

    pred = stack.predict(X_test)
    assert pred.shape == y_test.shape
    assert stack.final_estimator_ is not final
    assert stack.final_estimator_.n_features_in_ == 2
    assert stack.score(X_test, y_test) > 0.3


def test_bagging_passes_bootstrap_counts_as_sample_weight(friedman):
    X_train, X_test, y_train, y_test = friedman
    bag = BaggingRegressor(
        SimpleMLPRegressor(random_state=0, **FAST), n_estimators=3, random_state=0
    ).fit(X_train, y_train)

    pred = bag.predict(X_test)
    assert pred.shape == y_test.shape
    assert bag.score(X_test, y_test) > 0.5
    subs = [sub.predict(X_test) for sub in bag.estimators_]
    assert_allclose(pred, np.mean(subs, axis=0), rtol=1e-12)

    # scikit-learn bags an estimator whose fit takes sample_weight by passing
    # the bootstrap counts as weights, on all rows: each member equals the
    # same network fitted with those counts as sample_weight.
    n = X_train.shape[0]
    for sub, sub_pred, rows in zip(bag.estimators_, subs, bag.estimators_samples_):
        counts = np.bincount(rows, minlength=n)
        assert (counts == 0).any()
        refit = clone(sub).fit(X_train, y_train, sample_weight=counts)
        assert_array_equal(refit.predict(X_test), sub_pred)


def test_bagging_with_counts_as_weights_equals_fitting_the_bootstrap_rows(
    weighted_data,
):
    # Integer sample weights count rows: the weighted fit a bagging member
    # gets is the fit on its bootstrap sample, duplicates included.
    X, y, _ = weighted_data
    bag = BaggingRegressor(
        SimpleMLPRegressor(**DETERMINISTIC), n_estimators=3, random_state=0
    ).fit(X, y)
    for sub, rows in zip(bag.estimators_, bag.estimators_samples_):
        resampled = clone(sub).fit(X[rows], y[rows])
        assert_allclose(sub.predict(X), resampled.predict(X), rtol=1e-8)


# --------------------------------------------------------------------- clone
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


# -------------------------------------- copying, pickling and joblib files
def _joblib_round_trip(est):
    file = io.BytesIO()
    joblib.dump(est, file)
    file.seek(0)
    return joblib.load(file)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize(
    "round_trip",
    [lambda est: pickle.loads(pickle.dumps(est)), copy.deepcopy, _joblib_round_trip],
    ids=["pickle", "deepcopy", "joblib"],
)
def test_copies_predict_identically_and_keep_params_as_views(
    small_data, round_trip, solver
):
    X, _ = small_data
    est = _fitted_small(small_data, solver=solver)
    expected = est.predict(X)
    params = [array.copy() for array in est.coefs_ + est.intercepts_]

    restored = round_trip(est)
    assert restored is not est
    assert restored.get_params() == est.get_params()
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


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_warm_start_refit_after_pickle_continues_like_the_original(small_data, solver):
    X, y = small_data
    est = _fitted_small(small_data, solver=solver, warm_start=True, max_iter=5)
    restored = pickle.loads(pickle.dumps(est))
    before = restored.predict(X)
    n_iter = len(restored.loss_curve_)

    restored.fit(X, y)
    assert len(restored.loss_curve_) > n_iter
    assert len(restored.loss_curve_) == n_iter + restored.n_iter_
    assert not np.array_equal(restored.predict(X), before)
    _assert_views_of_flat_params(restored)

    # The pickle carried the whole training state (weights, optimizer,
    # random state): continuing it is the same as continuing the original.
    est.fit(X, y)
    assert restored.n_iter_ == est.n_iter_
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


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


def _fitted_and_dumped(tmp_path, small_data, solver, **params):
    """``_fitted_small``, its data, and the joblib file it was dumped to."""
    est = _fitted_small(small_data, solver=solver, **params)
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    return est, *small_data, path


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_joblib_memory_mapped_load_predicts_identically(tmp_path, small_data, solver):
    est, X, _, path = _fitted_and_dumped(tmp_path, small_data, solver)
    loaded = joblib.load(path, mmap_mode="r")

    # The weights are read-only pages of the file, and the views still
    # point into them.
    assert isinstance(loaded._state.params, np.memmap)
    assert not loaded._state.params.flags.writeable
    _assert_views_of_flat_params(loaded)
    assert_array_equal(loaded.predict(X), est.predict(X))
    assert loaded.score(X, est.predict(X)) == 1.0


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_warm_start_refit_of_a_memory_mapped_model(tmp_path, small_data, solver):
    est, X, y, path = _fitted_and_dumped(tmp_path, small_data, solver, warm_start=True)
    before = est.predict(X)
    loaded = joblib.load(path, mmap_mode="r")
    n_iter = len(loaded.loss_curve_)

    loaded.fit(X, y)  # continues from the read-only weights, on a copy

    assert len(loaded.loss_curve_) > n_iter
    assert len(loaded.loss_curve_) == n_iter + loaded.n_iter_
    assert loaded._state.params.flags.writeable
    _assert_views_of_flat_params(loaded)
    # Continuing the loaded model is continuing the original.
    est.fit(X, y)
    assert_array_equal(loaded.predict(X), est.predict(X))
    # The file on disk was not touched.
    assert_array_equal(joblib.load(path).predict(X), before)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_partial_fit_of_a_memory_mapped_model(tmp_path, small_data, solver):
    est, X, y, path = _fitted_and_dumped(tmp_path, small_data, solver)
    loaded = joblib.load(path, mmap_mode="r")
    in_memory = joblib.load(path)

    loaded.partial_fit(X, y)
    in_memory.partial_fit(X, y)

    assert len(loaded.loss_curve_) == len(est.loss_curve_) + 1
    assert_array_equal(loaded.predict(X), in_memory.predict(X))
    _assert_views_of_flat_params(loaded)
    assert_array_equal(joblib.load(path).predict(X), est.predict(X))


# ------------------------------------------ libraries written for older sklearn
def test_libraries_that_read_the_estimator_type_see_a_regressor():
    # yellowbrick's regressor visualisers refuse any model whose
    # _estimator_type is not "regressor" (scikit-learn >= 1.6 no longer sets
    # it); scikit-learn's own tags must say the same.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.base import is_regressor
    from yellowbrick.regressor import PredictionError, ResidualsPlot

    X, y = make_friedman1(n_samples=80, random_state=0)
    model = SimpleMLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    assert model._estimator_type == "regressor" and is_regressor(model)
    for visualizer, score in (
        (PredictionError, "score_"),
        (ResidualsPlot, "test_score_"),
    ):
        figure, ax = plt.subplots()
        try:
            drawn = visualizer(model, ax=ax).fit(X, y)
            drawn.score(X, y)
            drawn.finalize()
            assert getattr(drawn, score) == pytest.approx(model.score(X, y))
            assert ax.collections  # the points were drawn
        finally:
            plt.close(figure)
