"""Telling a collapsed fit from an honest constant.

A network whose predictions barely vary while ``y`` does has learned almost
nothing: the penalty swamped the data, the inputs were far from unit scale,
or the steps never moved the weights. But a near-constant prediction is also
the right answer when ``y`` is noise. The two are told apart by asking
whether ``X`` carries signal about ``y`` that even a linear model (or a
single column or its square) finds: if it does (a test at
:data:`SIGNAL_P_VALUE`), the constant is a failure, and
:class:`CollapsedFitWarning` says so, with the numbers and the likely cause.
Below :data:`MIN_TESTABLE_ROWS` rows no test can tell noise from signal, and
a collapsed fit always warns, saying so.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from ._training import DIVERGED, MAX_ITER, STOPPED

#: Predictions whose weighted standard deviation is below this fraction of
#: y's have collapsed.
COLLAPSE_RATIO = 0.05

#: A linear fit of y on X significant at this level means X carries signal.
#: Pure noise passes the test once in 1,000 fits.
SIGNAL_P_VALUE = 1e-3

#: With fewer rows, a collapsed fit warns without testing for signal.
MIN_TESTABLE_ROWS = 20

#: The check looks at no more rows than this (evenly spaced), so it stays
#: cheap next to one epoch: predicting 10,000 of 20,000 rows cost 20% of an
#: epoch of ``bench_speed.py``'s configuration (b). 1,000 rows measure a
#: spread to about 2% and detect a linear signal from R² of about 0.02.
MAX_ROWS = 1_000


#: On large data most fits are cleared by a quarter of the checked rows:
#: predictions that spread at least this many times :data:`COLLAPSE_RATIO`
#: of y's there are far from collapsed on all of them, and the other rows
#: need no forward pass (for 512-wide layers it cost 13 ms, 2% of an epoch,
#: ``python benchmarks/fixed_cost_breakdown.py``). Only the rest are checked
#: on every one of the :data:`MAX_ROWS` rows.
SCREEN_MARGIN = 3


class CollapsedFitWarning(UserWarning):
    """The fitted model predicts almost a constant although X explains y.

    Not a :class:`~sklearn.exceptions.ConvergenceWarning`: the optimiser
    usually converged, to a model that ignores its inputs, and silencing
    convergence noise (common in grid searches) must not silence this.
    """


def collapse_message(
    output,
    Y,
    X,
    sample_weight,
    *,
    penalty,
    weights_moved,
    output_bounds=None,
    max_iter=None,
):
    """Why the fit collapsed, or None when it did not (or y is noise).

    Parameters
    ----------
    output, Y : ndarray of shape (n_samples, n_outputs)
        The model's outputs on the training rows and the targets, in the
        same (possibly normalised) units; on large data, a sample of the
        rows (:func:`evenly_spaced_rows`).
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
    penalty : L2Penalty
        The fit's penalty (:class:`~sknn_simple._penalty.L2Penalty`), whose
        ``alpha / S`` tells whether it is a suspect; ``S`` is the weight of
        all the training rows, not only of those given here.
    weights_moved : float or None
        ``||params - params_start|| / ||params_start||`` for the stochastic
        solvers, None for L-BFGS.
    output_bounds : tuple of float, default=None
        The range of a bounded output activation, when ``Y`` is not
        normalised to it; None otherwise.
    max_iter : int, default=None
        The iteration limit, when training stopped at it; None otherwise.

    Returns
    -------
    message : str or None
    """
    keep, weights = _rows_with_weight(sample_weight, Y.shape[0])
    output, Y, X = (array.astype(np.float64)[keep] for array in (output, Y, X))
    spread_y, ratio = _spread_ratio(output, Y, weights)
    collapsed = np.flatnonzero((spread_y > 0) & (ratio < COLLAPSE_RATIO))
    if collapsed.size == 0:
        return None
    if Y.shape[0] < MIN_TESTABLE_ROWS:
        j = collapsed[0]
        evidence = (
            f"and with {Y.shape[0]} rows there is no telling whether y is noise "
            "that a constant rightly ignores"
        )
    else:
        p_values = [linear_signal_p_value(X, Y[:, j], weights) for j in collapsed]
        if min(p_values) >= SIGNAL_P_VALUE:
            return None  # y looks like noise: a constant is the right answer
        j = collapsed[int(np.argmin(p_values))]
        p_value = min(p_values)
        shown = f"p = {p_value:.2g}" if p_value >= 1e-16 else "p < 1e-16"
        evidence = f"although X is related to y ({shown})"
    which = "" if Y.shape[1] == 1 else f" (output {j})"
    causes = _likely_causes(
        X, Y[:, j], weights, penalty, weights_moved, output_bounds, max_iter
    )
    return (
        "The fitted model predicts almost the same value for every training "
        f"row{which}: the spread of its predictions is {ratio[j]:.2%} of the "
        f"spread of y, {evidence}. Likely causes: " + "; ".join(causes) + "."
    )


def linear_signal_p_value(X, y, weights):
    """p-value that X explains y: the smaller of an F-test of the
    least-squares fit on all columns (when there are enough rows) and a
    Bonferroni-corrected test of the best single column or squared column
    (the square catches a bowl such as ``y = x²``, which no line sees)."""
    n_rows, n_features = X.shape
    squares = X.multiply(X) if sp.issparse(X) else X * X
    columns = (
        sp.hstack([X, squares], format="csr")
        if sp.issparse(X)
        else np.hstack([X, squares])
    )
    p_value = min(1.0, 2 * n_features * _best_column_p_value(columns, y, weights))
    if not sp.issparse(X) and n_rows > n_features + 2:
        p_value = min(p_value, _least_squares_p_value(X, y, weights))
    return p_value


def _column_moments(X, w):
    """Weighted mean and variance of each column of dense or sparse ``X``,
    for weights ``w`` that sum to 1."""
    mean = np.asarray(X.T @ w).ravel()
    squares = X.multiply(X) if sp.issparse(X) else X * X
    variance = np.asarray(squares.T @ w).ravel() - mean**2
    return mean, np.maximum(variance, 0)


def _best_column_p_value(X, y, weights):
    w = weights / weights.sum()
    y_centred = y - w @ y
    mean, variance = _column_moments(X, w)
    covariance = np.asarray(X.T @ (w * y_centred)).ravel()
    y_variance = w @ y_centred**2
    # A constant column's variance is rounding error (about eps times its
    # mean squared), and dividing by it would make any y look explained.
    varies = variance > 1e-10 * np.maximum(mean**2, np.finfo(float).tiny)
    r = np.zeros_like(variance)
    if y_variance > 0:
        r[varies] = covariance[varies] / np.sqrt(variance[varies] * y_variance)
    r = np.clip(r, -1, 1)
    dof = X.shape[0] - 2
    if dof < 1:
        return 1.0
    best = np.abs(r).max()
    t = best * np.sqrt(dof / max(1 - best**2, 1e-300))
    return float(2 * stats.t.sf(t, dof))


def _least_squares_p_value(X, y, weights):
    root = np.sqrt(weights / weights.sum())[:, np.newaxis]
    design = np.hstack([np.ones((X.shape[0], 1)), X]) * root
    target = y * root.ravel()
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    residual = target - design @ coef
    total = target - root.ravel() * (root.ravel() @ target)
    rss, tss = residual @ residual, total @ total
    rank = np.linalg.matrix_rank(design) - 1
    dof = X.shape[0] - rank - 1
    if tss <= 0 or rank < 1 or dof < 1:
        return 1.0
    r2 = 1 - rss / tss
    f = (r2 / rank) / max((1 - r2) / dof, 1e-300)
    return float(stats.f.sf(f, rank, dof))


def _likely_causes(X, y, weights, penalty, weights_moved, output_bounds, max_iter):
    causes = []
    if max_iter is not None:
        causes.append(
            f"training stopped at max_iter={max_iter} before the model learned: "
            "raise max_iter"
        )
    if output_bounds is not None and not (
        output_bounds[0] <= y.min() and y.max() <= output_bounds[1]
    ):
        causes.append(
            f"the output activation can only output values in {output_bounds}, "
            f"but y runs from {y.min():.4g} to {y.max():.4g}: keep "
            "normalize_y=True or use output_activation='identity'"
        )
    scale = median_column_std(X, weights)
    if not 0.1 <= scale <= 10:
        causes.append(
            f"the features are far from unit scale (median column standard "
            f"deviation {scale:.3g}), which the weights must make up for against "
            "the penalty: standardise X, e.g. make_pipeline(StandardScaler(), "
            "SimpleMLPRegressor())"
        )
    if weights_moved is not None and weights_moved < 0.01:
        causes.append(
            f"the weights barely moved from their initial values (relative "
            f"change {weights_moved:.2g}): raise learning_rate_init or max_iter"
        )
    # A penalty this light is no suspect unless nothing else is. S is the
    # weight of all training rows, not only of those checked here.
    if penalty.alpha > 0 and (penalty.strength >= 1e-3 or not causes):
        causes.append(
            f"the penalty is strong for {penalty.weight_sum:.4g} rows (alpha / S = "
            f"{penalty.strength:.3g}, with S the sum of the sample weights): "
            "set a smaller alpha"
        )
    return causes or [
        "the optimiser stopped at a constant model: try another random_state"
    ]


def median_column_std(X, sample_weight=None):
    """The median (weighted) standard deviation of X's non-constant columns."""
    weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    std = np.sqrt(_column_moments(X, weights / weights.sum())[1])
    std = std[std > 0]
    return float(np.median(std)) if std.size else 1.0


