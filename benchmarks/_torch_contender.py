"""The eager PyTorch training loop that ``bench_speed.py`` races against.

Imported only when torch is installed (``pip install torch==2.13.0``, the
CPU build). The loop does the work a ``SimpleMLPRegressor`` fit does:

- the network: ``torch.nn.Linear`` layers, logistic (``nn.Sigmoid``) hidden
  layers and an identity output;
- the starting weights: those ``SimpleMLPRegressor(random_state=seed)``
  starts from, drawn by the library's own ``Network.initialize`` from
  ``check_random_state(seed)`` (the estimator draws nothing before them);
- the row order: that same ``RandomState`` then shuffles one ``arange``
  permutation in place at the start of every epoch, as our epoch loop
  (``_training._EpochLoop.run``) and MLPRegressor do;
- the loss: ``0.5 * mean((output - y)²)`` over the batch's rows and
  outputs, our squared error's data term (no penalty: ``alpha=0``); the
  epoch's loss is the row-weighted mean of its batches' losses, as ours;
- the optimizer: ``torch.optim.Adam`` (lr, betas, eps as ours) or
  ``torch.optim.SGD`` (lr, momentum 0.9, Nesterov, constant rate), with
  their default (non-fused, CPU) implementations.

Adam puts ``eps`` elsewhere: torch adds it to ``sqrt(v / (1 - beta_2**t))``,
we (and MLPRegressor) to ``sqrt(v)`` before the bias correction, so early
steps of weights with tiny gradients differ slightly; the final losses of
the benchmark still agree to 6 digits or more in float64.
"""

import math

import numpy as np
import torch
from sklearn.utils import check_random_state

from sknn_simple._network import Network

TORCH_DTYPES = {
    np.dtype(np.float64): torch.float64,
    np.dtype(np.float32): torch.float32,
}
# SimpleMLPRegressor's defaults (and MLPRegressor's).
BETAS, EPSILON, MOMENTUM = (0.9, 0.999), 1e-8, 0.9


def starting_point(n_features, hidden, dtype, seed=0):
    """``(coefs, intercepts, random_state)`` of a fit with ``random_state=seed``.

    The weights are what ``SimpleMLPRegressor`` starts from; the returned
    ``RandomState`` is in the state our epoch loop finds it in, ready to
    shuffle the first epoch.
    """
    random_state = check_random_state(seed)
    network = Network((n_features, *hidden, 1), "logistic", "identity")
    params = network.initialize(random_state, dtype=dtype)
    coefs, intercepts = network.unpack(params)
    return [c.copy() for c in coefs], [b.copy() for b in intercepts], random_state


def build_model(coefs, intercepts, device=None):
    """``nn.Sequential`` of Linear and Sigmoid layers holding these weights,
    on ``device`` (None: the CPU)."""
    dtype = TORCH_DTYPES[coefs[0].dtype]
    layers = []
    for layer, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        linear = torch.nn.Linear(*coef.shape, dtype=dtype, device=device)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(coef.T)))
            linear.bias.copy_(torch.from_numpy(intercept))
        layers.append(linear)
        if layer < len(coefs) - 1:
            layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def make_optimizer(model, solver, learning_rate):
    """Our defaults: Adam's betas (0.9, 0.999) and eps 1e-8; SGD's momentum
    0.9 with Nesterov at a constant rate."""
    if solver == "adam":
        return torch.optim.Adam(
            model.parameters(), lr=learning_rate, betas=BETAS, eps=EPSILON
        )
    if solver == "sgd":
        return torch.optim.SGD(
            model.parameters(), lr=learning_rate, momentum=MOMENTUM, nesterov=True
        )
    raise ValueError(f"no torch loop for solver={solver!r}")


def fit(start, X, y, *, solver, batch_size, epochs, learning_rate, eps_as_ours=False):
    """Train for ``epochs`` epochs; return ``(model, last epoch's loss)``.

    ``start`` is :func:`starting_point`'s triple, whose ``RandomState`` is
    used up; ``X`` and ``y`` are tensors (``y`` of shape ``(n, 1)``) made
    before the clock starts, on the device the loop trains on.
    ``eps_as_ours`` (a check, not for timing) rescales Adam's ``eps`` before
    every step to
    ``eps / sqrt(1 - beta_2**t)``, which makes torch's update ours exactly.
    """
    coefs, intercepts, random_state = start
    model = build_model(coefs, intercepts, device=X.device)
    optimizer = make_optimizer(model, solver, learning_rate)
    n_samples = X.shape[0]
    order = np.arange(n_samples)
    loss_mean = float("nan")
    steps = 0
    for _ in range(epochs):
        random_state.shuffle(order)
        index = torch.from_numpy(order).to(X.device)
        loss_sum = 0.0
        for first in range(0, n_samples, batch_size):
            rows = index[first : first + batch_size]
            X_batch, y_batch = X[rows], y[rows]
            if eps_as_ours:
                steps += 1
                for group in optimizer.param_groups:
                    group["eps"] = EPSILON / math.sqrt(1 - BETAS[1] ** steps)
            optimizer.zero_grad(set_to_none=True)
            loss = 0.5 * torch.nn.functional.mse_loss(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * rows.shape[0]
        loss_mean = loss_sum / n_samples
    return model, loss_mean


def tensors(X, y):
    """The training data as tensors sharing numpy's memory, ``y`` as a column."""
    return torch.from_numpy(X), torch.from_numpy(y.reshape(-1, 1))


def predictor(model):
    """``predict(X)``: numpy in, numpy out, as a user would serve the model."""

    def predict(X):
        with torch.inference_mode():
            return model(torch.from_numpy(X)).numpy().ravel()

    return predict


def set_threads(n_threads):
    """Set torch's intra-op threads; return the previous count."""
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    return previous


def get_threads():
    return torch.get_num_threads()


def version():
    return torch.__version__
