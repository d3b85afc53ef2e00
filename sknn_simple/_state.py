"""The fitted state: everything a fit produced, in one immutable value.

Training builds a :class:`FittedState` off to the side and the estimator
publishes it with one assignment (``self._state = state``), so a model is
always either the previous one or the new one, never a mix, whatever
interrupts a fit or runs beside it in another thread. Every public fitted
attribute (``coefs_``, ``loss_curve_``, ``n_iter_``, ...) is read from it,
and ``predict`` takes one snapshot of it.

A state pickles as plain values (numbers, strings, lists and arrays): the
network and the optimizer are rebuilt from them on load, and the loaded
values are checked, so a corrupt or edited file gives a clear error instead
of silently wrong predictions. The arrays of a model fitted on another
array library (array API dispatch) are saved as numpy arrays with the
library's name and the device's, and loaded back into that library and
device: pickle and skops files hold numpy arrays only, whatever the model
was fitted on.
"""

import dataclasses
import importlib
from dataclasses import dataclass

import numpy as np

from ._activations import ACTIVATIONS, OUTPUT_RANGES
from ._array_api import all_finite, array_namespace, device_of, namespace_of, to_host
from ._losses import LOSSES, valid_parameter
from ._network import Network
from ._solvers import AdamOptimizer, SGDOptimizer
from ._target import unscale_targets, unscale_targets_xp


@dataclass(frozen=True)
class History:
    """What the training loops recorded, over every call so far.

    ``validation_scores`` and ``validation_loss_curve`` are None without
    early stopping; ``best_loss`` is None with it. ``n_iter`` and ``t``
    count every epoch (or iteration) and row since the network was new;
    ``last_call_n_iter`` counts the epochs of the last call to ``fit`` or
    ``partial_fit`` alone, which is what ``n_iter_`` shows (as in
    ``MLPRegressor``). None in a state saved before it was recorded.
    """

    loss_curve: tuple = ()
    validation_scores: tuple | None = None
    validation_loss_curve: tuple | None = None
    best_loss: float | None = None
    best_validation_score: float | None = None
    loss: float = np.nan
    n_iter: int = 0
    t: int = 0
    last_call_n_iter: int | None = None


@dataclass(frozen=True)
class FittedState:
    """A trained network and everything needed to use or continue it.

    Parameters
    ----------
    network : Network
        The architecture; ``params`` holds its weights.
    params : ndarray of shape (network.n_params,)
        The flat parameter vector; never written after publication. An
        array of the namespace and on the device the model was fitted on
        (numpy, or another array library's under array API dispatch); the
        target map and everything else are numpy or Python values.
    y_offset, y_scale : ndarray of shape (n_outputs,) or None
        The target map of ``normalize_y`` (None when it was off).
    y_ndim : {1, 2}
        Whether ``y`` was 1-D; predictions take the same shape.
    n_features_in : int
    feature_names_in : ndarray of str or None
    solver, alpha
        The solver and penalty that trained it.
    history : History
    optimizer : SGDOptimizer, AdamOptimizer or None
        The stochastic solver's moments, for warm starts and partial_fit.
    random_state : numpy.random.RandomState
        The generator after training, for the next epochs' shuffles.
    """

    network: Network
    params: np.ndarray
    y_offset: np.ndarray | None
    y_scale: np.ndarray | None
    y_ndim: int
    n_features_in: int
    feature_names_in: np.ndarray | None
    solver: str
    alpha: float
    history: History
    optimizer: object
    random_state: np.random.RandomState

    def __post_init__(self):
        check_state(self)
        # Views into params, made once: coefs_ and intercepts_ share memory
        # with the vector the solvers updated.
        xp = namespace_of(self.params)
        views = (
            self.network.unpack(self.params)
            if xp is None
            else self.network.unpack_xp(xp, self.params)
        )
        object.__setattr__(self, "_views", views)

    @property
    def coefs(self):
        return self._views[0]

    @property
    def intercepts(self):
        return self._views[1]

    @property
    def normalize_y(self):
        return self.y_scale is not None

    def predict(self, X):
        """Network output for validated ``X``, mapped back to y's scale.

        Raises
        ------
        ValueError
            When a prediction is not finite.
        """
        xp = namespace_of(self.params)
        if xp is not None:
            return self._predict_xp(xp, X)
        with np.errstate(over="ignore", invalid="ignore"):
            output = self.network.predict(self.params, X, views=self._views)
            if self.normalize_y:
                output = unscale_targets(output, self.y_offset, self.y_scale)
        if not np.isfinite(output).all():
            n_bad = int(np.sum(~np.isfinite(output).all(axis=1)))
            raise ValueError(_overflow_message(n_bad, output.shape[0]))
        return output.ravel() if self.y_ndim == 1 else output

    def _predict_xp(self, xp, X):
        """:meth:`predict` for ``X`` of the parameters' namespace ``xp``."""
        with np.errstate(over="ignore", invalid="ignore"):
            output = self.network.predict_xp(xp, self.params, X, views=self._views)
            if self.normalize_y:
                output = unscale_targets_xp(xp, output, self.y_offset, self.y_scale)
        if not all_finite(output):
            finite_rows = xp.all(xp.isfinite(output), axis=1)
            n_bad = output.shape[0] - int(xp.sum(xp.astype(finite_rows, xp.int64)))
            raise ValueError(_overflow_message(n_bad, output.shape[0]))
        return xp.reshape(output, (-1,)) if self.y_ndim == 1 else output

    # ------------------------------------------------------------- pickling
    def to_plain(self):
        """The state as plain values: what a pickle or skops file holds."""
        network = self.network
        params, where = _portable(self.params)
        plain = {
            "layer_sizes": list(network.layer_sizes),
            "activation": network.activation,
            "output_activation": network.output_activation,
            "loss": network.loss_name,
            "loss_parameter": network.loss_parameter,
            "params": params,
            "y_offset": self.y_offset,
            "y_scale": self.y_scale,
            "y_ndim": self.y_ndim,
            "n_features_in": self.n_features_in,
            "feature_names_in": self.feature_names_in,
            "solver": self.solver,
            "alpha": self.alpha,
            "history": dataclasses.asdict(self.history),
            "optimizer": _optimizer_to_plain(self.optimizer),
            "random_state": self.random_state,
        }
        if where is not None:  # fitted on another array library's arrays
            plain["array_library"] = where
        return plain

    @classmethod
    def from_plain(cls, plain):
        """Rebuild (and check) a state saved by :meth:`to_plain`."""
        try:
            plain = dict(plain)
            network = Network(
                plain.pop("layer_sizes"),
                plain.pop("activation"),
                plain.pop("output_activation"),
                # States saved before losses were a parameter: squared error.
                plain.pop("loss", "squared_error"),
                plain.pop("loss_parameter", None),
            )
            history = History(**plain.pop("history"))
            optimizer = _optimizer_from_plain(plain.pop("optimizer"))
            where = plain.pop("array_library", None)
            if where is not None:
                xp, device = _library_of(where)
                plain["params"] = xp.asarray(plain["params"], device=device)
                if optimizer is not None:
                    optimizer.to_namespace(xp, device)
            return cls(network=network, history=history, optimizer=optimizer, **plain)
        except (KeyError, TypeError) as error:
            raise ValueError(
                f"The saved SimpleMLPRegressor is incomplete or corrupt ({error!r}); "
                "refit the model."
            ) from error


