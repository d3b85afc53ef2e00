"""sknn_simple: neural-network regressor and classifier, scikit-learn estimators."""

from ._classifier import SimpleMLPClassifier
from ._diagnostics import CollapsedFitWarning
from ._plot import LossCurveDisplay
from ._regressor import SimpleMLPRegressor
from ._show_versions import show_versions

__all__ = [
    "CollapsedFitWarning",
    "LossCurveDisplay",
    "SimpleMLPClassifier",
    "SimpleMLPRegressor",
    "show_versions",
]
__version__ = "0.1.0"
