"""
Early stopping with a validation set
====================================

A large network trained for long on few noisy rows learns the noise: its
training loss keeps falling while its error on new rows rises. With
``early_stopping=True``, :class:`~sknn_simple.SimpleMLPRegressor` holds out
a fraction of the training rows (``validation_fraction``), scores them after
every epoch, stops once the validation R² has not improved for
``n_iter_no_change`` epochs, and keeps the weights of the best epoch.

This example shows the curves it records and measures what it is worth on a
small, noisy problem.
"""

# %%
# A small, noisy problem
# ----------------------
# 300 training rows of :func:`~sklearn.datasets.make_friedman1` with
# Gaussian noise of standard deviation 3 added to the response, and 1000 test
# rows. The network, two layers of 50 units with a tiny L2 penalty, has ten
# times more weights than there are rows.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn_simple import LossCurveDisplay, SimpleMLPRegressor

noise = 3.0
X, y = make_friedman1(n_samples=1300, noise=noise, random_state=0)
_, y_clean = make_friedman1(n_samples=1300, noise=0.0, random_state=0)
print(f"Standard deviation of the response {y_clean.std():.2f}, of the noise {noise}")
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=300, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

params = dict(
    hidden_layer_sizes=(50, 50),
    solver="adam",
    alpha=1e-5,
    learning_rate_init=0.01,
    max_iter=2000,
    tol=1e-5,
    n_iter_no_change=20,
    random_state=0,
)
# %%
# With and without early stopping
# -------------------------------
# Both networks start from the same weights. The early-stopping one trains on
# 80% of the training rows and validates on the other 20%.
plain = SimpleMLPRegressor(**params).fit(X_train, y_train)
n_weights = sum(coef.size for coef in plain.coefs_)
print(f"{X_train.shape[0]} training rows, {n_weights} weights")
stopped = SimpleMLPRegressor(
    early_stopping=True, validation_fraction=0.2, **params
).fit(X_train, y_train)

best_epoch = int(np.argmax(stopped.validation_scores_)) + 1
print(f"Without early stopping: {plain.n_iter_} epochs")
print(
    f"With early stopping:    {stopped.n_iter_} epochs, best validation R² "
    f"{stopped.best_validation_score_:.3f} at epoch {best_epoch}"
)
print(f"Training R²: {plain.score(X_train, y_train):.3f} without, ", end="")
print(f"{stopped.score(X_train, y_train):.3f} with early stopping")
print(f"Test R²:     {plain.score(X_test, y_test):.3f} without, ", end="")
print(f"{stopped.score(X_test, y_test):.3f} with early stopping")

# %%
# Without early stopping the network fits the training rows almost
# perfectly, noise included, and does no better on the test rows than
# predicting their mean would (R² near 0). Early stopping gives up training
# accuracy for a much better test score.
#
# The best weights are kept
# -------------------------
# Training went on for more than ``n_iter_no_change`` epochs past the best
# one, to be sure the validation score had stopped improving; the fitted
# model then went back to the weights of the best epoch. ``loss_`` is the
# training loss of the weights kept, so it matches the curve at the best
# epoch, not at the last one:
print(f"loss_:                        {stopped.loss_:.4f}")
print(f"loss_curve_ at the best epoch: {stopped.loss_curve_[best_epoch - 1]:.4f}")
print(f"loss_curve_ at the last epoch: {stopped.loss_curve_[-1]:.4f}")

# %%
# The recorded curves
# -------------------
# With early stopping the model records, per epoch, the training loss
# (``loss_curve_``), the validation loss (``validation_loss_curve_``) and the
# validation R² (``validation_scores_``). Both losses are half the mean
# squared error on the standardised targets; the training loss also
# includes the L2 penalty, which is negligible here.
# :class:`~sknn_simple.LossCurveDisplay` draws both losses.
fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
LossCurveDisplay.from_estimator(stopped, ax=ax_loss, log_scale=True)
ax_loss.axvline(best_epoch, color="gray", linestyle=":", label="best epoch")
ax_loss.legend()
ax_loss.set_title("Losses of the early-stopped network")

epochs = np.arange(1, stopped.n_iter_ + 1)
ax_score.plot(epochs, stopped.validation_scores_, label="validation R²")
ax_score.plot(
    best_epoch,
    stopped.best_validation_score_,
    marker="*",
    markersize=14,
    linestyle="none",
    label=f"best (epoch {best_epoch}), weights kept",
)
ax_score.set(xlabel="epoch", ylabel="R²", title="Validation R² per epoch")
ax_score.legend(loc="lower right")

# %%
# Until the best epoch both losses fall together. After it the training loss
# still creeps down while the validation loss turns up and the validation R²
# stops improving: from here on, what the network learns from its training
# rows does not carry over to other rows.
#
# What happens on new rows
# ------------------------
# To see the test R² along the way, train the plain network again one epoch
# at a time with :meth:`~sknn_simple.SimpleMLPRegressor.partial_fit`, which
# keeps the weights and Adam's state between calls, and score after each
# epoch. (``partial_fit`` has no early stopping and no stopping rule: it
# runs exactly the epochs it is asked for.)
online = SimpleMLPRegressor(**params)
test_scores = []
for _ in range(plain.n_iter_):
    online.partial_fit(X_train, y_train)
    test_scores.append(online.score(X_test, y_test))
best_test_epoch = int(np.argmax(test_scores)) + 1
print(
    f"Best test R² during training: {max(test_scores):.3f} at epoch "
    f"{best_test_epoch}; after {plain.n_iter_} epochs: {test_scores[-1]:.3f}"
)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(np.arange(1, len(test_scores) + 1), test_scores, label="no early stopping")
ax.axhline(
    stopped.score(X_test, y_test),
    color="C1",
    linestyle="--",
    label="early-stopped network",
)
ax.axvline(stopped.n_iter_, color="gray", linestyle=":", label="early stopping ends")
ax.set(xlabel="epoch", ylabel="test R²", title="Test R² during training")
ax.set_ylim(max(min(test_scores), -1), 1)
ax.legend()

# %%
# The test R² climbs within a few dozen epochs, stays on a plateau for a
# while, then falls as the network learns more and more of the noise.
# Early stopping ends on that plateau, long before the decline, although
# its noisy validation score (60 rows) makes it stop at the plateau's
# start. It also costs a little: the early-stopped network trained on 240
# rows rather than 300, which is why it scores slightly below the plateau.
# The other remedy for overfitting is a stronger L2 penalty (a larger
# ``alpha``, tuned for instance with
# :class:`~sklearn.model_selection.GridSearchCV`); the two can be combined.
