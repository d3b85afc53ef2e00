"""Does a fit give its own result beside a fit that wants other BLAS limits?

An L-BFGS fit with (256, 128) hidden units on 3,000 x 64 float32 rows trains
numpy's products on the pool's own threads (``numpy_threads_for`` says None);
an Adam fit of a small network wants one thread. The script fits the L-BFGS
model alone, then again while the Adam fit trains in another thread, and
prints the numpy threads the L-BFGS fit found when its training began and the
largest difference of its weights from those of its run alone.

At b0333ea overlapping fits shared the limits of the first to start: the
L-BFGS fit trained on 1 thread beside the Adam fit and its weights differed
by 1.1e-7. Since the redesign of the issue "One engine", fits in threads
train one at a time, each on its own limits: 2 threads, difference 0.

Run: python benchmarks/threads_mixed_fits.py
(``PYTHONPATH=<another tree>`` runs another commit's code.)
"""

import contextlib
import threading
import time
import warnings

import numpy as np

import sknn_simple
import sknn_simple._blas as blas
import sknn_simple._training as training
from sknn_simple import SimpleMLPRegressor


def main():
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.rand(3000, 64).astype(np.float32)
    y = (X @ rng.rand(64)).astype(np.float32)
    seen = []
    real = training.training_threads

    @contextlib.contextmanager
    def recording(numpy_threads=None):
        with real(numpy_threads):
            pools = blas._numpy_blas_controller().lib_controllers
            threads = [pool.num_threads for pool in pools]
            seen.append((threading.current_thread().name, numpy_threads, threads))
            yield

    training.training_threads = recording

    def lbfgs():
        model = SimpleMLPRegressor(
            (256, 128), solver="lbfgs", max_iter=5, random_state=0
        )
        return model.fit(X, y).coefs_

    def adam():
        model = SimpleMLPRegressor(
            (8,), solver="adam", max_iter=3000, n_iter_no_change=3000, random_state=0
        )
        model.fit(X[:, :8], y)

    alone = lbfgs()
    thread = threading.Thread(target=adam, name="adam")
    thread.start()
    time.sleep(0.3)  # the Adam fit trains
    beside = lbfgs()
    thread.join()
    print(f"sknn_simple from {sknn_simple.__file__}")
    for name, wanted, threads in seen:
        print(f"{name}: wanted numpy threads {wanted}, found {threads}")
    difference = max(float(np.abs(a - b).max()) for a, b in zip(alone, beside))
    print(f"largest |beside - alone| of the L-BFGS weights: {difference:.3g}")


if __name__ == "__main__":
    main()