def clearly_spread_on_a_quarter(predict, X, Y, sample_weight):
    """Whether every fourth of the check's rows already shows the fit far
    from collapsed (see :data:`SCREEN_MARGIN`); ``predict(X)`` gives the
    model's outputs. Only on data with at least :data:`MAX_ROWS` rows: on
    fewer, the full check is cheap."""
    if X.shape[0] < MAX_ROWS:
        return False
    quarter = slice(None, None, 4)
    weights = None if sample_weight is None else sample_weight[quarter]
    return clearly_spread(predict(X[quarter]), Y[quarter], weights)


def clearly_spread(output, Y, sample_weight):
    """Whether every output's predictions spread at least
    ``SCREEN_MARGIN * COLLAPSE_RATIO`` of its y's (or its y is constant):
    a fit no check of more rows would find collapsed."""
    keep, weights = _rows_with_weight(sample_weight, Y.shape[0])
    if not keep.any():
        return False
    output, Y = (array.astype(np.float64)[keep] for array in (output, Y))
    spread_y, ratio = _spread_ratio(output, Y, weights)
    return bool(np.all((spread_y == 0) | (ratio >= SCREEN_MARGIN * COLLAPSE_RATIO)))


def _rows_with_weight(sample_weight, n_rows):
    """A mask of the rows that carry weight, and their weights."""
    weights = np.ones(n_rows) if sample_weight is None else sample_weight
    keep = weights > 0
    return keep, weights[keep]


