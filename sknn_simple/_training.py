"""Training loops: epochs of minibatch steps, and the L-BFGS bridge.

Both loops run one fit of the :class:`~sknn_simple._engine.FitEngine`
(called ``fit`` here): they minimise ``fit.objective`` (the data term plus
the L2 penalty, see :mod:`sknn_simple._objective`) by moving ``fit.params``
in place, and record what they did in ``fit.history``, a :class:`History`.
The estimator turns both into fitted attributes only when a loop returns,
so an exception never leaves a half-updated model behind.

Every array operation goes through the objective's kernel (see
:mod:`sknn_simple._kernels`), so the loops are the same for numpy and for
other array libraries; for the latter, the L-BFGS bridge hands scipy a host
copy of the (small) parameter vector and gradient while the loss and
gradient are computed where the data is.
"""

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from ._blas import numpy_threads_for, training_threads
from ._kernels import all_finite, copy_into, copy_of, take_rows, to_host
from ._network import Workspace
from ._solvers import minimize_lbfgs

# Why a loop ended; the estimator turns these into warnings.
CONVERGED = "converged"
MAX_ITER = "max_iter"
DIVERGED = "diverged"
INTERRUPTED = "interrupted"
STOPPED = "stopped"  # L-BFGS ended abnormally (scipy's message says why)
STOPPED_BY_CALLBACK = "stopped_by_callback"


