"""``sknn_simple.show_versions()``: what a bug report needs."""

import os
import re
import subprocess
import sys

import numpy as np
import scipy
import sklearn

import sknn_simple


def test_show_versions_prints_python_packages_and_thread_pools(capsys):
    sknn_simple.show_versions()
    out = capsys.readouterr().out
    assert re.search(r"^ +python: " + re.escape(sys.version.split()[0]), out, re.M)
    assert "machine: " in out
    for name, module in [
        ("sknn_simple", sknn_simple),
        ("scikit-learn", sklearn),
        ("numpy", np),
        ("scipy", scipy),
    ]:
        assert re.search(rf"^ +{name}: {re.escape(module.__version__)}$", out, re.M)
    # threadpoolctl's pools: numpy's and scipy's BLAS at least.
    assert "threadpoolctl info" in out
    assert re.search(r"^ +user_api: blas$", out, re.M)
    assert re.search(r"^ +num_threads: \d+$", out, re.M)


def test_show_versions_reports_thread_settings_and_missing_packages():
    # In a fresh interpreter, with a thread limit set and nothing imported yet.
    code = (
        "import sknn_simple._show_versions as s;"
        "s.DEPENDENCIES = s.DEPENDENCIES + ('no-such-package-sknn',);"
        "s.show_versions()"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    ).stdout
    assert re.search(r"^ +OMP_NUM_THREADS: 1$", out, re.M)
    assert re.search(r"^ *no-such-package-sknn: None$", out, re.M)
    assert re.search(r"^ +user_api: blas$", out, re.M)


def test_show_versions_is_exported():
    assert "show_versions" in sknn_simple.__all__
