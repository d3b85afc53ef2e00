"""The L2 penalty: the one place its value and its gradient are computed.

The network math (:mod:`sknn_simple._network`) computes the objective's data
term only; the training loops (:mod:`sknn_simple._training`) add the
penalty of one :class:`L2Penalty`, built once per fit, to every loss and
gradient they ask for, whatever the solver.
"""

from dataclasses import dataclass

import numpy as np

from ._array_api import namespace_of
from ._blas import axpy
from ._network import _weight_sum, _weight_sum_xp


@dataclass(frozen=True)
class L2Penalty:
    """The L2 term of the objective, ``alpha / (2 S) * sum_l ||coefs[l]||²``.

    Its gradient is ``alpha / S * coefs[l]`` for each layer's weights and 0
    for the intercepts, which are not penalised. The weights are the first
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
    alpha : float
        Strength of the penalty; 0 makes it cost nothing.
    weight_sum : float
        ``S``, the weight of all the training rows.
    n_coefs : int
        Number of weights (``Network.n_coefs``) at the start of the vector.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn_simple._penalty import L2Penalty
    >>> penalty = L2Penalty(alpha=0.5, weight_sum=4.0, n_coefs=2)
    >>> params = np.array([1.0, 2.0, 10.0])  # two weights, one intercept
    >>> penalty.value(params)  # 0.5 / (2 * 4) * (1 + 4)
    0.3125
    >>> grad = np.zeros(3)
    >>> penalty.add_gradient(params, grad)
    >>> grad  # 0.5 / 4 * weights; the intercept is not penalised
    array([0.125, 0.25 , 0.   ])
    """

    alpha: float
    weight_sum: float
    n_coefs: int

    @classmethod
    def for_rows(cls, alpha, network, sample_weight, n_samples):
        """The penalty of a fit of ``network`` on these training rows.

        ``S`` is ``sample_weight.sum()``, or ``n_samples`` when
        ``sample_weight`` is None.
        """
        xp = namespace_of(sample_weight)
        weight_sum = (
            _weight_sum(sample_weight, n_samples)
            if xp is None
            else _weight_sum_xp(xp, sample_weight, n_samples)
        )
        return cls(alpha, weight_sum, network.n_coefs)

    @property
    def strength(self):
        """``alpha / S``, the factor of the weights in the gradient."""
        return self.alpha / self.weight_sum

    def value(self, params):
        """The penalty at ``params``, a float (0.0 when ``alpha`` is 0)."""
        if not self.alpha:
            return 0.0
        weights = params[: self.n_coefs]
        return 0.5 * self.alpha / self.weight_sum * float(np.vdot(weights, weights))

    def add_gradient(self, params, grad):
        """Add the penalty's gradient at ``params`` to ``grad``, in place.

        One BLAS ``axpy`` on the weights' slice; nothing when ``alpha`` is 0.
        """
        if self.alpha:
            axpy(self.strength, params[: self.n_coefs], grad[: self.n_coefs])

    # The namespace-generic twins, for arrays of other array libraries.
    def value_xp(self, xp, params):
        """:meth:`value` for a vector of namespace ``xp``; a float."""
        if not self.alpha:
            return 0.0
        weights = params[: self.n_coefs]
        return 0.5 * self.alpha / self.weight_sum * float(xp.vecdot(weights, weights))

    def add_gradient_xp(self, xp, params, grad):
        """:meth:`add_gradient` for vectors of namespace ``xp``, in place on
        ``grad``'s weights."""
        if self.alpha:
            grad[: self.n_coefs] += self.strength * params[: self.n_coefs]
