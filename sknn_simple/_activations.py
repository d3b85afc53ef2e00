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

Each function has a namespace-generic twin right below it (``*_xp``, in
:data:`ACTIVATIONS_XP`), for arrays of other array libraries (see
:mod:`sknn_simple._array_api`): the same formula with array API standard
functions, returning new arrays instead of writing in place.
"""

import numpy as np
from scipy.special import expit


def _identity(Z):
    return Z


def _identity_derivative(A, delta):
    return delta


def _identity_xp(xp, Z):
    return Z


def _identity_derivative_xp(xp, A, delta):
    return delta


#: Below this many elements one call of scipy's expit is used: on small
#: arrays the fixed cost of each of the vectorised forms' four numpy calls
#: outweighs their speed (``python benchmarks/profile_step.py``, section 2).
_SMALL = 1000


def _logistic(Z):
    # Two exact forms of σ, each the faster one for its dtype with numpy's
    # vectorised exp and tanh; scipy's expit, not vectorised, was 3.1 to 5.3
    # times slower on a 200 x 100 array in the recorded runs of
    # benchmarks/bench_speed.py (table "sigmoid"). tests/test_network.py
    # bounds the error against float64 expit: 2.3e-16 in float64, 1.2e-7 in
    # float32.
    if Z.size < _SMALL:
        return expit(Z, out=Z)
    if Z.dtype == np.float32:
        # σ(z) = (1 + tanh(z / 2)) / 2: tanh saturates, so nothing overflows.
        Z *= 0.5
        np.tanh(Z, out=Z)
        Z *= 0.5
        Z += 0.5
        return Z
    # σ(z) = 1 / (1 + exp(-z)); for z < -709.78 exp(-z) overflows to inf and
    # σ(z) = 0, as scipy's expit gives (the exact value is below 6e-309), so
    # the warning is silenced.
    with np.errstate(over="ignore"):
        np.negative(Z, out=Z)
        np.exp(Z, out=Z)
        Z += 1
        np.divide(1, Z, out=Z)
    return Z


def _logistic_xp(xp, Z):
    # The forms of _logistic for large arrays: tanh for float32, exp otherwise.
    if Z.dtype == xp.float32:
        return 0.5 * xp.tanh(0.5 * Z) + 0.5
    return 1 / (1 + xp.exp(-Z))


def _logistic_derivative(A, delta):
    # delta *= a (1 - a), with A turned into 1 - A in place
    delta *= A
    np.subtract(1, A, out=A)
    delta *= A
    return delta


def _logistic_derivative_xp(xp, A, delta):
    return delta * A * (1 - A)


def _tanh(Z):
    return np.tanh(Z, out=Z)


def _tanh_xp(xp, Z):
    return xp.tanh(Z)


def _tanh_derivative(A, delta):
    # delta *= 1 - a², with A turned into 1 - A² in place
    A *= A
    np.subtract(1, A, out=A)
    delta *= A
    return delta


def _tanh_derivative_xp(xp, A, delta):
    return delta * (1 - A * A)


def _relu(Z):
    return np.maximum(Z, 0, out=Z)


def _relu_xp(xp, Z):
    return xp.maximum(Z, xp.zeros_like(Z))


def _relu_derivative(A, delta):
    # delta *= (a > 0); a = max(z, 0) >= 0, so sign(a) is exactly that 0 or 1
    np.sign(A, out=A)
    delta *= A
    return delta


def _relu_derivative_xp(xp, A, delta):
    return delta * xp.sign(A)


#: name -> (f applied in place to Z, multiply delta by f' in place given A;
#: A is overwritten).
ACTIVATIONS = {
    "identity": (_identity, _identity_derivative),
    "logistic": (_logistic, _logistic_derivative),
    "tanh": (_tanh, _tanh_derivative),
    "relu": (_relu, _relu_derivative),
}

#: The same table for the namespace-generic path: name -> (f(xp, Z) -> f(Z),
#: f'(xp, A, delta) -> delta * f'), new arrays, nothing overwritten.
ACTIVATIONS_XP = {
    "identity": (_identity_xp, _identity_derivative_xp),
    "logistic": (_logistic_xp, _logistic_derivative_xp),
    "tanh": (_tanh_xp, _tanh_derivative_xp),
    "relu": (_relu_xp, _relu_derivative_xp),
}

#: Open interval of values an output activation can produce; ``None`` = unbounded.
OUTPUT_RANGES = {
    "identity": None,
    "logistic": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}
