"""
Classification: decision boundaries and calibration
===================================================

:class:`~sknn_simple.SimpleMLPClassifier` is the network of
:class:`~sknn_simple.SimpleMLPRegressor` with an output layer of logits and
the cross-entropy as its loss; it takes the parameter names of
scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`. This example
puts the two side by side on two questions a classifier's probabilities
answer:

- where does it put the boundary between the classes, and how sure is it
  on either side (two interleaved half moons, in two dimensions, so the
  probabilities can be drawn);
- can its probabilities be taken at their word: of the rows given a
  probability of 0.8, are about 80% positive?

Every model is a pipeline that standardises the features first.
``MLPClassifier`` gets ``max_iter=2000``: with its default of 200 epochs it
stops before converging on both data sets, with a
:class:`~sklearn.exceptions.ConvergenceWarning`.
"""

# %%
# Two half moons
# --------------
# 400 points of :func:`~sklearn.datasets.make_moons` with noise, 300 to
# train and 100 to score.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import CalibrationDisplay
from sklearn.datasets import make_classification, make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPClassifier

X, y = make_moons(n_samples=400, noise=0.3, random_state=0)
split = train_test_split(X, y, stratify=y, random_state=0)
X_train, X_test, y_train, y_test = split


def contenders():
    """Each library's network, behind a scaler."""
    return {
        "SimpleMLPClassifier()": make_pipeline(
            StandardScaler(), SimpleMLPClassifier(random_state=0)
        ),
        "MLPClassifier(max_iter=2000)": make_pipeline(
            StandardScaler(), MLPClassifier(max_iter=2000, random_state=0)
        ),
    }


ROW = "{:30} {:>6} {:>10} {:>9} {:>9}"


def report(name, network, y_true, proba):
    """Print one row of the table; return the accuracy and the log loss."""
    # alpha_: the penalty "auto" chose (MLPClassifier has a fixed alpha)
    alpha = getattr(network, "alpha_", network.alpha)
    accuracy = accuracy_score(y_true, proba > 0.5)
    loss = log_loss(y_true, proba)
    scores = f"{accuracy:.3f}", f"{loss:.3f}"
    print(ROW.format(name, f"{alpha:g}", network.n_iter_, *scores))
    return accuracy, loss


moons = contenders()
print(ROW.format("model", "alpha", "iterations", "accuracy", "log loss"))
scores = {}
for name, model in moons.items():
    model.fit(X_train, y_train)
    p = model.predict_proba(X_test)[:, 1]
    scores[name] = report(name, model[-1], y_test, p)

# %%
# The shading is the probability of the second class,
# ``predict_proba(X)[:, 1]``, from 0 (red) to 1 (blue); the training points
# are drawn on top, the test points with a white edge. Where the shading is
# pale the model is unsure.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), layout="constrained")
for ax, (name, model) in zip(axes, moons.items()):
    display = DecisionBoundaryDisplay.from_estimator(
        model,
        X,
        response_method="predict_proba",
        plot_method="pcolormesh",
        grid_resolution=150,
        cmap="RdBu",
        vmin=0,
        vmax=1,
        alpha=0.8,
        ax=ax,
    )
    ax.scatter(*X_train.T, c=y_train, cmap="RdBu", s=12, edgecolor="black")
    ax.scatter(*X_test.T, c=y_test, cmap="RdBu", s=18, edgecolor="white")
    accuracy, loss = scores[name]
    ax.set_title(f"{name}\naccuracy {accuracy:.3f}, log loss {loss:.3f}")
colorbar = fig.colorbar(display.surface_, ax=axes, label="P(class 1)")

# %%
# ``SimpleMLPClassifier`` trains with L-BFGS here (``solver="auto"`` on up
# to 10,000 rows), with the penalty ``alpha="auto"`` chose (``alpha_``,
# printed above); ``MLPClassifier`` with Adam and its fixed
# ``alpha=1e-4``. The penalty is what shapes the boundary most: a strong one
# keeps the weights small, and the boundary smooth and its probabilities
# moderate; a weak one lets the boundary bend around single points. It is
# the parameter to tune first, and log loss (``scoring="neg_log_loss"``)
# ranks the candidates by their probabilities rather than only by the side
# of the boundary each point falls on.
#
# Calibration
# -----------
# A classifier is *calibrated* when, of the rows it gives a probability
# near :math:`p`, a share near :math:`p` belong to the positive class. To
# see it, the probabilities must spread: on an easy table most rows get a
# probability near 0 or 1, and the few in between are all a reliability
# curve has. Here, 4,000 rows of
# :func:`~sklearn.datasets.make_classification` (20 features, 6 of them
# informative) with 10% of the labels flipped at random (``flip_y=0.1``),
# half to train and half to score. No row's label is then certain, and a
# network that fits the training labels to the end learns some of the
# flipped ones.
X, y = make_classification(
    n_samples=4000, n_features=20, n_informative=6, flip_y=0.1, random_state=0
)
split = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
X_train, X_test, y_train, y_test = split
print(ROW.format("model", "alpha", "iterations", "accuracy", "log loss"))
probabilities = {}
for name, model in contenders().items():
    model.fit(X_train, y_train)
    p = probabilities[name] = model.predict_proba(X_test)[:, 1]
    report(name, model[-1], y_test, p)

# %%
# :class:`~sklearn.calibration.CalibrationDisplay` sorts the test rows into
# 10 bins by their predicted probability (0 to 0.1, 0.1 to 0.2, ...) and
# plots each bin's share of positives against its mean probability: a
# calibrated model lies on the diagonal. Below, how many test rows each
# model puts in each bin.
fig, (top, bottom) = plt.subplots(
    2, 1, figsize=(7.5, 9), height_ratios=[3, 1.2], layout="constrained"
)
markers = ["o", "s"]
for (name, p), marker in zip(probabilities.items(), markers):
    CalibrationDisplay.from_predictions(
        y_test,
        p,
        n_bins=10,
        name=f"{name}, log loss {log_loss(y_test, p):.3f}",
        marker=marker,
        ax=top,
    )
    bins = np.linspace(0, 1, 11)
    bottom.hist(p, bins=bins, histtype="step", linewidth=2, label=name)
top.set_title("flip_y=0.1: held-out probabilities")
top.legend(loc="upper left")
bottom.set(xlabel="predicted probability of class 1", ylabel="test rows")
legend = bottom.legend(loc="upper center")

# %%
# A curve below the diagonal on the right and above it on the left is
# overconfident: its probabilities are closer to 0 and 1 than the shares of
# positives they stand for, which is what a network that learned some of the
# flipped training labels does. The histogram shows the same from the other
# side: how many test rows each model is nearly sure about. The log loss
# sums up calibration and sharpness in one number (lower is better); it
# punishes a confident mistake hard, and it is what both libraries minimise
# while training (plus their penalty).
#
# Two parameters of either library move a network away from
# overconfidence: a stronger ``alpha``, and ``early_stopping=True``, which
# holds out a tenth of the training rows and keeps the epoch that scored
# best on them (``SimpleMLPClassifier`` scores the held-out log loss,
# ``MLPClassifier`` the accuracy). ``SimpleMLPClassifier``'s own ``score``
# is the accuracy, as for every scikit-learn classifier; to select a model
# by its probabilities, score it with ``scoring="neg_log_loss"``.
