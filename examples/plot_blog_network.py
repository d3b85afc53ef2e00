"""
The blog network, rebuilt
=========================

This library started from a short blog post, "A Simple Neural Network", that
trains a tiny network by hand: three inputs, two hidden layers of five
sigmoid units, one output, the squared error as loss, and plain gradient
descent on all the rows at once. Its data set has five rows.

This example rebuilds that network with
:class:`~sknn_simple.SimpleMLPRegressor`, trains it with the post's update
rule, and then looks at the one design choice that stops the original from
learning at all: a sigmoid on the output unit, asked to produce targets
between 50 and 96. It ends with what the library's default L2 penalty,
chosen for real, noisy data, does to a network that is meant to memorise
five rows.
"""

# %%
# The data
# --------
# Five rows of three features, and one target per row.
import warnings

import matplotlib.pyplot as plt
import numpy as np

from sknn_simple import CollapsedFitWarning, LossCurveDisplay, SimpleMLPRegressor

X = np.array([[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]], dtype=float)
y = np.array([50, 96, 63, 80, 96], dtype=float)

# %%
# The post's training rule
# ------------------------
# Every epoch, the post computes the gradient of the loss on all five rows
# and moves each weight a small step against it: ``w -= lr * dLoss/dw``. In
# :class:`~sknn_simple.SimpleMLPRegressor` terms that is ``solver="sgd"`` with
# one batch holding every row (``batch_size=5``), no momentum, rows kept in
# their order, and a constant learning rate.
#
# Two things differ from the post, both on purpose. Every unit has a bias
# (``intercepts_``), which the post left out. And the output unit is linear
# (``output_activation="identity"``, the default) while the targets are
# standardised inside ``fit`` (``normalize_y=True``, also the default); the
# next section shows why.
#
# The post has no L2 penalty either, so ``alpha=0``. Training stops once
# the loss has failed to drop by at least ``tol`` in more than
# ``n_iter_no_change`` (10) consecutive epochs.
blog_rule = dict(
    solver="sgd",
    alpha=0.0,
    batch_size=5,
    momentum=0.0,
    shuffle=False,
    learning_rate="constant",
    learning_rate_init=0.1,
    tol=1e-6,
    max_iter=5000,
)
model = SimpleMLPRegressor(hidden_layer_sizes=(5, 5), random_state=0, **blog_rule)
model.fit(X, y)

n_weights = sum(coef.size for coef in model.coefs_)
n_biases = sum(intercept.size for intercept in model.intercepts_)
print(f"Weight matrices: {[coef.shape for coef in model.coefs_]}")
print(f"{n_weights} weights and {n_biases} biases")
print(f"Epochs run: {model.n_iter_}")
print(f"Loss: {model.loss_curve_[0]:.4f} after the first epoch, {model.loss_:.6f} now")
print(f"R² on the five rows: {model.score(X, y):.4f}")
print(f"Loss lower after every epoch: {bool(np.all(np.diff(model.loss_curve_) < 0))}")

# %%
# The loss is measured on the standardised targets, half the mean squared
# error (there is no penalty term). With one full batch per epoch and a small
# enough step, gradient descent lowers it at every epoch. The slow start
# before the steep drop is typical of stacked sigmoid layers: the small
# initial weights pass little gradient down to the first layer, and the
# network needs many small steps before its hidden units respond differently
# to different rows.
display = LossCurveDisplay.from_estimator(
    model, name="blog rule (full-batch gradient descent)", log_scale=True
)
display.ax_.set_title("Training the 3-5-5-1 network")

