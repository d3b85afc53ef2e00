"""The BLAS helpers the solvers update the weights with, and the thread limit
on scipy's BLAS pool during training."""

import concurrent.futures
import multiprocessing
import threading
import warnings

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
    real_step = blas.axpy

    def recording_axpy(a, x, y):
        seen.append(_scipy_blas_threads())
        real_step(a, x, y)

    before = _scipy_blas_threads()
    X, y = make_friedman1(n_samples=100, random_state=0)
    if solver == "adam":
        monkeypatch.setattr("sknn_simple._solvers.axpy", recording_axpy)
        SimpleMLPRegressor((4,), solver="adam", max_iter=2).fit(X, y)
        assert seen and all(threads == [1] * len(before) for threads in seen)
    else:
        SimpleMLPRegressor((4,), solver="lbfgs", max_iter=5).fit(X, y)
    # The limit ends with the fit, whatever the solver.
    assert _scipy_blas_threads() == before


def _pools_above_one_thread():
    """Whether any BLAS pool runs more than one thread, so that a fit of a
    small network has something to limit (not so under
    OPENBLAS_NUM_THREADS=1 or on one core)."""
    return max(_scipy_blas_threads() + _numpy_blas_threads(), default=1) > 1


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
    real_step = blas.axpy

    def recording_axpy(a, x, y):
        seen.append(_numpy_blas_threads())
        real_step(a, x, y)

    monkeypatch.setattr("sknn_simple._solvers.axpy", recording_axpy)
    X, y = make_friedman1(n_samples=256, random_state=0)
    with threadpool_limits(limits=outer_limit, user_api="blas"):
        before = _numpy_blas_threads()
        model = SimpleMLPRegressor(hidden, solver="adam", batch_size=256, max_iter=1)
        model.fit(X, y)
        assert seen and all(threads == [expected] * len(before) for threads in seen)
        assert _numpy_blas_threads() == before


@separate_scipy_blas
def test_fits_overlapping_in_threads_all_run_under_the_limit():
    """A fit that starts while another runs, and ends after it, keeps one
    thread to its end; the last fit to end restores what the first found,
    for every thread, and leaves the pools free for the caller to limit."""
    before = _scipy_blas_threads()
    first_in, second_in, first_out, second_out = (threading.Event() for _ in range(4))
    seen = {}

    def first():
        with blas.training_threads():
            first_in.set()
            second_in.wait(10)
            seen["first, both running"] = _scipy_blas_threads()
        first_out.set()
        second_out.wait(10)  # alive until the last fit has ended

    def second():
        first_in.wait(10)
        with blas.training_threads():
            second_in.set()
            first_out.wait(10)
            seen["second, after the first ended"] = _scipy_blas_threads()
        second_out.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_out.wait(10)
    one_thread = [1] * len(before)
    assert seen == {
        "first, both running": one_thread,
        "second, after the first ended": one_thread,
    }
    restored = _scipy_blas_threads()
    with threadpool_limits(limits=1, user_api="blas"):
        limited_by_caller = _scipy_blas_threads()
    for thread in threads:
        thread.join(10)
    assert restored == before
    # threadpoolctl lets one thread hold a shared pool at a time: a fit's
    # thread that kept holding it would make this limit a silent no-op.
    assert limited_by_caller == one_thread


@separate_scipy_blas
@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork here"
)
def test_a_forked_child_fits_and_restores_the_pool():
    """The thread that holds the shared limits stays behind in the parent;
    a child forked after a fit must not wait for it."""
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


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_the_penalty_search_and_the_fit_each_set_the_limits_once(monkeypatch):
    """alpha="auto" trains dozens of small fits; each setting and restoring
    the limits on its own would cost them a round trip to the owner thread
    apiece."""
    calls = []
    real = blas._SHARED_LIMITS._in_owner

    def counting(function, *args):
        calls.append(function)
        return real(function, *args)

    monkeypatch.setattr(blas._SHARED_LIMITS, "_in_owner", counting)
    X, y = make_friedman1(n_samples=30, random_state=0)
    SimpleMLPRegressor((4,), max_iter=20).fit(X, y)
    # Set and restored for the search, then for the final fit; nothing at all
    # where the pools already run one thread (OPENBLAS_NUM_THREADS=1, one core).
    assert len(calls) == (4 if _pools_above_one_thread() else 0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_pools_already_limited_by_the_caller_are_left_alone(monkeypatch):
    """A loop of small partial_fit calls inside the caller's own limit
    pays no round trip to the owner thread per call."""
    calls = []
    monkeypatch.setattr(
        blas._SHARED_LIMITS, "_in_owner", lambda *args: calls.append(args)
    )
    X, y = make_friedman1(n_samples=50, random_state=0)
    model = SimpleMLPRegressor((4,), solver="adam", max_iter=1)
    with threadpool_limits(limits=1, user_api="blas"):
        before = _scipy_blas_threads(), _numpy_blas_threads()
        for _ in range(3):
            model.partial_fit(X, y)
        assert (_scipy_blas_threads(), _numpy_blas_threads()) == before
    assert calls == []


@separate_scipy_blas
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_ctrl_c_while_the_limits_are_set_leaves_them_to_the_next_fit(monkeypatch):
    """Ctrl-C can stop the caller while the owner thread sets the limits;
    the owner still finishes, and the next fit's end restores them."""
    before = _scipy_blas_threads()
    real = blas._SHARED_LIMITS._in_owner

    def interrupted(function, *args):
        real(function, *args)
        raise KeyboardInterrupt

    monkeypatch.setattr(blas._SHARED_LIMITS, "_in_owner", interrupted)
    if not _pools_above_one_thread():
        # OPENBLAS_NUM_THREADS=1, one core: nothing to set, so no round trip
        # to the owner thread that Ctrl-C could interrupt.
        with blas.training_threads():
            assert _scipy_blas_threads() == before
        return
    with pytest.raises(KeyboardInterrupt), blas.training_threads():
        pass
    monkeypatch.setattr(blas._SHARED_LIMITS, "_in_owner", real)
    assert _scipy_blas_threads() == [1] * len(before)
    X, y = make_friedman1(n_samples=50, random_state=0)
    SimpleMLPRegressor((4,), solver="lbfgs", max_iter=3).fit(X, y)
    assert _scipy_blas_threads() == before


@separate_scipy_blas
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sknn_simple.CollapsedFitWarning")
def test_a_fit_while_the_interpreter_shuts_down_still_runs(monkeypatch):
    """At interpreter shutdown (an atexit handler, a daemon thread) no
    thread can be started or given work: the limits are set and restored
    in the fit's own thread instead of failing the fit."""
    before = _scipy_blas_threads()
    shut_down = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    shut_down.shutdown()
    monkeypatch.setattr(blas._SHARED_LIMITS, "_owner", shut_down)
    X, y = make_friedman1(n_samples=50, random_state=0)
    model = SimpleMLPRegressor((4,), solver="lbfgs", max_iter=3).fit(X, y)
    assert model.n_iter_ > 0
    assert _scipy_blas_threads() == before
