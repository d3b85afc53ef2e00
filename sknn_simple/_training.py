"""Training loops: epochs of minibatch steps, and the L-BFGS bridge.

The loops work on a copy of the parameter vector and a :class:`Progress`
record; the estimator turns both into fitted attributes only when a loop
returns, so an exception never leaves a half-updated model behind.

Every loop minimises the same objective, the network's data term plus the
fit's one :class:`~sknn_simple._penalty.L2Penalty` (built by the estimator
and carried in the settings): :func:`objective` and
:func:`objective_and_gradient` compose the two for all training rows, and
:func:`run_epoch` adds the same penalty to each minibatch's data term.

On the arrays of another array library (see :mod:`sknn_simple._array_api`)
the loops are the same: :class:`_EpochLoop` picks :func:`run_epoch_xp` and
:class:`_BatchesXp` once per fit instead of their numpy twins, and the
L-BFGS bridge hands scipy a host copy of the (small) parameter vector and
gradient while the loss and gradient are computed where the data is.
"""

import math
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.metrics import r2_score

from ._array_api import (
    all_finite,
    copy_into,
    copy_of,
    device_of,
    namespace_of,
    take_rows,
    to_host,
)
from ._blas import numpy_threads_for, training_threads
from ._callbacks import IterationMonitor
from ._network import BLOCK_ROWS, Workspace, _weight_sum, _weight_sum_xp
from ._penalty import L2Penalty
from ._solvers import minimize_lbfgs

# Why a loop ended; the estimator turns these into warnings.
CONVERGED = "converged"
MAX_ITER = "max_iter"
DIVERGED = "diverged"
INTERRUPTED = "interrupted"
STOPPED = "stopped"  # L-BFGS ended abnormally (scipy's message says why)
STOPPED_BY_CALLBACK = "stopped_by_callback"


@dataclass
class Progress:
    """What training has recorded so far; becomes the fitted attributes."""

    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    no_improvement_count: int = 0
    n_iter: int = 0
    t: int = 0
    # Training loss of the weights kept at the end of the last run.
    loss: float = np.nan
    # Set by L-BFGS and by divergence: what to tell the user.
    message: str = ""

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


@dataclass
class Dataset:
    """Training rows and, for early stopping, validation rows."""

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None = None
    X_val: object = None
    Y_val: np.ndarray | None = None
    sample_weight_val: np.ndarray | None = None


# The rows are a permutation, always in range: "clip" skips the bounds check
# and the copy of ``out`` that np.take's default mode makes to undo a failure.
_VALID = "clip"


class _Batches:
    """Gathers minibatches into buffers reused across epochs."""

    def __init__(self, network, data, batch_size):
        self.network = network
        self.data = data
        self.batch_size = batch_size
        self.dense = isinstance(data.X, np.ndarray)
        self._buffers = {}
        # The gradient of every step, written in place.
        self.grad = np.empty(network.n_params, dtype=data.Y.dtype)

    def _buffers_for(self, n_rows):
        # At most two sizes occur: full batches and the last, shorter one.
        if n_rows not in self._buffers:
            X, Y, sw = self.data.X, self.data.Y, self.data.sample_weight
            dtype = Y.dtype
            self._buffers[n_rows] = (
                np.empty((n_rows, X.shape[1]), dtype=dtype) if self.dense else None,
                np.empty((n_rows, Y.shape[1]), dtype=dtype),
                None if sw is None else np.empty(n_rows, dtype=dtype),
                Workspace(self.network, n_rows, dtype),
            )
        return self._buffers[n_rows]

    def workspace(self):
        """The buffers of a full batch, also good for forward passes of any
        number of rows (they go through in blocks)."""
        return self._buffers_for(min(self.batch_size, self.data.Y.shape[0]))[3]

    def __call__(self, order):
        """Yield ``(X, Y, sample_weight, workspace)`` batch by batch.

        ``order`` is a permutation of the rows, or None to keep their order.
        """
        X, Y, sw = self.data.X, self.data.Y, self.data.sample_weight
        n_samples = Y.shape[0]
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            X_buf, Y_buf, sw_buf, workspace = self._buffers_for(stop - start)
            if order is None:
                rows = slice(start, stop)
                yield X[rows], Y[rows], None if sw is None else sw[rows], workspace
                continue
            rows = order[start:stop]
            if self.dense:
                X_batch = np.take(X, rows, axis=0, out=X_buf, mode=_VALID)
            else:
                X_batch = X[rows]
            np.take(Y, rows, axis=0, out=Y_buf, mode=_VALID)
            if sw is not None:
                np.take(sw, rows, out=sw_buf, mode=_VALID)
            yield X_batch, Y_buf, sw_buf, workspace


