"""The losses: their gradients, links, targets, normalisation and behaviour.

Each loss of ``sknn_simple._losses.LOSSES`` is checked against finite
differences for every activation, with and without sample weights, for one
and several outputs (the non-smooth ones away from their kinks), and the
estimator shows what each loss is chosen for: Poisson on counts, Huber
against outliers, quantiles for prediction intervals.
"""

import itertools
import pickle

import numpy as np
import pytest
from scipy.optimize import check_grad
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_pinball_loss, mean_poisson_deviance, r2_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sknn_simple import SimpleMLPRegressor
from sknn_simple._activations import ACTIVATIONS, OUTPUT_RANGES
from sknn_simple._losses import (
    CLASSIFICATION_LOSSES,
    IDENTITY_OUTPUT_ONLY,
    LOSSES,
    REGRESSION_LOSSES,
    prediction_loss,
)
from sknn_simple._network import Network
from sknn_simple._objective import Objective
from sknn_simple._state import FittedState
from sknn_simple._target import fit_target_scaling, weighted_quantile
from sknn_simple._training import Dataset

N_SAMPLES, N_FEATURES, HIDDEN = 9, 4, (5, 3)
RTOL = 1e-6
# Finite differences move an output by ~1e-7 at most: keep residuals this
# far from the kinks of the non-smooth losses, and pre-activations from relu's.
KINK_MARGIN = 1e-3
LOSS_PARAMETERS = {"huber": 0.4, "quantile": 0.3}

ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def _kinks(loss, network, params, X, Y):
    """Distance of every residual (and hidden pre-activation) to a kink."""
    output = network.forward(params, X)
    residual = np.abs(output - Y).ravel()
    distances = [residual] if loss in ("absolute_error", "quantile") else []
    if loss == "huber":
        distances.append(np.abs(residual - LOSS_PARAMETERS["huber"]))
    layer_input = X
    coefs, intercepts = network.unpack(params)
    for coef, intercept in zip(coefs[:-1], intercepts[:-1], strict=True):
        z = layer_input @ coef + intercept
        distances.append(np.abs(z).ravel())
        layer_input = {
            "identity": z,
            "logistic": 1 / (1 + np.exp(-z)),
            "tanh": np.tanh(z),
            "relu": np.maximum(z, 0),
        }[network.activation]
    return min(d.min() for d in distances)


def _problem(loss, activation, n_outputs, weighted, output_activation="identity"):
    network = Network(
        (N_FEATURES, *HIDDEN, n_outputs),
        activation,
        output_activation,
        loss,
        LOSS_PARAMETERS.get(loss),
    )
    for seed in range(1000):
        rng = np.random.RandomState(seed)
        X = rng.normal(size=(N_SAMPLES, N_FEATURES))
        params = network.initialize(rng) + 0.3 * rng.normal(size=network.n_params)
        if loss == "poisson":
            Y = rng.poisson(1.5, size=(N_SAMPLES, n_outputs)).astype(float)
            Y[0] = 0.0  # zero counts: the y log y term is 0
        elif loss == "binary_log_loss":  # labels, or a multilabel indicator
            Y = rng.randint(0, 2, size=(N_SAMPLES, n_outputs)).astype(float)
        elif loss == "log_loss":  # one-hot rows
            Y = np.eye(n_outputs)[rng.randint(0, n_outputs, size=N_SAMPLES)]
        else:
            Y = 0.5 * rng.normal(size=(N_SAMPLES, n_outputs))
        sample_weight = None
        if weighted:
            sample_weight = rng.uniform(0.5, 2.0, size=N_SAMPLES)
            sample_weight[[1, 4]] = 0.0
        if _kinks(loss, network, params, X, Y) > KINK_MARGIN:
            return network, params, X, Y, sample_weight
    raise AssertionError("no draw kept clear of the kinks")  # pragma: no cover


CASES = [
    (loss, hidden, output, weighted, k)
    for loss, hidden, output, weighted, k in itertools.product(
        LOSSES, ACTIVATIONS, OUTPUT_RANGES, [False, True], [1, 3]
    )
    # Poisson's exp link needs the identity output (the estimator says so);
    # the classification losses take logits, from the identity output, and
    # a softmax needs two classes at least.
    if output == "identity"
    or loss not in (*IDENTITY_OUTPUT_ONLY, *CLASSIFICATION_LOSSES)
    if not (loss == "log_loss" and k == 1)
]


