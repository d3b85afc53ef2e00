"""Kernels: the one place where numpy and other array libraries differ.

Every formula of the library (activations, losses, the forward and backward
passes, the penalty, the optimizers' steps) is written once, against a
kernel ``k``: it calls ``k.multiply(a, b, out=buffer)`` and uses the value
returned. Three kernels implement that interface:

- :data:`NUMPY`, for numpy arrays: each operation
  writes into the buffer it is given (a :class:`~sknn_simple._network.Workspace`
  row block, a gradient vector, the optimizer's state), with numpy's ``out=``
  and scipy's BLAS, and returns it; :meth:`NumpyKernel.empty` hands out the
  buffers, so a training step allocates nothing; :data:`SPARSE`, the same
  for a scipy sparse ``X``, whose first layer multiplies sparse by dense;
- :class:`ArrayApiKernel`, for the arrays of another array library (PyTorch,
  CuPy, array-api-strict) under ``sklearn.set_config(array_api_dispatch=True)``:
  the same operations with array API standard functions, which return new
  arrays; its :meth:`~ArrayApiKernel.empty` hands out no buffer (None).

:func:`kernel_for` picks one from the type of an array, once per fit (and
once per ``predict``); the training steps never ask again. The module also moves
small things between a device and the host (:func:`to_host`,
``kernel.asarray``).
"""

import functools
import operator

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, xlogy
from sklearn import get_config
from sklearn.utils.extmath import safe_sparse_dot

from ._blas import axpy, scale

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
    from sklearn.utils._array_api import check_same_namespace, move_to

    ARRAY_API_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised on the minimum versions
    ARRAY_API_AVAILABLE = False

    def _needs_newer_sklearn(*args, **kwargs):
        raise NotImplementedError(NEEDS_NEWER_SKLEARN)

    # Reached only for non-numpy arrays, which this scikit-learn cannot
    # dispatch on (and for a saved model fitted on them): the clear error.
    array_namespace = device_of = _needs_newer_sklearn
    check_same_namespace = move_to = _needs_newer_sklearn

#: Rows a numpy pass takes at once: a block's activations stay in cache and
#: the buffers stay small however many rows there are.
BLOCK_ROWS = 1024
#: Rows a pass of another array library takes at once on an accelerator,
#: which wants large blocks: there they only bound the memory of a full
#: batch or of predicting many rows.
DEVICE_BLOCK_ROWS = 65_536
#: The same on a CPU device (torch's CPU tensors), where blocks that stay in
#: cache win, as for numpy (``python benchmarks/bench_array_api.py``).
CPU_BLOCK_ROWS = 2_048

#: Below this many elements the logistic is one call of scipy's expit: the
#: fixed cost of the vectorised form's four numpy calls outweighs its speed
#: (``python benchmarks/profile_step.py``, section 2).
SMALL_ARRAY = 1000

# Permutations of the rows are always in range: "clip" skips np.take's
# bounds check and the copy of ``out`` that its default mode makes.
_IN_RANGE = "clip"


class NumpyKernel:
    """numpy and scipy.sparse arrays, computed into preallocated buffers.

    Every operation that takes ``out`` writes its result there (a new array
    when ``out`` is None) and returns it.
    """

    xp = np
    float32 = np.float32
    block_rows = BLOCK_ROWS
    defers_checks = False  # a non-finite batch loss is seen at once
    views_stay_current = True  # reshaped slices share params' memory

    # The element-wise operations are numpy's ufuncs themselves (no wrapper
    # call per operation); staticmethod keeps functions (scipy's expit is
    # one under SCIPY_ARRAY_API=1) from binding to the kernel.
    add, subtract, multiply, divide = np.add, np.subtract, np.multiply, np.divide
    matmul = np.matmul
    negative, exp, log, tanh, sqrt = np.negative, np.exp, np.log, np.tanh, np.sqrt
    log1p = np.log1p
    sign, maximum = np.sign, np.maximum
    clip, where = staticmethod(np.clip), staticmethod(np.where)
    expit, xlogy = staticmethod(expit), staticmethod(xlogy)

    empty, ones = np.empty, staticmethod(np.ones)  # (shape, dtype)

    def is_small(self, a):
        return a.size < SMALL_ARRAY

    def block_size(self, n_rows):
        """Rows of the buffers for calls of ``n_rows`` rows."""
        return max(1, min(int(n_rows), self.block_rows))

    def as_dtype(self, a, dtype):
        """``a`` (booleans, say) as numbers of ``dtype``; ``a`` itself when
        it has that dtype."""
        return a.astype(dtype, copy=False)

    # y += a * x and x *= a, in place, in one BLAS pass each.
    axpy, scale = staticmethod(axpy), staticmethod(scale)

    def weighted_sum(self, values, sample_weight):
        """``sum_i s_i sum_j values_ij`` (``s = 1`` when None), a float."""
        if sample_weight is None:
            return float(values.sum())
        return float(np.einsum("ij,i->", values, sample_weight))

    def weighted_squared_sum(self, residual, sample_weight):
        """``sum_i s_i ||residual_i||²`` (``s = 1`` when None), a float."""
        if sample_weight is None:
            return float(np.vdot(residual, residual))
        return float(np.einsum("ij,ij,i->", residual, residual, sample_weight))

    def squared_norm(self, x):
        return float(np.vdot(x, x))

    def asarray(self, a):
        """``a`` (numpy or another library's) as this kernel's array."""
        return a if isinstance(a, np.ndarray) else to_host(a)

    def index(self, rows):
        """Row indices (numpy) in the form :meth:`take` wants."""
        return rows

    def take(self, a, index, out=None):
        """Rows ``index`` of ``a`` (into ``out`` for dense arrays)."""
        if out is None:  # sparse X, or no buffer
            return a[index]
        return np.take(a, index, axis=0, out=out, mode=_IN_RANGE)

    def slice_rows(self, a, start, stop):
        return a[start:stop]

    def join_blocks(self, blocks, out):
        """Write each block's rows into ``out`` as it comes (the blocks
        share one buffer); returns ``out``."""
        start = 0
        for block in blocks:
            out[start : start + block.shape[0]] = block
            start += block.shape[0]
        return out

    def flat(self, coefs, intercepts, out):
        """The flat vector of per-layer gradients; on numpy they were
        written into views of ``out`` already."""
        return out

    def columns(self, arrays):
        """The arrays side by side (numpy before 2.0 has no ``concat``)."""
        return np.concatenate(arrays, axis=1)


