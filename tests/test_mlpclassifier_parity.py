"""scikit-learn's own MLPClassifier tests, run against SimpleMLPClassifier.

A port of ``sklearn/neural_network/tests/test_mlp.py`` (scikit-learn 1.9):
each test whose behaviour both classifiers share, with the parameters made
explicit where the test relied on MLPClassifier's defaults (``MLP_DEFAULTS``:
Adam, 100 relu units, ``alpha=1e-4``, ``learning_rate_init=1e-3``,
``max_iter=200``; this library's defaults differ on purpose). Data and
``max_iter`` are smaller where scikit-learn's were larger than the behaviour
needs, and no assertion pins an iteration count or a loss that convergence
decides (tests/README.md): iteration counts are compared only where a rule
fixes them (``max_iter``, ``max_fun``, ``n_iter_no_change`` with a ``tol``
no loss can meet).

Ported (scikit-learn's name: what is checked here)

- test_alpha: a larger ``alpha`` gives smaller weights.
- test_fit (a worked example of one SGD step from weights set by hand):
  the weights are read-only here, but both libraries draw the same starting
  weights, so one epoch of SGD or Adam from the same start must give
  MLPClassifier's weights, for binary, multiclass and multilabel targets
  and every activation.
- test_gradient (finite differences of the private ``_loss_grad_lbfgs``):
  through the public API instead: the gradient is read off two one-step SGD
  fits with learning rates ``lr`` and ``2 lr`` and compared with central
  differences of the objective written out in numpy, whose value is the
  ``loss_`` of both libraries (tests/test_gradients.py checks the private
  gradient itself).
- test_lbfgs_classification, test_lbfgs_classification_maxfun.
- test_multilabel_classification, test_predict_proba_multilabel.
- test_partial_fit_classes_error, test_partial_fit_classification (with
  ``shuffle=False``, so the two are the same computation: in both
  libraries ``fit`` shuffles the last epoch's order again while each
  ``partial_fit`` call shuffles the rows afresh, which scikit-learn's test
  gets away with only because its one batch holds all 200 rows),
  test_partial_fit_unseen_classes, test_partial_fit_errors (plus: classes
  missing on the first call).
- test_predict_proba_binary, test_predict_proba_multiclass (plus: rows sum
  to 1, ``predict`` is the most probable class, and ``decision_function``,
  which MLPClassifier lacks, gives ``predict_proba`` through the sigmoid or
  softmax).
- test_shuffle, test_mlp_loading_from_joblib_partial_fit,
  test_mlp_sample_weight_with_early_stopping and
  test_mlp_vs_poisson_glm_equivalent are regressor tests in scikit-learn;
  their classifier versions are here (the last one: a network of identity
  units without a penalty is unpenalised logistic regression).
- test_sparse_matrices, test_tolerance, test_verbose_sgd.
- test_early_stopping (``validation_scores_`` are minus the validation log
  loss here, accuracies in MLPClassifier: documented),
  test_mlp_early_stopping_string_labels, test_preserve_feature_names,
  test_mlp_warm_start_with_early_stopping, test_mlp_partial_fit_after_fit.
- test_adaptive_learning_rate: the learning rate is private
  (``_optimizer``); instead the schedule keeps training after stalls that
  stop a constant rate, for the same number of epochs as MLPClassifier.
- test_warm_start, test_warm_start_full_iteration,
  test_mlp_warm_start_no_convergence.
- test_n_iter_no_change, test_n_iter_no_change_inf (the no-improvement
  counter is private; the epochs it allows are public).
- test_mlp_classifier_dtypes_casting (``max_iter`` fixed by
  ``n_iter_no_change=np.inf`` instead of a ``tol`` that convergence meets),
  test_mlp_param_dtypes.

Added, for code written for MLPClassifier: ``classes_`` and ``predict``
have MLPClassifier's dtypes for every kind of label, every MLPClassifier
parameter is accepted, a weight of k counts a row k times, ``clone`` and
pickle behave the same.

Left out

- test_learning_rate_warmstart: it reads the private ``_optimizer``; the
  schedules are tested in tests/test_solvers.py.
- test_early_stopping_stratified: MLPClassifier's stratified split raises
  when a class has one row; here the split is stratified where every class
  has two rows and plain otherwise, on purpose (the stratified split is
  tested in tests/test_classifier.py).
- test_nonfinite_params, test_mlp_diverging_loss: a fit that diverges keeps
  its best weights and warns here, on purpose, instead of raising or
  recording NaN (tests/test_reliability.py).
- test_lbfgs_regression, test_lbfgs_regression_maxfun,
  test_multioutput_regression, test_partial_fit_regression,
  test_mlp_regressor_dtypes_casting,
  test_minimum_input_sample_size: MLPRegressor only
  (tests/test_mlpregressor_parity.py and tests/test_training.py).
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, logsumexp, softmax
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import LabelBinarizer, MinMaxScaler

from sknn_simple import SimpleMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)

ACTIVATION_TYPES = ["identity", "logistic", "tanh", "relu"]
# What scikit-learn's tests rely on without saying: MLPClassifier's defaults.
MLP_DEFAULTS = dict(
    hidden_layer_sizes=100,
    activation="relu",
    solver="adam",
    alpha=1e-4,
    learning_rate_init=1e-3,
    max_iter=200,
)

X_digits, y_digits = load_digits(n_class=3, return_X_y=True)
X_DIGITS_MULTI = MinMaxScaler().fit_transform(X_digits[:200])
Y_DIGITS_MULTI = y_digits[:200]
X_DIGITS, Y_DIGITS = load_digits(n_class=2, return_X_y=True)  # 360 rows, 0 to 16
X_DIGITS_BINARY = MinMaxScaler().fit_transform(X_DIGITS[:200])
Y_DIGITS_BINARY = Y_DIGITS[:200]
CLASSIFICATION_DATASETS = pytest.mark.parametrize(
    "X, y",
    [(X_DIGITS_MULTI, Y_DIGITS_MULTI), (X_DIGITS_BINARY, Y_DIGITS_BINARY)],
    ids=["multiclass", "binary"],
)
X_IRIS, Y_IRIS = load_iris(return_X_y=True)
# predict_log_proba is computed from the logits: where a probability is
# within 1e-10 of 1, np.log(predict_proba) is the one off by rounding (1e-16).
LOG_ATOL = 1e-12


def fit_quietly(model, X, y, **fit_params):
    """``model.fit`` without its ConvergenceWarning (a small ``max_iter``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **fit_params)


