"""Loss functions, each next to its derivative, link and valid targets.

Like the activations, losses are a table: the network math looks a loss up
by name and calls its functions, it never branches on the name. For one
output value ``o`` of the network (the output layer's activation), a target
``y`` and residual ``r = o - y``, each entry gives the loss of that element
``l(o, y)`` and its derivative ``dl/do``:

==============  ==================================  =======================
name            l(o, y)                             dl/do
==============  ==================================  =======================
squared_error   r² / 2                              r
poisson         exp(o) - y o + y log y - y          exp(o) - y
huber           r² / 2 if |r| <= d,                 clip(r, -d, d)
                else d (|r| - d / 2)
absolute_error  |r|                                 sign(r)
quantile        max(r, 0) - q r                     1 - q if r > 0 else -q
==============  ==================================  =======================

(``d`` is ``huber_delta``, ``q`` the ``quantile``.) Poisson's ``o`` is the
log of the predicted mean (a log link: the prediction is ``exp(o)``, so it
is positive) and its ``l`` is half the Poisson deviance, ``y log(y / mu) -
y + mu``, which is 0 for a perfect prediction; the other losses predict
``o`` itself. The training objective is the weighted mean of ``l`` over
rows and outputs (see :mod:`sknn_simple._network`) plus the L2 penalty (see
:mod:`sknn_simple._penalty`).

Each entry also says how ``normalize_y`` maps the targets
(:func:`sknn_simple._target.fit_target_scaling`): ``"standardise"``
(mean and standard deviation), ``"robust"`` (median and interquartile
range, which outliers do not inflate) or ``"mean"`` (divide by the mean
and do not centre: a Poisson target must stay non-negative, and
``D(c y, c mu) = c D(y, mu)``, so the fit is the same up to that factor).

Each ``terms`` function has a namespace-generic twin below it (``*_xp``),
the same formulas with array API standard functions for arrays of other
array libraries (see :mod:`sknn_simple._array_api`); it returns the sum
as a 0-d array of that namespace (no transfer to the host per step) and
``dl/do`` as a new array.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy


def _weighted_sum(values, sample_weight):
    """``sum_i s_i sum_j values_ij`` (``s = 1`` when None)."""
    if sample_weight is None:
        return float(values.sum())
    return float(np.einsum("ij,i->", values, sample_weight))


def _weighted_squared_sum(residual, sample_weight):
    """``sum_i s_i ||residual_i||²`` (``s = 1`` when None)."""
    if sample_weight is None:
        return float(np.vdot(residual, residual))
    return float(np.einsum("ij,ij,i->", residual, residual, sample_weight))


def _weighted_sum_xp(xp, values, sample_weight):
    """``sum_i s_i sum_j values_ij`` as a 0-d array (``s = 1`` when None)."""
    if sample_weight is None:
        return xp.sum(values)
    return xp.sum(values * sample_weight[:, None])


# Each ``terms`` function returns ``sum_i s_i sum_j l(o_ij, y_ij)`` and
# writes ``dl/do`` into ``out`` (which may be ``output`` itself, when only
# the loss is wanted).
def _squared_error_terms(output, Y, sample_weight, parameter, out):
    np.subtract(output, Y, out=out)
    return 0.5 * _weighted_squared_sum(out, sample_weight)


def _squared_error_terms_xp(xp, output, Y, sample_weight, parameter):
    residual = output - Y
    return 0.5 * _weighted_sum_xp(xp, residual * residual, sample_weight), residual


def _poisson_terms(output, Y, sample_weight, parameter, out):
    mean = np.exp(output)
    values = mean - Y * output + (xlogy(Y, Y) - Y)
    total = _weighted_sum(values, sample_weight)
    np.subtract(mean, Y, out=out)
    return total


def _poisson_terms_xp(xp, output, Y, sample_weight, parameter):
    mean = xp.exp(output)
    positive = Y > 0
    y_log_y = xp.where(positive, Y * xp.log(xp.where(positive, Y, 1.0)), 0.0)
    values = mean - Y * output + (y_log_y - Y)
    return _weighted_sum_xp(xp, values, sample_weight), mean - Y


def _huber_terms(output, Y, sample_weight, delta, out):
    np.subtract(output, Y, out=out)
    size = np.abs(out)
    values = np.where(size <= delta, 0.5 * out * out, delta * (size - 0.5 * delta))
    total = _weighted_sum(values, sample_weight)
    np.clip(out, -delta, delta, out=out)
    return total


def _huber_terms_xp(xp, output, Y, sample_weight, delta):
    residual = output - Y
    size = xp.abs(residual)
    values = xp.where(
        size <= delta, 0.5 * residual * residual, delta * (size - 0.5 * delta)
    )
    total = _weighted_sum_xp(xp, values, sample_weight)
    return total, xp.clip(residual, -delta, delta)


def _absolute_error_terms(output, Y, sample_weight, parameter, out):
    np.subtract(output, Y, out=out)
    total = _weighted_sum(np.abs(out), sample_weight)
    np.sign(out, out=out)
    return total


def _absolute_error_terms_xp(xp, output, Y, sample_weight, parameter):
    residual = output - Y
    return _weighted_sum_xp(xp, xp.abs(residual), sample_weight), xp.sign(residual)


def _quantile_terms(output, Y, sample_weight, quantile, out):
    np.subtract(output, Y, out=out)
    total = _weighted_sum(np.maximum(out, 0) - quantile * out, sample_weight)
    above = out > 0
    out.fill(-quantile)
    out[above] += 1
    return total


def _quantile_terms_xp(xp, output, Y, sample_weight, quantile):
    residual = output - Y
    values = xp.maximum(residual, xp.zeros_like(residual)) - quantile * residual
    total = _weighted_sum_xp(xp, values, sample_weight)
    # 1 - q where r > 0, else -q (as _quantile_terms: -q, plus 1 above).
    return total, xp.astype(residual > 0, residual.dtype) - quantile


def _identity(values):
    return values


def _identity_xp(xp, values):
    return values


def _exp_xp(xp, values):
    return xp.exp(values)


def _check_any(Y):
    return None


def _check_non_negative(Y):
    if np.min(Y, initial=0.0) < 0:
        raise ValueError(
            "loss='poisson' needs non-negative targets (counts, rates or other "
            f"amounts); y has negative values (the smallest is {np.min(Y):.6g}). "
            "Use loss='squared_error' or 'huber' for targets that can be negative."
        )


@dataclass(frozen=True)
class LossFunctions:
    """One row of the table.

    Attributes
    ----------
    terms : callable
        ``terms(output, Y, sample_weight, parameter, out)``: the weighted sum
        of the element losses; writes ``dl/do`` into ``out``.
    inverse_link, link : callable
        Network output to prediction and back, in place (exp and log for
        Poisson, the identity otherwise).
    check_targets : callable
        Raises ValueError for targets the loss does not take.
    target_map : {"standardise", "robust", "mean"}
        How ``normalize_y`` maps the targets.
    parameter : str or None
        The estimator parameter the loss takes, if any.
    terms_xp, inverse_link_xp : callable
        The namespace-generic twins of ``terms`` and ``inverse_link``:
        ``terms_xp(xp, output, Y, sample_weight, parameter) -> (sum, dl/do)``
        and ``inverse_link_xp(xp, output) -> prediction``, new arrays.
    """

    terms: object
    terms_xp: object
    inverse_link: object = _identity
    link: object = _identity
    check_targets: object = _check_any
    target_map: str = "standardise"
    parameter: str | None = None
    inverse_link_xp: object = _identity_xp


LOSSES = {
    "squared_error": LossFunctions(_squared_error_terms, _squared_error_terms_xp),
    "poisson": LossFunctions(
        _poisson_terms,
        _poisson_terms_xp,
        inverse_link=lambda values: np.exp(values, out=values),
        link=lambda values: np.log(values, out=values),
        check_targets=_check_non_negative,
        target_map="mean",
        inverse_link_xp=_exp_xp,
    ),
    "huber": LossFunctions(
        _huber_terms, _huber_terms_xp, target_map="robust", parameter="huber_delta"
    ),
    "absolute_error": LossFunctions(
        _absolute_error_terms, _absolute_error_terms_xp, target_map="robust"
    ),
    "quantile": LossFunctions(
        _quantile_terms, _quantile_terms_xp, target_map="robust", parameter="quantile"
    ),
}

#: Open interval of valid values of each loss parameter.
PARAMETER_RANGES = {"quantile": (0.0, 1.0), "huber_delta": (0.0, np.inf)}


def valid_parameter(name, value):
    """Whether ``value`` is a valid parameter of loss ``name`` (None for a
    loss without one)."""
    parameter = LOSSES[name].parameter
    if parameter is None:
        return value is None
    low, high = PARAMETER_RANGES[parameter]
    return value is not None and low < value < high


#: The losses whose link needs a linear output layer (``exp`` of a bounded
#: activation would bound the predictions for no reason).
IDENTITY_OUTPUT_ONLY = frozenset({"poisson"})


def prediction_loss(name, parameter, prediction, Y, sample_weight=None):
    """``sum_i s_i sum_j l`` of predictions (not network outputs).

    For scoring held-out rows, e.g. in the ``alpha="auto"`` search.
    """
    functions = LOSSES[name]
    prediction = np.array(prediction, dtype=np.float64)
    if functions.link is not _identity:
        # A prediction that underflowed to 0 must not become log(0) = -inf.
        np.maximum(prediction, np.finfo(np.float64).tiny, out=prediction)
    output = functions.link(prediction)
    return functions.terms(output, Y, sample_weight, parameter, np.empty_like(output))
