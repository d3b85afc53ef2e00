"""Network math: parameter layout, initialisation, forward pass, activations."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.neural_network import MLPRegressor

from sknn_simple._activations import ACTIVATIONS, OUTPUT_RANGES
from sknn_simple._kernels import NUMPY
from sknn_simple._network import Network, Workspace

LAYER_SIZES = (4, 5, 3, 2)

# Plain numpy versions of the activations, written independently of the package.
REFERENCE = {
    "identity": lambda z: z,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}


def _random_params(network, seed=0):
    rng = np.random.RandomState(seed)
    return network.initialize(rng) + 0.3 * rng.normal(size=network.n_params)


def _reference_forward(params, X, network):
    """Forward pass with numpy only, from the documented layout."""
    offset, coefs = 0, []
    for fan_in, fan_out in zip(
        network.layer_sizes[:-1], network.layer_sizes[1:], strict=True
    ):
        size = fan_in * fan_out
        coefs.append(params[offset : offset + size].reshape(fan_in, fan_out))
        offset += size
    intercepts = []
    for fan_out in network.layer_sizes[1:]:
        intercepts.append(params[offset : offset + fan_out])
        offset += fan_out
    act = np.asarray(X.todense()) if sp.issparse(X) else X
    for layer, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
        last = layer == network.n_layers - 1
        f = REFERENCE[network.output_activation if last else network.activation]
        act = f(act @ coef + intercept)
    return act


# ----------------------------------------------------------------- layout
def test_n_params_counts_weights_and_intercepts():
    network = Network(LAYER_SIZES, "tanh", "identity")
    n_coefs = 4 * 5 + 5 * 3 + 3 * 2
    assert network.n_coefs == n_coefs
    assert network.n_params == n_coefs + 5 + 3 + 2
    assert network.n_layers == 3


def test_unpack_shapes_and_order():
    """All weight matrices (row-major, layer by layer) come before all intercepts."""
    network = Network(LAYER_SIZES, "tanh", "identity")
    params = np.arange(network.n_params, dtype=np.float64)
    coefs, intercepts = network.unpack(params)
    assert [c.shape for c in coefs] == [(4, 5), (5, 3), (3, 2)]
    assert [b.shape for b in intercepts] == [(5,), (3,), (2,)]
    flat = np.concatenate([c.ravel() for c in coefs] + intercepts)
    np.testing.assert_array_equal(flat, params)
    # Row-major: coefs[0][i, j] is element i * fan_out + j.
    assert coefs[0][1, 2] == 1 * 5 + 2
    assert intercepts[0][0] == network.n_coefs


def test_unpack_returns_views_of_the_vector():
    """coefs_/intercepts_ are views: a solver's in-place update reaches them."""
    network = Network(LAYER_SIZES, "relu", "identity")
    params = np.zeros(network.n_params)
    coefs, intercepts = network.unpack(params)
    for view in coefs + intercepts:
        assert np.shares_memory(view, params)
    coefs[1][2, 0] = 7.0
    intercepts[2][1] = -3.0
    assert params[4 * 5 + 2 * 3 + 0] == 7.0
    assert params[network.n_coefs + 5 + 3 + 1] == -3.0
    params += 1.0  # and the other way round
    assert coefs[1][2, 0] == 8.0
    assert intercepts[2][1] == -2.0
    assert (coefs[0] == 1.0).all()


