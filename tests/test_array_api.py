"""Array API support: fits on array-api-strict and torch (CPU) arrays equal
numpy's fits, step for step.

Each formula (in sknn_simple._network, _activations, _losses, _objective
and _solvers) is one function, written once against a kernel
(sknn_simple._kernels) and run on each array library. On another library's
arrays it must compute what it computes on numpy: from the same starting
weights and row order, the same loss, gradient, fitted weights and
predictions, to 1e-10 in float64 and 1e-5 in float32. array-api-strict
(pure Python, in the test extra) checks that only standard functions are
used; torch checks a real second library (run where torch is installed: CI
installs the CPU wheel, see pyproject.toml's test-torch extra).
scikit-learn's own check_array_api_input runs in
tests/test_estimator_checks.py.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning

from sknn_simple import SimpleMLPRegressor
from sknn_simple._kernels import (
    ARRAY_API_AVAILABLE,
    array_namespace,
    kernel_for,
    to_host,
)
from sknn_simple._network import Network, Workspace

pytestmark = [
    pytest.mark.skipif(
        not ARRAY_API_AVAILABLE,
        reason="array API support needs scikit-learn's move_to and "
        "check_same_namespace (scikit-learn 1.9 has them), which this "
        "scikit-learn lacks",
    ),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning"),
]

NAMESPACES = ["array_api_strict", "torch"]
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


@pytest.fixture(params=NAMESPACES)
def xp(request):
    """The array library's module itself (``asarray`` makes its arrays)."""
    return pytest.importorskip(request.param)


def _assert_close(actual, expected, dtype):
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(
        to_host(actual), expected, rtol=tolerance, atol=tolerance
    )


def _data(dtype, n=120, n_features=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, n_features)).astype(dtype)
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n)
    sample_weight = rng.uniform(0.5, 2.0, size=n).astype(dtype)
    return X, y, sample_weight


def _both(xp, X, y, sample_weight=None, **params):
    """The same model fitted on numpy arrays and on ``xp`` arrays."""
    reference = SimpleMLPRegressor(random_state=0, **params)
    reference.fit(X, y, sample_weight=sample_weight)
    model = SimpleMLPRegressor(random_state=0, **params)
    with config_context(array_api_dispatch=True):
        model.fit(
            xp.asarray(X),
            xp.asarray(y),
            sample_weight=None if sample_weight is None else xp.asarray(sample_weight),
        )
    return reference, model


# ---------------------------------------------------------------- the math
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "activation, output_activation, loss, parameter",
    [
        ("logistic", "identity", "squared_error", None),
        ("tanh", "tanh", "huber", 0.5),
        ("relu", "logistic", "absolute_error", None),
        ("identity", "identity", "quantile", 0.3),
        ("logistic", "identity", "poisson", None),
    ],
)
def test_loss_and_gradient_equal_numpys(
    xp, dtype, activation, output_activation, loss, parameter
):
    X, _, sample_weight = _data(dtype, n=50)
    rng = np.random.RandomState(1)
    Y = rng.uniform(0.1, 2.0, size=(50, 2)).astype(dtype)
    network = Network((5, 7, 6, 2), activation, output_activation, loss, parameter)
    params = network.initialize(np.random.RandomState(0), dtype=dtype)
    for weights in (None, sample_weight):
        expected_loss, expected_grad = network.loss_and_gradient(params, X, Y, weights)
        # The same function on xp's arrays: the kernel comes from params.
        loss_xp, grad_xp = network.loss_and_gradient(
            xp.asarray(params),
            xp.asarray(X),
            xp.asarray(Y),
            None if weights is None else xp.asarray(weights),
            weight_sum=float(50 if weights is None else weights.sum()),
        )
        assert grad_xp.dtype == xp.asarray(params).dtype  # float32 stays float32
        _assert_close(float(loss_xp), expected_loss, dtype)
        _assert_close(grad_xp, expected_grad, dtype)
        output = network.forward(params, X)
        _assert_close(
            network.forward(xp.asarray(params), xp.asarray(X)),
            output,
            dtype,
        )


def test_blocks_of_rows_add_up_to_the_whole(xp, monkeypatch):
    # Large inputs go through another library's kernel in blocks of rows, as
    # through numpy's: the blocks' losses and gradients add up.
    X, y, sample_weight = _data(np.float64, n=50)
    Y = y[:, None]
    network = Network((5, 7, 1), "tanh", "identity")
    params = network.initialize(np.random.RandomState(0))
    X_xp, Y_xp, params_xp = xp.asarray(X), xp.asarray(Y), xp.asarray(params)
    # The kernel the network computes with on xp's arrays (one per library
    # and device).
    kernel = kernel_for(X_xp)
    assert kernel_for(params_xp) is kernel
    assert kernel.xp is array_namespace(X_xp)  # torch's is array_api_compat's
    monkeypatch.setattr(kernel, "block_rows", 16)
    assert Workspace(network, 50, params_xp.dtype, kernel=kernel).n_rows == 16
    expected_loss, expected_grad = network.loss_and_gradient(
        params, X, Y, sample_weight
    )
    loss, grad = network.loss_and_gradient(
        params_xp,
        X_xp,
        Y_xp,
        xp.asarray(sample_weight),
        weight_sum=float(sample_weight.sum()),
    )
    _assert_close(float(loss), expected_loss, np.float64)
    _assert_close(grad, expected_grad, np.float64)
    _assert_close(
        network.forward(params_xp, X_xp),
        network.forward(params, X),
        np.float64,
    )
    expected = network.loss(params, X, Y)
    _assert_close(network.loss(params_xp, X_xp, Y_xp), expected, np.float64)