def _spread_ratio(output, Y, weights):
    """Each output's weighted spread, and that of its predictions over it."""
    spread_y = _weighted_std(Y, weights)
    ratio = _weighted_std(output, weights) / np.where(spread_y > 0, spread_y, 1.0)
    return spread_y, ratio


def _weighted_std(values, weights):
    w = weights / weights.sum()
    mean = w @ values
    return np.sqrt(np.maximum(w @ (values - mean) ** 2, 0))


def evenly_spaced_rows(n_rows):
    """At most :data:`MAX_ROWS` evenly spaced rows of ``n_rows``: the rows
    :func:`collapse_message` should be given."""
    if n_rows <= MAX_ROWS:
        return slice(None)
    return np.linspace(0, n_rows - 1, MAX_ROWS).astype(np.intp)


def warn_about_fit(estimator, run, incremental):
    """Raise the warnings a finished fit deserves: convergence, collapse."""
    if run.reason == DIVERGED:
        warnings.warn(run.message, ConvergenceWarning)
    elif run.reason == MAX_ITER and not incremental:
        warnings.warn(_max_iter_message(estimator, run), ConvergenceWarning)
    elif run.reason == STOPPED:
        warnings.warn(
            f"L-BFGS stopped before converging: {run.message}.", ConvergenceWarning
        )
    if run.collapse:
        warnings.warn(run.collapse, CollapsedFitWarning)


def _max_iter_message(params, run):
    """What a fit stopped by its iteration limit reached, and what to raise."""
    curve = run.state.history.loss_curve
    window = min(10, len(curve) - 1)
    change = ""
    if window > 0 and curve[-1] > 0:
        fall = (curve[-1 - window] - curve[-1]) / curve[-1]
        change = (
            f" The loss was {curve[-1]:.4g} and still fell by {fall:.2g} of "
            f"itself over the last {window} iterations."
        )
    if run.state.solver == "lbfgs" and "EVALUATIONS" in run.message.upper():
        message = (
            f"L-BFGS used max_fun={params.max_fun} loss evaluations before "
            f"converging.{change} Increase max_fun."
        )
    elif run.state.solver == "lbfgs":
        message = (
            f"L-BFGS reached max_iter={params.max_iter} iterations before "
            f"converging.{change} Increase max_iter."
        )
    else:
        message = (
            f"Stochastic Optimizer: Maximum iterations ({params.max_iter}) "
            f"reached and the optimization hasn't converged yet.{change} "
            "Increase max_iter (or tol, to stop sooner)."
        )
    return message + _scale_advice(run.feature_scale)


def _scale_advice(feature_scale):
    if feature_scale is None or 0.1 <= feature_scale <= 10:
        return ""
    return (
        " The features are far from unit scale (median column standard "
        f"deviation {feature_scale:.3g}), which slows training: scale them, "
        "for example with StandardScaler."
    )