def _operator(function):
    def operation(self, *arrays, out=None):
        # A new array; in out's dtype when given, as numpy's out= rounds to it.
        result = function(*arrays)
        return result if out is None else self.xp.astype(result, out.dtype, copy=False)

    return operation


def _function(name):
    return lambda self, a, out=None: getattr(self.xp, name)(a)


class SparseKernel(NumpyKernel):
    """:class:`NumpyKernel` for a fit or prediction on a scipy sparse ``X``,
    whose first layer multiplies sparse by dense."""

    def matmul(self, a, b, out=None):
        if isinstance(a, np.ndarray):
            return np.matmul(a, b, out=out)
        product = safe_sparse_dot(a, b)  # X @ coefs[0] or X.T @ deltas[0]
        if out is None:
            return product
        out[...] = product
        return out


class ArrayApiKernel:
    """Arrays of another array library, through its array API namespace.

    The operations of :class:`NumpyKernel`, with standard functions that
    return new arrays: ``out`` is ignored, and :meth:`empty` gives None
    where numpy gives a buffer. Values stay on the device; the batch losses
    are summed there and read once per epoch (``defers_checks``).

    Parameters
    ----------
    xp : module
        The array API namespace.
    device : object
        The device the arrays live on.
    """

    defers_checks = True
    # Whether a reshaped slice shares memory is up to the library: the
    # views of the parameters are made anew for each call.
    views_stay_current = False

    def __init__(self, xp, device):
        self.xp, self.device, self.float32 = xp, device, xp.float32
        on_cpu = "cpu" in str(device).lower()
        self.block_rows = CPU_BLOCK_ROWS if on_cpu else DEVICE_BLOCK_ROWS

    # The operations of NumpyKernel, ``out`` ignored: operators...
    add, subtract, multiply, divide, negative = map(
        _operator,
        (operator.add, operator.sub, operator.mul, operator.truediv, operator.neg),
    )
    # ... and the namespace's functions of one array.
    exp, log, log1p, tanh, sqrt, sign = map(
        _function, ("exp", "log", "log1p", "tanh", "sqrt", "sign")
    )

    def empty(self, shape, dtype):
        return None

    def ones(self, n, dtype):
        return self.xp.ones(n, dtype=dtype, device=self.device)

    def matmul(self, a, b, out=None):
        return a @ b

    def maximum(self, a, value, out=None):
        return self.xp.maximum(a, self.xp.full_like(a, value))

    def clip(self, a, low, high, out=None):
        return self.xp.clip(a, low, high)

    def is_small(self, a):
        return False

    def block_size(self, n_rows):
        return self.block_rows  # no buffers to size: the kernel's own blocks

    def expit(self, a, out=None):
        return 1 / (1 + self.xp.exp(-a))

    def xlogy(self, x, y):
        positive = x > 0
        return self.xp.where(
            positive, x * self.xp.log(self.xp.where(positive, y, 1.0)), 0.0
        )

    def where(self, condition, a, b):
        return self.xp.where(condition, a, b)

    def as_dtype(self, a, dtype):
        return self.xp.astype(a, dtype)

    # In place; float(a): a numpy scalar times a tensor makes a numpy array.
    def axpy(self, a, x, y):
        y += float(a) * x

    def scale(self, a, x):
        x *= float(a)

    def weighted_sum(self, values, sample_weight):
        """A 0-d array: no transfer to the host per step."""
        if sample_weight is None:
            return self.xp.sum(values)
        return self.xp.sum(values * sample_weight[:, None])

    def weighted_squared_sum(self, residual, sample_weight):
        return self.weighted_sum(residual * residual, sample_weight)

    def squared_norm(self, x):
        return float(self.xp.vecdot(x, x))

    def asarray(self, a):
        return None if a is None else move_to(a, xp=self.xp, device=self.device)

    def index(self, rows):
        # Sent to the device once for the batch's X, Y and weights.
        return self.xp.asarray(rows, device=self.device)

    def take(self, a, index, out=None):
        return self.xp.take(a, index, axis=0)

    def slice_rows(self, a, start, stop):
        return a[start:stop, ...]

    def join_blocks(self, blocks, out):
        return self.xp.concat(list(blocks), axis=0)

    def columns(self, arrays):
        return self.xp.concat(arrays, axis=1)

    def flat(self, coefs, intercepts, out):
        """The flat vector of per-layer gradients, laid out like the
        parameters: every weight matrix, then every intercept."""
        xp = self.xp
        return xp.concat([xp.reshape(coef, (-1,)) for coef in coefs] + intercepts)


