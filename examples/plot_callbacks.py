"""
Progress bars, monitoring and stopping with callbacks
=====================================================

scikit-learn 1.9 added an experimental callback API, :mod:`sklearn.callback`:
objects attached with ``set_callbacks`` that the estimator calls while it
fits. :class:`~sknn_simple.SimpleMLPRegressor` supports it. Each call to
``fit`` is a *task* and each epoch (or L-BFGS iteration) a *subtask*, so a
callback sees training epoch by epoch and can end it.

This example uses the two callbacks scikit-learn ships,
:class:`~sklearn.callback.ScoringMonitor` and
:class:`~sklearn.callback.ProgressBar`, and writes a third one that stops
training once the loss is low enough. The network trains with Adam
(``solver="adam"``), so its subtasks are epochs; with the default solver,
L-BFGS, they are iterations, and the same callbacks work unchanged.

It needs scikit-learn >= 1.9, and ``rich`` for the progress bar
(``pip install "sknn_simple[progress]"``).
"""

# %%
# Imports
# -------
# On older scikit-learn the estimator trains the same, but has no
# ``set_callbacks``: say so and stop.
import sys
import warnings

try:
    from sklearn.callback import ProgressBar, ScoringMonitor
except ImportError:
    sys.exit(
        "This example needs scikit-learn >= 1.9, which provides sklearn.callback. "
        'Upgrade with: pip install -U "scikit-learn>=1.9"'
    )

import matplotlib.pyplot as plt
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor

X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)


def make_network(**params):
    """The network of this example: two layers of 20 sigmoid units, trained
    epoch by epoch with Adam and a light L2 penalty."""
    settings = dict(
        hidden_layer_sizes=(20, 20),
        solver="adam",
        alpha=1e-4,
        learning_rate_init=0.01,
        max_iter=1000,
        tol=1e-5,
        random_state=0,
    )
    return SimpleMLPRegressor(**{**settings, **params})


# %%
# Monitoring a score per epoch
# ----------------------------
# :class:`~sklearn.callback.ScoringMonitor` scores the model at the end of
# every subtask, here every epoch, with any scikit-learn scorer. It scores on
# the data the estimator was fitted on, so it tracks the fit to the training
# rows, not generalisation (for that, see the validation curves of
# ``early_stopping=True``).
#
# The monitor is set on the network itself, the last step of the pipeline,
# so it sees the scaled features the network trains on.
monitor = ScoringMonitor(scoring="r2")
model = make_pipeline(StandardScaler(), make_network().set_callbacks(monitor))
model.fit(X, y)

# %%
# ``get_logs()`` returns the log of the most recent fit; ``data_as_pandas``
# turns it into a DataFrame with one row per task. The rows of the epochs are
# those whose ``task_name`` is ``"epoch"``; ``task_id`` numbers them from 0.
log = monitor.get_logs().data_as_pandas
epochs = log[log["task_name"] == "epoch"]
print(epochs[["task_name", "task_id", "r2"]].tail())
print(f"{len(epochs)} epochs logged, the network ran {model[-1].n_iter_}")
print(f"Last logged R² {epochs['r2'].iloc[-1]:.4f}, ", end="")
print(f"score of the fitted pipeline {model.score(X, y):.4f}")

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(epochs["task_id"] + 1, epochs["r2"])
ax.set(
    xlabel="epoch",
    ylabel="R² on the training rows",
    title="ScoringMonitor(scoring='r2')",
    ylim=(0, 1),
)

# %%
# A progress bar
# --------------
# :class:`~sklearn.callback.ProgressBar` draws one bar per task with
# ``rich``. Set on the pipeline, it propagates to the steps and shows the
# pipeline, the scaler and the network; the network's bar advances by epoch.
# In a terminal the bars move while the model trains; in a log or a
# rendered page only their final state is shown.
try:
    import rich  # noqa: F401
except ImportError:
    print('ProgressBar needs rich: pip install "sknn_simple[progress]"')
else:
    model = make_pipeline(StandardScaler(), make_network())
    model.set_callbacks(ProgressBar())
    model.fit(X, y)


# %%
# A callback of your own
# ----------------------
# A callback is any object with the four methods of the
# :class:`~sklearn.callback.FitCallback` protocol:
#
# - ``setup(estimator, context)`` and ``teardown(estimator, context)``, called
#   once before and after ``fit``;
# - ``on_fit_task_begin`` and ``on_fit_task_end``, called at the start and end
#   of every task: the whole fit and each epoch.
#
# The task hooks declare the keyword-only arguments they want, among ``X``,
# ``y``, ``metadata`` and ``fitted_estimator``, and receive only those.
# ``fitted_estimator`` is a copy of the estimator that predicts with the
# weights at that moment, and carries the ``loss_curve_`` so far. Building
# it copies the weights, so a hook should only ask for it if it needs it.
#
# ``context.task_name`` says which task ended: ``"fit"``, or ``"epoch"``
# (``"iteration"`` with L-BFGS). When ``on_fit_task_end`` returns ``True``
# for an epoch, training stops after that epoch. The model keeps the weights
# it reached, ``n_iter_`` counts the epochs run, and no
# :class:`~sklearn.exceptions.ConvergenceWarning` is raised, since stopping
# was asked for.
class StopBelowLoss:
    """Stop training once the training loss is below ``threshold``."""

    def __init__(self, threshold):
        self.threshold = threshold
        self.stopped_at = None

    def setup(self, estimator, context):
        self.stopped_at = None

    def on_fit_task_begin(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        pass

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        if context.task_name not in ("epoch", "iteration"):
            return False
        if fitted_estimator is None:  # L-BFGS's unfinished last subtask
            return False
        loss = fitted_estimator.loss_curve_[-1]
        if loss < self.threshold:
            self.stopped_at = (len(fitted_estimator.loss_curve_), loss)
            return True
        return False

    def teardown(self, estimator, context):
        pass


# %%
# The loss is the one in ``loss_curve_``: half the mean squared error on the
# standardised targets (``normalize_y=True``) plus the L2 penalty. On
# standardised targets the mean squared error is ``1 - R²``, so, with a
# small penalty, a threshold of 0.05 asks for a training R² of about 0.9.
stopper = StopBelowLoss(threshold=0.05)
scaler = StandardScaler().fit(X)
with warnings.catch_warnings():
    warnings.simplefilter("error", ConvergenceWarning)  # none expected
    stopped = make_network().set_callbacks(stopper).fit(scaler.transform(X), y)
full = make_network().fit(scaler.transform(X), y)

epoch, loss = stopper.stopped_at
print(f"Stopped by the callback after epoch {epoch}, loss {loss:.4f}")
print(
    f"n_iter_ = {stopped.n_iter_}, last loss_curve_ entry {stopped.loss_curve_[-1]:.4f}"
)
print(f"Training R² {stopped.score(scaler.transform(X), y):.3f}")
print(f"Without the callback: {full.n_iter_} epochs, final loss {full.loss_:.4f}")
same_start = stopped.loss_curve_ == full.loss_curve_[: stopped.n_iter_]
print(f"Same losses as the full run up to epoch {stopped.n_iter_}: {same_start}")

# %%
# The stopped run is the first part of the full one: the same weights and
# the same losses up to the stopping epoch.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(range(1, full.n_iter_ + 1), full.loss_curve_, label="no callback")
ax.plot(
    range(1, stopped.n_iter_ + 1),
    stopped.loss_curve_,
    linewidth=3,
    alpha=0.6,
    label="StopBelowLoss(0.05)",
)
ax.axhline(stopper.threshold, color="gray", linestyle=":", label="threshold")
ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
ax.legend()
