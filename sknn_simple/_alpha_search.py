"""``alpha="auto"``: the L2 penalty chosen by cross-validation on small data.

The objective divides the penalty by the training rows' weight ``S`` (see
:class:`sknn_simple._objective.Objective`), so a fixed ``alpha`` weighs more
the fewer rows there are. On a few dozen rows ``alpha=1`` makes the zero network, a
constant prediction, the minimum of the objective (the blog's five rows: R²
0.000), while on noisy rows a strong penalty is what keeps the fit sane. No
fixed value serves both, so below :data:`SEARCH_MAX_ROWS` rows the penalty is
chosen by k-fold cross-validation over :data:`ALPHA_GRID` (on the
distinct rows: an L-BFGS fit merges repeated rows first, see
:mod:`sknn_simple._rows`, so the folds never split the copies of a row;
below :data:`MIN_SEARCH_ROWS` of them, too few to hold any out, it is the
weakest candidate); from there on
``alpha="auto"`` is :data:`LARGE_DATA_ALPHA`, where the search gained little
for its cost (``python benchmarks/sweep_auto_alpha.py --synthetic``; the
figures of this module's constants are on the docs' Benchmarks page). A
classifier searches on every fit that trains L-BFGS as well, by the
held-out log loss, on folds stratified by class
(:data:`CLASSIFIER_ALPHA_GRID`).

Each fold fits a regularisation path: the weakest penalty first, then each
stronger one warm-started from the previous solution, so the later fits
only shrink weights that are already there. (Strongest first is cheaper but
wrong: a strong penalty collapses the network to near-zero, symmetric
weights, and weaker penalties warm-started there never leave that saddle.)
"""

import copy
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import KFold, StratifiedKFold

from ._blas import numpy_threads_for, training_threads
from ._diagnostics import COLLAPSE_RATIO, MIN_TESTABLE_ROWS
from ._losses import LOSSES, prediction_loss
from ._target import fit_target_scaling

#: ``alpha="auto"`` cross-validates on fewer training rows than this.
SEARCH_MAX_ROWS = 200

#: Candidate penalties, weakest first (the order of the path).
ALPHA_GRID = (1e-3, 1e-2, 0.1, 0.3, 1.0)

#: A classifier's ``alpha="auto"`` also searches wherever it trains with
#: L-BFGS (up to 10,000 rows), over a grid that reaches stronger penalties:
#: the log loss punishes the confident mistakes of an overfitted network,
#: and on the real tables no one penalty served (from 200 rows on, the best
#: of 1, 3 and 10 differed from table to table; ``python
#: benchmarks/bench_real_data_classification.py --candidate a3:alpha=3``).
#: From 200 rows on, where 0.001 and 0.01 won on none of them, the grid
#: starts at 0.1.
CLASSIFIER_ALPHA_GRID = (*ALPHA_GRID, 3.0, 10.0)
CLASSIFIER_LARGE_ALPHA_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)

#: Iterations of each path fit from SEARCH_MAX_ROWS rows on (a classifier's
#: search): they chose the same penalties as 300 on the real tables in half
#: the time.
LARGE_PATH_MAX_ITER = 100


def alpha_grid(estimator, n_rows):
    """The candidate penalties of ``estimator``'s search on ``n_rows``."""
    if not is_classifier(estimator):
        return ALPHA_GRID
    if n_rows < SEARCH_MAX_ROWS:
        return CLASSIFIER_ALPHA_GRID
    return CLASSIFIER_LARGE_ALPHA_GRID


def searches(estimator, n_rows, solver):
    """Whether ``alpha="auto"`` searches on ``n_rows`` rows (of ``fit``)."""
    lbfgs_classifier = is_classifier(estimator) and solver == "lbfgs"
    return n_rows < SEARCH_MAX_ROWS or lbfgs_classifier


#: ``alpha="auto"`` from :data:`SEARCH_MAX_ROWS` rows on, and for
#: ``partial_fit`` (which sees one batch at a time). Chosen by
#: cross-validation on 500 to 100,000 rows (``benchmarks/sweep_defaults.py``).
LARGE_DATA_ALPHA = 1.0

#: Folds of the search, drawn once: three draws gained a little R² for
#: three times the time (``python benchmarks/sweep_small_search.py``).
N_FOLDS = 3

