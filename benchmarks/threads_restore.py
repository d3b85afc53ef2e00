"""Does scipy's BLAS pool get its thread count back after fits that overlap
in threads?

Two threads enter ``sknn_simple._blas.training_threads`` one after the
other: the second sets out to enter while the first is inside. The first
leaves first but stays alive until the second, the last to leave, has
left. Prints how often, in 100 rounds, the main thread then sees a changed
pool, and how often a ``threadpool_limits`` of the main thread's was
ignored afterwards (this one can only show when the pool was given back).

threadpoolctl 3.8 lets only the thread that set a process-wide OpenBLAS
pool's limit change it again, and silently ignores the others. When the
last fit to leave restored the limit from its own thread, the pool stayed
at one thread in every round (at commit 33539f8: "100 of 100"). At
b0333ea, one owner thread (``_blas._SharedLimits``) set the limits when the
first entered and restored them when the last left, and both lines read 0
of 100. That thread is gone: each entry now holds a process-wide
reentrant lock (``_blas._TRAINING``) while inside, so overlapping entries
take turns (the second waits until the first has left), and each sets and
restores the limits from its own thread (``_blas._limit_pools``). The
script lets the first thread leave once the second is on its way in:
waiting inside for the second to enter, as it did at b0333ea, would now
stall each round until its timeout.

Run: python benchmarks/threads_restore.py
"""

import threading
import time

from threadpoolctl import threadpool_limits

import sknn_simple._blas as blas


def scipy_threads():
    return [lib["num_threads"] for lib in blas._scipy_blas_controller().info()]


def overlapping_round():
    first_in, second_coming, first_out, second_out = (
        threading.Event() for _ in range(4)
    )

    def first():
        with blas.training_threads():
            first_in.set()
            # The second cannot enter before this one leaves (the lock):
            # leave once it is on its way, and has had a moment to get there.
            second_coming.wait(10)
            time.sleep(0.001)
        first_out.set()
        second_out.wait(10)

    def second():
        first_in.wait(10)
        second_coming.set()
        with blas.training_threads():  # waits until the first has left
            first_out.wait(10)
        second_out.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_out.wait(10)
    pool_after = scipy_threads()
    with threadpool_limits(limits=1, user_api="blas"):
        limited = scipy_threads() == [1] * len(pool_after)
    for thread in threads:
        thread.join()
    return pool_after, limited


def main():
    before = scipy_threads()
    changed = ignored = 0
    for _ in range(100):
        pool_after, limited = overlapping_round()
        changed += pool_after != before
        ignored += not limited
    print(f"pool as found {before}; rounds that left it changed: {changed} of 100")
    print(f"rounds where the main thread's limit was ignored: {ignored} of 100")


if __name__ == "__main__":
    main()
