"""BLAS level 1 for the solvers, and one thread for scipy's BLAS pool.

``y += a * x`` written with numpy takes two passes and a temporary
(``a * x``, then the addition); BLAS's ``axpy`` does it in one pass: on a
parameter vector of 12,301 float64 values it took 2.2 µs against numpy's
4.7 µs (``python benchmarks/profile_step.py``, section 2). :func:`axpy` and
:func:`scale` update their last argument in place.

These routines, and L-BFGS-B's own vector work, run in scipy's BLAS. When
scipy's wheels bundle an OpenBLAS apart from numpy's, its threads and
numpy's (busy with the network's matrix products) fight over the cores:
:func:`scipy_blas_single_threaded` gives scipy's pool one thread while a
training loop runs.
"""

import contextlib
import functools
import os
import threading

import numpy as np
import scipy
from scipy.linalg import blas
from threadpoolctl import ThreadpoolController


@functools.cache
def _routine(name, dtype):
    return blas.get_blas_funcs(name, dtype=np.dtype(dtype))


def axpy(a, x, y):
    """``y += a * x`` in place, for contiguous 1-D ``x`` and ``y`` of one dtype."""
    result = _routine("axpy", y.dtype)(x, y, a=a)
    if result is not y:  # f2py copies when y is not contiguous: write back
        y[...] = result


def scale(a, x):
    """``x *= a`` in place, for a contiguous 1-D ``x``."""
    result = _routine("scal", x.dtype)(a, x)
    if result is not x:
        x[...] = result


def scipy_blas_single_threaded(function):
    """Decorate a training loop to run with scipy's BLAS pool at one thread."""

    @functools.wraps(function)
    def limited(*args, **kwargs):
        with _single_threaded_scipy_blas():
            return function(*args, **kwargs)

    return limited


# The thread limit is process-wide, but fits may run in several threads at
# once (joblib's threading backend). Every fit must run under it from start
# to end: scipy's L-BFGS-B sums its dot products of the parameter vector in
# another order on two threads than on one, and a fit that ran part of its
# iterations on the full pool would differ from the same fit run alone
# (by up to 2e-12 in ``python benchmarks/threads_determinism.py``). So the
# fits running at any moment share one limit: the first to start sets it,
# the last to end restores what the first found.
_limit_lock = threading.Lock()
_limit_users = 0
_limit_context = None


@contextlib.contextmanager
def _single_threaded_scipy_blas():
    _enter_limit()
    try:
        yield
    finally:
        _exit_limit()


def _enter_limit():
    global _limit_users, _limit_context
    with _limit_lock:
        if _limit_users == 0:
            context = _scipy_blas_controller().limit(limits=1)
            context.__enter__()
            _limit_context = context
        _limit_users += 1


def _exit_limit():
    global _limit_users, _limit_context
    with _limit_lock:
        _limit_users -= 1
        if _limit_users == 0:
            context, _limit_context = _limit_context, None
            context.__exit__(None, None, None)


@functools.cache
def _scipy_blas_controller():
    """The BLAS pools that scipy's wheels bundle apart from numpy's.

    When that is a second OpenBLAS beside numpy's, the two thread pools
    fight over the cores and each loss evaluation of the network waits on
    them; one thread for scipy's pool made L-BFGS 6.6 to 11.8 times faster
    in six runs on 2-core machines (``python benchmarks/bench_lbfgs_threads.py``,
    line "unlimited / limited"). Adam and SGD fits, whose ``axpy`` calls
    wake scipy's threads, suffer the same: without the limit, 5 epochs of
    ``bench_speed.py``'s configuration (b) took 7.0 s instead of 0.24 s
    (``python benchmarks/profile_step.py``, section 4). Where scipy and
    numpy share one BLAS, nothing is limited.
    """
    # A plain prefix test: it matches scipy's own folder and the wheels'
    # sibling folder "scipy.libs", where the bundled OpenBLAS lives.
    scipy_dir = os.path.dirname(scipy.__file__)
    controller = ThreadpoolController()
    scipy_libs = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and lib.filepath.startswith(scipy_dir)
    ]
    return controller.select(filepath=scipy_libs)
