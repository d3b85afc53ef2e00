"""SimpleMLPRegressor: the scikit-learn estimator."""

from numbers import Real

from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions

from ._activations import OUTPUT_RANGES
from ._base import BaseSimpleMLP
from ._diagnostics import fit_collapse_message
from ._kernels import ARRAY_API_AVAILABLE, kernel_for, to_host
from ._losses import IDENTITY_OUTPUT_ONLY, LOSSES, REGRESSION_LOSSES
from ._target import fit_target_scaling, scale_targets


class SimpleMLPRegressor(RegressorMixin, BaseSimpleMLP):
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
    # Parameters added since version 0.1, with the values its models trained
    # with.
    _added_parameters = {"loss": "squared_error", "quantile": 0.5, "huber_delta": 1.0}

    _parameter_constraints: dict = {
        **BaseSimpleMLP._parameter_constraints,
        "output_activation": [StrOptions(set(OUTPUT_RANGES))],
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "normalize_y": ["boolean"],
    }

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
        state, X = self._predict_input(X)
        return state.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = ARRAY_API_AVAILABLE
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    # ------------------------------------------- what the targets are (hooks)
    def _output_layer(self, targets=None):
        """The output activation, the loss and the loss's parameter."""
        name = LOSSES[self.loss].parameter
        loss_parameter = None if name is None else float(getattr(self, name))
        return self.output_activation, self.loss, loss_parameter

    def _target_matrix(self, y, sample_weight, previous, incremental, classes):
        """``y`` as a 2-D float64 matrix (float64 until encoded, whatever X's
        dtype: see _target), the weights, and the state's ``y_ndim``."""
        k = kernel_for(y)
        Y = k.xp.reshape(k.as_dtype(y, k.xp.float64), (y.shape[0], -1))
        self._check_targets(to_host(Y))
        return Y, sample_weight, {"y_ndim": y.ndim}

    def _check_targets(self, Y):
        if self.loss in IDENTITY_OUTPUT_ONLY and self.output_activation != "identity":
            raise ValueError(
                f"loss={self.loss!r} has its own output link (exp: predictions "
                "are positive), so it needs output_activation='identity', not "
                f"{self.output_activation!r}."
            )
        LOSSES[self.loss].check_targets(Y)

    def _target_map(self, Y, sample_weight):
        """``normalize_y``'s offset and scale of y (None, None when off)."""
        if not self.normalize_y:
            return None, None
        return fit_target_scaling(
            Y, sample_weight, self.output_activation, LOSSES[self.loss].target_map
        )

    def _check_target_map(self, previous):
        if self.normalize_y != previous.normalize_y:
            raise ValueError(
                f"normalize_y={self.normalize_y} differs from the fitted model's "
                f"({previous.normalize_y}); warm_start and partial_fit continue "
                "with the fitted target map. Set warm_start=False to train anew."
            )

    def _encode_targets(self, Y, state):
        """The targets trained on: scaled by the target map, in X's dtype."""
        if state.y_scale is not None:
            Y = scale_targets(Y, state.y_offset, state.y_scale)
        return kernel_for(Y).as_dtype(Y, state.params.dtype)

    def _search_targets(self, Y, loss):
        """What the ``alpha="auto"`` search's models are fitted to."""
        return Y.ravel() if Y.shape[1] == 1 else Y

    def _search_predictions(self, model, X, n_outputs):
        """A search model's predictions, shaped like ``Y``."""
        return model.predict(X).reshape(-1, n_outputs)

    def _validation_score(self, Y, prediction, sample_weight=None):
        return r2_score(Y, prediction, sample_weight=sample_weight)

    def _collapse_message(self, engine, rows, incremental):
        return fit_collapse_message(engine, rows, incremental, self.max_iter)
