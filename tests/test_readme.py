"""Every Python snippet of README.md runs on its own, as a reader would paste it.

Each ```` ```python ```` block runs in a fresh interpreter (matplotlib's Agg
backend, so ``plt.show()`` returns at once) in an empty folder: it must bring
its own imports and data, exit cleanly without a warning, and print what it
shows. The good practice the README teaches is checked too: features are
scaled before a network fits them, a block that plots ends with
``plt.show()``, and the install commands create a virtual environment first.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", TEXT, flags=re.S | re.M)
BASH_BLOCKS = re.findall(r"^```bash\n(.*?)^```", TEXT, flags=re.S | re.M)
HAS_CALLBACKS = importlib.util.find_spec("sklearn.callback") is not None


def _block_id(block):
    """A readable test id: the block's first line of code."""
    first = next(
        line for line in block.splitlines() if line and not line.startswith("#")
    )
    return re.sub(r"\W+", "_", first)[:40]


def test_the_readme_has_python_snippets():
    assert len(PYTHON_BLOCKS) >= 3


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=map(_block_id, PYTHON_BLOCKS))
def test_snippet_runs_on_its_own(block, tmp_path):
    if "sklearn.callback" in block and not HAS_CALLBACKS:
        # The README says callbacks need scikit-learn >= 1.9; CI's
        # minimum-versions run has 1.6.
        pytest.skip("needs scikit-learn's callback API (>= 1.9)")
    script = tmp_path / "snippet.py"
    script.write_text(block, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)  # only what a user's installed environment has
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    # Labelled output: at least one line "label: value".
    assert re.search(r"^[^\n:]+: \S", result.stdout, flags=re.M), result.stdout


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=map(_block_id, PYTHON_BLOCKS))
def test_snippet_scales_the_features_and_shows_its_plots(block):
    if ".fit(" in block:
        assert "StandardScaler()" in block, "fit a network on scaled features"
    if "plt" in block or "Display" in block:
        last = [line for line in block.splitlines() if line.strip()][-1]
        assert last == "plt.show()"


def test_install_commands_create_a_virtual_environment_first():
    commands = "\n".join(
        line for line in BASH_BLOCKS[0].splitlines() if not line.startswith("#")
    )
    assert "python3 -m venv" in commands and "activate" in commands
    assert commands.index("python3 -m venv") < commands.index("pip install")
