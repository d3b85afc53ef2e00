"""ONNX export: onnxruntime reproduces predict, for every activation, output
activation, number of outputs and target map, alone and in a Pipeline; and
skl2onnx as an optional dependency."""

import importlib
import subprocess
import sys

import numpy as np
import onnxruntime
import pytest
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknn_simple.onnx  # noqa: F401 (registers the converter)
from sknn_simple import SimpleMLPRegressor

# The fits are short on purpose: what they learn does not matter here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:The fitted model predicts almost the same"),
]

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
OUTPUT_ACTIVATIONS = ["identity", "logistic", "tanh"]
# Largest difference between onnxruntime and predict, relative to the spread
# of each target column: float32 as the issue asks, float64 a few roundings.
# (Both sides round in float32 at the scale of the largest intermediate
# value, so columns whose spreads differ by orders of magnitude would need a
# looser float32 bound without normalize_y.)
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}


@pytest.fixture(scope="module")
def data():
    """100 rows, 5 features; three targets on different scales."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(100, 5))
    y = 50 + 20 * np.sin(X[:, 0]) + 5 * X[:, 1] * X[:, 2] + rng.normal(size=100)
    Y = np.column_stack([y, X[:, 3] ** 2, -100 * X[:, 4] + 3 * y])
    return X, Y


def run_onnx(onx, X):
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})[0]


def relative_error(got, expected, y):
    """Max of |got - expected| per column, over the column's spread of y."""
    spread = np.ptp(y.reshape(y.shape[0], -1), axis=0)
    return float(np.max(np.abs(got - expected.reshape(got.shape)) / spread))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("normalize_y", [True, False], ids=["norm", "raw"])
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("output_activation", OUTPUT_ACTIVATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_onnxruntime_matches_predict(
    data, activation, output_activation, n_outputs, normalize_y, dtype
):
    X, Y = data
    X = X.astype(dtype)
    y = Y[:, 0] if n_outputs == 1 else Y
    if not normalize_y and output_activation != "identity":
        # Raw targets a bounded output can reach, so the network learns them.
        y = 0.1 + 0.8 * (y - y.min(axis=0)) / np.ptp(y, axis=0)
    model = SimpleMLPRegressor(
        (8, 6),
        activation,
        output_activation=output_activation,
        normalize_y=normalize_y,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    onx = to_onnx(model, X[:1])
    got = run_onnx(onx, X)
    # Computed in the input's type; 1-D y gives (n, 1), as skl2onnx has it.
    assert got.dtype == dtype
    assert got.shape == (X.shape[0], n_outputs)
    assert relative_error(got, model.predict(X), y) < TOLERANCE[dtype]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("output_activation", OUTPUT_ACTIVATIONS)
def test_pipeline_with_a_scaler_converts(data, output_activation, dtype):
    X, Y = data
    X = 10 * X + 3  # something for the scaler to do
    pipe = make_pipeline(
        StandardScaler(),
        SimpleMLPRegressor(
            output_activation=output_activation, max_iter=30, random_state=0
        ),
    ).fit(X, Y)
    got = run_onnx(to_onnx(pipe, X[:1].astype(dtype)), X.astype(dtype))
    assert got.shape == Y.shape
    assert relative_error(got, pipe.predict(X), Y) < TOLERANCE[dtype]


def test_float64_model_runs_in_float32(data):
    """The common case: fitted on float64, served in float32."""
    X, Y = data
    model = SimpleMLPRegressor(max_iter=30, random_state=0).fit(X, Y)
    X32 = X.astype(np.float32)
    got = run_onnx(to_onnx(model, X32[:1]), X32)
    assert got.dtype == np.float32
    assert relative_error(got, model.predict(X), Y) < TOLERANCE[np.float32]


def test_integer_input_is_cast_to_float32(data):
    X, Y = data
    X_int = np.round(10 * X).astype(np.int64)
    model = SimpleMLPRegressor(max_iter=30, random_state=0).fit(X_int, Y[:, 0])
    onx = to_onnx(model, X_int[:1])
    assert onx.graph.node[0].op_type == "Cast"
    got = run_onnx(onx, X_int)
    assert got.dtype == np.float32
    assert relative_error(got, model.predict(X_int), Y[:, 0]) < 1e-5


@pytest.mark.parametrize(
    "output_activation, extra_nodes",
    [("identity", []), ("logistic", ["Sigmoid", "Mul", "Add"])],
)
def test_target_map_is_folded_into_an_identity_output(
    data, output_activation, extra_nodes
):
    X, Y = data
    model = SimpleMLPRegressor(
        (4,), "tanh", output_activation=output_activation, max_iter=5
    ).fit(X, Y)
    ops = [node.op_type for node in to_onnx(model, X[:1]).graph.node]
    assert ops == ["MatMul", "Add", "Tanh", "MatMul", "Add", *extra_nodes]


def test_the_fitted_activation_is_exported_not_set_params(data):
    X, Y = data
    model = SimpleMLPRegressor(activation="tanh", max_iter=30, random_state=0)
    model.fit(X, Y).set_params(activation="relu")
    onx = to_onnx(model, X[:1])
    ops = {node.op_type for node in onx.graph.node}
    assert "Tanh" in ops and "Relu" not in ops
    got = run_onnx(onx, X)
    assert relative_error(got, model.predict(X), Y) < TOLERANCE[np.float64]


@pytest.mark.parametrize("target_opset", [7, 13])
def test_older_opsets(data, target_opset):
    X, Y = data
    model = SimpleMLPRegressor(output_activation="tanh", max_iter=5).fit(X, Y)
    onx = to_onnx(model, X[:1], target_opset=target_opset)
    assert [opset.version for opset in onx.opset_import] == [target_opset]
    assert relative_error(run_onnx(onx, X), model.predict(X), Y) < 1e-12


@pytest.mark.parametrize("in_pipeline", [False, True], ids=["model", "pipeline"])
def test_unfitted_model_raises_not_fitted(data, in_pipeline):
    X, _ = data
    model = SimpleMLPRegressor()
    if in_pipeline:
        model = make_pipeline(StandardScaler().fit(X), model)
    with pytest.raises(NotFittedError, match="call 'fit' before converting it"):
        to_onnx(model, X[:1])


def test_wrong_number_of_features_raises(data):
    X, Y = data
    model = SimpleMLPRegressor(max_iter=5).fit(X, Y)
    with pytest.raises(ValueError, match="input has 3 features .* fitted on 5"):
        to_onnx(model, initial_types=[("X", FloatTensorType([None, 3]))])


# ------------------------------------------------- skl2onnx is optional
def test_missing_skl2onnx_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # import raises
    monkeypatch.delitem(sys.modules, "sknn_simple.onnx")
    with pytest.raises(ImportError) as excinfo:
        importlib.import_module("sknn_simple.onnx")
    assert str(excinfo.value) == (
        'sknn_simple.onnx needs skl2onnx: pip install "sknn_simple[onnx]"'
    )


def test_importing_the_package_does_not_import_skl2onnx():
    code = (
        "import sys, sknn_simple; "
        "assert 'skl2onnx' not in sys.modules, 'skl2onnx was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