# ------------------------------------------------------------------ fits
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fit_equals_numpys(xp, solver, dtype):
    X, y, sample_weight = _data(dtype)
    # L-BFGS computes in float64 for float32 data too: in float32 its line
    # search amplified the libraries' rounding differences about tenfold an
    # iteration (3e-4 after five: benchmarks/lbfgs_float32_drift.py), so
    # float32 fits compare over as many iterations as float64 ones.
    max_iter = 15
    reference, model = _both(
        xp,
        X,
        y,
        sample_weight,
        solver=solver,
        hidden_layer_sizes=(8, 6),
        max_iter=max_iter,
        batch_size=32,
        alpha=1e-3,
    )
    for coef, expected in zip(model.coefs_, reference.coefs_):
        assert type(coef) is type(xp.asarray(X))
        _assert_close(coef, expected, dtype)
    for intercept, expected in zip(model.intercepts_, reference.intercepts_):
        _assert_close(intercept, expected, dtype)
    np.testing.assert_allclose(
        model.loss_curve_, reference.loss_curve_, rtol=TOLERANCE[dtype]
    )
    with config_context(array_api_dispatch=True):
        prediction = model.predict(xp.asarray(X))
    assert prediction.dtype == xp.asarray(X).dtype
    _assert_close(prediction, reference.predict(X), dtype)


@pytest.mark.parametrize("weighted", [False, True])
def test_repeated_rows_merge_as_numpys_do(xp, weighted):
    # An L-BFGS fit merges copies of a row (and drops zero weights) on a host
    # copy and gathers the rows on the device: the same rows, weights and
    # order as numpy's, so the same fit.
    X, y, sample_weight = _data(np.float64, n=40)
    X, y, sample_weight = (np.concatenate([a, a[:15]]) for a in (X, y, sample_weight))
    sample_weight[:5] = 0.0
    reference, model = _both(
        xp,
        X,
        y,
        sample_weight if weighted else None,
        solver="lbfgs",
        hidden_layer_sizes=(6,),
        max_iter=15,
        alpha=1e-3,
    )
    # 40 distinct rows an iteration, not the 55 given.
    assert model.t_ == reference.t_ == 40 * reference.n_iter_
    for coef, expected in zip(model.coefs_, reference.coefs_):
        _assert_close(coef, expected, np.float64)
    with config_context(array_api_dispatch=True):
        prediction = model.predict(xp.asarray(X))
    _assert_close(prediction, reference.predict(X), np.float64)