class _BatchesXp:
    """:class:`_Batches` for arrays of namespace ``xp``: each batch is
    gathered with ``xp.take`` where the data is. Each batch's weight ``S``
    comes from a host copy of the sample weights (one vector, copied once
    per fit), so skipping an all-zero-weight batch costs no transfer."""

    def __init__(self, network, data, batch_size, xp):
        self.network, self.data, self.batch_size, self.xp = (
            network,
            data,
            batch_size,
            xp,
        )
        self.host_weights = to_host(data.sample_weight)
        self.total_weight = _weight_sum_xp(xp, data.sample_weight, data.Y.shape[0])

    def workspace(self):
        """No buffers: the generic path allocates per call."""
        return None

    def __call__(self, order):
        """Yield ``(X, Y, sample_weight, weight_sum)`` batch by batch."""
        X, Y, sw = self.data.X, self.data.Y, self.data.sample_weight
        weights = self.host_weights
        n_samples = Y.shape[0]
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            rows = slice(start, stop) if order is None else order[start:stop]
            weight_sum = stop - start if weights is None else float(weights[rows].sum())
            if order is None:
                batch = X[rows, ...], Y[rows, ...], None if sw is None else sw[rows]
            else:  # the index goes to the device once for the three arrays
                index = self.xp.asarray(rows, device=device_of(X))
                batch = [
                    None if a is None else self.xp.take(a, index, axis=0)
                    for a in (X, Y, sw)
                ]
            yield (*batch, weight_sum)


def run_epoch(network, params, optimizer, batches, *, penalty, order):
    """One pass over the training rows; return the epoch's loss.

    Each step follows the gradient of its batch's data term plus that of
    ``penalty``, the fit's :class:`~sknn_simple._penalty.L2Penalty`, whose
    ``S`` is the weight of all training rows: an unbiased estimate of the
    gradient of the full-batch objective (:func:`objective_and_gradient`),
    so ``alpha`` means the same for every solver and batch size.

    The loss is the weighted mean over batches of each batch's data
    term (at the weights it was computed with), plus the penalty at the end
    of the epoch. It is NaN when a batch produced a non-finite loss; that
    batch's step is not taken.
    """
    grad = batches.grad
    data = batches.data
    total_weight = _weight_sum(data.sample_weight, data.Y.shape[0])
    data_loss_sum = 0.0
    for X, Y, sample_weight, workspace in batches(order):
        weight_sum = _weight_sum(sample_weight, Y.shape[0])
        if weight_sum == 0:  # every row of this batch has zero weight
            continue
        # The batch's data term and its gradient, then the penalty's
        # gradient (the same for every batch: S is the whole training set's).
        data_loss, _ = network.loss_and_gradient(
            params, X, Y, sample_weight, grad=grad, workspace=workspace
        )
        if not math.isfinite(data_loss):
            return np.nan
        penalty.add_gradient(params, grad)
        data_loss_sum += data_loss * weight_sum
        optimizer.step(params, grad)
    return data_loss_sum / total_weight + penalty.value(params)


def run_epoch_xp(network, params, optimizer, batches, *, penalty, order):
    """:func:`run_epoch` for arrays of namespace ``batches.xp``: the same
    steps and loss. The batch losses stay on the device and are summed
    there; the epoch's loss is read once, at its end: a non-finite batch
    makes it NaN, and training then keeps the weights of before the epoch,
    as after :func:`run_epoch`'s early NaN."""
    xp = batches.xp
    data_loss_sum = 0.0
    for X, Y, sample_weight, weight_sum in batches(order):
        if weight_sum == 0:  # every row of this batch has zero weight
            continue
        data_loss, grad = network.loss_and_gradient_xp(
            xp, params, X, Y, sample_weight, weight_sum
        )
        penalty.add_gradient_xp(xp, params, grad)
        data_loss_sum = data_loss_sum + data_loss * weight_sum
        optimizer.step_xp(xp, params, grad)
    loss = float(data_loss_sum) / batches.total_weight
    if not math.isfinite(loss):
        return np.nan
    return loss + penalty.value_xp(xp, params)