@pytest.mark.parametrize(
    "loss, activation, output_activation, weighted, n_outputs",
    CASES,
    ids=[f"{loss}-{h}-{o}-{'sw' if w else 'nosw'}-k{k}" for loss, h, o, w, k in CASES],
)
def test_gradient_of_every_loss_matches_finite_differences(
    loss, activation, output_activation, weighted, n_outputs
):
    network, params, X, Y, sample_weight = _problem(
        loss, activation, n_outputs, weighted, output_activation
    )
    # The training objective: the loss's data term plus the L2 penalty.
    data = Dataset(X, Y, sample_weight)
    objective = Objective.for_rows(network, 0.3, data)

    def loss_value(p):
        return objective.value(p, data)

    def gradient(p):
        return objective.value_and_gradient(p, data)[1]

    grad = gradient(params)
    assert np.linalg.norm(grad) > 0
    assert loss_value(params) == pytest.approx(
        objective.value_and_gradient(params, data)[0], rel=1e-12
    )
    assert check_grad(loss_value, gradient, params) / np.linalg.norm(grad) < RTOL


def _element_loss(loss, o, y):
    """Each loss written out by hand, from its docstring formula."""
    r = o - y
    if loss == "squared_error":
        return 0.5 * r**2
    if loss == "poisson":
        with np.errstate(divide="ignore", invalid="ignore"):
            ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0)
        return np.exp(o) - y * o + ylogy - y
    if loss == "huber":
        d = LOSS_PARAMETERS["huber"]
        return np.where(np.abs(r) <= d, 0.5 * r**2, d * (np.abs(r) - d / 2))
    if loss == "absolute_error":
        return np.abs(r)
    if loss == "quantile":
        q = LOSS_PARAMETERS["quantile"]
        return np.where(r > 0, (1 - q) * r, -q * r)
    # The cross-entropies of the probabilities, each in its own column
    # (binary, multilabel) or summed over a row's classes (softmax).
    if loss == "binary_log_loss":
        p = 1 / (1 + np.exp(-o))
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))
    p = np.exp(o) / np.exp(o).sum(axis=1, keepdims=True)
    return -(y * np.log(p))


@pytest.mark.parametrize("loss", list(LOSSES))
def test_objective_is_the_documented_formula(loss):
    network, params, X, Y, sample_weight = _problem(loss, "tanh", 3, True)
    output = network.forward(params, X)
    # Regression losses are averaged over the outputs, cross-entropies summed.
    S, k = sample_weight.sum(), Y.shape[1] if loss in REGRESSION_LOSSES else 1
    data = np.sum(sample_weight[:, None] * _element_loss(loss, output, Y)) / (S * k)
    weights = params[: network.n_coefs]
    expected = data + 0.3 / (2 * S) * weights @ weights
    rows = Dataset(X, Y, sample_weight)
    objective = Objective.for_rows(network, 0.3, rows)
    assert objective.value(params, rows) == pytest.approx(expected, rel=1e-12)
    assert network.loss(params, X, Y, sample_weight) == pytest.approx(data, rel=1e-12)
    assert network.data_loss(output, Y, sample_weight) == pytest.approx(data, rel=1e-12)


def test_poisson_deviance_matches_scikit_learn():
    rng = np.random.RandomState(0)
    prediction = rng.uniform(0.2, 3, size=(50, 1))
    y = rng.poisson(1.0, size=(50, 1)).astype(float)
    weights = rng.uniform(0.5, 2, size=50)
    ours = prediction_loss("poisson", None, prediction, y, weights) / weights.sum()
    # Our loss is half the deviance.
    assert 2 * ours == pytest.approx(
        mean_poisson_deviance(y, prediction, sample_weight=weights), rel=1e-12
    )
    pinball = prediction_loss("quantile", 0.9, prediction, y, weights)
    assert pinball / weights.sum() == pytest.approx(
        mean_pinball_loss(y, prediction, alpha=0.9, sample_weight=weights),
        rel=1e-12,
    )


# ------------------------------------------------------------- estimator
def _counts(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 4))
    mean = np.exp(2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] * X[:, 3])
    return X, rng.poisson(mean).astype(float)