def _flat(model):
    return np.concatenate([w.ravel() for w in [*model.coefs_, *model.intercepts_]])


# --------------------------------------------- one step, gradient, objective
def _tiny_problem(target):
    """scikit-learn's test_gradient data: 5 rows, 10 features."""
    rng = np.random.RandomState(seed=42)
    X = rng.rand(5, 10)
    if target == "multilabel":
        return X, (rng.rand(5, 3) > 0.5).astype(int)
    n_labels = 2 if target == "binary" else 3
    return X, 1 + np.mod(np.arange(5) + 1, n_labels)


def _one_epoch(Estimator, X, y, **params):
    """One full-batch epoch from the weights ``random_state=1`` draws."""
    params = dict(
        dict(
            hidden_layer_sizes=10,
            solver="sgd",
            alpha=0.1,
            learning_rate_init=0.1,
            momentum=0,
            batch_size=X.shape[0],
            shuffle=False,
            max_iter=1,
            random_state=1,
        ),
        **params,
    )
    return fit_quietly(Estimator(**params), X, y)


def _objective(theta, shapes, X, Y, activation, out_activation, alpha):
    """MLPClassifier's loss: the mean over rows of the cross-entropy summed
    over the outputs, plus ``alpha / (2 n) * sum ||W||²``."""
    params, at = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        params.append(theta[at : at + size].reshape(shape))
        at += size
    n_coefs = len(shapes) // 2
    coefs, intercepts = params[:n_coefs], params[n_coefs:]
    hidden = {
        "identity": lambda z: z,
        "logistic": expit,
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0),
    }[activation]
    a = X
    for coef, intercept in zip(coefs[:-1], intercepts[:-1], strict=True):
        a = hidden(a @ coef + intercept)
    z = a @ coefs[-1] + intercepts[-1]
    if out_activation == "softmax":
        data = np.sum(logsumexp(z, axis=1) - np.sum(Y * z, axis=1))
    else:  # -y log(p) - (1 - y) log(1 - p) with p = expit(z)
        data = np.sum(np.logaddexp(0, z) - Y * z)
    penalty = 0.5 * alpha * sum(np.sum(coef**2) for coef in coefs)
    return (data + penalty) / X.shape[0]


def _targets(y):
    return y if y.ndim == 2 else LabelBinarizer().fit_transform(y)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
