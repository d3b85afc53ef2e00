"""The analytic gradient of the training objective is the true gradient.

Every solver trusts the training objective, the data term of
``Network.loss_and_gradient`` plus the L2 penalty, as the fit's
``_objective.Objective`` composes them; a wrong term in the
backward pass or in the penalty would still train, just worse, so the
composed gradient is checked here against finite differences for every
activation pair, with and without sample weights and the L2 penalty, and
against the objective written by hand.
"""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import check_grad

from sknn_simple._activations import ACTIVATIONS, OUTPUT_RANGES
from sknn_simple._kernels import NumpyKernel, kernel_for
from sknn_simple._network import Network, Workspace
from sknn_simple._objective import Objective
from sknn_simple._training import Dataset

N_SAMPLES, N_FEATURES, HIDDEN = 7, 4, (5, 3)
# Finite differences perturb one parameter by ~1.5e-8, which moves a
# pre-activation by at most ~1e-7 here: keep every hidden pre-activation
# clear of relu's kink by far more than that.
KINK_MARGIN = 1e-3
RTOL = 1e-6


def _hidden_preactivations(network, params, X):
    """Pre-activations of the hidden layers, computed with plain numpy."""
    coefs, intercepts = network.unpack(params)
    act, Z = X, []
    for coef, intercept in zip(coefs[:-1], intercepts[:-1], strict=True):
        z = act @ coef + intercept
        Z.append(z)
        act = {
            "identity": z,
            "logistic": 1 / (1 + np.exp(-z)),
            "tanh": np.tanh(z),
            "relu": np.maximum(z, 0),
        }[network.activation]
    return np.concatenate([z.ravel() for z in Z])


def _problem(activation, output_activation, n_outputs, weighted, seed=0):
    """Data and a random (not initial) parameter vector away from relu kinks.

    Draws with successive seeds until no hidden pre-activation is within
    ``KINK_MARGIN`` of 0, so the finite differences never straddle a kink.
    """
    network = Network((N_FEATURES, *HIDDEN, n_outputs), activation, output_activation)
    for attempt in range(seed, seed + 1000):
        rng = np.random.RandomState(attempt)
        X = rng.normal(size=(N_SAMPLES, N_FEATURES))
        # Targets of the order of the outputs keep the loss (whose rounding
        # error the finite differences divide by epsilon) small next to
        # its gradient.
        Y = 0.3 * rng.normal(size=(N_SAMPLES, n_outputs))
        params = network.initialize(rng) + 0.3 * rng.normal(size=network.n_params)
        sample_weight = None
        if weighted:
            sample_weight = rng.uniform(0.5, 2.0, size=N_SAMPLES)
            sample_weight[[1, 4]] = 0.0  # zero weights must drop rows entirely
        margin = np.abs(_hidden_preactivations(network, params, X)).min()
        if margin > KINK_MARGIN:
            return network, params, X, Y, sample_weight
    raise AssertionError("no draw kept clear of the relu kink")  # pragma: no cover


def _objective(network, X, Y, sample_weight, alpha):
    """The fit's objective for these training rows, built as the estimator does."""
    return Objective.for_rows(network, alpha, Dataset(X, Y, sample_weight))


def _loss(network, params, X, Y, sample_weight, alpha):
    """The training objective: the data term plus the penalty."""
    objective = _objective(network, X, Y, sample_weight, alpha)
    return objective.value(params, Dataset(X, Y, sample_weight))


def _loss_and_gradient(network, params, X, Y, sample_weight, alpha, **buffers):
    """The training objective and its gradient, as the solvers compute them."""
    objective = _objective(network, X, Y, sample_weight, alpha)
    data = Dataset(X, Y, sample_weight)
    return objective.value_and_gradient(params, data, **buffers)


CASES = list(
    itertools.product(ACTIVATIONS, OUTPUT_RANGES, [False, True], [0.0, 0.3], [1, 3])
)


@pytest.mark.parametrize(
    "activation, output_activation, weighted, alpha, n_outputs",
    CASES,
    ids=[f"{h}-{o}-{'sw' if w else 'nosw'}-alpha{a}-k{k}" for h, o, w, a, k in CASES],
)
def test_gradient_matches_finite_differences(
    activation, output_activation, weighted, alpha, n_outputs
):
    """Backpropagation gives d loss / d params for every layer and term."""
    network, params, X, Y, sample_weight = _problem(
        activation, output_activation, n_outputs, weighted
    )

    def loss(p):
        return _loss(network, p, X, Y, sample_weight, alpha)

    def gradient(p):
        return _loss_and_gradient(network, p, X, Y, sample_weight, alpha)[1]

    grad = gradient(params)
    assert grad.shape == params.shape
    assert np.linalg.norm(grad) > 0
    error = check_grad(loss, gradient, params)
    assert error / np.linalg.norm(grad) < RTOL