#: Below this many distinct rows there is no search: ``alpha="auto"`` is the
#: weakest penalty of the grid. Held-out rows cannot rank the candidates
#: there: noise picks the penalty (``python benchmarks/blog_sigmoid_output.py``).
MIN_SEARCH_ROWS = 10

#: Iterations (or epochs) of each fit on the path, at most: the path ranks
#: the candidates, the final fit trains to convergence; 300 ranked them as
#: well as convergence in a third of the time (``python
#: benchmarks/sweep_auto_alpha.py --settings 5:none,3:300,3:100``).
PATH_MAX_ITER = 300


def choose_alpha(estimator, X, Y, sample_weight, output_layer):
    """The ``alpha`` of ``ALPHA_GRID`` with the lowest cross-validated error.

    Parameters
    ----------
    estimator : SimpleMLPRegressor or SimpleMLPClassifier
        Supplies every other hyperparameter; it is not modified.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Raw targets, each output's error measured in units of its spread
        so that outputs count alike; or a classifier's encoded labels
        (0 and 1), whose errors are the cross-entropy of the probabilities.
    sample_weight : ndarray of shape (n_samples,) or None
    output_layer : tuple
        The network's ``(output_activation, loss, loss_parameter)``.

    Returns
    -------
    alpha : float
        The weakest candidate, without a search, below
        :data:`MIN_SEARCH_ROWS` rows.
    errors : dict
        Mean weighted validation error of each candidate (empty without a
        search): the squared error
        in units of y's standard deviation for ``loss="squared_error"``;
        for the other losses, the loss itself (summed over outputs) on y
        divided by the loss's target scale (see
        :func:`~sknn_simple._target.fit_target_scaling`: the robust spread
        for Huber, absolute error and quantile, the mean for Poisson), so
        that each model is judged by what it was trained to minimise.
    """
    n_samples, grid = Y.shape[0], alpha_grid(estimator, Y.shape[0])
    if n_samples < MIN_SEARCH_ROWS:
        return grid[0], {}
    folds = _folds(estimator, estimator._search_targets(Y, output_layer[1]))
    layer_sizes = (X.shape[1], *estimator._validated_hidden_layer_sizes(), Y.shape[1])
    # One thread limit for all the path's fits: each would otherwise set
    # and restore it on its own (see _blas.training_threads).
    with training_threads(numpy_threads_for(layer_sizes, n_samples)):
        totals, collapsed = _fold_totals(
            estimator, (X, Y, sample_weight), folds, output_layer
        )
    errors = {alpha: total / n_samples for alpha, total in totals.items()}
    candidates = list(reversed(grid))  # ties go to the stronger penalty
    if n_samples < MIN_TESTABLE_ROWS and len(collapsed) < len(grid):
        # Too few rows to tell noise from signal (see _diagnostics): rather
        # than a constant that would have to warn, the strongest penalty
        # whose fits all kept some spread.
        candidates = [alpha for alpha in candidates if alpha not in collapsed]
    return min(candidates, key=errors.__getitem__), errors


def _folds(estimator, labels):
    """The search's folds: a classifier's keep each class in proportion
    where every class has a row for each fold."""
    seed = _fold_seed(estimator)
    stratify = (
        is_classifier(estimator)
        and labels.ndim == 1
        and np.unique(labels, return_counts=True)[1].min() >= N_FOLDS
    )
    kind = StratifiedKFold if stratify else KFold
    return list(kind(N_FOLDS, shuffle=True, random_state=seed).split(labels, labels))


def _fold_totals(estimator, data, folds, output_layer):
    """Each grid penalty's validation error summed over the folds, and the
    penalties whose fit collapsed on some fold."""
    X, Y, sample_weight = data
    spread = _error_units(Y, sample_weight, output_layer)
    totals = dict.fromkeys(alpha_grid(estimator, len(Y)), 0.0)
    collapsed = set()
    for train, test in folds:
        if sample_weight is not None and not (
            sample_weight[train].sum() > 0 and sample_weight[test].sum() > 0
        ):
            continue  # a fold without weight to train on, or to judge by
        if is_classifier(estimator) and np.unique(Y[train], axis=0).shape[0] < 2:
            continue  # one class: nothing to classify
        path = _path_errors(estimator, data, (train, test), (spread, output_layer))
        for alpha, (error, flat) in path.items():
            totals[alpha] += error
            if flat:
                collapsed.add(alpha)
    return totals, collapsed