def _evaluate_validation(network, params, data, workspace):
    """R² of the predictions and the loss's data term on the validation rows."""
    xp = namespace_of(params)
    if xp is not None:
        output = network.forward_xp(xp, params, data.X_val)
        loss = network.data_loss_xp(xp, output, data.Y_val, data.sample_weight_val)
        prediction = network.inverse_link_xp(xp, output)
        score = r2_score(data.Y_val, prediction, sample_weight=data.sample_weight_val)
        return float(score), loss
    output = network.forward(params, data.X_val, workspace)
    loss = network.data_loss(output, data.Y_val, data.sample_weight_val)
    prediction = network.inverse_link(output.copy())
    score = r2_score(data.Y_val, prediction, sample_weight=data.sample_weight_val)
    return float(score), loss


def _record_and_check_improvement(progress, loss, validation, tol):
    """Append this epoch's numbers and update the no-improvement counter.

    Returns True when these weights are the best seen so far: on validation
    data with early stopping, else by training loss.
    """
    progress.loss_curve.append(loss)
    progress.n_iter += 1
    if validation is None:
        if loss > progress.best_loss - tol:
            progress.no_improvement_count += 1
        else:
            progress.no_improvement_count = 0
        is_best = loss < progress.best_loss
        progress.best_loss = min(progress.best_loss, loss)
        return is_best
    score, validation_loss = validation
    progress.validation_scores.append(score)
    progress.validation_loss_curve.append(validation_loss)
    if score < progress.best_validation_score + tol:
        progress.no_improvement_count += 1
    else:
        progress.no_improvement_count = 0
    is_best = score > progress.best_validation_score
    progress.best_validation_score = max(progress.best_validation_score, score)
    return is_best


@dataclass(frozen=True)
class StochasticSettings:
    """How ``fit_stochastic`` trains: the estimator's settings for one call,
    and the fit's penalty."""

    penalty: L2Penalty
    batch_size: int
    max_epochs: int
    shuffle: bool
    tol: float
    n_iter_no_change: int
    early_stopping: bool
    verbose: bool


@dataclass(frozen=True)
class LbfgsSettings:
    """How ``fit_lbfgs`` trains, and the fit's penalty."""

    penalty: L2Penalty
    max_iter: int
    max_fun: int
    tol: float
    n_iter_no_change: int
    verbose: bool


def fit_stochastic(
    network, params, optimizer, progress, data, settings, random_state, monitor=None
):
    """Run up to ``settings.max_epochs`` epochs of minibatch training in place.

    Parameters
    ----------
    network : Network
    params : ndarray of shape (n_params,)
        Updated in place; on return it holds the weights to keep: the best on
        validation data with early stopping, else the last finite ones.
    optimizer : SGDOptimizer or AdamOptimizer
    progress : Progress
        Updated in place.
    data : Dataset
    settings : StochasticSettings
    random_state : numpy.random.RandomState
        Shuffles the rows.
    monitor : IterationMonitor, default=None
        Told when each epoch begins and ends; may stop training.

    Returns
    -------
    reason : str
        One of ``CONVERGED``, ``MAX_ITER``, ``DIVERGED``, ``INTERRUPTED``,
        ``STOPPED_BY_CALLBACK``.
    """
    rows = min(settings.batch_size, data.Y.shape[0], BLOCK_ROWS)
    with training_threads(numpy_threads_for(network.layer_sizes, rows)):
        loop = _EpochLoop(network, params, optimizer, progress, data, settings)
        return loop.run(random_state, monitor or IterationMonitor())


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

    def put_back(self, params, progress, *, best):
        """Write the kept weights into ``params`` and their loss into
        ``progress``; never those of a half-done epoch."""
        copy_into(params, self.best if best else self.last)
        progress.loss = self.best_loss if best else self.last_loss


