"""SimpleMLPRegressor: the scikit-learn estimator."""

import copy
import functools
import os
import types
import warnings
from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._activations import ACTIVATIONS, OUTPUT_RANGES
from ._alpha_search import LARGE_DATA_ALPHA, SEARCH_MAX_ROWS, choose_alpha
from ._array_api import (
    ARRAY_API_AVAILABLE,
    NEEDS_NEWER_SKLEARN,
    check_same_namespace,
    copy_of,
    host_dtype,
    input_namespace,
    namespace_of,
    take_rows,
    to_device,
    to_host,
)
from ._callbacks import CALLBACKS_AVAILABLE, CallbackMonitor, CallbackSupportMixin
from ._diagnostics import (
    clearly_spread_on_a_quarter,
    collapse_message,
    evenly_spaced_rows,
    median_column_std,
    warn_about_fit,
)
from ._docs import API_PAGE_TEMPLATE
from ._losses import IDENTITY_OUTPUT_ONLY, LOSSES
from ._network import Network
from ._penalty import L2Penalty
from ._rows import merge_duplicate_rows
from ._solvers import AdamOptimizer, SGDOptimizer
from ._state import FittedAttribute, FittedState, History, plain_from_legacy
from ._target import fit_target_scaling, scale_targets, scale_targets_xp
from ._training import (
    DIVERGED,
    INTERRUPTED,
    MAX_ITER,
    Dataset,
    LbfgsSettings,
    Progress,
    StochasticSettings,
    fit_lbfgs,
    fit_stochastic,
)


class _stochastic_only:  # noqa: N801 (used as a decorator)
    """Make a method exist only for the stochastic solvers.

    Like scikit-learn's ``available_if``, the method is missing (``hasattr``
    is False) when ``solver="lbfgs"``; unlike it, the :class:`AttributeError`
    says in its own message why and what to do, instead of a generic
    "has no attribute" with the reason in a chained cause.
    """

    def __init__(self, method):
        self.method = method
        functools.update_wrapper(self, method)

    def __get__(self, estimator, owner=None):
        if estimator is None:  # the class: for help() and the docs
            return self.method
        if estimator.solver == "lbfgs":
            raise AttributeError(
                f"{type(estimator).__name__!r} object has no attribute "
                f"{self.method.__name__!r} with solver='lbfgs': partial_fit is only "
                "available for the stochastic solvers 'sgd' and 'adam' (and "
                "'auto', which trains Adam in partial_fit), because L-BFGS "
                "trains on all the data at once. Use fit instead, or set "
                "solver='adam'."
            )
        return types.MethodType(self.method, estimator)


# solver="auto" trains with L-BFGS up to this many rows, with Adam beyond:
# where L-BFGS stops being faster than MLPRegressor's defaults
# (benchmarks/sweep_defaults.py --grid large).
_LBFGS_MAX_SAMPLES = 10_000

# Parameters added since version 0.1, with the values its models trained with.
_ADDED_PARAMETERS = {"loss": "squared_error", "quantile": 0.5, "huber_delta": 1.0}

# partial_fit checks for a collapsed model after this many calls.
_PARTIAL_FIT_COLLAPSE_CHECK = 10


# Callback bookkeeping that scikit-learn keeps on the estimator during fit.
_CALLBACK_FIT_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
# Never pickled or copied: callbacks and their logs belong to the session that
# set them, and a pickled model must not grow with each fit.
_CALLBACK_STATE = ("_skl_callbacks", "_parent_callback_ctx", *_CALLBACK_FIT_STATE)


