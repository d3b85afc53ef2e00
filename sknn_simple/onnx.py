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
    from skl2onnx.algebra import onnx_ops
    from skl2onnx.common import shape_calculator
    from skl2onnx.common.data_types import guess_numpy_type
except ImportError as exc:
    raise ImportError(
        'sknn_simple.onnx needs skl2onnx: pip install "sknn_simple[onnx]"'
    ) from exc

from ._regressor import SimpleMLPRegressor

__all__ = []

#: Name of the operator in skl2onnx's registry.
ALIAS = "SknnSimpleMLPRegressor"

# Each activation's ONNX operator (exp: Poisson's inverse link, after the
# identity output); the identity needs none.
_ACTIVATION_OPS = {"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "exp": "Exp"}


def _fitted_network(model):
    """The operations the graph computes for a fitted model, in float64.

    The one place that reads the model's private fitted state (the weights,
    the hidden activation the network was built with, and the target map),
    so that a change to how the estimator stores it changes this function
    only.

    The target map ``y = output * y_scale + y_offset`` costs no node where it
    can be folded into the last layer: after the identity output,
    ``h (W * scale) + (b * scale + offset)``; after Poisson's ``exp`` (whose
    offset is 0), ``exp(h W + b + log(scale))``. After a bounded output
    activation (logistic, tanh) it is a ``Mul`` and an ``Add``.

    Parameters
    ----------
    model : SimpleMLPRegressor
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


def _calculate_output_shapes(operator):
    """skl2onnx shape calculator: ``[N, n_features] -> [N, n_outputs]``.

    skl2onnx's calculator for linear regressors checks the input and picks
    the output type, as for ``MLPRegressor``: float64 for a float64 input,
    float32 otherwise; the output has one column per target.
    """
    shape_calculator.calculate_linear_regressor_output_shapes(operator)
    model = operator.raw_operator
    _fitted_network(model)  # raises if the model cannot be converted
    shape, n_features = operator.inputs[0].type.shape, model.n_features_in_
    if len(shape) == 2 and isinstance(shape[1], int) and shape[1] != n_features:
        raise ValueError(
            f"The ONNX input has {shape[1]} features but the model was fitted "
            f"on {n_features}."
        )
    operator.outputs[0].type.shape[1] = model.n_outputs_


def _convert(scope, operator, container):
    """skl2onnx converter: the forward pass and the target map as a graph."""
    steps = _fitted_network(operator.raw_operator)
    opv = container.target_opset
    dtype = guess_numpy_type(operator.outputs[0].type)
    node = operator.inputs[0]
    # An integer or boolean input is cast to the float type the graph computes in.
    if guess_numpy_type(node.type) != dtype:
        node = onnx_ops.OnnxCast(node, to=dtype, op_version=opv)
    for index, (op_type, operand) in enumerate(steps):
        inputs = [node] if operand is None else [node, operand.astype(dtype)]
        # The last node of the graph writes the operator's output.
        names = operator.outputs[:1] if index == len(steps) - 1 else None
        onnx_operator = getattr(onnx_ops, f"Onnx{op_type}")
        node = onnx_operator(*inputs, op_version=opv, output_names=names)
    node.add_to(scope, container)


skl2onnx.update_registered_converter(
    SimpleMLPRegressor, ALIAS, _calculate_output_shapes, _convert
)
