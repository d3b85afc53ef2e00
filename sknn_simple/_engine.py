"""The fit engine: one call of ``fit`` or ``partial_fit``, off to the side.

A :class:`FitEngine` takes the state to train from (a
:class:`~sknn_simple._state.FittedState`: the previous model's when a fit
continues, a new network's otherwise), the validated training rows with
their targets already encoded, and the settings; it builds the fit's one
:class:`~sknn_simple._objective.Objective`, runs the chosen solver's loop
(:mod:`sknn_simple._training`) with its stopping rules, and returns the new
state. It knows nothing of what the targets mean: the estimator encodes
them, and hands in the score that early stopping ranks epochs by.
"""

import warnings
from dataclasses import replace

import numpy as np
from sklearn.model_selection import train_test_split

from ._callbacks import IterationMonitor
from ._kernels import copy_of, host_dtype, kernel_for, to_host
from ._objective import Objective
from ._solvers import AdamOptimizer, SGDOptimizer
from ._training import INTERRUPTED, Dataset, fit_lbfgs, fit_stochastic


class FitEngine:
    """One training run, from a starting state to the next one.

    Parameters
    ----------
    start : FittedState
        Where training starts: its network, weights, history, random state,
        penalty ``alpha`` and optimizer; the new state is this one with what
        training changed.
    rows : Dataset
        All the training rows (``X``, encoded ``Y``, ``sample_weight``), in
        the dtype and array library the network computes in.
    settings : object
        The estimator's hyper-parameters as attributes (``max_iter``,
        ``tol``, ``batch_size``, ``learning_rate_init``, ...), with
        ``solver`` resolved, ``score(Y, prediction, sample_weight=)``,
        the validation score of early stopping (None: minus the validation
        loss), and ``split_labels(Y)``,
        the labels its split keeps in proportion (or None).
    incremental : bool, default=False
        One epoch of ``partial_fit``, whose optimizer carries on.

    Attributes
    ----------
    objective, params, history, data, monitor, random_state
        What the loops read and update: ``params`` and ``history`` are
        copies of the start's, ``data`` the rows trained on (without the
        early-stopping validation rows, once :meth:`run` has held them out),
        ``objective`` the fit's (built by :meth:`run`).
    batch_size : int or None
        The stochastic solvers' batch size, resolved by :meth:`run`.
    reason : str
        Why training ended (see :mod:`sknn_simple._training`), after :meth:`run`.
    """

    def __init__(self, start, rows, settings, *, incremental=False):
        self.start, self.settings, self.incremental = start, settings, incremental
        self.params = copy_of(start.params)
        # Each call counts epochs without improvement, and reports, anew.
        self.history = replace(start.history.copy(), no_improvement_count=0, message="")
        self.random_state = start.random_state
        self.max_epochs = 1 if incremental else settings.max_iter
        self.lbfgs = settings.solver == "lbfgs"
        self.early_stopping = settings.early_stopping and not (
            incremental or self.lbfgs
        )
        self.data, self.monitor, self.reason = rows, IterationMonitor(), None
        self.objective = self.batch_size = None  # set by run()

    def run(self, monitor=None):
        """Train; return the new state, or None when a Ctrl-C came before
        anything was learned (``reason`` is then ``INTERRUPTED``).

        ``monitor`` (the callbacks') is open already, so that it sees errors
        of the split and the settings too.
        """
        self.monitor = monitor or IterationMonitor()
        self._prepare()
        optimizer = None
        if self.lbfgs:
            self.reason = fit_lbfgs(self)
        else:
            optimizer = self._optimizer()
            self.reason = fit_stochastic(self, optimizer)
        if (
            self.reason == INTERRUPTED
            and self.history.n_iter == self.start.history.n_iter
        ):
            return None
        return self.state_at(self.params, optimizer)

    def _prepare(self):
        """Hold out the early-stopping rows, resolve the batch size and
        build the fit's one objective on the rows trained on."""
        settings, rows = self.settings, self.data
        if self.lbfgs:
            rows = self.data = _in_float64(rows)
            self.params = kernel_for(self.params).as_dtype(self.params, _float64(rows))
        if self.early_stopping:
            self.data = _split(rows, settings, self.random_state)
        if not self.lbfgs:
            self.batch_size = _batch_size(settings.batch_size, self.data.Y.shape[0])
        kernel = kernel_for(rows.X)
        self.objective = Objective.for_rows(
            self.start.network, self.start.alpha, self.data, kernel
        )

    def state_at(self, params, optimizer=None):
        """The state with these weights and the history so far (a callback
        reconstructs the model at each iteration with it)."""
        history = self.history.copy()
        history.last_call_n_iter = history.n_iter - self.start.history.n_iter
        # The record of the solver that trained, alone: a warm start on
        # another solver does not carry stale bests or validation curves.
        if history.validation_scores and not self.lbfgs:
            history.best_loss = np.inf
        else:
            history.validation_scores, history.validation_loss_curve = [], []
            history.best_validation_score = -np.inf
        start_dtype = self.start.params.dtype
        return replace(
            self.start,
            params=kernel_for(params).as_dtype(params, start_dtype),
            history=history,
            optimizer=optimizer,
            solver=self.settings.solver,
        )

    def _optimizer(self):
        """``partial_fit``'s optimizer carries on; otherwise a new one."""
        settings, kind = self.settings, _OPTIMIZERS[self.settings.solver]
        if self.incremental and isinstance(self.start.optimizer, kind):
            return self.start.optimizer.copy()
        n_params, dtype = self.objective.network.n_params, host_dtype(self.params)
        if kind is SGDOptimizer:
            optimizer = SGDOptimizer(
                n_params,
                dtype,
                learning_rate_init=settings.learning_rate_init,
                schedule=settings.learning_rate,
                momentum=settings.momentum,
                nesterov=settings.nesterovs_momentum,
                power_t=settings.power_t,
            )
        else:
            optimizer = AdamOptimizer(
                n_params,
                dtype,
                learning_rate_init=settings.learning_rate_init,
                beta_1=settings.beta_1,
                beta_2=settings.beta_2,
                epsilon=settings.epsilon,
            )
        return optimizer.to_kernel(self.objective.kernel)