class SimpleMLPRegressor(CallbackSupportMixin, RegressorMixin, BaseEstimator):
    """Multi-layer perceptron regressor trained by backpropagation.

    A fully connected network, by default two hidden layers of sigmoid units
    and a linear output, trained to minimise the squared error (or another
    ``loss``). All weights live in one flat vector; ``coefs_`` and
    ``intercepts_`` are views into it.

    The objective, for sample weights ``s`` (ones by default) summing to
    ``S``, ``k`` outputs and network outputs ``o = f(x)``, is::

        loss = 1 / (S k) * sum_i s_i * sum_j l(o_ij, y_ij)
               + alpha / (2 S) * sum_l ||coefs_[l]||²

    the weighted mean of the loss ``l`` of each output value plus an L2
    penalty on the weights. With ``r = o - y``, ``d = huber_delta`` and
    ``q = quantile``, ``l`` is:

    - "squared_error": ``r² / 2``, so the data term is half the weighted
      mean squared error, the units of
      :class:`~sklearn.neural_network.MLPRegressor`'s ``loss_``;
    - "poisson": ``exp(o) - y o + y log y - y``, half the Poisson deviance
      of the prediction ``mu = exp(o)`` (a log link, so predictions are
      positive; needs ``y >= 0`` and ``output_activation="identity"``),
      MLPRegressor's ``loss="poisson"``;
    - "huber": ``r² / 2`` where ``|r| <= d``, else ``d (|r| - d / 2)``;
    - "absolute_error": ``|r|`` (the prediction estimates the median);
    - "quantile": the pinball loss ``max(r, 0) - q r`` (the prediction
      estimates the ``q``-quantile).

    With ``normalize_y=True``, ``l`` and ``loss_`` are measured on the
    normalised targets (see ``normalize_y``). ``score`` is R² for every
    loss, as in scikit-learn; judge a quantile model with
    :func:`~sklearn.metrics.mean_pinball_loss` and a Poisson one with
    :func:`~sklearn.metrics.mean_poisson_deviance`.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(20, 20)
        Number of units in each hidden layer; at least one layer. The
        default was chosen by cross-validation (see the docs' Benchmarks
        page).

    activation : {"logistic", "tanh", "relu", "identity"}, default="logistic"
        Activation of the hidden layers. "logistic" is the sigmoid
        ``1 / (1 + exp(-z))`` of the network this library teaches.

    output_activation : {"identity", "logistic", "tanh"}, default="identity"
        Activation of the output layer. "identity" lets the network output
        any value. "logistic" reproduces a sigmoid output layer; it can only
        output values in (0, 1), so keep ``normalize_y=True`` with it.

    loss : {"squared_error", "poisson", "huber", "absolute_error", \
            "quantile"}, default="squared_error"
        What training minimises (formulas above). "poisson" for counts and
        other non-negative amounts whose spread grows with their mean;
        "huber" and "absolute_error" for targets with gross outliers;
        "quantile" for a quantile of y given X, e.g. the bounds of a
        prediction interval from two models.

    quantile : float, default=0.5
        The quantile ``loss="quantile"`` estimates, in (0, 1), as in
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor`; 0.5 is the
        median.

    huber_delta : float, default=1.0
        Where ``loss="huber"`` turns from squared to linear, in the units of
        the normalised targets: with ``normalize_y=True`` these are robust
        standard deviations of y (interquartile range / 1.349), so 1.0 keeps
        the residuals of a reasonable fit, well under y's own spread,
        squared and counts only gross errors linearly, whatever y's scale.
        (``epsilon`` and ``alpha`` name other things here, so not
        :class:`~sklearn.linear_model.HuberRegressor`'s ``epsilon``, which
        is relative to a scale it estimates.) In y's units with
        ``normalize_y=False``.

    solver : {"auto", "adam", "sgd", "lbfgs"}, default="auto"
        "adam" and "sgd" take minibatch steps and support ``partial_fit``;
        "lbfgs" is a quasi-Newton method on the full data, and has no
        ``partial_fit`` (``hasattr(model, "partial_fit")`` is False). "auto"
        uses "lbfgs" for ``fit`` on up to 10,000 rows, where it was the most
        accurate, and "adam" on more rows, with early stopping (which needs
        epochs) and for ``partial_fit``. The solver used is ``solver_``.
        So with "auto", ``partial_fit`` trains Adam where ``fit`` on the
        same rows trains L-BFGS: tools that score incremental fits
        (``learning_curve(..., exploit_incremental_learning=True)``, searches
        that grow ``partial_fit`` budgets) score an Adam model, not the
        refit. Set ``solver="adam"`` to make both train the same model.

    alpha : float or "auto", default="auto"
        Strength of the L2 penalty on the weights (see the objective above).
        It is divided by the sum of the sample weights of all training
        rows, for every solver and batch size, so it matters less as the
        data grows. Its effect depends on the scale of the features: on
        small inputs the weights must grow to carry any signal, and the
        penalty stops them, so standardise X. "auto" chooses the penalty by
        cross-validation on fewer than 200 rows, where a fixed one either
        flattens the network to a constant or lets it fit noise: 3 folds
        over 0.001, 0.01, 0.1, 0.3 and 1, each fold a path from the weakest,
        warm-started; the winner is refitted on all rows.
        Below 10 rows "auto" is 0.001, without a search; from 200 rows on,
        and in ``partial_fit``, it is 1. (An L-BFGS fit counts, and folds,
        the distinct rows: repeated rows are merged first.) The value used
        is ``alpha_``; a float is used as given.

    batch_size : int or "auto", default="auto"
        Minibatch size of the stochastic solvers; "auto" is
        ``min(200, n_samples)``. Ignored by "lbfgs".

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule of "sgd": constant; ``learning_rate_init /
        (t + 1) ** power_t`` with ``t`` the samples seen; or divided by 5
        each time more than ``n_iter_no_change`` consecutive epochs pass
        without improvement.

    learning_rate_init : float, default=0.01
        Initial step size of "sgd" and "adam"; ten times MLPRegressor's,
        with which Adam stalls on the sigmoid's early plateau.

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.

    max_iter : int, default=2000
        Maximum number of epochs ("sgd", "adam") or iterations ("lbfgs")
        of one call to ``fit``; default fits converge before it.

    shuffle : bool, default=True
        Whether to shuffle the rows before each epoch ("sgd", "adam").

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
        Pass an int for reproducible results.

    tol : float, default=1e-4
        Training stops when the loss (or, with early stopping, the validation
        score) has not improved by at least ``tol`` for more than
        ``n_iter_no_change`` consecutive epochs, as in ``MLPRegressor``.
        "lbfgs" stops when its projected gradient is below ``tol`` (scipy's
        ``gtol``), or when the loss fell by less than ``tol`` times itself
        over the last ``n_iter_no_change`` iterations.

    verbose : bool, default=False
        Print one line per epoch or iteration.

    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of new weights; the
        curves and ``t_`` continue, and ``n_iter_`` counts this call's
        epochs.

    momentum : float, default=0.9
        Momentum of "sgd", in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with "sgd" when ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows, stop when the
        validation R² stops improving, and keep the weights that scored best.
        "sgd" and "adam" only (with "auto", it selects "adam"). Off by
        default: it changed Adam's cross-validated R² by at most 0.001.

    validation_fraction : float, default=0.1
        Fraction of rows held out for early stopping, in (0, 1).

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int or np.inf, default=10
        Training stops after more than this many consecutive epochs without
        an improvement of ``tol`` ("sgd", "adam"), or when the loss fell by
        less than ``tol`` of itself over this many iterations ("lbfgs").
        ``np.inf`` switches this rule off, as in ``MLPRegressor``: training
        then runs for ``max_iter`` epochs (L-BFGS still stops at scipy's own
        convergence test).

    max_fun : int, default=15000
        Maximum number of loss evaluations of "lbfgs".

    normalize_y : bool, default=True
        Map each target column to a scale the output layer can learn
        (standardise for the identity output, map the range into the middle
        80% of a bounded activation's range) and map predictions back. For
        "huber", "absolute_error" and "quantile" the identity output's map
        is robust: subtract the median, divide by the interquartile range /
        1.349, so outliers move neither. For "poisson" y is divided by its
        mean and not centred (it must stay non-negative); all-zero y is
        left as it is. Raw
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
        Validation data term of the loss (no penalty) after each epoch with
        early stopping, else None.
    best_validation_score_ : float or None
        Best validation R² with early stopping, else None.
    t_ : int
        Number of training rows seen by the solver (for L-BFGS, the distinct
        rows: repeated rows are merged first).
    n_iter_ : int
        Number of epochs or iterations run by the last call to ``fit`` or
        ``partial_fit``, as in MLPRegressor; ``loss_curve_`` and ``t_`` keep
        the whole history.
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

    Notes
    -----
    Standardise X, for example with
    ``make_pipeline(StandardScaler(), SimpleMLPRegressor())``: the sigmoid
    units saturate on large inputs, and on small ones the penalty keeps the
    weights from carrying the signal. A model that learned nothing warns
    with :class:`~sknn_simple.CollapsedFitWarning`.

    Callbacks (scikit-learn 1.9 and later) are set with ``set_callbacks``,
    e.g. ``model.set_callbacks(ProgressBar())``; in a Pipeline, set them on
    the pipeline. Each epoch, or L-BFGS iteration, is one task.

    Differences from :class:`~sklearn.neural_network.MLPRegressor`:

    - targets are normalised (``normalize_y=True``) and the output may be
      bounded (``output_activation``);
    - ``alpha="auto"`` and the defaults (two layers of 20 sigmoid units,
      L-BFGS up to 10,000 rows, ``learning_rate_init=0.01``);
    - a minibatch's penalty is divided by the weight of all training rows,
      not the batch's, so ``alpha`` means the same for every solver;
    - L-BFGS also stops when its loss stalls (``tol``,
      ``n_iter_no_change``);
    - float32 input trains in float32; sparse input and ``sample_weight``
      work with every solver;
    - a fit that raises leaves the previous model, and a diverging one keeps
      its best weights;
    - ``loss`` is keyword-only (MLPRegressor's first positional parameter
      since scikit-learn 1.7; here ``hidden_layer_sizes`` stays first) and
      also takes "huber", "absolute_error" and "quantile"; with
      ``normalize_y=True`` a Poisson ``loss_`` is measured on y divided by
      its mean, so it is MLPRegressor's divided by that mean;
    - with ``solver="auto"``, ``partial_fit`` trains Adam where ``fit``
      trains L-BFGS (see ``solver``).

    The evidence behind each default is on the docs' Benchmarks page.

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

    # scikit-learn reads the estimator type from __sklearn_tags__, but
    # libraries written against older releases (yellowbrick's visualisers,
    # for one) still test this attribute, which RegressorMixin no longer sets
    # from scikit-learn 1.8 on.
    _estimator_type = "regressor"

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions(set(OUTPUT_RANGES))],
        "loss": [StrOptions(set(LOSSES))],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
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
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
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
        loss="squared_error",
        quantile=0.5,
        huber_delta=1.0,
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
        self.loss = loss
        self.quantile = quantile
        self.huber_delta = huber_delta
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

    @_stochastic_only
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Only for ``solver`` "sgd", "adam" and "auto"; with "lbfgs" the method
        does not exist (``hasattr(model, "partial_fit")`` is False). With
        "auto" it trains Adam (``solver_`` says so) whatever the number of
        rows, while ``fit`` on up to 10,000 rows trains L-BFGS: a model built
        by ``partial_fit`` calls is not the one ``fit`` builds. Set
        ``solver="adam"`` where the two must agree.

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
        # One snapshot: a refit in another thread cannot mix into this call.
        state = self._state
        _check_fit_namespace(self, X, state)
        if not _needs_no_conversion(X, state):
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=state.params.dtype,
                reset=False,
            )
            if X.shape[1] != state.n_features_in:  # refitted since validation
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {state.n_features_in} features as input."
                )
        return state.predict(X)

    def __sklearn_is_fitted__(self):
        return self.__dict__.get("_state") is not None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        tags.array_api_support = ARRAY_API_AVAILABLE
        return tags

    @property
    def _fitted_params(self):
        """The flat parameter vector, for scikit-learn's check_same_namespace."""
        return self._state.params

    # ------------------------------------------------------ fitted attributes
    coefs_ = FittedAttribute(lambda state: state.coefs)
    intercepts_ = FittedAttribute(lambda state: state.intercepts)
    loss_ = FittedAttribute(lambda state: state.history.loss)
    best_loss_ = FittedAttribute(lambda state: state.history.best_loss)
    loss_curve_ = FittedAttribute(lambda state: list(state.history.loss_curve))
    validation_scores_ = FittedAttribute(
        lambda state: _list_or_none(state.history.validation_scores)
    )
    validation_loss_curve_ = FittedAttribute(
        lambda state: _list_or_none(state.history.validation_loss_curve)
    )
    best_validation_score_ = FittedAttribute(
        lambda state: state.history.best_validation_score
    )
    t_ = FittedAttribute(lambda state: state.history.t)
    n_iter_ = FittedAttribute(
        lambda state: (
            state.history.n_iter
            if state.history.last_call_n_iter is None
            else state.history.last_call_n_iter
        )
    )
    n_features_in_ = FittedAttribute(lambda state: state.n_features_in, staged=True)
    feature_names_in_ = FittedAttribute(
        lambda state: (
            FittedAttribute.MISSING
            if state.feature_names_in is None
            else state.feature_names_in
        ),
        staged=True,
    )
    n_layers_ = FittedAttribute(lambda state: state.network.n_layers + 1)
    n_outputs_ = FittedAttribute(lambda state: state.network.layer_sizes[-1])
    out_activation_ = FittedAttribute(lambda state: state.network.output_activation)
    solver_ = FittedAttribute(lambda state: state.solver)
    alpha_ = FittedAttribute(lambda state: state.alpha)

    # ------------------------------------------------------------- pickling
    def __getstate__(self):
        # The fitted state as plain values (see FittedState.to_plain), so a
        # skops file trusts no private type; callbacks are left out (see
        # _CALLBACK_STATE). A new dict: the base class may return the live
        # __dict__.
        state = {
            key: value
            for key, value in super().__getstate__().items()
            if key not in ("_state", FittedAttribute.STAGING, *_CALLBACK_STATE)
        }
        if self.__dict__.get("_state") is not None:
            state["_fitted"] = self._state.to_plain()
        return state

    def __setstate__(self, state):
        state = dict(state)
        fitted = state.pop("_fitted", None)
        if fitted is None and "_flat_params" in state:  # a 0.1 pickle
            fitted = plain_from_legacy(state, state.get("alpha", 1.0))
        # Models saved before these parameters existed trained with their
        # defaults.
        for name, default in _ADDED_PARAMETERS.items():
            state.setdefault(name, default)
        super().__setstate__(state)
        if fitted is not None:
            self._state = FittedState.from_plain(fitted)

    # -------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight, *, incremental):
        """Train, then publish the new state with one assignment.

        The rule: a fit that raises an exception leaves the previous model
        (validation, training, callbacks and warnings turned into errors
        alike). Ctrl-C keeps the epochs completed, if any, and is raised
        again.
        """
        previous = self.__dict__.get("_state")
        # A Ctrl-C in the finally clause below, before its pop, would leave
        # the last fit's feature names staged for this one to read.
        self.__dict__.pop(FittedAttribute.STAGING, None)
        try:
            # Overflow inside the network shows up as a non-finite loss, which
            # training handles (stop, keep good weights, warn): no raw
            # RuntimeWarning from numpy should reach the user.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                run = self._train(X, y, sample_weight, incremental=incremental)
        finally:
            self.__dict__.pop(FittedAttribute.STAGING, None)
        if run.state is None:  # interrupted before anything was learned
            raise KeyboardInterrupt
        self._state = run.state
        try:
            self._end_callbacks(run)
            if run.reason != INTERRUPTED:
                warn_about_fit(self, run, incremental)
        except Exception:
            self._unpublish(previous)
            raise
        if run.reason == INTERRUPTED:
            raise KeyboardInterrupt  # the model keeps what it learned
        return self

    def _unpublish(self, previous):
        if previous is None:
            self.__dict__.pop("_state", None)
        else:
            self._state = previous

    def _end_callbacks(self, run):
        if hasattr(self, "_callback_fit_ctx"):
            self._callback_fit_ctx.call_on_fit_task_end(
                estimator=self, reconstruction_attributes={}, **run.callback_data
            )

    def _train(self, X, y, sample_weight, *, incremental):
        """Validate, train off to the side and return a :class:`_Run`; the
        estimator itself is not changed."""
        previous = self.__dict__.get("_state")
        continuing = previous is not None and (self.warm_start or incremental)
        method = "partial_fit" if incremental else "fit"
        data = self._validated_data(X, y, sample_weight, previous, continuing, method)
        solver = self._resolve_solver(data.X.shape[0], incremental)
        callback_data = data.for_callbacks()
        if solver == "lbfgs":
            # Full-batch L-BFGS (and the alpha="auto" search before it) trains
            # on the distinct rows: a weight of k is then exactly k copies.
            data = replace(data, **_distinct(data))
        start = self._starting_point(data, previous, continuing, incremental)
        Y = _scaled_targets(data, start)

        def state_at(params, progress, optimizer=None):
            return _state_from(start, data, solver, params, progress, optimizer)

        params = copy_of(start.params)
        progress = start.progress.copy()
        monitor = self._start_callbacks(
            solver, incremental, callback_data, state_at, progress
        )
        rows = Dataset(data.X, Y, data.sample_weight)
        trained, penalty = self._training_rows(rows, solver, start, incremental)
        if solver == "lbfgs":
            optimizer = None
            reason = fit_lbfgs(
                start.network,
                params,
                progress,
                trained,
                self._lbfgs_settings(penalty),
                monitor=monitor,
            )
        else:
            optimizer = self._optimizer_for(solver, start, continuing and incremental)
            optimizer.to_namespace(*data.namespace)
            reason = fit_stochastic(
                start.network,
                params,
                optimizer,
                progress,
                trained,
                self._stochastic_settings(penalty, trained, incremental),
                start.random_state,
                monitor=monitor,
            )
        learned = not (
            reason == INTERRUPTED and progress.n_iter == start.progress.n_iter
        )
        return _Run(
            state=state_at(params, progress, optimizer) if learned else None,
            reason=reason,
            message=progress.message,
            callback_data=callback_data,
            collapse=self._collapse_check(
                reason, solver, start, rows, params, progress, incremental, penalty
            ),
            feature_scale=_scale_for_advice(data, reason, incremental),
        )

    def _validated_data(self, X, y, sample_weight, previous, continuing, method):
        if continuing:
            _check_fit_namespace(self, X, previous, method)
        X, Y, sample_weight, y_ndim = self._validate_training_data(
            X,
            y,
            sample_weight,
            reset=not continuing,
            dtype=previous.params.dtype if continuing else None,
        )
        self._check_loss(to_host(Y))
        staged = self.__dict__.get(FittedAttribute.STAGING, {})
        if continuing:
            n_features, names = previous.n_features_in, previous.feature_names_in
        else:
            n_features = staged.get("n_features_in_", X.shape[1])
            names = staged.get("feature_names_in_")
        return _Data(X, Y, sample_weight, y_ndim, n_features, names, input_namespace(X))

    def _starting_point(self, data, previous, continuing, incremental):
        """The fitted state's pieces to train from: the previous ones when
        continuing, else new ones."""
        hidden_layer_sizes = self._validated_hidden_layer_sizes()
        if continuing:
            self._check_continuation(previous, hidden_layer_sizes, data.Y)
            return _Start(
                network=previous.network,
                params=previous.params,
                progress=_progress_of(previous.history),
                random_state=copy.deepcopy(previous.random_state),
                y_offset=previous.y_offset,
                y_scale=previous.y_scale,
                alpha=previous.alpha if self.alpha == "auto" else float(self.alpha),
                optimizer=previous.optimizer,
            )
        alpha = self._resolve_alpha(data, incremental)
        random_state = check_random_state(self.random_state)
        network = Network(
            (data.X.shape[1], *hidden_layer_sizes, data.Y.shape[1]),
            self.activation,
            self.output_activation,
            self.loss,
            self._loss_parameter(),
        )
        offset, scale = self._target_scaling(
            to_host(data.Y), to_host(data.sample_weight)
        )
        params = _initial_params(
            network, random_state, data.host_dtype, hidden_layer_sizes
        )
        return _Start(
            network=network,
            params=params if data.xp is None else to_device(params, *data.namespace),
            progress=Progress(),
            random_state=random_state,
            y_offset=offset,
            y_scale=scale,
            alpha=alpha,
            optimizer=None,
        )

    def _training_rows(self, rows, solver, start, incremental):
        """The rows the loops train on and the fit's one penalty.

        L-BFGS trains on all ``rows``; the stochastic solvers hold out the
        early-stopping validation rows. The penalty is built here, once per
        fit, from the weight of the rows trained on, and every loop of the
        fit uses it (see :class:`~sknn_simple._penalty.L2Penalty`).
        """
        if solver != "lbfgs":
            rows = self._split_data(rows, start.random_state, incremental)
        penalty = L2Penalty.for_rows(
            start.alpha, start.network, rows.sample_weight, rows.Y.shape[0]
        )
        return rows, penalty

    def _lbfgs_settings(self, penalty):
        return LbfgsSettings(
            penalty=penalty,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            verbose=self.verbose,
        )

    def _stochastic_settings(self, penalty, data, incremental):
        return StochasticSettings(
            penalty=penalty,
            batch_size=self._effective_batch_size(data.Y.shape[0]),
            max_epochs=1 if incremental else self.max_iter,
            shuffle=self.shuffle,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            early_stopping=self.early_stopping and not incremental,
            verbose=self.verbose,
        )

    def _collapse_check(
        self, reason, solver, start, rows, params, progress, incremental, penalty
    ):
        """The CollapsedFitWarning's message, or None.

        ``rows`` are all the rows, their targets scaled as trained on;
        ``penalty`` is the fit's.
        """
        if reason in (INTERRUPTED, DIVERGED) or (
            incremental and progress.n_iter != _PARTIAL_FIT_COLLAPSE_CHECK
        ):
            return None
        params = to_host(params)
        moved = None
        if solver != "lbfgs" and not incremental:
            moved = _relative_change(params, to_host(start.params))
        # The rows the check looks at, chosen before the forward pass: on
        # very large data, predicting every training row would cost as much
        # as a third of an epoch for rows the check then ignores. On another
        # namespace than numpy, the check looks at a host copy of them.
        checked = evenly_spaced_rows(rows.X.shape[0])
        X, Y, weights = (
            _host_rows(array, checked) for array in (rows.X, rows.Y, rows.sample_weight)
        )

        def predict(X):
            return start.network.predict(params, X)

        if clearly_spread_on_a_quarter(predict, X, Y, weights):
            return None
        return collapse_message(
            predict(X),
            Y,
            X,
            weights,
            penalty=penalty,
            weights_moved=moved,
            output_bounds=None
            if start.y_scale is not None
            else OUTPUT_RANGES[start.network.output_activation],
            max_iter=self.max_iter if reason == MAX_ITER else None,
        )

    def _start_callbacks(self, solver, incremental, callback_data, state_at, progress):
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

        def reconstruct(params):
            # A copy of the estimator that predicts with these weights.
            return {"_state": state_at(params, progress)}

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

    def _validate_training_data(self, X, y, sample_weight, *, reset, dtype=None):
        xp, device = _raw_input_namespace(X)
        floats = [np.float64, np.float32] if xp is None else [xp.float64, xp.float32]
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype=floats if dtype is None else dtype,
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
        if xp is None:
            Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        else:  # y and sample_weight follow X's namespace and device
            y = to_device(y, xp, device)
            Y = xp.reshape(xp.astype(y, xp.float64), (y.shape[0], -1))
            sample_weight = to_device(sample_weight, xp, device)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not float(to_host(sample_weight).sum()) > 0:
                raise ValueError(
                    "sample_weight sums to zero: at least one sample needs a "
                    "positive weight."
                )
        return X, Y, sample_weight, y_ndim

    def _check_continuation(self, previous, hidden_layer_sizes, Y):
        network = previous.network
        expected = tuple(network.layer_sizes[1:-1])
        if tuple(hidden_layer_sizes) != expected:
            raise ValueError(
                f"hidden_layer_sizes={tuple(hidden_layer_sizes)} differs from the "
                f"fitted network's {expected}; warm_start and partial_fit continue "
                "the same network. Set warm_start=False to train a new one."
            )
        if Y.shape[1] != network.layer_sizes[-1]:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the fitted network has "
                f"{network.layer_sizes[-1]}; warm_start and partial_fit need the "
                "same number."
            )
        if (self.activation, self.output_activation) != (
            network.activation,
            network.output_activation,
        ):
            raise ValueError(
                "activation or output_activation differ from the fitted network's; "
                "set warm_start=False to train a new network."
            )
        if (self.loss, self._loss_parameter()) != (
            network.loss_name,
            network.loss_parameter,
        ):
            raise ValueError(
                "loss (or its quantile or huber_delta) differs from the fitted "
                "network's; warm_start and partial_fit continue the same "
                "objective. Set warm_start=False to train a new network."
            )
        if self.normalize_y != previous.normalize_y:
            raise ValueError(
                f"normalize_y={self.normalize_y} differs from the fitted model's "
                f"({previous.normalize_y}); warm_start and partial_fit continue "
                "with the fitted target map. Set warm_start=False to train anew."
            )

    def _target_scaling(self, Y, sample_weight):
        if not self.normalize_y:
            return None, None
        return fit_target_scaling(
            Y, sample_weight, self.output_activation, LOSSES[self.loss].target_map
        )

    def _loss_parameter(self):
        """The value of the loss's own parameter (None when it has none)."""
        name = LOSSES[self.loss].parameter
        return None if name is None else float(getattr(self, name))

    def _check_loss(self, Y):
        if self.loss in IDENTITY_OUTPUT_ONLY and self.output_activation != "identity":
            raise ValueError(
                f"loss={self.loss!r} has its own output link (exp: predictions "
                "are positive), so it needs output_activation='identity', not "
                f"{self.output_activation!r}."
            )
        LOSSES[self.loss].check_targets(Y)

    def _resolve_alpha(self, data, incremental):
        """The penalty to train a new network with: ``alpha``, or what
        "auto" chooses."""
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            return float(self.alpha)
        if incremental or data.X.shape[0] >= SEARCH_MAX_ROWS:
            return LARGE_DATA_ALPHA
        # On another namespace: a host copy of these (fewer than
        # SEARCH_MAX_ROWS) rows, searched on the numpy path.
        return choose_alpha(
            self, to_host(data.X), to_host(data.Y), to_host(data.sample_weight)
        )[0]

    def _resolve_solver(self, n_samples, incremental):
        if self.solver != "auto":
            return self.solver
        if incremental or self.early_stopping or n_samples > _LBFGS_MAX_SAMPLES:
            return "adam"
        return "lbfgs"

    def _optimizer_for(self, solver, start, keep):
        kind = SGDOptimizer if solver == "sgd" else AdamOptimizer
        if keep and isinstance(start.optimizer, kind):
            return start.optimizer.copy()
        n_params, dtype = start.network.n_params, host_dtype(start.params)
        if solver == "sgd":
            return SGDOptimizer(
                n_params,
                dtype,
                learning_rate_init=self.learning_rate_init,
                schedule=self.learning_rate,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                power_t=self.power_t,
            )
        return AdamOptimizer(
            n_params,
            dtype,
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    def _split_data(self, data, random_state, incremental):
        if not self.early_stopping or incremental:
            return data
        X, Y, sample_weight = data.X, data.Y, data.sample_weight
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
        for name, weights in (("training", sw_train), ("validation", sw_val)):
            if not float(to_host(weights).sum()) > 0:
                raise ValueError(
                    f"Every sample_weight of the {name} rows is 0 after the "
                    "early-stopping split, so it cannot be scored. Give more "
                    "rows a positive sample_weight, change validation_fraction "
                    "or random_state, or set early_stopping=False."
                )
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


@dataclass(frozen=True)
class _Data:
    """Validated training data; ``Y`` is 2-D, float64 and on y's scale."""

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None
    y_ndim: int
    n_features_in: int
    feature_names_in: np.ndarray | None
    #: ``(xp, device)`` of the arrays; ``xp`` None for the numpy path.
    namespace: tuple = (None, None)

    @property
    def xp(self):
        return self.namespace[0]

    @property
    def host_dtype(self):
        """X's dtype as a numpy dtype."""
        return host_dtype(self.X) if self.xp is not None else self.X.dtype

    def for_callbacks(self):
        """What callbacks receive as training data; y on the user's scale."""
        y = self.Y
        if self.y_ndim == 1:
            y = y.ravel() if self.xp is None else self.xp.reshape(y, (-1,))
        return {
            "X": self.X,
            "y": y,
            "metadata": None
            if self.sample_weight is None
            else {"sample_weight": self.sample_weight},
        }


@dataclass(frozen=True)
class _Start:
    """Where training starts: new pieces, or the fitted state's."""

    network: Network
    params: np.ndarray
    progress: Progress
    random_state: np.random.RandomState
    y_offset: np.ndarray | None
    y_scale: np.ndarray | None
    alpha: float
    optimizer: object


@dataclass(frozen=True)
class _Run:
    """One call's outcome: the state to publish (None when nothing was
    learned) and what to tell the user."""

    state: FittedState | None
    reason: str
    message: str
    callback_data: dict
    collapse: str | None
    feature_scale: float | None


def _state_from(start, data, solver, params, progress, optimizer=None):
    """The FittedState of a training run: the one place where what training
    recorded becomes what the estimator shows."""
    early = progress.validation_scores and solver != "lbfgs"
    history = History(
        loss_curve=tuple(progress.loss_curve),
        validation_scores=tuple(progress.validation_scores) if early else None,
        validation_loss_curve=tuple(progress.validation_loss_curve) if early else None,
        best_loss=None if early else float(progress.best_loss),
        best_validation_score=float(progress.best_validation_score) if early else None,
        loss=float(progress.loss),
        n_iter=progress.n_iter,
        t=progress.t,
        last_call_n_iter=progress.n_iter - start.progress.n_iter,
    )
    return FittedState(
        network=start.network,
        params=params,
        y_offset=start.y_offset,
        y_scale=start.y_scale,
        y_ndim=data.y_ndim,
        n_features_in=data.n_features_in,
        feature_names_in=data.feature_names_in,
        solver=solver,
        alpha=start.alpha,
        history=history,
        optimizer=optimizer,
        random_state=start.random_state,
    )


def _progress_of(history):
    """A Progress record that continues a fitted history."""
    return Progress(
        loss_curve=list(history.loss_curve),
        validation_scores=list(history.validation_scores or []),
        validation_loss_curve=list(history.validation_loss_curve or []),
        best_loss=np.inf if history.best_loss is None else history.best_loss,
        best_validation_score=(
            -np.inf
            if history.best_validation_score is None
            else history.best_validation_score
        ),
        n_iter=history.n_iter,
        t=history.t,
        loss=history.loss,
    )


def _distinct(data):
    """``X``, ``Y`` and ``sample_weight`` of the distinct rows of ``data``."""
    X, Y, sample_weight = merge_duplicate_rows(data.X, data.Y, data.sample_weight)
    return dict(X=X, Y=Y, sample_weight=sample_weight)


def _initial_params(network, random_state, dtype, hidden_layer_sizes):
    """New weights; a clear error when they cannot fit in memory."""
    needed = network.n_params * np.dtype(dtype).itemsize
    available = _physical_memory()
    if available is not None and needed > available:
        raise MemoryError(
            f"hidden_layer_sizes={tuple(hidden_layer_sizes)} makes a network of "
            f"{network.n_params:,} parameters, {needed / 2**30:,.1f} GiB for the "
            f"weights alone (this machine has {available / 2**30:,.1f} GiB). "
            "Use smaller hidden layers."
        )
    try:
        return network.initialize(random_state, dtype=dtype)
    except MemoryError as error:
        raise MemoryError(
            f"hidden_layer_sizes={tuple(hidden_layer_sizes)} makes a network of "
            f"{network.n_params:,} parameters ({needed / 2**30:,.2f} GiB), more "
            "than could be allocated. Use smaller hidden layers."
        ) from error


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on every platform
        return None


def _needs_no_conversion(X, state):
    """Whether ``predict``'s ``validate_data`` would return ``X`` itself,
    silently: then predict skips it.

    ``validate_data`` takes about 60 µs whatever the input (narwhals and
    ``inspect.getattr_static`` in ``check_array``), 70% of a 1-row predict
    whose network takes 7 µs. True only for a case where nothing can go
    wrong: a plain 2-D numpy array, at least 1 x 1, of exactly the model's
    dtype (no conversion or copy: ``check_array`` keeps any memory order),
    with ``n_features_in_`` columns, for a model fitted without feature
    names, outside array API dispatch, and finite as scikit-learn decides
    it: under ``assume_finite`` not checked; otherwise its first test, a
    finite sum, which non-finite values always fail (a sum that overflows
    fails too: the full check then looks at each value). Anything else goes
    through ``validate_data``, which gives scikit-learn's own errors and
    warnings (tests/test_predict_fast_path.py compares the two paths).
    """
    if not (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype == state.params.dtype
        and X.shape[0] >= 1
        and X.shape[1] >= 1
        and X.shape[1] == state.n_features_in
        and state.feature_names_in is None
    ):
        return False
    config = get_config()
    if config["array_api_dispatch"]:
        return False
    if config["assume_finite"]:
        return True
    # Silent: a failing sum's warnings (inf - inf) come from the full check.
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(X.sum()))


