"""A real notebook, executed headlessly: what a Jupyter user sees.

``tests/notebooks/smoke.ipynb`` fits a pipeline, runs a small grid search
with scikit-learn's ``ProgressBar`` and plots a loss curve. Run in a Jupyter
kernel (nbclient), rich draws the bar as an ipywidgets widget; without
ipywidgets it printed one warning per fit, dozens for a grid search, and no
bar. The ``notebook`` extra installs what the notebook needs.
"""

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sklearn.callback") is None,
    reason="ProgressBar needs scikit-learn's callback API (>= 1.9)",
)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

NOTEBOOK = Path(__file__).parent / "notebooks" / "smoke.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"
KERNEL_NAME = "sknn-simple-test"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after a run in a kernel of this test's Python."""
    # A kernelspec of our own, so the kernel is this interpreter (the test
    # environment's), never some other "python3" kernel found on the machine,
    # and draws figures inline whatever MPLBACKEND the tests run with.
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    spec_dir = jupyter_path / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "sknn_simple tests",
        "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(jupyter_path)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=120,
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path_factory.mktemp("run"))}},
    )
    try:
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        if previous is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = previous
    return notebook, seconds


def _outputs(notebook):
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]


def _printed(notebook):
    return "".join(
        output.get("text", "")
        for output in _outputs(notebook)
        if output.output_type == "stream" and output.name == "stdout"
    )


def test_the_notebook_runs_in_this_environment(executed):
    notebook, seconds = executed
    assert f"kernel: {sys.executable}" in _printed(notebook)
    assert not [o for o in _outputs(notebook) if o.output_type == "error"]
    assert seconds < 60, f"the notebook took {seconds:.1f} s"


def test_the_notebook_prints_its_scores(executed):
    printed = _printed(executed[0])
    assert "held-out R²: " in printed
    assert "best alpha: " in printed and "best cross-validated R²: " in printed


def test_the_progress_bar_is_one_live_widget_and_there_is_no_spam(executed):
    notebook = executed[0]
    outputs = _outputs(notebook)
    widgets = [o for o in outputs if WIDGET in o.get("data", {})]
    assert len(widgets) == 1, "no progress-bar widget in the notebook's outputs"
    # No warning spam: without ipywidgets, rich warned once per fit in
    # Jupyter, or (here) printed the bars again as a new output at every
    # refresh, 12 times for this search. With the widget, rich adds one
    # static copy of the finished bars, for viewers without widgets.
    assert [o.text for o in outputs if o.get("name") == "stderr"] == []
    static_bars = [
        o
        for o in outputs
        if o.output_type == "display_data" and "text/html" in o.get("data", {})
    ]
    assert len(static_bars) <= 1
    # The widget's saved state shows the search's bar run to its end.
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"][
        "state"
    ]
    drawn = json.dumps(
        [model["state"].get("outputs") for model in state.values()],
        ensure_ascii=False,
    )
    assert "GridSearchCV - fit" in drawn and "100%" in drawn


def test_the_loss_curve_is_drawn_inline(executed):
    images = [o for o in _outputs(executed[0]) if "image/png" in o.get("data", {})]
    assert len(images) == 1
