"""Network math: the flat parameter vector, forward and backward passes.

Nothing here knows about scikit-learn. A :class:`Network` describes an
architecture; its methods are pure functions of a flat parameter vector
``params`` and the data, so they can be tested alone (for example with
:func:`scipy.optimize.check_grad`).

Notation, used the same way in the docs ("How it learns"):

- ``L`` layers; ``activations[0] = X`` and ``activations[l + 1] = f(Z)`` with
  ``Z = activations[l] @ coefs[l] + intercepts[l]``;
- the data term of the objective, with sample weights ``s`` (ones when
  not given), ``S = sum(s)``, ``k`` outputs and the loss ``l`` of one
  output value (a row of the table in :mod:`sknn_simple._losses`)::

      loss = 1 / (S k) * sum_i s_i * sum_j l(output_ij, y_ij)

  i.e. the weighted mean loss. For the default squared error,
  ``l = (o - y)² / 2``: half the weighted mean squared error,
  ``MLPRegressor``'s ``loss_`` convention. The training objective adds the
  L2 penalty on the weights, ``alpha / (2 S) * sum_l ||coefs[l]||²``, which
  the network does not compute: one :class:`~sknn_simple._penalty.L2Penalty`
  per fit does, for every solver (see :mod:`sknn_simple._training`);
- ``deltas[l] = d loss / d Z`` of layer ``l``, computed backwards.

Two versions of each step sit side by side: the numpy fast path (in-place
ufuncs with ``out=``, BLAS, :class:`Workspace` buffers, blocks of
:data:`BLOCK_ROWS`) and its namespace-generic twin, named ``*_xp``, for the
arrays of other array libraries (PyTorch, CuPy, array-api-strict; see
:mod:`sknn_simple._array_api`). The twin uses the same flat layout (its
:meth:`Network.unpack_xp` cuts the same slices), the same formula per layer
and the same names, with array API standard functions only and new arrays
instead of buffers. tests/test_array_api.py keeps the two in step: from the
same starting weights and row order they give the same loss, gradient,
fitted weights and predictions (1e-10 in float64, 1e-5 in float32).
"""

import numpy as np
from sklearn.utils.extmath import safe_sparse_dot

from ._activations import ACTIVATIONS, ACTIVATIONS_XP
from ._array_api import device_of
from ._losses import LOSSES

#: Most rows a forward or backward pass handles at once. Larger inputs (a
#: full batch, L-BFGS, predict) go through in blocks of this many rows, so
#: the activations of a block stay in cache and the buffers stay small
#: however many rows there are; a gradient is a sum over rows, so the
#: blocks' gradients add up to the whole one.
BLOCK_ROWS = 1024

#: Most rows a pass of the namespace-generic path handles at once on an
#: accelerator, which wants large blocks: there the blocks only bound the
#: memory of a full batch (L-BFGS) or of predicting many rows.
XP_BLOCK_ROWS = 65_536
#: The same on a CPU device (torch's CPU tensors), where blocks whose
#: activations stay in cache win, as for numpy: predicting 1,000,000 rows
#: with (b)'s network took 0.5 s in blocks of 2,048 rows and 3.1 s in blocks
#: of 65,536 (torch 2.13, 2 cores).
XP_CPU_BLOCK_ROWS = 2_048


def _xp_block_rows(array):
    """How many rows of ``array`` a generic pass takes at once."""
    on_cpu = "cpu" in str(device_of(array)).lower()
    return XP_CPU_BLOCK_ROWS if on_cpu else XP_BLOCK_ROWS


def _weight_sum(sample_weight, n_samples):
    """``S = sum_i s_i`` (``n_samples`` when ``sample_weight`` is None)."""
    return n_samples if sample_weight is None else float(sample_weight.sum())


