"""Frequency weights that mean exactly repetition: duplicate rows merged.

A ``sample_weight`` of 2 is meant to count a row twice. The objective agrees,
but not to the last bit: the weighted and the repeated sums add the same
terms in another order, and L-BFGS carries that last-bit difference through
hundreds of iterations into a different minimum of a weakly penalised
network. The cross-validation of ``alpha="auto"`` differs more: its folds
can split the copies of a repeated row, putting one in the training rows
and one in the validation rows, which a weight of 2 cannot mimic.

:func:`merge_duplicate_rows` removes both differences before training: rows
with a zero weight are dropped, identical rows (the same features and the
same targets) become one row that carries their summed weight, and the rows
are put in one canonical order. Weighted rows and their repetitions then
become the very same training problem, and the order in which such rows
came no longer matters. Data with no repeated row, no zero weight and no
weight other than 1 (the usual case: no ``sample_weight``) is left exactly
as given, rows and order: its fit is the one it always was.
"""

import numpy as np
import scipy.sparse as sp

from ._array_api import (
    device_of,
    host_dtype,
    namespace_of,
    take_rows,
    to_device,
    to_host,
)


def merge_duplicate_rows(X, Y, sample_weight):
    """The distinct rows of ``(X, Y)`` in canonical order, with summed weights.

    Parameters
    ----------
    X : array or CSR matrix of shape (n_samples, n_features)
        A numpy array, a CSR matrix, or an array of another array library
        (its rows are compared on a host copy and gathered on its device).
    Y : array of shape (n_samples, n_outputs)
        In ``X``'s namespace.
    sample_weight : array of shape (n_samples,) or None
        In ``X``'s namespace; None counts each row once.

    Returns
    -------
    X, Y, sample_weight
        The distinct rows with a positive weight, sorted by their bytes, and
        each one's summed weight (in ``X``'s dtype and on its device), or
        None when every merged weight is 1. The arguments themselves when no
        row repeats another and every weight is 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn_simple._rows import merge_duplicate_rows
    >>> X = np.array([[1.0], [0.0], [1.0]])
    >>> Y = np.array([[2.0], [5.0], [2.0]])
    >>> X_merged, Y_merged, weights = merge_duplicate_rows(X, Y, None)
    >>> X_merged.ravel(), Y_merged.ravel(), weights
    (array([0., 1.]), array([5., 2.]), array([1., 2.]))
    """
    rows, weights = distinct_rows(to_host(X), to_host(Y), to_host(sample_weight))
    if rows is None:
        return X, Y, sample_weight
    xp = namespace_of(X)
    if weights is not None and xp is None:
        weights = weights.astype(X.dtype)  # as validation gives them
    elif weights is not None:
        weights = to_device(weights.astype(host_dtype(X)), xp, device_of(X))
    return take_rows(X, rows), take_rows(Y, rows), weights


def distinct_rows(X, Y, sample_weight):
    """Indices of the first copy of each distinct row, canonically ordered,
    and the rows' summed weights (None when all are 1); numpy inputs.

    ``(None, None)`` when there is nothing to merge or drop and no weight
    other than 1: no order to make canonical.
    """
    weights = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    keys = _sparse_row_keys(X, Y) if sp.issparse(X) else _dense_row_keys(X, Y)
    kept = np.flatnonzero(weights > 0)
    _, first, group = np.unique(keys[kept], return_index=True, return_inverse=True)
    unit = sample_weight is None or bool(np.all(sample_weight == 1))
    if first.shape[0] == Y.shape[0] and unit:
        return None, None
    merged = np.zeros(first.shape[0], dtype=np.float64)
    np.add.at(merged, group.ravel(), weights[kept])
    return kept[first], None if np.all(merged == 1) else merged


def _dense_row_keys(X, Y):
    """One opaque value per row: the bytes of its features and targets."""
    n_samples = Y.shape[0]
    raw = np.concatenate(
        [
            np.ascontiguousarray(X).view(np.uint8).reshape(n_samples, -1),
            np.ascontiguousarray(Y).view(np.uint8).reshape(n_samples, -1),
        ],
        axis=1,
    )
    return np.ascontiguousarray(raw).view(np.dtype((np.void, raw.shape[1]))).ravel()


def _sparse_row_keys(X, Y):
    """Row keys of a CSR matrix: column indices, values and targets."""
    X = X.copy()
    X.sum_duplicates()  # also sorts each row's indices: one form per row
    X.eliminate_zeros()  # a stored 0 is the same row as an absent one
    keys = np.empty(Y.shape[0], dtype=object)
    for row in range(Y.shape[0]):
        cells = slice(X.indptr[row], X.indptr[row + 1])
        keys[row] = (
            X.indices[cells].astype(np.int64).tobytes()
            + X.data[cells].tobytes()
            + Y[row].tobytes()
        )
    return keys
