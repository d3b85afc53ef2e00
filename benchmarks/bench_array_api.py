"""SimpleMLPRegressor on numpy arrays against the same fit on torch tensors.

The same estimator, data, starting weights and row order, once on numpy
arrays (numpy's kernel, ``sknn_simple._kernels.NUMPY``, computing into
preallocated buffers) and once on torch tensors under
``sklearn.config_context(array_api_dispatch=True)`` (the array API kernel,
``_kernels.ArrayApiKernel``, on torch's device: the GPU when there is one,
else the CPU). Both run the same code, written once against a kernel; at
b0333ea they were two paths, the numpy fast path and its namespace-generic
twins (``Network.forward_xp`` and the other ``*_xp`` functions). Fits
run a fixed number of epochs (``tol=0``, ``alpha=0``,
``normalize_y=False``); a time per epoch is the fit's time divided by its
epochs (the fit's fixed cost included), the median of ``--repeats`` runs
after an untimed warm-up of each. Configurations:

- (b) hidden (100, 100), 20,000 rows of 20 features, adam, batch 200;
- wide: hidden (512, 512), 20,000 rows of 20 features, adam, batch 256;
- predict: (b)'s network on 1,000,000 rows.

``--rows`` and ``--predict-rows`` change those sizes; issue 15's GPU table
is ``--rows 1000000 --predict-rows 10000000`` on a machine with a GPU.

With torch, each fit is also raced against the hand-written eager PyTorch
loop of ``_torch_contender.py`` on the same device, from the same starting
weights and row order (its time includes building the model on the
device, as ours includes our fit's fixed cost).

Run: python benchmarks/bench_array_api.py [--repeats 3] [--epochs 3]
[--device cpu|cuda] [--only numpy]. ``--only numpy`` times the numpy path
alone, to compare it before and after a change.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
from sklearn import config_context  # noqa: E402
from sklearn.datasets import make_friedman1  # noqa: E402

from sknn_simple import SimpleMLPRegressor  # noqa: E402

try:
    import _torch_contender as torch_loop  # noqa: E402
except ImportError:  # no torch: the numpy path only
    torch_loop = None

CONFIGS = {
    "(b)": dict(hidden_layer_sizes=(100, 100), batch_size=200),
    "wide": dict(hidden_layer_sizes=(512, 512), batch_size=256),
}


def _model(config, epochs):
    return SimpleMLPRegressor(
        solver="adam",
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**6,
        alpha=0.0,
        normalize_y=False,
        random_state=0,
        **config,
    )


def _timed(function, repeats):
    function()  # warm-up, untimed
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        _wait_for_the_gpu()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _wait_for_the_gpu():
    """CUDA runs asynchronously: a call can return before its work is done."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.synchronize()


def _fit(config, epochs, X, y, dispatch):
    def run():
        with warnings.catch_warnings(), config_context(array_api_dispatch=dispatch):
            warnings.simplefilter("ignore")
            _model(config, epochs).fit(X, y)

    return run


def _hand_written(config, epochs, X, y, dtype):
    """The hand-written torch loop on ``X``'s device (y of shape (n, 1))."""

    def run():
        hidden = config["hidden_layer_sizes"]
        start = torch_loop.starting_point(X.shape[1], hidden, dtype)
        torch_loop.fit(
            start,
            X,
            y,
            solver="adam",
            batch_size=config["batch_size"],
            epochs=epochs,
            learning_rate=1e-3,
        )

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default=None)
    parser.add_argument("--only", choices=["numpy"], default=None)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--predict-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    X, y = make_friedman1(n_samples=args.rows, n_features=20, random_state=0)
    torch = None
    if args.only is None:
        import torch

        device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
        print(
            f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads"
        )
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        for name, config in CONFIGS.items():
            numpy_time = _timed(_fit(config, args.epochs, Xd, y, False), args.repeats)
            per_epoch = numpy_time / args.epochs
            line = f"{name:5s} {dtype.__name__}: numpy {per_epoch:.3f} s/epoch"
            if torch is not None:
                Xt = torch.asarray(Xd, device=device)
                yt = torch.asarray(y, device=device)
                torch_time = _timed(
                    _fit(config, args.epochs, Xt, yt, True), args.repeats
                )
                y_column = yt.to(Xt.dtype)[:, None]
                loop_time = _timed(
                    _hand_written(config, args.epochs, Xt, y_column, dtype),
                    args.repeats,
                )
                line += (
                    f", torch {torch_time / args.epochs:.3f} s/epoch "
                    f"(numpy / torch {numpy_time / torch_time:.2f}), hand-written "
                    f"torch loop {loop_time / args.epochs:.3f} s/epoch (ours on "
                    f"torch / loop {torch_time / loop_time:.2f})"
                )
            print(line, flush=True)
    device = None if torch is None else device
    _predict(X, y, args.predict_rows, torch, device, args.repeats)


def _predict(X, y, n_rows, torch, device, repeats):
    """(b)'s network, float64, on ``n_rows`` rows."""
    model = _model(CONFIGS["(b)"], 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    rows = np.random.RandomState(1).uniform(size=(n_rows, X.shape[1]))
    numpy_time = _timed(lambda: model.predict(rows), repeats)
    line = f"predict {n_rows:,} rows float64: numpy {numpy_time:.3f} s"
    if torch is not None:
        with config_context(array_api_dispatch=True):
            model_t = _model(CONFIGS["(b)"], 1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model_t.fit(torch.asarray(X, device=device), torch.asarray(y))
            rows_t = torch.asarray(rows, device=device)
            torch_time = _timed(lambda: model_t.predict(rows_t), repeats)
        line += (
            f", torch {torch_time:.3f} s (numpy / torch {numpy_time / torch_time:.2f})"
        )
    print(line)


if __name__ == "__main__":
    main()