def test_zero_weight_rows_do_not_contribute():
    """A row of weight 0 changes neither the loss nor the gradient."""
    network, params, X, Y, sample_weight = _problem("tanh", "identity", 3, True)
    keep = sample_weight > 0
    Y_changed = Y.copy()
    Y_changed[~keep] += 100.0  # a wild target on a zero-weight row
    loss, grad = _loss_and_gradient(network, params, X, Y, sample_weight, 0.1)
    loss_changed, grad_changed = _loss_and_gradient(
        network, params, X, Y_changed, sample_weight, 0.1
    )
    loss_dropped, grad_dropped = _loss_and_gradient(
        network, params, X[keep], Y[keep], sample_weight[keep], 0.1
    )
    assert loss_changed == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(grad_changed, grad, rtol=1e-12, atol=1e-15)
    assert loss_dropped == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(grad_dropped, grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_sparse_csr_input_gives_dense_loss_and_gradient(activation, weighted):
    """Sparse X is a storage choice: the objective and gradient are the same."""
    network, params, X, Y, sample_weight = _problem(activation, "identity", 3, weighted)
    X = X.copy()
    X[np.abs(X) < 0.7] = 0.0  # make it genuinely sparse
    X_csr = sp.csr_matrix(X)
    assert X_csr.nnz < X.size
    loss_dense, grad_dense = _loss_and_gradient(
        network, params, X, Y, sample_weight, 0.3
    )
    loss_sparse, grad_sparse = _loss_and_gradient(
        network, params, X_csr, Y, sample_weight, 0.3
    )
    assert loss_sparse == pytest.approx(loss_dense, rel=1e-13)
    np.testing.assert_allclose(grad_sparse, grad_dense, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_loss_is_the_documented_objective(n_outputs, weighted):
    """loss = 1/(2Sk) sum_i s_i ||out_i - y_i||^2 + alpha/(2S) sum ||W||^2:
    the network's data term plus the penalty's value."""
    network, params, X, Y, sample_weight = _problem(
        "logistic", "tanh", n_outputs, weighted
    )
    alpha = 0.7
    coefs, intercepts = network.unpack(params)
    act = X
    for layer, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
        z = act @ coef + intercept
        act = np.tanh(z) if layer == len(coefs) - 1 else 1 / (1 + np.exp(-z))
    s = np.ones(N_SAMPLES) if sample_weight is None else sample_weight
    S, k = s.sum(), n_outputs
    data_term = (s * ((act - Y) ** 2).sum(axis=1)).sum() / (2 * S * k)
    penalty = alpha / (2 * S) * sum((coef**2).sum() for coef in coefs)
    expected = data_term + penalty

    assert _loss(network, params, X, Y, sample_weight, alpha) == pytest.approx(
        expected, rel=1e-13
    )
    loss, _ = _loss_and_gradient(network, params, X, Y, sample_weight, alpha)
    assert loss == pytest.approx(expected, rel=1e-13)
    # The network computes the data term alone, the objective the penalty.
    assert network.loss(params, X, Y, sample_weight) == pytest.approx(
        data_term, rel=1e-13
    )
    assert network.loss_and_gradient(params, X, Y, sample_weight)[0] == pytest.approx(
        data_term, rel=1e-13
    )
    objective = _objective(network, X, Y, sample_weight, alpha)
    assert objective.penalty(params) == pytest.approx(penalty, rel=1e-13)
    output = network.predict(params, X)
    assert network.data_loss(output, Y, sample_weight) == pytest.approx(
        data_term, rel=1e-13
    )


def test_intercepts_are_not_penalised():
    """alpha adds alpha/S * W to the weights' gradient and nothing else."""
    network, params, X, Y, sample_weight = _problem("relu", "identity", 3, True)
    alpha, S = 0.5, sample_weight.sum()
    loss0, grad0 = _loss_and_gradient(network, params, X, Y, sample_weight, 0.0)
    loss1, grad1 = _loss_and_gradient(network, params, X, Y, sample_weight, alpha)
    weights = params[: network.n_coefs]
    assert loss1 - loss0 == pytest.approx(
        alpha / (2 * S) * weights @ weights, rel=1e-12
    )
    np.testing.assert_allclose(
        grad1[: network.n_coefs] - grad0[: network.n_coefs],
        alpha / S * weights,
        rtol=1e-10,
    )
    np.testing.assert_array_equal(grad1[network.n_coefs :], grad0[network.n_coefs :])
    # Large intercepts cost nothing: only the weights enter the penalty.
    shifted = params.copy()
    _, intercepts = network.unpack(shifted)
    intercepts[0] += 10.0
    loss_shifted0 = _loss(network, shifted, X, Y, sample_weight, 0.0)
    loss_shifted1 = _loss(network, shifted, X, Y, sample_weight, alpha)
    assert loss_shifted1 - loss_shifted0 == pytest.approx(loss1 - loss0, rel=1e-12)


def test_reused_buffers_give_fresh_results():
    """Reusing ``grad`` and ``workspace`` (as training does) leaves no stale values."""
    network, params, X, Y, sample_weight = _problem("tanh", "logistic", 3, True)
    other = params + 0.5
    grad = np.full_like(params, np.nan)
    workspace = Workspace(network, N_SAMPLES, params.dtype)
    network.loss_and_gradient(other, X, Y, None, grad=grad, workspace=workspace)
    loss, returned = _loss_and_gradient(
        network, params, X, Y, sample_weight, 0.3, grad=grad, workspace=workspace
    )
    assert returned is grad
    fresh_loss, fresh_grad = _loss_and_gradient(
        network, params, X, Y, sample_weight, 0.3
    )
    assert loss == fresh_loss
    np.testing.assert_array_equal(grad, fresh_grad)


def test_float32_gradient_stays_float32_and_close():
    """float32 data trains in float32 with a gradient close to float64's."""
    network, params, X, Y, sample_weight = _problem("logistic", "identity", 3, True)
    loss64, grad64 = _loss_and_gradient(network, params, X, Y, sample_weight, 0.3)
    loss32, grad32 = _loss_and_gradient(
        network,
        params.astype(np.float32),
        X.astype(np.float32),
        Y.astype(np.float32),
        sample_weight.astype(np.float32),
        0.3,
    )
    assert grad32.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(
        grad32, grad64, rtol=1e-4, atol=1e-5 * np.abs(grad64).max()
    )


# ------------------------------------------------------------ blocks of rows
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_blocks_of_rows_give_the_whole_batch_result(monkeypatch, weighted, sparse):
    """Rows beyond the kernel's ``block_rows`` go through in blocks whose
    gradients add up: loss, gradient, forward pass and prediction match one
    block of all rows. (``N_SAMPLES`` = 7 rows in blocks of 3 gives two full
    blocks and a shorter last one.)"""
    network, params, X, Y, sample_weight = _problem("logistic", "tanh", 3, weighted)
    if sparse:
        X = sp.csr_matrix(np.where(np.abs(X) < 0.7, 0.0, X))
    whole_loss, whole_grad = _loss_and_gradient(
        network, params, X, Y, sample_weight, 0.3
    )
    whole_output = network.predict(params, X)

    monkeypatch.setattr(NumpyKernel, "block_rows", 3)
    # The workspace of a fit on X: its kernel is X's (sparse or dense numpy).
    workspace = Workspace(network, N_SAMPLES, params.dtype, kernel=kernel_for(X))
    assert workspace.n_rows == 3
    loss, grad = _loss_and_gradient(
        network, params, X, Y, sample_weight, 0.3, workspace=workspace
    )
    assert loss == pytest.approx(whole_loss, rel=1e-13)
    np.testing.assert_allclose(grad, whole_grad, rtol=1e-12, atol=1e-15)
    assert _loss(network, params, X, Y, sample_weight, 0.3) == pytest.approx(
        whole_loss, rel=1e-13
    )
    output = network.predict(params, X)
    np.testing.assert_allclose(output, whole_output, rtol=1e-13)
    # A prediction in blocks is an array of its own, not a reused buffer.
    again = network.predict(params + 1.0, X)
    assert not np.shares_memory(output, again)
    np.testing.assert_allclose(output, whole_output, rtol=1e-13)