_OPTIMIZERS = {"sgd": SGDOptimizer, "adam": AdamOptimizer}


def _float64(rows):
    """float64 of the rows' array library."""
    return kernel_for(rows.Y).xp.float64


def _in_float64(rows):
    """The rows in float64 (themselves when they are): L-BFGS computes in
    float64 whatever the data's dtype, and the fitted weights take the
    data's again. Its line search compares losses that float32 rounding
    blurs; on float32, fits on two array libraries (or BLAS kernels) whose
    rounding differs drifted apart by 1% in 40 iterations."""
    if rows.Y.dtype == _float64(rows):
        return rows
    k = kernel_for(rows.X)
    X = (
        rows.X.astype(np.float64)
        if hasattr(rows.X, "tocsr")
        else k.as_dtype(rows.X, _float64(rows))
    )
    weights = rows.sample_weight
    weights = None if weights is None else k.as_dtype(weights, _float64(rows))
    return Dataset(X, k.as_dtype(rows.Y, _float64(rows)), weights)


def _batch_size(batch_size, n_samples):
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {n_samples} "
            "training samples; using full-batch steps of that size.",
            UserWarning,
        )
    return min(batch_size, n_samples)


def _split(rows, settings, random_state):
    """The training rows, with the early-stopping validation rows aside."""
    X, Y, sample_weight = rows.X, rows.Y, rows.sample_weight
    arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
    split = train_test_split(
        *arrays,
        test_size=settings.validation_fraction,
        random_state=random_state,
        stratify=settings.split_labels(Y),
    )
    if split[1].shape[0] < 2:
        raise ValueError(
            f"The validation set has {split[1].shape[0]} sample(s); early "
            "stopping needs at least 2. Increase validation_fraction or the "
            "number of samples, or set early_stopping=False."
        )
    if sample_weight is None:
        X_train, X_val, Y_train, Y_val = split
        return Dataset(X_train, Y_train, None, X_val, Y_val, None)
    X_train, X_val, Y_train, Y_val, sw_train, sw_val = split
    for name, weights in (("training", sw_train), ("validation", sw_val)):
        if not float(to_host(weights).sum()) > 0:
            raise ValueError(
                f"Every sample_weight of the {name} rows is 0 after the "
                "early-stopping split, so it cannot be scored. Give more "
                "rows a positive sample_weight, change validation_fraction "
                "or random_state, or set early_stopping=False."
            )
    return Dataset(X_train, Y_train, sw_train, X_val, Y_val, sw_val)