class Workspace:
    """Buffers for up to ``n_rows`` rows, allocated once and reused.

    Parameters
    ----------
    network : Network
        The architecture the buffers are for.
    n_rows : int
        Number of rows of the calls the workspace serves; buffers get at
        most :data:`BLOCK_ROWS` rows and longer calls run in blocks.
    dtype : numpy dtype
        Floating point type of the computation.
    backward : bool, default=True
        Whether to allocate the buffers of the backward pass too; a
        forward-only workspace serves prediction.
    """

    def __init__(self, network, n_rows, dtype, *, backward=True):
        self.n_rows = max(1, min(int(n_rows), BLOCK_ROWS))
        self.dtype = np.dtype(dtype)
        shapes = [(self.n_rows, size) for size in network.layer_sizes[1:]]
        # outputs[l] holds activations[l + 1]; activations[0] is the input X.
        self.outputs = [np.empty(shape, dtype=dtype) for shape in shapes]
        self.deltas = self.ones = None
        if backward:
            self.deltas = [np.empty(shape, dtype=dtype) for shape in shapes]
            # ones @ delta sums delta's rows, in a fraction of np.sum's time.
            self.ones = np.ones(self.n_rows, dtype=dtype)
        self._network = network
        self._grad_scratch = None
        self._views = {}

    @property
    def grad_scratch(self):
        """A gradient-sized buffer, for calls that take several blocks."""
        if self._grad_scratch is None:
            self._grad_scratch = np.empty(self._network.n_params, dtype=self.dtype)
        return self._grad_scratch

    def unpack(self, params):
        """``network.unpack(params)``, cached for the arrays seen last.

        A training loop passes the same parameter and gradient vectors to
        every step; their views are made once instead of once per step.
        """
        cached = self._views.get(id(params))
        if cached is None or cached[0] is not params:
            if len(self._views) > 4:
                self._views.clear()
            cached = (params, self._network.unpack(params))
            self._views[id(params)] = cached
        return cached[1]

    def rows(self, n_rows):
        """The buffers cut to their first ``n_rows`` rows (a block's worth):
        ``outputs, deltas, ones``."""
        if n_rows == self.n_rows:
            return self.outputs, self.deltas, self.ones
        if self.deltas is None:
            return [buffer[:n_rows] for buffer in self.outputs], None, None
        return (
            [buffer[:n_rows] for buffer in self.outputs],
            [buffer[:n_rows] for buffer in self.deltas],
            self.ones[:n_rows],
        )


