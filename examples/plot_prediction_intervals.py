"""
Prediction intervals from quantile models
=========================================

With ``loss="quantile"``, :class:`~sknn_simple.SimpleMLPRegressor` predicts
a quantile of ``y`` given ``X`` instead of its mean: it minimises the
pinball loss ``max(r, 0) - q r`` of the residual ``r = prediction - y``,
which is lowest when a fraction ``q`` of the targets lies below the
prediction. Two models, for the 5% and the 95% quantile, bound a 90%
prediction interval whose width follows the noise where the noise changes
with ``X``.

This example fits such an interval next to the one of
:class:`~sklearn.ensemble.HistGradientBoostingRegressor` with its own
``loss="quantile"``, and measures on held-out rows how many targets each
interval covers.
"""

# %%
# Data whose noise grows with x
# -----------------------------
# ``y = x sin(x)`` plus Gaussian noise of standard deviation ``0.5 + x / 4``:
# the interval should widen from left to right.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor


def make_data(n_samples, seed):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 10, size=n_samples)
    y = x * np.sin(x) + (0.5 + x / 4) * rng.normal(size=n_samples)
    return x[:, np.newaxis], y


X_train, y_train = make_data(2000, 0)
X_test, y_test = make_data(2000, 1)

# %%
# Two quantile models of each kind
# --------------------------------
# ``quantile`` is the quantile each model estimates, named as in
# HistGradientBoostingRegressor. The network needs standardised inputs;
# tanh units follow the oscillation of ``x sin(x)`` more closely than the
# default sigmoid ones.
QUANTILES = (0.05, 0.95)


def network(q):
    return make_pipeline(
        StandardScaler(),
        SimpleMLPRegressor(
            activation="tanh", loss="quantile", quantile=q, random_state=0
        ),
    )


def boosting(q):
    return HistGradientBoostingRegressor(loss="quantile", quantile=q, random_state=0)


models = {
    "SimpleMLPRegressor": [network(q).fit(X_train, y_train) for q in QUANTILES],
    "HistGradientBoostingRegressor": [
        boosting(q).fit(X_train, y_train) for q in QUANTILES
    ],
}

# %%
# Coverage and pinball loss on held-out rows
# ------------------------------------------
# A 90% interval should hold about 90% of new targets, with about 5% on each
# side; :func:`~sklearn.metrics.mean_pinball_loss` scores each bound by the
# loss it was trained on (lower is better). ``score`` stays R², which says
# little about a quantile.
for name, (low, high) in models.items():
    lower, upper = low.predict(X_test), high.predict(X_test)
    inside = np.mean((lower <= y_test) & (y_test <= upper))
    below, above = np.mean(y_test < lower), np.mean(y_test > upper)
    pinball = [
        mean_pinball_loss(y_test, model.predict(X_test), alpha=q)
        for model, q in zip((low, high), QUANTILES)
    ]
    print(
        f"{name:30s} coverage {inside:.1%} (below {below:.1%}, above {above:.1%}), "
        f"pinball loss {pinball[0]:.3f} / {pinball[1]:.3f}"
    )

# %%
# The two intervals
# -----------------
# Both widen with the noise; the network's bounds are smooth curves, the
# boosted trees' are steps.
grid = np.linspace(0, 10, 500)[:, np.newaxis]
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, (low, high)) in zip(axes, models.items()):
    ax.scatter(X_test[:300, 0], y_test[:300], s=4, color="0.6", label="test rows")
    ax.plot(grid[:, 0], grid[:, 0] * np.sin(grid[:, 0]), "k--", label="x sin(x)")
    ax.fill_between(
        grid[:, 0],
        low.predict(grid),
        high.predict(grid),
        alpha=0.3,
        label="90% interval",
    )
    ax.set_title(name)
    ax.set_xlabel("x")
axes[0].set_ylabel("y")
axes[0].legend(loc="upper left")
fig.tight_layout()
plt.show()