# --------------------------------------------------------- initialisation
def _sklearn_initial_weights(activation, seed, dtype):
    """What MLPRegressor draws from RandomState(seed), via its own _initialize."""
    mlp = MLPRegressor(hidden_layer_sizes=LAYER_SIZES[1:-1], activation=activation)
    mlp._random_state = np.random.RandomState(seed)
    mlp._initialize(np.zeros((1, LAYER_SIZES[-1])), list(LAYER_SIZES), dtype)
    return mlp.coefs_, mlp.intercepts_, mlp._random_state


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [0, 42])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_initialize_matches_mlpregressor(activation, seed, dtype):
    """Same RandomState, same starting weights as MLPRegressor (so results match)."""
    network = Network(LAYER_SIZES, activation, "identity")
    random_state = np.random.RandomState(seed)
    params = network.initialize(random_state, dtype=dtype)
    assert params.dtype == dtype
    coefs, intercepts = network.unpack(params)
    sk_coefs, sk_intercepts, sk_random_state = _sklearn_initial_weights(
        activation, seed, dtype
    )
    for ours, theirs in zip(coefs + intercepts, sk_coefs + sk_intercepts, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    # Both consumed the same draws, so later shuffles agree too.
    assert random_state.uniform() == sk_random_state.uniform()


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_initialize_uses_glorot_bounds(activation):
    """Each layer lies in +-sqrt(factor / (fan_in + fan_out)), factor 2 for logistic."""
    network = Network((30, 40, 1), activation, "identity")
    params = network.initialize(np.random.RandomState(0))
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = network.unpack(params)
    for coef, intercept in zip(coefs, intercepts, strict=True):
        bound = np.sqrt(factor / sum(coef.shape))
        for values in (coef, intercept):
            assert np.abs(values).max() <= bound
        # Not a much narrower interval either.
        assert np.abs(coef).max() > 0.9 * bound


# ----------------------------------------------------------- forward pass
@pytest.mark.parametrize("output_activation", list(OUTPUT_RANGES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_forward_matches_numpy(activation, output_activation):
    network = Network(LAYER_SIZES, activation, output_activation)
    params = _random_params(network)
    X = np.random.RandomState(1).normal(size=(6, 4))
    output = network.forward(params, X)
    assert output.shape == (6, 2)
    np.testing.assert_allclose(
        output, _reference_forward(params, X, network), rtol=1e-12, atol=1e-15
    )


def test_predict_returns_a_new_array():
    """predict's result is not overwritten by the next call."""
    network = Network(LAYER_SIZES, "tanh", "identity")
    params = _random_params(network)
    X = np.random.RandomState(1).normal(size=(6, 4))
    first = network.predict(params, X)
    kept = first.copy()
    network.predict(params + 1.0, X)
    np.testing.assert_array_equal(first, kept)


def test_forward_reuses_the_workspace():
    """With a workspace, forward writes into its buffers (no new arrays per batch)."""
    network = Network(LAYER_SIZES, "tanh", "identity")
    params = _random_params(network)
    X = np.random.RandomState(1).normal(size=(6, 4))
    workspace = Workspace(network, 6, np.float64)
    output = network.forward(params, X, workspace)
    assert output is workspace.outputs[-1]
    np.testing.assert_allclose(output, network.predict(params, X), rtol=1e-15)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_float32_stays_float32(activation):
    network = Network(LAYER_SIZES, activation, "logistic")
    params64 = _random_params(network)
    X64 = np.random.RandomState(1).normal(size=(6, 4))
    output = network.predict(params64.astype(np.float32), X64.astype(np.float32))
    assert output.dtype == np.float32
    np.testing.assert_allclose(output, network.predict(params64, X64), rtol=1e-5)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_sparse_input_matches_dense(activation, fmt):
    network = Network(LAYER_SIZES, activation, "tanh")
    params = _random_params(network)
    X = np.random.RandomState(1).normal(size=(6, 4))
    X[np.abs(X) < 0.8] = 0.0
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    np.testing.assert_allclose(
        network.predict(params, X_sparse),
        network.predict(params, X),
        rtol=1e-13,
        atol=1e-15,
    )


# ------------------------------------------------------------- activations
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_matches_reference(name):
    z = np.linspace(-5, 5, 41)
    f, _ = ACTIVATIONS[name]
    np.testing.assert_allclose(f(NUMPY, z.copy()), REFERENCE[name](z), rtol=1e-14)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_in_terms_of_output_matches_numerical_derivative(name):
    """f'(z), computed from a = f(z) only, equals (f(z+h) - f(z-h)) / 2h."""
    f, derivative = ACTIVATIONS[name]
    z = np.linspace(-4.05, 4.05, 28)  # no point at relu's kink z = 0
    h = 1e-6
    numerical = (f(NUMPY, z + h) - f(NUMPY, z - h)) / (2 * h)
    A = f(NUMPY, z.copy())
    delta = np.full_like(z, 3.0)
    result = derivative(NUMPY, A, delta)
    # On numpy the result is delta itself, changed in place.
    assert result is delta
    np.testing.assert_allclose(delta, 3.0 * numerical, rtol=1e-7, atol=1e-9)


def test_relu_derivative_at_zero_is_zero():
    """Like MLPRegressor, relu's derivative is 0 where the unit is off (a == 0)."""
    f, derivative = ACTIVATIONS["relu"]
    A = f(NUMPY, np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(derivative(NUMPY, A, np.ones(3)), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_works_in_place(name):
    """f overwrites Z (the forward pass keeps no copy of the pre-activations)."""
    f, _ = ACTIVATIONS[name]
    Z = np.linspace(-2, 2, 9)
    expected = REFERENCE[name](Z.copy())
    f(NUMPY, Z)
    np.testing.assert_allclose(Z, expected, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logistic_saturates_without_warnings(dtype):
    """Large |z| gives exactly 0 or 1 and no overflow RuntimeWarning."""
    f, derivative = ACTIVATIONS["logistic"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = f(NUMPY, np.array([-1000.0, 1000.0], dtype=dtype))
        saturated = A.copy()
        delta = derivative(NUMPY, A, np.ones(2, dtype=dtype))
    assert saturated.dtype == dtype
    np.testing.assert_array_equal(saturated, [0.0, 1.0])
    np.testing.assert_array_equal(delta, [0.0, 0.0])


@pytest.mark.parametrize(
    "dtype, max_error",
    # float64: one unit in the last place of values near 1 (2**-52 = 2.2e-16).
    # float32: against expit in float64; expit in float32 itself is 8.9e-8 off.
    [(np.float64, 2.3e-16), (np.float32, 1.2e-7)],
)
def test_logistic_matches_expit_everywhere(dtype, max_error):
    """The fast sigmoid stays within the measured bound of scipy's expit."""
    z = np.linspace(-800, 800, 400_001)
    z = np.concatenate([z, np.linspace(-40, 40, 400_001)]).astype(dtype)
    f, _ = ACTIVATIONS["logistic"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = f(NUMPY, z.copy()).astype(np.float64)
    reference = expit(z.astype(np.float64))
    assert np.abs(ours - reference).max() <= max_error
    assert ours.min() >= 0.0 and ours.max() <= 1.0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_overwrites_only_the_output(name):
    """f' may use A as working memory (the backward pass is done with it),
    but the delta it returns does not depend on what A held before."""
    f, derivative = ACTIVATIONS[name]
    z = np.linspace(-3, 3, 13)
    A = f(NUMPY, z.copy())
    expected = derivative(NUMPY, A.copy(), np.full_like(z, 2.0)).copy()
    delta = np.full_like(z, 2.0)
    result = derivative(NUMPY, A, delta)
    assert result is delta
    np.testing.assert_array_equal(delta, expected)


def test_network_with_huge_inputs_is_finite_without_warnings():
    """Saturated units anywhere in the network neither warn nor give NaN."""
    network = Network(LAYER_SIZES, "logistic", "logistic")
    params = _random_params(network)
    X = np.array([[1e4, -1e4, 1e4, -1e4], [-1e4, 1e4, -1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        output = network.predict(params, X)
        _, grad = network.loss_and_gradient(params, X, np.zeros((2, 2)))
    assert np.isfinite(output).all()
    assert np.isfinite(grad).all()


@pytest.mark.parametrize("output_activation", list(OUTPUT_RANGES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_pickled_network_keeps_names_and_rebuilds_functions(
    activation, output_activation
):
    """A saved network names its activations (skops then trusts no private
    function); the loaded one computes the same loss and gradient."""
    network = Network(LAYER_SIZES, activation, output_activation)
    params = _random_params(network)
    rng = np.random.RandomState(1)
    X, Y = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    blob = pickle.dumps(network)
    assert b"_activations" not in blob
    loaded = pickle.loads(blob)
    assert loaded._forward_fns == network._forward_fns
    assert loaded._derivative_fns == network._derivative_fns
    loss, grad = network.loss_and_gradient(params, X, Y)
    loaded_loss, loaded_grad = loaded.loss_and_gradient(params, X, Y)
    assert loaded_loss == loss
    np.testing.assert_array_equal(loaded_grad, grad)


def test_network_state_with_functions_still_loads():
    """Pickles written when the state held the functions load as before."""
    network = Network(LAYER_SIZES, "tanh", "logistic")
    old_state = dict(network.__dict__)  # functions included
    loaded = Network.__new__(Network)
    loaded.__setstate__(old_state)
    assert loaded._forward_fns == network._forward_fns
    assert loaded._derivative_fns == network._derivative_fns