def test_one_epoch_from_the_same_start_gives_mlpclassifier_weights(
    target, activation, solver
):
    X, y = _tiny_problem(target)
    ours = _one_epoch(SimpleMLPClassifier, X, y, activation=activation, solver=solver)
    theirs = _one_epoch(MLPClassifier, X, y, activation=activation, solver=solver)
    assert ours.n_outputs_ == theirs.n_outputs_
    assert ours.n_layers_ == theirs.n_layers_
    assert ours.out_activation_ == theirs.out_activation_
    assert_array_equal(ours.classes_, theirs.classes_)
    for mine, sklearns in zip(
        [*ours.coefs_, *ours.intercepts_],
        [*theirs.coefs_, *theirs.intercepts_],
        strict=True,
    ):
        assert mine.shape == sklearns.shape
        assert_allclose(mine, sklearns, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-9)
    assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
def test_gradient_matches_finite_differences(target, activation):
    # W1 = W0 - lr g and W2 = W0 - 2 lr g: g = (W1 - W2) / lr, W0 = 2 W1 - W2.
    X, y = _tiny_problem(target)
    lr, alpha = 0.1, 0.1
    first = _one_epoch(
        SimpleMLPClassifier, X, y, activation=activation, learning_rate_init=lr
    )
    second = _one_epoch(
        SimpleMLPClassifier, X, y, activation=activation, learning_rate_init=2 * lr
    )
    grad = (_flat(first) - _flat(second)) / lr
    theta = 2 * _flat(first) - _flat(second)
    shapes = [w.shape for w in [*first.coefs_, *first.intercepts_]]
    Y = _targets(y)

    def objective(t):
        return _objective(t, shapes, X, Y, activation, first.out_activation_, alpha)

    epsilon = 1e-5
    numgrad = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = epsilon
        numgrad[i] = (objective(theta + step) - objective(theta - step)) / (2 * epsilon)
    assert_allclose(grad, numgrad, rtol=1e-5, atol=1e-7)


@ignore_convergence
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
def test_loss_is_mlpclassifiers_objective(target):
    # L-BFGS's loss_ is the objective at the weights it ends with.
    X, y = _tiny_problem(target)
    params = dict(hidden_layer_sizes=10, solver="lbfgs", alpha=0.1, max_iter=3)
    Y = _targets(y)
    for Estimator in (SimpleMLPClassifier, MLPClassifier):
        model = Estimator(activation="tanh", random_state=1, **params).fit(X, y)
        shapes = [w.shape for w in [*model.coefs_, *model.intercepts_]]
        expected = _objective(
            _flat(model), shapes, X, Y, "tanh", model.out_activation_, 0.1
        )
        assert model.loss_ == pytest.approx(expected, rel=1e-9)


# ------------------------------------------------------------ fitting, alpha
def test_alpha_shrinks_the_weights():
    X, y = X_DIGITS_BINARY[:100], Y_DIGITS_BINARY[:100]
    sums = []
    for alpha in (0, 1):
        params = dict(MLP_DEFAULTS, hidden_layer_sizes=10, alpha=alpha)
        mlp = fit_quietly(SimpleMLPClassifier(random_state=1, **params), X, y)
        sums.append([np.abs(mlp.coefs_[0]).sum(), np.abs(mlp.coefs_[1]).sum()])
    assert (np.array(sums[0]) > np.array(sums[1])).all()


@ignore_convergence
@CLASSIFICATION_DATASETS
@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
def test_lbfgs_classification(X, y, activation):
    X_train, y_train, X_test, y_test = X[:150], y[:150], X[150:], y[150:]
    mlp = SimpleMLPClassifier(
        hidden_layer_sizes=50,
        activation=activation,
        solver="lbfgs",
        alpha=1e-4,
        max_iter=150,
        random_state=1,
    ).fit(X_train, y_train)
    y_predict = mlp.predict(X_test)
    assert mlp.solver_ == "lbfgs"
    assert mlp.score(X_train, y_train) > 0.95
    assert y_predict.shape == (X_test.shape[0],)
    assert y_predict.dtype.kind == y_train.dtype.kind
    assert mlp.score(X_test, y_test) == accuracy_score(y_test, y_predict)


@CLASSIFICATION_DATASETS
@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
def test_lbfgs_classification_maxfun(X, y, activation):
    max_fun = 10
    mlp = SimpleMLPClassifier(
        hidden_layer_sizes=50,
        activation=activation,
        solver="lbfgs",
        alpha=1e-4,
        max_iter=150,
        max_fun=max_fun,
        random_state=1,
    )
    with pytest.warns(ConvergenceWarning):
        mlp.fit(X, y)
    assert mlp.n_iter_ <= max_fun