def _portable(array):
    """``(numpy copy, {"library", "device"})`` of another library's array;
    ``(array, None)`` for a numpy array."""
    if namespace_of(array) is None:
        return array, None
    where = {
        "library": type(array).__module__.split(".")[0],
        "device": str(device_of(array)),
    }
    return np.array(to_host(array), copy=True), where


def _library_of(where):
    """The namespace and device a :func:`_portable` record names; the
    library's default device when the saved one is not there."""
    library = importlib.import_module(where["library"])
    xp = array_namespace(library.asarray([0.0]))
    devices = xp.__array_namespace_info__().devices()
    device = next((d for d in devices if str(d) == where["device"]), None)
    return xp, device


def _overflow_message(n_bad, n_rows):
    return (
        f"The prediction overflows for {n_bad} of {n_rows} rows: "
        "their feature values are too large for the trained network. "
        "Scale X the way the training data was scaled (for example with "
        "the StandardScaler fitted in the same Pipeline)."
    )


def _valid_params(params, n_params):
    """Whether ``params`` is a flat vector of ``n_params`` float32 or float64
    values, numpy or another array library's."""
    xp = namespace_of(params)
    if xp is None:
        return (
            isinstance(params, np.ndarray)
            and params.ndim == 1
            and params.dtype in (np.float32, np.float64)
            and params.size == n_params
        )
    return (
        params.ndim == 1
        and params.dtype in (xp.float32, xp.float64)
        and params.shape[0] == n_params
    )


def check_state(state):
    """Raise ValueError when a state could not have come from training."""
    network = state.network
    problems = []
    if network.loss_name not in LOSSES:
        problems.append("unknown loss")
    elif not valid_parameter(network.loss_name, network.loss_parameter):
        problems.append(f"the loss parameter {network.loss_parameter!r} is invalid")
    if (
        network.activation not in ACTIVATIONS
        or network.output_activation not in OUTPUT_RANGES
    ):
        problems.append("unknown activation")
    params = state.params
    if not _valid_params(params, network.n_params):
        problems.append(f"the parameter vector is not {network.n_params} float values")
    elif not all_finite(params):
        problems.append("the parameters are not all finite")
    if network.layer_sizes[0] != state.n_features_in:
        problems.append("the input layer does not match n_features_in_")
    if state.y_ndim not in (1, 2) or (
        state.y_ndim == 1 and network.layer_sizes[-1] != 1
    ):
        problems.append(f"y_ndim is {state.y_ndim!r}")
    if (state.y_offset is None) != (state.y_scale is None):
        problems.append("the target map has an offset or a scale, not both")
    elif state.y_scale is not None and not _valid_target_map(state, network):
        problems.append("the target scale is not positive and finite")
    if problems:
        raise ValueError(
            "This SimpleMLPRegressor's fitted state is corrupt: "
            + "; ".join(problems)
            + ". It was not produced by fit (a damaged or edited file?): refit it."
        )


