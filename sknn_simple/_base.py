"""What every sknn_simple estimator shares: parameters, fit, state, pickling.

:class:`BaseSimpleMLP` is to :class:`~sknn_simple.SimpleMLPRegressor` what
scikit-learn's ``BaseMultilayerPerceptron`` is to ``MLPRegressor``. Its
``fit`` validates the parameters and the data, builds the state to train
from, asks a :class:`~sknn_simple._engine.FitEngine` for the next state,
publishes it with one assignment and warns. A subclass says what its
targets are: how they are checked and turned into the matrix the network
is trained on (``_target_matrix``, ``_encode_targets``), the output layer
and loss (``_output_layer``), the score early stopping ranks epochs by
(``_validation_score``) and the labels its split keeps in proportion
(``_split_labels``), what a collapsed fit is (``_collapse_message``), and
``predict``.
"""

import copy
import functools
import os
import types
from dataclasses import replace
from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, _fit_context, is_classifier
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

from ._activations import ACTIVATIONS
from ._alpha_search import LARGE_DATA_ALPHA, choose_alpha, searches
from ._callbacks import CALLBACKS_AVAILABLE, CallbackMonitor, CallbackSupportMixin
from ._diagnostics import scale_for_advice, warn_about_fit
from ._docs import API_PAGE_TEMPLATE
from ._engine import FitEngine
from ._kernels import (
    check_fitted_library,
    host_dtype,
    input_kernel,
    kernel_for,
    to_host,
)
from ._network import Network
from ._rows import merge_duplicate_rows
from ._state import FittedAttribute, FittedState, plain_from_legacy
from ._training import INTERRUPTED, Dataset, History

# solver="auto" trains with L-BFGS up to this many rows, with Adam beyond:
# where L-BFGS stops being faster than MLPRegressor's defaults
# (benchmarks/sweep_defaults.py --grid large).
_LBFGS_MAX_SAMPLES = 10_000

# Callback bookkeeping that scikit-learn keeps on the estimator during fit.
_CALLBACK_FIT_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
# Never pickled or copied: callbacks and their logs belong to the session that
# set them, and a pickled model must not grow with each fit.
_CALLBACK_STATE = ("_skl_callbacks", "_parent_callback_ctx", *_CALLBACK_FIT_STATE)


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