@ignore_convergence
def test_multilabel_classification():
    X, y = make_multilabel_classification(
        n_samples=50, random_state=0, return_indicator=True
    )
    params = dict(
        hidden_layer_sizes=50, activation="logistic", alpha=1e-5, random_state=0
    )
    mlp = SimpleMLPClassifier(solver="lbfgs", max_iter=150, **params).fit(X, y)
    assert mlp.score(X, y) > 0.97
    assert mlp.out_activation_ == "logistic"
    assert mlp.n_outputs_ == y.shape[1]

    mlp = SimpleMLPClassifier(solver="sgd", learning_rate_init=0.2, **params)
    for _ in range(100):
        mlp.partial_fit(X, y, classes=[0, 1, 2, 3, 4])
    assert mlp.score(X, y) > 0.9

    # Early stopping splits multilabel targets without stratifying.
    mlp = SimpleMLPClassifier(early_stopping=True, **dict(MLP_DEFAULTS, max_iter=20))
    assert mlp.fit(X, y).predict(X).shape == y.shape


def test_predict_proba_binary():
    X, y = X_DIGITS_BINARY[:50], Y_DIGITS_BINARY[:50]
    params = dict(MLP_DEFAULTS, hidden_layer_sizes=5, activation="logistic")
    clf = fit_quietly(SimpleMLPClassifier(random_state=1, **params), X, y)
    y_proba = clf.predict_proba(X)
    y_log_proba = clf.predict_log_proba(X)

    assert y_proba.shape == (50, 2)
    assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    assert_allclose(y_log_proba, np.log(y_proba), atol=LOG_ATOL)
    assert_allclose(y_proba.sum(axis=1), 1)
    assert_array_equal(clf.predict(X), clf.classes_[y_proba.argmax(axis=1)])
    assert roc_auc_score(y, y_proba[:, 1]) == 1.0
    decision = clf.decision_function(X)
    assert decision.shape == (50,)
    assert_allclose(expit(decision), y_proba[:, 1])


def test_predict_proba_multiclass():
    X, y = X_DIGITS_MULTI[:10], Y_DIGITS_MULTI[:10]
    params = dict(MLP_DEFAULTS, hidden_layer_sizes=5)
    clf = fit_quietly(SimpleMLPClassifier(random_state=0, **params), X, y)
    y_proba = clf.predict_proba(X)
    y_log_proba = clf.predict_log_proba(X)

    assert clf.out_activation_ == "softmax"
    assert y_proba.shape == (10, np.unique(y).size)
    assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    assert_allclose(y_log_proba, np.log(y_proba), atol=LOG_ATOL)
    assert_allclose(y_proba.sum(axis=1), 1)
    assert_array_equal(clf.predict(X), clf.classes_[y_proba.argmax(axis=1)])
    decision = clf.decision_function(X)
    assert decision.shape == y_proba.shape
    assert_allclose(softmax(decision, axis=1), y_proba)


@ignore_convergence
def test_predict_proba_multilabel():
    # Multilabel uses a sigmoid per label, not softmax: rows need not sum to 1.
    X, Y = make_multilabel_classification(
        n_samples=50, random_state=0, return_indicator=True
    )
    clf = SimpleMLPClassifier(
        hidden_layer_sizes=30, solver="lbfgs", alpha=1e-4, random_state=0
    ).fit(X, Y)
    y_proba = clf.predict_proba(X)
    assert y_proba.shape == Y.shape
    assert_array_equal(y_proba > 0.5, Y)
    assert_array_equal(clf.predict(X), Y)

    y_log_proba = clf.predict_log_proba(X)
    assert (y_proba.sum(1) - 1).dot(y_proba.sum(1) - 1) > 1e-10
    assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    assert_allclose(y_log_proba, np.log(y_proba), atol=LOG_ATOL)


# ---------------------------------------------------------------- partial_fit
def test_partial_fit_classes_error():
    X, y = [[3, 2]], [0]
    clf = SimpleMLPClassifier(solver="sgd")
    clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError):
        clf.partial_fit(X, y, classes=[1, 2])


@CLASSIFICATION_DATASETS
def test_partial_fit_classification(X, y):
    # 100 partial_fit calls are fit's 100 epochs.
    params = dict(
        MLP_DEFAULTS,
        solver="sgd",
        alpha=1e-5,
        learning_rate_init=0.2,
        shuffle=False,
        random_state=1,
    )
    with pytest.warns(ConvergenceWarning):
        fitted = SimpleMLPClassifier(
            **dict(params, max_iter=100), tol=0, n_iter_no_change=np.inf
        ).fit(X, y)
    incremental = SimpleMLPClassifier(**params)
    for _ in range(100):
        incremental.partial_fit(X, y, classes=np.unique(y))
    assert_array_equal(fitted.predict(X), incremental.predict(X))
    assert_allclose(fitted.predict_proba(X), incremental.predict_proba(X), rtol=1e-6)
    assert incremental.score(X, y) > 0.95


