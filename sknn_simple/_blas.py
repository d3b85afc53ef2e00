"""BLAS level 1 for the solvers, and the BLAS threads training runs with.

``y += a * x`` written with numpy takes two passes and a temporary
(``a * x``, then the addition); BLAS's ``axpy`` does it in one pass, in half
the time (``python benchmarks/profile_step.py``, section 2; the docs'
Benchmarks page has the figures). :func:`axpy` and :func:`scale` update
their last argument in place.

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
#: than this runs numpy's products on one thread: below it a second thread
#: saves little and costs much on a busy machine
#: (``python benchmarks/bench_blas_threads.py``).
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

    A fit must run from start to end on the pools it would have alone:
    OpenBLAS sums the dot products of scipy's L-BFGS-B, and numpy's matrix
    products, in another order on two threads than on one, so a fit that ran
    part of its way on other pools would differ from the same fit run alone
    in the last digits (``python benchmarks/threads_determinism.py``).
    OpenBLAS's pools are shared by the whole process, so fits in several
    threads (joblib's threading backend) train one at a time: each holds
    :data:`_TRAINING` while it trains, and sets and restores the limits from
    its own thread, the only one threadpoolctl lets restore them. Pools
    already within the limits (a ``threadpool_limits`` of the caller's, say)
    are left alone; training nested in the same thread (the penalty
    search's fits) runs on, within the outer limits. A callback must not wait
    for a fit in another thread: that fit waits for this one to end.
    """
    with _TRAINING, contextlib.ExitStack() as limits:
        if not _limits_in_effect(numpy_threads):
            limits.enter_context(_limit_pools(numpy_threads))
        yield


#: Held by the fit that trains; reentrant, for training nested in it.
_TRAINING = threading.RLock()


def _reset_after_fork():
    # A child forked while a fit trained in another thread has the lock
    # but not that thread: a new lock, or its fits would wait forever.
    global _TRAINING
    _TRAINING = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


@contextlib.contextmanager
def _limit_pools(numpy_threads):
    """The limits, entered here and restored on leaving, Ctrl-C included."""
    with _scipy_blas_controller().limit(limits=1), contextlib.ExitStack() as numpy:
        if numpy_threads is not None:
            numpy.enter_context(_numpy_blas_controller().limit(limits=numpy_threads))
        yield


def _limits_in_effect(numpy_threads):
    """Whether this thread's BLAS calls run within the limits."""
    wanted = [(_scipy_blas_controller(), 1), (_numpy_blas_controller(), numpy_threads)]
    return all(
        lib.num_threads <= limit
        for controller, limit in wanted
        if limit is not None
        for lib in controller.lib_controllers
    )


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
    fight over the cores and each loss evaluation of the network, and each
    ``axpy`` of Adam and SGD, waits on them: one thread for scipy's pool
    makes training several times faster
    (``python benchmarks/bench_lbfgs_threads.py``). Where scipy and numpy
    share one BLAS, nothing is limited.
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