class _EpochLoop:
    """One call of ``fit_stochastic``, in named steps."""

    def __init__(self, network, params, optimizer, progress, data, settings):
        self.network, self.params, self.optimizer = network, params, optimizer
        self.progress, self.data, self.settings = progress, data, settings
        # The numpy fast path or its namespace-generic twin, chosen once.
        xp = namespace_of(data.Y)
        if xp is None:
            self.batches = _Batches(network, data, settings.batch_size)
            self.run_epoch = run_epoch
        else:
            self.batches = _BatchesXp(network, data, settings.batch_size, xp)
            self.run_epoch = run_epoch_xp
        # Divergence is judged against the loss at the start of training, or
        # the largest epoch loss recorded so far when training continues (a
        # new partial_fit chunk may legitimately cost more than the best epoch).
        self.reference_loss = (
            max(progress.loss_curve)
            if progress.loss_curve
            else start_loss_estimate(
                network, params, data, settings.penalty, self.batches.workspace()
            )
        )
        start_loss = progress.loss if progress.loss_curve else self.reference_loss
        self.kept = _KeptWeights(params, start_loss)

    def run(self, random_state, monitor):
        """Train epoch after epoch until a stopping rule fires."""
        # Each epoch shuffles the previous epoch's order in place. MLPRegressor
        # permutes its order the same way, with the same draws, so the same
        # random_state visits the rows in the same order in both.
        n_samples = self.data.Y.shape[0]
        order = np.arange(n_samples) if self.settings.shuffle else None
        reason = MAX_ITER
        try:
            for _ in range(self.settings.max_epochs):
                monitor.begin(self.params)
                if order is not None:
                    random_state.shuffle(order)
                loss = self.run_epoch(
                    self.network,
                    self.params,
                    self.optimizer,
                    self.batches,
                    penalty=self.settings.penalty,
                    order=order,
                )
                reason = self._end_epoch(loss, monitor)
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

    def _end_epoch(self, loss, monitor):
        """Record one epoch; return why training stops, or None to go on."""
        progress, settings = self.progress, self.settings
        if _diverged(loss, self.params, self.reference_loss):
            if not progress.loss_curve:
                # The start loss saw a sample of the rows: the data, not the
                # steps, may be at fault. Until an epoch ends, the kept best
                # weights are the starting ones.
                check_finite_at_start(
                    self.network,
                    self.kept.best,
                    self.data,
                    settings.penalty,
                    self.batches.workspace(),
                )
            progress.message = _divergence_message(
                progress.n_iter + 1,
                self.reference_loss,
                loss,
                self.optimizer,
                settings.early_stopping,
            )
            return DIVERGED
        progress.t += self.data.Y.shape[0]
        self.optimizer.end_epoch(progress.t)
        validation = None
        if settings.early_stopping:
            validation = _evaluate_validation(
                self.network, self.params, self.data, self.batches.workspace()
            )
        best_on_validation = _record_and_check_improvement(
            progress, loss, validation, settings.tol
        )
        is_best = (
            best_on_validation
            if settings.early_stopping
            else loss < self.kept.best_loss
        )
        self.kept.epoch_done(self.params, loss, is_best)
        if settings.verbose:
            _print_epoch(progress)
        if monitor.end(self.params):
            return STOPPED_BY_CALLBACK
        return self._stopping_rule()

    def _stopping_rule(self):
        """MLPRegressor's: no improvement of tol for more than n_iter_no_change
        epochs stops Adam; SGD first lowers its learning rate, if adaptive."""
        progress = self.progress
        if progress.no_improvement_count <= self.settings.n_iter_no_change:
            return None
        if self.optimizer.stalled():
            return CONVERGED
        progress.no_improvement_count = 0
        if self.settings.verbose:
            print(f"Setting learning rate to {self.optimizer.learning_rate:f}")
        return None

    def _finish(self, reason):
        """Keep the weights that match the recorded curves: the best ones
        after divergence or with early stopping, else the last."""
        early_stopping = self.settings.early_stopping
        best = reason == DIVERGED or early_stopping
        self.kept.put_back(self.params, self.progress, best=best)
        if best and not early_stopping:
            self.progress.best_loss = min(self.progress.best_loss, self.kept.best_loss)
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