def test_partial_fit_unseen_classes():
    # scikit-learn's bug 6994: classes announced but absent from the first call.
    clf = SimpleMLPClassifier(random_state=0)
    clf.partial_fit([[1], [2], [3]], ["a", "b", "c"], classes=["a", "b", "c", "d"])
    clf.partial_fit([[4]], ["d"])
    assert_array_equal(clf.classes_, ["a", "b", "c", "d"])
    assert clf.predict_proba([[1], [4]]).shape == (2, 4)
    assert clf.score([[1], [2], [3], [4]], ["a", "b", "c", "d"]) > 0


def test_partial_fit_errors():
    X, y = [[3, 2], [1, 6]], [1, 0]
    for Estimator in (SimpleMLPClassifier, MLPClassifier):
        with pytest.raises(ValueError):  # y has labels outside classes
            Estimator(solver="sgd").partial_fit(X, y, classes=[2])
        with pytest.raises(ValueError, match="classes"):  # none on the first call
            Estimator(solver="sgd").partial_fit(X, y)
        assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")


@ignore_convergence
def test_partial_fit_after_loading_continues_the_same_model(tmp_path):
    # test_mlp_loading_from_joblib_partial_fit, for a classifier.
    X, y = X_DIGITS_BINARY[:100], Y_DIGITS_BINARY[:100]
    params = dict(MLP_DEFAULTS, hidden_layer_sizes=20, max_iter=5)
    model = SimpleMLPClassifier(random_state=42, **params).fit(X, y)
    joblib.dump(model, tmp_path / "mlp.pkl")
    loaded = joblib.load(tmp_path / "mlp.pkl")
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))

    before = _flat(loaded)
    for _ in range(3):
        loaded.partial_fit(X, y)
        model.partial_fit(X, y)
    assert not np.allclose(_flat(loaded), before)
    assert_array_equal(_flat(loaded), _flat(model))


# ------------------------------------------------- stochastic training rules
@ignore_convergence
def test_shuffle():
    X, y = make_classification(n_samples=50, n_features=5, random_state=0)
    params = dict(
        MLP_DEFAULTS, hidden_layer_sizes=1, max_iter=1, batch_size=1, random_state=0
    )
    for shuffle in (True, False):
        first = SimpleMLPClassifier(shuffle=shuffle, **params).fit(X, y)
        second = SimpleMLPClassifier(shuffle=shuffle, **params).fit(X, y)
        assert_array_equal(first.coefs_[0], second.coefs_[0])

    shuffled = SimpleMLPClassifier(shuffle=True, **params).fit(X, y)
    in_order = SimpleMLPClassifier(shuffle=False, **params).fit(X, y)
    assert not np.array_equal(shuffled.coefs_[0], in_order.coefs_[0])


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_sparse_matrices(container):
    X, y = X_DIGITS_BINARY[:50], Y_DIGITS_BINARY[:50]
    mlp = SimpleMLPClassifier(
        hidden_layer_sizes=15, solver="lbfgs", alpha=1e-4, max_iter=200, random_state=1
    )
    dense = fit_quietly(mlp, X, y).predict(X)
    sparse = fit_quietly(mlp, container(X), y).predict(container(X))
    assert_array_equal(dense, sparse)
    assert_array_equal(mlp.predict(X), mlp.predict(container(X)))


def test_tolerance():
    X, y = [[3, 2], [1, 6]], [1, 0]
    params = dict(MLP_DEFAULTS, solver="sgd", max_iter=3000)
    clf = SimpleMLPClassifier(tol=0.5, random_state=0, **params).fit(X, y)
    assert clf.n_iter_ < clf.max_iter


def test_verbose_sgd(capsys):
    X, y = [[3, 2], [1, 6]], [1, 0]
    clf = SimpleMLPClassifier(
        **dict(MLP_DEFAULTS, solver="sgd", max_iter=2, hidden_layer_sizes=2),
        verbose=10,
    )
    fit_quietly(clf, X, y)
    clf.partial_fit(X, y)
    out, _ = capsys.readouterr()
    assert out.count("Iteration") == 3


