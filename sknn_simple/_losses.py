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
binary_log_loss log(1 + exp(o)) - y o               σ(o) - y
log_loss        log sum_c exp(o_c) - sum_c y_c o_c  softmax(o) - y
==============  ==================================  =======================

(``d`` is ``huber_delta``, ``q`` the ``quantile``.) Poisson's ``o`` is the
log of the predicted mean (a log link: the prediction is ``exp(o)``, so it
is positive) and its ``l`` is half the Poisson deviance, ``y log(y / mu) -
y + mu``, which is 0 for a perfect prediction. The two classification
losses work on logits: ``o`` is the output layer's pre-activation, the
prediction is the probability ``σ(o) = 1 / (1 + exp(-o))`` of each label
(``binary_log_loss``: two classes, or each label of a multilabel target) or
``softmax(o)_c = exp(o_c) / sum_c' exp(o_c')`` over the classes of a row
(``log_loss``, one-hot ``y``). Their ``l`` is the cross-entropy
``-y log p - (1 - y) log(1 - p)``, and ``-sum_c y_c log p_c``, written in
``o`` so that it is computed stably (no ``log(0)``, no overflowing
``exp``), and their derivative is the neat ``p - y``: the same "prediction
minus target" that the squared error gives, because the sigmoid and the
softmax are the inverse links of these losses. The other losses predict
``o`` itself. A classification loss is summed over a row's outputs (one
cross-entropy per row, as scikit-learn's MLPClassifier), the regression
losses are averaged over them (``mean_over_outputs``). The training
objective is the weighted mean of ``l`` over rows (and outputs, see
:mod:`sknn_simple._network`) plus the L2 penalty (see
:mod:`sknn_simple._objective`).

Each entry also says how ``normalize_y`` maps the targets
(:func:`sknn_simple._target.fit_target_scaling`): ``"standardise"``
(mean and standard deviation), ``"robust"`` (median and interquartile
range, which outliers do not inflate) or ``"mean"`` (divide by the mean
and do not centre: a Poisson target must stay non-negative, and
``D(c y, c mu) = c D(y, mu)``, so the fit is the same up to that factor).

