"""sknn_simple: a neural-network regressor that is a scikit-learn estimator."""

from ._plot import LossCurveDisplay
from ._regressor import SimpleMLPRegressor

__all__ = ["LossCurveDisplay", "SimpleMLPRegressor"]
__version__ = "0.1.0"
