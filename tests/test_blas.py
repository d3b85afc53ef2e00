"""The BLAS helpers the solvers update the weights with, and the thread limit
on scipy's BLAS pool during training."""

import contextlib
import multiprocessing
import subprocess
import sys
import threading
import time
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import sknn_simple._blas as blas
from sknn_simple import SimpleMLPRegressor


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_axpy_and_scale_update_in_place(dtype):
    rng = np.random.RandomState(0)
    x, y = rng.rand(1000).astype(dtype), rng.rand(1000).astype(dtype)
    expected = y + dtype(-0.3) * x
    before = y
    blas.axpy(-0.3, x, y)
    assert y is before and y.dtype == dtype
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)
    blas.scale(0.5, y)
    np.testing.assert_allclose(y, 0.5 * expected, rtol=1e-6, atol=1e-6)


def test_axpy_and_scale_reach_a_strided_view():
    """A view that BLAS cannot update in place is written back, not dropped."""
    base = np.zeros(10)
    view = base[::2]
    blas.axpy(2.0, np.ones(5), view)
    blas.scale(3.0, view)
    np.testing.assert_array_equal(base, [6.0, 0.0] * 5)


def _scipy_blas_threads():
    controller = blas._scipy_blas_controller()
    return [lib["num_threads"] for lib in controller.info()]


# Where scipy and numpy share one BLAS there is nothing to limit, and these
# tests would compare two empty lists.
separate_scipy_blas = pytest.mark.skipif(
    not blas._scipy_blas_controller().lib_controllers,
    reason="scipy uses numpy's BLAS here: nothing is limited",
)


@separate_scipy_blas
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_training_runs_scipy_blas_single_threaded_and_restores_it(monkeypatch, solver):
    seen = []
    real_routine = blas._routine

    def recording(name, dtype):  # each axpy or scale of the solvers' steps
        seen.append(_scipy_blas_threads())
        return real_routine(name, dtype)

    before = _scipy_blas_threads()
    X, y = make_friedman1(n_samples=100, random_state=0)
    if solver == "adam":
        monkeypatch.setattr(blas, "_routine", recording)
        SimpleMLPRegressor((4,), solver="adam", max_iter=2).fit(X, y)
        assert seen and all(threads == [1] * len(before) for threads in seen)
    else:
        SimpleMLPRegressor((4,), solver="lbfgs", max_iter=5).fit(X, y)
    # The limit ends with the fit, whatever the solver.
    assert _scipy_blas_threads() == before


def _numpy_blas_threads():
    return [lib["num_threads"] for lib in blas._numpy_blas_controller().info()]


def test_threads_pay_only_for_large_matrix_products():
    # (b)'s step, 2 * 200 * 100 * 100 = 4e6 operations per product: 1 thread.
    assert blas.numpy_threads_for([20, 100, 100, 1], 200) == 1
    # 512-wide layers in batches of 256: 1.3e8, the pool's own threads.
    assert blas.numpy_threads_for([20, 512, 512, 1], 256) is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
@pytest.mark.parametrize(
    "hidden, outer_limit, expected",
    [((8,), 2, 1), ((512, 512), 2, 2), ((512, 512), 1, 1)],
    ids=["small layers: one thread", "wide layers: the pool's", "outer limit kept"],
)
def test_numpy_trains_on_the_threads_its_layers_pay_for(
    monkeypatch, hidden, outer_limit, expected
):
    seen = []
    real_routine = blas._routine

    def recording(name, dtype):  # each axpy or scale of the solvers' steps
        seen.append(_numpy_blas_threads())
        return real_routine(name, dtype)

    monkeypatch.setattr(blas, "_routine", recording)
    X, y = make_friedman1(n_samples=256, random_state=0)
    with threadpool_limits(limits=outer_limit, user_api="blas"):
        before = _numpy_blas_threads()
        model = SimpleMLPRegressor(hidden, solver="adam", batch_size=256, max_iter=1)
        model.fit(X, y)
        assert seen and all(threads == [expected] * len(before) for threads in seen)
        assert _numpy_blas_threads() == before