def _path_errors(estimator, data, fold, units):
    """Validation error of each grid penalty on one fold, weakest first, and
    whether its fit collapsed (barely varying predictions on the fold's
    training rows; only checked below ``MIN_TESTABLE_ROWS`` rows).
    ``data`` is ``(X, Y, sample_weight)``, ``fold`` its ``(train, test)``
    rows, ``units`` the errors' ``(spread, output_layer)``."""
    (X, Y, sample_weight), (train, test) = data, fold
    model = _path_model(estimator, X.shape[0])
    train_weight, test_weight = (
        None if sample_weight is None else sample_weight[rows] for rows in fold
    )
    loss = units[1][1]  # (spread, (output activation, loss, parameter))
    Y_train = estimator._search_targets(Y[train], loss)
    errors = {}
    with warnings.catch_warnings():
        # The path's fits are a means to an end: their convergence is not
        # the user's concern, the final fit's is.
        warnings.simplefilter("ignore")
        for alpha in alpha_grid(estimator, len(Y)):
            model.set_params(alpha=alpha).fit(X[train], Y_train, train_weight)
            prediction = estimator._search_predictions(model, X[test], Y.shape[1])
            error = _fold_error(prediction, Y[test], test_weight, units)
            flat = len(Y) < MIN_TESTABLE_ROWS and _flat(
                estimator, model, X[train], Y[train]
            )
            errors[alpha] = float(error), bool(flat)
    return errors


def _flat(estimator, model, X, Y):
    """Whether the model's predictions on its training rows barely vary.
    Only ``choose_alpha``'s handful-of-rows rule asks, so only then is it
    computed."""
    fitted = estimator._search_predictions(model, X, Y.shape[1])
    return np.any(fitted.std(axis=0) < COLLAPSE_RATIO * Y.std(axis=0))


def _error_units(Y, sample_weight, output_layer):
    """Per-output spread the validation errors are measured in (1 for
    probabilities)."""
    loss = output_layer[1]
    target_map = LOSSES[loss].target_map
    if target_map is None:
        return np.ones(Y.shape[1])
    if loss == "squared_error":
        spread = Y.std(axis=0)
        return np.where(spread > 0, spread, 1.0)
    return fit_target_scaling(Y, sample_weight, "identity", target_map)[1]


def _fold_error(prediction, Y, sample_weight, units):
    """Weighted sum of the validation rows' errors, in units of ``spread``."""
    spread, (_, loss, parameter) = units
    if loss == "squared_error":
        squared = np.sum(((prediction - Y) / spread) ** 2, axis=1)
        return squared.sum() if sample_weight is None else squared @ sample_weight
    return prediction_loss(
        loss, parameter, prediction / spread, Y / spread, sample_weight
    )


def _path_model(estimator, n_rows):
    """A fresh, callback-free copy of ``estimator`` that warm-starts."""
    params = estimator.get_params(deep=False)
    # The solver the final fit will use, without early stopping: a fold of
    # a few rows has no validation split to spare, and the path only ranks
    # the penalties.
    solver = estimator._resolve_solver(n_rows, incremental=False)
    params.update(warm_start=True, verbose=False, solver=solver, early_stopping=False)
    limit = PATH_MAX_ITER if n_rows < SEARCH_MAX_ROWS else LARGE_PATH_MAX_ITER
    if limit is not None:
        params["max_iter"] = min(params["max_iter"], limit)
    # Every fold starts from the same weights without drawing from the
    # caller's generator (a copy of a RandomState; a seed is its own copy),
    # so the final fit starts where it would have.
    params["random_state"] = copy.deepcopy(params["random_state"])
    return type(estimator)(**params)


def _fold_seed(estimator):
    if isinstance(estimator.random_state, Integral | None):
        return estimator.random_state
    # A RandomState instance: read a seed from a copy, leaving it untouched.
    return copy.deepcopy(estimator.random_state).randint(np.iinfo(np.int32).max)
