"""sknn_simple: a neural-network regressor that is a scikit-learn estimator."""

from ._regressor import SimpleMLPRegressor

__all__ = ["SimpleMLPRegressor"]
__version__ = "0.1.0"