def _valid_target_map(state, network):
    offset = np.asarray(state.y_offset)
    scale = np.asarray(state.y_scale)
    n_outputs = network.layer_sizes[-1]
    return (
        offset.shape == scale.shape == (n_outputs,)
        and np.isfinite(offset).all()
        and np.isfinite(scale).all()
        and (scale > 0).all()
    )


_OPTIMIZERS = {"sgd": SGDOptimizer, "adam": AdamOptimizer}


def _optimizer_to_plain(optimizer):
    if optimizer is None:
        return None
    kind = "sgd" if isinstance(optimizer, SGDOptimizer) else "adam"
    state = {name: _portable(value)[0] for name, value in vars(optimizer).items()}
    return {"kind": kind, **state}


def _optimizer_from_plain(plain):
    if plain is None:
        return None
    plain = dict(plain)
    optimizer = object.__new__(_OPTIMIZERS[plain.pop("kind")])
    vars(optimizer).update(plain)
    return optimizer


class FittedAttribute:
    """A public fitted attribute, read from the estimator's fitted state.

    Before ``fit`` the attribute does not exist (``hasattr`` is False, as
    scikit-learn expects); it cannot be assigned, so nothing but a new
    state changes it. ``n_features_in_`` and ``feature_names_in_`` are the
    exception scikit-learn's ``validate_data`` needs: it records them at the
    start of a fit, so their assignments go to a staging slot that ``fit``
    reads, and readers keep seeing the published state's values.
    """

    STAGING = "_validated_features"
    #: What a reader returns for an attribute the state does not have.
    MISSING = object()

    def __init__(self, read, *, staged=False):
        self._read = read
        self._staged = staged
        self.__doc__ = read.__doc__

    def __set_name__(self, owner, name):
        self._name = name

    def __get__(self, estimator, owner=None):
        if estimator is None:
            return self
        state = estimator.__dict__.get("_state")
        value = self.MISSING if state is None else self._read(state)
        if value is self.MISSING:
            raise AttributeError(
                f"{type(estimator).__name__!r} object has no attribute {self._name!r}"
            )
        return value

    def __set__(self, estimator, value):
        if not self._staged:
            raise AttributeError(
                f"{self._name} is a fitted attribute: it is set by fit, not by hand."
            )
        estimator.__dict__.setdefault(self.STAGING, {})[self._name] = value

    def __delete__(self, estimator):
        if not self._staged:
            raise AttributeError(f"{self._name} is a fitted attribute.")
        estimator.__dict__.setdefault(self.STAGING, {})[self._name] = None


#: Fitted attributes of a pickle made before the fitted state was one value
#: (sknn_simple 0.1), and where each goes in :meth:`FittedState.to_plain`.
_LEGACY_HISTORY = {
    "loss_curve_": "loss_curve",
    "validation_scores_": "validation_scores",
    "validation_loss_curve_": "validation_loss_curve",
    "best_loss_": "best_loss",
    "best_validation_score_": "best_validation_score",
    "loss_": "loss",
    "n_iter_": "n_iter",
    "t_": "t",
}
_LEGACY_OTHERS = (
    "coefs_",
    "intercepts_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
)


def plain_from_legacy(attributes, alpha):
    """Take a 0.1 pickle's fitted attributes out of ``attributes`` (a dict,
    changed in place) and return them as :meth:`FittedState.to_plain` would.
    """
    network = attributes.pop("_network")
    history = {new: attributes.pop(old, None) for old, new in _LEGACY_HISTORY.items()}
    for name in ("loss_curve", "validation_scores", "validation_loss_curve"):
        if history[name] is not None:
            history[name] = tuple(history[name])
    history["loss_curve"] = history["loss_curve"] or ()
    for name in _LEGACY_OTHERS:
        attributes.pop(name, None)
    return {
        "layer_sizes": list(network.layer_sizes),
        "activation": network.activation,
        "output_activation": network.output_activation,
        "params": attributes.pop("_flat_params"),
        "y_offset": attributes.pop("_y_offset", None),
        "y_scale": attributes.pop("_y_scale", None),
        "y_ndim": attributes.pop("_y_ndim"),
        "n_features_in": attributes.pop("n_features_in_"),
        "feature_names_in": attributes.pop("feature_names_in_", None),
        "solver": attributes.pop("solver_"),
        "alpha": float(alpha),
        "history": history,
        "optimizer": _optimizer_to_plain(attributes.pop("_optimizer", None)),
        "random_state": attributes.pop("_random_state"),
    }