@separate_scipy_blas
def test_fits_in_threads_train_one_at_a_time_under_the_limit():
    """A fit that starts while another trains waits for it to end: the pools
    are process-wide, and each fit must run on its own limits from start to
    end. Each sets and restores them from its own thread, so afterwards the
    pools are as they were and free for the caller to limit."""
    before = _scipy_blas_threads()
    first_in, release, second_in = (threading.Event() for _ in range(3))
    seen = {}

    def first():
        with blas.training_threads():
            first_in.set()
            release.wait(10)
            seen["first"] = _scipy_blas_threads()

    def second():
        with blas.training_threads():
            second_in.set()
            seen["second"] = _scipy_blas_threads()

    threads = [_in_thread(first)]
    first_in.wait(10)
    threads.append(_in_thread(second))
    waited = not second_in.wait(0.2)  # the first fit still trains
    release.set()
    for thread in threads:
        thread.join(10)
    assert waited
    one_thread = [1] * len(before)
    assert seen == {"first": one_thread, "second": one_thread}
    assert _scipy_blas_threads() == before
    with threadpool_limits(limits=1, user_api="blas"):
        # threadpoolctl lets one thread hold a shared pool at a time: a fit's
        # thread that kept holding it would make this limit a silent no-op.
        assert _scipy_blas_threads() == one_thread


fork_only = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork here"
)