# %%
# A sigmoid on the output
# -----------------------
# The post also put a sigmoid on the output unit. A sigmoid only produces
# values between 0 and 1, so no weights can bring an output near 50 or 96.
# Worse, as the network pushes its outputs towards 1, the sigmoid
# flattens, its derivative ``s (1 - s)`` approaches 0, and so does every
# gradient that passes through it: training stalls with all outputs just
# below 1.
#
# Three networks of the same shape show what the target scale changes:
#
# - the post's choice: sigmoid output, raw targets (``normalize_y=False``);
# - sigmoid output with ``normalize_y=True``, which maps the targets' range
#   into [0.1, 0.9], where the sigmoid is steep, and maps predictions back;
# - the library's default: linear output and standardised targets.
#
# These are fitted with the default solver rather than the post's rule, so
# that only the output layer and the target scale differ, not the patience
# of the optimizer: ``solver="auto"`` picks L-BFGS. They use a light L2
# penalty, ``alpha=1e-4``, MLPRegressor's default, so that the penalty plays
# no part (the end of this example shows what a strong one does). A network
# that learns nothing raises a ``CollapsedFitWarning``; any other warning
# would be a surprise here.
variants = {
    "sigmoid output, raw y": dict(output_activation="logistic", normalize_y=False),
    "sigmoid output, normalised y": dict(
        output_activation="logistic", normalize_y=True
    ),
    "linear output, normalised y": dict(output_activation="identity"),
}
first = next(iter(variants))
predictions = {}
for name, params in variants.items():
    variant = SimpleMLPRegressor(
        hidden_layer_sizes=(5, 5), alpha=1e-4, random_state=0, **params
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        warnings.simplefilter("always", CollapsedFitWarning)
        variant.fit(X, y)
    predictions[name] = variant.predict(X)
    print(
        f"{name:29}  solver {variant.solver_}, {variant.n_iter_:3} iterations, "
        f"R² = {variant.score(X, y):8.3f}"
    )
    for warning in caught:
        cause = str(warning.message).split("Likely causes: ")[-1]
        print(f"  {warning.category.__name__}, likely causes: {cause}")

# %%
# The predictions next to the targets. The first network's outputs all sit
# just below 1 (printed with enough digits to show it): it learned nothing
# about the rows. The other two reproduce the five targets closely, which,
# with more parameters than rows, says only that training works, nothing
# about new data.
header = "target  " + "  ".join(f"{name:>29}" for name in predictions)
print(header)
for i, target in enumerate(y):
    row = "  ".join(
        f"{pred[i]:29.{8 if name == first else 2}f}"
        for name, pred in predictions.items()
    )
    print(f"{target:6.0f}  {row}")


# %%
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
rows = np.arange(len(y))
width = 0.2
ax.bar(rows - 1.5 * width, y, width, label="target", color="black")
for offset, (name, pred) in zip((-0.5, 0.5, 1.5), predictions.items()):
    ax.bar(rows + offset * width, pred, width, label=name)
ax.set(
    xticks=rows,
    xticklabels=[str(list(map(int, row))) for row in X],
    xlabel="input row",
    ylabel="target or prediction",
    title="Only a network that can reach the targets' scale learns them",
)
ax.set_ylim(0, 1.3 * y.max())  # room for the legend above the bars
ax.legend(loc="upper left", ncols=2, fontsize="small")

# %%
# A strong penalty on five rows
# -----------------------------
# ``alpha=1`` is what cross-validation chose for real, noisy data of a few
# hundred rows and more, where it keeps the network from fitting the noise.
# The penalty's weight in the objective is ``alpha / (2 S)``, with ``S`` the
# number of rows (the sum of the sample weights), so it fades as the data
# grows; on five rows it is 0.1 per squared weight. With it, the same network
# ends with all its weights close to 0, where it predicts the mean of the
# targets, 77, for every row: an R² of 0. The library says so with a
# ``CollapsedFitWarning`` that names the penalty.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", CollapsedFitWarning)
    strong = SimpleMLPRegressor(hidden_layer_sizes=(5, 5), alpha=1.0, random_state=0)
    strong.fit(X, y)
largest = max(abs(coef).max() for coef in strong.coefs_)
print(f"alpha=1: largest weight {largest:.1e}, R² = {strong.score(X, y):.3f}")
print(f"Predictions: {', '.join(f'{pred:.2f}' for pred in strong.predict(X))}")
print(f"{caught[0].category.__name__}: {caught[0].message}")

# %%
# That is why the default is ``alpha="auto"``: on fewer than 200 rows it
# chooses the penalty by cross-validation among 0.001, 0.01, 0.1, 0.3 and 1,
# and keeps the choice in ``alpha_``. Below 10 rows no row can be held out
# to rank them, and it takes the lightest:
default = SimpleMLPRegressor(hidden_layer_sizes=(5, 5), random_state=0).fit(X, y)
print(f"alpha='auto' chose alpha_={default.alpha_}: R² = {default.score(X, y):.3f}")
