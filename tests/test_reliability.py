"""Reliability: interruption, failures mid-fit, determinism, concurrency,
and inputs at the edges. A user never gets a model that silently predicts NaN
and never loses a trained model to Ctrl-C."""

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
from sklearn.exceptions import ConvergenceWarning

import sknn_simple._training
from sknn_simple import SimpleMLPRegressor

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


# ----------------------------------------------- failures mid-fit undo it
def _fail_in_epoch(monkeypatch, epoch):
    real_run_epoch = sknn_simple._training.run_epoch
    calls = []

    def run_epoch(*args, **kwargs):
        calls.append(1)
        if len(calls) == epoch:
            raise MemoryError("simulated failure inside an epoch")
        return real_run_epoch(*args, **kwargs)

    monkeypatch.setattr(sknn_simple._training, "run_epoch", run_epoch)


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
    network_cls = sknn_simple._network.Network
    real = network_cls.loss_and_gradient
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 5:
            raise MemoryError("simulated failure inside L-BFGS")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(network_cls, "loss_and_gradient", failing)
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


# ------------------------------------------------------- inputs at edges
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


def test_none_as_x_is_rejected_with_scikit_learns_message():
    with pytest.raises(ValueError, match="Expected 2D array, got scalar array"):
        SimpleMLPRegressor().fit(None, [1.0, 2.0])


def test_a_single_sample_trains_and_predicts_its_target():
    model = SimpleMLPRegressor((4,), random_state=0).fit([[1.0, 2.0]], [3.0])
    assert_allclose(model.predict([[1.0, 2.0]]), 3.0, atol=1e-3)


def test_duplicated_rows_train_like_weighted_rows():
    rng = np.random.RandomState(1)
    X, y = rng.rand(20, 3), rng.rand(20)
    params = dict(
        hidden_layer_sizes=(6,),
        solver="sgd",
        momentum=0.0,
        shuffle=False,
        max_iter=30,
        tol=0.0,
        n_iter_no_change=1000,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        doubled = SimpleMLPRegressor(**params).fit(np.vstack([X, X]), np.r_[y, y])
    with pytest.warns(ConvergenceWarning):
        weighted = SimpleMLPRegressor(**params).fit(X, y, sample_weight=np.full(20, 2))
    assert_allclose(doubled.predict(X), weighted.predict(X), rtol=1e-10)
