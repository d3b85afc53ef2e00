"""Array API support: which arrays take the namespace-generic path, and moves
of small things between the device and the host.

A fit on numpy arrays (or sparse matrices, or anything with dispatch off)
runs the numpy fast path of :mod:`sknn_simple._network` and
:mod:`sknn_simple._solvers`: in-place ufuncs, BLAS and preallocated
buffers. A fit on another array library's arrays (PyTorch, CuPy,
array-api-strict...) under ``sklearn.set_config(array_api_dispatch=True)``
runs their ``*_xp`` twins, written with array API standard functions
only. :func:`namespace_of` decides, once per call, from the type of the
arrays; the loops never ask again per step.
"""

import numpy as np
import scipy.sparse as sp

#: What to say when array API support is asked of a scikit-learn without it.
NEEDS_NEWER_SKLEARN = (
    "sknn_simple computes on non-numpy arrays (array API dispatch) only with a "
    "scikit-learn that provides sklearn.utils._array_api.move_to and "
    "check_same_namespace (1.9 does); upgrade scikit-learn, or turn "
    "array_api_dispatch off to train on numpy copies."
)

try:  # scikit-learn 1.9 has move_to and check_same_namespace
    from sklearn.externals.array_api_compat import array_namespace
    from sklearn.externals.array_api_compat import device as device_of
    from sklearn.utils._array_api import (  # noqa: F401 (re-exported)
        check_same_namespace,
        get_namespace_and_device,
        move_to,
    )

    ARRAY_API_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised on the minimum versions
    ARRAY_API_AVAILABLE = False

    def _needs_newer_sklearn(*args, **kwargs):
        raise NotImplementedError(NEEDS_NEWER_SKLEARN)

    # Reached only for non-numpy arrays, which this scikit-learn cannot
    # dispatch on (and for a saved model fitted on them): the clear error.
    array_namespace = device_of = _needs_newer_sklearn
    check_same_namespace = get_namespace_and_device = move_to = _needs_newer_sklearn


def namespace_of(array):
    """The array API namespace of ``array``, or None for the numpy path.

    None for numpy arrays, sparse matrices and anything that is not an
    array of another array library: those take the numpy fast path.
    """
    if isinstance(array, np.ndarray) or sp.issparse(array) or array is None:
        return None
    if not ARRAY_API_AVAILABLE:
        return None
    try:
        xp = array_namespace(array)
    except TypeError:
        return None
    return None if xp.__name__.endswith("numpy") else xp


def input_namespace(X):
    """``(xp, device)`` of validated input under array API dispatch, with
    ``xp`` None for the numpy path (dispatch off, numpy or sparse input)."""
    if not ARRAY_API_AVAILABLE:
        return None, None
    from sklearn import get_config

    if not get_config()["array_api_dispatch"]:
        return None, None
    if sp.issparse(X):
        raise TypeError(
            "Sparse input is not supported with array_api_dispatch=True: "
            "SimpleMLPRegressor computes on sparse matrices with numpy only. "
            "Turn array API dispatch off, or pass a dense array."
        )
    xp, _, device = get_namespace_and_device(X)
    if xp.__name__.endswith("numpy"):
        return None, None
    return xp, device


def to_device(array, xp, device):
    """``array`` (numpy or another namespace's) in ``xp`` on ``device``;
    None stays None."""
    if array is None:
        return None
    return move_to(array, xp=xp, device=device)


def to_host(array):
    """A numpy copy (or view) of ``array``, whatever its namespace; numpy
    arrays and sparse matrices as they are."""
    if array is None or isinstance(array, np.ndarray) or sp.issparse(array):
        return array
    return move_to(array, xp=np, device="cpu")


def copy_of(array):
    """An independent copy of ``array`` in its own namespace."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return array_namespace(array).asarray(array, copy=True)


def copy_into(destination, source):
    """Overwrite ``destination`` (any namespace) with ``source`` (numpy or
    the same namespace), in place, cast to ``destination``'s dtype."""
    if isinstance(destination, np.ndarray):
        np.copyto(destination, source, casting="same_kind")
        return
    xp = array_namespace(destination)
    destination[...] = xp.asarray(
        to_device(source, xp, device_of(destination)), dtype=destination.dtype
    )


def all_finite(array):
    """Whether every value of ``array`` (any namespace) is finite."""
    if isinstance(array, np.ndarray):
        return bool(np.isfinite(array).all())
    xp = array_namespace(array)
    return bool(xp.all(xp.isfinite(array)))


def take_rows(X, rows):
    """Rows ``rows`` (a numpy index array) of ``X``, in ``X``'s namespace."""
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return X[rows]
    xp = array_namespace(X)
    return xp.take(X, xp.asarray(rows, device=device_of(X)), axis=0)


def host_dtype(array):
    """The numpy float dtype matching ``array``'s (float32 or float64)."""
    if isinstance(array, np.ndarray):
        return array.dtype
    xp = array_namespace(array)
    return np.dtype(np.float32 if array.dtype == xp.float32 else np.float64)
