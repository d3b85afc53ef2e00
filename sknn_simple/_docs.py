"""Where the documentation lives, in one place.

Decision: the documentation is to be hosted on GitHub Pages under the
project's name, ``https://sknn-simple.github.io/sknn_simple/``, built from
``docs/`` by ``sphinx-build`` (the ``docs`` extra) and published as it is
(``docs/_build/html``). It is the latest release's documentation; there is
one version. The API pages are ``generated/sknn_simple.<Class>.html`` under
it (autosummary, ``docs/api.rst``).

The notebook's HTML repr of an estimator links here (the "?" icon and the
parameter tooltips, from scikit-learn's ``_doc_link_module`` and
``_doc_link_template``), and so do ``[project.urls]`` in pyproject.toml
(tests/test_docs_link.py checks that they agree). Change the address here.
"""

DOCS_URL = "https://sknn-simple.github.io/sknn_simple/"

# scikit-learn fills in {estimator_module} (the public module, "sknn_simple")
# and {estimator_name} (the class name).
API_PAGE_TEMPLATE = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"
