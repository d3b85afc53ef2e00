"""Do L-BFGS fits in threads give the serial results bit for bit?

Fits six networks one after another, then the same six in six threads, and
prints the largest difference between each pair of predictions. scipy's
BLAS pool is held to one thread during training (``sknn_simple._blas``);
only one fit at a time holds that process-wide limit, so the others may run
part of their L-BFGS-B vector work on scipy's full pool, with another
summation order.

Run: python benchmarks/threads_determinism.py [--layers 100] [--iterations 60]

On the development machine (2 cores, scipy 1.17.1 with its own OpenBLAS
0.3.30) the one-holder limit gave differences of 0 to 9e-12; counting the
users of the limit instead, so that every concurrent fit ran under it, gave
differences up to 0.08 from the serial fits, although two threaded runs
agreed with each other bit for bit (so not a data race: another, repeatable
computation), and no limit at all, or OPENBLAS_NUM_THREADS=1 from the
start, gave 0 everywhere. Why the counted limit changes the threaded fits'
arithmetic is not understood yet.
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
