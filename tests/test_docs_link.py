"""The docs site's address, the HTML repr's link to it, and the package files."""

import html
import importlib.util
from pathlib import Path

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknn_simple
from sknn_simple import SimpleMLPRegressor
from sknn_simple._docs import API_PAGE_TEMPLATE, DOCS_URL

ROOT = Path(__file__).parents[1]
API_PAGE = DOCS_URL + "generated/sknn_simple.SimpleMLPRegressor.html"


def _has_parameter_tooltips():
    """Whether this scikit-learn's repr shows parameter tooltips (newer ones)."""
    try:
        return importlib.util.find_spec("sklearn.utils._repr_html.common") is not None
    except ModuleNotFoundError:  # no sklearn.utils._repr_html package at all
        return False


HAS_PARAMETER_TOOLTIPS = _has_parameter_tooltips()


def test_the_doc_link_is_the_api_page_of_the_docs_site():
    assert API_PAGE_TEMPLATE.startswith(DOCS_URL)
    assert SimpleMLPRegressor()._get_doc_link() == API_PAGE
    # autosummary writes the class pages to generated/<module>.<Class>.html.
    api = (ROOT / "docs" / "api.rst").read_text()
    assert ":toctree: generated/" in api and "   SimpleMLPRegressor\n" in api


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_the_html_repr_shows_the_question_mark_link(in_pipeline):
    estimator = SimpleMLPRegressor(alpha=3.0)
    if in_pipeline:
        estimator = make_pipeline(StandardScaler(), estimator)
    page = estimator._repr_html_()
    assert f'href="{API_PAGE}"' in page
    assert "Documentation for SimpleMLPRegressor" in page


@pytest.mark.skipif(not HAS_PARAMETER_TOOLTIPS, reason="no tooltips here")
def test_the_html_repr_shows_parameter_tooltips_that_link_to_the_docs():
    page = html.unescape(SimpleMLPRegressor(alpha=3.0)._repr_html_())
    # Each parameter name links to its entry on the API page (a text
    # fragment) and carries its description from the docstring as a tooltip.
    assert f"{API_PAGE}#:~:text=alpha,-float" in page
    assert 'alpha: float or "auto", default="auto"' in page
    assert "hidden_layer_sizes: int or tuple of int" in page


def test_pyproject_points_at_the_same_docs_site():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    with open(ROOT / "pyproject.toml", "rb") as file:
        urls = tomllib.load(file)["project"]["urls"]
    assert urls["Documentation"] == DOCS_URL


def test_citation_file_names_this_version_and_the_docs_site():
    citation = (ROOT / "CITATION.cff").read_text()
    assert f'\nversion: "{sknn_simple.__version__}"\n' in citation
    assert f'\nurl: "{DOCS_URL}"\n' in citation
