"""Export a fitted :class:`~sknn_simple.SimpleMLPRegressor` to ONNX.

Importing this module registers a shape calculator and a converter with
skl2onnx, after which :func:`skl2onnx.to_onnx` converts the estimator, and
any pipeline that contains it, like a scikit-learn model::

    import sknn_simple.onnx  # noqa: F401 (registers the converter)
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1])

What the graph computes:

- every layer is ``MatMul`` then ``Add``, followed by the layer's
  activation (``Sigmoid``, ``Tanh``, ``Relu``, or nothing for identity);
- target normalisation is part of the graph: with the identity output it is
  folded into the last layer's weights and intercepts (``W * scale`` and
  ``b * scale + offset``), so it costs no extra node; after a bounded output
  activation (logistic, tanh) it is a ``Mul`` and an ``Add``;
- the graph computes in float64 when its input is float64 (``X[:1]`` of a
  float64 ``X``, or ``DoubleTensorType``) and in float32 otherwise, as
  skl2onnx converts ``MLPRegressor``; the weights are cast to that type;
- the output has shape ``(n_samples, n_outputs)``, also for a model fitted
  on a 1-D ``y`` (``(n_samples, 1)`` where ``predict`` returns
  ``(n_samples,)``), as skl2onnx's regressors have it.

skl2onnx is an optional dependency, imported by this module only:
``pip install "sknn_simple[onnx]"`` installs it and onnxruntime.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    import skl2onnx
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxCast,
        OnnxExp,
        OnnxMatMul,
        OnnxMul,
        OnnxRelu,
        OnnxSigmoid,
        OnnxTanh,
    )
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )
    from skl2onnx.proto import onnx_proto
except ImportError as exc:
    raise ImportError(
        'sknn_simple.onnx needs skl2onnx: pip install "sknn_simple[onnx]"'
    ) from exc

from ._regressor import SimpleMLPRegressor

__all__ = []

#: Name of the operator in skl2onnx's registry.
ALIAS = "SknnSimpleMLPRegressor"

# Each activation's ONNX operator; None: the identity needs no node.
_ONNX_ACTIVATIONS = {
    "identity": None,
    "logistic": OnnxSigmoid,
    "tanh": OnnxTanh,
    "relu": OnnxRelu,
    "exp": OnnxExp,  # Poisson's inverse link, after the identity output
}


def _fitted_network(model):
    """What the graph needs from a fitted model, in float64.

    The one place that reads the model's private fitted state (the hidden
    activation the network was built with, and the target map), so that a
    change to how the estimator stores it changes this function only.

    Returns
    -------
    coefs, intercepts : list of ndarray
    activation, out_activation : str
    y_offset, y_scale : ndarray of shape (n_outputs,) or None
        ``y = output * y_scale + y_offset``; None without target
        normalisation.
    exp_link : bool
        Whether the loss has a log link (Poisson): the prediction is
        ``exp`` of the network's output.
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
    coefs = [np.asarray(coef, dtype=np.float64) for coef in state.coefs]
    intercepts = [np.asarray(b, dtype=np.float64) for b in state.intercepts]
    # The activation the network was fitted with, not get_params()'s, which
    # set_params may have changed since.
    activation = state.network.activation
    offset, scale = state.y_offset, state.y_scale
    if offset is not None:
        offset = np.asarray(offset, dtype=np.float64)
        scale = np.asarray(scale, dtype=np.float64)
    exp_link = state.network.loss_name == "poisson"
    return (
        coefs,
        intercepts,
        activation,
        state.network.output_activation,
        offset,
        scale,
        exp_link,
    )


def _output_type(input_type):
    """The tensor type the graph computes in: float64 stays float64."""
    if isinstance(input_type, DoubleTensorType):
        return DoubleTensorType
    return FloatTensorType


def _calculate_output_shapes(operator):
    """skl2onnx shape calculator: ``[N, n_features] -> [N, n_outputs]``."""
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    check_input_and_output_types(
        operator,
        good_input_types=[
            FloatTensorType,
            DoubleTensorType,
            Int64TensorType,
            BooleanTensorType,
        ],
    )
    model = operator.raw_operator
    coefs = _fitted_network(model)[0]
    input_variable = operator.inputs[0]
    shape = input_variable.type.shape
    if len(shape) == 2 and isinstance(shape[1], int) and shape[1] != coefs[0].shape[0]:
        raise ValueError(
            f"The ONNX input has {shape[1]} features but the model was fitted "
            f"on {coefs[0].shape[0]}."
        )
    n_samples = input_variable.get_first_dimension()
    output_type = _output_type(input_variable.type)
    operator.outputs[0].type = output_type([n_samples, coefs[-1].shape[1]])


def _convert(scope, operator, container):
    """skl2onnx converter: the forward pass and the target map as a graph."""
    coefs, intercepts, activation, out_activation, offset, scale, exp_link = (
        _fitted_network(operator.raw_operator)
    )
    opv = container.target_opset
    input_variable = operator.inputs[0]
    output_names = operator.outputs[:1]
    if _output_type(input_variable.type) is DoubleTensorType:
        dtype, proto_dtype = np.float64, onnx_proto.TensorProto.DOUBLE
    else:
        dtype, proto_dtype = np.float32, onnx_proto.TensorProto.FLOAT

    if exp_link:
        # Poisson's log link, identity output, offset 0:
        # y = exp(h W + b) * scale = exp(h W + b + log(scale)).
        out_activation = "exp"
        if offset is not None:
            intercepts[-1] = intercepts[-1] + np.log(scale)
            offset = scale = None
    elif offset is not None and out_activation == "identity":
        # y = (h W + b) * scale + offset = h (W * scale) + (b * scale + offset)
        coefs[-1] = coefs[-1] * scale
        intercepts[-1] = intercepts[-1] * scale + offset
        offset = scale = None

    layer = input_variable
    if not isinstance(input_variable.type, (FloatTensorType, DoubleTensorType)):
        layer = OnnxCast(layer, to=proto_dtype, op_version=opv)
    n_layers = len(coefs)
    for index, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        last = index == n_layers - 1
        activate = _ONNX_ACTIVATIONS[out_activation if last else activation]
        # The last node of the graph writes the operator's output.
        names = output_names if last and activate is None and offset is None else None
        layer = OnnxAdd(
            OnnxMatMul(layer, coef.astype(dtype), op_version=opv),
            intercept.astype(dtype),
            op_version=opv,
            output_names=names,
        )
        if activate is not None:
            names = output_names if last and offset is None else None
            layer = activate(layer, op_version=opv, output_names=names)
    if offset is not None:
        layer = OnnxAdd(
            OnnxMul(layer, scale.astype(dtype), op_version=opv),
            offset.astype(dtype),
            op_version=opv,
            output_names=output_names,
        )
    layer.add_to(scope, container)


skl2onnx.update_registered_converter(
    SimpleMLPRegressor, ALIAS, _calculate_output_shapes, _convert
)