class BaseSimpleMLP(CallbackSupportMixin, BaseEstimator):
    """Base class of the sknn_simple estimators; not for direct use."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
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
    }
    _doc_link_module = "sknn_simple"  # the HTML repr's "?" links to our API page
    _doc_link_template = API_PAGE_TEMPLATE
    # Parameters added after a release, with the values its saved models
    # trained with (read by __setstate__).
    _added_parameters: dict = {}

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
        self : object
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
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight)

    def _partial_fit(self, X, y, sample_weight, classes=None):
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "held-out data between calls. Set early_stopping=False, or use fit."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def __sklearn_is_fitted__(self):
        return self.__dict__.get("_state") is not None

    def _fitted_state(self):
        """The published state, or scikit-learn's NotFittedError before fit.

        ``check_is_fitted`` itself runs only to raise: it builds the tags,
        a tenth of a 1-row predict.
        """
        state = self.__dict__.get("_state")
        if state is None:
            check_is_fitted(self)
        return state

    def _predict_input(self, X, method="predict"):
        """One snapshot of the fitted state (a refit in another thread
        cannot mix into the call) and ``X`` validated for it; ``method``
        names the caller in errors."""
        state = self._fitted_state()
        check_fitted_library(self, X, state.params, method)
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
        return state, X

    @property
    def _fitted_params(self):
        """The flat parameter vector, for scikit-learn's check_same_namespace."""
        return self._state.params

    # ------------------------------------------------------ fitted attributes
    coefs_ = FittedAttribute(lambda state: state.coefs)
    intercepts_ = FittedAttribute(lambda state: state.intercepts)
    loss_ = FittedAttribute(lambda state: float(state.history.loss))
    best_loss_ = FittedAttribute(
        lambda state: None if _early(state) else float(state.history.best_loss)
    )
    loss_curve_ = FittedAttribute(lambda state: list(state.history.loss_curve))
    validation_scores_ = FittedAttribute(
        lambda state: list(state.history.validation_scores) if _early(state) else None
    )
    validation_loss_curve_ = FittedAttribute(
        lambda state: (
            list(state.history.validation_loss_curve) if _early(state) else None
        )
    )
    best_validation_score_ = FittedAttribute(
        lambda state: (
            float(state.history.best_validation_score) if _early(state) else None
        )
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
        for name, default in self._added_parameters.items():
            state.setdefault(name, default)
        super().__setstate__(state)
        if fitted is not None:
            self._state = FittedState.from_plain(fitted)

    # -------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
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
                state, engine, notes = self._train(
                    X, y, sample_weight, incremental, classes
                )
        finally:
            self.__dict__.pop(FittedAttribute.STAGING, None)
        if state is None:  # interrupted before anything was learned
            raise KeyboardInterrupt
        self._state = state
        try:
            if hasattr(self, "_callback_fit_ctx"):
                self._callback_fit_ctx.call_on_fit_task_end(
                    estimator=self, reconstruction_attributes={}, **notes["callbacks"]
                )
            if engine.reason != INTERRUPTED:
                warn_about_fit(self, engine, state, notes)
        except Exception:
            self._unpublish(previous)
            raise
        if engine.reason == INTERRUPTED:
            raise KeyboardInterrupt  # the model keeps what it learned
        return self

    def _unpublish(self, previous):
        if previous is None:
            self.__dict__.pop("_state", None)
        else:
            self._state = previous

    def _train(self, X, y, sample_weight, incremental, classes=None):
        """Validate, train off to the side; return the new state (None when
        nothing was learned), the engine and what the warnings need. The
        estimator itself is not changed. ``classes``: a classifier's
        ``partial_fit`` argument."""
        previous = self.__dict__.get("_state")
        continuing = previous is not None and (self.warm_start or incremental)
        method = "partial_fit" if incremental else "fit"
        if continuing:
            check_fitted_library(self, X, previous.params, method)
        X, y, sample_weight = self._validate_training_data(
            X, y, sample_weight, previous if continuing else None
        )
        notes = {"callbacks": _callback_data(X, y, sample_weight)}
        Y, sample_weight, targets = self._target_matrix(
            y, sample_weight, previous if continuing else None, incremental, classes
        )
        # Targets and weights follow X's namespace and device.
        k = kernel_for(X)
        Y, sample_weight = k.asarray(Y), k.asarray(sample_weight)
        solver = self._resolve_solver(X.shape[0], incremental)
        if solver == "lbfgs":
            # Full-batch L-BFGS (and the alpha="auto" search before it) trains
            # on the distinct rows: a weight of k is then exactly k copies.
            X, Y, sample_weight = merge_duplicate_rows(X, Y, sample_weight)
        given = Dataset(X, Y, sample_weight)
        if continuing:
            start = self._continued_state(previous, given, targets)
        else:
            start = self._new_state(given, targets, solver, incremental)
        rows = replace(given, Y=self._encode_targets(Y, start))
        engine = FitEngine(start, rows, self._settings(solver), incremental=incremental)
        state = engine.run(self._start_callbacks(engine, incremental, notes))
        notes["collapse"] = self._collapse_message(engine, rows, incremental)
        notes["feature_scale"] = scale_for_advice(rows, engine.reason, incremental)
        return state, engine, notes

    def _settings(self, solver):
        """The hyper-parameters as the engine reads them."""
        settings = SimpleNamespace(
            **{name: getattr(self, name) for name in self._parameter_constraints}
        )
        settings.solver, settings.score = solver, self._validation_score
        settings.split_labels = self._split_labels
        return settings

    def _new_state(self, rows, targets, solver, incremental):
        """The state a new network starts from: fresh weights, empty
        history; ``targets`` are the state's fields that the targets decide
        (``_target_matrix``)."""
        hidden_layer_sizes = self._validated_hidden_layer_sizes()
        output_layer = self._output_layer(targets)
        alpha = self._resolve_alpha(rows, solver, incremental, output_layer)
        random_state = check_random_state(self.random_state)
        layer_sizes = (rows.X.shape[1], *hidden_layer_sizes, rows.Y.shape[1])
        network = Network(layer_sizes, self.activation, *output_layer)
        y_offset, y_scale = self._target_map(
            to_host(rows.Y), to_host(rows.sample_weight)
        )
        params = _initial_params(
            network, random_state, host_dtype(rows.X), hidden_layer_sizes
        )
        staged = self.__dict__.get(FittedAttribute.STAGING, {})
        return FittedState(
            network=network,
            params=kernel_for(rows.X).asarray(params),
            y_offset=y_offset,
            y_scale=y_scale,
            **targets,
            n_features_in=staged.get("n_features_in_", rows.X.shape[1]),
            feature_names_in=staged.get("feature_names_in_"),
            solver=solver,
            alpha=alpha,
            history=History(),
            optimizer=None,
            random_state=random_state,
        )

    def _continued_state(self, previous, rows, targets):
        """The previous state, to train on from where it stopped."""
        previous.network.check_continues(
            self._validated_hidden_layer_sizes(),
            rows.Y.shape[1],
            self.activation,
            self._output_layer(targets),
        )
        self._check_target_map(previous)
        alpha = previous.alpha if self.alpha == "auto" else float(self.alpha)
        random_state = copy.deepcopy(previous.random_state)
        return replace(previous, **targets, alpha=alpha, random_state=random_state)

    def _start_callbacks(self, engine, incremental, notes):
        """Open the root callback task; return the per-iteration monitor.

        Nothing is set up when no callback is set (or scikit-learn has no
        callback API): the loops then run without any hook calls.
        """
        if not (CALLBACKS_AVAILABLE and getattr(self, "_skl_callbacks", None)):
            return None
        if engine.lbfgs:
            # One subtask per iteration, plus the one begun after the last
            # iteration that scipy never runs.
            max_subtasks, task_name = self.max_iter + 1, "iteration"
        else:
            max_subtasks, task_name = (1 if incremental else self.max_iter), "epoch"
        context = self._init_callback_context(
            task_name="partial_fit" if incremental else "fit",
            max_subtasks=max_subtasks,
        )
        context.call_on_fit_task_begin(estimator=self, **notes["callbacks"])

        def reconstruct(params):
            # A copy of the estimator that predicts with these weights.
            return {"_state": engine.state_at(params)}

        return CallbackMonitor(
            self, context, task_name, reconstruct=reconstruct, **notes["callbacks"]
        )

    # ------------------------------------------------------------ validation
    def _validated_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not sizes or not all(
            isinstance(size, Integral) and not isinstance(size, bool) and size >= 1
            for size in sizes
        ):
            raise InvalidParameterError(
                f"The 'hidden_layer_sizes' parameter of {type(self).__name__} must "
                "be a positive int or a non-empty sequence of positive ints, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(size) for size in sizes]

    def _validate_training_data(self, X, y, sample_weight, previous):
        """Validated ``X``, ``y`` and ``sample_weight``, the weights in X's
        array library; ``previous`` is the state a fit continues, if any."""
        k = input_kernel(X)
        floats = [k.xp.float64, k.xp.float32]
        X, y = validate_data(
            self,
            X,
            y,
            reset=previous is None,
            accept_sparse=["csr", "csc"],
            dtype=floats if previous is None else previous.params.dtype,
            # Row-major: minibatches gather rows, and results do not depend on
            # the layout the caller happened to pass (e.g. a DataFrame's).
            order="C",
            multi_output=True,
            y_numeric=not is_classifier(self),
        )
        if sp.issparse(X):
            X = X.tocsr()  # minibatches gather rows
        sample_weight = k.asarray(sample_weight)  # in X's namespace and device
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not float(to_host(sample_weight).sum()) > 0:
                raise ValueError(
                    "sample_weight sums to zero: at least one sample needs a "
                    "positive weight."
                )
        return X, y, sample_weight

    def _resolve_alpha(self, rows, solver, incremental, output_layer):
        """The penalty to train a new network with: ``alpha``, or what
        "auto" chooses for the ``solver`` and ``output_layer`` (see
        ``_output_layer``)."""
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            return float(self.alpha)
        if incremental or not searches(self, rows.X.shape[0], solver):
            return LARGE_DATA_ALPHA
        # On another namespace: a host copy of these (at most 10,000)
        # rows, searched on the numpy path.
        data = (to_host(rows.X), to_host(rows.Y), to_host(rows.sample_weight))
        return choose_alpha(self, *data, output_layer)[0]

    def _split_labels(self, Y):
        """The labels the early-stopping split keeps in proportion (None: a
        plain random split)."""
        return None

    def _resolve_solver(self, n_samples, incremental):
        if self.solver != "auto":
            return self.solver
        if incremental or self.early_stopping or n_samples > _LBFGS_MAX_SAMPLES:
            return "adam"
        return "lbfgs"


def _early(state):
    """Whether the state's history is an early-stopping fit's (a published
    history holds validation scores only then: ``FitEngine.state_at``)."""
    return bool(state.history.validation_scores)


def _callback_data(X, y, sample_weight):
    """What callbacks receive as training data: y as given."""
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    return {"X": X, "y": y, "metadata": metadata}


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

    ``validate_data`` costs most of a 1-row predict whatever the input
    (``python benchmarks/bench_speed.py --only predict``; the docs'
    Benchmarks page has the figures). True only for a case where nothing can go
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
    config = get_config()
    if not (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype == state.params.dtype
        and X.shape[0] >= 1
        and X.shape[1] >= 1
        and X.shape[1] == state.n_features_in
        and state.feature_names_in is None
        and not config["array_api_dispatch"]
    ):
        return False
    if config["assume_finite"]:
        return True
    # Silent: a failing sum's warnings (inf - inf) come from the full check.
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(X.sum()))
