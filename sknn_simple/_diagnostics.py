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

import functools
import warnings

import numpy as np
import scipy.sparse as sp
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from ._activations import OUTPUT_RANGES
from ._kernels import take_rows, to_host
from ._training import DIVERGED, INTERRUPTED, MAX_ITER, STOPPED

#: Predictions whose weighted standard deviation is below this fraction of
#: y's have collapsed.
COLLAPSE_RATIO = 0.05

#: A linear fit of y on X significant at this level means X carries signal.
#: Pure noise passes the test once in 1,000 fits.
SIGNAL_P_VALUE = 1e-3

#: With fewer rows, a collapsed fit warns without testing for signal.
MIN_TESTABLE_ROWS = 20

#: The check looks at no more rows than this (evenly spaced), so it stays
#: cheap next to one epoch (``python benchmarks/fixed_cost_breakdown.py``);
#: 1,000 rows measure a spread to about 2% and detect a linear signal from
#: R² of about 0.02.
MAX_ROWS = 1_000


#: On large data most fits are cleared by a quarter of the checked rows:
#: predictions that spread at least this many times :data:`COLLAPSE_RATIO`
#: of y's there are far from collapsed on all of them, and the other rows
#: need no forward pass (``python benchmarks/fixed_cost_breakdown.py``).
#: Only the rest are checked on every one of the :data:`MAX_ROWS` rows.
SCREEN_MARGIN = 3

#: partial_fit checks for a collapsed model after this many calls.
PARTIAL_FIT_COLLAPSE_CHECK = 10


class CollapsedFitWarning(UserWarning):
    """The fitted model predicts almost a constant although X explains y.

    Not a :class:`~sklearn.exceptions.ConvergenceWarning`: the optimiser
    usually converged, to a model that ignores its inputs, and silencing
    convergence noise (common in grid searches) must not silence this.
    """


def collapse_message(output, Y, X, sample_weight, *, clues):
    """Why the fit collapsed, or None when it did not (or y is noise).

    Parameters
    ----------
    output, Y : ndarray of shape (n_samples, n_outputs)
        The model's outputs on the training rows and the targets, in the
        same (possibly normalised) units; on large data, a sample of the
        rows (:func:`checked_rows`).
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
    clues : dict
        What the fit knows of its likely causes:

        - ``objective``: the fit's :class:`~sknn_simple._objective.Objective`,
          whose ``alpha / S`` tells whether the penalty is a suspect; ``S``
          is the weight of all the training rows, not only of those given;
        - ``weights_moved``: ``||params - params_start|| / ||params_start||``
          for the stochastic solvers, None for L-BFGS;
        - ``output_bounds``: the range of a bounded output activation, when
          ``Y`` is not normalised to it, else None;
        - ``max_iter``: the iteration limit when training stopped at it,
          else None;
        - ``predicts`` (optional): "class probabilities" for a classifier
          (its ``Y`` are the labels as 0 and 1, ``output`` the
          probabilities), "value" by default.

    Returns
    -------
    message : str or None
    """
    weights, output, Y, X = _weighted_rows(sample_weight, output, Y, X)
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
        # The output whose link to X is the most significant (the first of
        # equals).
        p_value, j = min(
            (linear_signal_p_value(X, Y[:, j], weights), j) for j in collapsed
        )
        if p_value >= SIGNAL_P_VALUE:
            return None  # y looks like noise: a constant is the right answer
        shown = f"p = {p_value:.2g}" if p_value >= 1e-16 else "p < 1e-16"
        evidence = f"although X is related to y ({shown})"
    which = "" if Y.shape[1] == 1 else f" (output {j})"
    causes = _likely_causes(X, Y[:, j], weights, clues)
    predicts = clues.get("predicts", "value")
    what = "predictions" if predicts == "value" else "probabilities"
    return (
        f"The fitted model predicts almost the same {predicts} for every "
        f"training row{which}: the spread of its {what} is {ratio[j]:.2%} of "
        f"the spread of y, {evidence}. Likely causes: " + "; ".join(causes) + "."
    )


