"""Activation functions and their derivatives, side by side.

Each entry pairs a function ``f`` that overwrites a pre-activation array ``Z``
with ``f(Z)``, and a function that multiplies a delta array by ``f'`` in place.
The derivative is written in terms of the layer's *output* ``A = f(Z)``, so the
backward pass needs no copy of ``Z``:

============  ==========================  ==========================
name          f(z)                        f'(z) written with a = f(z)
============  ==========================  ==========================
identity      z                           1
logistic      1 / (1 + exp(-z))           a (1 - a)
tanh          tanh(z)                     1 - a²
relu          max(z, 0)                   1 if a > 0 else 0
============  ==========================  ==========================

The derivatives overwrite ``A`` with their intermediate results: once a
layer's delta is known, the backward pass needs its output no more, so they
need no buffer of their own and allocate nothing.

Each function takes the fit's kernel ``k`` first (see
:mod:`sknn_simple._kernels`): on numpy every operation writes into the array
it is given, on other array libraries it returns a new one, and the code
uses the value returned either way.
"""

import numpy as np


def _identity(k, Z):
    return Z


def _identity_derivative(k, A, delta):
    return delta


def _logistic(k, Z):
    # Two exact forms of σ, each the faster one for its dtype; scipy's
    # expit, not vectorised, is faster on small arrays only
    # (``python benchmarks/bench_speed.py``, table "sigmoid").
    if k.is_small(Z):
        return k.expit(Z, out=Z)
    if Z.dtype == k.float32:
        # σ(z) = (1 + tanh(z / 2)) / 2: tanh saturates, so nothing overflows.
        Z = k.multiply(Z, 0.5, out=Z)
        Z = k.tanh(Z, out=Z)
        Z = k.multiply(Z, 0.5, out=Z)
        return k.add(Z, 0.5, out=Z)
    # σ(z) = 1 / (1 + exp(-z)); exp(-z) overflows to inf below z = -709.78,
    # where σ(z) = 0 as expit gives (the exact value is below 6e-309).
    with np.errstate(over="ignore"):
        Z = k.negative(Z, out=Z)
        Z = k.exp(Z, out=Z)
        Z = k.add(Z, 1, out=Z)
        return k.divide(1, Z, out=Z)


def _logistic_derivative(k, A, delta):
    # delta *= a (1 - a), with A turned into 1 - A in place
    delta = k.multiply(delta, A, out=delta)
    A = k.subtract(1, A, out=A)
    return k.multiply(delta, A, out=delta)


def _tanh(k, Z):
    return k.tanh(Z, out=Z)


def _tanh_derivative(k, A, delta):
    # delta *= 1 - a², with A turned into 1 - A² in place
    A = k.multiply(A, A, out=A)
    A = k.subtract(1, A, out=A)
    return k.multiply(delta, A, out=delta)


def _relu(k, Z):
    return k.maximum(Z, 0, out=Z)


def _relu_derivative(k, A, delta):
    # delta *= (a > 0); a = max(z, 0) >= 0, so sign(a) is exactly that 0 or 1
    A = k.sign(A, out=A)
    return k.multiply(delta, A, out=delta)


#: name -> (f(k, Z) applied in place to Z, f'(k, A, delta) multiplying delta
#: by f' in place given A; A is overwritten).
ACTIVATIONS = {
    "identity": (_identity, _identity_derivative),
    "logistic": (_logistic, _logistic_derivative),
    "tanh": (_tanh, _tanh_derivative),
    "relu": (_relu, _relu_derivative),
}

#: Open interval of values an output activation can produce; ``None`` = unbounded.
OUTPUT_RANGES = {
    "identity": None,
    "logistic": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}