NUMPY, SPARSE = NumpyKernel(), SparseKernel()


def kernel_for(array):
    """The kernel for ``array``: :data:`SPARSE` for scipy sparse matrices,
    :data:`NUMPY` for numpy arrays and anything else that is not another
    array library's."""
    if isinstance(array, np.ndarray):
        return NUMPY
    if sp.issparse(array):
        return SPARSE
    library = namespace_of(array)
    return NUMPY if library is None else _array_api_kernel(library, device_of(array))


@functools.lru_cache(maxsize=8)
def _array_api_kernel(xp, device):
    return ArrayApiKernel(xp, device)


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


def input_kernel(X):
    """The kernel a fit or a prediction on the input ``X`` (as given, before
    validation) computes with: another array library's under array API
    dispatch, numpy's otherwise (numpy arrays, lists, sparse matrices...).

    Raises
    ------
    NotImplementedError
        Another library's array under dispatch, with a scikit-learn too old
        to dispatch on it.
    TypeError
        A sparse matrix under dispatch.
    """
    if not get_config()["array_api_dispatch"]:
        return NUMPY
    if not ARRAY_API_AVAILABLE:
        if not hasattr(X, "__array_namespace__"):
            return NUMPY
        raise NotImplementedError(NEEDS_NEWER_SKLEARN)
    if sp.issparse(X):
        raise TypeError(
            "Sparse input is not supported with array_api_dispatch=True: "
            "sknn_simple computes on sparse matrices with numpy only. "
            "Turn array API dispatch off, or pass a dense array."
        )
    return kernel_for(X)


def check_fitted_library(estimator, X, params, method="predict"):
    """A clear error when ``X`` is not of the array library and device the
    model was fitted on (scikit-learn's check_same_namespace under
    dispatch); ``params`` are the fitted weights."""
    dispatch = get_config()["array_api_dispatch"]
    if not (dispatch or isinstance(params, np.ndarray)):
        raise ValueError(
            f"This {type(estimator).__name__} was fitted on "
            f"{type(params).__module__} arrays under array API dispatch; call "
            f"{method} with array_api_dispatch=True and X of the same namespace "
            "and device."
        )
    if dispatch and ARRAY_API_AVAILABLE:
        check_same_namespace(X, estimator, attribute="_fitted_params", method=method)


def to_host(array):
    """A numpy copy (or view) of another array library's ``array``; anything
    else (numpy arrays, sparse matrices, lists, None) as it is."""
    if namespace_of(array) is None:
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
    k = kernel_for(destination)
    destination[...] = k.xp.asarray(k.asarray(source), dtype=destination.dtype)


def all_finite(array):
    """Whether every value of ``array`` (any namespace) is finite."""
    if isinstance(array, np.ndarray):
        return bool(np.isfinite(array).all())
    xp = array_namespace(array)
    return bool(xp.all(xp.isfinite(array)))


def take_rows(X, rows):
    """Rows ``rows`` (a numpy index array) of ``X``, in ``X``'s namespace."""
    k = kernel_for(X)
    return k.take(X, k.index(rows))


def host_dtype(array):
    """The numpy float dtype matching ``array``'s (float32 or float64)."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return array.dtype
    xp = array_namespace(array)
    return np.dtype(np.float32 if array.dtype == xp.float32 else np.float64)