def objective(network, params, data, penalty, workspace=None):
    """The training objective on all training rows: the data term (a forward
    pass only) plus ``penalty``, an :class:`~sknn_simple._penalty.L2Penalty`."""
    xp = namespace_of(params)
    if xp is not None:
        loss = network.loss_xp(xp, params, data.X, data.Y, data.sample_weight)
        return loss + penalty.value_xp(xp, params)
    loss = network.loss(params, data.X, data.Y, data.sample_weight, workspace=workspace)
    return loss + penalty.value(params)


def objective_and_gradient(
    network, params, data, penalty, *, grad=None, workspace=None
):
    """The training objective on all training rows and its gradient: the
    data term's by backpropagation, plus ``penalty``'s.

    ``grad`` and ``workspace`` are as for ``Network.loss_and_gradient``;
    returns ``(loss, grad)``. For arrays of another namespace both are
    ignored and ``grad`` is a new vector of that namespace.
    """
    xp = namespace_of(params)
    if xp is not None:
        S = _weight_sum_xp(xp, data.sample_weight, data.Y.shape[0])
        loss, grad = network.loss_and_gradient_xp(
            xp, params, data.X, data.Y, data.sample_weight, S
        )
        penalty.add_gradient_xp(xp, params, grad)
        return float(loss) + penalty.value_xp(xp, params), grad
    loss, grad = network.loss_and_gradient(
        params, data.X, data.Y, data.sample_weight, grad=grad, workspace=workspace
    )
    penalty.add_gradient(params, grad)
    return loss + penalty.value(params), grad


#: The loss at the start of stochastic training is estimated on at most this
#: many evenly spaced rows: a factor of DIVERGENCE_FACTOR needs no precision,
#: and a forward pass over all rows cost 30-39% of an epoch on 20,000 rows.
START_LOSS_ROWS = 256


def start_loss_estimate(network, params, data, penalty, workspace=None):
    """The objective at the starting weights, on a sample of the rows.

    All rows when there are at most :data:`START_LOSS_ROWS`, so the value is
    exact on small data; a non-finite value is checked on all rows by
    :func:`check_finite_at_start` before it is blamed on the data. The
    sample's data term estimates the whole one; the penalty is the fit's,
    whatever the sample.
    """
    n_samples = data.Y.shape[0]
    if n_samples <= START_LOSS_ROWS:
        loss = objective(network, params, data, penalty, workspace)
    else:
        rows = np.linspace(0, n_samples - 1, START_LOSS_ROWS).astype(np.intp)
        sample = Dataset(
            take_rows(data.X, rows),
            take_rows(data.Y, rows),
            None if data.sample_weight is None else take_rows(data.sample_weight, rows),
        )
        # The sample's data term, plus the penalty of the whole fit.
        loss = objective(network, params, sample, penalty, workspace)
    if not np.isfinite(loss):
        check_finite_at_start(network, params, data, penalty, workspace)
    return loss


def check_finite_at_start(network, params, data, penalty, workspace=None):
    """Raise a clear error when the objective at the starting weights, on all
    rows, is not finite.

    Raises
    ------
    ValueError
        When the loss overflows before any step: the data, not the training,
        is at fault, so no warning-and-carry-on could help.
    """
    if not np.isfinite(objective(network, params, data, penalty, workspace)):
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


def _print_epoch(progress):
    line = f"Iteration {progress.n_iter}, loss = {progress.loss_curve[-1]:.8f}"
    if progress.validation_scores:
        line += f", validation score = {progress.validation_scores[-1]:.6f}"
    print(line)


def fit_lbfgs(network, params, progress, data, settings, monitor=None):
    """Minimise the full-batch objective with L-BFGS-B, in place on ``params``.

    It stops when scipy converges (projected gradient below ``tol``) or when
    the loss fell by less than ``tol`` times itself over the last
    ``n_iter_no_change`` iterations (see :func:`loss_stalled`). The loss and
    gradient are computed in ``params.dtype`` (float32 stays float32); only
    scipy's own vectors are float64.

    Parameters
    ----------
    network : Network
    params : ndarray of shape (n_params,)
        Updated in place.
    progress : Progress
        Updated in place; ``progress.message`` holds scipy's message.
    data : Dataset
    settings : LbfgsSettings
    monitor : IterationMonitor, default=None

    Returns
    -------
    reason : str
        ``CONVERGED``, ``MAX_ITER`` (iteration or evaluation limit),
        ``STOPPED`` (scipy ended abnormally), ``STOPPED_BY_CALLBACK`` or
        ``INTERRUPTED``.
    """
    rows = min(data.Y.shape[0], BLOCK_ROWS)
    with training_threads(numpy_threads_for(network.layer_sizes, rows)):
        return _run_lbfgs(network, params, progress, data, settings, monitor)


