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

  i.e. the weighted mean loss (``k = 1`` for the classification losses,
  whose losses of a row add up to its cross-entropy). For the default squared error,
  ``l = (o - y)² / 2``: half the weighted mean squared error,
  ``MLPRegressor``'s ``loss_`` convention. The training objective adds the
  L2 penalty on the weights, ``alpha / (2 S) * sum_l ||coefs[l]||²``, which
  the network does not compute: one :class:`~sknn_simple._objective.Objective`
  per fit does, for every solver (see :mod:`sknn_simple._training`);
- ``deltas[l] = d loss / d Z`` of layer ``l``, computed backwards.

Each step is written once, against the fit's kernel (see
:mod:`sknn_simple._kernels`): on numpy it computes into :class:`Workspace`
buffers, with BLAS, in blocks of at most ``kernel.block_rows`` rows; on the
arrays of another array library (PyTorch, CuPy, array-api-strict) the same
lines return new arrays, and the workspace holds no buffers.
"""

import numpy as np

from ._activations import ACTIVATIONS
from ._kernels import NUMPY, kernel_for
from ._losses import LOSSES


def _weight_sum(k, sample_weight, n_samples):
    """``S = sum_i s_i`` (``n_samples`` when ``sample_weight`` is None)."""
    return n_samples if sample_weight is None else float(k.xp.sum(sample_weight))


class Workspace:
    """Buffers for up to ``n_rows`` rows, allocated once and reused.

    Parameters
    ----------
    network : Network
        The architecture the buffers are for.
    n_rows : int
        Number of rows of the calls the workspace serves; numpy's buffers
        get at most ``kernel.block_rows`` rows and longer calls run in
        blocks (another library's workspace, without buffers, always takes
        blocks of ``kernel.block_rows``).
    dtype : dtype
        Floating point type of the computation (of the kernel's library).
    backward : bool, default=True
        Whether to allocate the buffers of the backward pass too; a
        forward-only workspace serves prediction.
    kernel : NumpyKernel or ArrayApiKernel, default=NUMPY
        The fit's kernel; another array library's gives no buffers (None).
    """

    def __init__(self, network, n_rows, dtype, *, backward=True, kernel=NUMPY):
        self.kernel = kernel
        self.n_rows = kernel.block_size(n_rows)
        self.dtype = dtype
        shapes = [(self.n_rows, size) for size in network.layer_sizes[1:]]
        # outputs[l] holds activations[l + 1]; activations[0] is the input X.
        self.outputs = [kernel.empty(shape, dtype) for shape in shapes]
        self.deltas = self.ones = None
        if backward:
            self.deltas = [kernel.empty(shape, dtype) for shape in shapes]
            self.ones = kernel.ones(self.n_rows, dtype)  # sums delta's rows
        self._network = network
        self._grad_scratch = None
        self._views = {}

    @property
    def grad_scratch(self):
        """A gradient-sized buffer, for calls that take several blocks."""
        if self._grad_scratch is None:
            n_params = self._network.n_params
            self._grad_scratch = self.kernel.empty(n_params, self.dtype)
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
            cached = (params, self._network.unpack(params, self.kernel))
            if self.kernel.views_stay_current:
                self._views[id(params)] = cached
        return cached[1]

    def rows(self, n_rows):
        """The buffers cut to their first ``n_rows`` rows (a block's worth):
        ``outputs, deltas, ones``."""
        if n_rows == self.n_rows:
            return self.outputs, self.deltas, self.ones
        return (
            _first_rows(self.outputs, n_rows),
            None if self.deltas is None else _first_rows(self.deltas, n_rows),
            None if self.ones is None else self.ones[:n_rows],
        )


def _first_rows(buffers, n_rows):
    return [None if buffer is None else buffer[:n_rows] for buffer in buffers]


class Network:
    """A fully connected network whose parameters live in one flat vector.

    The vector holds every weight matrix (row-major), then every intercept::

        params = [coefs[0].ravel(), ..., coefs[L-1].ravel(),
                  intercepts[0], ..., intercepts[L-1]]

    so the L2 penalty and its gradient (:class:`~sknn_simple._objective.Objective`)
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
        """Look up each layer's ``f`` and ``f'``, and the loss, by name."""
        hidden = ACTIVATIONS[self.activation]
        output = ACTIVATIONS[self.output_activation]
        self._forward_fns = [hidden[0]] * (self.n_layers - 1) + [output[0]]
        self._derivative_fns = [hidden[1]] * (self.n_layers - 1) + [output[1]]
        self._loss_fns = LOSSES[self.loss_name]
        self._terms = self._loss_fns.bound_terms(self.loss_parameter)
        # k of the data term's 1 / (S k): the outputs a row's losses are
        # averaged over, or 1 for a loss summed over them (classification).
        mean = self._loss_fns.mean_over_outputs
        self._per_row = self.layer_sizes[-1] if mean else 1

    # A saved network holds the activations' names, not the functions: skops
    # would otherwise ask the loader to trust each private function.
    def __getstate__(self):
        state = self.__dict__.copy()
        derived = ("_forward_fns", "_derivative_fns", "_loss_fns", "_terms", "_per_row")
        for name in derived:
            del state[name]
        return state

    def __setstate__(self, state):
        # Networks saved before losses were a parameter: squared error.
        self.__dict__.update({"loss_name": "squared_error", "loss_parameter": None})
        self.__dict__.update(state)
        self._bind_activations()

    def check_continues(self, hidden_layer_sizes, n_outputs, activation, output_layer):
        """Raise ValueError unless a network of these settings is this one:
        what ``warm_start`` and ``partial_fit`` need to train it on.
        ``output_layer`` is ``(output_activation, loss, loss_parameter)``."""
        expected = self.layer_sizes[1:-1]
        if tuple(hidden_layer_sizes) != expected:
            raise ValueError(
                f"hidden_layer_sizes={tuple(hidden_layer_sizes)} differs from the "
                f"fitted network's {expected}; warm_start and partial_fit continue "
                "the same network. Set warm_start=False to train a new one."
            )
        if n_outputs != self.layer_sizes[-1]:
            raise ValueError(
                f"y has {n_outputs} outputs but the fitted network has "
                f"{self.layer_sizes[-1]}; warm_start and partial_fit need the "
                "same number."
            )
        output_activation, loss, loss_parameter = output_layer
        if (activation, output_activation) != (self.activation, self.output_activation):
            raise ValueError(
                "activation or output_activation differ from the fitted network's; "
                "set warm_start=False to train a new network."
            )
        if (loss, loss_parameter) != (self.loss_name, self.loss_parameter):
            raise ValueError(
                "loss (or its quantile or huber_delta) differs from the fitted "
                "network's; warm_start and partial_fit continue the same "
                "objective. Set warm_start=False to train a new network."
            )

    # ------------------------------------------------------------------ layout
    def unpack(self, params, kernel=NUMPY):
        """Views of ``params`` as per-layer weight matrices and intercepts.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Flat parameter (or gradient) vector.
        kernel : NumpyKernel or ArrayApiKernel, default=NUMPY
            The kernel of ``params``'s array library.

        Returns
        -------
        coefs : list of ndarray
            ``coefs[l]`` has shape ``(layer_sizes[l], layer_sizes[l + 1])``.
        intercepts : list of ndarray
            ``intercepts[l]`` has shape ``(layer_sizes[l + 1],)``.
        """
        coefs = [
            kernel.xp.reshape(params[start:stop], shape)
            for start, stop, shape in self._coef_ranges()
        ]
        return coefs, [params[start:stop] for start, stop in self._intercept_ranges()]

    def _coef_ranges(self):
        """``(start, stop, shape)`` of each weight matrix in the flat vector."""
        return zip(self._coef_offsets[:-1], self._coef_offsets[1:], self._coef_shapes)

    def _intercept_ranges(self):
        """``(start, stop)`` of each intercept in the flat vector."""
        return zip(self._intercept_offsets[:-1], self._intercept_offsets[1:])

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
        k = kernel_for(X) if workspace is None else workspace.kernel
        if workspace is None and n_samples <= k.block_rows:
            # One block in buffers of its own: cheaper than a Workspace,
            # which matters for a 1-row prediction.
            outputs = [
                k.empty((n_samples, size), params.dtype)
                for size in self.layer_sizes[1:]
            ]
            coefs, intercepts = views or self.unpack(params, k)
            return self._forward_block(k, coefs, intercepts, X, outputs)[-1]
        if workspace is None:
            workspace = Workspace(
                self, n_samples, params.dtype, backward=False, kernel=k
            )
        coefs, intercepts = views or workspace.unpack(params)
        block = workspace.n_rows
        if n_samples <= block:
            outputs = workspace.rows(n_samples)[0]
            return self._forward_block(k, coefs, intercepts, X, outputs)[-1]
        blocks = (
            self._forward_block(
                k,
                coefs,
                intercepts,
                k.slice_rows(X, start, min(start + block, n_samples)),
                workspace.rows(min(block, n_samples - start))[0],
            )[-1]
            for start in range(0, n_samples, block)
        )
        shape = (n_samples, self.layer_sizes[-1])
        return k.join_blocks(blocks, k.empty(shape, params.dtype))

    def _forward_block(self, k, coefs, intercepts, X, outputs):
        """Forward pass of one block of rows into the ``outputs`` buffers;
        returns every layer's output, ``activations[1:]``."""
        activations = []
        layer_input = X
        for coef, intercept, out, activate in zip(
            coefs, intercepts, outputs, self._forward_fns
        ):
            out = k.matmul(layer_input, coef, out=out)
            out = k.add(out, intercept, out=out)
            layer_input = activate(k, out)
            activations.append(layer_input)
        return activations

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
        """Network outputs to predictions, in place on numpy: ``exp`` for
        Poisson (a log link), the identity otherwise."""
        return self._loss_fns.inverse_link(kernel_for(output), output)

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
        k = kernel_for(output)
        total, _ = self._terms(k, output, Y, sample_weight, None)
        weight_sum = _weight_sum(k, sample_weight, output.shape[0])
        return float(total) / (weight_sum * self._per_row)

    # ------------------------------------------------------------------- loss
    def loss(self, params, X, Y, sample_weight=None, *, workspace=None):
        """The data term (see the module docstring) at ``params``, a float.

        A forward pass only, block by block: neither the outputs of all rows
        nor their residuals are ever held at once.
        """
        n_samples = Y.shape[0]
        if workspace is None:
            k = kernel_for(X)
            workspace = Workspace(
                self, n_samples, params.dtype, backward=False, kernel=k
            )
        k, block = workspace.kernel, workspace.n_rows
        coefs, intercepts = workspace.unpack(params)
        loss_sum = 0.0
        for start in range(0, n_samples, block):
            stop = min(start + block, n_samples)
            X_rows, Y_rows, weights = _rows_of(k, (X, Y, sample_weight), start, stop)
            outputs = workspace.rows(stop - start)[0]
            output = self._forward_block(k, coefs, intercepts, X_rows, outputs)[-1]
            # The derivative the loss writes overwrites the block's output.
            total, _ = self._terms(k, output, Y_rows, weights, output)
            loss_sum += float(total)
        return loss_sum / (_weight_sum(k, sample_weight, n_samples) * self._per_row)

    def loss_and_gradient(
        self,
        params,
        X,
        Y,
        sample_weight=None,
        *,
        grad=None,
        workspace=None,
        weight_sum=None,
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
            Where to write the gradient on numpy; a new array when None.
        workspace : Workspace, default=None
            Buffers for ``X.shape[0]`` rows, and the kernel; a new one when None.
        weight_sum : float, default=None
            ``S`` of these rows when the caller knows it (no device sync).

        Returns
        -------
        loss : float (a 0-d array of the namespace on another array library)
        grad : ndarray of shape (n_params,)
            ``d loss / d params``, laid out like ``params``.

        The L2 penalty is not part of either: the fit's
        :class:`~sknn_simple._objective.Objective` adds it.
        """
        n_samples = Y.shape[0]
        if workspace is None:
            k = kernel_for(X)
            workspace = Workspace(self, n_samples, params.dtype, kernel=k)
        k = workspace.kernel
        if grad is None:
            grad = k.empty(params.shape[0], params.dtype)
        if weight_sum is None:
            weight_sum = _weight_sum(k, sample_weight, n_samples)
        # The data term's factor: loss = scale * sum_i s_i sum_j l(output_ij, y_ij).
        scale = 1.0 / (weight_sum * self._per_row)

        loss_sum = 0.0
        block = workspace.n_rows
        for start in range(0, n_samples, block):
            rows = (X, Y, sample_weight)
            if n_samples > block:
                rows = _rows_of(k, rows, start, min(start + block, n_samples))
            # The first block writes the gradient, later ones add theirs.
            block_grad = grad if start == 0 else workspace.grad_scratch
            block_loss, block_grad = self._backpropagate(
                params, rows, scale, block_grad, workspace
            )
            loss_sum = loss_sum + block_loss
            grad = block_grad if start == 0 else k.add(grad, block_grad, out=grad)
        return scale * loss_sum, grad

    def _backpropagate(self, params, rows, scale, grad, workspace):
        """Gradient of one block's data term (into ``grad`` on numpy); return
        the block's ``sum_i s_i sum_j l(output_ij, y_ij)`` and the gradient.
        ``rows`` are the block's ``X, Y, sample_weight``."""
        X, Y, sample_weight = rows
        k = workspace.kernel
        coefs, intercepts = workspace.unpack(params)
        coef_grads, intercept_grads = (
            workspace.unpack(grad) if grad is not None else self._no_buffers()
        )
        outputs, deltas, ones = workspace.rows(Y.shape[0])
        activations = self._forward_block(k, coefs, intercepts, X, outputs)
        output = activations[-1]

        # The last delta starts as dl/d output from the loss table: for the
        # squared error, the residual output - Y.
        loss_sum, delta = self._terms(k, output, Y, sample_weight, deltas[-1])

        # d loss / d output = s_i dl/d output_i / (S k), then through f'.
        if sample_weight is None:
            delta = k.multiply(delta, scale, out=delta)
        else:
            delta = k.multiply(delta, (scale * sample_weight)[:, None], out=delta)
        delta = self._derivative_fns[-1](k, output, delta)

        # Backward: gradients of layer l, then the delta of the layer below.
        for layer in range(self.n_layers - 1, -1, -1):
            layer_input = X if layer == 0 else activations[layer - 1]
            coef_grads[layer] = k.matmul(layer_input.T, delta, out=coef_grads[layer])
            # ones @ delta: the sum of the rows, in a fraction of np.sum's time
            intercept_grads[layer] = k.matmul(ones, delta, out=intercept_grads[layer])
            if layer > 0:
                below = _times_transpose(k, delta, coefs[layer], deltas[layer - 1])
                # f' overwrites layer_input, which nothing needs any more.
                delta = self._derivative_fns[layer - 1](k, layer_input, below)
        return loss_sum, k.flat(coef_grads, intercept_grads, out=grad)

    def _no_buffers(self):
        """Per-layer gradient slots for a kernel without buffers."""
        return [None] * self.n_layers, [None] * self.n_layers


def _rows_of(k, arrays, start, stop):
    """Rows ``start:stop`` of each of ``arrays`` (None stays None)."""
    return [None if a is None else k.slice_rows(a, start, stop) for a in arrays]


def _times_transpose(k, delta, coef, out):
    """``out = delta @ coef.T``; with one output unit that is an outer
    product, which broadcasting does in half the time of a matmul."""
    if coef.shape[1] == 1:
        return k.multiply(delta, coef.T, out=out)
    return k.matmul(delta, coef.T, out=out)