@ignore_convergence
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_poisson_predicts_positive_counts_better_than_squared_error(solver):
    X, y = _counts(1500, 0)
    X_test, y_test = _counts(2000, 1)
    params = dict(
        hidden_layer_sizes=(10,),
        solver=solver,
        alpha=1e-3,
        max_iter=500,
        learning_rate_init=0.01 if solver == "adam" else 0.001,
        random_state=0,
    )
    poisson = SimpleMLPRegressor(loss="poisson", **params).fit(X, y)
    squared = SimpleMLPRegressor(**params).fit(X, y)
    # Far outside the training range the log link still predicts a count.
    prediction = poisson.predict(np.vstack([X_test, 5 * X_test]))
    assert (prediction > 0).all()
    ours = mean_poisson_deviance(y_test, poisson.predict(X_test))
    # The squared error's negative predictions clipped, or no deviance.
    theirs = mean_poisson_deviance(y_test, np.clip(squared.predict(X_test), 1e-3, None))
    assert ours < theirs
    assert poisson.score(X_test, y_test) > 0.5  # score stays R²


def test_poisson_rejects_negative_targets_and_takes_all_zeros():
    X, y = _counts(100, 0)
    with pytest.raises(ValueError, match="non-negative targets"):
        SimpleMLPRegressor(loss="poisson").fit(X, y - 1.0)
    with pytest.raises(ValueError, match="output_activation='identity'"):
        SimpleMLPRegressor(loss="poisson", output_activation="logistic").fit(X, y)
    model = SimpleMLPRegressor(loss="poisson", random_state=0).fit(X, 0 * y)
    prediction = model.predict(X)
    assert (prediction >= 0).all() and prediction.max() < 1e-3
    assert np.isfinite(model.loss_)