def test_adaptive_learning_rate():
    # A tol no loss can meet: every epoch after the first is a stall. The
    # adaptive rate divides itself by 5 after each run of stalls that stops
    # a constant rate, and stops once at or below 1e-6.
    X, y = [[3, 2], [1, 6]], [1, 0]
    params = dict(MLP_DEFAULTS, solver="sgd", max_iter=3000, tol=1e6, random_state=0)
    constant = SimpleMLPClassifier(learning_rate="constant", **params).fit(X, y)
    adaptive = SimpleMLPClassifier(learning_rate="adaptive", **params).fit(X, y)
    theirs = MLPClassifier(learning_rate="adaptive", **params).fit(X, y)
    assert constant.n_iter_ < adaptive.n_iter_ < adaptive.max_iter
    assert adaptive.n_iter_ == theirs.n_iter_


@ignore_convergence
def test_n_iter_no_change():
    X, y = X_DIGITS_BINARY[:100], Y_DIGITS_BINARY[:100]
    params = dict(MLP_DEFAULTS, hidden_layer_sizes=20, solver="sgd", random_state=0)
    for n_iter_no_change in (2, 5, 10, 50):
        # Training stops after more than n_iter_no_change epochs without
        # an improvement of tol, so never before n_iter_no_change + 2 epochs.
        clf = SimpleMLPClassifier(
            tol=0.01, n_iter_no_change=n_iter_no_change, **dict(params, max_iter=3000)
        ).fit(X, y)
        assert n_iter_no_change + 2 <= clf.n_iter_ < clf.max_iter
        # With a tol no loss can meet, exactly then, as in MLPClassifier.
        for Estimator in (SimpleMLPClassifier, MLPClassifier):
            clf = Estimator(tol=1e6, n_iter_no_change=n_iter_no_change, **params)
            assert clf.fit(X, y).n_iter_ == n_iter_no_change + 2


@ignore_convergence
def test_n_iter_no_change_inf():
    X, y = X_DIGITS_BINARY[:100], Y_DIGITS_BINARY[:100]
    params = dict(MLP_DEFAULTS, hidden_layer_sizes=20, solver="sgd", max_iter=30)
    clf = SimpleMLPClassifier(tol=1e9, n_iter_no_change=np.inf, **params).fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == 30


# ------------------------------------------------------------ early stopping
def test_early_stopping():
    X, y = X_DIGITS_BINARY[:100], Y_DIGITS_BINARY[:100]
    tol = 0.2
    params = dict(MLP_DEFAULTS, solver="sgd", max_iter=3000, tol=tol, random_state=0)
    mlp = SimpleMLPClassifier(early_stopping=True, **params).fit(X, y)
    assert mlp.max_iter > mlp.n_iter_
    assert mlp.best_loss_ is None
    assert isinstance(mlp.validation_scores_, list)
    assert len(mlp.validation_scores_) == mlp.n_iter_
    valid_scores = mlp.validation_scores_
    best_valid_score = mlp.best_validation_score_
    assert max(valid_scores) == best_valid_score
    assert best_valid_score + tol > valid_scores[-2]
    assert best_valid_score + tol > valid_scores[-1]
    # Minus the validation log loss here, accuracies in MLPClassifier.
    assert all(score <= 0 for score in valid_scores)

    mlp = SimpleMLPClassifier(early_stopping=False, **params).fit(X, y)
    assert mlp.validation_scores_ is None
    assert mlp.best_validation_score_ is None
    assert mlp.best_loss_ is not None


@ignore_convergence
def test_mlp_early_stopping_string_labels():
    X, y = make_classification(
        n_samples=200, n_features=10, n_classes=3, n_informative=5, random_state=42
    )
    labels = np.array(["class_a", "class_b", "class_c"], dtype=object)
    y = labels[y]
    mlp = SimpleMLPClassifier(
        early_stopping=True, random_state=42, **dict(MLP_DEFAULTS, max_iter=50)
    ).fit(X, y)
    assert mlp.validation_scores_ is not None
    assert len(mlp.validation_scores_) == mlp.n_iter_
    assert np.isfinite(mlp.validation_scores_).all()
    assert set(mlp.predict(X)) <= set(labels)


