"""Solvers: how the flat parameter vector moves.

The stochastic optimizers keep only their own state (velocity, moments,
learning rate); the vector they update is passed to :meth:`step`, so an
optimizer can be pickled, copied and resumed apart from the weights.
Each ``step`` takes the fit's kernel (see :mod:`sknn_simple._kernels`): on
numpy every update is done in place, with BLAS's one-pass ``y += a * x`` and
no buffer of its own; on another array library the same lines run with its
operators, the optimizer's state moved there once per fit by
``to_kernel``.

L-BFGS is delegated to :func:`scipy.optimize.minimize`.
"""

import copy

import numpy as np
import scipy.optimize


class _StochasticOptimizer:
    """What the minibatch optimizers share: learning rates and copying.

    ``step(k, params, grad)`` moves ``params`` in place and may use ``grad`` as
    working memory: the training loop computes a new gradient for every
    step, so the optimizers need no vector-sized buffer of their own.
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)

    def copy(self):
        """An independent copy, so a failed fit cannot alter this one."""
        return copy.deepcopy(self)

    def to_kernel(self, k):
        """Move the state vectors to kernel ``k``'s array library and
        device, in place; returns the optimizer."""
        for name in self._STATE:
            setattr(self, name, k.asarray(getattr(self, name)))
        return self


class SGDOptimizer(_StochasticOptimizer):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    One step, with learning rate ``lr``, momentum ``mu`` and gradient ``g``::

        velocity = mu * velocity - lr * g
        params  += velocity                      # classical momentum
        params  += mu * velocity - lr * g        # Nesterov (instead)

    With ``momentum=0`` both reduce to ``params -= lr * g``.

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    schedule : {"constant", "invscaling", "adaptive"}
        ``invscaling`` sets ``lr = learning_rate_init / (t + 1) ** power_t``
        after each epoch, ``t`` the number of samples seen; ``adaptive``
        divides ``lr`` by 5 each time training stops improving.
    momentum : float
    nesterov : bool
    power_t : float
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.1,
        schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        super().__init__(learning_rate_init)
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(n_params, dtype=dtype)

    _STATE = ("velocity",)

    def step(self, k, params, grad):
        """Move ``params`` in place one step against ``grad``."""
        lr = self.learning_rate
        if not self.momentum:
            k.axpy(-lr, grad, params)  # params -= lr * g
            return
        velocity = self.velocity
        k.scale(self.momentum, velocity)  # velocity = mu * velocity - lr * g
        k.axpy(-lr, grad, velocity)
        if self.nesterov:
            k.axpy(self.momentum, velocity, params)  # params += mu * velocity - lr * g
            k.axpy(-lr, grad, params)
        else:
            k.axpy(1.0, velocity, params)  # params += velocity

    def end_epoch(self, samples_seen):
        """Update the learning rate at the end of an epoch."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (samples_seen + 1) ** (
                self.power_t
            )

    def stalled(self):
        """React to no improvement; return True when training should stop.

        With the ``adaptive`` schedule the learning rate is divided by 5 and
        training goes on, until a stall finds it already at or below 1e-6.
        """
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False


class AdamOptimizer(_StochasticOptimizer):
    """Adam (Kingma & Ba, 2014).

    One step, with gradient ``g`` and step count ``t`` (starting at 1)::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g²
        lr_t = learning_rate_init * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        params -= lr_t * m / (sqrt(v) + epsilon)

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        Added to the denominator for numerical stability.
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        super().__init__(learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.first_moment = np.zeros(n_params, dtype=dtype)
        self.second_moment = np.zeros(n_params, dtype=dtype)

    _STATE = ("first_moment", "second_moment")

    def step(self, k, params, grad):
        """Move ``params`` in place one Adam step against ``grad``.

        ``grad`` is overwritten: once the moments are updated it serves as
        working memory.
        """
        self.t += 1
        m, v = self.first_moment, self.second_moment
        k.scale(self.beta_1, m)  # m = beta_1 * m + (1 - beta_1) * g
        k.axpy(1 - self.beta_1, grad, m)
        squared = k.multiply(grad, grad, out=grad)  # g is not needed any more
        k.scale(self.beta_2, v)  # v = beta_2 * v + (1 - beta_2) * g²
        k.axpy(1 - self.beta_2, squared, v)
        self.learning_rate = (
            self.learning_rate_init
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        ratio = k.sqrt(v, out=grad)  # params -= lr_t * m / (sqrt(v) + epsilon)
        ratio = k.add(ratio, self.epsilon, out=ratio)
        ratio = k.divide(m, ratio, out=ratio)
        k.axpy(-float(self.learning_rate), ratio, params)

    def end_epoch(self, samples_seen):
        """Adam has no per-epoch schedule."""

    def stalled(self):
        """No improvement: Adam stops."""
        return True


def minimize_lbfgs(fun_and_grad, x0, *, max_iter, max_fun, tol, callback=None):
    """Minimise with L-BFGS-B, the flat vector as the variable.

    Parameters
    ----------
    fun_and_grad : callable
        ``fun_and_grad(x) -> (loss, grad)`` with ``x`` and ``grad`` float64.
    x0 : ndarray of shape (n_params,)
    max_iter : int
        Maximum number of iterations.
    max_fun : int
        Maximum number of loss evaluations.
    tol : float
        Projected-gradient tolerance (scipy's ``gtol``).
    callback : callable, default=None
        Called after each iteration with an :class:`scipy.optimize.OptimizeResult`
        holding ``x`` and ``fun``; raising :class:`StopIteration` ends the run.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
    """
    return scipy.optimize.minimize(
        fun_and_grad,
        np.asarray(x0, dtype=np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
    )