@dataclass
class History:
    """What training recorded, over every call so far: the fitted
    attributes' source, and where a warm start or ``partial_fit`` goes on.

    ``n_iter`` and ``t`` count every epoch (or iteration) and row since the
    network was new; ``last_call_n_iter`` counts the epochs of the last call
    to ``fit`` or ``partial_fit`` alone, which is what ``n_iter_`` shows (as
    in ``MLPRegressor``; None in a state saved before it was recorded).
    ``loss`` is the training loss of the weights kept at the end of the last
    call; ``message`` what L-BFGS or a divergence has to tell the user.
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    loss: float = np.nan
    n_iter: int = 0
    t: int = 0
    last_call_n_iter: int | None = None
    no_improvement_count: int = 0
    message: str = ""

    #: Fields each call starts anew, which a saved model does not hold.
    PER_CALL = ("no_improvement_count", "message")

    def to_plain(self):
        """The record as plain values, for a saved model."""
        return {
            name: value
            for name, value in asdict(self).items()
            if name not in self.PER_CALL
        }

    def copy(self):
        """A copy whose curves grow apart from this one's. Their values are
        never changed in place, so copying the lists is enough: a deep copy
        cost each ``partial_fit`` call time in proportion to the calls
        before it."""
        return replace(
            self,
            loss_curve=list(self.loss_curve),
            validation_scores=list(self.validation_scores),
            validation_loss_curve=list(self.validation_loss_curve),
        )

    @classmethod
    def from_plain(cls, plain):
        """A history saved as plain values, by this version or an older one
        (whose empty curves and unset bests were None)."""
        defaults = cls()
        values = {key: value for key, value in plain.items() if value is not None}
        for name in ("loss_curve", "validation_scores", "validation_loss_curve"):
            values[name] = list(values.get(name, ()))
        values.setdefault("best_loss", defaults.best_loss)
        values.setdefault("best_validation_score", defaults.best_validation_score)
        values["last_call_n_iter"] = plain.get("last_call_n_iter")
        return cls(**values)


@dataclass
class Dataset:
    """Training rows and, for early stopping, validation rows."""

    X: object
    Y: object
    sample_weight: object = None
    X_val: object = None
    Y_val: object = None
    sample_weight_val: object = None


class _Batches:
    """Gathers minibatches, into buffers reused across epochs on numpy."""

    def __init__(self, objective, data, batch_size):
        self.kernel, self.data, self.batch_size = objective.kernel, data, batch_size
        self.network = objective.network
        self.dense = not sp.issparse(data.X)  # sparse rows are not buffered
        # Each batch's S from a host copy of the weights (one vector, copied
        # once per fit): skipping an all-zero batch costs no transfer.
        self.host_weights = to_host(data.sample_weight)
        self._buffers = {}
        # The gradient of every step, written in place on numpy.
        self.grad = self.kernel.empty(self.network.n_params, data.Y.dtype)

    def _buffers_for(self, n_rows):
        # At most two sizes occur: full batches and the last, shorter one.
        if n_rows not in self._buffers:
            X, Y, sw = self.data.X, self.data.Y, self.data.sample_weight
            k, dtype = self.kernel, Y.dtype
            self._buffers[n_rows] = (
                k.empty((n_rows, X.shape[1]), dtype) if self.dense else None,
                k.empty((n_rows, Y.shape[1]), dtype),
                None if sw is None else k.empty(n_rows, dtype),
                Workspace(self.network, n_rows, dtype, kernel=k),
            )
        return self._buffers[n_rows]

    def workspace(self):
        """The buffers of a full batch, also good for forward passes of any
        number of rows (they go through in blocks)."""
        return self._buffers_for(min(self.batch_size, self.data.Y.shape[0]))[3]

    def __call__(self, order):
        """Yield ``(X, Y, sample_weight, weight_sum, workspace)`` batch by
        batch, the rows taken in ``order`` (a permutation of them)."""
        k, data, weights = self.kernel, self.data, self.host_weights
        for start in range(0, data.Y.shape[0], self.batch_size):
            rows = order[start : start + self.batch_size]
            buffers = self._buffers_for(rows.shape[0])
            index = k.index(rows)  # to the device once for X, Y and weights
            X, Y, sw = (
                None if array is None else k.take(array, index, out=buffer)
                for array, buffer in zip((data.X, data.Y, data.sample_weight), buffers)
            )
            weight_sum = (
                rows.shape[0] if weights is None else float(weights[rows].sum())
            )
            yield X, Y, sw, weight_sum, buffers[3]


def run_epoch(objective, params, optimizer, batches, *, order):
    """One pass over the training rows; return the epoch's loss.

    Each step follows the gradient of its batch's data term plus that of the
    penalty, whose ``S`` is the weight of all training rows: an unbiased
    estimate of the gradient of the full-batch objective, so ``alpha`` means
    the same for every solver and batch size.

    The loss is the weighted mean over batches of each batch's data term (at
    the weights it was computed with), plus the penalty at the end of the
    epoch. It is NaN when a batch produced a non-finite loss: on numpy that
    batch's step is not taken; another array library's batch losses stay on
    the device and are read once, at the end of the epoch, and training then
    keeps the weights of before the epoch all the same.
    """
    k = objective.kernel
    data_loss_sum = 0.0
    for X, Y, sample_weight, weight_sum, workspace in batches(order):
        if weight_sum == 0:  # every row of this batch has zero weight
            continue
        data_loss, grad = objective.gradient(
            params,
            X,
            Y,
            sample_weight,
            grad=batches.grad,
            workspace=workspace,
            weight_sum=weight_sum,
        )
        if not (k.defers_checks or math.isfinite(data_loss)):
            return np.nan
        data_loss_sum = data_loss_sum + data_loss * weight_sum
        optimizer.step(k, params, grad)
    loss = float(data_loss_sum) / objective.weight_sum
    return objective.total(loss, params) if math.isfinite(loss) else np.nan


def _evaluate_validation(fit, workspace):
    """The validation score of the predictions (``fit.settings.score``, or
    minus the data term when it is None) and the loss's data term on the
    validation rows."""
    network, data = fit.objective.network, fit.data
    output = network.forward(fit.params, data.X_val, workspace)
    loss = network.data_loss(output, data.Y_val, data.sample_weight_val)
    if fit.settings.score is None:
        return -loss, loss
    prediction = network.inverse_link(copy_of(output))
    score = fit.settings.score(
        data.Y_val, prediction, sample_weight=data.sample_weight_val
    )
    return float(score), loss


def _record_and_check_improvement(history, loss, validation, tol):
    """Append this epoch's numbers and update the no-improvement counter.

    Returns True when these weights are the best seen so far: on validation
    data with early stopping, else by training loss.
    """
    history.loss_curve.append(loss)
    history.n_iter += 1
    if validation is None:
        if loss > history.best_loss - tol:
            history.no_improvement_count += 1
        else:
            history.no_improvement_count = 0
        is_best = loss < history.best_loss
        history.best_loss = min(history.best_loss, loss)
        return is_best
    score, validation_loss = validation
    history.validation_scores.append(score)
    history.validation_loss_curve.append(validation_loss)
    if score < history.best_validation_score + tol:
        history.no_improvement_count += 1
    else:
        history.no_improvement_count = 0
    is_best = score > history.best_validation_score
    history.best_validation_score = max(history.best_validation_score, score)
    return is_best


def fit_stochastic(fit, optimizer):
    """Run up to ``max_iter`` epochs (one in ``partial_fit``) of minibatch
    training, in place on ``fit.params`` and ``fit.history``.

    On return ``fit.params`` holds the weights to keep: the best on
    validation data with early stopping, else the last finite ones.

    Parameters
    ----------
    fit : FitEngine
        The fit: objective, parameters, history, rows, settings, monitor
        and random state (which shuffles the rows).
    optimizer : SGDOptimizer or AdamOptimizer

    Returns
    -------
    reason : str
        One of ``CONVERGED``, ``MAX_ITER``, ``DIVERGED``, ``INTERRUPTED``,
        ``STOPPED_BY_CALLBACK``.
    """
    network = fit.objective.network
    rows = min(fit.batch_size, fit.data.Y.shape[0], fit.objective.kernel.block_rows)
    with training_threads(numpy_threads_for(network.layer_sizes, rows)):
        return _EpochLoop(fit, optimizer).run()


class _KeptWeights:
    """The weights a stochastic fit may end with: the last finite ones and
    the best ones (the highest validation score with early stopping, else
    the lowest training loss). The starting weights compete too: after a
    divergence, a model worse than where training began is no model to
    keep."""

    def __init__(self, params, start_loss):
        self.last, self.last_loss = copy_of(params), start_loss
        self.best, self.best_loss = copy_of(params), start_loss

    def epoch_done(self, params, loss, is_best):
        copy_into(self.last, params)
        self.last_loss = loss
        if is_best:
            copy_into(self.best, params)
            self.best_loss = loss

    def put_back(self, params, history, *, best):
        """Write the kept weights into ``params`` and their loss into
        ``history``; never those of a half-done epoch."""
        copy_into(params, self.best if best else self.last)
        history.loss = self.best_loss if best else self.last_loss


class _EpochLoop:
    """One call of ``fit_stochastic``, in named steps."""

    def __init__(self, fit, optimizer):
        self.fit, self.optimizer = fit, optimizer
        self.params, self.history = fit.params, fit.history
        self.settings = fit.settings
        self.batches = _Batches(fit.objective, fit.data, fit.batch_size)
        # Divergence is judged against the loss at the start of training, or
        # the largest epoch loss recorded so far when training continues (a
        # new partial_fit chunk may legitimately cost more than the best epoch).
        history = self.history
        self.reference_loss = (
            max(history.loss_curve)
            if history.loss_curve
            else start_loss_estimate(fit, self.batches.workspace())
        )
        start_loss = history.loss if history.loss_curve else self.reference_loss
        self.kept = _KeptWeights(self.params, start_loss)

    def run(self):
        """Train epoch after epoch until a stopping rule fires."""
        # Each epoch shuffles the previous epoch's order in place. MLPRegressor
        # permutes its order the same way, with the same draws, so the same
        # random_state visits the rows in the same order in both.
        fit, monitor = self.fit, self.fit.monitor
        order = np.arange(fit.data.Y.shape[0])
        reason = MAX_ITER
        try:
            for _ in range(fit.max_epochs):
                monitor.begin(self.params)
                if self.settings.shuffle:
                    fit.random_state.shuffle(order)
                loss = run_epoch(
                    fit.objective,
                    self.params,
                    self.optimizer,
                    self.batches,
                    order=order,
                )
                reason = self._end_epoch(loss)
                if reason is not None:
                    break
            else:
                reason = MAX_ITER
        except KeyboardInterrupt:
            reason = INTERRUPTED
        finally:
            monitor.close()
        self._finish(reason)
        return reason

    def _end_epoch(self, loss):
        """Record one epoch; return why training stops, or None to go on."""
        history, settings = self.history, self.settings
        early_stopping = self.fit.early_stopping
        if _diverged(loss, self.params, self.reference_loss):
            if not history.loss_curve:
                # The start loss saw a sample of the rows: the data, not the
                # steps, may be at fault. Until an epoch ends, the kept best
                # weights are the starting ones.
                check_finite_at_start(
                    self.fit, self.batches.workspace(), self.kept.best
                )
            history.message = _divergence_message(
                history.n_iter + 1,
                self.reference_loss,
                loss,
                self.optimizer,
                early_stopping,
            )
            return DIVERGED
        history.t += self.fit.data.Y.shape[0]
        self.optimizer.end_epoch(history.t)
        validation = None
        if early_stopping:
            validation = _evaluate_validation(self.fit, self.batches.workspace())
        best_on_validation = _record_and_check_improvement(
            history, loss, validation, settings.tol
        )
        is_best = best_on_validation if early_stopping else loss < self.kept.best_loss
        self.kept.epoch_done(self.params, loss, is_best)
        if settings.verbose:
            _print_epoch(history)
        if self.fit.monitor.end(self.params):
            return STOPPED_BY_CALLBACK
        return self._stopping_rule()

    def _stopping_rule(self):
        """MLPRegressor's: no improvement of tol for more than n_iter_no_change
        epochs stops Adam; SGD first lowers its learning rate, if adaptive."""
        history = self.history
        if history.no_improvement_count <= self.settings.n_iter_no_change:
            return None
        if self.optimizer.stalled():
            return CONVERGED
        history.no_improvement_count = 0
        if self.settings.verbose:
            print(f"Setting learning rate to {self.optimizer.learning_rate:f}")
        return None

    def _finish(self, reason):
        """Keep the weights that match the recorded curves: the best ones
        after divergence or with early stopping, else the last."""
        early_stopping = self.fit.early_stopping
        best = reason == DIVERGED or early_stopping
        self.kept.put_back(self.params, self.history, best=best)
        if best and not early_stopping:
            self.history.best_loss = min(self.history.best_loss, self.kept.best_loss)
        if self.settings.verbose and reason == CONVERGED:
            what = "Validation score" if early_stopping else "Training loss"
            print(
                f"{what} did not improve more than tol={self.settings.tol} for "
                f"{self.settings.n_iter_no_change} consecutive epochs. Stopping."
            )


#: A loss this many times the loss at the start of training means the steps
#: overshoot: bounded activations keep such a loss finite, so a finiteness
#: test alone would let a useless model through.
DIVERGENCE_FACTOR = 1e3

#: The loss at the start of stochastic training is estimated on at most this
#: many evenly spaced rows: a factor of DIVERGENCE_FACTOR needs no precision
#: (``python benchmarks/fixed_cost_breakdown.py`` times it).
START_LOSS_ROWS = 256


def start_loss_estimate(fit, workspace=None):
    """The objective at the starting weights, on a sample of the rows.

    All rows when there are at most :data:`START_LOSS_ROWS`, so the value is
    exact on small data; a non-finite value is checked on all rows by
    :func:`check_finite_at_start` before it is blamed on the data. The
    sample's data term estimates the whole one; the penalty is the fit's,
    whatever the sample.
    """
    data, n_samples = fit.data, fit.data.Y.shape[0]
    if n_samples > START_LOSS_ROWS:
        rows = np.linspace(0, n_samples - 1, START_LOSS_ROWS).astype(np.intp)
        weights = data.sample_weight
        data = Dataset(
            take_rows(data.X, rows),
            take_rows(data.Y, rows),
            None if weights is None else take_rows(weights, rows),
        )
    loss = fit.objective.value(fit.params, data, workspace)
    if not np.isfinite(loss):
        check_finite_at_start(fit, workspace)
    return loss


def check_finite_at_start(fit, workspace=None, params=None):
    """Raise a clear error when the objective at the starting weights
    (``params``, by default ``fit.params``), on all rows, is not finite.

    Raises
    ------
    ValueError
        When the loss overflows before any step: the data, not the training,
        is at fault, so no warning-and-carry-on could help.
    """
    params = fit.params if params is None else params
    if not np.isfinite(fit.objective.value(params, fit.data, workspace)):
        raise ValueError(_NOT_FINITE_AT_START)


_NOT_FINITE_AT_START = (
    "The loss or its gradient is not finite at the initial weights: the values "
    "in X or y are too large for the network to compute with. Scale X (for "
    "example with StandardScaler) and keep normalize_y=True."
)


def _diverged(loss, params, reference_loss):
    if not (np.isfinite(loss) and all_finite(params)):
        return True
    return loss > DIVERGENCE_FACTOR * max(reference_loss, np.finfo(float).tiny)


def _divergence_message(epoch, reference_loss, loss, optimizer, early_stopping):
    kept = "best validation score" if early_stopping else "lowest training loss"
    return (
        f"Training diverged in epoch {epoch}: the loss reached {loss:.3g}, "
        f"more than {DIVERGENCE_FACTOR:g} times the reference {reference_loss:.3g} "
        "(the loss at the start of training, or the largest recorded epoch loss "
        "when training continues). Training stopped and the weights with the "
        f"{kept} so far were kept. Lower learning_rate_init (now "
        f"{optimizer.learning_rate_init}), or scale the inputs."
    )


def loss_stalled(curve, tol, window):
    """Whether the loss fell by less than ``tol`` times itself over the last
    ``window`` iterations of ``curve``.

    L-BFGS's own test, a projected gradient below ``tol``, is rarely met by
    a network: on the real-data benchmark, fits of 1,000 to 10,000 rows ran
    past 2,000 iterations for R² changes in the third decimal. Relative, so
    that it means the same whatever the scale of y.
    """
    if len(curve) <= window:
        return False
    return curve[-1 - window] - curve[-1] < tol * abs(curve[-1])


def _print_epoch(history):
    line = f"Iteration {history.n_iter}, loss = {history.loss_curve[-1]:.8f}"
    if history.validation_scores:
        line += f", validation score = {history.validation_scores[-1]:.6f}"
    print(line)


def fit_lbfgs(fit):
    """Minimise the full-batch objective with L-BFGS-B, in place on
    ``fit.params`` and ``fit.history`` (whose ``message`` gets scipy's).

    It stops when scipy converges (projected gradient below ``tol``) or when
    the loss fell by less than ``tol`` times itself over the last
    ``n_iter_no_change`` iterations (see :func:`loss_stalled`). The loss and
    gradient are computed in ``params.dtype`` (float32 stays float32); only
    scipy's own vectors are float64.

    Parameters
    ----------
    fit : FitEngine
        The fit: objective, parameters, history, rows, settings and monitor.

    Returns
    -------
    reason : str
        ``CONVERGED``, ``MAX_ITER`` (iteration or evaluation limit),
        ``STOPPED`` (scipy ended abnormally), ``STOPPED_BY_CALLBACK`` or
        ``INTERRUPTED``.
    """
    rows = min(fit.data.Y.shape[0], fit.objective.kernel.block_rows)
    with training_threads(numpy_threads_for(fit.objective.network.layer_sizes, rows)):
        return _run_lbfgs(fit)


def _run_lbfgs(fit):
    """:func:`fit_lbfgs` within its thread limits."""
    run, monitor, settings = _LbfgsRun(fit), fit.monitor, fit.settings
    start = to_host(fit.params)
    if not np.isfinite(run.loss_and_gradient(start)[0]):
        raise ValueError(_NOT_FINITE_AT_START)
    monitor.begin(fit.params)
    try:
        result = minimize_lbfgs(
            run.loss_and_gradient,
            start,
            max_iter=settings.max_iter,
            max_fun=settings.max_fun,
            tol=settings.tol,
            # scipy passes an OptimizeResult to a parameter of this name.
            callback=lambda intermediate_result: run.end_iteration(intermediate_result),
        )
    except KeyboardInterrupt:
        copy_into(fit.params, run.last_iterate)
        if fit.history.loss_curve:
            fit.history.loss = fit.history.loss_curve[-1]
        return INTERRUPTED
    finally:
        # The subtask begun after scipy's last iteration never ran: end it.
        monitor.close()
    return run.finish(result)


class _LbfgsRun:
    """The pieces of one L-BFGS fit that scipy calls back into."""

    def __init__(self, fit):
        self.fit, self.params, self.history = fit, fit.params, fit.history
        # Buffers (on numpy) for every evaluation of the full batch.
        k, n_samples = fit.objective.kernel, fit.data.Y.shape[0]
        self.workspace = Workspace(
            fit.objective.network, n_samples, fit.params.dtype, kernel=k
        )
        self.grad = k.empty(fit.params.shape[0], fit.params.dtype)
        self.last_iterate = copy_of(fit.params)
        self.first_iteration = len(fit.history.loss_curve)
        self.stop = None  # why end_iteration stopped scipy, if it did
        # The last evaluation, so that scipy's first call (at the point the
        # start check has just evaluated) and the final loss cost no pass.
        self.last_x, self.last_result = None, None

    def loss_and_gradient(self, x):
        """scipy's ``fun``: the objective and its gradient at ``x``."""
        if self.last_x is not None and np.array_equal(x, self.last_x):
            loss, grad = self.last_result
            # A copy: scipy keeps the gradients it was given, and has this one.
            return loss, grad.copy()
        loss, grad = self._evaluate(x)  # grad: a new array, never written again
        self.last_x, self.last_result = x.copy(), (loss, grad)
        return loss, grad

    def _evaluate(self, x):
        """The objective and its float64 gradient at ``x``, computed; on
        another array library than numpy, ``x`` goes to the device and the
        gradient comes back to the host (one vector each way)."""
        copy_into(self.params, x)
        loss, grad = self.fit.objective.value_and_gradient(
            self.params, self.fit.data, grad=self.grad, workspace=self.workspace
        )
        if not (np.isfinite(loss) and all_finite(grad)):
            # Tell the line search this point is unusable, so it backtracks.
            return np.inf, np.zeros_like(x)
        return loss, to_host(grad).astype(np.float64)

    def end_iteration(self, intermediate_result):
        """scipy's ``callback``: record the iteration, maybe stop."""
        if not np.isfinite(intermediate_result.fun):
            return
        history, settings, monitor = self.history, self.fit.settings, self.fit.monitor
        copy_into(self.last_iterate, intermediate_result.x)
        history.loss_curve.append(float(intermediate_result.fun))
        history.n_iter += 1
        history.t += self.fit.data.Y.shape[0]
        if settings.verbose:
            _print_epoch(history)
        if monitor.end(self.last_iterate):
            self.stop = STOPPED_BY_CALLBACK
        elif loss_stalled(
            history.loss_curve[self.first_iteration :],
            settings.tol,
            settings.n_iter_no_change,
        ):
            self.stop = CONVERGED
        if self.stop is not None:
            raise StopIteration  # scipy ends the run at this iterate
        monitor.begin(self.last_iterate)

    def finish(self, result):
        """Keep the final iterate (or the last finite one) and say why."""
        history, params = self.history, self.params
        message = result.message
        history.message = (
            message.decode() if isinstance(message, bytes) else str(message)
        )
        finite = np.isfinite(result.fun) and np.isfinite(result.x).all()
        copy_into(params, result.x if finite else self.last_iterate)
        # The loss at x, not scipy's fun: after an abnormal line search that
        # can belong to a rejected trial point.
        history.loss = self._loss_at(params)
        history.best_loss = min(history.best_loss, history.loss)
        if self.stop is not None:
            return self.stop
        if not finite:
            history.message = (
                "the loss became non-finite during the line search, so the last "
                "finite iterate was kept. Scale X and y, and keep alpha small "
                "relative to the sum of the sample weights"
            )
            return STOPPED
        return {0: CONVERGED, 1: MAX_ITER}.get(result.status, STOPPED)

    def _loss_at(self, params):
        """The objective at ``params``, from the last evaluation when it was there."""
        if self.last_x is not None and np.array_equal(to_host(params), self.last_x):
            loss = self.last_result[0]
            if np.isfinite(loss):
                return loss
        return self.fit.objective.value(params, self.fit.data, self.workspace)
