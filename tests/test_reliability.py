"""Reliability: what happens when training goes wrong (Ctrl-C, an error
mid-fit, divergence, numbers at the edge of float range) and whether the same
fit gives the same model every time and in every thread. A user never gets a
model that silently predicts NaN and never loses a trained model to Ctrl-C or
to a failed refit. (Bad input or parameters: test_input_validation.py.)"""

import pickle
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from joblib import Parallel, delayed
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score

import sknn_simple._training
from sknn_simple import SimpleMLPRegressor
from sknn_simple._objective import Objective
from sknn_simple._training import Dataset

SOLVERS = ["adam", "sgd", "lbfgs"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(240, 5))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=240)
    return X, 100 * y + 1000


def _small(solver, **params):
    return SimpleMLPRegressor(
        (12, 12), solver=solver, max_iter=15, random_state=0, **params
    )


def _fitted_state(model):
    return (
        model.predict(np.eye(5)),
        model.n_iter_,
        list(model.loss_curve_),
        model._state.params.copy(),
    )


def _assert_same_state(before, after):
    assert_array_equal(before[0], after[0])
    assert before[1:3] == after[1:3]
    assert_array_equal(before[3], after[3])


# ------------------------------------------------------- Ctrl-C, for real
SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from sknn_simple import SimpleMLPRegressor

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(2000, 8))
    y = X @ rng.normal(size=8)
    model = SimpleMLPRegressor(
        (64, 64), solver=sys.argv[1], max_iter=1_000_000, max_fun=10_000_000,
        tol=0.0, n_iter_no_change=1_000_000, random_state=0, verbose=True,
    )
    print("fitting", flush=True)
    try:
        model.fit(X, y)
    finally:
        finite = bool(np.isfinite(model.predict(X)).all())
        print("kept", model.n_iter_, len(model.loss_curve_), finite, flush=True)
    print("the script went on after the interrupt", flush=True)
    """
)


@pytest.mark.parametrize("solver", SOLVERS)
def test_ctrl_c_keeps_the_model_and_stops_the_script(solver, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script), solver],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "fitting"
    # verbose=True prints a line per epoch: interrupt once three are done.
    for line in process.stdout:
        if line.startswith("Iteration 3,"):
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode != 0  # the interrupt was not swallowed
    assert "KeyboardInterrupt" in stderr
    assert "went on" not in stdout
    kept = [line.split() for line in stdout.splitlines() if line.startswith("kept")]
    assert len(kept) == 1
    _, n_iter, curve_length, finite = kept[0]
    assert int(n_iter) == int(curve_length) >= 3
    assert finite == "True"


# ----------------------------------- Ctrl-C and errors, simulated
def _fail_in_epoch(monkeypatch, epoch, error=None):
    """Make epoch number ``epoch`` (from 1) of the next fit raise ``error``."""
    if error is None:
        error = MemoryError("simulated failure inside an epoch")
    real_run_epoch = sknn_simple._training.run_epoch
    calls = []

    def run_epoch(*args, **kwargs):
        calls.append(1)
        if len(calls) >= epoch:
            raise error
        return real_run_epoch(*args, **kwargs)

    monkeypatch.setattr(sknn_simple._training, "run_epoch", run_epoch)


def _fail_after_evaluations(monkeypatch, n_calls, error):
    """Make every loss evaluation after the first ``n_calls`` raise ``error``
    (L-BFGS has no epochs); returns the real method, to put it back."""
    network_cls = sknn_simple._network.Network
    real = network_cls.loss_and_gradient
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > n_calls:
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(network_cls, "loss_and_gradient", failing)
    return real


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_ctrl_c_keeps_the_epochs_done_then_propagates(regression_data, monkeypatch):
    X, y = regression_data
    # A fixed alpha: on 120 rows alpha="auto" would cross-validate first.
    params = dict(hidden_layer_sizes=(8,), solver="adam", alpha=1.0, random_state=0)
    reference = SimpleMLPRegressor(max_iter=3, **params).fit(X, y)

    _fail_in_epoch(monkeypatch, 4, KeyboardInterrupt)  # after 3 epochs
    model = SimpleMLPRegressor(max_iter=100, **params)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert model.n_iter_ == len(model.loss_curve_) == 3
    assert_array_equal(model.predict(X), reference.predict(X))


def test_ctrl_c_in_the_first_epoch_leaves_the_estimator_unfitted(
    regression_data, monkeypatch
):
    X, y = regression_data
    _fail_in_epoch(monkeypatch, 1, KeyboardInterrupt)
    model = SimpleMLPRegressor((8,), solver="adam")
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_ctrl_c_during_lbfgs_keeps_the_last_iterate(regression_data, monkeypatch):
    X, y = regression_data
    real = _fail_after_evaluations(monkeypatch, 15, KeyboardInterrupt)
    model = SimpleMLPRegressor((8,), solver="lbfgs", alpha=1.0, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert 0 < model.n_iter_ == len(model.loss_curve_)
    # The kept weights are the last completed iteration's: the model's own
    # training loss there is the last recorded one.
    monkeypatch.setattr(sknn_simple._network.Network, "loss_and_gradient", real)
    y_scaled = (y - model._state.y_offset) / model._state.y_scale
    network, params = model._state.network, model._state.params
    rows = Dataset(X, y_scaled[:, None])
    objective = Objective.for_rows(network, model.alpha, rows)
    loss = network.loss(params, X, y_scaled[:, None]) + objective.penalty(params)
    assert loss == pytest.approx(model.loss_curve_[-1], rel=1e-10)
    assert r2_score(y, model.predict(X)) > 0


# --------------------------- a failure mid-fit leaves the previous model
# (A refit rejected by input validation: test_input_validation.py.)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_warm_start_refit_that_fails_leaves_the_previous_model(
    data, solver, monkeypatch
):
    X, y = data
    model = _small(solver).fit(X, y)
    before = _fitted_state(model)
    _fail_in_epoch(monkeypatch, 3)
    with pytest.raises(MemoryError):
        model.set_params(warm_start=True).fit(X[:100], y[:100] * 2)
    _assert_same_state(before, _fitted_state(model))


def test_lbfgs_refit_that_fails_leaves_the_previous_model(data, monkeypatch):
    X, y = data
    with pytest.warns(ConvergenceWarning):
        model = _small("lbfgs").fit(X, y)
    before = _fitted_state(model)
    _fail_after_evaluations(
        monkeypatch, 5, MemoryError("simulated failure inside L-BFGS")
    )
    with pytest.raises(MemoryError):
        model.set_params(warm_start=True).fit(X, y)
    _assert_same_state(before, _fitted_state(model))


def test_partial_fit_that_fails_leaves_model_and_optimizer(data, monkeypatch):
    X, y = data
    model = _small("adam").partial_fit(X, y).partial_fit(X, y)
    before = _fitted_state(model)
    adam_steps = model._state.optimizer.t
    _fail_in_epoch(monkeypatch, 1)
    with pytest.raises(MemoryError):
        model.partial_fit(X, y)
    _assert_same_state(before, _fitted_state(model))
    assert model._state.optimizer.t == adam_steps


# ------------------------------------------------------------ divergence
def test_divergence_stops_keeps_finite_weights_and_warns(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor(
        (16, 16), solver="sgd", learning_rate_init=10.0, momentum=0.9, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="diverged.*learning_rate_init"):
        model.fit(X, y * 1e3)
    assert np.all(np.isfinite(model.loss_curve_))
    assert all(np.isfinite(coef).all() for coef in model.coefs_)
    assert np.isfinite(model.predict(X)).all()


def test_divergence_never_keeps_weights_worse_than_the_start(regression_data):
    X, y = regression_data
    model = SimpleMLPRegressor(
        (16, 16),
        activation="relu",
        solver="sgd",
        learning_rate_init=1e4,
        alpha=1e-4,  # light enough for a few epochs to pass before divergence
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="diverged in epoch"):
        model.fit(X, y)
    # The loss of the kept weights is reported, and no recorded epoch (or the
    # starting point) had a lower one.
    assert np.isfinite(model.loss_)
    assert model.loss_ <= min(model.loss_curve_)
    assert np.isfinite(model.predict(X)).all()


# ---------------------------------------------------------- determinism
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", SOLVERS)
def test_same_random_state_is_bitwise_reproducible_and_survives_pickle(data, solver):
    X, y = data
    first = _small(solver).fit(X, y)
    second = _small(solver).fit(X, y)
    for a, b in zip(
        first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_
    ):
        assert_array_equal(a, b)
    assert_array_equal(first.predict(X), second.predict(X))

    restored = pickle.loads(pickle.dumps(first))
    assert_array_equal(restored.predict(X), first.predict(X))
    for a, b in zip(restored.coefs_, first.coefs_):
        assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_same_random_state_gives_identical_models(regression_data):
    X, y = regression_data
    params = dict(hidden_layer_sizes=(8,), batch_size=16, max_iter=5, random_state=3)
    first = SimpleMLPRegressor(**params).fit(X, y)
    second = SimpleMLPRegressor(**params).fit(X, y)
    for a, b in zip(first.coefs_, second.coefs_):
        assert_array_equal(a, b)
    assert_array_equal(first.predict(X), second.predict(X))


# ---------------------------------------------------------- concurrency
def test_predict_from_eight_threads_equals_serial(data):
    X, y = data
    model = SimpleMLPRegressor((32, 32), max_iter=20, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    chunks = np.array_split(X, 8)
    serial = [model.predict(chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            threaded = list(pool.map(model.predict, chunks))
            for expected, got in zip(serial, threaded):
                assert_array_equal(got, expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_fitting_clones_in_parallel_matches_serial_fits(data, backend):
    X, y = data
    template = _small("adam")
    seeds = [0, 1, 2, 3]

    def fit(seed):
        return clone(template).set_params(random_state=seed).fit(X, y).predict(X)

    serial = [fit(seed) for seed in seeds]
    parallel = Parallel(n_jobs=2, backend=backend)(delayed(fit)(s) for s in seeds)
    for expected, got in zip(serial, parallel):
        # Worker processes may run BLAS with another thread count, which can
        # change the order of floating-point sums, hence not bitwise.
        assert_allclose(got, expected, rtol=1e-9)


# --------------------------------------------------- numerical edges
def test_overflowing_prediction_raises_instead_of_returning_inf(data):
    X, y = data
    model = SimpleMLPRegressor((8,), activation="relu", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="prediction overflows for 1 of 2 rows"):
        model.predict(np.vstack([X[0], np.full(5, 1e308)]))


def test_huge_inputs_saturate_a_sigmoid_network_without_warnings(data):
    X, y = data
    model = SimpleMLPRegressor((8,), random_state=0).fit(X, y)
    # The sigmoid saturates: finite predictions, no RuntimeWarning (an error
    # under this suite's settings).
    assert np.isfinite(model.predict(np.full((3, 5), 1e308))).all()


# ------------------------------------------------- the cost of starting a fit
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_row_that_overflows_outside_the_start_sample_is_blamed_on_the_data(
    solver,
):
    """The start loss looks at a sample of the rows; a row outside it that
    overflows must still give the clear error about the data, not a
    divergence warning about the learning rate."""
    rng = np.random.RandomState(0)
    n_rows = 3 * sknn_simple._training.START_LOSS_ROWS
    X, y = rng.normal(size=(n_rows, 4)), rng.normal(size=n_rows)
    y[1] = 1e200  # linspace(0, n - 1, START_LOSS_ROWS) takes rows 0, 3, 6, ...
    model = SimpleMLPRegressor((4,), solver=solver, normalize_y=False, max_iter=2)
    with pytest.raises(ValueError, match="too large for the network"):
        model.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_stochastic_fit_starts_without_a_pass_over_all_rows(monkeypatch):
    """The divergence guard's start loss comes from a sample: on 20,000 rows
    a forward pass over all of them cost 30-39% of an epoch."""
    network_cls = sknn_simple._network.Network
    real_loss = network_cls.loss
    rows_seen = []

    def recording_loss(self, params, X, *args, **kwargs):
        rows_seen.append(X.shape[0])
        return real_loss(self, params, X, *args, **kwargs)

    monkeypatch.setattr(network_cls, "loss", recording_loss)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5_000, 4))
    SimpleMLPRegressor((8,), solver="adam", max_iter=2).fit(X, X[:, 0] ** 2)
    assert rows_seen == [sknn_simple._training.START_LOSS_ROWS]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_evaluates_the_network_once_per_point_scipy_asks_for(monkeypatch, data):
    """The start check's evaluation serves scipy's first call, and the final
    loss comes from the last evaluation: no pass is spent twice."""
    network_cls = sknn_simple._network.Network
    calls = {"loss_and_gradient": 0, "loss": 0}
    results = []
    for name in calls:
        real = getattr(network_cls, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(network_cls, name, counting)
    real_minimize = sknn_simple._training.minimize_lbfgs

    def recording_minimize(*args, **kwargs):
        results.append(real_minimize(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(sknn_simple._training, "minimize_lbfgs", recording_minimize)
    X, y = data
    model = _small("lbfgs", alpha=0.1).fit(X, y)
    assert calls == {"loss_and_gradient": results[0].nfev, "loss": 0}
    # The loss kept is the objective at the kept weights, as before.
    state = model._state
    Y = ((y - state.y_offset) / state.y_scale).reshape(-1, 1)
    objective = Objective.for_rows(state.network, state.alpha, Dataset(X, Y))
    expected = state.network.loss(state.params, X, Y) + objective.penalty(state.params)
    assert model.loss_ == pytest.approx(expected, rel=1e-12)
