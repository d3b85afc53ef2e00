"""Test-session setup shared by tests/ and the doctests in sknn_simple/."""

import importlib.util
import os

# scikit-learn's check_array_api_input runs only with scipy's array API support
# switched on, which must happen before scipy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


# tests/test_callbacks.py exercises sklearn.callback, new in scikit-learn 1.9.
# On older releases (the minimum-versions CI run) the estimator has no
# callback support, which tests/test_versions.py checks instead.
collect_ignore = (
    [] if importlib.util.find_spec("sklearn.callback") else ["tests/test_callbacks.py"]
)
