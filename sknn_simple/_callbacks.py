"""Bridge between the training loops and scikit-learn's callback API.

scikit-learn 1.9 added :mod:`sklearn.callback` (experimental): callbacks such
as ``ProgressBar`` and ``ScoringMonitor`` see a tree of tasks. Here the root
task is one call to ``fit`` or ``partial_fit`` and each epoch (``sgd``,
``adam``) or L-BFGS iteration is a subtask. On older scikit-learn the
estimator works the same, without callback support.

The training loops only know the small :class:`IterationMonitor` interface;
everything about contexts and hooks stays in this module.
"""

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callbacks."""


CALLBACKS_AVAILABLE = hasattr(CallbackSupportMixin, "set_callbacks")


class IterationMonitor:
    """Told when each epoch or iteration begins and ends; can stop training.

    This base class does nothing: it is what the loops use when no callback
    is set, at no cost.
    """

    def begin(self, params):
        """An epoch or iteration starts from the weights ``params``."""

    def end(self, params):
        """It ended at ``params``; return True to stop training."""
        return False

    def close(self):
        """Training is over (or was interrupted); end any open subtask."""


class CallbackMonitor(IterationMonitor):
    """Opens one callback subcontext per epoch or iteration.

    Parameters
    ----------
    estimator : SimpleMLPRegressor
        The estimator being fitted, passed to every hook.
    context : sklearn.callback.CallbackContext
        The root context of this call to ``fit`` or ``partial_fit``.
    task_name : str
        Name of each subtask, "epoch" or "iteration".
    X, y, metadata
        What the hooks receive as training data; ``y`` on the user's scale.
    reconstruct : callable
        ``reconstruct(params)`` returns the attributes that make a copy of
        the estimator predict with ``params``. Called only when a callback
        asks for ``fitted_estimator``.
    """

    def __init__(self, estimator, context, task_name, X, y, metadata, reconstruct):
        self._estimator = estimator
        self._context = context
        self._task_name = task_name
        self._data = dict(X=X, y=y, metadata=metadata)
        self._reconstruct = reconstruct
        self._open = None

    def _attributes(self, params):
        # Lazy: the copy of the weights is made only if a hook wants it.
        return lambda: self._reconstruct(params.copy())

    def begin(self, params):
        self._open = self._context.subcontext(task_name=self._task_name)
        self._open.call_on_fit_task_begin(
            estimator=self._estimator,
            reconstruction_attributes=self._attributes(params),
            **self._data,
        )

    def end(self, params):
        context, self._open = self._open, None
        return context.call_on_fit_task_end(
            estimator=self._estimator,
            reconstruction_attributes=self._attributes(params),
            **self._data,
        )

    def close(self):
        if self._open is not None:
            # A subtask that did not run to its end: ended without data.
            context, self._open = self._open, None
            context.call_on_fit_task_end(estimator=self._estimator)
