"""The fixed cost of one small ``partial_fit`` call, early and late in a
long run of them, and inside the caller's own BLAS limit.

Each call holds the process-wide training lock (``sknn_simple._blas._TRAINING``,
reentrant: fits in several threads train one at a time) and, from its own
thread, sets SciPy's BLAS pool to one thread (and NumPy's too, for small
layers) and restores it after (``_blas._limit_pools``, entered by
``_blas.training_threads``). Pools already within the limits, as under
``threadpool_limits(limits=1, user_api="blas")``, are left alone. At
b0333ea, a thread of their own (``_blas._SharedLimits``) set the limits
when the first of the running fits started and restored them when the last
ended: each call made a round trip there and back to set, and another to
restore.

On the 2-core development machine (quiet), medians of three runs in ms
per call of 200 rows, (16,) units, at b0333ea: early 0.99, after 5,000
calls 1.11, inside the caller's limit 0.69; a round trip to that thread,
two per call, 80 µs. Set and restored by the fit's own thread since, the
limits took 20-37 µs a call against 55-128 µs at b0333ea (three
interleaved runs on the machine while busy, ``training_threads(1)``
entered and left, as the last line this script prints). At 33539f8
(limits set by the fits' own threads, curves deep-copied): 0.70, 1.55 and
1.58.

Run: python benchmarks/partial_fit_overhead.py
"""

import timeit
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from sknn_simple import SimpleMLPRegressor
from sknn_simple._blas import training_threads


def ms_per_call(model, X, y):
    best = min(timeit.repeat(lambda: model.partial_fit(X, y), number=50, repeat=3))
    return best / 50 * 1e3


def main():
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.rand(200, 8)
    y = X @ rng.rand(8)
    model = SimpleMLPRegressor((16,), solver="adam", batch_size=200, random_state=0)
    model.partial_fit(X, y)
    early = ms_per_call(model, X, y)
    for _ in range(5000):
        model.partial_fit(X, y)
    late = ms_per_call(model, X, y)
    with threadpool_limits(limits=1, user_api="blas"):
        limited = ms_per_call(model, X, y)
    print(
        f"ms per partial_fit call: early {early:.3f}, after 5,000 calls "
        f"{late:.3f}, inside threadpool_limits(1) {limited:.3f}"
    )

    def set_and_restore():
        with training_threads(1):
            pass

    spent = min(timeit.repeat(set_and_restore, number=500)) / 500
    print(f"setting the limits and restoring them: {spent * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