def test_preserve_feature_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(data=rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(data=np.tile([0, 1], 5), name="colname_y")
    model = SimpleMLPClassifier(
        early_stopping=True,
        validation_fraction=0.2,
        random_state=0,
        **dict(MLP_DEFAULTS, max_iter=5),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [w for w in caught if "feature names" in str(w.message)]


def test_mlp_warm_start_with_early_stopping():
    mlp = SimpleMLPClassifier(
        random_state=0,
        warm_start=True,
        early_stopping=True,
        **dict(MLP_DEFAULTS, max_iter=10),
    )
    fit_quietly(mlp, X_IRIS, Y_IRIS)
    n_validation_scores = len(mlp.validation_scores_)
    mlp.set_params(max_iter=20)
    fit_quietly(mlp, X_IRIS, Y_IRIS)
    assert len(mlp.validation_scores_) > n_validation_scores


def test_mlp_partial_fit_after_fit():
    mlp = SimpleMLPClassifier(
        early_stopping=True, random_state=0, **dict(MLP_DEFAULTS, max_iter=20)
    )
    fit_quietly(mlp, X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        mlp.partial_fit(X_IRIS, Y_IRIS)


# ---------------------------------------------------------------- warm start
@ignore_convergence
def test_warm_start():
    X, y = X_IRIS, Y_IRIS
    y_2classes = np.array([0] * 75 + [1] * 75)
    y_3classes = np.array([0] * 40 + [1] * 40 + [2] * 70)
    y_3classes_alt = np.array([0] * 50 + [1] * 50 + [3] * 50)
    y_4classes = np.array([0] * 37 + [1] * 37 + [2] * 38 + [3] * 38)
    y_5classes = np.array([0] * 30 + [1] * 30 + [2] * 30 + [3] * 30 + [4] * 30)
    params = dict(
        MLP_DEFAULTS,
        hidden_layer_sizes=2,
        solver="lbfgs",
        warm_start=True,
        random_state=42,
        tol=1e-2,
    )

    # The same classes, in other proportions: no error.
    clf = SimpleMLPClassifier(**params).fit(X, y)
    clf.fit(X, y)
    clf.fit(X, y_3classes)

    for y_i in (y_2classes, y_3classes_alt, y_4classes, y_5classes):
        clf = SimpleMLPClassifier(**params).fit(X, y)
        with pytest.raises(ValueError, match="classes"):
            clf.fit(X, y_i)
        assert_array_equal(clf.classes_, [0, 1, 2])


@ignore_convergence
def test_warm_start_full_iteration():
    # scikit-learn's issue 16812: each warm-started fit runs max_iter epochs.
    max_iter = 3
    clf = SimpleMLPClassifier(
        **dict(MLP_DEFAULTS, hidden_layer_sizes=2, solver="sgd", max_iter=max_iter),
        warm_start=True,
    )
    clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == max_iter
    clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == max_iter


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_mlp_warm_start_no_convergence(solver):
    # scikit-learn's issue 24764: a warm start stops at max_iter.
    model = SimpleMLPClassifier(
        **dict(MLP_DEFAULTS, solver=solver, max_iter=10),
        warm_start=True,
        early_stopping=False,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X_IRIS, Y_IRIS)
    assert model.n_iter_ == 10
    model.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_IRIS, Y_IRIS)
    assert model.n_iter_ == 20


# ------------------------------------------------------------ dtypes, labels
def test_mlp_classifier_dtypes_casting():
    # float32 trains in float32; it predicts as float64 does.
    params = dict(
        MLP_DEFAULTS,
        hidden_layer_sizes=(5, 3),
        alpha=1e-5,
        max_iter=20,
        n_iter_no_change=np.inf,
        random_state=1,
    )
    X_train, y_train, X_test = X_DIGITS[:300], Y_DIGITS[:300], X_DIGITS[300:]
    mlp_64 = fit_quietly(SimpleMLPClassifier(**params), X_train, y_train)
    mlp_32 = fit_quietly(
        SimpleMLPClassifier(**params), X_train.astype(np.float32), y_train
    )
    assert_array_equal(
        mlp_64.predict(X_test), mlp_32.predict(X_test.astype(np.float32))
    )
    assert_allclose(
        mlp_64.predict_proba(X_test),
        mlp_32.predict_proba(X_test.astype(np.float32)),
        rtol=1e-2,
        atol=1e-6,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_param_dtypes(dtype):
    X, y = X_DIGITS.astype(dtype), Y_DIGITS
    params = dict(MLP_DEFAULTS, hidden_layer_sizes=(5, 3), alpha=1e-5, max_iter=5)
    mlp = fit_quietly(SimpleMLPClassifier(random_state=1, **params), X[:300], y[:300])
    assert all(intercept.dtype == dtype for intercept in mlp.intercepts_)
    assert all(coef.dtype == dtype for coef in mlp.coefs_)
    # As MLPClassifier: probabilities in the model's dtype, labels in y's.
    assert mlp.predict_proba(X[300:]).dtype == dtype
    assert mlp.predict(X[300:]).dtype == y.dtype


@pytest.mark.parametrize(
    "labels",
    [
        np.array([3, 7]),
        np.array([3, 7], dtype=np.int32),
        np.array([0.0, 2.0]),
        np.array([False, True]),
        np.array(["no", "yes"]),
        np.array(["no", "yes"], dtype=object),
        np.array(["a", "b", "c"]),
        np.array([-1, 0, 1]),
    ],
    ids=lambda labels: f"{labels.dtype}-{len(labels)}",
)
def test_classes_and_predictions_have_mlpclassifiers_dtypes(labels):
    X = X_DIGITS_MULTI[:60]
    y = labels[np.arange(60) % len(labels)]
    params = dict(hidden_layer_sizes=5, solver="lbfgs", alpha=1e-3, max_iter=20)
    ours = fit_quietly(SimpleMLPClassifier(random_state=0, **params), X, y)
    theirs = fit_quietly(MLPClassifier(random_state=0, **params), X, y)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.classes_.dtype == theirs.classes_.dtype
    assert ours.predict(X).dtype == theirs.predict(X).dtype
    assert set(ours.predict(X)) <= set(labels)


# ------------------------------------------------------------- sample_weight
def test_mlp_sample_weight_with_early_stopping():
    # Weights of one are no weights, also through the validation split.
    X, y = make_classification(
        n_samples=100, n_features=2, n_informative=2, n_redundant=0, random_state=42
    )
    params = dict(
        hidden_layer_sizes=10,
        solver="adam",
        alpha=1e-4,
        early_stopping=True,
        tol=1e-2,
        learning_rate_init=0.01,
        batch_size=10,
        random_state=42,
    )
    m1 = fit_quietly(SimpleMLPClassifier(**params), X, y, sample_weight=np.ones(100))
    m2 = fit_quietly(SimpleMLPClassifier(**params), X, y)
    assert_allclose(m1.predict_proba(X), m2.predict_proba(X))


@ignore_convergence
def test_integer_sample_weight_counts_a_row_that_many_times():
    X, y = X_DIGITS_BINARY[:40], Y_DIGITS_BINARY[:40]
    weights = np.tile([1, 2, 3, 0], 10)
    params = dict(hidden_layer_sizes=5, solver="lbfgs", alpha=1e-3, max_iter=5)
    weighted = SimpleMLPClassifier(random_state=0, **params)
    weighted.fit(X, y, sample_weight=weights)
    repeated = SimpleMLPClassifier(random_state=0, **params)
    repeated.fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6)


# ---------------------------------------------- logistic regression, the API
@pytest.mark.parametrize("n_classes", [2, 3])
def test_identity_network_is_logistic_regression(n_classes):
    # test_mlp_vs_poisson_glm_equivalent, for the cross-entropy: with identity
    # hidden units, no penalty and as many units as features, the network is
    # a linear model of the log-odds, fitted by maximum likelihood.
    X, y = make_classification(
        n_samples=150,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=0.2,
        random_state=0,
    )
    glm = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    mlp = SimpleMLPClassifier(
        hidden_layer_sizes=3,
        activation="identity",
        solver="lbfgs",
        alpha=0,
        tol=1e-10,
        max_iter=2000,
        random_state=0,
    ).fit(X, y)
    # scipy's L-BFGS stops on its relative loss decrease (ftol) in both
    # libraries: the probabilities agree to about 1e-4, the log loss, flat at
    # the optimum, to far less.
    assert_allclose(mlp.predict_proba(X), glm.predict_proba(X), atol=1e-3)
    assert log_loss(y, mlp.predict_proba(X)) == pytest.approx(
        log_loss(y, glm.predict_proba(X)), abs=1e-6
    )


def test_every_mlpclassifier_parameter_is_accepted():
    theirs = MLPClassifier().get_params()
    assert set(theirs) <= set(SimpleMLPClassifier().get_params())
    model = SimpleMLPClassifier(**dict(theirs, max_iter=5))  # runs as given
    fit_quietly(model, X_DIGITS_BINARY[:50], Y_DIGITS_BINARY[:50])
    assert model.solver_ == "adam"
    assert model.alpha_ == theirs["alpha"]


@ignore_convergence
def test_clone_and_pickle():
    X, y = X_DIGITS_MULTI[:60], Y_DIGITS_MULTI[:60]
    params = dict(hidden_layer_sizes=5, solver="lbfgs", alpha=1e-3, max_iter=20)
    for Estimator in (SimpleMLPClassifier, MLPClassifier):
        model = Estimator(random_state=0, **params).fit(X, y)
        fresh = clone(model)
        assert fresh.get_params() == model.get_params()
        with pytest.raises(NotFittedError):
            fresh.predict(X)
        restored = pickle.loads(pickle.dumps(model))
        assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
        assert_array_equal(restored.classes_, model.classes_)
        assert_array_equal(fresh.fit(X, y).predict_proba(X), model.predict_proba(X))
