"""Sphinx configuration of the sknn_simple documentation.

Build it, from the repository root, with warnings as errors::

    pip install -e ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

The build runs every ``examples/plot_*.py`` script (sphinx-gallery) and needs
no network: the intersphinx inventories of the projects we link to are small
local files in ``docs/_inventories/`` (see ``make_inventories.py`` there).
"""

import os

# Examples draw with matplotlib off-screen, also in the worker processes a
# Dask example starts (they inherit the environment).
os.environ.setdefault("MPLBACKEND", "Agg")
# examples/plot_array_api_torch.py: scikit-learn's array API dispatch needs
# scipy's array API support, switched on before scipy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import sphinx_gallery  # noqa: E402
from packaging.version import Version  # noqa: E402 (a dependency of Sphinx)
from sphinx_gallery.sorting import ExplicitOrder  # noqa: E402

import sknn_simple  # noqa: E402

# -- Project ------------------------------------------------------------------
project = "sknn_simple"
author = "the sknn_simple developers"
copyright = "2026, the sknn_simple developers"
release = sknn_simple.__version__
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax itself, copied into _static/mathjax/ at the end of the build,
    # so formulas render without a network (the docs extra installs it;
    # .ci/check_offline_docs.py fails the build when a page loads anything
    # from the network).
    "sphinx-mathjax-offline",
    "matplotlib.sphinxext.plot_directive",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "_inventories", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"
# Every cross-reference must resolve: a typo in a class name fails the build.
nitpicky = True

# -- API reference --------------------------------------------------------------
# Pages for the classes in api.rst, from _templates/autosummary/class.rst:
# every method, those inherited from scikit-learn included.
autosummary_generate = True
autodoc_typehints = "none"
# "On this page" names methods as fit(), not SimpleMLPRegressor.fit(): the
# long form did not fit the right-hand column and was cut.
toc_object_entries_show_parents = "hide"
# numpydoc would list every method a second time next to autosummary's pages.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False

# -- Links to other projects ----------------------------------------------------
# Links point at the projects' websites, but the inventories (objects.inv) are
# read from small local files, so the build never touches the network.
# docs/_inventories/make_inventories.py writes them: add a name there when the
# docs or a docstring start to reference a new object of these projects.
intersphinx_mapping = {
    name: (url, f"_inventories/{name}.inv")
    for name, url in {
        "python": "https://docs.python.org/3/",
        "numpy": "https://numpy.org/doc/stable/",
        "scipy": "https://docs.scipy.org/doc/scipy/",
        "sklearn": "https://scikit-learn.org/stable/",
        "matplotlib": "https://matplotlib.org/stable/",
        "joblib": "https://joblib.readthedocs.io/en/stable/",
        "dask": "https://docs.dask.org/en/stable/",
        "distributed": "https://distributed.dask.org/en/stable/",
        "pandas": "https://pandas.pydata.org/docs/",
    }.items()
}

# -- Figures drawn from code in the user guide (``.. plot::``) ------------------
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

# -- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknn_simple {release}"
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_sidebars = {"index": [], "getting_started": [], "benchmarks": [], "changelog": []}
# Fixes for what the theme cuts off: long method names in the right-hand
# table of contents, code and output wider than the text column.
html_static_path = ["_static"]
html_css_files = ["sknn_simple.css"]

# -- Gallery --------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Execute every example: all are named plot_*.py. A script that does not
    # match would be shown without being run, so its output could go stale.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "image_scrapers": ("matplotlib",),
    # In the order a reader meets them: the quick start first, then the
    # comparison and the lesson, then one feature per example. An example not
    # listed here goes after these ("*").
    "within_subsection_order": ExplicitOrder(
        [
            "plot_quickstart.py",
            "plot_vs_mlpregressor.py",
            "plot_classification.py",
            "plot_blog_network.py",
            "plot_solvers.py",
            "plot_early_stopping.py",
            "plot_callbacks.py",
            "plot_gradient_check.py",
            "plot_out_of_core.py",
            "plot_dask_grid_search.py",
            "plot_onnx_export.py",
            "plot_array_api_torch.py",
            "*",
        ]
    ),
    "doc_module": ("sknn_simple",),
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "show_memory": False,
    # No "computation times" pages: they load jQuery and DataTables from a CDN,
    # which an offline reader cannot reach (.ci/check_offline_docs.py).
    "write_computation_times": False,
}
# Before sphinx-gallery 0.22, names in the examples' code link to these pages
# only with this option; 0.22 resolves them by itself and deprecates it.
if Version(sphinx_gallery.__version__) < Version("0.22"):
    sphinx_gallery_conf["reference_url"] = {"sknn_simple": None}
