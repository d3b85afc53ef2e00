"""Export a fitted :class:`~sknn_simple.SimpleMLPRegressor` or
:class:`~sknn_simple.SimpleMLPClassifier` to ONNX.

Importing this module registers, for each estimator, a shape calculator and
a converter with skl2onnx (and, for the classifier, skl2onnx's classifier
parser), after which :func:`skl2onnx.to_onnx` converts the estimators, and
any pipeline that contains them, like scikit-learn models::

    import sknn_simple.onnx  # noqa: F401 (registers the converters)
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1])

What the graph computes:

- every layer is ``MatMul`` then ``Add``, followed by the layer's
  activation (``Sigmoid``, ``Tanh``, ``Relu``, or nothing for identity);
  both estimators share this code;
- the graph computes in float64 when its input is float64 (``X[:1]`` of a
  float64 ``X``, or ``DoubleTensorType``) and in float32 otherwise, as
  skl2onnx converts ``MLPRegressor`` and ``MLPClassifier``; the weights are
  cast to that type.

The regressor's graph has one output, ``variable``:

- target normalisation is part of the graph: with the identity output it is
  folded into the last layer's weights and intercepts (``W * scale`` and
  ``b * scale + offset``), so it costs no extra node; after a bounded output
  activation (logistic, tanh) it is a ``Mul`` and an ``Add``;
- the output has shape ``(n_samples, n_outputs)``, also for a model fitted
  on a 1-D ``y`` (``(n_samples, 1)`` where ``predict`` returns
  ``(n_samples,)``), as skl2onnx's regressors have it.

The classifier's graph has two outputs, as skl2onnx converts
``MLPClassifier``: ``label`` (``predict``) and ``probabilities``
(``predict_proba``):

- the probabilities come from the logits of the last layer: ``Softmax``
  over the classes for more than two classes; for two classes the one
  logit's ``p = Sigmoid(o)``, and ``[1 - p, p]``; for a multilabel target a
  ``Sigmoid`` per label;
- ``label`` is the class of the largest probability (``ArgMax``, then a
  ``Gather`` from ``classes_``): an int64 tensor for integer (or boolean,
  or integral float) classes, a string tensor for string classes; for a
  multilabel target, the ``(n_samples, n_labels)`` int64 matrix of ``p >
  0.5``;
- skl2onnx's classifier options apply: by default the probabilities go
  through a ``ZipMap``, and the outputs are ``output_label`` and
  ``output_probability``, a list of dicts ``{class: probability}``;
  ``options={"zipmap": False}`` (or ``{id(model): {"zipmap": False}}``)
  keeps the ``(n_samples, n_classes)`` tensor, ``"zipmap": "columns"`` gives
  one output per class; ``"nocl": True`` replaces the labels by the class
  indices ``0 .. n_classes - 1``; ``"output_class_labels": True`` (with
  ``"zipmap": False``) adds an output with ``classes_``;
- ONNX's ``ZipMap`` takes float32 probabilities only, so with a float64
  input and the default ZipMap the probabilities are computed in float64
  and cast to float32 before it (skl2onnx's own classifiers give an
  invalid graph there); ``"zipmap": False`` keeps them in float64.

skl2onnx is an optional dependency, imported by this module only:
``pip install "sknn_simple[onnx]"`` installs it and onnxruntime.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    import skl2onnx
    from skl2onnx._parse import _parse_sklearn_classifier
    from skl2onnx.algebra import onnx_ops
    from skl2onnx.common import shape_calculator
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        guess_numpy_type,
    )
    from skl2onnx.common.utils_classifier import get_label_classes
except ImportError as exc:
    raise ImportError(
        'sknn_simple.onnx needs skl2onnx: pip install "sknn_simple[onnx]"'
    ) from exc

from ._classifier import SimpleMLPClassifier
from ._regressor import SimpleMLPRegressor

__all__ = []

#: Name of the regressor's operator in skl2onnx's registry.
ALIAS = "SknnSimpleMLPRegressor"
#: Name of the classifier's operator in skl2onnx's registry.
CLASSIFIER_ALIAS = "SknnSimpleMLPClassifier"

# Each activation's ONNX operator (exp: Poisson's inverse link, after the
# identity output); the identity needs none.
_ACTIVATION_OPS = {"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "exp": "Exp"}

# skl2onnx's options for classifiers, as it registers MLPClassifier's.
_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}


def _fitted_state(model):
    """The model's fitted state, checked for export.

    Every reader of the private state gets it here, so that a change to
    how the estimators store it shows in this module only.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    TypeError
        If the model was fitted on arrays other than numpy's.
    """
    check_is_fitted(
        model,
        msg="This %(name)s instance is not fitted yet: call 'fit' before "
        "converting it to ONNX.",
    )
    state = model._state  # one snapshot of the fitted state
    if not isinstance(state.params, np.ndarray):
        raise TypeError(
            "ONNX export needs a model fitted on numpy arrays; this one was "
            f"fitted on {type(state.params).__module__} arrays under array API "
            "dispatch. Refit it on numpy arrays (e.g. X.cpu().numpy() for torch) "
            "to export it."
        )
    return state


def _fitted_network(model):
    """The operations the graph computes for a fitted model, in float64.

    The weights, the hidden activation the network was built with, and the
    target map, read from the model's fitted state (:func:`_fitted_state`).
    For a classifier, whose output layer is linear and has no target map,
    they end with the logits.

    The target map ``y = output * y_scale + y_offset`` costs no node where it
    can be folded into the last layer: after the identity output,
    ``h (W * scale) + (b * scale + offset)``; after Poisson's ``exp`` (whose
    offset is 0), ``exp(h W + b + log(scale))``. After a bounded output
    activation (logistic, tanh) it is a ``Mul`` and an ``Add``.

    Parameters
    ----------
    model : SimpleMLPRegressor or SimpleMLPClassifier
        A model fitted on numpy arrays.

    Returns
    -------
    steps : list of (str, ndarray or None)
        The graph's operations in order, each an ONNX operator name and its
        constant second operand (None for an activation): ``MatMul`` and
        ``Add`` for each layer, then the layer's activation (none for the
        identity), then ``Mul`` and ``Add`` for a target map that is not
        folded.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    TypeError
        If the model was fitted on arrays other than numpy's.
    """
    state = _fitted_state(model)
    coefs = [np.asarray(coef, dtype=np.float64) for coef in state.coefs]
    intercepts = [np.asarray(b, dtype=np.float64) for b in state.intercepts]
    # The activation the network was fitted with, not get_params()'s, which
    # set_params may have changed since.
    activations = [state.network.activation] * len(coefs)
    activations[-1] = state.network.output_activation
    if state.network.loss_name == "poisson":
        activations[-1] = "exp"
    target_map = []
    if state.y_offset is not None:
        offset = np.asarray(state.y_offset, dtype=np.float64)
        scale = np.asarray(state.y_scale, dtype=np.float64)
        if activations[-1] == "exp":
            intercepts[-1] = intercepts[-1] + np.log(scale)
        elif activations[-1] == "identity":
            coefs[-1] = coefs[-1] * scale
            intercepts[-1] = intercepts[-1] * scale + offset
        else:
            target_map = [("Mul", scale), ("Add", offset)]
    steps = []
    for coef, intercept, activation in zip(coefs, intercepts, activations):
        steps += [("MatMul", coef), ("Add", intercept)]
        if activation != "identity":
            steps.append((_ACTIVATION_OPS[activation], None))
    return steps + target_map


def _check_n_features(operator):
    """Raise if the ONNX input's known width is not the model's."""
    shape = operator.inputs[0].type.shape
    n_features = operator.raw_operator.n_features_in_
    if len(shape) == 2 and isinstance(shape[1], int) and shape[1] != n_features:
        raise ValueError(
            f"The ONNX input has {shape[1]} features but the model was fitted "
            f"on {n_features}."
        )


def _network_graph(operator, dtype, opv, output_names=None):
    """The network's forward pass as skl2onnx algebra nodes, in ``dtype``.

    Parameters
    ----------
    operator : skl2onnx Operator
        Its input is the graph's, its ``raw_operator`` the fitted model.
    dtype : {numpy.float32, numpy.float64}
        The type the graph computes in.
    opv : int
        The target opset.
    output_names : list of Variable, optional
        The names of the last node's output (an operator's output).

    Returns
    -------
    node : OnnxOperator
        The last node: the regressor's prediction, the classifier's logits.
    """
    steps = _fitted_network(operator.raw_operator)
    node = operator.inputs[0]
    # An integer or boolean input is cast to the float type the graph computes in.
    if guess_numpy_type(node.type) != dtype:
        node = onnx_ops.OnnxCast(node, to=dtype, op_version=opv)
    for index, (op_type, operand) in enumerate(steps):
        inputs = [node] if operand is None else [node, operand.astype(dtype)]
        names = output_names if index == len(steps) - 1 else None
        onnx_operator = getattr(onnx_ops, f"Onnx{op_type}")
        node = onnx_operator(*inputs, op_version=opv, output_names=names)
    return node


# ----------------------------------------------------------------- regressor
def _calculate_output_shapes(operator):
    """skl2onnx shape calculator: ``[N, n_features] -> [N, n_outputs]``.

    skl2onnx's calculator for linear regressors checks the input and picks
    the output type, as for ``MLPRegressor``: float64 for a float64 input,
    float32 otherwise; the output has one column per target.
    """
    shape_calculator.calculate_linear_regressor_output_shapes(operator)
    model = operator.raw_operator
    _fitted_network(model)  # raises if the model cannot be converted
    _check_n_features(operator)
    operator.outputs[0].type.shape[1] = model.n_outputs_


def _convert(scope, operator, container):
    """skl2onnx converter: the forward pass and the target map as a graph."""
    dtype = guess_numpy_type(operator.outputs[0].type)
    # The last node of the graph writes the operator's output.
    node = _network_graph(
        operator, dtype, container.target_opset, output_names=operator.outputs[:1]
    )
    node.add_to(scope, container)


# ---------------------------------------------------------------- classifier
def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx parser: its classifier parser (``label`` and
    ``probabilities``, then ZipMap unless ``zipmap=False``), after checking
    that the model can be converted: that parser reads ``classes_``, which
    an unfitted model lacks."""
    _fitted_state(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers)


