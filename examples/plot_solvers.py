"""
Comparing the solvers
=====================

:class:`~sknn_simple.SimpleMLPRegressor` trains with one of three solvers:

- ``"adam"``: minibatch steps scaled by running estimates of each weight's
  gradient mean and variance, which makes one learning rate fit most
  problems;
- ``"sgd"``: minibatch gradient descent, with optional momentum (classical
  or Nesterov's) and a learning-rate schedule;
- ``"lbfgs"``: a quasi-Newton method on all the training rows at once, with
  no learning rate to choose.

This example trains the same network with each of them on
:func:`~sklearn.datasets.make_friedman1`, draws their loss curves on one
axes with :class:`~sknn_simple.LossCurveDisplay`, and scores each model on
held-out rows. The numbers come from one split and one seed: they show how
the solvers behave, not a ranking that holds everywhere.
"""

# %%
# Data
# ----
# Friedman's first problem: ``y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)² + 10 x4 +
# 5 x5`` plus Gaussian noise, where the features ``x6`` to ``x10`` are pure
# noise. 750 rows train, 250 test.
import time
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import LossCurveDisplay, SimpleMLPRegressor

X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# The contenders
# --------------
# All share two hidden layers of 20 sigmoid units, the same initial weights
# (``random_state=0``), at most 1000 epochs, and ``tol=1e-5``: a minibatch
# solver stops once the loss has failed to drop by at least that much in
# more than ``n_iter_no_change`` (10) consecutive epochs.
# The learning rates are ones that work for each solver on this data; for
# Adam it is the default, 0.01. The L2 penalty is a light ``alpha=1e-4`` (scikit-learn's
# default) rather than the library's default of 1, so that every solver
# minimises nearly the plain squared error and the curves compare how fast
# they get there.
#
# Two settings deserve a word:
#
# - ``learning_rate="invscaling"`` divides the step by ``(t + 1) ** power_t``
#   where ``t`` counts the training *rows* seen, so it decays fast: after one
#   epoch of 750 rows, the default ``power_t=0.5`` has already cut the step
#   27-fold. The example runs it with ``power_t=0.5`` and with ``0.1``.
# - For ``"lbfgs"``, ``tol`` bounds the size of the gradient (scipy's
#   ``gtol``) and the loss's relative fall over the last ``n_iter_no_change``
#   iterations. ``1e-3`` ends the run early; the ``1e-5`` of the other
#   solvers would let it fit the noise for hundreds more iterations (drop
#   ``tol=1e-3`` from the ``"lbfgs"`` entry below to see it).
common = dict(
    hidden_layer_sizes=(20, 20), alpha=1e-4, max_iter=1000, tol=1e-5, random_state=0
)
solvers = {
    "adam": dict(solver="adam", learning_rate_init=0.01),
    "sgd, momentum": dict(
        solver="sgd", learning_rate_init=0.05, momentum=0.9, nesterovs_momentum=False
    ),
    "sgd, Nesterov": dict(
        solver="sgd", learning_rate_init=0.05, momentum=0.9, nesterovs_momentum=True
    ),
    "sgd, invscaling 0.5": dict(
        solver="sgd", learning_rate="invscaling", learning_rate_init=0.2, power_t=0.5
    ),
    "sgd, invscaling 0.1": dict(
        solver="sgd", learning_rate="invscaling", learning_rate_init=0.2, power_t=0.1
    ),
    "lbfgs": dict(solver="lbfgs", tol=1e-3),
}

# %%
# Training
# --------
# Each model is a pipeline: sigmoid units want standardised inputs. A run
# that uses all 1000 epochs without meeting its stopping rule would raise a
# :class:`~sklearn.exceptions.ConvergenceWarning`; here that outcome is part
# of the comparison, so the warning is recorded in the table instead.
models, rows = {}, []
for name, params in solvers.items():
    model = make_pipeline(StandardScaler(), SimpleMLPRegressor(**{**common, **params}))
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    converged = not any(w.category is ConvergenceWarning for w in caught)
    network = model[-1]
    models[name] = model
    rows.append(
        (name, network.n_iter_, network.loss_, model.score(X_test, y_test), seconds)
    )
    rows[-1] += ("yes" if converged else "no",)

print(f"{'solver':20}  epochs  final loss  held-out R²  fit (s)  converged")
for name, n_iter, loss, r2, seconds, converged in rows:
    print(
        f"{name:20}  {n_iter:6}  {loss:10.4f}  {r2:11.3f}  {seconds:7.2f}  {converged}"
    )

# %%
# The fit times are from one run on a shared machine and vary from run to
# run; an L-BFGS iteration also costs a different amount of work (one or
# more passes over all rows) than an epoch of minibatch steps.
#
# Loss curves
# -----------
# The loss is half the mean squared error on the standardised targets, plus
# the small L2 penalty, so the curves share one scale. For L-BFGS the x axis
# counts iterations instead of epochs.
fig, (ax_loss, ax_r2) = plt.subplots(
    1, 2, figsize=(11, 4.5), layout="constrained", width_ratios=(2, 1)
)
for name, model in models.items():
    LossCurveDisplay.from_estimator(
        model, ax=ax_loss, log_scale=True, train_kwargs={"label": name}
    )
ax_loss.set(xlabel="epoch (L-BFGS: iteration)", title="Training loss")
ax_loss.legend(fontsize="small")

names = [row[0] for row in rows]
scores = [row[3] for row in rows]
ax_r2.barh(names, scores, color=[line.get_color() for line in ax_loss.get_lines()])
ax_r2.invert_yaxis()
ax_r2.set(xlabel="R² on the test rows", title="Held-out R²", xlim=(min(0, *scores), 1))

# %%
# What the curves show:
#
# - **Adam**, with its default learning rate (ten times MLPRegressor's),
#   brings the loss down in few epochs; its minibatch steps leave a little
#   jitter at the end.
# - **Classical and Nesterov momentum** follow almost the same path at
#   first. On the plateau near 0.03 the classical run improves by less than
#   ``tol`` for too many epochs in a row and stops; the Nesterov run keeps
#   improving just enough to continue and finds its way down. Stopping
#   rules based on small improvements are sensitive to such plateaus.
# - **Inverse scaling** with ``power_t=0.5`` shrinks the step so quickly
#   that the loss only crawls down and the run ends at ``max_iter``; with
#   ``power_t=0.1`` the step decays gently and the network trains well.
# - **L-BFGS** reaches the lowest training loss in the fewest iterations.
#   It is hard to beat on problems of this size, which is why
#   ``solver="auto"`` uses it for a ``fit`` on up to 10,000 rows. Beyond
#   that, in the library's benchmarks, Adam came close to its accuracy in a
#   fraction of its time. A low training loss is not the goal, though: the
#   held-out R² is.
