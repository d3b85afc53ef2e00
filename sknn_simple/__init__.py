"""sknn_simple: a neural-network regressor that is a scikit-learn estimator."""

from ._diagnostics import CollapsedFitWarning
from ._plot import LossCurveDisplay
from ._regressor import SimpleMLPRegressor
from ._show_versions import show_versions

__all__ = [
    "CollapsedFitWarning",
    "LossCurveDisplay",
    "SimpleMLPRegressor",
    "show_versions",
]
__version__ = "0.1.0"
