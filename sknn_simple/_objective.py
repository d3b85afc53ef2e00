"""The training objective: the network's data term plus the L2 penalty.

One :class:`Objective` per fit. Every solver and every check asks it for the
objective, and :meth:`Objective.total` is the one place where the data term
and the penalty are summed; the penalty's value and gradient are computed
here and nowhere else.
"""

from ._kernels import NUMPY
from ._network import _weight_sum


class Objective:
    """``loss = data term + alpha / (2 S) * sum_l ||coefs[l]||²``.

    The data term is the network's weighted mean loss (see
    :mod:`sknn_simple._network`). The penalty's gradient is
    ``alpha / S * coefs[l]`` for each layer's weights and 0 for the
    intercepts, which are not penalised. The weights are the first
    ``n_coefs`` entries of the flat parameter vector (see
    :class:`~sknn_simple._network.Network`), so both touch one contiguous
    slice.

    ``S`` is the sum of the sample weights of *all* the training rows (their
    number when there are no weights), not of the rows of one step: a
    minibatch step adds this same gradient to its batch's data term, which
    makes the step an unbiased estimate of the full-batch gradient, so
    ``alpha`` means the same for every solver and batch size.
    (:class:`~sklearn.neural_network.MLPRegressor` divides a minibatch's
    penalty by the batch's weight, which makes it ``S / S_batch`` times
    stronger.)

    Parameters
    ----------
    network : Network
    alpha : float
        Strength of the penalty; 0 makes it cost nothing.
    weight_sum : float
        ``S``, the weight of all the training rows.
    kernel : NumpyKernel or ArrayApiKernel, default=NUMPY
        The fit's kernel (see :mod:`sknn_simple._kernels`).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn_simple._network import Network
    >>> from sknn_simple._objective import Objective
    >>> network = Network((1, 1, 1), "identity", "identity")  # two weights
    >>> objective = Objective(network, alpha=0.5, weight_sum=4.0)
    >>> params = np.array([1.0, 2.0, 10.0, 10.0])  # weights, then intercepts
    >>> objective.penalty(params)  # 0.5 / (2 * 4) * (1 + 4)
    0.3125
    >>> grad = np.zeros(4)
    >>> objective.add_penalty_gradient(params, grad)
    >>> grad  # 0.5 / 4 * weights; the intercepts are not penalised
    array([0.125, 0.25 , 0.   , 0.   ])
    """

    def __init__(self, network, alpha, weight_sum, kernel=NUMPY):
        self.network, self.kernel = network, kernel
        self.alpha, self.weight_sum = alpha, weight_sum
        self.n_coefs = network.n_coefs

    @classmethod
    def for_rows(cls, network, alpha, rows, kernel=NUMPY):
        """The objective of a fit on ``rows`` (a Dataset): ``S`` is their
        weight sum, or their number when they have no weights."""
        weight_sum = _weight_sum(kernel, rows.sample_weight, rows.Y.shape[0])
        return cls(network, alpha, weight_sum, kernel)

    @property
    def strength(self):
        """``alpha / S``, the factor of the weights in the gradient."""
        return self.alpha / self.weight_sum

    def penalty(self, params):
        """The penalty at ``params``, a float (0.0 when ``alpha`` is 0)."""
        if not self.alpha:
            return 0.0
        weights = params[: self.n_coefs]
        return 0.5 * self.alpha / self.weight_sum * self.kernel.squared_norm(weights)

    def add_penalty_gradient(self, params, grad):
        """Add the penalty's gradient at ``params`` to ``grad``, in place.

        One BLAS ``axpy`` on the weights' slice; nothing when ``alpha`` is 0.
        """
        if self.alpha:
            n = self.n_coefs
            self.kernel.axpy(self.strength, params[:n], grad[:n])

    def total(self, data_term, params):
        """The objective: the data term plus the penalty at ``params``."""
        return data_term + self.penalty(params)

    def value(self, params, rows, workspace=None):
        """The objective on ``rows`` (a forward pass only)."""
        data_term = self.network.loss(
            params, rows.X, rows.Y, rows.sample_weight, workspace=workspace
        )
        return self.total(data_term, params)

    def gradient(self, params, X, Y, sample_weight, **buffers):
        """The data term of these rows and the gradient of the objective:
        the data term's by backpropagation plus the penalty's.

        ``buffers`` are ``Network.loss_and_gradient``'s ``grad``,
        ``workspace`` and ``weight_sum``. A minibatch step follows this
        gradient: the penalty's is the same for every batch.
        """
        data_term, grad = self.network.loss_and_gradient(
            params, X, Y, sample_weight, **buffers
        )
        self.add_penalty_gradient(params, grad)
        return data_term, grad

    def value_and_gradient(self, params, rows, **buffers):
        """The objective on all of ``rows`` and its gradient."""
        data_term, grad = self.gradient(
            params, rows.X, rows.Y, rows.sample_weight, **buffers
        )
        return self.total(float(data_term), params), grad
