"""
Grid search on a Dask cluster
=============================

:class:`~sklearn.model_selection.GridSearchCV` fits one model per parameter
combination and cross-validation fold, and these fits are independent of each
other. scikit-learn hands them to :mod:`joblib`, and joblib can hand them on
to a `Dask <https://www.dask.org>`_ cluster: the same search code then runs on
the cores of a laptop or on the machines of a cluster, without changes.

This example starts a small cluster of two worker *processes* on this machine
(:class:`distributed.LocalCluster`), connects a :class:`distributed.Client`
to it and runs a grid search over :class:`~sknn_simple.SimpleMLPRegressor`
parameters inside ``joblib.parallel_config(backend="dask")``. On a real
cluster only the line that creates the ``LocalCluster`` changes.

It needs Dask's ``distributed`` scheduler::

    pip install "sknn_simple[dask]"

.. note::

    The code that starts the cluster sits under
    ``if __name__ == "__main__":``. Worker processes are started with
    ``spawn``, which imports the main script again in every worker; without
    the guard each worker would try to start a cluster of its own.
"""

# %%
# Imports
# -------
# Dask is an optional dependency of ``sknn_simple``: say which extra installs
# it instead of failing with a bare ``ImportError``.
import logging
import sys
import tempfile
import time

try:
    import dask
    from distributed import Client, LocalCluster
except ImportError:
    sys.exit(
        "This example needs Dask's distributed scheduler. Install it with:\n"
        '    pip install "sknn_simple[dask]"'
    )

import joblib
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor

# %%
# The data and the search
# -----------------------
# The diabetes data ships with scikit-learn: 442 patients, 10 features, and a
# measure of disease progression one year later (25 to 346) as the target.
# ``SimpleMLPRegressor`` standardises the target itself (``normalize_y=True``);
# the features are standardised by a
# :class:`~sklearn.preprocessing.StandardScaler` in the same pipeline, so each
# fold's scaler only sees that fold's training rows.
#
# The grid has 2 network shapes x 3 penalties (from ``alpha=1``, what the
# default ``alpha="auto"`` uses from 200 rows on, up) = 6 candidates, and
# 5-fold cross-validation makes 30 fits; every other parameter keeps its
# default. A fixed ``random_state`` makes every fit
# reproducible, wherever it runs.
X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

pipeline = make_pipeline(StandardScaler(), SimpleMLPRegressor(random_state=0))
param_grid = {
    "simplemlpregressor__hidden_layer_sizes": [(10,), (20, 20)],
    "simplemlpregressor__alpha": [1.0, 3.0, 10.0],
}
search = GridSearchCV(pipeline, param_grid, cv=5)

# %%
# Run the search on a local cluster
# ---------------------------------
# Two worker processes with one thread each. ``processes=True`` sidesteps
# Python's global interpreter lock: each fit runs in its own process.
# Dask writes worker scratch files (spilled data, lock files) to its
# temporary directory; both that and the workers' ``local_directory`` point
# at a fresh temporary directory, removed at the end.
#
# Inside ``joblib.parallel_config(backend="dask")`` every joblib-parallel
# call, here the 30 fits of ``GridSearchCV.fit``, is sent to the workers of
# the current ``Client``. ``n_jobs`` can stay unset: the Dask backend uses
# all the cluster's workers. The ``with`` blocks close the client, then the
# cluster (which stops the worker processes), even if the search fails.
if __name__ == "__main__":
    with (
        tempfile.TemporaryDirectory(prefix="sknn-dask-") as scratch,
        dask.config.set({"temporary-directory": scratch}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            silence_logs=logging.ERROR,
            local_directory=scratch,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = client.scheduler_info()["workers"]
        print(f"Dask cluster with {len(workers)} worker processes")
        start = time.perf_counter()
        with joblib.parallel_config(backend="dask"):
            search.fit(X_train, y_train)
        n_fits = len(search.cv_results_["params"]) * search.n_splits_
        print(f"{n_fits} fits on the cluster in {time.perf_counter() - start:.1f} s")

# %%
# The results
# -----------
# ``search`` is an ordinary fitted ``GridSearchCV``: the cluster is gone, the
# refitted best pipeline stays usable here.
if __name__ == "__main__":
    print(f"Best parameters: {search.best_params_}")
    print(f"Best cross-validated R²: {search.best_score_:.3f}")
    print(f"Held-out R² of the best pipeline: {search.score(X_test, y_test):.3f}")

    print("\nmean R²  std    hidden_layer_sizes  alpha")
    results = search.cv_results_
    for params, mean, std in zip(
        results["params"], results["mean_test_score"], results["std_test_score"]
    ):
        print(
            f"{mean:7.3f}  {std:.3f}  "
            f"{params['simplemlpregressor__hidden_layer_sizes']!s:18}  "
            f"{params['simplemlpregressor__alpha']}"
        )

# %%
# The timings depend on the machine; with only a few fits of a fraction of a
# second each, starting the worker processes and shipping the data to them
# can cost more than the parallel fits save. Dask pays off when the fits are
# many or long, or the cluster has more cores than this machine.
