"""Test-session setup shared by tests/ and the doctests in sknn_simple/."""

import os

# scikit-learn's check_array_api_input runs only with scipy's array API support
# switched on, which must happen before scipy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
