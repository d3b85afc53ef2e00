"""
Training on PyTorch tensors
===========================

With scikit-learn's array API dispatch switched on,
:class:`~sknn_simple.SimpleMLPRegressor` trains and predicts on the arrays
it is given: PyTorch tensors stay tensors, on their device (a GPU when
there is one), and so do the fitted weights and the predictions. This
example runs on the GPU when PyTorch sees one and on the CPU otherwise,
and checks that the fit equals the same fit on numpy arrays.

Dispatch needs scipy's array API support, switched on by the environment
variable ``SCIPY_ARRAY_API=1`` before scipy is first imported (here, before
scikit-learn is), and ``sklearn.set_config(array_api_dispatch=True)`` or,
as below, a ``config_context``. See :doc:`/user_guide/gpu_and_array_libraries`.
"""

# %%
# Data, on torch's device
# -----------------------
# Without PyTorch, or with a scikit-learn older than 1.9 (no array API
# support here), say so and stop.
import os
import sys
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")

try:
    import torch
except ImportError:
    sys.exit(
        "This example needs PyTorch. Install its CPU build with: "
        'pip install "sknn_simple[test-torch]" (torch==2.13.0)'
    )

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn import config_context  # noqa: E402
from sklearn.datasets import make_friedman1  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn_simple import SimpleMLPRegressor  # noqa: E402
from sknn_simple._kernels import ARRAY_API_AVAILABLE  # noqa: E402

if not ARRAY_API_AVAILABLE:
    sys.exit(
        "This example needs scikit-learn >= 1.9 for array API support. "
        'Upgrade with: pip install -U "scikit-learn>=1.9"'
    )

device = "cuda" if torch.cuda.is_available() else "cpu"
X, y = make_friedman1(n_samples=2_500, n_features=10, noise=0.5, random_state=0)
X = X.astype(np.float32)  # float32, the GPU's dtype, stays float32
X_train, X_test, y_train, y_test = X[:2000], X[2000:], y[:2000], y[2000:]
X_train_t = torch.asarray(X_train, device=device)
y_train_t = torch.asarray(y_train, device=device)
X_test_t = torch.asarray(X_test, device=device)
y_test_t = torch.asarray(y_test, device=device)
print(f"training on {device}")

# %%
# A pipeline that computes in torch
# ---------------------------------
# :class:`~sklearn.preprocessing.StandardScaler` supports array API input
# too, so the whole pipeline runs where the tensors are.
# A fixed budget of epochs, short for the example: not yet converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
settings = dict(
    hidden_layer_sizes=(32, 32), solver="adam", max_iter=20, alpha=1e-4, random_state=0
)
with config_context(array_api_dispatch=True):
    model = make_pipeline(StandardScaler(), SimpleMLPRegressor(**settings))
    model.fit(X_train_t, y_train_t)
    prediction = model.predict(X_test_t)
    score = model.score(X_test_t, y_test_t)
mlp = model[-1]
print(type(prediction).__name__, prediction.dtype, prediction.device)
print(f"weights: {type(mlp.coefs_[0]).__name__} on {mlp.coefs_[0].device}")
print(f"test R²: {score:.3f}")

# %%
# The same fit on numpy arrays
# ----------------------------
# Same data, starting weights and row order: the two paths compute the same
# steps, so the predictions agree to float32's rounding.
reference = make_pipeline(StandardScaler(), SimpleMLPRegressor(**settings))
reference.fit(X_train, y_train)
difference = np.abs(prediction.cpu().numpy() - reference.predict(X_test)).max()
print(f"largest difference from the numpy fit: {difference:.2e}")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(mlp.loss_curve_, label=f"torch ({device})")
ax.plot(reference[-1].loss_curve_, "--", label="numpy")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