def _with_outliers(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    clean = 1.2 * np.sin(2 * X[:, 0]) + X[:, 1]
    y = clean + 0.1 * rng.normal(size=n)
    outliers = rng.choice(n, size=n // 10, replace=False)
    y[outliers] += rng.choice([-50.0, 50.0], size=outliers.size)
    return X, y, clean


@ignore_convergence
def test_huber_resists_gross_outliers_where_squared_error_fails():
    # 10% of y moved by ±50 on a signal of standard deviation about 1.
    X, y, _ = _with_outliers(1000, 0)
    X_test, _, clean_test = _with_outliers(1000, 1)
    assert 0.8 < np.std(clean_test) < 1.3
    params = dict(hidden_layer_sizes=(20,), alpha=1e-3, random_state=0)
    huber = SimpleMLPRegressor(loss="huber", **params).fit(X, y)
    squared = SimpleMLPRegressor(**params).fit(X, y)
    assert r2_score(clean_test, huber.predict(X_test)) > 0.9
    assert r2_score(clean_test, squared.predict(X_test)) < 0.2


def test_robust_losses_normalise_by_median_and_iqr():
    _, y, _ = _with_outliers(1000, 0)
    Y = y[:, None]
    offset, scale = fit_target_scaling(Y, None, "identity", "robust")
    assert offset[0] == pytest.approx(np.median(y))
    q1, q3 = np.percentile(y, [25, 75])
    assert scale[0] == pytest.approx((q3 - q1) / 1.349, rel=1e-3)
    assert scale[0] < 2 < np.std(y)  # the outliers inflate only the std
    mean_offset, mean_scale = fit_target_scaling(Y**2, None, "identity", "mean")
    assert mean_offset[0] == 0 and mean_scale[0] == pytest.approx(np.mean(y**2))


def test_weighted_quantile_counts_a_weight_as_repeats():
    rng = np.random.RandomState(0)
    Y = rng.normal(size=(31, 2))
    weights = rng.randint(1, 4, size=31)
    repeated = np.repeat(Y, weights, axis=0)
    for q in (0.25, 0.5, 0.75):
        expected = np.quantile(repeated, q, axis=0, method="averaged_inverted_cdf")
        got = weighted_quantile(Y, weights.astype(float), q)
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(
        weighted_quantile(Y, None, 0.5), np.median(Y, axis=0), rtol=1e-12
    )


def _heteroscedastic(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = np.sin(2 * X[:, 0]) + (0.2 + 0.6 * np.abs(X[:, 1])) * rng.normal(size=n)
    return X, y


@ignore_convergence
def test_two_quantile_models_cover_about_90_percent():
    X, y = _heteroscedastic(2000, 0)
    X_test, y_test = _heteroscedastic(2000, 1)
    params = dict(hidden_layer_sizes=(20,), alpha=1e-3, random_state=0)
    low = SimpleMLPRegressor(loss="quantile", quantile=0.05, **params).fit(X, y)
    high = SimpleMLPRegressor(loss="quantile", quantile=0.95, **params).fit(X, y)
    lower, upper = low.predict(X_test), high.predict(X_test)
    coverage = np.mean((lower <= y_test) & (y_test <= upper))
    assert 0.85 < coverage < 0.95
    # Each bound alone leaves about its own tail out.
    assert 0.02 < np.mean(y_test < lower) < 0.08
    assert 0.02 < np.mean(y_test > upper) < 0.08
    # The interval follows the noise: wider where |x_1| is large.
    width = upper - lower
    wide = np.abs(X_test[:, 1]) > 0.5
    assert width[wide].mean() > 1.2 * width[~wide].mean()


@ignore_convergence
def test_absolute_error_predicts_the_conditional_median():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(1500, 2))
    # Skewed noise: its median (log 2) is well below its mean (1).
    y = X[:, 0] + rng.exponential(size=1500)
    model = SimpleMLPRegressor(
        loss="absolute_error", hidden_layer_sizes=(10,), alpha=1e-3, random_state=0
    ).fit(X, y)
    residual = y - model.predict(X)
    assert abs(np.mean(residual > 0) - 0.5) < 0.05
    assert abs(np.median(residual)) < 0.1


@ignore_convergence
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_every_solver_trains_every_loss(loss, solver):
    X, y = _counts(300, 0)
    X = StandardScaler().fit_transform(X)
    model = SimpleMLPRegressor(
        (8,),
        loss=loss,
        solver=solver,
        alpha=1e-3,
        max_iter=200,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.score(X, y) > 0.3
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored._state.network.loss_name == loss


@ignore_convergence
def test_early_stopping_scores_r2_and_records_the_loss():
    X, y = _counts(600, 0)
    model = SimpleMLPRegressor(
        (8,), loss="poisson", early_stopping=True, alpha=1e-3, random_state=0
    ).fit(X, y)
    assert model.solver_ == "adam"
    assert max(model.validation_scores_) > 0.3
    assert all(np.isfinite(model.validation_loss_curve_))


@pytest.mark.parametrize("loss", ["poisson", "huber", "quantile"])
def test_alpha_auto_scores_by_the_loss_on_small_data(loss):
    X, y = _counts(80, 0)
    model = SimpleMLPRegressor((8,), loss=loss, random_state=0).fit(X, y)
    assert model.alpha_ in (1e-3, 1e-2, 0.1, 0.3, 1.0)
    assert model.score(X, y) > 0.3


@ignore_convergence
def test_warm_start_keeps_the_loss():
    X, y = _counts(100, 0)
    model = SimpleMLPRegressor(
        (5,), loss="huber", alpha=1e-3, warm_start=True, max_iter=20, random_state=0
    )
    model.fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        model.set_params(huber_delta=2.0).fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        clone(model).fit(X, y).set_params(loss="quantile").fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        dict(loss="hinge"),
        dict(loss="quantile", quantile=1.0),
        dict(loss="quantile", quantile=0.0),
        dict(loss="huber", huber_delta=0.0),
    ],
)
def test_invalid_loss_parameters_are_rejected(params):
    X, y = _counts(30, 0)
    with pytest.raises(InvalidParameterError):
        SimpleMLPRegressor(**params).fit(X, y)


def test_poisson_asks_scikit_learn_checks_for_positive_targets():
    assert (
        SimpleMLPRegressor(loss="poisson").__sklearn_tags__().target_tags.positive_only
    )
    assert not SimpleMLPRegressor().__sklearn_tags__().target_tags.positive_only


@pytest.mark.parametrize(
    "edit, message",
    [
        (dict(loss="hinge"), "corrupt"),
        (dict(loss_parameter=1.5), "loss parameter 1.5 is invalid"),
        (dict(loss_parameter=None), "loss parameter None is invalid"),
        (dict(loss="squared_error"), "loss parameter 0.9 is invalid"),
    ],
)
def test_a_saved_state_with_a_corrupt_loss_fails_to_load(edit, message):
    X, y = _counts(40, 0)
    model = SimpleMLPRegressor(
        (4,), loss="quantile", quantile=0.9, alpha=1e-3, max_iter=5, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    plain = {**model._state.to_plain(), **edit}
    with pytest.raises(ValueError, match=message):
        FittedState.from_plain(plain)
    assert FittedState.from_plain(model._state.to_plain()).network.loss_parameter == 0.9
