"""ONNX export of every loss: the graph predicts what ``predict`` does,
Poisson's exp link included (``tests/test_onnx.py`` covers the rest)."""

import numpy as np
import onnxruntime
import pytest
from skl2onnx import to_onnx

import sknn_simple.onnx  # noqa: F401 (registers the converter)
from sknn_simple import SimpleMLPRegressor
from sknn_simple._losses import REGRESSION_LOSSES

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:The fitted model predicts almost the same"),
]
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}


def _run(onx, X):
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("normalize_y", [True, False], ids=["norm", "raw"])
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_onnxruntime_matches_predict_for_every_loss(
    loss, n_outputs, normalize_y, dtype
):
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(100, 4)).astype(dtype)
    mean = np.exp(np.column_stack([X[:, 0], 0.5 * X[:, 1] - X[:, 2]]))
    Y = rng.poisson(20 * mean).astype(float)  # counts, for every loss
    y = Y[:, 0] if n_outputs == 1 else Y
    model = SimpleMLPRegressor(
        (6,), loss=loss, normalize_y=normalize_y, max_iter=30, random_state=0
    ).fit(X, y)
    got = _run(to_onnx(model, X[:1]), X)
    expected = model.predict(X).reshape(got.shape)
    if loss == "poisson":
        assert (got > 0).all()
    spread = np.ptp(Y[:, :n_outputs], axis=0)
    assert np.max(np.abs(got - expected) / spread) < TOLERANCE[dtype]