def _raw_input_namespace(X):
    """``(xp, device)`` of the input ``X`` as given: None for the numpy path
    (dispatch off, numpy, lists, sparse matrices...)."""
    if not get_config()["array_api_dispatch"]:
        return None, None
    if not ARRAY_API_AVAILABLE:
        if namespace_of(X) is None and not hasattr(X, "__array_namespace__"):
            return None, None
        raise NotImplementedError(NEEDS_NEWER_SKLEARN)
    return input_namespace(X)


def _scaled_targets(data, start):
    """The targets trained on: scaled by the target map, in X's dtype."""
    Y, xp = data.Y, data.xp
    if xp is None:
        if start.y_scale is not None:
            Y = scale_targets(Y, start.y_offset, start.y_scale)
        return Y.astype(data.X.dtype, copy=False)
    if start.y_scale is not None:
        Y = scale_targets_xp(xp, Y, start.y_offset, start.y_scale)
    return xp.astype(Y, data.X.dtype)


def _host_rows(array, rows):
    """``array[rows]`` as a numpy array (None stays None)."""
    if array is None:
        return None
    if isinstance(rows, slice):
        return to_host(array[rows, ...] if array.ndim > 1 else array[rows])
    return to_host(take_rows(array, rows))


def _scale_for_advice(data, reason, incremental):
    """The feature scale for the iteration-limit warning's advice, or None
    where that warning is not raised (partial_fit never raises it)."""
    if reason != MAX_ITER or incremental:
        return None
    return _sampled_feature_scale(data)


