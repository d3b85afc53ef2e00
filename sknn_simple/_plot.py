"""LossCurveDisplay: the training (and validation) loss of a fitted network.

matplotlib is an optional dependency: it is imported inside ``plot`` only, so
importing sknn_simple never imports it.
"""

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSimpleMLP


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            'LossCurveDisplay needs matplotlib: pip install "sknn_simple[plot]"'
        ) from exc
    return plt


def _style(defaults, user):
    """Defaults overridden by the user's style keywords, aliases included.

    matplotlib refuses a keyword given under both its name and its alias
    (``lw`` and ``linewidth``), so both sides are spelled out in full first.
    """
    from matplotlib.cbook import normalize_kwargs
    from matplotlib.lines import Line2D

    return {**normalize_kwargs(defaults, Line2D), **normalize_kwargs(user, Line2D)}


def _as_curve(values, name):
    curve = np.asarray(values, dtype=float)
    if curve.ndim != 1 or curve.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of losses, got shape "
            f"{curve.shape}."
        )
    return curve


class LossCurveDisplay:
    """Loss per epoch of a fitted network: training and, if any, validation.

    Create it with :meth:`from_estimator`, or from the curves themselves and
    then call :meth:`plot`. All parameters are stored as attributes.

    The training loss (``loss_curve_``) includes the L2 penalty; the
    validation loss of :class:`~sknn_simple.SimpleMLPRegressor`
    (``validation_loss_curve_``) is the squared-error term alone, so with a
    large ``alpha`` the validation curve can sit below the training one.
    With ``normalize_y=True`` both are measured on the normalised targets:
    next to an :class:`~sklearn.neural_network.MLPRegressor`, whose loss is
    in the units of ``y`` squared, fit with ``normalize_y=False`` to compare
    like with like.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        Training loss after each epoch (or iteration); entry ``i`` is drawn
        at ``x = i + 1``.

    validation_loss_curve : array-like of shape (n_validation,), default=None
        Validation loss after each epoch; None draws no validation line. When
        shorter than ``loss_curve`` it covers the last epochs (as after a
        ``warm_start`` fit that switched on early stopping): its last entry
        is drawn at the training curve's last epoch.

    estimator_name : str, default=None
        Name shown in the legend before "training loss" and "validation
        loss"; None shows those words alone.

    x_label : str, default="epoch"
        Label of the x axis: "epoch" for minibatch solvers, "iteration" for
        L-BFGS.

    Attributes
    ----------
    line_ : matplotlib Line2D
        Training loss line.

    validation_line_ : matplotlib Line2D or None
        Validation loss line, or None without a validation curve.

    ax_ : matplotlib Axes
        Axes with the lines.

    figure_ : matplotlib Figure
        Figure containing the axes.

    See Also
    --------
    LossCurveDisplay.from_estimator : Plot the loss curves of a fitted network.
    sklearn.metrics.PredictionErrorDisplay : The scikit-learn display this
        one follows.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")  # draw off-screen; leave out to open a window
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import make_friedman1
    >>> from sknn_simple import SimpleMLPRegressor
    >>> from sknn_simple import LossCurveDisplay
    >>> X, y = make_friedman1(n_samples=300, random_state=0)
    >>> model = SimpleMLPRegressor(
    ...     hidden_layer_sizes=(20,), early_stopping=True, random_state=0
    ... ).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(model, log_scale=True)
    >>> display.line_.get_label(), display.validation_line_.get_label()
    ('SimpleMLPRegressor: training loss', 'SimpleMLPRegressor: validation loss')
    >>> list(display.line_.get_ydata()) == model.loss_curve_
    True
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        estimator_name=None,
        x_label="epoch",
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name
        self.x_label = x_label

    def plot(
        self,
        ax=None,
        *,
        log_scale=False,
        name=None,
        train_kwargs=None,
        validation_kwargs=None,
    ):
        """Draw the loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure and axes. Drawing
            several displays on one axes compares networks: each gets its
            own colour and the legend lists them all.

        log_scale : bool, default=False
            Whether to use a logarithmic y axis. False leaves the axes' scale
            as it is.

        name : str, default=None
            Name for the legend; None uses ``estimator_name``.

        train_kwargs : dict, default=None
            Keywords for ``Axes.plot`` drawing the training line, e.g.
            ``{"color": "black", "linewidth": 2}``.

        validation_kwargs : dict, default=None
            Keywords for ``Axes.plot`` drawing the validation line; by
            default it is dashed, in the training line's colour.

        Returns
        -------
        display : LossCurveDisplay
            This object, with ``line_``, ``validation_line_``, ``ax_`` and
            ``figure_`` set.
        """
        plt = _import_pyplot()
        loss_curve = _as_curve(self.loss_curve, "loss_curve")
        validation = self.validation_loss_curve
        if validation is not None:
            validation = _as_curve(validation, "validation_loss_curve")
        name = self.estimator_name if name is None else name
        prefix = "" if name is None else f"{name}: "

        if ax is None:
            # Constrained layout keeps the axis labels inside the figure, also
            # next to the wide tick labels of a log scale.
            _, ax = plt.subplots(layout="constrained")

        self.line_ = ax.plot(
            np.arange(1, loss_curve.size + 1),
            loss_curve,
            **_style({"label": f"{prefix}training loss"}, train_kwargs),
        )[0]
        self.validation_line_ = None
        if validation is not None:
            defaults = {
                "label": f"{prefix}validation loss",
                "color": self.line_.get_color(),
                "linestyle": "--",
            }
            # The last epochs, when shorter than the training curve.
            first = max(loss_curve.size - validation.size, 0) + 1
            self.validation_line_ = ax.plot(
                np.arange(first, first + validation.size),
                validation,
                **_style(defaults, validation_kwargs),
            )[0]

        if log_scale:
            ax.set_yscale("log")
        ax.set(xlabel=self.x_label, ylabel="loss")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.legend()

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        log_scale=False,
        name=None,
        train_kwargs=None,
        validation_kwargs=None,
    ):
        """Plot the loss curves of a fitted network.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~sknn_simple.SimpleMLPRegressor` or
            :class:`~sknn_simple.SimpleMLPClassifier`, a fitted
            :class:`~sklearn.neural_network.MLPRegressor` (stochastic
            solvers; it records validation R² but no validation loss, so only
            its training loss is drawn), or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one.

        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure and axes.

        log_scale : bool, default=False
            Whether to use a logarithmic y axis.

        name : str, default=None
            Name for the legend; None uses the network's class name.

        train_kwargs : dict, default=None
            Keywords for ``Axes.plot`` drawing the training line.

        validation_kwargs : dict, default=None
            Keywords for ``Axes.plot`` drawing the validation line.

        Returns
        -------
        display : LossCurveDisplay
            The display, plotted.

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        TypeError
            If the estimator is not a network that records a loss curve.
        sklearn.exceptions.NotFittedError
            If the network is not fitted.
        """
        _import_pyplot()
        network = estimator[-1] if isinstance(estimator, Pipeline) else estimator
        known = isinstance(network, (BaseSimpleMLP, MLPRegressor, MLPClassifier))
        if not known and not hasattr(network, "loss_curve_"):
            raise TypeError(
                "LossCurveDisplay.from_estimator needs a SimpleMLPRegressor, a "
                "SimpleMLPClassifier, an MLPRegressor, an MLPClassifier, or a "
                "Pipeline ending in one (an estimator with a loss_curve_ "
                f"attribute); got {type(network).__name__}."
            )
        check_is_fitted(network)
        solver = getattr(network, "solver_", getattr(network, "solver", None))
        if getattr(network, "loss_curve_", None) is None:
            hint = " (it records none with solver='lbfgs'; use 'adam' or 'sgd')"
            raise TypeError(
                f"This {type(network).__name__} has no loss_curve_ to plot"
                f"{hint if solver == 'lbfgs' else ''}."
            )
        return cls(
            loss_curve=network.loss_curve_,
            validation_loss_curve=getattr(network, "validation_loss_curve_", None),
            estimator_name=type(network).__name__ if name is None else name,
            x_label="iteration" if solver == "lbfgs" else "epoch",
        ).plot(
            ax=ax,
            log_scale=log_scale,
            train_kwargs=train_kwargs,
            validation_kwargs=validation_kwargs,
        )
