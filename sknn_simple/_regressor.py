"""SimpleMLPRegressor: the scikit-learn estimator."""

import copy
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._activations import ACTIVATIONS, OUTPUT_RANGES
from ._alpha_search import LARGE_DATA_ALPHA, SEARCH_MAX_ROWS, choose_alpha
from ._callbacks import CALLBACKS_AVAILABLE, CallbackMonitor, CallbackSupportMixin
from ._diagnostics import CollapsedFitWarning, collapse_message, median_column_std
from ._docs import API_PAGE_TEMPLATE
from ._network import Network
from ._solvers import AdamOptimizer, SGDOptimizer
from ._target import fit_target_scaling, scale_targets, unscale_targets
from ._training import (
    DIVERGED,
    INTERRUPTED,
    MAX_ITER,
    STOPPED,
    STOPPED_BY_CALLBACK,
    Dataset,
    Progress,
    fit_lbfgs,
    fit_stochastic,
)


@dataclass
class _TrainingRun:
    """What one call to fit or partial_fit produced, before it is committed."""

    network: Network
    params: np.ndarray
    optimizer: object
    progress: Progress
    random_state: np.random.RandomState
    solver: str
    reason: str
    n_iter_before: int
    y_offset: np.ndarray | None
    y_scale: np.ndarray | None
    y_ndim: int
    alpha: float
    callback_data: dict
    collapse: str | None = None
    feature_scale: float | None = None


def _is_stochastic(estimator):
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for the stochastic solvers 'sgd' and "
            f"'adam'; solver={estimator.solver!r} trains on all the data at once. "
            "Use fit instead, or set solver='adam'."
        )
    return True


# solver="auto" trains with L-BFGS up to this many rows, with Adam beyond:
# where L-BFGS stops being faster than MLPRegressor's defaults
# (benchmarks/sweep_defaults.py --grid large).
_LBFGS_MAX_SAMPLES = 10_000

# partial_fit checks for a collapsed model after this many calls.
_PARTIAL_FIT_COLLAPSE_CHECK = 10


def _relative_change(params, start):
    """``||params - start|| / ||start||``, or None without a start."""
    if start is None:
        return None
    return float(np.linalg.norm(params - start) / max(np.linalg.norm(start), 1e-300))


# Callback bookkeeping that scikit-learn keeps on the estimator during fit.
_CALLBACK_FIT_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
# Never pickled or copied: callbacks and their logs belong to the session that
# set them, and a pickled model must not grow with each fit.
_CALLBACK_STATE = ("_skl_callbacks", "_parent_callback_ctx", *_CALLBACK_FIT_STATE)


