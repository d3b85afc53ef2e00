"""Target normalisation: map y to a scale the output layer can learn.

A network initialised with small weights outputs values near 0 (identity
output) or inside (0, 1) (logistic output). Raw targets such as prices or the
blog's 50-96 are far from that, so training spends most of its effort (or all
of it, for a sigmoid output that cannot reach them) on the scale. Each output
column is mapped by an affine map ``y_scaled = (y - offset) / scale``:

- identity output: ``offset`` is the weighted mean, ``scale`` the weighted
  standard deviation (standardisation);
- bounded outputs (logistic, tanh): the observed range is mapped to the
  middle 80% of the activation's range, e.g. [0.1, 0.9] for the logistic,
  where its gradient is still large.

The loss can ask for another map (its ``target_map`` in
:mod:`sknn_simple._losses`), for the identity output:

- ``"robust"`` (Huber, absolute error, quantile): ``offset`` is the
  weighted median and ``scale`` the weighted interquartile range divided by
  1.349 (the standard deviation, for normal data). Outliers, which these
  losses are chosen to resist, then move neither: with 10% of y at ±50 on a
  signal of standard deviation 1, the standard deviation is about 16 and
  would make ``huber_delta=1`` treat every row as an inlier. When the
  quartiles coincide (over half the rows share a value), the standard
  deviation is used instead;
- ``"mean"`` (Poisson): ``offset`` is 0 and ``scale`` the weighted mean, so
  targets stay non-negative and have mean 1, which a network with small
  weights already predicts (``exp(0) = 1``); all-zero targets keep scale 1.
  The half Poisson deviance is homogeneous, ``D(c y, c mu) = c D(y, mu)``,
  so dividing by the mean changes the loss by a factor, not its minimum.

Predictions are mapped back with ``y = y_scaled * scale + offset``.

The map is fitted and applied in float64 whatever the training dtype: in
float32, targets such as ``1e9 + signal`` round to multiples of 64 and their
spread can fall below float32's resolution of their mean, so the signal
would be lost before training begins.
"""

import numpy as np

from ._activations import OUTPUT_RANGES
from ._kernels import kernel_for

#: Fraction of a bounded activation's range that the targets are mapped to.
_BOUNDED_FILL = 0.8


def fit_target_scaling(Y, sample_weight, output_activation, target_map="standardise"):
    """Per-output ``offset`` and ``scale`` for :func:`scale_targets`.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    output_activation : str
        A key of ``OUTPUT_RANGES``.
    target_map : {"standardise", "robust", "mean"}, default="standardise"
        The loss's map for the identity output (see the module docstring).

    Returns
    -------
    offset, scale : ndarray of shape (n_outputs,), float64
        ``scale`` is positive; constant targets get ``scale = 1``.
    """
    Y = np.asarray(Y, dtype=np.float64)
    if sample_weight is not None:
        # Zero-weight rows are as good as absent, also for min and max.
        Y = Y[sample_weight > 0]
        sample_weight = sample_weight[sample_weight > 0]
    bounds = OUTPUT_RANGES[output_activation]
    low = 0.0
    if bounds is None and target_map != "standardise":
        offset, spread = _loss_map(Y, sample_weight, target_map)
    elif bounds is None:
        offset = np.average(Y, axis=0, weights=sample_weight)
        # Divide by the largest deviation before squaring: |y| up to the
        # float limit must not overflow the variance.
        largest = np.max(np.abs(Y - offset), axis=0)
        largest = np.where(largest > 0, largest, 1.0)
        spread = largest * np.sqrt(
            np.average(((Y - offset) / largest) ** 2, axis=0, weights=sample_weight)
        )
    else:
        width = (bounds[1] - bounds[0]) * _BOUNDED_FILL
        low = bounds[0] + (bounds[1] - bounds[0] - width) / 2
        offset = Y.min(axis=0)
        spread = (Y.max(axis=0) - offset) / width
    scale = np.where(_is_negligible(spread, offset), 1.0, spread)
    offset = offset - low * scale
    if not (np.isfinite(offset).all() and np.isfinite(scale).all()):
        raise ValueError(
            "The targets y are too large to normalise (their mean or spread "
            "overflows). Divide y by a constant before fitting."
        )
    return offset, scale


def _loss_map(Y, sample_weight, target_map):
    """``offset, spread`` of the "robust" and "mean" maps."""
    if target_map == "mean":
        mean = np.average(Y, axis=0, weights=sample_weight)
        return np.zeros_like(mean), np.where(mean > np.finfo(float).tiny, mean, 1.0)
    low, median, high = (
        weighted_quantile(Y, sample_weight, q) for q in (0.25, 0.5, 0.75)
    )
    spread = (high - low) / _IQR_PER_STD
    std = np.sqrt(np.average((Y - median) ** 2, axis=0, weights=sample_weight))
    return median, np.where(_is_negligible(spread, median), std, spread)


#: Interquartile range of the standard normal distribution.
_IQR_PER_STD = 1.3489795003921634


def weighted_quantile(Y, sample_weight, q):
    """Per-column ``q``-quantile of ``Y`` with weights: the midpoint of the
    values where the cumulative weight crosses ``q`` (the ordinary median
    for unit weights and ``q = 0.5``)."""
    weights = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    order = np.argsort(Y, axis=0, kind="stable")
    values, cumulative = np.take_along_axis(Y, order, 0), np.cumsum(weights[order], 0)
    target = q * cumulative[-1]
    # Each column's first index where the (non-decreasing) cumulative weight
    # reaches the target, and its first index beyond it.
    below = np.sum(cumulative < target, axis=0)
    above = np.minimum(np.sum(cumulative <= target, axis=0), len(Y) - 1)
    ends = np.take_along_axis(values, np.stack([below, above]), axis=0)
    return 0.5 * (ends[0] + ends[1])


def _is_negligible(spread, offset):
    # Like scikit-learn's StandardScaler: a spread at rounding-error level
    # relative to the values means "constant"; dividing by it would blow up.
    # (The map is fitted in float64, whatever the training dtype.)
    return spread <= 10 * np.finfo(float).eps * np.maximum(np.abs(offset), 1.0)


def scale_targets(Y, offset, scale):
    """Return ``(Y - offset) / scale`` as a new float64 array of ``Y``'s
    array library (``offset`` and ``scale`` are the host's float64 vectors)."""
    k = kernel_for(Y)
    return (k.as_dtype(Y, k.xp.float64) - k.asarray(offset)) / k.asarray(scale)


def unscale_targets(Y_scaled, offset, scale):
    """Return ``Y_scaled * scale + offset``, overwriting ``Y_scaled`` on numpy.

    ``offset`` and ``scale`` are float64 vectors of ``Y_scaled``'s array
    library; each operation runs in float64 and is rounded to ``Y_scaled``'s
    dtype (``out=``).
    """
    k = kernel_for(Y_scaled)
    Y = k.multiply(Y_scaled, scale, out=Y_scaled)
    return k.add(Y, offset, out=Y_scaled)