Each ``terms`` function takes the fit's kernel ``k`` first (see
:mod:`sknn_simple._kernels`) and returns the weighted sum of the element
losses (a float on numpy, a 0-d array of the namespace elsewhere: no
transfer to the host per step) and ``dl/do``, written into ``out`` on numpy.
"""

from dataclasses import dataclass

import numpy as np

from ._kernels import NUMPY


# Each ``terms`` function returns ``sum_i s_i sum_j l(o_ij, y_ij)`` and
# ``dl/do``, written into ``out`` (which may be ``output`` itself, when only
# the loss is wanted); the loss's parameter, if it has one, comes last.
def _squared_error_terms(k, output, Y, sample_weight, out):
    residual = k.subtract(output, Y, out=out)
    return 0.5 * k.weighted_squared_sum(residual, sample_weight), residual


def _poisson_terms(k, output, Y, sample_weight, out):
    mean = k.exp(output)
    values = mean - Y * output + (k.xlogy(Y, Y) - Y)
    total = k.weighted_sum(values, sample_weight)
    return total, k.subtract(mean, Y, out=out)


def _huber_terms(k, output, Y, sample_weight, out, delta):
    residual = k.subtract(output, Y, out=out)
    size = abs(residual)
    values = k.where(
        size <= delta, 0.5 * residual * residual, delta * (size - 0.5 * delta)
    )
    total = k.weighted_sum(values, sample_weight)
    return total, k.clip(residual, -delta, delta, out=residual)


def _absolute_error_terms(k, output, Y, sample_weight, out):
    residual = k.subtract(output, Y, out=out)
    total = k.weighted_sum(abs(residual), sample_weight)
    return total, k.sign(residual, out=residual)


def _quantile_terms(k, output, Y, sample_weight, out, quantile):
    residual = k.subtract(output, Y, out=out)
    values = k.maximum(residual, 0) - quantile * residual
    total = k.weighted_sum(values, sample_weight)
    # 1 - q where r > 0, else -q
    above = k.as_dtype(residual > 0, residual.dtype)
    return total, k.subtract(above, quantile, out=residual)


def _binary_log_loss_terms(k, output, Y, sample_weight, out):
    # log(1 + exp(o)) = max(o, 0) + log1p(exp(-|o|)): exp never overflows
    # and nothing is lost to log(1 + tiny) on either side.
    values = k.maximum(output, 0) + k.log1p(k.exp(-abs(output))) - Y * output
    total = k.weighted_sum(values, sample_weight)
    probability = k.expit(output, out=out)
    return total, k.subtract(probability, Y, out=probability)


def _log_loss_terms(k, output, Y, sample_weight, out):
    # With z = o - max_c o_c (log-sum-exp: exp(z) <= 1 never overflows) and
    # one-hot rows of Y, l = log sum_c exp(z_c) - sum_c y_c z_c.
    z = k.subtract(output, k.xp.max(output, axis=1, keepdims=True), out=out)
    target_z = k.xp.sum(Y * z, axis=1, keepdims=True)
    exp_z = k.exp(z, out=z)
    sums = k.xp.sum(exp_z, axis=1, keepdims=True)
    total = k.weighted_sum(k.log(sums) - target_z, sample_weight)
    probability = k.divide(exp_z, sums, out=exp_z)
    return total, k.subtract(probability, Y, out=probability)


def _identity(k, values):
    return values


def _exp(k, values):
    return k.exp(values, out=values)


def _log(k, values):
    return k.log(values, out=values)


def _sigmoid(k, values):
    return k.expit(values, out=values)


def _logit(k, values):
    # A probability rounded to 1 must not become log(0) = -inf either.
    values = k.clip(values, 0, 1 - np.finfo(values.dtype).epsneg, out=values)
    return k.subtract(k.log(values), k.log1p(-values), out=values)


def softmax(k, values):
    """Each row's ``exp(o_c) / sum_c' exp(o_c')``, in place on numpy; the
    row's largest value is subtracted first, so nothing overflows."""
    values = k.subtract(values, k.xp.max(values, axis=1, keepdims=True), out=values)
    values = k.exp(values, out=values)
    return k.divide(values, k.xp.sum(values, axis=1, keepdims=True), out=values)


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
        ``terms(k, output, Y, sample_weight, out[, parameter])``: the
        weighted sum of the element losses and ``dl/do`` (written into
        ``out``); see :meth:`bound_terms`.
    inverse_link, link : callable
        ``f(k, values)``: network output to prediction and back, in place
        (exp and log for Poisson, the identity otherwise).
    check_targets : callable
        Raises ValueError for targets the loss does not take.
    target_map : {"standardise", "robust", "mean"} or None
        How ``normalize_y`` maps the targets; None for the classification
        losses, whose targets are labels encoded as 0 and 1.
    parameter : str or None
        The estimator parameter the loss takes, if any.
    mean_over_outputs : bool
        Whether the data term averages a row's element losses (regression)
        or sums them (classification: one cross-entropy per row).
    """

    terms: object
    inverse_link: object = _identity
    link: object = _identity
    check_targets: object = _check_any
    target_map: str | None = "standardise"
    parameter: str | None = None
    mean_over_outputs: bool = True

    def bound_terms(self, value):
        """``terms`` with the loss's parameter set to ``value`` (if it has one)."""
        if self.parameter is None:
            return self.terms
        terms = self.terms
        return lambda k, output, Y, weights, out: terms(
            k, output, Y, weights, out, value
        )


LOSSES = {
    "squared_error": LossFunctions(_squared_error_terms),
    "poisson": LossFunctions(
        _poisson_terms,
        inverse_link=_exp,
        link=_log,
        check_targets=_check_non_negative,
        target_map="mean",
    ),
    "huber": LossFunctions(_huber_terms, target_map="robust", parameter="huber_delta"),
    "absolute_error": LossFunctions(_absolute_error_terms, target_map="robust"),
    "quantile": LossFunctions(
        _quantile_terms, target_map="robust", parameter="quantile"
    ),
    "binary_log_loss": LossFunctions(
        _binary_log_loss_terms,
        inverse_link=_sigmoid,
        link=_logit,
        target_map=None,
        mean_over_outputs=False,
    ),
    "log_loss": LossFunctions(
        _log_loss_terms,
        inverse_link=softmax,
        link=_log,
        target_map=None,
        mean_over_outputs=False,
    ),
}

#: The losses of SimpleMLPRegressor's ``loss`` and those of the classifier
#: (chosen by the targets: two classes or a multilabel target take
#: ``binary_log_loss``, more classes ``log_loss``).
REGRESSION_LOSSES = ("squared_error", "poisson", "huber", "absolute_error", "quantile")
CLASSIFICATION_LOSSES = ("binary_log_loss", "log_loss")

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
    output = functions.link(NUMPY, prediction)
    terms = functions.bound_terms(parameter)
    return terms(NUMPY, output, Y, sample_weight, None)[0]
