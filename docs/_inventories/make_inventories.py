"""Write the small intersphinx inventories that ``docs/conf.py`` reads.

The documentation links to scikit-learn, NumPy, SciPy, Python and a few other
projects through :mod:`sphinx.ext.intersphinx`. Intersphinx normally
downloads each project's ``objects.inv``; the docs build runs without network
(CI has none), so this script writes, for each project, an inventory of just
the objects our pages and docstrings reference, with the URLs of the real
websites. ``conf.py`` maps each project to its website and to the file here::

    "sklearn": ("https://scikit-learn.org/stable/", "_inventories/sklearn.inv")

so a link still goes to scikit-learn.org while the inventory is local.

To add a reference, add its full name to the project's list below and
regenerate the files (from the repository root, with the ``docs`` extra
installed)::

    python docs/_inventories/make_inventories.py

then commit the changed ``*.inv`` files. An unknown name is caught twice: the
script imports every Python object it lists (a typo fails here), and the docs
build runs nitpicky, so a reference missing from the lists fails the build.

Each project lays out its pages its own way; the ``*_page`` functions below
follow them: scikit-learn ``modules/generated/<name>.html#<name>``, NumPy
``reference/generated/<name>.html#<name>``, SciPy
``reference/generated/<name>.html#<name>``, and so on.
"""

import importlib
import inspect
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


# -- What the docs reference ----------------------------------------------------
# Python objects by full name; the role (class, function, method...) is found by
# importing them.

SKLEARN = [
    "sklearn.base.BaseEstimator",
    "sklearn.base.ClassifierMixin",
    "sklearn.base.RegressorMixin",
    "sklearn.base.clone",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration.CalibrationDisplay",
    "sklearn.callback",
    "sklearn.callback.FitCallback",
    "sklearn.callback.ProgressBar",
    "sklearn.callback.ScoringMonitor",
    "sklearn.compose.TransformedTargetRegressor",
    "sklearn.datasets.load_diabetes",
    "sklearn.datasets.make_classification",
    "sklearn.datasets.make_friedman1",
    "sklearn.datasets.make_moons",
    "sklearn.ensemble.HistGradientBoostingRegressor",
    "sklearn.exceptions.ConvergenceWarning",
    "sklearn.exceptions.DataConversionWarning",
    "sklearn.exceptions.NotFittedError",
    "sklearn.linear_model.HuberRegressor",
    "sklearn.linear_model.LinearRegression",
    "sklearn.linear_model.RidgeCV",
    "sklearn.metrics.PredictionErrorDisplay",
    "sklearn.metrics.brier_score_loss",
    "sklearn.metrics.log_loss",
    "sklearn.metrics.mean_pinball_loss",
    "sklearn.metrics.mean_poisson_deviance",
    "sklearn.metrics.r2_score",
    "sklearn.model_selection.GridSearchCV",
    "sklearn.model_selection.cross_validate",
    "sklearn.model_selection.train_test_split",
    "sklearn.multioutput.MultiOutputClassifier",
    "sklearn.multioutput.MultiOutputRegressor",
    "sklearn.neural_network.MLPClassifier",
    "sklearn.neural_network.MLPRegressor",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.make_pipeline",
    "sklearn.preprocessing.LabelEncoder",
    "sklearn.preprocessing.StandardScaler",
    "sklearn.set_config",
    "sklearn.utils.estimator_checks.check_estimator",
    "sklearn.utils.estimator_checks.parametrize_with_checks",
    "sklearn.utils.metadata_routing.MetadataRequest",
]
# Labels (:ref:) and glossary terms (:term:) used by the docstrings that the
# estimators inherit from scikit-learn: (name, page#anchor, title).
SKLEARN_LABELS = [
    (
        "accuracy_score",
        "modules/model_evaluation.html#accuracy-score",
        "Accuracy score",
    ),
    ("metadata_routing", "metadata_routing.html#metadata-routing", "Metadata Routing"),
    (
        "r2_score",
        "modules/model_evaluation.html#r2-score",
        "R² score, the coefficient of determination",
    ),
]
SKLEARN_TERMS = [
    ("meta-estimator", "glossary.html#term-meta-estimator"),
]

NUMPY = [
    "numpy.load",
    "numpy.memmap",
    "numpy.ndarray",
    "numpy.random.RandomState",
    "numpy.seterr",
]

SCIPY = [
    "scipy.optimize.approx_fprime",
    "scipy.optimize.check_grad",
    "scipy.optimize.minimize",
    "scipy.sparse.csc_matrix",
    "scipy.sparse.csr_matrix",
]

PYTHON = [
    "KeyboardInterrupt",
    "multiprocessing",
    "pickle",
    "warnings.catch_warnings",
    "warnings.filterwarnings",
]

MATPLOTLIB = [
    "matplotlib.axes.Axes",
    "matplotlib.axes.Axes.plot",
    "matplotlib.figure.Figure",
    "matplotlib.lines.Line2D",
]

