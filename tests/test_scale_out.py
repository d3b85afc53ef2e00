"""Scaling out: a grid search on a Dask cluster through joblib, models sent to
and from worker processes, out-of-core partial_fit over Dask blocks, and the
example scripts.

One local cluster of two worker processes serves the whole test session. No
test asserts a speed-up: on a busy CI machine with two cores, starting the
workers and moving the data can cost more than the parallel fits save.
"""

import ast
import importlib.util
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import dask
import dask.array as da
import joblib
import numpy as np
import psutil
import pytest
from distributed import Client, LocalCluster, get_task_stream
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_friedman1
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPClassifier, SimpleMLPRegressor

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO_ROOT / "examples").glob("*.py"))

# Small and quick: every fit below converges within a tenth of a second.
SMALL = dict(
    hidden_layer_sizes=(10,), learning_rate_init=0.01, max_iter=1000, random_state=0
)


def _still_running(processes):
    """The processes that have not exited (zombies count as exited)."""
    running = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
        except psutil.NoSuchProcess:
            pass
    return running


@pytest.fixture(scope="session")
def dask_client(tmp_path_factory):
    """A client of a local cluster of two single-threaded worker processes,
    started once per session; on shutdown no worker process may remain."""
    scratch = str(tmp_path_factory.mktemp("dask-scratch"))
    with (
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
        worker_pids = client.run(os.getpid)
        assert len(worker_pids) == 2
        assert os.getpid() not in worker_pids.values()
        # psutil.Process remembers each process's start time, so a pid reused
        # by a new process after shutdown is not mistaken for a worker.
        workers = [psutil.Process(pid) for pid in worker_pids.values()]
        assert _still_running(workers) == workers
        yield client
    deadline = time.monotonic() + 15
    while _still_running(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _still_running(workers)
    assert not left, f"Dask worker processes still running after shutdown: {left}"


@pytest.fixture(scope="module")
def friedman():
    return make_friedman1(n_samples=300, noise=0.5, random_state=0)


# ----------------------------------------------------- joblib's Dask backend
def test_grid_search_on_dask_matches_the_sequential_search(dask_client, friedman):
    X, y = friedman
    search = GridSearchCV(
        make_pipeline(StandardScaler(), SimpleMLPRegressor(**SMALL)),
        {
            "simplemlpregressor__solver": ["adam", "sgd"],
            "simplemlpregressor__alpha": [1e-3, 1.0],
        },
        cv=3,
    )
    sequential = clone(search).set_params(n_jobs=1).fit(X, y)

    on_dask = clone(search)
    with (
        get_task_stream(dask_client) as tasks,
        joblib.parallel_config(backend="dask"),
    ):
        on_dask.fit(X, y)

    # The fits really ran on the cluster's worker processes.
    workers_used = {task["worker"] for task in tasks.data}
    assert workers_used <= set(dask_client.scheduler_info()["workers"])
    assert workers_used

    # Every fit is seeded (random_state=0 and unshuffled folds), so both
    # searches train the same networks. The workers run their BLAS on one
    # thread (Dask sets OMP/OPENBLAS/MKL_NUM_THREADS=1 in them), this process
    # may use several; a matrix product split across threads may sum in
    # another order and differ in the last bits, which hundreds of epochs can
    # grow a little. Hence a relative tolerance instead of exact equality.
    assert on_dask.best_params_ == sequential.best_params_
    assert on_dask.cv_results_["params"] == sequential.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "split0_test_score"):
        assert_allclose(
            on_dask.cv_results_[key], sequential.cv_results_[key], rtol=1e-6
        )
    assert_allclose(on_dask.predict(X), sequential.predict(X), rtol=1e-6, atol=1e-9)


def test_a_classifier_grid_search_on_dask_matches_the_sequential_search(dask_client):
    """String labels and log-loss scoring through the Dask backend."""
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    labels = np.where(y > np.median(y), "high", "low")
    search = GridSearchCV(
        make_pipeline(StandardScaler(), SimpleMLPClassifier(**SMALL)),
        {"simplemlpclassifier__alpha": [1e-3, 1.0]},
        scoring="neg_log_loss",
        cv=3,
    )
    sequential = clone(search).set_params(n_jobs=1).fit(X, labels)
    on_dask = clone(search)
    with joblib.parallel_config(backend="dask"):
        on_dask.fit(X, labels)
    assert on_dask.best_params_ == sequential.best_params_
    assert_allclose(
        on_dask.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
        rtol=1e-6,
    )
    assert_array_equal(on_dask.predict(X), sequential.predict(X))


# ----------------------------------------------- models to and from workers
def test_fitted_model_survives_the_round_trip_to_workers(dask_client, friedman):
    X, y = friedman
    # Nested functions travel by value (cloudpickle); module-level ones would
    # make the workers import this test module.

    def fit_on_worker(X, y):
        model = SimpleMLPRegressor(solver="adam", **SMALL).fit(X, y)
        return model, os.getpid()

    def predict_on_worker(model, X):
        return model.predict(X)

    remote, worker_pid = dask_client.submit(fit_on_worker, X, y, pure=False).result()
    assert worker_pid != os.getpid()
    local = SimpleMLPRegressor(solver="adam", **SMALL).fit(X, y)

    prediction = remote.predict(X)
    assert np.all(np.isfinite(prediction))
    assert_allclose(prediction, local.predict(X), rtol=1e-6, atol=1e-9)
    assert remote.n_iter_ == local.n_iter_
    assert_allclose(remote.loss_curve_, local.loss_curve_, rtol=1e-6)

    # The weights are still one vector: coefs_ are views into it again.
    assert all(np.shares_memory(coef, remote._state.params) for coef in remote.coefs_)

    # Back to a worker: the model fitted here predicts there.
    on_worker = dask_client.submit(predict_on_worker, local, X, pure=False).result()
    assert_allclose(on_worker, local.predict(X), rtol=1e-6, atol=1e-9)

    # The optimizer's state came back too: partial_fit continues identically.
    remote.partial_fit(X, y)
    local.partial_fit(X, y)
    assert_allclose(remote.predict(X), local.predict(X), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------- out of core
def test_partial_fit_over_dask_blocks_equals_partial_fit_over_numpy_chunks(
    dask_client,
):
    X, y = make_friedman1(n_samples=1_000, random_state=0)
    chunk_size = 300  # four blocks, the last one of 100 rows
    X_dask = da.from_array(X, chunks=(chunk_size, -1))
    y_dask = da.from_array(y, chunks=chunk_size)
    assert X_dask.numblocks == (4, 1)

    settings = dict(hidden_layer_sizes=(20,), solver="adam", random_state=0)
    from_numpy = SimpleMLPRegressor(**settings)
    from_dask = SimpleMLPRegressor(**settings)
    rng = np.random.default_rng(0)
    for _ in range(3):  # passes, each in a new chunk order
        for i in rng.permutation(X_dask.numblocks[0]):
            rows = slice(i * chunk_size, (i + 1) * chunk_size)
            from_numpy.partial_fit(X[rows], y[rows])
            # The blocks are computed on the cluster and sent back.
            X_block, y_block = dask.compute(
                X_dask.blocks[i], y_dask.blocks[i], scheduler=dask_client
            )
            from_dask.partial_fit(X_block, y_block)

    assert len(from_dask.loss_curve_) == len(from_numpy.loss_curve_) == 12
    assert from_dask.t_ == from_numpy.t_ == 3 * X.shape[0]
    assert_array_equal(from_dask.loss_curve_, from_numpy.loss_curve_)
    assert_array_equal(from_dask.predict(X), from_numpy.predict(X))


# -------------------------------------------------------------- the examples
EXPECTED_OUTPUT = {
    "plot_dask_grid_search.py": [
        r"^Dask cluster with 2 worker processes$",
        r"^Best parameters: \{'simplemlpregressor__alpha': ",
        r"^Best cross-validated R²: -?\d+\.\d{3}$",
        r"^Held-out R² of the best pipeline: -?\d+\.\d{3}$",
    ],
    "plot_out_of_core.py": [
        r"^Memory-mapped \.npy file$",
        r"^Dask array: 10 blocks of shape \(2000, 10\)$",
        r"^  pass 8: held-out R² = \d\.\d{3}$",
    ],
}


# Examples that use sklearn.callback, new in scikit-learn 1.9.
NEEDS_CALLBACK_API = {"plot_callbacks.py"}
HAS_CALLBACK_API = importlib.util.find_spec("sklearn.callback") is not None
# Examples that train on torch tensors (the test-torch extra).
NEEDS_TORCH = {"plot_array_api_torch.py"}
HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_the_examples_are_found():
    assert set(EXPECTED_OUTPUT) <= {path.name for path in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(example):
    # A sphinx-gallery example opens with an RST title.
    docstring = ast.get_docstring(ast.parse(example.read_text(encoding="utf-8")))
    assert docstring, f"{example.name} has no module docstring"
    title, underline = docstring.splitlines()[:2]
    assert title.strip() and set(underline) == {"="} and len(underline) >= len(title)

    result = subprocess.run(
        [sys.executable, str(example)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if example.name in NEEDS_CALLBACK_API and not HAS_CALLBACK_API:
        # scikit-learn < 1.9 (the minimum-versions run): a clear way out.
        assert result.returncode != 0
        assert 'pip install -U "scikit-learn>=1.9"' in result.stderr
        return
    if example.name in NEEDS_TORCH and not HAS_TORCH:
        # The minimum-versions run has no torch: the example names the extra.
        assert result.returncode != 0
        assert 'pip install "sknn_simple[test-torch]"' in result.stderr
        return
    assert result.returncode == 0, result.stderr
    for pattern in EXPECTED_OUTPUT.get(example.name, []):
        assert re.search(pattern, result.stdout, flags=re.MULTILINE), (
            f"{pattern!r} not in the output of {example.name}:\n{result.stdout}"
        )

    if example.name == "plot_out_of_core.py":
        # Two runs of 8 passes, memory map then Dask: more passes, better model.
        r2 = [float(value) for value in re.findall(r"R² = (\S+)", result.stdout)]
        assert len(r2) == 16
        for per_pass in (r2[:8], r2[8:]):
            assert per_pass[-1] > per_pass[0] + 0.1
