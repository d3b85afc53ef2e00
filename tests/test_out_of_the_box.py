"""Defaults that work on any data, and a collapsed fit that is never silent.

The cases here are the ones a new user meets first: the blog's five rows,
tables of a few dozen rows, inputs nobody scaled, float32 inputs with large
targets.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning

import sknn_simple._base
import sknn_simple._diagnostics
import sknn_simple._network
from sknn_simple import CollapsedFitWarning, SimpleMLPRegressor, _alpha_search


def test_float32_inputs_with_large_targets_fit_like_float64():
    # y = 1e9 + signal: in float32 the spread (1,000) is below 10 eps times
    # the mean, so normalising after the cast took y for a constant.
    X, signal = make_friedman1(n_samples=500, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = 1e9 + 1_000 * (signal - signal.mean()) / signal.std()
    scores = {}
    for dtype in (np.float32, np.float64):
        model = SimpleMLPRegressor(random_state=0).fit(X.astype(dtype), y)
        assert model.predict(X[:2].astype(dtype)).dtype == dtype
        scores[dtype] = model.score(X.astype(dtype), y)
    assert scores[np.float64] > 0.95
    assert scores[np.float32] == pytest.approx(scores[np.float64], abs=0.01)


# ------------------------------------------------------------- small data
BLOG_X = np.array([[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]], float)
BLOG_Y = np.array([50, 96, 63, 80, 96], float)


@pytest.mark.parametrize("output_activation", ["identity", "logistic"])
@pytest.mark.parametrize("random_state", range(10))
def test_blog_network_fits_its_five_rows_with_defaults(random_state, output_activation):
    # The blog's 3-5-5-1 network, its sigmoid output included.
    model = SimpleMLPRegressor(
        hidden_layer_sizes=(5, 5),
        output_activation=output_activation,
        random_state=random_state,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(BLOG_X, BLOG_Y)
    assert model.score(BLOG_X, BLOG_Y) >= 0.99
    assert model.alpha_ < 1.0


def test_auto_alpha_chooses_by_cross_validation_below_200_rows(monkeypatch):
    X, y = make_friedman1(n_samples=150, noise=0.5, random_state=0)
    calls = []
    real = _alpha_search.choose_alpha

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sknn_simple._base, "choose_alpha", spy)
    model = SimpleMLPRegressor(random_state=0).fit(X, y)
    assert len(calls) == 1
    alpha, errors = real(*calls[0])
    assert model.alpha_ == alpha == min(errors, key=errors.get)
    assert set(errors) == set(_alpha_search.ALPHA_GRID)
    # The final model is the plain fit with the chosen alpha.
    refit = SimpleMLPRegressor(alpha=alpha, random_state=0).fit(X, y)
    assert_array_equal(model.predict(X), refit.predict(X))

    X_large, y_large = make_friedman1(n_samples=200, noise=0.5, random_state=0)
    assert SimpleMLPRegressor(random_state=0).fit(X_large, y_large).alpha_ == 1.0
    assert len(calls) == 1


def test_auto_alpha_prefers_a_strong_penalty_on_noisy_rows():
    # diabetes is noisy: half its variance is beyond any model. Forty rows
    # of it want a strong penalty, five noise-free rows a weak one.
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    noisy = SimpleMLPRegressor(random_state=0).fit(X[:40], y[:40])
    clean = SimpleMLPRegressor(random_state=0).fit(BLOG_X, BLOG_Y)
    assert noisy.alpha_ > clean.alpha_


def test_a_fixed_alpha_keeps_its_exact_meaning():
    model = SimpleMLPRegressor((5, 5), alpha=0.37, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(BLOG_X, BLOG_Y)
    assert model.alpha_ == 0.37
    Y = (BLOG_Y - BLOG_Y.mean()) / BLOG_Y.std()
    network, params = model._state.network, model._state.params
    weights = params[: network.n_coefs]
    # The data term plus alpha / (2 S) ||W||², S = 5 rows.
    expected = network.loss(params, BLOG_X, Y.reshape(-1, 1))
    expected += 0.37 / (2 * 5) * weights @ weights
    assert model.loss_ == pytest.approx(expected, rel=1e-10)


def test_warm_start_and_partial_fit_keep_the_chosen_alpha():
    X, y = make_friedman1(n_samples=80, noise=0.5, random_state=0)
    model = SimpleMLPRegressor(random_state=0, warm_start=True).fit(X, y)
    chosen = model.alpha_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_params(max_iter=3).fit(X, y)
    assert model.alpha_ == chosen
    # partial_fit sees one batch at a time: no search, the large-data alpha.
    online = SimpleMLPRegressor(solver="adam", random_state=0).partial_fit(X, y)
    assert online.alpha_ == _alpha_search.LARGE_DATA_ALPHA


def test_ctrl_c_during_the_alpha_search_leaves_the_previous_model(monkeypatch):
    X, y = make_friedman1(n_samples=60, noise=0.5, random_state=0)
    model = SimpleMLPRegressor(alpha=1.0, random_state=0).fit(X, y)
    before = model.predict(X)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sknn_simple._base, "choose_alpha", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.set_params(alpha="auto").fit(X[:30], y[:30])
    assert model.alpha_ == 1.0
    assert_array_equal(model.predict(X), before)


# ------------------------------------------------------- collapsed fits
def _fit_catching(model, X, y, **fit_params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y, **fit_params)
    return [w for w in caught if issubclass(w.category, CollapsedFitWarning)]


def test_unscaled_diabetes_warns_and_names_the_feature_scale():
    X, y = load_diabetes(return_X_y=True)  # column std 0.048
    caught = _fit_catching(SimpleMLPRegressor(random_state=0), X, y)
    model = SimpleMLPRegressor(random_state=0)
    if not caught:
        assert model.fit(X, y).score(X, y) >= 0.3
        return
    message = str(caught[0].message)
    assert "0.0476" in message and "StandardScaler" in message
    assert "alpha / S" in message


def test_a_penalty_that_swamps_the_data_warns_with_its_numbers():
    X, y = make_friedman1(n_samples=300, random_state=0)
    caught = _fit_catching(SimpleMLPRegressor(alpha=1e4, random_state=0), X, y)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "alpha / S = 33.3" in message
    assert "far from unit scale" not in message  # friedman1's X is in [0, 1]
    assert not issubclass(CollapsedFitWarning, ConvergenceWarning)


def test_on_large_data_the_penalty_is_judged_for_all_rows_not_the_checked_ones():
    """The check predicts only a sample of the rows (MAX_ROWS): the penalty's
    strength is still alpha over the weight of every training row."""
    n_rows = 3 * sknn_simple._diagnostics.MAX_ROWS
    X, y = make_friedman1(n_samples=n_rows, random_state=0)
    model = SimpleMLPRegressor((8,), alpha=3e5, max_iter=50, random_state=0)
    caught = _fit_catching(model, X, y)
    assert len(caught) == 1
    assert f"strong for {n_rows} rows (alpha / S = 100," in str(caught[0].message)


def test_on_large_data_a_fit_that_clearly_learned_is_cleared_on_a_quarter(
    monkeypatch,
):
    """The check's forward pass costs as much as 2% of an epoch for wide
    layers (benchmarks/results/fixed_cost_2cores.md): a fit whose
    predictions spread widely is cleared on every fourth of the checked
    rows, and a collapsed one is still checked on them all."""
    predicted = []
    real_predict = sknn_simple._network.Network.predict

    def recording(self, params, X):
        predicted.append(X.shape[0])
        return real_predict(self, params, X)

    monkeypatch.setattr(sknn_simple._network.Network, "predict", recording)
    max_rows = sknn_simple._diagnostics.MAX_ROWS
    X, y = make_friedman1(n_samples=3 * max_rows, random_state=0)
    assert not _fit_catching(SimpleMLPRegressor((8,), random_state=0), X, y)
    assert predicted == [max_rows // 4]
    predicted.clear()
    collapsed = SimpleMLPRegressor((8,), alpha=3e5, max_iter=50, random_state=0)
    assert len(_fit_catching(collapsed, X, y)) == 1
    assert predicted == [max_rows // 4, max_rows]


@pytest.mark.parametrize(
    "spread, expected",
    [(0.2, True), (0.1, False), (0.0, False)],
    ids=["4 times the collapse ratio", "twice it: checked on all rows", "none"],
)
def test_only_a_spread_well_above_the_collapse_ratio_clears_a_fit(spread, expected):
    rng = np.random.RandomState(0)
    Y = rng.normal(size=(400, 1))
    output = spread * Y + 3.0  # its spread is `spread` times y's
    assert sknn_simple._diagnostics.clearly_spread(output, Y, None) is expected


def test_clearing_needs_every_output_spread_and_some_weight():
    rng = np.random.RandomState(0)
    Y = rng.normal(size=(400, 2))
    spread_both, spread_one = Y * 0.5, Y * [0.5, 0.0]
    clearly_spread = sknn_simple._diagnostics.clearly_spread
    assert clearly_spread(spread_both, Y, None)
    assert not clearly_spread(spread_one, Y, None)
    assert clearly_spread(np.zeros((400, 1)), np.zeros((400, 1)), None)  # constant y
    assert not clearly_spread(spread_both, Y, np.zeros(400))


def test_the_penalty_cause_quotes_the_penalty_the_fit_used():
    # With early stopping the penalty's S is the weight of the 270 rows
    # trained on, not of all 300: the warning quotes the alpha / S of the fit.
    X, y = make_friedman1(n_samples=300, random_state=0)
    model = SimpleMLPRegressor(
        alpha=1e4, solver="adam", early_stopping=True, random_state=0
    )
    caught = _fit_catching(model, X, y)
    assert len(caught) == 1
    assert "strong for 270 rows (alpha / S = 37," in str(caught[0].message)


def test_a_learning_rate_that_never_moves_the_weights_warns():
    X, y = make_friedman1(n_samples=300, random_state=0)
    model = SimpleMLPRegressor(
        solver="sgd", learning_rate_init=1e-9, alpha=1.0, max_iter=20, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        caught = _fit_catching(model, X, y)
    assert "weights barely moved" in str(caught[0].message)
    assert "learning_rate_init" in str(caught[0].message)


@pytest.mark.parametrize("seed", range(5))
def test_pure_noise_may_give_a_constant_without_a_warning(seed):
    rng = np.random.RandomState(seed)
    X, y = rng.normal(size=(300, 5)), rng.normal(size=300)
    model = SimpleMLPRegressor(alpha=100.0, random_state=0)
    assert not _fit_catching(model, X, y)
    assert np.std(model.predict(X)) < 0.05 * np.std(y)  # it did collapse


def test_collapse_on_a_square_law_is_caught():
    # y = x0²: no straight line sees it, the squared-column test does.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 3))
    caught = _fit_catching(
        SimpleMLPRegressor(alpha=1e4, random_state=0), X, X[:, 0] ** 2
    )
    assert len(caught) == 1


def test_a_collapsed_output_among_several_is_named():
    X, y = make_friedman1(n_samples=300, random_state=0)
    Y = np.column_stack([y, np.full_like(y, 3.0), X[:, 3]])
    # A constant column is rightly predicted as a constant: not a collapse.
    model = SimpleMLPRegressor(random_state=0)
    assert not _fit_catching(model, X, Y[:, :2])
    caught = _fit_catching(SimpleMLPRegressor(alpha=1e5, random_state=0), X, Y)
    assert "(output 0)" in str(caught[0].message) or "(output 2)" in str(
        caught[0].message
    )


def test_zero_weight_rows_do_not_count():
    X, y = make_friedman1(n_samples=300, random_state=0)
    sample_weight = np.r_[np.ones(150), np.zeros(150)]
    y_noise = y.copy()
    y_noise[150:] = np.random.RandomState(0).normal(size=150) * 1e3
    model = SimpleMLPRegressor(random_state=0)
    assert not _fit_catching(model, X, y_noise, sample_weight=sample_weight)


def test_partial_fit_checks_after_its_tenth_call():
    X, y = load_diabetes(return_X_y=True)  # unscaled: the weights cannot grow
    model = SimpleMLPRegressor(solver="adam", random_state=0)
    counts = []
    for _ in range(12):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.partial_fit(X, y)
        counts.append(sum(issubclass(w.category, CollapsedFitWarning) for w in caught))
    assert counts == [0] * 9 + [1, 0, 0]


def test_lbfgs_stops_when_the_loss_stalls_relative_to_itself():
    X, y = make_friedman1(n_samples=1000, noise=0.5, random_state=0)
    model = SimpleMLPRegressor(random_state=0).fit(X, y)
    curve = model.loss_curve_
    window = model.n_iter_no_change
    assert model.n_iter_ < model.max_iter
    assert curve[-1 - window] - curve[-1] < model.tol * curve[-1]
    # Not one iteration earlier: the rule stopped it, at its first chance.
    assert curve[-2 - window] - curve[-2] >= model.tol * curve[-2]
    # The same rule whatever the scale of y.
    scaled = SimpleMLPRegressor(normalize_y=False, random_state=0)
    assert scaled.fit(X, (y - y.mean()) * 1e3).n_iter_ < model.max_iter


def test_a_handful_of_rows_takes_the_weakest_penalty_without_a_search(monkeypatch):
    # Four of the blog's rows: held-out rows cannot rank the penalties (on
    # leave-one-out, alpha=1, which flattens the network, ranked first).
    def no_search(*args):
        raise AssertionError("the search ran")

    monkeypatch.setattr(_alpha_search, "_fold_totals", no_search)
    model = SimpleMLPRegressor(hidden_layer_sizes=(5, 5), random_state=0)
    assert not _fit_catching(model, BLOG_X[:4], BLOG_Y[:4])
    assert model.alpha_ == _alpha_search.ALPHA_GRID[0]
    assert model.score(BLOG_X[:4], BLOG_Y[:4]) > 0.99
    # Repeated rows count once: five copies of four rows are still four.
    copies = SimpleMLPRegressor(hidden_layer_sizes=(5, 5), random_state=0)
    copies.fit(np.tile(BLOG_X[:4], (5, 1)), np.tile(BLOG_Y[:4], 5))
    assert copies.alpha_ == _alpha_search.ALPHA_GRID[0]
    one = SimpleMLPRegressor(hidden_layer_sizes=(5, 5), random_state=0)
    assert one.fit(BLOG_X[:1], BLOG_Y[:1]).alpha_ == _alpha_search.ALPHA_GRID[0]


def test_the_search_avoids_a_collapsing_penalty_on_fewer_than_20_rows(monkeypatch):
    # Below 20 rows no test could tell a flattened network from noise: the
    # best penalty whose fits all kept some spread wins, not the best one.
    strongest, runner_up = _alpha_search.ALPHA_GRID[-1], _alpha_search.ALPHA_GRID[1]

    def totals(estimator, data, folds, output_layer):
        errors = dict.fromkeys(_alpha_search.ALPHA_GRID, 10.0)
        errors[strongest], errors[runner_up] = 1.0, 2.0
        return errors, {strongest}

    monkeypatch.setattr(_alpha_search, "_fold_totals", totals)
    for n_samples, expected in ((15, runner_up), (25, strongest)):
        X, y = make_friedman1(n_samples=n_samples, random_state=0)
        model = SimpleMLPRegressor()
        output_layer = model._output_layer()
        chosen = _alpha_search.choose_alpha(model, X, y[:, None], None, output_layer)
        assert chosen[0] == expected


def test_auto_alpha_with_early_stopping_on_a_handful_of_rows():
    # The search's folds of about 9 rows have no validation split to spare:
    # their fits run without early stopping, with the final fit's solver.
    X, y = make_friedman1(n_samples=14, random_state=0)
    model = SimpleMLPRegressor(early_stopping=True, validation_fraction=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_params(random_state=0).fit(X, y)
    assert model.solver_ == "adam" and model.alpha_ in _alpha_search.ALPHA_GRID


def test_a_fit_cut_short_by_max_iter_names_max_iter_as_the_cause():
    X, y = make_friedman1(n_samples=300, random_state=0)
    model = SimpleMLPRegressor(solver="sgd", max_iter=1, alpha=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        caught = _fit_catching(model, X, y)
    assert "stopped at max_iter=1" in str(caught[0].message)
    assert "random_state" not in str(caught[0].message)