def _label_values(classes):
    """``classes`` as the constant ``label`` is gathered from: str for string
    labels, else int64 (for integer, boolean or integral float labels, the
    only numbers scikit-learn takes as classes), as skl2onnx's classifier
    shape calculator declares the label."""
    if all(isinstance(c, str) for c in classes):
        return np.asarray(classes, dtype=np.str_)
    return np.asarray(classes).astype(np.int64)


def _compute_dtype(operator):
    """The type the graph computes in: float64 for a float64 input, float32
    otherwise (as skl2onnx's converters of scikit-learn's perceptrons)."""
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return np.float64 if double else np.float32


def _calculate_classifier_output_shapes(operator):
    """skl2onnx shape calculator: ``[N, n_features] -> [N], [N, n_classes]``.

    skl2onnx's calculator for linear classifiers checks the input and picks
    the label's type (int64 or string, from ``classes_``); a multilabel
    model's label is ``[N, n_labels]``. The probabilities are in the type
    the graph computes in, except that ONNX's ``ZipMap`` takes float32 only:
    with the default ``zipmap=True`` they are float32 (cast after the
    float64 computation) for a float64 input too.
    """
    model = operator.raw_operator
    state = _fitted_state(model)  # raises if the model cannot be converted
    shape_calculator.calculate_linear_classifier_output_shapes(operator)
    _check_n_features(operator)
    n_rows = operator.inputs[0].get_first_dimension()
    if state.y_ndim == 2:
        operator.outputs[0].type = Int64TensorType([n_rows, len(state.classes)])
    # The parser's test (skl2onnx._parse._parse_sklearn_classifier): a
    # ZipMap follows unless zipmap is False or "columns".
    zipmap = operator.scope_inst.get_options(model, {"zipmap": True})["zipmap"]
    no_zipmap = (isinstance(zipmap, bool) and not zipmap) or zipmap == "columns"
    dtype = _compute_dtype(operator) if no_zipmap else np.float32
    tensor_type = DoubleTensorType if dtype == np.float64 else FloatTensorType
    operator.outputs[1].type = tensor_type([n_rows, len(state.classes)])


