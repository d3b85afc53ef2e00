"""Does scipy's BLAS pool get its thread count back after fits that overlap
in threads? (A known open bug, found in review.)

Two threads enter ``sknn_simple._blas.training_threads`` one after the
other; the first leaves first, so the second, the last to leave, restores
the limit from its own thread. Prints how often, in 100 rounds, the main
thread then still sees one thread, and what a restore from another thread
does to a limit set by the main thread.

On the development machine (scipy 1.17.1's OpenBLAS 0.3.30) a thread count
set from a thread other than the main one did not reach the main thread:
0 and 8 of 100 rounds, in two runs, left the pool at 1 thread, and a restore from another
thread never took effect for the main thread.

Run: python benchmarks/threads_restore.py
"""

import threading

import sknn_simple._blas as blas


def scipy_threads():
    return [lib["num_threads"] for lib in blas._scipy_blas_controller().info()]


def overlapping_round():
    first_in, second_in, first_out = (threading.Event() for _ in range(3))

    def first():
        with blas.training_threads():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second():
        with blas.training_threads():
            second_in.set()
            first_out.wait(10)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    first_in.wait(10)
    threads[1].start()
    for thread in threads:
        thread.join()


def main():
    before = scipy_threads()
    left = 0
    for _ in range(100):
        overlapping_round()
        left += scipy_threads() != before
    print(f"pool as found {before}; rounds that left it changed: {left} of 100")
    limiter = blas._scipy_blas_controller().limit(limits=1)
    worker = threading.Thread(target=limiter.restore_original_limits)
    worker.start()
    worker.join()
    print(
        f"after a restore from another thread, the main thread sees {scipy_threads()}"
    )


if __name__ == "__main__":
    main()
