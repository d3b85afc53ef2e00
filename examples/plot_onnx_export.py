"""
Deploy a fitted network: ONNX export and safe loading with skops
=================================================================

Two ways to take a fitted :class:`~sknn_simple.SimpleMLPRegressor` out of
the notebook it was trained in:

1. **ONNX**, to serve predictions without Python's scientific stack: any
   ONNX runtime (here `onnxruntime <https://onnxruntime.ai>`_) evaluates the
   exported graph. Importing ``sknn_simple.onnx`` teaches
   `skl2onnx <https://onnx.ai/sklearn-onnx/>`_ the estimator, so
   ``skl2onnx.to_onnx`` converts it, and pipelines that contain it, like
   any scikit-learn model.
2. **skops**, to share the model as a file that loads without running
   arbitrary code: unlike a pickle, a ``.skops`` file only builds the types
   the person loading it agrees to trust, and a fitted network needs at most
   three of them.

It needs ``pip install "sknn_simple[onnx,skops]"``.
"""

# %%
# A model to deploy
# -----------------
# A scaler and a network in a pipeline, trained on the diabetes data: one
# hidden layer of 10 sigmoid units and a strong L2 penalty, which suit so
# few noisy rows (see :ref:`sphx_glr_auto_examples_plot_quickstart.py`).
# The targets run from 25 to 346; the network learns them standardised
# (``normalize_y=True``), and the export keeps that map.
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor

try:
    import onnxruntime
    import skops.io as sio
    from skl2onnx import to_onnx

    import sknn_simple.onnx  # noqa: F401 (registers the converter with skl2onnx)
except ImportError:
    sys.exit(
        "This example needs skl2onnx, onnxruntime and skops. Install them with:\n"
        '    pip install "sknn_simple[onnx,skops]"'
    )

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    StandardScaler(), SimpleMLPRegressor((10,), alpha=10.0, random_state=0)
)
model.fit(X_train, y_train)
print(f"Test R²: {model.score(X_test, y_test):.3f}")

# %%
# Export to ONNX
# --------------
# ``to_onnx`` reads the input's type and shape from a sample
# row. A float32 row gives a float32 graph, the usual choice for serving; a
# float64 row gives a float64 one. The scaler becomes a ``Scaler`` node, each
# layer a ``MatMul`` and an ``Add`` followed by its activation, and the
# target map is folded into the last layer's weights, so it costs no node.
onx = to_onnx(model, X_train[:1].astype(np.float32))
print(" -> ".join(node.op_type for node in onx.graph.node))

scratch = tempfile.TemporaryDirectory(prefix="sknn-deploy-")
onnx_path = Path(scratch.name) / "model.onnx"
onnx_path.write_bytes(onx.SerializeToString())
print(f"{onnx_path.name}: {onnx_path.stat().st_size} bytes")

# %%
# Predict with onnxruntime
# ------------------------
# The runtime needs only the file. Its output has one column per target,
# ``(n_samples, 1)`` here, where ``predict`` of a model fitted on a 1-D ``y``
# returns ``(n_samples,)``: skl2onnx's regressors all have that shape.
session = onnxruntime.InferenceSession(
    str(onnx_path), providers=["CPUExecutionProvider"]
)
input_name = session.get_inputs()[0].name
onnx_pred = session.run(None, {input_name: X_test.astype(np.float32)})[0]
print(f"ONNX output: {onnx_pred.dtype}, shape {onnx_pred.shape}")

expected = model.predict(X_test)
error32 = np.abs(onnx_pred.ravel() - expected).max() / np.ptp(y)
print(f"float32 graph, largest difference / spread of y: {error32:.1e}")

# The float64 graph follows predict to the last few roundings.
onx64 = to_onnx(model, X_train[:1])
session64 = onnxruntime.InferenceSession(
    onx64.SerializeToString(), providers=["CPUExecutionProvider"]
)
onnx_pred64 = session64.run(None, {input_name: X_test})[0]
error64 = np.abs(onnx_pred64.ravel() - expected).max() / np.ptp(y)
print(f"float64 graph, largest difference / spread of y: {error64:.1e}")

# %%
# The float32 differences are float32 rounding: consecutive float32 numbers
# between 25 and 346 (the range of y) are 2e-6 to 3e-5 apart.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.scatter(expected, onnx_pred.ravel() - expected, s=12)
ax.axhline(0, color="gray", linewidth=0.8)
ax.set_xlabel("SimpleMLPRegressor.predict")
ax.set_ylabel("onnxruntime (float32) − predict")
ax.set_title("ONNX export: difference per test row")

# %%
# Share the model with skops
# --------------------------
# ``skops.io.dump`` writes the fitted pipeline without pickle.
# ``skops.io.get_untrusted_types`` lists the types in the file that skops
# does not trust by default; whoever loads the file reads the list and passes
# the types they accept. For this L-BFGS model it is the estimator and its
# network; a model trained with ``"adam"`` or ``"sgd"`` adds its optimizer
# (:doc:`/user_guide/deployment` gives the exact lists).
skops_path = Path(scratch.name) / "model.skops"
sio.dump(model, skops_path)
untrusted = sio.get_untrusted_types(file=skops_path)
print("\n".join(untrusted))

loaded = sio.load(skops_path, trusted=untrusted)
print("Identical predictions:", np.array_equal(loaded.predict(X_test), expected))

scratch.cleanup()