PANDAS = [
    "pandas.DataFrame",
]

JOBLIB = [
    "joblib",
    "joblib.Parallel",
    "joblib.parallel_config",
]

DASK = [
    "dask.array.from_array",
]

DISTRIBUTED = [
    "distributed.Client",
    "distributed.LocalCluster",
]


# -- Where each project puts its pages ------------------------------------------
def sklearn_page(name, role):
    if role == "py:module":
        return f"api/{name}.html#module-{name}"
    if role in ("py:method", "py:attribute", "py:property"):
        return f"modules/generated/{name.rsplit('.', 1)[0]}.html#{name}"
    return f"modules/generated/{name}.html#{name}"


def numpy_page(name, role):
    if name == "numpy.random.RandomState":
        return f"reference/random/legacy.html#{name}"
    return f"reference/generated/{name}.html#{name}"


def scipy_page(name, role):
    return f"reference/generated/{name}.html#{name}"


def python_page(name, role):
    if role == "py:exception":
        return f"library/exceptions.html#{name}"
    if role == "py:module":
        return f"library/{name}.html#module-{name}"
    module = name.split(".", 1)[0]
    return f"library/{module}.html#{name}"


def matplotlib_page(name, role):
    return f"api/_as_gen/{name}.html#{name}"


def pandas_page(name, role):
    return f"reference/api/{name}.html#{name}"


def joblib_page(name, role):
    if role == "py:module":
        return f"index.html#module-{name}"
    return f"generated/{name}.html#{name}"


def dask_page(name, role):
    return f"generated/{name}.html#{name}"


def distributed_page(name, role):
    return f"api.html#{name}"


# file stem -> (project name, module whose version is recorded, names, page)
PROJECTS = {
    "sklearn": ("scikit-learn", "sklearn", SKLEARN, sklearn_page),
    "numpy": ("NumPy", "numpy", NUMPY, numpy_page),
    "scipy": ("SciPy", "scipy", SCIPY, scipy_page),
    "python": ("Python", None, PYTHON, python_page),
    "matplotlib": ("Matplotlib", "matplotlib", MATPLOTLIB, matplotlib_page),
    "pandas": ("pandas", "pandas", PANDAS, pandas_page),
    "joblib": ("joblib", "joblib", JOBLIB, joblib_page),
    "dask": ("Dask", "dask", DASK, dask_page),
    "distributed": ("Dask.distributed", "distributed", DISTRIBUTED, distributed_page),
}


def resolve(name):
    """Import ``name`` and return ``(object, parent)``; fail loudly if absent."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            if module_name == "builtins":
                raise
            continue
        parent = None
        for attribute in parts[split:]:
            parent, obj = obj, inspect.getattr_static(obj, attribute)
        return obj, parent
    import builtins

    return getattr(builtins, name), builtins


def role_of(name):
    """The Python-domain role Sphinx gives the object called ``name``."""
    obj, parent = resolve(name)
    if inspect.ismodule(obj):
        return "py:module"
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if inspect.isclass(parent):
        if isinstance(obj, (classmethod, staticmethod)) or callable(obj):
            return "py:method"
        return "py:property" if hasattr(obj, "__get__") else "py:attribute"
    if callable(obj):
        return "py:function"
    return "py:data"


def inventory_lines(stem, names, page):
    lines = []
    for name in names:
        role = role_of(name)
        # "-" as display name: the object's own name is shown.
        lines.append(f"{name} {role} 1 {page(name, role)} -")
    if stem == "sklearn":
        for label, uri, title in SKLEARN_LABELS:
            lines.append(f"{label} std:label -1 {uri} {title}")
        for term, uri in SKLEARN_TERMS:
            lines.append(f"{term} std:term -1 {uri} -")
    return sorted(lines)


def write_inventory(path, project, version, lines):
    """Write a Sphinx inventory, version 2: a header, then zlib-compressed lines
    ``name domain:role priority uri display-name``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(line + "\n" for line in lines).encode("utf-8")
    path.write_bytes(header.encode("utf-8") + zlib.compress(body, 9))


def check_inventory(path, url, expected):
    """Read the file back with Sphinx's own reader, as intersphinx will."""
    from sphinx.util.inventory import InventoryFile

    inventory = InventoryFile.loads(path.read_bytes(), uri=url)
    found = sum(len(objects) for objects in inventory.data.values())
    if found != expected:
        raise RuntimeError(f"{path.name}: wrote {expected} entries, read {found}")


def main():
    for stem, (project, module, names, page) in PROJECTS.items():
        version = f"{sys.version_info.major}"
        if module is not None:
            version = importlib.import_module(module).__version__
            version = ".".join(version.split(".")[:2])
        lines = inventory_lines(stem, names, page)
        path = HERE / f"{stem}.inv"
        write_inventory(path, project, version, lines)
        check_inventory(path, "https://example.invalid/", len(lines))
        print(f"{path.name}: {len(lines)} entries")


if __name__ == "__main__":
    main()
