"""predict's fast path for plain numpy arrays changes nothing but the time.

``predict`` skips scikit-learn's ``validate_data`` (60 µs a call) when
``_needs_no_conversion`` says it would return ``X`` itself without a word.
Every input here is predicted twice, with the fast path and with it turned
off, and the two must agree exactly: the same values, dtype and shape, or
the same exception and message, and the same warnings.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.utils.validation import validate_data

from sknn_simple import SimpleMLPRegressor, _base

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N_FEATURES = 4
FEATURES = ["a", "b", "c", "d"]
RNG = np.random.RandomState(0)
X = RNG.uniform(-1, 1, size=(30, N_FEATURES))
Y = X[:, 0] - 2 * X[:, 1] + 0.1 * RNG.normal(size=30)


def _with(value, row=2, col=1, array=X):
    array = array.copy()
    array[row, col] = value
    return array


def _read_only(array):
    array = array.copy()
    array.flags.writeable = False
    return array


def _matrix(array):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.asmatrix(array)


class _Subclass(np.ndarray):
    pass


# (id, X given to predict)
INPUTS = [
    ("float64_C", X),
    ("float64_F", np.asfortranarray(X)),
    ("float64_one_row", X[:1]),
    ("float64_every_other_row", X[::2]),
    ("float64_column_slice", np.hstack([X, X])[:, ::2]),
    ("float64_read_only", _read_only(X)),
    ("float64_big_endian", X.astype(">f8")),
    ("float64_broadcast", np.broadcast_to(X[0], (5, N_FEATURES))),
    ("float64_subclass", X.view(_Subclass)),
    ("float64_matrix", _matrix(X)),
    ("float32", X.astype(np.float32)),
    ("float32_F", np.asfortranarray(X, dtype=np.float32)),
    ("float16", X.astype(np.float16)),
    ("longdouble", X.astype(np.longdouble)),
    ("int64", (10 * X).astype(np.int64)),
    ("int32", (10 * X).astype(np.int32)),
    ("uint8", (10 * np.abs(X)).astype(np.uint8)),
    ("bool", X > 0),
    ("object_floats", X.astype(object)),
    ("object_strings", np.array([["a", "b", "c", "d"]] * 3, dtype=object)),
    ("unicode", X.astype(str)),
    ("complex", X + 1j),
    ("complex_real_values", X.astype(complex)),
    ("list", X.tolist()),
    ("list_of_one_row", X[:1].tolist()),
    ("tuple", tuple(map(tuple, X))),
    ("1d", X[0]),
    ("1d_list", list(X[0])),
    ("scalar", 1.0),
    ("none", None),
    ("3d", X.reshape(30, 2, 2)),
    ("0_rows", np.empty((0, N_FEATURES))),
    ("0_features", np.empty((30, 0))),
    ("0_by_0", np.empty((0, 0))),
    ("3_features", X[:, :3]),
    ("5_features", np.hstack([X, X[:, :1]])),
    ("nan", _with(np.nan)),
    ("plus_inf", _with(np.inf)),
    ("minus_inf", _with(-np.inf)),
    ("plus_and_minus_inf", _with(-np.inf, 0, 0, _with(np.inf))),  # sum is NaN
    ("nan_float32", _with(np.nan).astype(np.float32)),
    ("huge_finite_sum_overflows", np.full((3, N_FEATURES), 1e308)),
    ("huge_finite_sum_overflows_float32", np.full((3, N_FEATURES), np.float32(3e38))),
    ("huge_finite_with_nan", _with(np.nan, array=np.full((3, N_FEATURES), 1e308))),
    (
        "largest_and_smallest",
        np.tile([np.finfo(float).max, -np.finfo(float).max], (3, 2)),
    ),
    ("subnormal", np.full((3, N_FEATURES), 5e-324)),
    ("dataframe_int_columns", pd.DataFrame(X)),
    ("dataframe_named_columns", pd.DataFrame(X, columns=FEATURES)),
    ("dataframe_float32", pd.DataFrame(X.astype(np.float32))),
    ("series", pd.Series(X[0])),
    ("csr", sp.csr_matrix(X)),
    ("csc", sp.csc_matrix(X)),
    ("coo", sp.coo_matrix(X)),
    ("csr_array", sp.csr_array(X)),
    ("csr_nan", sp.csr_matrix(_with(np.nan))),
    ("csr_3_features", sp.csr_matrix(X[:, :3])),
]
IDS = [name for name, _ in INPUTS]


def _model(X_fit=X, **params):
    settings = dict(hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    settings.update(params)
    return SimpleMLPRegressor(**settings).fit(X_fit, Y)


MODELS = {
    "float64": lambda: _model(),
    "float32": lambda: _model(X.astype(np.float32)),
    "relu_2_outputs": lambda: SimpleMLPRegressor(
        hidden_layer_sizes=(5,), activation="relu", max_iter=10, random_state=0
    ).fit(X, np.c_[Y, -Y]),
    "fitted_on_dataframe": lambda: _model(pd.DataFrame(X, columns=FEATURES)),
    "fitted_on_int_columns": lambda: _model(pd.DataFrame(X)),
}


@pytest.fixture(scope="module", params=list(MODELS))
def model(request):
    return MODELS[request.param]()


def _outcome(model, X):
    """What predict does: ("returned", values) or ("raised", type, message),
    and every warning it gives, as (category, message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = ("returned", model.predict(X))
        except Exception as error:  # noqa: BLE001 (compared, not swallowed)
            outcome = ("raised", type(error), str(error))
    return outcome, [(w.category, str(w.message)) for w in caught]


def _assert_same(fast, slow):
    (fast_outcome, fast_warnings), (slow_outcome, slow_warnings) = fast, slow
    assert fast_warnings == slow_warnings
    assert fast_outcome[0] == slow_outcome[0], (fast_outcome, slow_outcome)
    if fast_outcome[0] == "raised":
        assert fast_outcome[1:] == slow_outcome[1:]
        return
    _assert_identical(fast_outcome[1], slow_outcome[1])


def _assert_identical(values, expected):
    assert type(values) is type(expected) is np.ndarray
    assert values.dtype == expected.dtype
    assert values.shape == expected.shape
    np.testing.assert_array_equal(values, expected)


def _slow_outcome(model, X, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(_base, "_needs_no_conversion", lambda X, state: False)
        return _outcome(model, X)


@pytest.mark.parametrize("X_in", [value for _, value in INPUTS], ids=IDS)
def test_predict_is_the_same_with_and_without_the_fast_path(model, X_in, monkeypatch):
    _assert_same(_outcome(model, X_in), _slow_outcome(model, X_in, monkeypatch))


@pytest.mark.parametrize("X_in", [value for _, value in INPUTS], ids=IDS)
def test_the_fast_path_takes_only_what_validate_data_returns_unchanged(model, X_in):
    state = model._state
    if not _base._needs_no_conversion(X_in, state):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validated = validate_data(
            model,
            X_in,
            accept_sparse=["csr", "csc"],
            dtype=state.params.dtype,
            reset=False,
        )
    assert validated is X_in


@pytest.mark.parametrize("X_in", [_with(np.nan), _with(np.inf)], ids=["nan", "inf"])
def test_assume_finite_is_respected(X_in, monkeypatch):
    """With assume_finite scikit-learn does not look for NaN; neither does
    the fast path: the non-finite prediction is what stops both."""
    model = _model(activation="relu")
    with sklearn.config_context(assume_finite=True):
        fast = _outcome(model, X_in)
        slow = _slow_outcome(model, X_in, monkeypatch)
    _assert_same(fast, slow)
    assert fast[0][0] == "raised"
    assert "prediction overflows" in fast[0][2]


def test_assume_finite_with_finite_data_takes_the_fast_path(monkeypatch):
    model = _model()
    expected = model.predict(X)
    monkeypatch.setattr(_base, "validate_data", _no_validate_data)
    with sklearn.config_context(assume_finite=True):
        _assert_identical(model.predict(X), expected)


def _no_validate_data(*args, **kwargs):
    raise AssertionError("validate_data was called")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n_rows", [1, 30])
def test_a_plain_float_array_skips_validate_data(dtype, order, n_rows, monkeypatch):
    model = _model(X.astype(dtype))
    X_in = np.asarray(X[:n_rows], dtype=dtype, order=order)
    expected = model.predict(X_in)
    expected_score = model.score(X_in, Y[:n_rows]) if n_rows > 1 else None
    monkeypatch.setattr(_base, "validate_data", _no_validate_data)
    _assert_identical(model.predict(X_in), expected)
    if n_rows > 1:  # score is predict and scikit-learn's r2_score
        assert model.score(X_in, Y[:n_rows]) == expected_score


@pytest.mark.parametrize(
    "X_in",
    [X.tolist(), X.astype(np.float32), _with(np.nan), np.full((2, 4), 1e308)],
    ids=["list", "other_dtype", "nan", "sum_overflows"],
)
def test_anything_else_goes_through_validate_data(X_in, monkeypatch):
    model = _model()
    monkeypatch.setattr(_base, "validate_data", _no_validate_data)
    with pytest.raises(AssertionError, match="validate_data was called"):
        model.predict(X_in)


def test_a_model_fitted_with_feature_names_goes_through_validate_data(monkeypatch):
    model = _model(pd.DataFrame(X, columns=FEATURES))
    monkeypatch.setattr(_base, "validate_data", _no_validate_data)
    with pytest.raises(AssertionError, match="validate_data was called"):
        model.predict(X)


def test_array_api_dispatch_goes_through_validate_data(monkeypatch):
    model = _model()
    config = {**sklearn.get_config(), "array_api_dispatch": True}
    monkeypatch.setattr(_base, "get_config", lambda: config)
    assert not _base._needs_no_conversion(X, model._state)


def _array_api_dispatch():
    """``config_context(array_api_dispatch=True)``; a skip where it cannot be
    switched on (no array_api_compat, or scipy's array API support off)."""
    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except (ImportError, RuntimeError) as error:
        pytest.skip(f"array API dispatch cannot be switched on: {error}")
    return sklearn.config_context(array_api_dispatch=True)


@pytest.mark.parametrize("X_in", [X, _with(np.nan)], ids=["finite", "nan"])
def test_predict_is_the_same_under_array_api_dispatch(X_in, monkeypatch):
    model = _model()
    with _array_api_dispatch():
        fast = _outcome(model, X_in)
        slow = _slow_outcome(model, X_in, monkeypatch)
    _assert_same(fast, slow)


def test_the_sum_test_is_silent_and_the_full_check_speaks():
    """inf - inf in the first-pass sum warns once, from scikit-learn's own
    check, and its error follows."""
    model = _model()
    X_in = _with(-np.inf, 0, 0, _with(np.inf))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not _base._needs_no_conversion(X_in, model._state)
    assert caught == []
    with (
        pytest.raises(ValueError, match=re.escape("Input X contains infinity")),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", RuntimeWarning)
        model.predict(X_in)