def test_early_stopping_equals_numpys(xp):
    X, y, sample_weight = _data(np.float64, n=200)
    reference, model = _both(
        xp,
        X,
        y,
        sample_weight,
        solver="adam",
        early_stopping=True,
        hidden_layer_sizes=(8,),
        max_iter=12,
        alpha=0.0,
    )
    np.testing.assert_allclose(
        model.validation_scores_, reference.validation_scores_, rtol=1e-10
    )
    _assert_close(model.coefs_[0], reference.coefs_[0], np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_partial_fit_and_warm_start_equal_numpys(xp, dtype):
    X, y, _ = _data(dtype)
    settings = dict(solver="adam", hidden_layer_sizes=(8,), alpha=1e-3, max_iter=5)
    reference = SimpleMLPRegressor(random_state=0, **settings)
    model = SimpleMLPRegressor(random_state=0, **settings)
    for _ in range(3):
        reference.partial_fit(X, y)
        with config_context(array_api_dispatch=True):
            model.partial_fit(xp.asarray(X), xp.asarray(y))
    _assert_close(model.coefs_[0], reference.coefs_[0], dtype)
    reference.set_params(warm_start=True).fit(X, y)
    with config_context(array_api_dispatch=True):
        model.set_params(warm_start=True).fit(xp.asarray(X), xp.asarray(y))
        prediction = model.predict(xp.asarray(X))
    _assert_close(prediction, reference.predict(X), dtype)


def test_multi_output_and_alpha_auto(xp):
    # alpha="auto" searches on a host copy of the (small) data; the final
    # fit trains where the data is.
    X, y, _ = _data(np.float64, n=80)
    Y = np.column_stack([y, -2 * y])
    reference, model = _both(xp, X, Y, hidden_layer_sizes=(6,), max_iter=20)
    assert model.alpha_ == reference.alpha_
    with config_context(array_api_dispatch=True):
        prediction = model.predict(xp.asarray(X))
    assert prediction.shape == (80, 2)
    _assert_close(prediction, reference.predict(X), np.float64)


# ------------------------------------------------------------ the contract
def test_predict_returns_the_inputs_namespace_and_score_a_float(xp):
    X, y, _ = _data(np.float32, n=60)
    model = SimpleMLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with config_context(array_api_dispatch=True):
        X_xp, y_xp = xp.asarray(X), xp.asarray(y)
        model.fit(X_xp, y_xp)
        prediction = model.predict(X_xp)
        score = model.score(X_xp, y_xp)
    assert type(prediction) is type(X_xp)
    assert prediction.dtype == X_xp.dtype
    assert prediction.shape == (60,)
    assert prediction.device == X_xp.device
    assert isinstance(score, float)


def test_other_namespace_than_fits_is_a_clear_error(xp):
    X, y, _ = _data(np.float64, n=40)
    model = SimpleMLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with config_context(array_api_dispatch=True):
        model.fit(xp.asarray(X), xp.asarray(y))
        with pytest.raises(ValueError, match="must use the same namespace"):
            model.predict(X)
        with pytest.raises(ValueError, match="must use the same namespace"):
            model.set_params(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="array_api_dispatch=True"):
        model.predict(X)  # dispatch off: numpy X, a model on xp arrays
    numpy_model = SimpleMLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    with (
        config_context(array_api_dispatch=True),
        pytest.raises(ValueError, match="must use the same namespace"),
    ):
        numpy_model.predict(xp.asarray(X))


def test_sparse_input_with_dispatch_is_a_clear_error():
    X, y, _ = _data(np.float64, n=40)
    with (
        config_context(array_api_dispatch=True),
        pytest.raises(TypeError, match="Sparse input is not supported"),
    ):
        SimpleMLPRegressor(max_iter=2).fit(sp.csr_matrix(X), y)


def test_dispatch_off_converts_to_numpy():
    torch = pytest.importorskip("torch")
    X, y, _ = _data(np.float64, n=60)
    settings = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    reference = SimpleMLPRegressor(**settings).fit(X, y)
    model = SimpleMLPRegressor(**settings).fit(torch.asarray(X), torch.asarray(y))
    assert isinstance(model.coefs_[0], np.ndarray)
    np.testing.assert_array_equal(model.coefs_[0], reference.coefs_[0])
    assert isinstance(model.predict(torch.asarray(X)), np.ndarray)


def test_numpy_input_with_dispatch_is_the_numpy_fit():
    X, y, _ = _data(np.float64, n=60)
    settings = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    reference = SimpleMLPRegressor(**settings).fit(X, y)
    with config_context(array_api_dispatch=True):
        model = SimpleMLPRegressor(**settings).fit(X, y)
    np.testing.assert_array_equal(model.coefs_[0], reference.coefs_[0])


@pytest.mark.parametrize("save", ["pickle", "deepcopy", "skops"])
def test_saved_model_holds_numpy_and_loads_into_its_namespace(xp, save):
    # Saved as numpy arrays with the library's and the device's names, so a
    # skops file needs no torch type; loaded back where it was fitted.
    X, y, _ = _data(np.float32, n=60)
    devices = array_namespace(xp.asarray(X)).__array_namespace_info__().devices()
    # array-api-strict's second device, "device1", where it has one.
    device = next((d for d in devices if "device1" in str(d)), devices[0])
    X_xp, y_xp = xp.asarray(X, device=device), xp.asarray(y, device=device)
    with config_context(array_api_dispatch=True):
        model = SimpleMLPRegressor(hidden_layer_sizes=(5,), max_iter=3)
        model.set_params(solver="adam").fit(X_xp, y_xp)
        plain = model.__getstate__()["_fitted"]
        assert isinstance(plain["params"], np.ndarray)
        assert isinstance(plain["optimizer"]["first_moment"], np.ndarray)
        if save == "pickle":
            loaded = pickle.loads(pickle.dumps(model))
        elif save == "deepcopy":
            loaded = copy.deepcopy(model)
        else:
            skops_io = pytest.importorskip("skops.io")
            saved = skops_io.dumps(model)
            trusted = skops_io.get_untrusted_types(data=saved)
            assert trusted == ["sknn_simple._regressor.SimpleMLPRegressor"]
            loaded = skops_io.loads(saved, trusted=trusted)
        assert loaded.coefs_[0].device == model.coefs_[0].device
        _assert_close(loaded.predict(X_xp), to_host(model.predict(X_xp)), np.float32)
        loaded.partial_fit(X_xp, y_xp)  # the optimizer came back too


def test_onnx_export_needs_numpy():
    torch = pytest.importorskip("torch")
    pytest.importorskip("skl2onnx")
    from sknn_simple.onnx import _fitted_network

    X, y, _ = _data(np.float32, n=40)
    with config_context(array_api_dispatch=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SimpleMLPRegressor(hidden_layer_sizes=(4,), max_iter=2)
        model.fit(torch.asarray(X), torch.asarray(y))
    with pytest.raises(TypeError, match="needs a model fitted on numpy arrays"):
        _fitted_network(model)