def linear_signal_p_value(X, y, weights):
    """p-value that X explains y: the smaller of an F-test of the
    least-squares fit on all columns (when there are enough rows) and a
    Bonferroni-corrected test of the best single column or squared column
    (the square catches a bowl such as ``y = x²``, which no line sees)."""
    n_rows, n_features = X.shape
    if sp.issparse(X):
        columns = sp.hstack([X, X.multiply(X)], format="csr")
    else:
        columns = np.hstack([X, X * X])
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
    dof = X.shape[0] - 2  # at least MIN_TESTABLE_ROWS - 2
    best = min(np.abs(r).max(), 1.0)  # |r| beyond 1 is rounding error
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


def _likely_causes(X, y, weights, clues):
    objective, bounds = clues["objective"], clues["output_bounds"]
    weights_moved, max_iter = clues["weights_moved"], clues["max_iter"]
    causes = []
    if max_iter is not None:
        causes.append(
            f"training stopped at max_iter={max_iter} before the model learned: "
            "raise max_iter"
        )
    if bounds is not None and not (bounds[0] <= y.min() and y.max() <= bounds[1]):
        causes.append(
            f"the output activation can only output values in {bounds}, "
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
    if objective.alpha > 0 and (objective.strength >= 1e-3 or not causes):
        causes.append(
            f"the penalty is strong for {objective.weight_sum:.4g} rows (alpha / S = "
            f"{objective.strength:.3g}, with S the sum of the sample weights): "
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


def clearly_spread(output, Y, sample_weight):
    """Whether every output's predictions spread at least
    ``SCREEN_MARGIN * COLLAPSE_RATIO`` of its y's (or its y is constant):
    a fit no check of more rows would find collapsed."""
    weights, output, Y = _weighted_rows(sample_weight, output, Y)
    if weights.size == 0:
        return False
    spread_y, ratio = _spread_ratio(output, Y, weights)
    return bool(np.all((spread_y == 0) | (ratio >= SCREEN_MARGIN * COLLAPSE_RATIO)))


def _weighted_rows(sample_weight, *arrays):
    """The weights of the rows that carry weight, and those rows of each
    array, in float64."""
    weights = np.ones(arrays[0].shape[0]) if sample_weight is None else sample_weight
    keep = weights > 0
    return weights[keep], *(array.astype(np.float64)[keep] for array in arrays)


def _spread_ratio(output, Y, weights):
    """Each output's weighted standard deviation, and that of its
    predictions over it."""
    w = weights / weights.sum()
    spread_y, spread = (
        np.sqrt(w @ (values - w @ values) ** 2) for values in (Y, output)
    )
    return spread_y, spread / np.where(spread_y > 0, spread_y, 1.0)


def checked_rows(*arrays):
    """At most :data:`MAX_ROWS` evenly spaced rows of each array, as numpy
    arrays (a host copy of another array library's; None stays None): the
    rows :func:`collapse_message` should be given, chosen before the
    forward pass. On very large data, predicting every training row would
    cost as much as a third of an epoch for rows the check then ignores."""
    n_rows = arrays[0].shape[0]
    if n_rows > MAX_ROWS:
        rows = np.linspace(0, n_rows - 1, MAX_ROWS).astype(np.intp)
        arrays = [None if array is None else take_rows(array, rows) for array in arrays]
    return [to_host(array) for array in arrays]


def fit_collapse_message(engine, rows, incremental, max_iter, predicts="value"):
    """The CollapsedFitWarning's message for a finished fit, or None.

    ``rows`` are all the rows, their targets encoded as trained on;
    ``engine`` the :class:`~sknn_simple._engine.FitEngine` that trained.
    ``partial_fit`` checks once, after its tenth call.
    """
    if engine.reason in (INTERRUPTED, DIVERGED) or (
        incremental and engine.history.n_iter != PARTIAL_FIT_COLLAPSE_CHECK
    ):
        return None
    params, network = to_host(engine.params), engine.objective.network
    moved = None
    if not (engine.lbfgs or incremental):
        moved = _relative_change(params, to_host(engine.start.params))
    X, Y, weights = checked_rows(rows.X, rows.Y, rows.sample_weight)
    predict = functools.partial(network.predict, params)
    # From MAX_ROWS rows on, every fourth row often clears the fit already
    # (see SCREEN_MARGIN); on fewer, the full check is cheap.
    quarter = slice(None, None, 4)
    if len(Y) >= MAX_ROWS and clearly_spread(
        predict(X[quarter]), Y[quarter], None if weights is None else weights[quarter]
    ):
        return None
    bounds = OUTPUT_RANGES[network.output_activation]
    clues = dict(
        objective=engine.objective,
        weights_moved=moved,
        output_bounds=bounds if engine.start.y_scale is None else None,
        max_iter=max_iter if engine.reason == MAX_ITER else None,
    )
    clues["predicts"] = predicts
    return collapse_message(predict(X), Y, X, weights, clues=clues)


def scale_for_advice(rows, reason, incremental):
    """The feature scale for the iteration-limit warning's advice, or None
    where that warning is not raised (partial_fit never raises it): the
    median column std on the collapse check's sample of the rows (all
    20,000 rows of a large fit cost 2% of an epoch)."""
    if reason != MAX_ITER or incremental:
        return None
    return median_column_std(*checked_rows(rows.X, rows.sample_weight))


def _relative_change(params, start):
    """``||params - start|| / ||start||``."""
    return float(np.linalg.norm(params - start) / max(np.linalg.norm(start), 1e-300))


def warn_about_fit(estimator, engine, state, notes):
    """Raise the warnings a finished fit deserves: convergence, collapse."""
    reason, message = engine.reason, engine.history.message
    if reason == DIVERGED:
        warnings.warn(message, ConvergenceWarning)
    elif reason == MAX_ITER and not engine.incremental:
        warnings.warn(
            _max_iter_message(estimator, state, message, notes["feature_scale"]),
            ConvergenceWarning,
        )
    elif reason == STOPPED:
        warnings.warn(
            f"L-BFGS stopped before converging: {message}.", ConvergenceWarning
        )
    if notes["collapse"]:
        warnings.warn(notes["collapse"], CollapsedFitWarning)


def _max_iter_message(estimator, state, scipy_message, feature_scale):
    """What a fit stopped by its iteration limit reached, and what to raise."""
    curve = state.history.loss_curve
    window = min(10, len(curve) - 1)
    change = ""
    if window > 0 and curve[-1] > 0:
        fall = (curve[-1 - window] - curve[-1]) / curve[-1]
        change = (
            f" The loss was {curve[-1]:.4g} and still fell by {fall:.2g} of "
            f"itself over the last {window} iterations."
        )
    if state.solver == "lbfgs" and "EVALUATIONS" in scipy_message.upper():
        message = (
            f"L-BFGS used max_fun={estimator.max_fun} loss evaluations before "
            f"converging.{change} Increase max_fun."
        )
    elif state.solver == "lbfgs":
        message = (
            f"L-BFGS reached max_iter={estimator.max_iter} iterations before "
            f"converging.{change} Increase max_iter."
        )
    else:
        message = (
            f"Stochastic Optimizer: Maximum iterations ({estimator.max_iter}) "
            f"reached and the optimization hasn't converged yet.{change} "
            "Increase max_iter (or tol, to stop sooner)."
        )
    if feature_scale is not None and not 0.1 <= feature_scale <= 10:
        message += (
            " The features are far from unit scale (median column standard "
            f"deviation {feature_scale:.3g}), which slows training: scale them, "
            "for example with StandardScaler."
        )
    return message
