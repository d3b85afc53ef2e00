"""What training computes: the weights, losses, shapes and dtypes that fit,
partial_fit and the solvers promise a user. (What happens when training goes
wrong, and determinism: test_reliability.py.)"""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes, make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor
from sknn_simple._network import Network
from sknn_simple._objective import Objective
from sknn_simple._rows import merge_duplicate_rows
from sknn_simple._training import (
    Dataset,
    History,
    _Batches,
    _LbfgsRun,
    run_epoch,
)

# The blog post's data: five rows of three features and their targets.
BLOG_X = np.array([[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]], float)
BLOG_Y = np.array([50, 96, 63, 80, 96], float)

ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def full_batch_sgd(**params):
    """Plain, deterministic gradient descent: the blog's training rule."""
    defaults = dict(
        solver="sgd",
        momentum=0.0,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=10_000,
        random_state=0,
    )
    return SimpleMLPRegressor(**{**defaults, **params})


# --------------------------------------------------------------- the blog
# Five noise-free rows are there to be memorised, which the default penalty
# (alpha=1, chosen for real, noisy data) prevents: these fits use the light
# penalty of MLPRegressor's default instead.
BLOG_ALPHA = 1e-4


@pytest.mark.parametrize("random_state", range(5))
def test_blog_network_fits_its_five_rows_with_a_light_penalty(random_state):
    model = SimpleMLPRegressor(
        hidden_layer_sizes=(5, 5), alpha=BLOG_ALPHA, random_state=random_state
    )
    model.fit(BLOG_X, BLOG_Y)
    assert model.score(BLOG_X, BLOG_Y) >= 0.99
    assert [coef.shape for coef in model.coefs_] == [(3, 5), (5, 5), (5, 1)]


@ignore_convergence
def test_blog_training_rule_lowers_the_loss_every_epoch():
    # w -= lr * dLoss/dw on all five rows at once, for max_iter epochs.
    model = full_batch_sgd(
        hidden_layer_sizes=(5, 5),
        batch_size=len(BLOG_X),
        learning_rate_init=0.05,
        alpha=0.0,  # the blog has no penalty
        max_iter=500,
    )
    model.fit(BLOG_X, BLOG_Y)
    assert model.n_iter_ == 500
    assert np.all(np.diff(model.loss_curve_) < 0)
    assert model.loss_curve_[-1] < 0.75 * model.loss_curve_[0]


def test_sigmoid_output_cannot_reach_raw_targets_without_normalisation():
    # The blog's flaw: a logistic output lives in (0, 1), its targets in 50-96.
    raw = SimpleMLPRegressor(
        (5, 5),
        output_activation="logistic",
        normalize_y=False,
        alpha=BLOG_ALPHA,
        random_state=0,
    ).fit(BLOG_X, BLOG_Y)
    assert np.all(raw.predict(BLOG_X) < 1)
    assert raw.score(BLOG_X, BLOG_Y) < -10

    scaled = SimpleMLPRegressor(
        (5, 5), output_activation="logistic", alpha=BLOG_ALPHA, random_state=0
    ).fit(BLOG_X, BLOG_Y)
    assert scaled.score(BLOG_X, BLOG_Y) >= 0.99


# ---------------------------------------------------- target normalisation
@ignore_convergence
def test_raw_scale_targets_train_well_only_with_normalisation():
    X, y = make_regression(n_samples=400, n_features=5, noise=5.0, random_state=1)
    y = 1000 * y + 50_000
    # Adam moves each weight by about learning_rate_init per step: 400 steps
    # cannot carry an output from 0 to targets of 1e5 unless y is rescaled.
    params = dict(solver="adam", max_iter=200, random_state=0)
    normalised = SimpleMLPRegressor(**params).fit(X, y)
    raw = SimpleMLPRegressor(normalize_y=False, **params).fit(X, y)
    assert normalised.score(X, y) > 0.95
    assert raw.score(X, y) < 0.1
    # Predictions come back on the targets' own scale.
    assert abs(normalised.predict(X).mean() - y.mean()) < 0.05 * y.std()


def test_constant_target_is_predicted():
    X = np.random.RandomState(0).rand(30, 3)
    y = np.full(30, 7.5)
    model = SimpleMLPRegressor((4,), random_state=0).fit(X, y)
    # The network learns to output 0 on the standardised scale, up to the
    # solver's tolerance.
    assert_allclose(model.predict(X), 7.5, atol=1e-2)