def _sampled_feature_scale(data):
    """The median column std of the training rows, on the collapse check's
    sample of them: all 20,000 rows of a (b) fit cost 2% of an epoch. On
    another namespace than numpy, of a host copy of that sample."""
    rows = evenly_spaced_rows(data.X.shape[0])
    return median_column_std(
        _host_rows(data.X, rows), _host_rows(data.sample_weight, rows)
    )


def _check_fit_namespace(estimator, X, state, method="predict"):
    """A clear error when ``X`` is not of the namespace and device the model
    was fitted on (scikit-learn's check_same_namespace under dispatch)."""
    fitted_on_numpy = isinstance(state.params, np.ndarray)
    if not get_config()["array_api_dispatch"]:
        if not fitted_on_numpy:
            raise ValueError(
                f"This {type(estimator).__name__} was fitted on "
                f"{type(state.params).__module__} arrays under array API "
                f"dispatch; call {method} with array_api_dispatch=True and X of "
                "the same namespace and device."
            )
        return
    if ARRAY_API_AVAILABLE:
        check_same_namespace(X, estimator, attribute="_fitted_params", method=method)


def _list_or_none(values):
    return None if values is None else list(values)


def _relative_change(params, start):
    """``||params - start|| / ||start||``."""
    return float(np.linalg.norm(params - start) / max(np.linalg.norm(start), 1e-300))
