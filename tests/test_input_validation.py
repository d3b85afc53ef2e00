"""Bad input gets scikit-learn's usual clear errors, and never corrupts a model."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sknn_simple import SimpleMLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N_SAMPLES, N_FEATURES = 20, 4
FEATURES = ["a", "b", "c", "d"]


def _data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(N_SAMPLES, N_FEATURES))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=N_SAMPLES)
    return X, y


X, Y = _data()


def _small(**params):
    settings = dict(hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    settings.update(params)
    return SimpleMLPRegressor(**settings)


def _with(array, row, col, value):
    array = array.copy()
    array[row, col] = value
    return array


def _with_y(value):
    y = Y.copy()
    y[3] = value
    return y


# ------------------------------------------------------------ bad fit inputs
# (id, X, y, sample_weight, message the ValueError must match)
BAD_FIT_INPUTS = [
    ("nan_in_X", _with(X, 2, 1, np.nan), Y, None, "Input X contains NaN"),
    ("inf_in_X", _with(X, 2, 1, np.inf), Y, None, "Input X contains infinity"),
    ("minus_inf_in_X", _with(X, 0, 0, -np.inf), Y, None, "Input X contains infinity"),
    ("nan_in_y", X, _with_y(np.nan), None, "Input y contains NaN"),
    ("inf_in_y", X, _with_y(np.inf), None, "Input y contains infinity"),
    (
        "strings_in_X",
        np.array([["a", "b", "c", "d"]] * N_SAMPLES, dtype=object),
        Y,
        None,
        "could not convert string to float",
    ),
    (
        "strings_in_y",
        X,
        np.array(["high", "low"] * (N_SAMPLES // 2), dtype=object),
        None,
        "could not convert string to float",
    ),
    ("empty_X", np.empty((0, N_FEATURES)), np.empty(0), None, r"0 sample\(s\)"),
    ("no_features", np.empty((N_SAMPLES, 0)), Y, None, r"0 feature\(s\)"),
    ("1d_X", X[:, 0], Y, None, "Expected 2D array, got 1D array"),
    (
        "y_shorter_than_X",
        X,
        Y[:-5],
        None,
        r"inconsistent numbers of samples: \[20, 15\]",
    ),
    ("y_3d", X, Y.reshape(N_SAMPLES, 1, 1), None, "dim 3"),
    ("y_none", X, None, None, "requires y to be passed"),
    ("complex_X", X + 1j, Y, None, "Complex data not supported"),
    ("complex_y", X, Y + 1j, None, "Complex data not supported"),
    (
        "negative_sample_weight",
        X,
        Y,
        np.r_[-1.0, np.ones(N_SAMPLES - 1)],
        "Negative values in data passed to `sample_weight`",
    ),
    ("zero_sample_weight", X, Y, np.zeros(N_SAMPLES), "non-zero|sums to zero"),
    (
        "nan_sample_weight",
        X,
        Y,
        np.r_[np.nan, np.ones(N_SAMPLES - 1)],
        "Input sample_weight contains NaN",
    ),
    (
        "short_sample_weight",
        X,
        Y,
        np.ones(N_SAMPLES - 10),
        r"sample_weight.shape == \(10,\), expected \(20,\)",
    ),
    (
        "2d_sample_weight",
        X,
        Y,
        np.ones((N_SAMPLES, 1)),
        "Sample weights must be 1D",
    ),
]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "X_bad, y_bad, sample_weight, message",
    [case[1:] for case in BAD_FIT_INPUTS],
    ids=[case[0] for case in BAD_FIT_INPUTS],
)
def test_bad_training_data_raises_a_clear_value_error(
    method, X_bad, y_bad, sample_weight, message
):
    est = _small()
    with pytest.raises(ValueError, match=message):
        getattr(est, method)(X_bad, y_bad, sample_weight=sample_weight)
    # Nothing half-fitted is left behind: the model is still plainly unfitted.
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_none_as_x_is_rejected_with_scikit_learns_message():
    with pytest.raises(ValueError, match="Expected 2D array, got scalar array"):
        SimpleMLPRegressor().fit(None, [1.0, 2.0])


# -------------------------------------------------------- bad predict inputs
BAD_PREDICT_INPUTS = [
    ("nan_in_X", _with(X, 2, 1, np.nan), "Input X contains NaN"),
    ("inf_in_X", _with(X, 2, 1, np.inf), "Input X contains infinity"),
    (
        "too_few_features",
        X[:, :3],
        "X has 3 features, but SimpleMLPRegressor is expecting 4 features as input",
    ),
    (
        "too_many_features",
        np.hstack([X, X]),
        "X has 8 features, but SimpleMLPRegressor is expecting 4 features as input",
    ),
    (
        "strings_in_X",
        np.array([["a", "b", "c", "d"]] * 3, dtype=object),
        "could not convert string to float",
    ),
    ("empty_X", np.empty((0, N_FEATURES)), r"0 sample\(s\)"),
    ("1d_X", X[0], "Expected 2D array, got 1D array"),
    ("complex_X", X + 1j, "Complex data not supported"),
]


@pytest.fixture(scope="module")
def fitted():
    return _small().fit(X, Y)


@pytest.mark.parametrize(
    "X_bad, message",
    [case[1:] for case in BAD_PREDICT_INPUTS],
    ids=[case[0] for case in BAD_PREDICT_INPUTS],
)
def test_bad_predict_data_raises_a_clear_value_error(fitted, X_bad, message):
    with pytest.raises(ValueError, match=message):
        fitted.predict(X_bad)
    with pytest.raises(ValueError, match=message):
        fitted.score(X_bad, Y[: np.atleast_2d(X_bad).shape[0]])


@pytest.mark.parametrize("method", ["predict", "score"])
def test_using_an_unfitted_model_raises_not_fitted_error(method):
    args = (X,) if method == "predict" else (X, Y)
    with pytest.raises(NotFittedError, match="SimpleMLPRegressor instance is not"):
        getattr(_small(), method)(*args)


# ----------------------------------------------------------- bad parameters
BAD_PARAMS = [
    ("hidden_layer_sizes", ()),
    ("hidden_layer_sizes", (0,)),
    ("hidden_layer_sizes", (3, -1)),
    ("hidden_layer_sizes", (2.5,)),
    ("hidden_layer_sizes", "a"),
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", None),
    ("hidden_layer_sizes", (True,)),
    ("activation", "softmax"),
    ("output_activation", "relu"),
    ("solver", "newton"),
    ("alpha", -1),
    ("alpha", np.nan),
    ("batch_size", 0),
    ("batch_size", 2.5),
    ("batch_size", "big"),
    ("learning_rate", "x"),
    ("learning_rate_init", 0),
    ("learning_rate_init", np.inf),
    ("power_t", -1),
    ("max_iter", 0),
    ("max_iter", 10.0),
    ("shuffle", "no"),
    ("random_state", "seed"),
    ("tol", -1),
    ("warm_start", "yes"),
    ("momentum", 1.5),
    ("momentum", -0.1),
    ("nesterovs_momentum", "yes"),
    ("early_stopping", "yes"),
    ("validation_fraction", 1.0),
    ("validation_fraction", 0.0),
    ("beta_1", 1.0),
    ("beta_2", -0.1),
    ("epsilon", 0),
    ("n_iter_no_change", 0),
    ("max_fun", 0),
    ("normalize_y", "yes"),
    ("verbose", "loud"),
]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "param, value", BAD_PARAMS, ids=[f"{p}={v!r}" for p, v in BAD_PARAMS]
)
def test_invalid_parameter_raises_invalid_parameter_error_naming_it(
    method, param, value
):
    est = _small(**{param: value})
    with pytest.raises(InvalidParameterError, match=re.escape(f"'{param}' parameter")):
        getattr(est, method)(X, Y)
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize(
    "hidden_layer_sizes, n_weight_matrices",
    [(3, 2), ([3], 2), ((np.int64(3), 2), 3), (np.array([4, 3]), 3)],
)
def test_valid_hidden_layer_sizes_spellings_are_accepted(
    hidden_layer_sizes, n_weight_matrices
):
    est = _small(hidden_layer_sizes=hidden_layer_sizes).fit(X, Y)
    assert len(est.coefs_) == n_weight_matrices


# ------------------------------------------------ partial_fit and continuing
def test_partial_fit_is_not_available_with_lbfgs():
    est = _small(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        est.partial_fit(X, Y)
    # Other solvers have it.
    for solver in ["auto", "adam", "sgd"]:
        assert hasattr(_small(solver=solver), "partial_fit")


def test_partial_fit_rejects_early_stopping():
    est = _small(solver="adam", early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping"):
        est.partial_fit(X, Y)
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_early_stopping_with_too_few_samples_names_validation_fraction(solver):
    # 10 rows * 0.1 leaves a single validation row.
    est = _small(solver=solver, early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="validation_fraction"):
        est.fit(X[:10], Y[:10])
    with pytest.raises(NotFittedError):  # still unfitted, not half-fitted
        est.predict(X)
    # Enough rows for two validation rows is fine.
    est.fit(X, Y)
    assert len(est.validation_scores_) == est.n_iter_


@pytest.mark.parametrize(
    "change, error",
    [
        (
            lambda est: est.fit(X[:, :3], Y),
            "X has 3 features, but SimpleMLPRegressor is expecting 4 features",
        ),
        (
            lambda est: est.set_params(hidden_layer_sizes=(7,)).fit(X, Y),
            "hidden_layer_sizes",
        ),
        (
            lambda est: est.set_params(hidden_layer_sizes=(5, 5)).fit(X, Y),
            "hidden_layer_sizes",
        ),
        (lambda est: est.fit(X, np.c_[Y, Y]), "outputs"),
        (lambda est: est.set_params(activation="relu").fit(X, Y), "activation"),
        (
            lambda est: est.partial_fit(X[:, :3], Y),
            "X has 3 features, but SimpleMLPRegressor is expecting 4 features",
        ),
    ],
    ids=[
        "n_features",
        "hidden_width",
        "hidden_depth",
        "n_outputs",
        "activation",
        "partial_fit_n_features",
    ],
)
def test_continuing_a_different_network_raises(change, error):
    est = _small(solver="adam", warm_start=True).fit(X, Y)
    with pytest.raises(ValueError, match=error):
        change(est)


# ------------------------------------------------------------- DataFrames
@pytest.fixture(scope="module")
def fitted_on_frame():
    return _small().fit(pd.DataFrame(X, columns=FEATURES), Y)


def test_dataframe_sets_feature_names_in(fitted_on_frame):
    np.testing.assert_array_equal(fitted_on_frame.feature_names_in_, FEATURES)
    assert fitted_on_frame.feature_names_in_.dtype == object
    assert not hasattr(_small().fit(X, Y), "feature_names_in_")


def test_dataframe_with_same_columns_predicts_like_the_array(fitted_on_frame):
    frame = pd.DataFrame(X, columns=FEATURES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_frame = fitted_on_frame.predict(frame)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        from_array = fitted_on_frame.predict(X)
    np.testing.assert_array_equal(from_frame, from_array)


@pytest.mark.parametrize(
    "columns, message",
    [
        (["A", "B", "C", "D"], "Feature names unseen at fit time"),
        (["d", "c", "b", "a"], "Feature names must be in the same order"),
        (["a", "b", "c", "e"], "Feature names unseen at fit time:\n- e"),
    ],
    ids=["renamed", "reordered", "one_renamed"],
)
def test_dataframe_with_other_columns_raises(fitted_on_frame, columns, message):
    frame = pd.DataFrame(X, columns=columns)
    with pytest.raises(
        ValueError, match="The feature names should match those that were passed"
    ) as excinfo:
        fitted_on_frame.predict(frame)
    assert message in str(excinfo.value)


def test_dataframe_at_predict_after_array_at_fit_warns(fitted):
    with pytest.warns(UserWarning, match="X has feature names, but SimpleMLP"):
        fitted.predict(pd.DataFrame(X, columns=FEATURES))


# ----------------------------------------- a failed fit leaves a model intact
FRAME = pd.DataFrame(X, columns=FEATURES)

FAILED_FITS = [
    (
        "warm_start_fewer_features",
        dict(warm_start=True),
        lambda est: est.fit(FRAME.iloc[:, :3], Y),
    ),
    (
        "warm_start_other_hidden_layer_sizes",
        dict(warm_start=True),
        lambda est: est.set_params(hidden_layer_sizes=(9,)).fit(FRAME, Y),
    ),
    (
        "warm_start_nan_in_y",
        dict(warm_start=True),
        lambda est: est.fit(FRAME, _with_y(np.nan)),
    ),
    ("nan_in_y", {}, lambda est: est.fit(FRAME, _with_y(np.nan))),
    (
        "inf_in_X",
        {},
        lambda est: est.fit(pd.DataFrame(_with(X, 0, 0, np.inf), columns=FEATURES), Y),
    ),
    ("invalid_param", {}, lambda est: est.set_params(alpha=-1.0).fit(FRAME, Y)),
    (
        "partial_fit_fewer_features",
        {},
        lambda est: est.partial_fit(FRAME.iloc[:, :3], Y),
    ),
    (
        "fewer_features_and_negative_sample_weight",
        {},
        lambda est: est.fit(FRAME.iloc[:, :3], Y, sample_weight=-np.ones(N_SAMPLES)),
    ),
    (
        "fewer_features_and_too_small_validation_set",
        dict(early_stopping=True),
        lambda est: est.fit(FRAME.iloc[:10, :3], Y[:10]),
    ),
    (
        "renamed_columns_and_nan_in_y",
        {},
        lambda est: est.fit(FRAME.rename(columns=str.upper), _with_y(np.nan)),
    ),
]


@pytest.mark.parametrize(
    "params, failing_call",
    [case[1:] for case in FAILED_FITS],
    ids=[case[0] for case in FAILED_FITS],
)
def test_a_failed_fit_leaves_the_fitted_model_unchanged(params, failing_call):
    est = _small(solver="adam", **params).fit(FRAME, Y)
    expected = est.predict(FRAME)
    n_iter, loss_curve = est.n_iter_, list(est.loss_curve_)

    with pytest.raises(ValueError):
        failing_call(est)

    assert est.n_features_in_ == N_FEATURES
    np.testing.assert_array_equal(est.feature_names_in_, FEATURES)
    assert est.n_iter_ == n_iter
    assert est.loss_curve_ == loss_curve
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warnings either
        np.testing.assert_array_equal(est.predict(FRAME), expected)


# ---------------------------------------------------- extreme finite values
EXTREME = [
    ("X_1e300_logistic_lbfgs", 1e300, 1.0, dict(solver="lbfgs")),
    ("X_1e300_logistic_adam", 1e300, 1.0, dict(solver="adam")),
    ("X_minus_1e300_tanh_lbfgs", -1e300, 1.0, dict(solver="lbfgs", activation="tanh")),
    ("X_1e150_relu_lbfgs", 1e150, 1.0, dict(solver="lbfgs", activation="relu")),
    ("X_1e300_relu_adam", 1e300, 1.0, dict(solver="adam", activation="relu")),
    ("X_1e20_identity_sgd", 1e20, 1.0, dict(solver="sgd", activation="identity")),
    ("y_1e300_lbfgs", 1.0, 1e300, dict(solver="lbfgs")),
    ("y_1e300_adam", 1.0, 1e300, dict(solver="adam")),
    ("X_and_y_1e-300", 1e-300, 1e-300, dict(solver="lbfgs")),
]


@pytest.mark.parametrize(
    "X_scale, y_scale, params",
    [case[1:] for case in EXTREME],
    ids=[case[0] for case in EXTREME],
)
def test_extreme_finite_values_give_a_clear_error_or_finite_predictions(
    X_scale, y_scale, params
):
    X_big, y_big = X * X_scale, Y * y_scale
    assert np.isfinite(X_big).all() and np.isfinite(y_big).all()
    est = _small(**params)
    with warnings.catch_warnings():
        # Overflow / invalid-value RuntimeWarnings are failures; a
        # ConvergenceWarning (e.g. "training diverged") is an honest answer.
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est.fit(X_big, y_big)
        except ValueError as error:
            assert str(error)
            with pytest.raises(NotFittedError):
                est.predict(X_big)
            return
        pred = est.predict(X_big)
    assert pred.shape == (N_SAMPLES,)
    assert np.isfinite(pred).all(), f"non-finite predictions: {pred[:3]}"
