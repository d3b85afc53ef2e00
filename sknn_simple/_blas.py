"""BLAS level 1 for the solvers, and the BLAS threads training runs with.

``y += a * x`` written with numpy takes two passes and a temporary
(``a * x``, then the addition); BLAS's ``axpy`` does it in one pass: on a
parameter vector of 12,301 float64 values it took 2.2 µs against numpy's
4.7 µs (``python benchmarks/profile_step.py``, section 2). :func:`axpy` and
:func:`scale` update their last argument in place.

These routines, and L-BFGS-B's own vector work, run in scipy's BLAS. When
scipy's wheels bundle an OpenBLAS apart from numpy's, its threads and
numpy's (busy with the network's matrix products) fight over the cores:
:func:`training_threads` gives scipy's pool one thread while a training loop
runs, and numpy's pool the threads :func:`numpy_threads_for` chooses.
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


#: A step whose largest matrix product has fewer floating-point operations
#: than this runs numpy's products on one thread. On a quiet 2-core machine
#: a second thread saved 6% of an epoch of configuration (b) (4e6 per
#: product) and 14% of (c) (2e7); with one core busy with another process
#: it made them 2.9 and 5.8 times slower. For 512-wide layers (1.3e8) it
#: saved 25%, against 2.5 times slower when busy
#: (``python benchmarks/bench_blas_threads.py``,
#: ``benchmarks/results/blas_threads_2cores.md``).
MIN_FLOPS_FOR_THREADS = 5e7


def numpy_threads_for(layer_sizes, rows):
    """The BLAS threads numpy's products should train with.

    Parameters
    ----------
    layer_sizes : sequence of int
        Input, hidden and output widths.
    rows : int
        Rows per matrix product: the batch, or the block of a longer pass.

    Returns
    -------
    threads : int or None
        1 when the largest product is too small for threads to pay, else
        None: the pool as it is, within the user's or joblib's limit.
    """
    widest = max(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return 1 if 2 * rows * widest < MIN_FLOPS_FOR_THREADS else None


@contextlib.contextmanager
def training_threads(numpy_threads=None):
    """Run the enclosed training with scipy's BLAS pool at one thread and
    numpy's at ``numpy_threads`` (None: as it is); both are restored after.

    The limits are process-wide, but fits may run in several threads at
    once (joblib's threading backend). Every fit must run under them from
    start to end: OpenBLAS sums the dot products of scipy's L-BFGS-B, and
    the products over rows of the weight gradients, in another order on two
    threads than on one, so a fit that ran part of its way on a different
    pool would differ from the same fit run alone (by up to 2e-12 in
    ``python benchmarks/threads_determinism.py``). So the fits running at
    any moment share one setting: the first to start sets it, the last to
    end restores what the first found.
    """
    _enter_limits(numpy_threads)
    try:
        yield
    finally:
        _exit_limits()


_limit_lock = threading.Lock()
_limit_users = 0
_limit_stack = None


def _enter_limits(numpy_threads):
    global _limit_users, _limit_stack
    with _limit_lock:
        if _limit_users == 0:
            stack = contextlib.ExitStack()
            stack.enter_context(_scipy_blas_controller().limit(limits=1))
            if numpy_threads is not None:
                stack.enter_context(
                    _numpy_blas_controller().limit(limits=numpy_threads)
                )
            _limit_stack = stack
        _limit_users += 1


def _exit_limits():
    global _limit_users, _limit_stack
    with _limit_lock:
        _limit_users -= 1
        if _limit_users == 0:
            stack, _limit_stack = _limit_stack, None
            stack.close()


@functools.cache
def _numpy_blas_controller():
    """The BLAS pools numpy's matrix products run on (scipy's too, where the
    two share one BLAS)."""
    scipy_libs = {lib.filepath for lib in _scipy_blas_controller().lib_controllers}
    controller = ThreadpoolController()
    return controller.select(
        filepath=[
            lib.filepath
            for lib in controller.lib_controllers
            if lib.user_api == "blas" and lib.filepath not in scipy_libs
        ]
    )


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
