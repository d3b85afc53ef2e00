"""
Out-of-core training with partial_fit
=====================================

When the training data does not fit in memory, train on it one chunk at a
time. :meth:`~sknn_simple.SimpleMLPRegressor.partial_fit` (solvers ``"adam"``
and ``"sgd"``) runs one epoch of minibatch steps over the chunk it is given
and keeps the weights and the optimizer's state between calls, so a loop over
the chunks is one pass over the full data set, and several such passes train
the network like the epochs of :meth:`~sknn_simple.SimpleMLPRegressor.fit`.

This example streams chunks from two sources:

1. a NumPy array stored on disk and opened as a memory map
   (:func:`numpy.load` with ``mmap_mode="r"``): slicing it reads only that
   slice from the file;
2. a `Dask <https://www.dask.org>`_ array made with
   :func:`dask.array.from_array`: its ``.blocks`` are the chunks, and each
   block is loaded with ``.compute()`` only when it is used.

Two things need care when the model never sees all the data at once:

- **Scale X.** Sigmoid layers learn badly from features on very different
  scales. Fit a :class:`~sklearn.preprocessing.StandardScaler` with
  ``partial_fit`` over all the chunks first, then transform each chunk
  before it reaches the network.
- **Mind the target scaling.** With ``normalize_y=True`` (the default) the
  mean and standard deviation used to standardise ``y`` are fitted on the
  *first* chunk passed to ``partial_fit`` and never updated. The first chunk
  must therefore be representative of all targets (rows in random order, not
  sorted by date or by value), or standardise ``y`` yourself from statistics
  of the whole data set and pass ``normalize_y=False``, as in part 2.

The Dask part needs ``pip install "sknn_simple[dask]"``.
"""

# %%
# Data on disk
# ------------
# ``make_friedman1`` draws a non-linear regression problem with 10 features
# (5 of them noise). 20,000 training rows are written to a ``.npy`` file one
# chunk at a time, as a data set too large for memory would be; 5,000 more
# rows are kept in memory to measure R² after each pass.
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    import dask
    import dask.array as da
except ImportError:
    sys.exit(
        "This example needs Dask arrays. Install them with:\n"
        '    pip install "sknn_simple[dask]"'
    )

from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor

n_train, n_test, chunk_size, n_features = 20_000, 5_000, 2_000, 10
n_chunks = n_train // chunk_size
n_passes = 8

X_test, y_test = make_friedman1(n_samples=n_test, noise=1.0, random_state=0)

scratch = tempfile.TemporaryDirectory(prefix="sknn-out-of-core-")
X_path = Path(scratch.name) / "X.npy"
y_path = Path(scratch.name) / "y.npy"
X_file = np.lib.format.open_memmap(X_path, mode="w+", shape=(n_train, n_features))
y_file = np.lib.format.open_memmap(y_path, mode="w+", shape=(n_train,))
for i in range(n_chunks):
    rows = slice(i * chunk_size, (i + 1) * chunk_size)
    X_file[rows], y_file[rows] = make_friedman1(
        n_samples=chunk_size, noise=1.0, random_state=i + 1
    )
X_file.flush()
y_file.flush()
del X_file, y_file  # closes the files

# %%
# Part 1: chunks of a memory-mapped array
# ---------------------------------------
# Opening the files with ``mmap_mode="r"`` reads nothing yet; each slice below
# reads its own rows.
X_disk = np.load(X_path, mmap_mode="r")
y_disk = np.load(y_path, mmap_mode="r")


def chunk_rows(i):
    return slice(i * chunk_size, (i + 1) * chunk_size)


# %%
# First a pass to fit the feature scaling, chunk by chunk.
scaler = StandardScaler()
for i in range(n_chunks):
    scaler.partial_fit(X_disk[chunk_rows(i)])

# %%
# Then the training passes. Each pass visits the chunks in a new random order
# (and ``shuffle=True`` shuffles the rows inside each chunk), so the network
# does not learn the order of the file. The rows of this file are in random
# order, so whichever chunk comes first is a fair sample of the targets for
# ``normalize_y``. ``learning_rate_init=0.01`` (the default, ten times
# MLPRegressor's) lets the network learn more in these passes than 0.001:
# set 0.001 below and the last pass scores a held-out R² of 0.732, not 0.938.
model = SimpleMLPRegressor(
    hidden_layer_sizes=(50, 50),
    solver="adam",
    learning_rate_init=0.01,
    random_state=0,
)
rng = np.random.default_rng(0)
print("Memory-mapped .npy file")
for n_pass in range(1, n_passes + 1):
    for i in rng.permutation(n_chunks):
        rows = chunk_rows(i)
        model.partial_fit(scaler.transform(X_disk[rows]), y_disk[rows])
    r2 = r2_score(y_test, model.predict(scaler.transform(X_test)))
    print(f"  pass {n_pass}: held-out R² = {r2:.3f}")

# %%
# The held-out R² rises over the passes, if not at every one: each pass is
# another epoch over all 20,000 training rows, although only one chunk of
# 2,000 of them was loaded at a time.
#
# Part 2: blocks of a Dask array
# ------------------------------
# :func:`dask.array.from_array` wraps the memory map without reading it; the
# ``chunks`` argument cuts it into blocks of 2,000 rows and all columns.
# ``X_dask.blocks[i]`` is block ``i`` as a lazy Dask array and ``.compute()``
# loads it as a NumPy array. The same code works for Dask arrays built from
# many files (HDF5, Zarr, ...) or spread over a Dask cluster.
X_dask = da.from_array(X_disk, chunks=(chunk_size, n_features))
y_dask = da.from_array(y_disk, chunks=chunk_size)
n_blocks = X_dask.numblocks[0]
print(f"\nDask array: {n_blocks} blocks of shape {X_dask.chunksize}")

scaler = StandardScaler()
for i in range(n_blocks):
    scaler.partial_fit(X_dask.blocks[i].compute())

# %%
# This time ``y`` is standardised with the mean and standard deviation of all
# the training targets, which Dask computes block by block, and the model gets
# ``normalize_y=False``. This is the safe choice when the first chunk may not
# represent the whole data set. Predictions are then on the standardised
# scale and are mapped back before scoring.
y_mean, y_std = dask.compute(y_dask.mean(), y_dask.std())
print(f"Target mean {y_mean:.2f} and standard deviation {y_std:.2f}")

model = SimpleMLPRegressor(
    hidden_layer_sizes=(50, 50),
    solver="adam",
    learning_rate_init=0.01,
    normalize_y=False,
    random_state=0,
)
rng = np.random.default_rng(0)
for n_pass in range(1, n_passes + 1):
    for i in rng.permutation(n_blocks):
        X_block, y_block = dask.compute(X_dask.blocks[i], y_dask.blocks[i])
        model.partial_fit(scaler.transform(X_block), (y_block - y_mean) / y_std)
    y_pred = model.predict(scaler.transform(X_test)) * y_std + y_mean
    print(f"  pass {n_pass}: held-out R² = {r2_score(y_test, y_pred):.3f}")

# %%
# Clean up: drop every reference to the memory maps (the Dask arrays hold
# some too), so that the files are closed before their directory is removed.
del X_disk, y_disk, X_dask, y_dask
scratch.cleanup()
