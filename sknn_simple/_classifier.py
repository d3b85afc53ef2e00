"""SimpleMLPClassifier: the scikit-learn classifier on the same engine."""

import warnings

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d

from ._base import BaseSimpleMLP, _stochastic_only
from ._diagnostics import fit_collapse_message
from ._kernels import ARRAY_API_AVAILABLE, kernel_for, to_host
from ._state import FittedAttribute


class SimpleMLPClassifier(ClassifierMixin, BaseSimpleMLP):
    """Multi-layer perceptron classifier trained by backpropagation.

    The network of :class:`SimpleMLPRegressor` (by default two hidden
    layers of sigmoid units), with an output layer of logits ``o`` and the
    cross-entropy of the probabilities they give:

    - two classes, or each label of a multilabel target: one output per
      label, the probability ``p = σ(o) = 1 / (1 + exp(-o))``, and the
      binary cross-entropy ``-y log p - (1 - y) log(1 - p)``;
    - more classes: one output per class, ``p = softmax(o)``, and the
      categorical cross-entropy ``-sum_c y_c log p_c`` (``y`` one-hot).

    The objective, for sample weights ``s`` (ones by default, times the
    ``class_weight`` of each row's class) summing to ``S``, is::

        loss = 1 / S * sum_i s_i * cross_entropy_i
               + alpha / (2 S) * sum_l ||coefs_[l]||²

    which for unit weights is :class:`~sklearn.neural_network.MLPClassifier`'s
    ``loss_``. Its gradient with respect to the logits is ``s_i (p - y) /
    S``: prediction minus target, as for the squared error, which is why
    the sigmoid and the softmax go with these losses. The cross-entropy is
    computed from the logits (``log(1 + exp(o))`` as ``max(o, 0) +
    log1p(exp(-|o|))``, the softmax's with the row's largest logit
    subtracted), so no probability rounded to 0 or 1 makes it infinite.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(20, 20)
        Number of units in each hidden layer; at least one layer. The
        regressor's network, kept on the real tables of the docs'
        Benchmarks page, where ``10`` (one layer) was as good in 40% of
        the fit time.

    activation : {"logistic", "tanh", "relu", "identity"}, default="logistic"
        Activation of the hidden layers.

    solver : {"auto", "adam", "sgd", "lbfgs"}, default="auto"
        "adam" and "sgd" take minibatch steps and support ``partial_fit``;
        "lbfgs" is a quasi-Newton method on the full data, and has no
        ``partial_fit``. "auto" uses "lbfgs" for ``fit`` on up to 10,000
        rows, and "adam" on more rows, with early stopping and for
        ``partial_fit``. The solver used is ``solver_``.

    alpha : float or "auto", default="auto"
        Strength of the L2 penalty on the weights (see the objective
        above), divided by the weight of all training rows. "auto" chooses
        it by cross-validated log loss (3 folds, stratified where every
        class has 3 rows; each fold a path from the weakest penalty,
        warm-started): over 0.001, 0.01, 0.1, 0.3, 1, 3 and 10 on fewer than
        200 rows, with any solver; over 0.1 to 10 from 200 rows on where
        ``fit`` trains L-BFGS (up to 10,000 rows). On more rows, with Adam
        or SGD from 200 rows on, and in ``partial_fit`` it is 1. Below 10
        rows it is 0.001, without a search. Unlike the regressor's, the
        search runs on all L-BFGS fits: the log loss punishes the confident
        mistakes of an overfitted network, and the penalty that avoided
        them differed from table to table (the docs' Benchmarks page). The
        value used is ``alpha_``.

    batch_size : int or "auto", default="auto"
        Minibatch size of the stochastic solvers; "auto" is
        ``min(200, n_samples)``.

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule of "sgd".

    learning_rate_init : float, default=0.01
        Initial step size of "sgd" and "adam".

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.

    max_iter : int, default=2000
        Maximum number of epochs ("sgd", "adam") or iterations ("lbfgs").

    shuffle : bool, default=True
        Whether to shuffle the rows before each epoch ("sgd", "adam").

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling, the validation split and
        the folds of ``alpha="auto"``.

    tol : float, default=1e-4
        Training stops when the loss (or, with early stopping, the
        validation score) has not improved by at least ``tol`` for more
        than ``n_iter_no_change`` consecutive epochs; "lbfgs" stops when its
        projected gradient is below ``tol``, or its loss fell by less than
        ``tol`` times itself over ``n_iter_no_change`` iterations.

    verbose : bool, default=False
        Print one line per epoch or iteration.

    warm_start : bool, default=False
        Start ``fit`` from the previous solution; ``y`` must have the same
        classes.

    momentum : float, default=0.9
        Momentum of "sgd".

    nesterovs_momentum : bool, default=True
        Nesterov's momentum with "sgd".

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified by class),
        stop when the validation score (minus the validation log loss)
        stops improving, and keep the weights that scored best. "sgd" and
        "adam" only.

    validation_fraction : float, default=0.1
        Fraction of rows held out for early stopping.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates.

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int or np.inf, default=10
        See ``tol``.

    max_fun : int, default=15000
        Maximum number of loss evaluations of "lbfgs".

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or "balanced", ``n_samples / (n_classes *
        np.bincount(y))``, which gives each class the same total weight
        (for a multilabel target, each label's two values, multiplied over
        the labels). "balanced" is computed on the rows of one call, so
        ``partial_fit`` does not take it; pass a dict there.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for a multilabel target, ``0 .. n_labels - 1``).
    coefs_, intercepts_ : list of ndarray
        Weight matrices and bias vectors, views into one flat vector.
    loss_ : float
        Objective at the end of training.
    best_loss_ : float or None
        Lowest training loss reached; None with early stopping.
    loss_curve_ : list of float
        The objective after each epoch or iteration.
    validation_scores_ : list of float or None
        Minus the validation log loss after each epoch with early stopping
        (higher is better, as scikit-learn's "neg_log_loss" scorer).
    validation_loss_curve_ : list of float or None
        Validation cross-entropy after each epoch with early stopping.
    best_validation_score_ : float or None
        Best validation score with early stopping.
    t_ : int
        Number of training rows seen by the solver.
    n_iter_ : int
        Epochs or iterations of the last call to ``fit`` or ``partial_fit``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of outputs: 1 for two classes, else one per class or label.
    out_activation_ : {"logistic", "softmax"}
        The function that turns the logits into probabilities.
    solver_ : str
    alpha_ : float

    Notes
    -----
    Standardise X (``make_pipeline(StandardScaler(),
    SimpleMLPClassifier())``). A fit whose probabilities barely vary from
    row to row although X is related to the labels warns with
    :class:`~sknn_simple.CollapsedFitWarning`.

    Differences from :class:`~sklearn.neural_network.MLPClassifier`: the
    defaults (two layers of 20 sigmoid units, L-BFGS up to 10,000 rows,
    ``alpha="auto"``, ``learning_rate_init=0.01``); ``class_weight`` and
    ``sample_weight`` with every solver; sparse input with every solver;
    float32 input trains in float32; a fit that raises leaves the previous
    model, and a diverging one keeps its best weights; the output layer's
    activation is part of the loss (computed from the logits); early
    stopping ranks epochs by validation log loss, not accuracy (see
    ``validation_scores_``).

    See Also
    --------
    SimpleMLPRegressor : the regressor on the same engine.
    sklearn.neural_network.MLPClassifier : scikit-learn's perceptron.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn_simple import SimpleMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> model = make_pipeline(StandardScaler(), SimpleMLPClassifier(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    >>> model.predict_proba(X_test[:2]).round(3).sum(axis=1)
    array([1., 1.])
    """

    # For libraries that still read it (see SimpleMLPRegressor).
    _estimator_type = "classifier"

    _parameter_constraints: dict = {
        **BaseSimpleMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(20, 20),
        activation="logistic",
        *,
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
        class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.class_weight = class_weight

    classes_ = FittedAttribute(lambda state: state.classes)
    out_activation_ = FittedAttribute(
        lambda state: "softmax" if state.network.loss_name == "log_loss" else "logistic"
    )

    # ------------------------------------------------------------ public API
    @_stochastic_only
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch over the given data.

        Only for ``solver`` "sgd", "adam" and "auto" (which trains Adam).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multilabel indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole training data: required on the first
            call, since one batch may lack some; later calls may omit it
            (or must give the same).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight, classes=classes)

    def predict(self, X):
        """Predict the class of each row (the labels, for multilabel).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The most probable class; for a multilabel target, each label
            whose probability is above 0.5.
        """
        state, X = self._predict_input(X)
        probability = state.network.inverse_link(state.decision(X))
        k = kernel_for(probability)
        if state.y_ndim == 2:
            return k.as_dtype(probability > 0.5, k.xp.int64)
        if state.network.layer_sizes[-1] == 1:
            index = k.as_dtype(probability[:, 0] > 0.5, k.xp.int64)
        else:
            index = k.xp.argmax(probability, axis=1)
        return _labels(state.classes, index)

    def predict_proba(self, X):
        """Probability of each class (of each label, for multilabel).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; each row sums to 1 (for
            multilabel, each value is its own label's probability).
        """
        state, X = self._predict_input(X, "predict_proba")
        probability = state.network.inverse_link(state.decision(X))
        if state.y_ndim == 2 or probability.shape[1] > 1:
            return probability
        k = kernel_for(probability)
        return k.columns([1 - probability, probability])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed from the logits
        (exact where a probability rounds to 0).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        state, X = self._predict_input(X, "predict_log_proba")
        logits = state.decision(X)
        k = kernel_for(logits)
        if state.network.loss_name == "log_loss":
            shifted = logits - k.xp.max(logits, axis=1, keepdims=True)
            total = k.xp.log(k.xp.sum(k.xp.exp(shifted), axis=1, keepdims=True))
            return shifted - total
        # log σ(o) = -log(1 + exp(-o)), log(1 - σ(o)) = -log(1 + exp(o))
        log_p = -_softplus(k, -logits)
        if state.y_ndim == 2:
            return log_p
        return k.columns([-_softplus(k, logits), log_p])

    def decision_function(self, X):
        """The logits: the output layer before the sigmoid or softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            For two classes, one score per row, positive for ``classes_[1]``.
        """
        state, X = self._predict_input(X, "decision_function")
        logits = state.decision(X)
        return logits[:, 0] if logits.shape[1] == 1 and state.y_ndim == 1 else logits

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = ARRAY_API_AVAILABLE
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------- what the targets are (hooks)
    def _output_layer(self, targets):
        """Logits, and the cross-entropy for the targets' kind."""
        classes = targets["classes"]
        multiclass = targets["y_ndim"] == 1 and len(classes) > 2
        return "identity", "log_loss" if multiclass else "binary_log_loss", None

    def _target_matrix(self, y, sample_weight, previous, incremental, classes):
        """The labels as a 0/1 matrix (one column for two classes, one per
        class or label otherwise), the weights times ``class_weight``, and
        the state's ``classes`` and ``y_ndim``."""
        y = to_host(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. "
                "Please change the shape of y to (n_samples,), for example "
                "using ravel().",
                DataConversionWarning,
                stacklevel=5,
            )
            y = column_or_1d(y)
        check_classification_targets(y)
        if type_of_target(y) == "multiclass-multioutput":
            raise ValueError(
                "SimpleMLPClassifier takes labels, or a multilabel indicator "
                "matrix of 0 and 1; y is multiclass-multioutput. Fit one "
                "classifier per column (sklearn.multioutput.MultiOutputClassifier)."
            )
        if incremental and previous is None and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: one "
                "batch may lack some of the classes of the whole data."
            )
        known = _known_classes(y, previous, classes, incremental)
        Y = _one_hot(y, known)
        sample_weight = self._weighted(y, sample_weight, incremental)
        return Y, sample_weight, {"classes": known, "y_ndim": y.ndim}

    def _weighted(self, y, sample_weight, incremental):
        """``sample_weight`` times each row's ``class_weight``."""
        if self.class_weight is None:
            return sample_weight
        if self.class_weight == "balanced" and incremental:
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: "
                "each call sees one batch, whose class counts are not the "
                "data's. Pass class_weight as a dict computed on all the "
                "data (sklearn.utils.class_weight.compute_class_weight)."
            )
        weights = compute_sample_weight(self.class_weight, y)
        if sample_weight is None:
            return weights
        sample_weight = to_host(sample_weight)
        return sample_weight * weights.astype(sample_weight.dtype)

    def _encode_targets(self, Y, state):
        """The 0/1 matrix in the network's dtype."""
        return kernel_for(Y).as_dtype(Y, state.params.dtype)

    def _target_map(self, Y, sample_weight):
        return None, None  # labels are trained on as 0 and 1

    def _check_target_map(self, previous):
        pass

    def _split_labels(self, Y):
        """Class indices, for a split that keeps each class's share, where
        every class has two rows; None for multilabel targets."""
        Y = to_host(Y)
        if Y.shape[1] > 1 and not np.all(Y.sum(axis=1) == 1):
            return None  # (a multilabel target of one label a row is split by it)
        labels = Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)
        return labels if np.unique(labels, return_counts=True)[1].min() >= 2 else None

    def _search_targets(self, Y, loss):
        """Class indices (the indicator matrix for multilabel)."""
        if Y.shape[1] == 1:
            return Y[:, 0].astype(np.int64)
        return Y.argmax(axis=1) if loss == "log_loss" else Y.astype(np.int64)

    def _search_predictions(self, model, X, n_outputs):
        """A search model's probabilities, in the columns of the encoded
        targets (a fold may lack a class)."""
        proba = model.predict_proba(X)
        if model._state.y_ndim == 2:
            return proba
        if n_outputs == 1:
            return proba[:, 1:]
        full = np.zeros((proba.shape[0], n_outputs))
        full[:, model.classes_] = proba
        return full

    # Early stopping ranks epochs by minus the validation log loss (the
    # engine's validation loss; scikit-learn's "neg_log_loss"): accuracy
    # moves in steps of one validation row and stalls while the
    # probabilities still improve, so a stop on it ended fits on small data
    # with near-uniform probabilities.
    _validation_score = None

    def _collapse_message(self, engine, rows, incremental):
        return fit_collapse_message(
            engine, rows, incremental, self.max_iter, predicts="class probabilities"
        )


