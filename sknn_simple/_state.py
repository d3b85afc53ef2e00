"""The fitted state: everything a fit produced, in one value never changed
after it is published.

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

import importlib
from dataclasses import dataclass, fields

import numpy as np

from ._activations import OUTPUT_RANGES
from ._kernels import (
    _array_api_kernel,
    all_finite,
    array_namespace,
    device_of,
    kernel_for,
    namespace_of,
    to_host,
)
from ._losses import CLASSIFICATION_LOSSES, valid_parameter
from ._network import Network
from ._solvers import AdamOptimizer, SGDOptimizer
from ._target import unscale_targets
from ._training import History


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
    classes : ndarray or None
        A classifier's ``classes_`` (None for a regressor): the labels of
        the output columns (for two classes, the one output is the second
        class's probability); ``y_ndim`` 2 for a multilabel target.
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
    classes: np.ndarray | None = None

    def __post_init__(self):
        check_state(self)
        # Views into params, made once: coefs_ and intercepts_ share memory
        # with the vector the solvers updated.
        k = kernel_for(self.params)
        object.__setattr__(self, "_views", self.network.unpack(self.params, k))
        # The target map where the predictions are, moved once.
        if self.normalize_y:
            target_map = k.asarray(self.y_offset), k.asarray(self.y_scale)
            object.__setattr__(self, "_target_map", target_map)

    @property
    def coefs(self):
        return self._views[0]

    @property
    def intercepts(self):
        return self._views[1]

    @property
    def normalize_y(self):
        return self.y_scale is not None

    def decision(self, X):
        """The output layer's values for validated ``X`` before the loss's
        link (a classifier's logits), in an array of their own.

        Raises
        ------
        ValueError
            When an output is not finite.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            output = self.network.forward(self.params, X, views=self._views)
        if not all_finite(output):
            raise ValueError(_overflow_message(output))
        return output

    def predict(self, X):
        """Network output for validated ``X``, mapped back to y's scale.

        Raises
        ------
        ValueError
            When a prediction is not finite.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            output = self.network.predict(self.params, X, views=self._views)
            if self.normalize_y:
                output = unscale_targets(output, *self._target_map)
        if not all_finite(output):
            raise ValueError(_overflow_message(output))
        return output[:, 0] if self.y_ndim == 1 else output

    # ------------------------------------------------------------- pickling
    def to_plain(self):
        """The state as plain values: what a pickle or skops file holds."""
        plain = {field.name: getattr(self, field.name) for field in fields(self)}
        plain = {**_network_to_plain(plain.pop("network")), **plain}
        plain["params"], where = _portable(self.params)
        plain["history"] = self.history.to_plain()
        plain["optimizer"] = _optimizer_to_plain(self.optimizer)
        if where is not None:  # fitted on another array library's arrays
            plain["array_library"] = where
        return plain

    @classmethod
    def from_plain(cls, plain):
        """Rebuild (and check) a state saved by :meth:`to_plain`."""
        try:
            # States saved before losses were a parameter: squared error.
            plain = {"loss": "squared_error", "loss_parameter": None, **plain}
            network = Network(**{key: plain.pop(key) for key in _NETWORK})
            history = History.from_plain(plain.pop("history"))
            optimizer = _optimizer_from_plain(plain.pop("optimizer"))
            where = plain.pop("array_library", None)
            if where is not None:
                xp, device = _library_of(where)
                plain["params"] = xp.asarray(plain["params"], device=device)
                if optimizer is not None:
                    optimizer.to_kernel(_array_api_kernel(xp, device))
            return cls(network=network, history=history, optimizer=optimizer, **plain)
        except (KeyError, TypeError) as error:
            raise ValueError(
                f"The saved sknn_simple model is incomplete or corrupt ({error!r}); "
                "refit the model."
            ) from error


#: ``Network``'s arguments: the keys of :func:`_network_to_plain`.
_NETWORK = ("layer_sizes", "activation", "output_activation", "loss", "loss_parameter")


def _network_to_plain(network):
    """The network by name: its architecture, activations and loss (its
    weights are the state's ``params``)."""
    return {
        "layer_sizes": list(network.layer_sizes),
        "activation": network.activation,
        "output_activation": network.output_activation,
        "loss": network.loss_name,
        "loss_parameter": network.loss_parameter,
    }


def _portable(array):
    """``(numpy copy, {"library", "device"})`` of another library's array;
    ``(array, None)`` for a numpy array."""
    if namespace_of(array) is None:
        return array, None
    library = type(array).__module__.split(".")[0]
    where = {"library": library, "device": str(device_of(array))}
    return np.array(to_host(array), copy=True), where


def _library_of(where):
    """The namespace and device a :func:`_portable` record names; the
    library's default device when the saved one is not there."""
    library = importlib.import_module(where["library"])
    xp = array_namespace(library.asarray([0.0]))
    devices = xp.__array_namespace_info__().devices()
    return xp, next((d for d in devices if str(d) == where["device"]), None)


def _overflow_message(output):
    finite = np.isfinite(to_host(output)).all(axis=1)  # per row
    return (
        f"The prediction overflows for {np.sum(~finite)} of {finite.size} rows: "
        "their feature values are too large for the trained network. "
        "Scale X the way the training data was scaled (for example with "
        "the StandardScaler fitted in the same Pipeline)."
    )


def _valid_params(params, n_params):
    """Whether ``params`` is a flat vector of ``n_params`` float32 or float64
    values, numpy or another array library's."""
    xp = kernel_for(params).xp
    return (isinstance(params, np.ndarray) or namespace_of(params) is not None) and (
        params.shape == (n_params,) and params.dtype in (xp.float32, xp.float64)
    )


def check_state(state):
    """Raise ValueError when a state could not have come from training.

    The loss and the hidden activation need no check: a
    :class:`~sknn_simple._network.Network` with an unknown one can be
    neither built nor unpickled.
    """
    network, params = state.network, state.params
    problems = []
    if not valid_parameter(network.loss_name, network.loss_parameter):
        problems.append(f"the loss parameter {network.loss_parameter!r} is invalid")
    if network.output_activation not in OUTPUT_RANGES:
        problems.append("unknown activation")
    if not _valid_params(params, network.n_params):
        problems.append(f"the parameter vector is not {network.n_params} float values")
    elif not all_finite(params):
        problems.append("the parameters are not all finite")
    if network.layer_sizes[0] != state.n_features_in:
        problems.append("the input layer does not match n_features_in_")
    if not (
        state.y_ndim == 2
        or (state.y_ndim == 1 and network.layer_sizes[-1] == 1)
        or (state.y_ndim == 1 and state.classes is not None)
    ):
        problems.append(f"y_ndim is {state.y_ndim!r}")
    if not _valid_classes(state):
        problems.append("the classes do not match the loss or the output layer")
    if (state.y_offset is None) != (state.y_scale is None):
        problems.append("the target map has an offset or a scale, not both")
    elif state.y_scale is not None and not _valid_target_map(state):
        problems.append("the target scale is not positive and finite")
    if problems:
        raise ValueError(
            "This model's fitted state is corrupt: "
            + "; ".join(problems)
            + ". It was not produced by fit (a damaged or edited file?): refit it."
        )


def _valid_classes(state):
    """A classifier's state has classes, one per output (two for one
    binary output), and a classification loss; a regressor's has neither."""
    loss, n_outputs = state.network.loss_name, state.network.layer_sizes[-1]
    if state.classes is None:
        return loss not in CLASSIFICATION_LOSSES
    n_classes = np.shape(state.classes)
    if loss == "log_loss":
        return n_classes == (n_outputs,) and n_outputs > 2
    binary = n_outputs == 1 and n_classes == (2,) and state.y_ndim == 1
    multilabel = n_classes == (n_outputs,) and state.y_ndim == 2
    return loss == "binary_log_loss" and (binary or multilabel)


def _valid_target_map(state):
    offset, scale = np.asarray(state.y_offset), np.asarray(state.y_scale)
    return (
        offset.shape == scale.shape == (state.network.layer_sizes[-1],)
        and np.isfinite([offset, scale]).all()
        and (scale > 0).all()
    )


_OPTIMIZERS = {"sgd": SGDOptimizer, "adam": AdamOptimizer}


def _optimizer_to_plain(optimizer):
    if optimizer is None:
        return None
    state = {name: _portable(value)[0] for name, value in vars(optimizer).items()}
    return {"kind": "sgd" if isinstance(optimizer, SGDOptimizer) else "adam", **state}


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
        self._stage(estimator, value, refusal=": it is set by fit, not by hand")

    def __delete__(self, estimator):
        self._stage(estimator, None, refusal="")

    def _stage(self, estimator, value, refusal):
        """Stage ``value`` for ``fit``, or refuse: an unstaged attribute's
        AttributeError, ``refusal`` completing its message."""
        if not self._staged:
            raise AttributeError(f"{self._name} is a fitted attribute{refusal}.")
        estimator.__dict__.setdefault(self.STAGING, {})[self._name] = value


#: Fitted attributes of a pickle made before the fitted state was one value
#: (sknn_simple 0.1) that the state derives; its history was in the fitted
#: attributes named after the fields of :class:`History` and an underscore.
_LEGACY_OTHERS = ("coefs_", "intercepts_", "n_layers_", "n_outputs_", "out_activation_")


def plain_from_legacy(attributes, alpha):
    """Take a 0.1 pickle's fitted attributes out of ``attributes`` (a dict,
    changed in place) and return them as :meth:`FittedState.to_plain` would.
    """
    # History.from_plain reads the missing (None) fields as the defaults.
    history = {
        field.name: attributes.pop(f"{field.name}_", None) for field in fields(History)
    }
    for name in _LEGACY_OTHERS:
        attributes.pop(name, None)
    return {
        **_network_to_plain(attributes.pop("_network")),
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