# ---------------------------------------------------------- shapes, dtypes
def test_prediction_shape_follows_the_fitted_y(regression_data):
    X, y = regression_data
    params = dict(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    with pytest.warns(ConvergenceWarning):
        one_d = SimpleMLPRegressor(**params).fit(X, y)
        column = SimpleMLPRegressor(**params).fit(X, y[:, None])
        three = SimpleMLPRegressor(**params).fit(X, np.c_[y, -y, 2 * y])
    assert one_d.predict(X).shape == (120,)
    assert column.predict(X).shape == (120, 1)
    assert three.predict(X).shape == (120, 3)
    assert three.n_outputs_ == 3
    assert three.intercepts_[-1].shape == (3,)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@ignore_convergence
def test_float32_trains_and_predicts_in_float32(regression_data, solver, dtype):
    X, y = regression_data
    model = SimpleMLPRegressor(
        (8, 8),
        solver=solver,
        batch_size=20,
        learning_rate_init=0.05,
        max_iter=30,
        random_state=0,
    )
    model.fit(X.astype(dtype), y.astype(dtype))
    assert all(coef.dtype == dtype for coef in model.coefs_)
    assert all(intercept.dtype == dtype for intercept in model.intercepts_)
    assert model.predict(X.astype(dtype)).dtype == dtype
    assert model.score(X.astype(dtype), y) > 0.5


def test_integer_input_trains_in_float64():
    X = np.arange(40).reshape(20, 2)
    model = SimpleMLPRegressor((3,), random_state=0).fit(X, np.arange(20))
    assert model.coefs_[0].dtype == np.float64


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
@ignore_convergence
def test_sparse_input_matches_dense_input(regression_data, container):
    X, y = regression_data
    X[np.abs(X) < 1] = 0
    params = dict(hidden_layer_sizes=(6,), solver="sgd", max_iter=20, random_state=0)
    dense = SimpleMLPRegressor(**params).fit(X, y)
    sparse = SimpleMLPRegressor(**params).fit(container(X), y)
    assert_allclose(sparse.predict(container(X)), dense.predict(X), rtol=1e-8)


def test_any_number_of_hidden_layers(regression_data):
    X, y = regression_data
    one = SimpleMLPRegressor(7, random_state=0).fit(X, y)
    three = SimpleMLPRegressor((4, 3, 2), random_state=0).fit(X, y)
    assert [c.shape for c in one.coefs_] == [(6, 7), (7, 1)]
    assert [c.shape for c in three.coefs_] == [(6, 4), (4, 3), (3, 2), (2, 1)]
    assert (one.n_layers_, three.n_layers_) == (3, 5)


# ------------------------------------------------------------ the solvers
def test_auto_solver_is_lbfgs_up_to_10000_rows_and_adam_beyond(regression_data):
    X, y = regression_data
    assert SimpleMLPRegressor((4,), random_state=0).fit(X, y).solver_ == "lbfgs"
    rng = np.random.RandomState(0)
    for n_samples, expected in [(10_000, "lbfgs"), (10_001, "adam")]:
        model = SimpleMLPRegressor((2,), max_iter=1, random_state=0)
        with pytest.warns(ConvergenceWarning):
            model.fit(rng.rand(n_samples, 2), rng.rand(n_samples))
        assert model.solver_ == expected
    # Early stopping and partial_fit need epochs: Adam at any size.
    early = SimpleMLPRegressor((4,), early_stopping=True, max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        early.fit(X, y)
    assert early.solver_ == "adam"
    streamed = SimpleMLPRegressor((4,), random_state=0).partial_fit(X, y)
    assert streamed.solver_ == "adam"


def test_lbfgs_records_one_loss_per_iteration(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor((8,), solver="lbfgs", random_state=0).fit(X, y)
    assert len(model.loss_curve_) == model.n_iter_ > 1
    assert np.all(np.diff(model.loss_curve_) <= 0)
    assert model.loss_ == model.loss_curve_[-1] == model.best_loss_


def test_lbfgs_warns_with_scipys_reason_when_stopped_short(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor((8,), solver="lbfgs", max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="reached max_iter=3 iterations"):
        model.fit(X, y)
    assert model.n_iter_ == 3
    model.set_params(max_iter=50, max_fun=4)
    with pytest.warns(ConvergenceWarning, match="max_fun=4 loss evaluations"):
        model.fit(X, y)


def test_max_iter_warning_says_what_was_reached_and_advises_scaling_only_if_needed(
    regression_data,
):
    X, y = regression_data  # columns of unit standard deviation
    model = SimpleMLPRegressor((8,), solver="lbfgs", max_iter=12, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        model.fit(X, y)
    curve = model.loss_curve_
    fall = (curve[-11] - curve[-1]) / curve[-1]
    message = str(caught[0].message)
    assert f"still fell by {fall:.2g} of itself over the last 10 iterations" in message
    assert "Increase max_iter" in message and "StandardScaler" not in message
    with pytest.warns(ConvergenceWarning) as caught:
        model.fit(X / 100, y)
    assert "median column standard deviation 0.01" in str(caught[0].message)


def test_stochastic_solver_warns_at_max_iter_and_stops_on_plateau(regression_data):
    X, y = regression_data
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(5\)"):
        SimpleMLPRegressor((8,), solver="adam", max_iter=5).fit(X, y)
    model = SimpleMLPRegressor(
        (8,), solver="adam", learning_rate_init=0.01, tol=1e-2, random_state=0
    ).fit(X, y)
    assert model.n_iter_ < 500
    # Stopped because the last n_iter_no_change + 1 epochs did not improve.
    recent = model.loss_curve_[-(model.n_iter_no_change + 1) :]
    assert min(recent) > model.best_loss_ - model.tol


def test_verbose_prints_one_line_per_epoch(regression_data, capsys):
    X, y = regression_data
    for solver in ("adam", "lbfgs"):
        with pytest.warns(ConvergenceWarning):
            model = SimpleMLPRegressor((4,), solver=solver, max_iter=4, verbose=True)
            model.fit(X, y)
        lines = [
            line
            for line in capsys.readouterr().out.splitlines()
            if line.startswith("Iteration ")
        ]
        assert len(lines) == model.n_iter_ == 4
        assert lines[-1].startswith("Iteration 4, loss = ")


# --------------------------------------------------------- early stopping
def test_early_stopping_keeps_the_best_validation_weights(regression_data):
    X, y = regression_data
    params = dict(
        hidden_layer_sizes=(16,),
        solver="adam",
        learning_rate_init=0.05,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        random_state=0,
    )
    model = SimpleMLPRegressor(**params).fit(X, y)
    scores = model.validation_scores_
    assert len(scores) == len(model.validation_loss_curve_) == model.n_iter_
    assert model.best_validation_score_ == max(scores)
    assert model.best_loss_ is None
    best_epoch = int(np.argmax(scores)) + 1
    assert best_epoch < model.n_iter_

    # The same run cut at the best epoch ends with exactly these weights.
    with pytest.warns(ConvergenceWarning):
        cut = SimpleMLPRegressor(**{**params, "max_iter": best_epoch}).fit(X, y)
    for kept, reference in zip(model.coefs_, cut.coefs_):
        assert_array_equal(kept, reference)


def test_validation_loss_tracks_validation_score(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor(
        (16,), early_stopping=True, learning_rate_init=0.05, random_state=0
    ).fit(X, y)
    # R² = 1 - 2 * loss / var on the standardised validation targets: the
    # better the score, the lower the loss.
    order = np.argsort(model.validation_scores_)
    assert np.all(np.diff(np.asarray(model.validation_loss_curve_)[order]) <= 1e-12)


# ----------------------------------------------- warm start, partial_fit
@ignore_convergence
def test_warm_start_continues_from_the_previous_weights(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor((8,), solver="sgd", max_iter=5, random_state=0)
    model.fit(X, y)
    first_curve = list(model.loss_curve_)
    model.set_params(warm_start=True).fit(X, y)
    # n_iter_ counts this call's epochs (as MLPRegressor's); the curve all.
    assert model.n_iter_ == 5 and len(model.loss_curve_) == 10
    assert model.loss_curve_[:5] == first_curve
    # A continued run starts near where the last one ended, not from scratch.
    assert model.loss_curve_[5] < first_curve[0]
    assert model.t_ == 10 * X.shape[0]


@ignore_convergence
def test_a_warm_start_on_another_solver_reports_that_solvers_record(regression_data):
    """An early-stopping fit's validation curves and best score belong to
    it: an L-BFGS warm start after it reports none of them, and a later
    fit without early stopping reports its own best loss."""
    X, y = regression_data
    model = SimpleMLPRegressor(
        (8,), solver="adam", early_stopping=True, max_iter=5, random_state=0
    ).fit(X, y)
    assert len(model.validation_scores_) == 5 and model.best_loss_ is None
    model.set_params(warm_start=True, solver="lbfgs", max_iter=5).fit(X, y)
    assert model.validation_scores_ is None
    assert model.validation_loss_curve_ is None
    assert model.best_validation_score_ is None
    assert model.best_loss_ == min(model.loss_curve_[5:])
    model.set_params(solver="adam", early_stopping=False).fit(X, y)
    assert model.validation_scores_ is None
    assert model.best_loss_ == min(model.loss_curve_[5:])


def test_partial_fit_runs_one_epoch_per_call_and_learns(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor((16,), learning_rate_init=0.01, random_state=0)
    for _ in range(30):
        model.partial_fit(X, y)
    assert model.solver_ == "adam"
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 30
    assert model._state.optimizer.t == 30  # one Adam step per call: kept across calls
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]


def test_partial_fit_freezes_target_scaling_after_the_first_batch(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor((4,), random_state=0).partial_fit(X[:60], y[:60])
    offset = model._state.y_offset.copy()
    model.partial_fit(X[60:], y[60:] + 1000)
    assert_array_equal(model._state.y_offset, offset)


# ------------------------------------------------- one alpha for all solvers
class _RecordingOptimizer:
    """Records each step's gradient and leaves the weights where they are."""

    def __init__(self):
        self.grads = []

    def step(self, k, params, grad):
        self.grads.append(grad.copy())


def _penalised_problem(X, y, weighted, activation):
    """A small network, its starting weights, the rows (y in units of its
    spread, random weights if ``weighted``) and the fit's objective, with a
    penalty that is not small."""
    Y = (y / y.std())[:, None]
    sample_weight = np.random.RandomState(0).rand(len(y)) if weighted else None
    network = Network((X.shape[1], 5, 1), activation, "identity")
    params = network.initialize(np.random.RandomState(0))
    data = Dataset(X, Y, sample_weight)
    return network, params, data, Objective.for_rows(network, 3.0, data)


@pytest.mark.parametrize("batch_size", [7, 40])
@pytest.mark.parametrize("weighted", [False, True])
def test_minibatch_gradients_average_to_the_full_batch_gradient(
    regression_data, batch_size, weighted
):
    """alpha means the same for every batch size: weighting each batch's
    step gradient by its share of the sample weight gives back the gradient
    of the full-batch objective, penalty included."""
    X, y = regression_data
    network, params, data, objective = _penalised_problem(X, y, weighted, "logistic")
    sample_weight = data.sample_weight
    optimizer = _RecordingOptimizer()
    batches = _Batches(objective, data, batch_size)
    run_epoch(objective, params, optimizer, batches, order=np.arange(len(y)))

    shares = [
        (sample_weight[start : start + batch_size].sum() / sample_weight.sum())
        if weighted
        else min(batch_size, len(y) - start) / len(y)
        for start in range(0, len(y), batch_size)
    ]
    averaged = sum(share * grad for share, grad in zip(shares, optimizer.grads))
    _, full = objective.value_and_gradient(params, data)
    assert_allclose(averaged, full, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("weighted", [False, True])
def test_a_full_batch_epoch_steps_along_the_lbfgs_objective(regression_data, weighted):
    """With one batch of all rows, the epoch loop's step gradient and loss are
    L-BFGS's function and gradient, penalty included: both loops take the
    fit's one objective, and neither adds a penalty of its own."""
    X, y = regression_data
    network, params, data, objective = _penalised_problem(X, y, weighted, "tanh")
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    optimizer = _RecordingOptimizer()  # leaves the weights where they are
    epoch_loss = run_epoch(
        objective,
        params,
        optimizer,
        _Batches(objective, data, len(y)),
        order=np.arange(len(y)),  # the rows as given
    )
    # What _LbfgsRun reads of a FitEngine: the same objective and rows.
    settings = SimpleNamespace(
        max_iter=10, max_fun=10, tol=1e-4, n_iter_no_change=10, verbose=False
    )
    fit = SimpleNamespace(
        objective=objective,
        params=params.copy(),
        history=History(),
        data=data,
        settings=settings,
    )
    run = _LbfgsRun(fit)
    lbfgs_loss, lbfgs_grad = run.loss_and_gradient(params.astype(np.float64))

    assert len(optimizer.grads) == 1
    assert_allclose(optimizer.grads[0], lbfgs_grad, rtol=1e-12, atol=1e-15)
    assert epoch_loss == pytest.approx(lbfgs_loss, rel=1e-12)
    # The penalty is in both, and it is not small here.
    data_only = network.loss_and_gradient(params, X, Y, sample_weight)[1]
    assert np.abs(lbfgs_grad - data_only).max() > 1e-3 * np.abs(data_only).max()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("weighted", [False, True])
def test_sgd_and_lbfgs_fits_minimise_one_objective(weighted):
    """The estimator gives both solvers the same penalty, alpha / (2 S) with S
    the weight of all training rows: L-BFGS's ``loss_`` is that objective,
    and one full-batch SGD step from the same weights follows its gradient."""
    X, y = make_friedman1(n_samples=40, random_state=0)
    sample_weight = np.random.RandomState(1).uniform(0.2, 2, len(y))
    if not weighted:
        sample_weight = None
    alpha, learning_rate = 3.0, 1e-3
    model = SimpleMLPRegressor(
        (6,), solver="lbfgs", alpha=alpha, normalize_y=False, max_iter=5
    )
    model.set_params(random_state=0).fit(X, y, sample_weight=sample_weight)
    network, start = model._state.network, model._state.params.copy()
    S = len(y) if sample_weight is None else sample_weight.sum()
    objective = Objective(network, alpha, S)
    data = Dataset(X, y[:, None], sample_weight)
    loss, grad = objective.value_and_gradient(start, data)
    assert model.loss_ == pytest.approx(loss, rel=1e-12)

    model.set_params(
        solver="sgd",
        warm_start=True,
        batch_size=len(y),
        momentum=0.0,
        learning_rate="constant",
        learning_rate_init=learning_rate,
        shuffle=False,
        max_iter=1,
    )
    model.fit(X, y, sample_weight=sample_weight)
    step = (start - model._state.params) / learning_rate
    assert_allclose(step, grad, rtol=1e-6, atol=1e-9 * np.abs(grad).max())


# ------------------------------------------------------------- the defaults
@pytest.mark.parametrize("dataset", ["diabetes", "friedman1"])
def test_defaults_train_without_warnings_and_beat_the_mean(dataset):
    """What a user gets from ``make_pipeline(StandardScaler(),
    SimpleMLPRegressor())``: no ConvergenceWarning, a useful model."""
    if dataset == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    else:
        X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_pipeline(StandardScaler(), SimpleMLPRegressor(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X_train, y_train)
    assert model[-1].solver_ == "lbfgs"
    assert model.score(X_test, y_test) > 0.3


# -------------------------------------------- small and duplicated data
def test_a_single_sample_trains_and_predicts_its_target():
    model = SimpleMLPRegressor((4,), random_state=0).fit([[1.0, 2.0]], [3.0])
    assert_allclose(model.predict([[1.0, 2.0]]), 3.0, atol=1e-3)


def test_duplicated_rows_train_like_weighted_rows():
    rng = np.random.RandomState(1)
    X, y = rng.rand(20, 3), rng.rand(20)
    # batch_size="auto" takes all 20 (or 40) rows: one full-batch step an epoch.
    params = dict(hidden_layer_sizes=(6,), max_iter=30)
    with pytest.warns(ConvergenceWarning):
        doubled = full_batch_sgd(**params).fit(np.vstack([X, X]), np.r_[y, y])
    with pytest.warns(ConvergenceWarning):
        weighted = full_batch_sgd(**params).fit(X, y, sample_weight=np.full(20, 2))
    assert_allclose(doubled.predict(X), weighted.predict(X), rtol=1e-10)


# ------------------------------------- frequency weights and row order (L-BFGS)
def _repeated_and_weighted(sparse, lowest_weight=0):
    """scikit-learn's sample-weight equivalence data: random integer weights
    (zeros included, unless ``lowest_weight`` is 1) against the rows
    repeated that often, shuffled."""
    rng = np.random.RandomState(42)
    X, y = rng.rand(15, 30), rng.randint(0, 3, size=15).astype(float)
    weights = rng.randint(lowest_weight, 5, size=15)
    X_repeated, y_repeated = X.repeat(weights, axis=0), y.repeat(weights)
    order = rng.permutation(len(y_repeated))
    X_repeated, y_repeated = X_repeated[order], y_repeated[order]
    if sparse:
        X, X_repeated = sp.csr_matrix(X), sp.csr_matrix(X_repeated)
    return X, y, weights, X_repeated, y_repeated


@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")  # y is noise
@pytest.mark.parametrize("lowest_weight", [0, 1])
@pytest.mark.parametrize("sparse", [False, True])
def test_a_weight_of_k_trains_exactly_like_k_copies_with_defaults(
    sparse, lowest_weight
):
    # Default parameters: L-BFGS and the alpha="auto" search. Both train on
    # the distinct rows with their summed weights, in one canonical order,
    # so the two are one training problem, not two close ones.
    X, y, weights, X_repeated, y_repeated = _repeated_and_weighted(
        sparse, lowest_weight
    )
    weighted = SimpleMLPRegressor(random_state=0).fit(X, y, sample_weight=weights)
    repeated = SimpleMLPRegressor(random_state=0).fit(X_repeated, y_repeated)
    assert weighted.alpha_ == repeated.alpha_
    assert_array_equal(weighted.predict(X), repeated.predict(X))


def test_rows_with_copies_train_alike_in_any_order(small_data):
    X, y = small_data
    X, y = np.vstack([X, X[:10]]), np.r_[y, y[:10]]  # ten rows twice
    order = np.random.RandomState(0).permutation(len(y))
    model = SimpleMLPRegressor(random_state=0).fit(X, y)
    shuffled = SimpleMLPRegressor(random_state=0).fit(X[order], y[order])
    assert_array_equal(model.predict(X), shuffled.predict(X))
    assert model.n_iter_ == shuffled.n_iter_


def test_merged_rows_keep_their_features_targets_and_total_weight():
    rng = np.random.RandomState(0)
    X = rng.rand(6, 3).astype(np.float32)
    Y = rng.rand(6, 2)
    X[4], Y[4] = X[1], Y[1]  # a copy of row 1
    X[5], Y[5] = X[2], Y[2] + 1.0  # same features, another target: distinct
    weights = np.array([1.0, 2.0, 0.5, 0.0, 3.0, 1.0])
    for X_in in (X, sp.csr_matrix(X)):
        X_out, Y_out, merged = merge_duplicate_rows(X_in, Y, weights)
        X_out = X_out.toarray() if sp.issparse(X_out) else X_out
        assert X_out.dtype == np.float32 and len(X_out) == 4  # row 3 weighs 0
        assert merged.sum() == weights.sum()
        for row, target, weight in zip(X_out, Y_out, merged):
            same = np.all(row == X, axis=1) & np.all(target == Y, axis=1)
            assert weight == weights[same].sum()


def test_rows_without_copies_or_zero_weights_are_left_as_given():
    X, Y = np.eye(3)[::-1], np.arange(3.0).reshape(-1, 1)
    for weights in (None, np.ones(3)):
        X_out, Y_out, weights_out = merge_duplicate_rows(X, Y, weights)
        assert X_out is X and Y_out is Y and weights_out is weights
    # Other weights stand for copies: one canonical order, whatever the
    # order given, each row with its own weight.
    weights = np.array([1.0, 2.0, 0.5])
    X_out, _, weights_out = merge_duplicate_rows(X, Y, weights)
    X_rev, _, weights_rev = merge_duplicate_rows(X[::-1], Y[::-1], weights[::-1])
    assert_array_equal(X_out, X_rev)
    assert_array_equal(weights_out, weights_rev)
    for row, weight in zip(X_out, weights_out):
        assert weight == weights[np.all(row == X, axis=1)][0]
    # With a copy, the canonical order is the rows' own, not the order given;
    # rows left with weight 1 once a zero-weight row is dropped need none.
    merged = merge_duplicate_rows(np.vstack([X, X[:1]]), np.r_[Y, Y[:1]], None)
    reversed_ = merge_duplicate_rows(
        np.vstack([X[::-1], X[:1]]), np.r_[Y[::-1], Y[:1]], None
    )
    assert_array_equal(merged[0], reversed_[0])
    dropped = merge_duplicate_rows(X, Y, np.array([1.0, 0.0, 1.0]))
    assert dropped[0].shape == (2, 3) and dropped[2] is None