class Network:
    """A fully connected network whose parameters live in one flat vector.

    The vector holds every weight matrix (row-major), then every intercept::

        params = [coefs[0].ravel(), ..., coefs[L-1].ravel(),
                  intercepts[0], ..., intercepts[L-1]]

    so the L2 penalty and its gradient (:class:`~sknn_simple._penalty.L2Penalty`)
    touch one contiguous slice, ``params[:n_coefs]``, and :meth:`unpack`
    returns views that share memory with ``params``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, *hidden_layer_sizes, n_outputs)``.
    activation : {"identity", "logistic", "tanh", "relu"}
        Activation of the hidden layers.
    output_activation : {"identity", "logistic", "tanh"}
        Activation of the output layer.
    loss : str, default="squared_error"
        A key of :data:`~sknn_simple._losses.LOSSES`.
    loss_parameter : float, default=None
        The loss's parameter (Huber's threshold, the quantile), if it has one.
    """

    def __init__(
        self,
        layer_sizes,
        activation,
        output_activation,
        loss="squared_error",
        loss_parameter=None,
    ):
        self.layer_sizes = tuple(int(size) for size in layer_sizes)
        self.activation = activation
        self.output_activation = output_activation
        self.loss_name = loss
        self.loss_parameter = None if loss_parameter is None else float(loss_parameter)
        self.n_layers = len(self.layer_sizes) - 1

        self._coef_shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        coef_sizes = [fan_in * fan_out for fan_in, fan_out in self._coef_shapes]
        self.n_coefs = sum(coef_sizes)
        self.n_params = self.n_coefs + sum(self.layer_sizes[1:])
        self._coef_offsets = np.concatenate([[0], np.cumsum(coef_sizes)]).tolist()
        intercept_offsets = np.cumsum([self.n_coefs, *self.layer_sizes[1:]])
        self._intercept_offsets = intercept_offsets.tolist()
        self._bind_activations()

    def _bind_activations(self):
        """Look up each layer's ``f`` and ``f'`` by the activations' names."""
        hidden = ACTIVATIONS[self.activation]
        output = ACTIVATIONS[self.output_activation]
        self._forward_fns = [hidden[0]] * (self.n_layers - 1) + [output[0]]
        self._derivative_fns = [hidden[1]] * (self.n_layers - 1) + [output[1]]
        hidden, output = (
            ACTIVATIONS_XP[self.activation],
            ACTIVATIONS_XP[self.output_activation],
        )
        self._forward_fns_xp = [hidden[0]] * (self.n_layers - 1) + [output[0]]
        self._derivative_fns_xp = [hidden[1]] * (self.n_layers - 1) + [output[1]]
        self._loss_fns = LOSSES[self.loss_name]

    # A saved network holds the activations' names, not the functions: skops
    # would otherwise ask the loader to trust each private function.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_forward_fns"], state["_derivative_fns"], state["_loss_fns"]
        del state["_forward_fns_xp"], state["_derivative_fns_xp"]
        return state

    def __setstate__(self, state):
        # Networks saved before losses were a parameter: squared error.
        self.__dict__.update({"loss_name": "squared_error", "loss_parameter": None})
        self.__dict__.update(state)
        self._bind_activations()

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
            for start, stop, shape in self._coef_ranges()
        ]
        return coefs, [params[start:stop] for start, stop in self._intercept_ranges()]

    def _coef_ranges(self):
        """``(start, stop, shape)`` of each weight matrix in the flat vector."""
        return zip(self._coef_offsets[:-1], self._coef_offsets[1:], self._coef_shapes)

    def _intercept_ranges(self):
        """``(start, stop)`` of each intercept in the flat vector."""
        return zip(self._intercept_offsets[:-1], self._intercept_offsets[1:])

    def unpack_xp(self, xp, params):
        """:meth:`unpack` for an array of namespace ``xp``: the same slices;
        whether they share memory with ``params`` is up to the library, so
        the generic path only reads them."""
        coefs = [
            xp.reshape(params[start:stop], shape)
            for start, stop, shape in self._coef_ranges()
        ]
        return coefs, [params[start:stop] for start, stop in self._intercept_ranges()]

    def pack_xp(self, xp, coefs, intercepts):
        """The flat vector of per-layer arrays, laid out as :meth:`unpack`
        reads it: every weight matrix, then every intercept."""
        return xp.concat([xp.reshape(coef, (-1,)) for coef in coefs] + intercepts)

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
    def forward(self, params, X, workspace=None, *, views=None):
        """Output of the network for ``X``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        workspace : Workspace, default=None
            Buffers to compute into; None makes buffers for this call alone.
        views : tuple of lists, default=None
            ``unpack(params)`` when the caller already has it.

        Returns
        -------
        output : ndarray of shape (n_samples, n_outputs)
            When ``X`` fits in one block of the workspace, its last buffer
            (overwritten by the next call that uses the same workspace);
            otherwise, or without a workspace, an array of its own.
        """
        n_samples = X.shape[0]
        if views is None:
            views = (workspace or self).unpack(params)
        coefs, intercepts = views
        if workspace is None and n_samples <= BLOCK_ROWS:
            # One block in buffers of its own: cheaper than a Workspace,
            # which matters for a 1-row prediction.
            outputs = [
                np.empty((n_samples, size), dtype=params.dtype)
                for size in self.layer_sizes[1:]
            ]
            return self._forward_block(coefs, intercepts, X, outputs)
        if workspace is None:
            workspace = Workspace(self, n_samples, params.dtype, backward=False)
        block = workspace.n_rows
        if n_samples <= block:
            outputs = workspace.rows(n_samples)[0]
            return self._forward_block(coefs, intercepts, X, outputs)
        output = np.empty((n_samples, self.layer_sizes[-1]), dtype=params.dtype)
        for start in range(0, n_samples, block):
            rows = slice(start, start + block)
            outputs = workspace.rows(output[rows].shape[0])[0]
            output[rows] = self._forward_block(coefs, intercepts, X[rows], outputs)
        return output

    def _forward_block(self, coefs, intercepts, X, outputs):
        """Forward pass of one block of rows into the ``outputs`` buffers."""
        layer_input = X
        for coef, intercept, out, activate in zip(
            coefs, intercepts, outputs, self._forward_fns
        ):
            if isinstance(layer_input, np.ndarray):
                np.matmul(layer_input, coef, out=out)
            else:  # sparse input, first layer only
                out[...] = safe_sparse_dot(layer_input, coef)
            out += intercept
            activate(out)
            layer_input = out
        return outputs[-1]

    def forward_xp(self, xp, params, X, *, views=None):
        """:meth:`forward` for arrays of namespace ``xp``, in blocks of
        :data:`XP_BLOCK_ROWS` rows (:data:`XP_CPU_BLOCK_ROWS` on a CPU); a
        new array."""
        coefs, intercepts = self.unpack_xp(xp, params) if views is None else views
        n_samples, block = X.shape[0], _xp_block_rows(X)
        if n_samples <= block:
            return self._forward_block_xp(xp, coefs, intercepts, X)[-1]
        return xp.concat(
            [
                self._forward_block_xp(
                    xp,
                    coefs,
                    intercepts,
                    X[start : min(start + block, n_samples), ...],
                )[-1]
                for start in range(0, n_samples, block)
            ],
            axis=0,
        )

    def _forward_block_xp(self, xp, coefs, intercepts, X):
        """:meth:`_forward_block` for arrays of namespace ``xp``: the list of
        every layer's output, ``activations[1:]``."""
        outputs = []
        layer_input = X
        for coef, intercept, activate in zip(coefs, intercepts, self._forward_fns_xp):
            layer_input = activate(xp, layer_input @ coef + intercept)
            outputs.append(layer_input)
        return outputs

    def predict_xp(self, xp, params, X, *, views=None):
        """:meth:`predict` for arrays of namespace ``xp``."""
        return self.inverse_link_xp(xp, self.forward_xp(xp, params, X, views=views))

    def inverse_link_xp(self, xp, output):
        """:meth:`inverse_link` for arrays of namespace ``xp``; a new array."""
        return self._loss_fns.inverse_link_xp(xp, output)

    def data_loss_xp(self, xp, output, Y, sample_weight=None):
        """:meth:`data_loss` for arrays of namespace ``xp``; a float."""
        total, _ = self._loss_fns.terms_xp(
            xp, output, Y, sample_weight, self.loss_parameter
        )
        weight_sum = _weight_sum_xp(xp, sample_weight, output.shape[0])
        return float(total) / (weight_sum * output.shape[1])

    def predict(self, params, X, *, views=None):
        """Return the predictions for ``X`` in an array of its own.

        That is ``forward(params, X)`` through the loss's inverse link
        (``exp`` for Poisson, the identity otherwise). ``views`` is
        ``unpack(params)`` when the caller already has it. Without a
        workspace, the call's buffers are its own, so concurrent calls share
        nothing.
        """
        return self.inverse_link(self.forward(params, X, views=views))

    def inverse_link(self, output):
        """Network outputs to predictions, in place: ``exp`` for Poisson (a
        log link), the identity otherwise."""
        return self._loss_fns.inverse_link(output)

    def data_loss(self, output, Y, sample_weight=None):
        """The data term ``1 / (S k) * sum_i s_i sum_j l(output_ij, y_ij)``.

        Parameters
        ----------
        output, Y : ndarray of shape (n_samples, n_outputs)
            Network outputs (before the link) and targets.
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        loss : float
        """
        total = self._loss_fns.terms(
            output, Y, sample_weight, self.loss_parameter, np.empty_like(output)
        )
        weight_sum = _weight_sum(sample_weight, output.shape[0])
        return float(total / (weight_sum * output.shape[1]))

    # ------------------------------------------------------------------- loss
    def loss(self, params, X, Y, sample_weight=None, *, workspace=None):
        """The data term (see the module docstring) at ``params``.

        A forward pass only, block by block: neither the outputs of all rows
        nor their residuals are ever held at once.
        """
        n_samples, n_outputs = Y.shape
        if workspace is None:
            workspace = Workspace(self, n_samples, params.dtype, backward=False)
        coefs, intercepts = workspace.unpack(params)
        loss_sum = 0.0
        block = workspace.n_rows
        for start in range(0, n_samples, block):
            rows = slice(start, start + block)
            Y_block = Y[rows]
            outputs = workspace.rows(Y_block.shape[0])[0]
            output = self._forward_block(coefs, intercepts, X[rows], outputs)
            # The derivative the loss writes overwrites the block's output.
            loss_sum += self._loss_fns.terms(
                output,
                Y_block,
                None if sample_weight is None else sample_weight[rows],
                self.loss_parameter,
                output,
            )
        weight_sum = _weight_sum(sample_weight, n_samples)
        return loss_sum / (weight_sum * n_outputs)

    def loss_xp(self, xp, params, X, Y, sample_weight=None):
        """:meth:`loss` for arrays of namespace ``xp``; a float."""
        views = self.unpack_xp(xp, params)
        n_samples, n_outputs = Y.shape
        loss_sum, block = 0.0, _xp_block_rows(X)
        for start in range(0, n_samples, block):
            rows = slice(start, min(start + block, n_samples))
            output = self._forward_block_xp(xp, *views, X[rows, ...])[-1]
            total, _ = self._loss_fns.terms_xp(
                xp,
                output,
                Y[rows, ...],
                None if sample_weight is None else sample_weight[rows],
                self.loss_parameter,
            )
            loss_sum += float(total)
        weight_sum = _weight_sum_xp(xp, sample_weight, n_samples)
        return loss_sum / (weight_sum * n_outputs)

    def loss_and_gradient(
        self, params, X, Y, sample_weight=None, *, grad=None, workspace=None
    ):
        """The data term and its gradient by backpropagation.

        Rows go through in blocks of at most ``workspace.n_rows``; each
        block's gradient is added to the total.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), default=None
            Non-negative weights with a positive sum; None means all ones.
        grad : ndarray of shape (n_params,), default=None
            Where to write the gradient; a new array when None.
        workspace : Workspace, default=None
            Buffers for ``X.shape[0]`` rows; a new one when None.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,)
            ``d loss / d params``, laid out like ``params``.

        The L2 penalty is not part of either:
        :class:`~sknn_simple._penalty.L2Penalty` adds it.
        """
        n_samples, n_outputs = Y.shape
        if workspace is None:
            workspace = Workspace(self, n_samples, params.dtype)
        if grad is None:
            grad = np.empty_like(params)
        weight_sum = _weight_sum(sample_weight, n_samples)
        # The data term's factor: loss = scale * sum_i s_i sum_j l(output_ij, y_ij).
        scale = 1.0 / (weight_sum * n_outputs)

        loss_sum = 0.0
        block = workspace.n_rows
        for start in range(0, n_samples, block):
            rows = slice(start, start + block)
            # The first block writes the gradient, later ones add theirs.
            block_grad = grad if start == 0 else workspace.grad_scratch
            loss_sum += self._backpropagate(
                params,
                X if n_samples <= block else X[rows],
                Y[rows],
                None if sample_weight is None else sample_weight[rows],
                scale,
                block_grad,
                workspace,
            )
            if start:
                grad += block_grad
        return float(scale * loss_sum), grad

    def _backpropagate(self, params, X, Y, sample_weight, scale, grad, workspace):
        """Gradient of one block's data term into ``grad``; return the
        block's ``sum_i s_i sum_j l(output_ij, y_ij)``."""
        coefs, intercepts = workspace.unpack(params)
        coef_grads, intercept_grads = workspace.unpack(grad)
        outputs, deltas, ones = workspace.rows(Y.shape[0])
        output = self._forward_block(coefs, intercepts, X, outputs)

        # The last delta starts as dl/d output from the loss table: for the
        # squared error, the residual output - Y.
        delta = deltas[-1]
        loss_sum = self._loss_fns.terms(
            output, Y, sample_weight, self.loss_parameter, delta
        )

        # d loss / d output = s_i dl/d output_i / (S k), then through f'.
        if sample_weight is None:
            delta *= scale
        else:
            delta *= (scale * sample_weight)[:, np.newaxis]
        self._derivative_fns[-1](output, delta)

        # Backward: gradients of layer l, then the delta of the layer below.
        for layer in range(self.n_layers - 1, -1, -1):
            delta = deltas[layer]
            layer_input = X if layer == 0 else outputs[layer - 1]
            if isinstance(layer_input, np.ndarray):
                np.matmul(layer_input.T, delta, out=coef_grads[layer])
            else:
                coef_grads[layer][...] = safe_sparse_dot(layer_input.T, delta)
            np.matmul(ones, delta, out=intercept_grads[layer])  # sum of the rows
            if layer > 0:
                below = deltas[layer - 1]
                _times_transpose(delta, coefs[layer], out=below)
                # f' overwrites layer_input, which nothing needs any more.
                self._derivative_fns[layer - 1](layer_input, below)
        return loss_sum

    def loss_and_gradient_xp(self, xp, params, X, Y, sample_weight, weight_sum):
        """:meth:`loss_and_gradient` for arrays of namespace ``xp``.

        ``weight_sum`` is ``S`` of these rows, a float the caller knows
        (see :func:`sknn_simple._training.run_epoch_xp`). Returns the data
        term as a 0-d array (no transfer to the host) and the gradient as a
        new flat vector laid out like ``params``.
        """
        n_samples, n_outputs = Y.shape
        scale = 1.0 / (weight_sum * n_outputs)
        views = self.unpack_xp(xp, params)
        block = _xp_block_rows(X)
        if n_samples <= block:
            loss_sum, grad = self._backpropagate_xp(
                xp, views, X, Y, sample_weight, scale
            )
            return scale * loss_sum, grad
        loss_sum, grad = 0.0, None
        for start in range(0, n_samples, block):
            rows = slice(start, min(start + block, n_samples))
            block_loss, block_grad = self._backpropagate_xp(
                xp,
                views,
                X[rows, ...],
                Y[rows, ...],
                None if sample_weight is None else sample_weight[rows],
                scale,
            )
            loss_sum = loss_sum + block_loss
            grad = block_grad if grad is None else grad + block_grad
        return scale * loss_sum, grad

    def _backpropagate_xp(self, xp, views, X, Y, sample_weight, scale):
        """:meth:`_backpropagate` for arrays of namespace ``xp``: the same
        steps, returning ``(sum_i s_i sum_j l, grad)``, both new arrays."""
        coefs, intercepts = views
        outputs = self._forward_block_xp(xp, coefs, intercepts, X)
        output = outputs[-1]

        # The last delta: dl/d output from the loss table, times s_i / (S k),
        # then through f'.
        loss_sum, delta = self._loss_fns.terms_xp(
            xp, output, Y, sample_weight, self.loss_parameter
        )
        if sample_weight is None:
            delta = delta * scale
        else:
            delta = delta * (scale * sample_weight)[:, None]
        delta = self._derivative_fns_xp[-1](xp, output, delta)

        # Backward: gradients of layer l, then the delta of the layer below.
        coef_grads = [None] * self.n_layers
        intercept_grads = [None] * self.n_layers
        for layer in range(self.n_layers - 1, -1, -1):
            layer_input = X if layer == 0 else outputs[layer - 1]
            coef_grads[layer] = layer_input.T @ delta
            intercept_grads[layer] = xp.sum(delta, axis=0)  # sum of the rows
            if layer > 0:
                delta = self._derivative_fns_xp[layer - 1](
                    xp, layer_input, delta @ coefs[layer].T
                )
        return loss_sum, self.pack_xp(xp, coef_grads, intercept_grads)


def _weight_sum_xp(xp, sample_weight, n_samples):
    """:func:`_weight_sum` of an array of namespace ``xp``; a float."""
    return n_samples if sample_weight is None else float(xp.sum(sample_weight))


def _times_transpose(delta, coef, out):
    """``out = delta @ coef.T``; with one output unit that is an outer
    product, which broadcasting does in half the time of a matmul."""
    if coef.shape[1] == 1:
        return np.multiply(delta, coef.T, out=out)
    return np.matmul(delta, coef.T, out=out)