def _convert_classifier(scope, operator, container):
    """skl2onnx converter: the logits, their sigmoid or softmax, and the
    label."""
    model = operator.raw_operator
    state = _fitted_state(model)
    opv = container.target_opset
    label, probabilities = operator.outputs[:2]
    dtype = _compute_dtype(operator)
    # Cast to the output's type (float32 for a ZipMap), if it is not dtype.
    cast = guess_numpy_type(probabilities.type) != dtype
    names = None if cast else [probabilities]
    logits = _network_graph(operator, dtype, opv)
    if state.network.loss_name == "log_loss":
        proba = onnx_ops.OnnxSoftmax(logits, axis=1, op_version=opv, output_names=names)
    elif state.y_ndim == 2:  # multilabel: one sigmoid per label
        proba = onnx_ops.OnnxSigmoid(logits, op_version=opv, output_names=names)
    else:  # two classes: p = σ(o) is classes_[1]'s probability
        positive = onnx_ops.OnnxSigmoid(logits, op_version=opv)
        negative = onnx_ops.OnnxSub(
            np.array([1], dtype=dtype), positive, op_version=opv
        )
        proba = onnx_ops.OnnxConcat(
            negative, positive, axis=1, op_version=opv, output_names=names
        )
    if state.y_ndim == 2:  # predict: each label whose probability is above 0.5
        above = onnx_ops.OnnxGreater(
            proba, np.array([0.5], dtype=dtype), op_version=opv
        )
        node = onnx_ops.OnnxCast(
            above, to=np.int64, op_version=opv, output_names=[label]
        )
    else:  # predict: the class of the largest probability (the first, on ties)
        index = onnx_ops.OnnxArgMax(proba, axis=1, keepdims=0, op_version=opv)
        classes = _label_values(get_label_classes(scope, model))
        node = onnx_ops.OnnxGather(
            classes, index, axis=0, op_version=opv, output_names=[label]
        )
    if cast:
        proba = onnx_ops.OnnxCast(
            proba,
            to=guess_numpy_type(probabilities.type),
            op_version=opv,
            output_names=[probabilities],
        )
    proba.add_to(scope, container)
    node.add_to(scope, container)


skl2onnx.update_registered_converter(
    SimpleMLPRegressor, ALIAS, _calculate_output_shapes, _convert
)
skl2onnx.update_registered_converter(
    SimpleMLPClassifier,
    CLASSIFIER_ALIAS,
    _calculate_classifier_output_shapes,
    _convert_classifier,
    parser=_parse_classifier,
    options=_CLASSIFIER_OPTIONS,
)
