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
    }
    # Raw diabetes targets: target normalisation is what makes ours learn.
    assert rows["SimpleMLPRegressor()"] > 0.2
    assert rows["SimpleMLPRegressor()"] > rows["MLPRegressor, same settings"]
    assert "Traceback" not in result.stderr
