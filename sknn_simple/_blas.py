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

import concurrent.futures
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

    Fits may run in several threads at once (joblib's threading backend),
    and each must run under the limits from start to end: OpenBLAS sums the
    dot products of scipy's L-BFGS-B, and the products over rows of the
    weight gradients, in another order on two threads than on one, so a fit
    that ran part of its way on a different pool would differ from the same
    fit run alone (by up to 2e-12 in
    ``python benchmarks/threads_determinism.py``). So the fits running at
    any moment share one setting, held by :class:`_SharedLimits`. Where this
    thread does not see it (a BLAS that counts threads per thread, or a
    ``threadpool_limits`` of the caller's that holds the pools), the limits
    are set for this thread too.
    """
    _SHARED_LIMITS.enter(numpy_threads)
    try:
        with contextlib.ExitStack() as own:
            if not _limits_in_effect(numpy_threads):
                own.enter_context(_limit_pools(numpy_threads))
            yield
    finally:
        _SHARED_LIMITS.exit()


class _SharedLimits:
    """The limits that every running fit shares, set when the first starts
    and restored when the last ends, both from one thread of their own.

    OpenBLAS's pthreads pool is process-wide, and threadpoolctl (3.8 on)
    lets only the thread that set its limit change it again: others are
    silently ignored. Overlapping fits end in any order, so the thread that
    restores must be the one that set, whichever fit ends last.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget every fit and the owner thread (a forked child has none of
        the parent's threads)."""
        self._lock = threading.Lock()
        self._users = 0
        self._held = None
        self._owner = None  # the owner thread starts on first use

    def enter(self, numpy_threads):
        with self._lock:
            # Pools already within the limits (a caller's threadpool_limits,
            # say) need no round trip to the owner, to set or to restore.
            if (
                self._users == 0
                and self._held is None
                and not _limits_in_effect(numpy_threads)
            ):
                self._in_owner(self._set, numpy_threads)
            self._users += 1

    def exit(self):
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._held is not None:
                self._in_owner(self._restore)

    # The owner thread records what it set itself: should Ctrl-C stop the
    # caller while it waits, the limits are still on record, and the end of
    # the next fit restores them.
    def _set(self, numpy_threads):
        self._held = _limit_pools(numpy_threads)

    def _restore(self):
        held, self._held = self._held, None
        held.close()

    def _in_owner(self, function, *args):
        if self._owner is None:
            self._owner = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="sknn_simple-blas-limits"
            )
        try:
            future = self._owner.submit(function, *args)
        except RuntimeError:
            # The interpreter is shutting down (a fit in an atexit handler
            # or a daemon thread) and starts no more threads: run it here.
            return function(*args)
        return future.result()


_SHARED_LIMITS = _SharedLimits()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_SHARED_LIMITS.reset)


def _limit_pools(numpy_threads):
    """Enter the limits; the returned stack restores them when closed."""
    stack = contextlib.ExitStack()
    stack.enter_context(_scipy_blas_controller().limit(limits=1))
    if numpy_threads is not None:
        stack.enter_context(_numpy_blas_controller().limit(limits=numpy_threads))
    return stack


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
