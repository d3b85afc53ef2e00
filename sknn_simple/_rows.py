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

from ._kernels import host_dtype, kernel_for, take_rows, to_host


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
    host_X, host_Y, host_weight = (to_host(array) for array in (X, Y, sample_weight))
    weights = np.ones(Y.shape[0]) if host_weight is None else host_weight
    row_keys = _sparse_row_keys if sp.issparse(host_X) else _dense_row_keys
    kept = np.flatnonzero(weights > 0)
    keys = row_keys(host_X, host_Y)[kept]
    _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    if first.shape[0] == Y.shape[0] and np.all(weights == 1):
        return X, Y, sample_weight  # nothing to merge or drop, no order to make
    rows, merged = kept[first], np.bincount(group.ravel(), weights=weights[kept])
    if np.all(merged == 1):
        merged = None
    else:  # in X's dtype and library, as validation gives them
        merged = kernel_for(X).asarray(merged.astype(host_dtype(X)))
    return take_rows(X, rows), take_rows(Y, rows), merged


def _dense_row_keys(X, Y):
    """One opaque value per row: the bytes of its features and targets."""
    as_bytes = (np.ascontiguousarray(part).view(np.uint8) for part in (X, Y))
    raw = np.hstack([part.reshape(len(Y), -1) for part in as_bytes])
    return raw.view(np.dtype((np.void, raw.shape[1]))).ravel()


def _sparse_row_keys(X, Y):
    """Row keys of a CSR matrix: column indices, values and targets."""
    X = X.copy()
    X.sum_duplicates()  # also sorts each row's indices: one form per row
    X.eliminate_zeros()  # a stored 0 is the same row as an absent one
    cuts = X.indptr[1:-1]  # where one row's cells end and the next row's begin
    rows = zip(np.split(X.indices.astype(np.int64), cuts), np.split(X.data, cuts), Y)
    keys = np.empty(len(Y), dtype=object)  # bytes objects: no null is stripped
    keys[:] = [b"".join(part.tobytes() for part in row) for row in rows]
    return keys