@separate_scipy_blas
@fork_only
def test_a_forked_child_fits_and_restores_the_pool():
    """A child forked after a fit trains, and restores its own pool."""
    X, y = make_friedman1(n_samples=50, random_state=0)
    model = SimpleMLPRegressor((4,), solver="lbfgs", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child = pool.apply_async(_fit_and_report_threads, (X, y)).get(timeout=60)
    assert child == (True, _scipy_blas_threads())


def _fit_and_report_threads(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SimpleMLPRegressor((4,), solver="lbfgs", max_iter=5).fit(X, y)
    return model.n_iter_ > 0, _scipy_blas_threads()


@separate_scipy_blas
def test_lbfgs_fits_in_threads_equal_the_same_fits_run_alone():
    """scipy's L-BFGS-B sums the parameter vector's dot products in another
    order on two BLAS threads: a fit that ran part of its way on the full
    pool would differ from itself run alone in the last bits."""
    X, y = make_friedman1(n_samples=200, random_state=0)
    # Over 10,000 parameters: OpenBLAS splits such dot products over threads.
    settings = dict(
        hidden_layer_sizes=(100, 90), solver="lbfgs", alpha=1.0, max_iter=25
    )

    def fit(seed):
        model = SimpleMLPRegressor(**settings, random_state=seed)
        return model.fit(X, y).predict(X)

    def run(seed):
        in_threads[seed] = fit(seed)

    seeds = range(4)
    in_threads = [None] * len(seeds)
    with warnings.catch_warnings():  # once, for all threads: not thread-safe
        warnings.simplefilter("ignore", ConvergenceWarning)
        alone = [fit(seed) for seed in seeds]
        threads = [threading.Thread(target=run, args=(seed,)) for seed in seeds]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    for one, other in zip(alone, in_threads):
        np.testing.assert_array_equal(one, other)


def _in_thread(target, *args):
    # A daemon: a thread left waiting by a failing test cannot hang pytest.
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _training_in_another_thread(numpy_threads=1):
    """A thread inside ``training_threads`` until its release is set."""
    running, release = threading.Event(), threading.Event()

    def hold():
        with blas.training_threads(numpy_threads):
            running.set()
            release.wait(30)

    thread = _in_thread(hold)
    running.wait(10)
    return thread, release


def _someone_trains():
    """Whether a fit in another thread holds the training lock."""
    if blas._TRAINING.acquire(blocking=False):
        blas._TRAINING.release()
        return False
    return True


def _until(condition):
    deadline = time.monotonic() + 10
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_a_fit_beside_one_that_wants_other_limits_equals_it_run_alone():
    """A wide L-BFGS fit trains numpy's products on the pool's own threads,
    an Adam fit of a small network on one. When overlapping fits shared the
    setting of the first (at b0333ea), this L-BFGS fit ran on one thread
    beside the Adam fit, and its weights differed from its own alone by up
    to 1.1e-7. Each must equal its own run alone."""
    rng = np.random.RandomState(0)
    X = rng.rand(3000, 64).astype(np.float32)
    y = (X @ rng.rand(64)).astype(np.float32)
    assert blas.numpy_threads_for([64, 256, 128, 1], 3000) is None
    assert blas.numpy_threads_for([8, 8, 1], 3000) == 1

    def lbfgs():
        model = SimpleMLPRegressor(
            (256, 128), solver="lbfgs", max_iter=5, random_state=0
        )
        return model.fit(X, y).coefs_

    def adam():
        model = SimpleMLPRegressor(
            (8,),
            solver="adam",
            alpha=1e-4,
            max_iter=60,
            n_iter_no_change=60,
            random_state=0,
        )
        return model.fit(X[:, :8], y).coefs_

    alone, adam_alone = lbfgs(), adam()
    beside = []
    thread = _in_thread(lambda: beside.append(adam()))
    try:
        # The Adam fit trains once it has limited numpy's pool (at once
        # where the pool runs one thread anyway).
        _until(lambda: _numpy_blas_threads() == [1] * len(_numpy_blas_threads()))
        mixed = lbfgs()
    finally:
        thread.join(30)
    for one, other in zip(mixed + beside[0], alone + adam_alone):
        np.testing.assert_array_equal(one, other)


class _FakeController:
    """A threadpoolctl controller of one BLAS pool whose threads every
    thread of the process shares, like OpenBLAS's pthreads pool, at two
    threads whatever the machine; it counts the limits set on it."""

    def __init__(self):
        self.lib_controllers = [SimpleNamespace(num_threads=2)]
        self.limits = []

    @contextlib.contextmanager
    def limit(self, limits):
        (pool,) = self.lib_controllers
        before, pool.num_threads = pool.num_threads, limits
        self.limits.append(limits)
        try:
            yield
        finally:
            pool.num_threads = before


@pytest.fixture
def fake_pools(monkeypatch):
    """Fake scipy and numpy controllers in place of the real ones."""
    controllers = _FakeController(), _FakeController()
    names = ["_scipy_blas_controller", "_numpy_blas_controller"]
    for name, controller in zip(names, controllers):
        monkeypatch.setattr(blas, name, lambda controller=controller: controller)
    return controllers


def _threads(controllers):
    return tuple(c.lib_controllers[0].num_threads for c in controllers)


def test_fits_in_threads_each_train_on_their_own_limits(fake_pools):
    """Fits that want numpy's pool limited and fits that want it as it is
    take turns: each runs from start to end on the pools it would have
    alone, and the pools are as they were after the last."""
    seen = {}
    first_in, release = threading.Event(), threading.Event()

    def fit(name, numpy_threads, running=None):
        with blas.training_threads(numpy_threads):
            if running:
                running.set()
                release.wait(10)
            seen[name] = _threads(fake_pools)

    threads = [_in_thread(fit, "small", 1, first_in)]
    first_in.wait(10)
    threads += [_in_thread(fit, "wide", None), _in_thread(fit, "small, later", 1)]
    time.sleep(0.05)
    assert seen == {}  # both wait for the first
    release.set()
    for thread in threads:
        thread.join(10)
    assert seen == {"small": (1, 1), "wide": (1, 2), "small, later": (1, 1)}
    assert _threads(fake_pools) == (2, 2)


def test_training_nested_in_a_fit_takes_its_own_limits_and_gives_them_back(
    fake_pools,
):
    """The penalty search holds the lock and one limit for all its fits,
    whose own training may want another: it does not wait for the search,
    trains on its own limits, and leaves the search's."""
    seen = []

    def nested():
        with blas.training_threads(None):
            with blas.training_threads(1):
                seen.append(_threads(fake_pools))
            seen.append(_threads(fake_pools))

    _in_thread(nested).join(10)
    assert seen == [(1, 1), (1, 2)]
    assert _threads(fake_pools) == (2, 2)


class _InterruptedWhileWaiting:
    """A lock whose acquisition Ctrl-C interrupts."""

    def __enter__(self):
        raise KeyboardInterrupt

    def __exit__(self, *exc_info):
        return False


def test_ctrl_c_while_a_fit_sets_or_waits_leaves_nothing_behind(
    fake_pools, monkeypatch
):
    """Ctrl-C can stop the main thread while its fit sets the pools or
    waits its turn: the pools are restored at once, and later fits neither
    wait for it nor keep its limits."""
    scipy_pool, numpy_pool = fake_pools

    @contextlib.contextmanager
    def interrupted(limits):  # after scipy's pool is set
        raise KeyboardInterrupt
        yield

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(numpy_pool, "limit", interrupted)
        with blas.training_threads(1):
            pass
    assert _threads(fake_pools) == (2, 2)

    thread, release = _training_in_another_thread()
    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(blas, "_TRAINING", _InterruptedWhileWaiting())
        with blas.training_threads(None):
            pass
    release.set()
    thread.join(10)
    assert _threads(fake_pools) == (2, 2)
    assert not _someone_trains()
    with blas.training_threads(None):  # the next fit neither waits nor inherits
        assert _threads(fake_pools) == (1, 2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_the_penalty_search_and_the_fit_each_set_the_limits_once(
    fake_pools, monkeypatch
):
    """alpha="auto" trains dozens of small fits: the limits are set once
    for all of them, and once for the final fit."""
    X, y = make_friedman1(n_samples=30, random_state=0)
    with threadpool_limits(limits=1, user_api="blas"):  # the real pools: quick
        SimpleMLPRegressor((4,), max_iter=20).fit(X, y)
    # Both pools limited to one thread: for the search, then for the fit.
    assert [controller.limits for controller in fake_pools] == [[1, 1], [1, 1]]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_pools_already_limited_by_the_caller_are_left_alone(monkeypatch):
    """A loop of small partial_fit calls inside the caller's own limit
    sets nothing: it runs on the caller's pools and leaves them so."""
    calls = []
    monkeypatch.setattr(blas, "_limit_pools", lambda *args: calls.append(args))
    X, y = make_friedman1(n_samples=50, random_state=0)
    model = SimpleMLPRegressor((4,), solver="adam", max_iter=1)
    with threadpool_limits(limits=1, user_api="blas"):
        before = _scipy_blas_threads(), _numpy_blas_threads()
        for _ in range(3):
            model.partial_fit(X, y)
        assert (_scipy_blas_threads(), _numpy_blas_threads()) == before
    assert calls == []


@fork_only
@pytest.mark.filterwarnings("ignore:This process:DeprecationWarning")
def test_a_child_forked_while_a_fit_runs_does_not_wait_for_it(fake_pools):
    """The child has the record of the parent's running fit but not its
    thread, which would never end there."""
    thread, release = _training_in_another_thread()
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            child = pool.apply_async(_enter_and_report, (fake_pools,)).get(timeout=30)
    finally:
        release.set()
        thread.join(10)
    # The child found the pools as the parent's fit had set them.
    assert child == (1, 1)


def _enter_and_report(fake_pools):
    with blas.training_threads(None):
        return _threads(fake_pools)


@separate_scipy_blas
def test_a_fit_at_interpreter_shutdown_runs_and_restores_the_pool():
    """A fit in an atexit handler (where Python 3.12 on starts no thread)
    trains, and restores the pool."""
    code = (
        "import atexit, warnings\n"
        "from sklearn.datasets import make_friedman1\n"
        "from sknn_simple import SimpleMLPRegressor\n"
        "import sknn_simple._blas as blas\n"
        "def fit():\n"
        "    warnings.simplefilter('ignore')\n"
        "    before = [lib.num_threads for lib in"
        " blas._scipy_blas_controller().lib_controllers]\n"
        "    model = SimpleMLPRegressor((4,), solver='lbfgs', max_iter=3)\n"
        "    model.fit(*make_friedman1(n_samples=50, random_state=0))\n"
        "    after = [lib.num_threads for lib in"
        " blas._scipy_blas_controller().lib_controllers]\n"
        "    print(model.n_iter_ > 0, before == after)\n"
        "atexit.register(fit)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["True", "True"], result.stderr