def _known_classes(y, previous, classes, incremental):
    """The classes of a new fit, of ``partial_fit``'s first call, or of the
    fitted model (checking that ``y``'s labels are among them)."""
    multilabel = type_of_target(y) == "multilabel-indicator"
    if previous is None:
        if classes is not None:
            known = unique_labels(classes)
        elif multilabel:
            known = np.arange(y.shape[1])
        else:
            known = unique_labels(y)
        _check_two_classes(known, multilabel)
        if not multilabel:
            _check_known(unique_labels(y), known, "classes")
        return known
    known = previous.classes
    if classes is not None and not np.array_equal(unique_labels(classes), known):
        raise ValueError(
            f"classes={list(classes)!r} differs from the classes of the fitted "
            f"model {list(known)!r}; partial_fit continues the same classes."
        )
    if multilabel != (previous.y_ndim == 2):
        raise ValueError(
            "y is multilabel where the fitted model's was not, or the other way "
            "round; set warm_start=False to train a new model."
        )
    seen = np.arange(y.shape[1]) if multilabel else unique_labels(y)
    if not incremental and not np.array_equal(seen, known):
        raise ValueError(
            "warm_start can only be used where y has the same classes as in the "
            f"previous call to fit: {list(known)!r}, y has {list(seen)!r}. Set "
            "warm_start=False to train a new model."
        )
    _check_known(seen, known, "the fitted model's classes")
    return known


