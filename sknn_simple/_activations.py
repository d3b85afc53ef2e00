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
"""

import numpy as np
from scipy.special import expit


def _identity(Z):
    return Z


def _identity_derivative(A, delta):
    return delta


def _logistic(Z):
    # expit is exact for large |z| and never warns about overflow.
    return expit(Z, out=Z)


def _logistic_derivative(A, delta):
    delta *= A
    delta *= 1 - A
    return delta


def _tanh(Z):
    return np.tanh(Z, out=Z)


def _tanh_derivative(A, delta):
    delta *= 1 - A**2
    return delta


def _relu(Z):
    return np.maximum(Z, 0, out=Z)


def _relu_derivative(A, delta):
    delta[A <= 0] = 0
    return delta


#: name -> (f applied in place to Z, multiply delta by f' in place given A).
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
