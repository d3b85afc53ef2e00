"""scikit-learn's estimator checks, all of them, on the default parameters, with no
expected failures."""

import importlib.util
import os

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn_simple import SimpleMLPClassifier, SimpleMLPRegressor


def _check_name(check):
    return getattr(check, "func", check).__name__


def _device_available(namespace, device):
    """Whether arrays of ``namespace`` on ``device`` can be made here."""
    if namespace in (None, "numpy", "array_api_strict"):
        return namespace is None or importlib.util.find_spec(namespace) is not None
    if importlib.util.find_spec(namespace) is None:
        return False
    if namespace != "torch":
        return False  # cupy and dpnp need a GPU or an Intel device
    import torch

    return {
        "cpu": lambda: True,
        "cuda": torch.cuda.is_available,
        "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available(),
        "mps": lambda: (
            torch.backends.mps.is_available()
            and os.environ.get("PYTORCH_ENABLE_MPS_FALLBACK") == "1"
        ),
    }.get(device, lambda: False)()


def _runnable_here(check):
    """False for an array API check of a library or device this machine
    lacks (CuPy, dpnp, CUDA, MPS, XPU), which scikit-learn would only skip."""
    keywords = getattr(check, "keywords", {})
    if "array_namespace" in keywords:
        return _device_available(
            keywords["array_namespace"], keywords.get("device_name")
        )
    pairs = [value for value in keywords.values() if hasattr(value, "xp")]
    return all(_device_available(pair.xp, pair.device) for pair in pairs)


def runnable_checks(estimators, **kwargs):
    """``parametrize_with_checks(estimators, **kwargs)`` without the cases
    :func:`_runnable_here` rules out, as a list: scikit-learn < 1.9 hands
    pytest a generator of cases, which pytest 10 will refuse."""
    checks = parametrize_with_checks(estimators, **kwargs)
    cases = [case for case in checks.args[1] if _runnable_here(case[1])]
    return pytest.mark.parametrize(checks.args[0], cases, **checks.kwargs)


sklearn_checks = runnable_checks([SimpleMLPRegressor(), SimpleMLPClassifier()])
_CASES = sklearn_checks.args[1]


@sklearn_checks
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_compatible_estimator(estimator, check):
    # The defaults, as a user gets them: no check is handed other parameters.
    # The sample-weight equivalence checks pass because a fit on up to 10,000
    # rows trains on the distinct rows (see sknn_simple._rows).
    check(estimator)


def test_array_api_checks_run_on_every_library_installed_here():
    """Leaving out the unavailable devices must not leave out these, for
    either estimator."""
    kept = {}
    for estimator, check in _CASES:
        if _check_name(check) == "check_array_api_input":
            namespace = getattr(check, "keywords", {}).get("array_namespace")
            kept.setdefault(type(estimator).__name__, set()).add(namespace)
    if not kept:
        pytest.skip("this scikit-learn runs no array API checks (< 1.9)")
    expected = {"numpy", "array_api_strict", "torch"}
    installed = {name for name in expected if importlib.util.find_spec(name)}
    assert set(kept) == {"SimpleMLPRegressor", "SimpleMLPClassifier"}
    for namespaces in kept.values():
        assert installed <= namespaces
