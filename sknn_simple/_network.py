"""Network math: the flat parameter vector, forward and backward passes.

Nothing here knows about scikit-learn. A :class:`Network` describes an
architecture; its methods are pure functions of a flat parameter vector
``params`` and the data, so they can be tested alone (for example with
:func:`scipy.optimize.check_grad`).

Notation, used the same way in the docs ("How it learns"):

- ``L`` layers; ``activations[0] = X`` and ``activations[l + 1] = f(Z)`` with
  ``Z = activations[l] @ coefs[l] + intercepts[l]``;
- the objective, with sample weights ``s`` (ones when not given),
  ``S = sum(s)`` and ``k`` outputs::

      loss = 1 / (2 S k) * sum_i s_i * ||output_i - y_i||²
             + alpha / (2 S) * sum_l ||coefs[l]||²

  i.e. half the weighted mean squared error plus an L2 penalty on the weights
  (not the intercepts). This is ``MLPRegressor``'s ``loss_`` convention;
- ``deltas[l] = d loss / d Z`` of layer ``l``, computed backwards.
"""

import numpy as np
from sklearn.utils.extmath import safe_sparse_dot

from ._activations import ACTIVATIONS


def _weighted_squared_sum(residual, sample_weight):
    """``sum_i s_i ||residual_i||²`` and ``S = sum_i s_i`` (``s = 1`` if None)."""
    if sample_weight is None:
        return np.vdot(residual, residual), residual.shape[0]
    total = np.einsum("ij,ij,i->", residual, residual, sample_weight)
    return total, sample_weight.sum()


class Workspace:
    """Buffers for one batch size, allocated once and reused by every step.

    Parameters
    ----------
    network : Network
        The architecture the buffers are for.
    n_rows : int
        Number of samples in a batch.
    dtype : numpy dtype
        Floating point type of the computation.
    """

    def __init__(self, network, n_rows, dtype):
        shapes = [(n_rows, size) for size in network.layer_sizes[1:]]
        self.n_rows = n_rows
        # outputs[l] holds activations[l + 1]; activations[0] is the input X.
        self.outputs = [np.empty(shape, dtype=dtype) for shape in shapes]
        self.deltas = [np.empty(shape, dtype=dtype) for shape in shapes]
        self.coef_scratch = np.empty(network.n_coefs, dtype=dtype)


