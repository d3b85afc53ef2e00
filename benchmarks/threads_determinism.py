"""Do L-BFGS fits in threads give the serial results bit for bit?

Fits six networks one after another, then the same six in six threads, and
prints the largest difference between each pair of predictions. scipy's
BLAS pool is held to one thread while a fit trains (``sknn_simple._blas``).
At b0333ea, fits overlapped: the first to start set that process-wide
limit and the last to end restored it, both through one thread of their
own (``_blas._SharedLimits``), so every fit did all its L-BFGS-B vector
work on one thread. That thread is gone: fits in threads now train one at
a time, each holding a process-wide reentrant lock (``_blas._TRAINING``)
while it trains, and setting and restoring the limit from its own thread,
so each still does all that work on one thread.

Run: python benchmarks/threads_determinism.py [--layers 100] [--iterations 60]

On the development machine (2 cores, scipy 1.17.1 with its own OpenBLAS
0.3.30) this prints 0 for every fit in each of three runs. Before fits
shared the limit, only one fit at a time held it and the others ran part
of their way on scipy's full pool, where OpenBLAS splits a dot product of
more than 10,000 values over two threads and sums it in another order:
differences of 0 to 2e-12 from the serial fits.
"""

import argparse
import threading
import warnings

import numpy as np
from sklearn.datasets import make_friedman1

from sknn_simple import SimpleMLPRegressor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--fits", type=int, default=6)
    args = parser.parse_args()
    # Once, for every thread: catch_warnings is not thread-safe.
    warnings.simplefilter("ignore")
    X, y = make_friedman1(n_samples=400, random_state=0)

    def fit(seed):
        model = SimpleMLPRegressor(
            hidden_layer_sizes=(args.layers, args.layers),
            solver="lbfgs",
            alpha=1.0,
            max_iter=args.iterations,
            random_state=seed,
        )
        return model.fit(X, y).predict(X)

    serial = [fit(seed) for seed in range(args.fits)]
    threaded = [None] * args.fits

    def run(seed):
        threaded[seed] = fit(seed)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(args.fits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    differences = [float(np.max(np.abs(a - b))) for a, b in zip(serial, threaded)]
    print(
        "largest |serial - threaded| per fit:",
        ", ".join(f"{d:.2g}" for d in differences),
    )


if __name__ == "__main__":
    main()
