"""The main job of the README: ``python -m sknn_simple``."""

import re
import subprocess
import sys


def test_main_job_prints_held_out_r2_and_fit_time_next_to_mlpregressor():
    result = subprocess.run(
        [sys.executable, "-m", "sknn_simple"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = {
        match["model"]: float(match["r2"])
        for match in re.finditer(
            r"^\| (?P<model>[^|]+?) \| (?P<r2>-?\d+\.\d+) \| \d+\.\d+ \|",
            result.stdout,
            flags=re.MULTILINE,
        )
    }
    assert set(rows) == {
        "SimpleMLPRegressor()",
        "MLPRegressor, same settings",
        "MLPRegressor()",
        "RidgeCV() (linear baseline)",
    }
    # Raw diabetes targets: target normalisation is what makes ours learn.
    assert rows["SimpleMLPRegressor()"] > 0.2
    assert rows["SimpleMLPRegressor()"] > rows["MLPRegressor, same settings"]
    assert "Traceback" not in result.stderr
    # The numbers mean something next to a linear model.
    assert rows["RidgeCV() (linear baseline)"] > 0.2
    # The timings say which thread settings they ran with.
    assert re.search(r"^Threads during the timings .*BLAS.* \d+", result.stdout, re.M)


def test_help_prints_usage_and_runs_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "sknn_simple", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.startswith("usage: python -m sknn_simple")
    assert "RidgeCV" in result.stdout and "show_versions" in result.stdout
    assert "| model |" not in result.stdout  # nothing was fitted


def test_an_unknown_argument_is_an_error_not_a_run():
    result = subprocess.run(
        [sys.executable, "-m", "sknn_simple", "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr
    assert "| model |" not in result.stdout