class Network:
    """A fully connected network whose parameters live in one flat vector.

    The vector holds every weight matrix (row-major), then every intercept::

        params = [coefs[0].ravel(), ..., coefs[L-1].ravel(),
                  intercepts[0], ..., intercepts[L-1]]

    so the L2 penalty and its gradient touch one contiguous slice, and
    :meth:`unpack` returns views that share memory with ``params``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, *hidden_layer_sizes, n_outputs)``.
    activation : {"identity", "logistic", "tanh", "relu"}
        Activation of the hidden layers.
    output_activation : {"identity", "logistic", "tanh"}
        Activation of the output layer.
    """

    def __init__(self, layer_sizes, activation, output_activation):
        self.layer_sizes = tuple(int(size) for size in layer_sizes)
        self.activation = activation
        self.output_activation = output_activation
        self.n_layers = len(self.layer_sizes) - 1

        self._coef_shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        coef_sizes = [fan_in * fan_out for fan_in, fan_out in self._coef_shapes]
        self.n_coefs = sum(coef_sizes)
        self.n_params = self.n_coefs + sum(self.layer_sizes[1:])
        self._coef_offsets = np.concatenate([[0], np.cumsum(coef_sizes)]).tolist()
        intercept_offsets = np.cumsum([self.n_coefs, *self.layer_sizes[1:]])
        self._intercept_offsets = intercept_offsets.tolist()

        self._forward_fns = [ACTIVATIONS[activation][0]] * (self.n_layers - 1)
        self._forward_fns.append(ACTIVATIONS[output_activation][0])
        self._derivative_fns = [ACTIVATIONS[activation][1]] * (self.n_layers - 1)
        self._derivative_fns.append(ACTIVATIONS[output_activation][1])

    # ------------------------------------------------------------------ layout
    def unpack(self, params):
        """Views of ``params`` as per-layer weight matrices and intercepts.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Flat parameter (or gradient) vector.

        Returns
        -------
        coefs : list of ndarray
            ``coefs[l]`` has shape ``(layer_sizes[l], layer_sizes[l + 1])``.
        intercepts : list of ndarray
            ``intercepts[l]`` has shape ``(layer_sizes[l + 1],)``.
        """
        coefs = [
            params[start:stop].reshape(shape)
            for start, stop, shape in zip(
                self._coef_offsets[:-1], self._coef_offsets[1:], self._coef_shapes
            )
        ]
        intercepts = [
            params[start:stop]
            for start, stop in zip(
                self._intercept_offsets[:-1], self._intercept_offsets[1:]
            )
        ]
        return coefs, intercepts

    def initialize(self, random_state, dtype=np.float64):
        """Draw initial parameters (Glorot uniform, as ``MLPRegressor`` does).

        Each layer's weights and intercepts are drawn from
        ``U(-b, b)`` with ``b = sqrt(factor / (fan_in + fan_out))``, where
        ``factor`` is 2 for a logistic network and 6 otherwise. Layers are
        drawn in the same order as ``MLPRegressor``, so the same
        ``RandomState`` gives both libraries the same starting point.

        Parameters
        ----------
        random_state : numpy.random.RandomState
            Source of randomness.
        dtype : numpy dtype, default=np.float64
            Floating point type of the returned vector.

        Returns
        -------
        params : ndarray of shape (n_params,)
        """
        params = np.empty(self.n_params, dtype=dtype)
        factor = 2.0 if self.activation == "logistic" else 6.0
        for coef, intercept in zip(*self.unpack(params)):
            fan_in, fan_out = coef.shape
            bound = np.sqrt(factor / (fan_in + fan_out))
            coef[...] = random_state.uniform(-bound, bound, coef.shape)
            intercept[...] = random_state.uniform(-bound, bound, intercept.shape)
        return params

    # ----------------------------------------------------------------- forward
    def forward(self, params, X, workspace=None):
        """Output of the network for ``X``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        workspace : Workspace, default=None
            Buffers to compute into; a new one is made when None.

        Returns
        -------
        output : ndarray of shape (n_samples, n_outputs)
            ``workspace.outputs[-1]``: overwritten by the next call that
            uses the same workspace.
        """
        if workspace is None:
            workspace = Workspace(self, X.shape[0], params.dtype)
        coefs, intercepts = self.unpack(params)
        layer_input = X
        for coef, intercept, out, activate in zip(
            coefs, intercepts, workspace.outputs, self._forward_fns
        ):
            if isinstance(layer_input, np.ndarray):
                np.matmul(layer_input, coef, out=out)
            else:  # sparse input, first layer only
                out[...] = safe_sparse_dot(layer_input, coef)
            out += intercept
            activate(out)
            layer_input = out
        return workspace.outputs[-1]

    def predict(self, params, X):
        """Return ``forward(params, X)`` in a new array."""
        return self.forward(params, X)

    # ------------------------------------------------------------------- loss
    def squared_error(self, output, Y, sample_weight=None):
        """Half the (weighted) mean squared error, averaged over outputs.

        Parameters
        ----------
        output, Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        loss : float
            ``1 / (2 S k) * sum_i s_i ||output_i - Y_i||²``.
        """
        residual = output - Y
        total, weight_sum = _weighted_squared_sum(residual, sample_weight)
        return float(0.5 * total / (weight_sum * residual.shape[1]))

    def penalty(self, params, alpha, weight_sum):
        """The L2 term ``alpha / (2 S) * sum_l ||coefs[l]||²``.

        The weights are the first ``n_coefs`` entries of ``params``; the
        intercepts are not penalised.
        """
        weights = params[: self.n_coefs]
        return 0.5 * alpha / weight_sum * float(np.vdot(weights, weights))

    def loss(self, params, X, Y, sample_weight=None, alpha=0.0):
        """The training objective (see the module docstring) at ``params``."""
        return self.loss_and_gradient(params, X, Y, sample_weight, alpha)[0]

    def loss_and_gradient(
        self, params, X, Y, sample_weight=None, alpha=0.0, *, grad=None, workspace=None
    ):
        """Training objective and its gradient by backpropagation.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), default=None
            Non-negative weights with a positive sum; None means all ones.
        alpha : float, default=0.0
            L2 penalty strength.
        grad : ndarray of shape (n_params,), default=None
            Where to write the gradient; a new array when None.
        workspace : Workspace, default=None
            Buffers for ``X.shape[0]`` rows; a new one when None.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,)
            ``d loss / d params``, laid out like ``params``.
        """
        n_samples, n_outputs = Y.shape
        if workspace is None:
            workspace = Workspace(self, n_samples, params.dtype)
        if grad is None:
            grad = np.empty_like(params)
        coefs, _ = self.unpack(params)
        coef_grads, intercept_grads = self.unpack(grad)
        weights = params[: self.n_coefs]
        weight_grads = grad[: self.n_coefs]

        output = self.forward(params, X, workspace)

        # Loss. The last delta starts as the residual output - Y.
        delta = workspace.deltas[-1]
        np.subtract(output, Y, out=delta)
        squared_sum, weight_sum = _weighted_squared_sum(delta, sample_weight)
        scale = 1.0 / (weight_sum * n_outputs)
        loss = 0.5 * scale * squared_sum + self.penalty(params, alpha, weight_sum)

        # d loss / d output = s_i (output_i - y_i) / (S k), then through f'.
        if sample_weight is None:
            delta *= scale
        else:
            delta *= (scale * sample_weight)[:, np.newaxis]
        self._derivative_fns[-1](output, delta)

        # Backward: gradients of layer l, then the delta of the layer below.
        for layer in range(self.n_layers - 1, -1, -1):
            delta = workspace.deltas[layer]
            layer_input = X if layer == 0 else workspace.outputs[layer - 1]
            if isinstance(layer_input, np.ndarray):
                np.matmul(layer_input.T, delta, out=coef_grads[layer])
            else:
                coef_grads[layer][...] = safe_sparse_dot(layer_input.T, delta)
            np.sum(delta, axis=0, out=intercept_grads[layer])
            if layer > 0:
                below = workspace.deltas[layer - 1]
                np.matmul(delta, coefs[layer].T, out=below)
                self._derivative_fns[layer - 1](layer_input, below)

        # d penalty / d weights = alpha / S * weights (intercepts are not penalised).
        if alpha:
            scratch = workspace.coef_scratch
            np.multiply(weights, alpha / weight_sum, out=scratch)
            weight_grads += scratch
        return float(loss), grad