def _run_lbfgs(network, params, progress, data, settings, monitor):
    """:func:`fit_lbfgs` within its thread limits."""
    run = _LbfgsRun(network, params, progress, data, settings)
    monitor = monitor or IterationMonitor()
    start = to_host(params)
    if not np.isfinite(run.loss_and_gradient(start)[0]):
        raise ValueError(_NOT_FINITE_AT_START)
    monitor.begin(params)
    try:
        result = minimize_lbfgs(
            run.loss_and_gradient,
            start,
            max_iter=settings.max_iter,
            max_fun=settings.max_fun,
            tol=settings.tol,
            # scipy passes an OptimizeResult to a parameter of this name.
            callback=lambda intermediate_result: run.end_iteration(
                intermediate_result, monitor
            ),
        )
    except KeyboardInterrupt:
        copy_into(params, run.last_iterate)
        if progress.loss_curve:
            progress.loss = progress.loss_curve[-1]
        return INTERRUPTED
    finally:
        # The subtask begun after scipy's last iteration never ran: end it.
        monitor.close()
    return run.finish(result)


class _LbfgsRun:
    """The pieces of one L-BFGS fit that scipy calls back into."""

    def __init__(self, network, params, progress, data, settings):
        self.network, self.params, self.progress = network, params, progress
        self.data, self.settings = data, settings
        # Buffers for the numpy path; the generic path allocates per call.
        numpy_path = namespace_of(params) is None
        self.workspace = (
            Workspace(network, data.Y.shape[0], params.dtype) if numpy_path else None
        )
        self.grad = np.empty_like(params) if numpy_path else None
        self.last_iterate = copy_of(params)
        self.first_iteration = len(progress.loss_curve)
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
        another namespace than numpy, ``x`` goes to the device and the
        gradient comes back to the host (one vector each way)."""
        copy_into(self.params, x)
        loss, grad = objective_and_gradient(
            self.network,
            self.params,
            self.data,
            self.settings.penalty,
            grad=self.grad,
            workspace=self.workspace,
        )
        if not (np.isfinite(loss) and all_finite(grad)):
            # Tell the line search this point is unusable, so it backtracks.
            return np.inf, np.zeros_like(x)
        return loss, to_host(grad).astype(np.float64)

    def end_iteration(self, intermediate_result, monitor):
        """scipy's ``callback``: record the iteration, maybe stop."""
        if not np.isfinite(intermediate_result.fun):
            return
        progress = self.progress
        copy_into(self.last_iterate, intermediate_result.x)
        progress.loss_curve.append(float(intermediate_result.fun))
        progress.n_iter += 1
        progress.t += self.data.Y.shape[0]
        if self.settings.verbose:
            _print_epoch(progress)
        if monitor.end(self.last_iterate):
            self.stop = STOPPED_BY_CALLBACK
        elif loss_stalled(
            progress.loss_curve[self.first_iteration :],
            self.settings.tol,
            self.settings.n_iter_no_change,
        ):
            self.stop = CONVERGED
        if self.stop is not None:
            raise StopIteration  # scipy ends the run at this iterate
        monitor.begin(self.last_iterate)

    def finish(self, result):
        """Keep the final iterate (or the last finite one) and say why."""
        progress, params = self.progress, self.params
        message = result.message
        progress.message = (
            message.decode() if isinstance(message, bytes) else str(message)
        )
        finite = np.isfinite(result.fun) and np.isfinite(result.x).all()
        copy_into(params, result.x if finite else self.last_iterate)
        # The loss at x, not scipy's fun: after an abnormal line search that
        # can belong to a rejected trial point.
        progress.loss = self._loss_at(params)
        progress.best_loss = min(progress.best_loss, progress.loss)
        if self.stop is not None:
            return self.stop
        if not finite:
            progress.message = (
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
        return objective(
            self.network, params, self.data, self.settings.penalty, self.workspace
        )