def _check_known(seen, known, what):
    unknown = np.setdiff1d(seen, known)
    if unknown.size:
        raise ValueError(
            f"y has labels the fitted model does not know: {list(unknown)!r} "
            f"are not among {what}, {list(known)!r}. Pass every class of the "
            "data (or set warm_start=False to train a new model on these)."
        )


def _check_two_classes(known, multilabel):
    if not multilabel and len(known) < 2:
        raise ValueError(
            f"The classifier needs samples of at least 2 classes in the data, "
            f"but the data contains only one class: {known[0]!r}."
        )


def _one_hot(y, classes):
    """0/1 float64 matrix of ``y``: one column (the second class) for two
    classes, one per class otherwise; an indicator matrix as it is."""
    if y.ndim == 2:
        return np.asarray(y, dtype=np.float64)
    index = np.searchsorted(classes, y)
    if len(classes) == 2:
        return index.astype(np.float64)[:, None]
    Y = np.zeros((y.shape[0], len(classes)))
    Y[np.arange(y.shape[0]), index] = 1.0
    return Y


def _labels(classes, index):
    """``classes[index]`` where the index is: numpy, or another library's
    array for numeric classes; labels no array library holds (strings) are
    returned as numpy."""
    if isinstance(index, np.ndarray) or classes.dtype.kind not in "biuf":
        return classes[to_host(index)]
    k = kernel_for(index)
    return k.xp.take(k.asarray(np.asarray(classes)), index, axis=0)


def _softplus(k, values):
    """``log(1 + exp(values))`` without overflow."""
    return k.maximum(values, 0) + k.log1p(k.exp(-abs(values)))