class SimpleMLPRegressor(CallbackSupportMixin, RegressorMixin, BaseEstimator):
    """Multi-layer perceptron regressor trained by backpropagation.

    A fully connected network, by default two hidden layers of sigmoid units
    and a linear output, trained to minimise the squared error. All weights
    live in one flat vector; ``coefs_`` and ``intercepts_`` are views into it.

    The objective, for sample weights ``s`` (ones by default) summing to
    ``S`` and ``k`` outputs, is::

        loss = 1 / (2 S k) * sum_i s_i * ||f(x_i) - y_i||²
               + alpha / (2 S) * sum_l ||coefs_[l]||²

    half the weighted mean squared error plus an L2 penalty on the weights,
    the same units as :class:`~sklearn.neural_network.MLPRegressor`'s
    ``loss_``. With ``normalize_y=True`` it is measured on the normalised
    targets.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(20, 20)
        Number of units in each hidden layer; at least one layer. Chosen by
        cross-validation (``benchmarks/sweep_defaults.py``): with the other
        defaults, two layers of 20 came within 0.005 R² of layers of 50 and
        100 on every benchmark dataset and beat them on Friedman's three,
        in 0.29 times the total fit time of layers of 50 (0.19 to 0.58 per
        dataset).

    activation : {"logistic", "tanh", "relu", "identity"}, default="logistic"
        Activation of the hidden layers. "logistic" is the sigmoid
        ``1 / (1 + exp(-z))`` of the network this library teaches.

    output_activation : {"identity", "logistic", "tanh"}, default="identity"
        Activation of the output layer. "identity" lets the network output
        any value. "logistic" reproduces a sigmoid output layer; it can only
        output values in (0, 1), so keep ``normalize_y=True`` with it.

    solver : {"auto", "adam", "sgd", "lbfgs"}, default="auto"
        "adam" and "sgd" take minibatch steps and support ``partial_fit``;
        "lbfgs" is a quasi-Newton method on the full data. "auto" uses
        "lbfgs" for up to 10,000 training rows and "adam" beyond, with
        early stopping (which needs epochs) and for ``partial_fit``. Measured
        by ``benchmarks/sweep_defaults.py --grid large``: up to 10,000 rows
        L-BFGS was the most accurate and still faster than MLPRegressor's
        defaults; at 30,000 rows it was 0.005 R² ahead of Adam (0.959
        against 0.954) but took 14 times as long. The solver used is
        stored in ``solver_``.

    alpha : float or "auto", default="auto"
        Strength of the L2 penalty on the weights (see the objective above).
        The penalty is divided by the sum of the sample weights ``S`` of all
        training rows, for every solver and batch size, so it matters less
        as the data grows, and its effect depends on the scale of the
        features (the weights must grow to undo small inputs): standardise
        X. (MLPRegressor divides it by each minibatch's weight instead.)
        "auto" chooses it by cross-validation on fewer than 200 rows, where
        a fixed penalty either swamps the data (a constant model) or lets
        the network fit noise: each of 3 folds (leave-one-out below 10 rows)
        fits the candidates 0.001, 0.01, 0.1, 0.3 and 1, weakest first and
        each warm-started from the previous one, and the candidate with the
        lowest validation error is refitted on all rows. From 200 rows on,
        and in ``partial_fit``, "auto" is 1.0. The value used is
        ``alpha_``. A float is used as given.

    batch_size : int or "auto", default="auto"
        Minibatch size of the stochastic solvers; "auto" is
        ``min(200, n_samples)``. Ignored by "lbfgs".

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule of "sgd": constant; ``learning_rate_init /
        (t + 1) ** power_t`` with ``t`` the samples seen; or divided by 5
        each time more than ``n_iter_no_change`` consecutive epochs pass
        without improvement.

    learning_rate_init : float, default=0.01
        Initial step size of "sgd" and "adam". Ten times MLPRegressor's:
        with 0.001, Adam stalled on the sigmoid's early plateau (R² 0.78
        against 0.95 with 0.01 on 3,000 rows of ``make_friedman1``).

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.

    max_iter : int, default=2000
        Maximum number of epochs ("sgd", "adam") or iterations ("lbfgs")
        of one call to ``fit``. Set so that default fits converge before it:
        on the real-data benchmark some L-BFGS fits of 1,000 to 10,000 rows
        needed up to 1,527 iterations (see the Benchmarks page).

    shuffle : bool, default=True
        Whether to shuffle the rows before each epoch ("sgd", "adam").

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
        Pass an int for reproducible results.

    tol : float, default=1e-4
        Training stops when the loss (or, with early stopping, the validation
        score) has not improved by at least ``tol`` for more than
        ``n_iter_no_change`` consecutive epochs, as in ``MLPRegressor``. For
        "lbfgs" it is scipy's ``gtol``.

    verbose : bool, default=False
        Print one line per epoch or iteration.

    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of new weights; the
        curves and ``n_iter_`` continue.

    momentum : float, default=0.9
        Momentum of "sgd", in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with "sgd" when ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows, stop when the
        validation R² stops improving, and keep the weights that scored best.
        "sgd" and "adam" only. Off by default: L-BFGS, the default solver up
        to 10,000 rows, has no epochs to stop, and beyond that it changed
        the cross-validated R² of Adam with the default ``alpha`` and
        learning rate by at most 0.001 (3,000 to 100,000 rows,
        ``benchmarks/sweep_defaults.py --grid large``).

    validation_fraction : float, default=0.1
        Fraction of rows held out for early stopping, in (0, 1).

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int, default=10
        Training stops after more than this many consecutive epochs without
        an improvement of ``tol`` ("sgd", "adam").

    max_fun : int, default=15000
        Maximum number of loss evaluations of "lbfgs".

    normalize_y : bool, default=True
        Map each target column to a scale the output layer can learn
        (standardise for the identity output, map the range into the middle
        80% of a bounded activation's range) and map predictions back. Raw
        targets such as prices then train without a
        :class:`~sklearn.compose.TransformedTargetRegressor`. For
        ``partial_fit`` the map is fitted on the first batch.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[i]`` is the weight matrix from layer ``i`` to ``i + 1``, a
        view into the flat parameter vector.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the bias vector of layer ``i + 1``, a view.
    loss_ : float
        Loss at the end of training.
    best_loss_ : float or None
        Lowest training loss reached; None with early stopping.
    loss_curve_ : list of float
        Training loss after each epoch ("sgd", "adam") or iteration ("lbfgs").
    validation_scores_ : list of float or None
        Validation R² after each epoch with early stopping, else None.
    validation_loss_curve_ : list of float or None
        Validation squared-error term (no penalty) after each epoch with
        early stopping, else None.
    best_validation_score_ : float or None
        Best validation R² with early stopping, else None.
    t_ : int
        Number of training rows seen by the solver.
    n_iter_ : int
        Number of epochs or iterations run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X had string column names.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of outputs.
    out_activation_ : str
        Name of the output activation.
    solver_ : str
        The solver used by the last call to ``fit`` or ``partial_fit``.
    alpha_ : float
        The penalty trained with: ``alpha``, or the one "auto" chose.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn_simple import SimpleMLPRegressor
    >>> X, y = make_friedman1(n_samples=500, random_state=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> model = make_pipeline(StandardScaler(), SimpleMLPRegressor(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    >>> model[-1].solver_, [coef.shape for coef in model[-1].coefs_]
    ('lbfgs', [(10, 20), (20, 20), (20, 1)])
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions(set(OUTPUT_RANGES))],
        "solver": [StrOptions({"auto", "adam", "sgd", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "normalize_y": ["boolean"],
    }
    _doc_link_module = "sknn_simple"  # the HTML repr's "?" links to our API page
    _doc_link_template = API_PAGE_TEMPLATE

    def __init__(
        self,
        hidden_layer_sizes=(20, 20),
        activation="logistic",
        *,
        output_activation="identity",
        solver="auto",
        alpha="auto",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.01,
        power_t=0.5,
        max_iter=2000,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        normalize_y=True,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.normalize_y = normalize_y

    # ------------------------------------------------------------ public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data; float32 trains in float32, anything else in float64.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, on any scale when ``normalize_y=True``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; weight ``w`` counts a row ``w`` times.

        Returns
        -------
        self : SimpleMLPRegressor
            The fitted estimator.

        Notes
        -----
        Training never leaves a half-written model:

        - if the loss becomes non-finite or grows a thousandfold, training
          stops, keeps the best weights seen and warns
          (:class:`~sklearn.exceptions.ConvergenceWarning`);
        - on Ctrl-C (:class:`KeyboardInterrupt`) the model keeps the weights
          of the last completed epoch or iteration, with matching
          ``n_iter_`` and ``loss_curve_``, and the interrupt is raised again
          so a script stops; in a notebook, the interrupted model is ready
          to use or to continue with ``warm_start=True``;
        - any other error leaves the estimator exactly as it was before the
          call, a previous fit included; so does Ctrl-C during the search of
          ``alpha="auto"``, before the model itself trains.

        A model that predicts almost the same value for every training row
        (the spread of its predictions under 5% of y's) while X is related
        to y, or on fewer than 20 rows, where no test can tell, raises a
        :class:`~sknn_simple.CollapsedFitWarning` naming the likely cause. A
        near-constant fit of y that X does not explain is the right answer
        and raises nothing.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : SimpleMLPRegressor
            The updated estimator.
        """
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "held-out data between calls. Set early_stopping=False, or use fit."
            )
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the trained network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, shaped like the ``y`` given to ``fit``, in the
            dtype the model was trained in.

        Raises
        ------
        ValueError
            When a prediction would be infinite or NaN: inputs far outside
            the training range can overflow a network with unbounded (relu,
            identity) layers. A fitted model never returns a non-finite value.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=self._flat_params.dtype,
            reset=False,
        )
        with np.errstate(over="ignore", invalid="ignore"):
            output = self._network.predict(
                self._flat_params, X, views=(self.coefs_, self.intercepts_)
            )
            if self.normalize_y:
                output = unscale_targets(output, self._y_offset, self._y_scale)
        if not np.isfinite(output).all():
            n_bad = int(np.sum(~np.isfinite(output).all(axis=1)))
            raise ValueError(
                f"The prediction overflows for {n_bad} of {output.shape[0]} rows: "
                "their feature values are too large for the trained network. "
                "Scale X the way the training data was scaled (for example with "
                "the StandardScaler fitted in the same Pipeline)."
            )
        return output.ravel() if self._y_ndim == 1 else output

    def __sklearn_is_fitted__(self):
        # n_features_in_ alone is set by validation before training starts.
        return hasattr(self, "_flat_params")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------- views survive pickling
    def __getstate__(self):
        # Views would be pickled as copies; they are rebuilt from _flat_params.
        # Callbacks are left out (see _CALLBACK_STATE). A new dict: the base
        # class may return the live __dict__.
        return {
            key: value
            for key, value in super().__getstate__().items()
            if key not in ("coefs_", "intercepts_", *_CALLBACK_STATE)
        }

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_flat_params" in state:
            self.coefs_, self.intercepts_ = self._network.unpack(self._flat_params)

    # -------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight, *, incremental):
        # Fitting replaces attributes and never mutates them in place, so a
        # shallow copy is enough to undo a fit that raises: validate_data
        # alone would otherwise leave a new n_features_in_ on an old model.
        state_before = dict(self.__dict__)
        try:
            # Overflow inside the network shows up as a non-finite loss, which
            # training handles (stop, keep good weights, warn): no raw
            # RuntimeWarning from numpy should reach the user.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                run = self._train(X, y, sample_weight, incremental=incremental)
        except BaseException:
            self._restore(state_before)
            raise
        if run.reason == INTERRUPTED and run.progress.n_iter == run.n_iter_before:
            self._restore(state_before)  # nothing learned: leave it as it was
            raise KeyboardInterrupt
        self._commit(run)
        if hasattr(self, "_callback_fit_ctx"):
            self._callback_fit_ctx.call_on_fit_task_end(
                estimator=self, reconstruction_attributes={}, **run.callback_data
            )
        if run.reason == INTERRUPTED:
            raise KeyboardInterrupt  # the model keeps what it learned
        self._warn_about(run.reason, run.progress, incremental, run.feature_scale)
        if run.collapse:
            warnings.warn(run.collapse, CollapsedFitWarning)
        return self

    def _restore(self, state_before):
        # Callback bookkeeping set during this fit stays: scikit-learn needs
        # it to tear the callbacks down.
        bookkeeping = {
            key: self.__dict__[key]
            for key in _CALLBACK_FIT_STATE
            if key in self.__dict__
        }
        self.__dict__.clear()
        self.__dict__.update(state_before)
        self.__dict__.update(bookkeeping)

    def _train(self, X, y, sample_weight, *, incremental):
        """Validate, train on copies, and return the result; sets nothing
        but what ``validate_data`` sets."""
        hidden_layer_sizes = self._validated_hidden_layer_sizes()
        continuing = hasattr(self, "_flat_params") and (self.warm_start or incremental)
        X, Y, sample_weight, y_ndim = self._validate_training_data(
            X, y, sample_weight, reset=not continuing
        )
        if continuing:
            self._check_continuation(hidden_layer_sizes, Y)
        network, params, progress, random_state, (offset, scale) = self._starting_point(
            X, Y, sample_weight, hidden_layer_sizes, continuing
        )
        callback_data = {
            "X": X,
            "y": Y.ravel() if y_ndim == 1 else Y,
            "metadata": None
            if sample_weight is None
            else {"sample_weight": sample_weight},
        }
        alpha = self._resolve_alpha(X, Y, sample_weight, continuing, incremental)
        if self.normalize_y:
            Y = scale_targets(Y, offset, scale)
        Y = Y.astype(X.dtype, copy=False)
        n_iter_before = progress.n_iter

        solver = self._resolve_solver(X.shape[0], incremental)

        def reconstruct(params):
            coefs, intercepts = network.unpack(params)
            return {
                "_network": network,
                "_flat_params": params,
                "coefs_": coefs,
                "intercepts_": intercepts,
                "_y_offset": offset,
                "_y_scale": scale,
                "_y_ndim": y_ndim,
                "solver_": solver,
                "n_iter_": progress.n_iter,
                "loss_curve_": list(progress.loss_curve),
            }

        monitor = self._start_callbacks(solver, incremental, callback_data, reconstruct)
        start = None if incremental or solver == "lbfgs" else params.copy()
        optimizer = None
        if solver == "lbfgs":
            reason = fit_lbfgs(
                network,
                params,
                progress,
                Dataset(X, Y, sample_weight),
                alpha=alpha,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                verbose=self.verbose,
                monitor=monitor,
            )
        else:
            optimizer = self._optimizer_for(
                solver, params, keep=incremental and continuing
            )
            data = self._split_data(X, Y, sample_weight, random_state, incremental)
            reason = fit_stochastic(
                network,
                params,
                optimizer,
                progress,
                data,
                batch_size=self._effective_batch_size(data.Y.shape[0]),
                max_epochs=1 if incremental else self.max_iter,
                shuffle=self.shuffle,
                random_state=random_state,
                alpha=alpha,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                early_stopping=self.early_stopping and not incremental,
                verbose=self.verbose,
                monitor=monitor,
            )
        collapse = None
        if self._should_check_collapse(reason, progress, incremental):
            collapse = collapse_message(
                network.forward(params, X),
                Y,
                X,
                sample_weight,
                alpha=alpha,
                weights_moved=_relative_change(params, start),
                output_bounds=None
                if self.normalize_y
                else OUTPUT_RANGES[network.output_activation],
            )
        feature_scale = None
        if reason == MAX_ITER:
            feature_scale = median_column_std(X, sample_weight)
        return _TrainingRun(
            network=network,
            params=params,
            optimizer=optimizer,
            progress=progress,
            random_state=random_state,
            solver=solver,
            reason=reason,
            n_iter_before=n_iter_before,
            y_offset=offset,
            y_scale=scale,
            y_ndim=y_ndim,
            alpha=alpha,
            callback_data=callback_data,
            collapse=collapse,
            feature_scale=feature_scale,
        )

    def _starting_point(self, X, Y, sample_weight, hidden_layer_sizes, continuing):
        """Network, weights, progress, random state and target scaling to
        train from: copies of the fitted ones when continuing, else new."""
        if continuing:
            return (
                self._network,
                self._flat_params.copy(),
                self._progress_so_far(),
                copy.deepcopy(self._random_state),
                (self._y_offset, self._y_scale),
            )
        random_state = check_random_state(self.random_state)
        network = Network(
            (X.shape[1], *hidden_layer_sizes, Y.shape[1]),
            self.activation,
            self.output_activation,
        )
        params = network.initialize(random_state, dtype=X.dtype)
        return (
            network,
            params,
            Progress(),
            random_state,
            self._target_scaling(Y, sample_weight),
        )

    def _start_callbacks(self, solver, incremental, callback_data, reconstruct):
        """Open the root callback task; return the per-iteration monitor.

        Nothing is set up when no callback is set (or scikit-learn has no
        callback API): the loops then run without any hook calls.
        """
        if not (CALLBACKS_AVAILABLE and getattr(self, "_skl_callbacks", None)):
            return None
        if solver == "lbfgs":
            # One subtask per iteration, plus the one begun after the last
            # iteration that scipy never runs.
            max_subtasks, task_name = self.max_iter + 1, "iteration"
        else:
            max_subtasks, task_name = (1 if incremental else self.max_iter), "epoch"
        context = self._init_callback_context(
            task_name="partial_fit" if incremental else "fit",
            max_subtasks=max_subtasks,
        )
        context.call_on_fit_task_begin(estimator=self, **callback_data)
        return CallbackMonitor(
            self, context, task_name, reconstruct=reconstruct, **callback_data
        )

    def _validated_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not sizes or not all(
            isinstance(size, Integral) and not isinstance(size, bool) and size >= 1
            for size in sizes
        ):
            raise InvalidParameterError(
                "The 'hidden_layer_sizes' parameter of SimpleMLPRegressor must be a "
                "positive int or a non-empty sequence of positive ints, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(size) for size in sizes]

    def _validate_training_data(self, X, y, sample_weight, *, reset):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32] if reset else self._flat_params.dtype,
            # Row-major: minibatches gather rows, and results do not depend on
            # the layout the caller happened to pass (e.g. a DataFrame's).
            order="C",
            multi_output=True,
            y_numeric=True,
        )
        if sp.issparse(X):
            X = X.tocsr()  # minibatches gather rows
        y_ndim = y.ndim
        # float64 until normalised, whatever X's dtype (see _target).
        Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:
                raise ValueError(
                    "sample_weight sums to zero: at least one sample needs a "
                    "positive weight."
                )
        return X, Y, sample_weight, y_ndim

    def _check_continuation(self, hidden_layer_sizes, Y):
        expected = tuple(self._network.layer_sizes[1:-1])
        if tuple(hidden_layer_sizes) != expected:
            raise ValueError(
                f"hidden_layer_sizes={tuple(hidden_layer_sizes)} differs from the "
                f"fitted network's {expected}; warm_start and partial_fit continue "
                "the same network. Set warm_start=False to train a new one."
            )
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the fitted network has "
                f"{self.n_outputs_}; warm_start and partial_fit need the same number."
            )
        if (self.activation, self.output_activation) != (
            self._network.activation,
            self._network.output_activation,
        ):
            raise ValueError(
                "activation or output_activation differ from the fitted network's; "
                "set warm_start=False to train a new network."
            )

    @staticmethod
    def _should_check_collapse(reason, progress, incremental):
        """After every fit that ran to an end; for partial_fit once, after
        the tenth call, when a healthy model has had time to move."""
        if reason in (INTERRUPTED, DIVERGED):
            return False
        return not incremental or progress.n_iter == _PARTIAL_FIT_COLLAPSE_CHECK

    def _resolve_alpha(self, X, Y, sample_weight, continuing, incremental):
        """The penalty to train with: ``alpha``, or what "auto" chooses."""
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            return float(self.alpha)
        if continuing:
            return getattr(self, "alpha_", LARGE_DATA_ALPHA)
        if incremental or not 2 <= X.shape[0] < SEARCH_MAX_ROWS:
            return LARGE_DATA_ALPHA
        return choose_alpha(self, X, Y, sample_weight)[0]

    def _target_scaling(self, Y, sample_weight):
        if not self.normalize_y:
            return None, None
        return fit_target_scaling(Y, sample_weight, self.output_activation)

    def _progress_so_far(self):
        return Progress(
            loss_curve=list(self.loss_curve_),
            validation_scores=list(self.validation_scores_ or []),
            validation_loss_curve=list(self.validation_loss_curve_ or []),
            best_loss=np.inf if self.best_loss_ is None else self.best_loss_,
            best_validation_score=(
                -np.inf
                if self.best_validation_score_ is None
                else self.best_validation_score_
            ),
            no_improvement_count=0,
            n_iter=self.n_iter_,
            t=self.t_,
            loss=self.loss_,
        )

    def _resolve_solver(self, n_samples, incremental):
        if self.solver != "auto":
            return self.solver
        if incremental or self.early_stopping or n_samples > _LBFGS_MAX_SAMPLES:
            return "adam"
        return "lbfgs"

    def _optimizer_for(self, solver, params, *, keep):
        previous = getattr(self, "_optimizer", None)
        kind = SGDOptimizer if solver == "sgd" else AdamOptimizer
        if keep and isinstance(previous, kind):
            return previous.copy()
        if solver == "sgd":
            return SGDOptimizer(
                params.size,
                params.dtype,
                learning_rate_init=self.learning_rate_init,
                schedule=self.learning_rate,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                power_t=self.power_t,
            )
        return AdamOptimizer(
            params.size,
            params.dtype,
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    def _split_data(self, X, Y, sample_weight, random_state, incremental):
        if not self.early_stopping or incremental:
            return Dataset(X, Y, sample_weight)
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        split = train_test_split(
            *arrays, test_size=self.validation_fraction, random_state=random_state
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
        return Dataset(X_train, Y_train, sw_train, X_val, Y_val, sw_val)

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; using full-batch steps of that size.",
                UserWarning,
            )
        return min(self.batch_size, n_samples)

    def _commit(self, run):
        """Turn the result of a training run into fitted attributes."""
        progress = run.progress
        self._network = run.network
        self._flat_params = run.params
        self._optimizer = run.optimizer
        self._random_state = run.random_state
        self._y_offset, self._y_scale = run.y_offset, run.y_scale
        self._y_ndim = run.y_ndim
        self.solver_ = run.solver
        self.alpha_ = run.alpha
        self.coefs_, self.intercepts_ = run.network.unpack(run.params)
        self.n_layers_ = run.network.n_layers + 1
        self.n_outputs_ = run.network.layer_sizes[-1]
        self.out_activation_ = run.network.output_activation
        self.n_iter_ = progress.n_iter
        self.t_ = progress.t
        self.loss_ = progress.loss
        self.loss_curve_ = progress.loss_curve
        if run.solver != "lbfgs" and self.early_stopping and progress.validation_scores:
            self.best_loss_ = None
            self.validation_scores_ = progress.validation_scores
            self.validation_loss_curve_ = progress.validation_loss_curve
            self.best_validation_score_ = progress.best_validation_score
        else:
            self.best_loss_ = progress.best_loss
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None

    def _warn_about(self, reason, progress, incremental, feature_scale):
        if reason == STOPPED_BY_CALLBACK:
            return  # asked for: no warning
        if reason == DIVERGED:
            warnings.warn(progress.message, ConvergenceWarning)
        elif reason == MAX_ITER and not incremental:
            warnings.warn(
                _max_iter_message(self.solver_, self, progress, feature_scale),
                ConvergenceWarning,
            )
        elif reason == STOPPED:
            warnings.warn(
                f"L-BFGS stopped before converging: {progress.message}.",
                ConvergenceWarning,
            )


def _max_iter_message(solver, params, progress, feature_scale):
    """What a fit stopped by its iteration limit reached, and what to raise."""
    curve = progress.loss_curve
    window = min(10, len(curve) - 1)
    change = ""
    if window > 0 and curve[-1] > 0:
        fall = (curve[-1 - window] - curve[-1]) / curve[-1]
        change = (
            f" The loss was {curve[-1]:.4g} and still fell by {fall:.2g} of "
            f"itself over the last {window} iterations."
        )
    if solver == "lbfgs" and "EVALUATIONS" in progress.message.upper():
        message = (
            f"L-BFGS used max_fun={params.max_fun} loss evaluations before "
            f"converging.{change} Increase max_fun."
        )
    elif solver == "lbfgs":
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
    if feature_scale is not None and not 0.1 <= feature_scale <= 10:
        message += (
            " The features are far from unit scale (median column standard "
            f"deviation {feature_scale:.3g}), which slows training: scale them, "
            "for example with StandardScaler."
        )
    return message
