"""``sknn_simple.show_versions()``: what a bug report needs.

The version numbers are read from the installed packages' metadata, so an
optional dependency is never imported (and one that is missing shows as
``None``). The thread pools come from threadpoolctl: which BLAS (OpenBLAS,
MKL, ...) and OpenMP runtimes numpy, scipy and scikit-learn loaded, and how
many threads each may use, since that decides both speed and, for the last
digits, results.
"""

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

# Required first, then the optional extras' packages (plot, progress, dask,
# notebook, onnx, skops), then the build tools.
DEPENDENCIES = (
    "scikit-learn",
    "numpy",
    "scipy",
    "threadpoolctl",
    "joblib",
    "matplotlib",
    "rich",
    "ipywidgets",
    "pandas",
    "dask",
    "distributed",
    "skl2onnx",
    "onnxruntime",
    "skops",
    "pip",
    "setuptools",
)

# Environment variables that set or change those thread pools.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "OPENBLAS_CORETYPE",
)


def _package_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _system_info():
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _dependencies_info():
    from . import __version__

    info = {"sknn_simple": __version__}
    info.update((name, _package_version(name)) for name in DEPENDENCIES)
    return info


def _threadpool_info():
    # Importing numpy and scipy's BLAS first makes threadpoolctl see the
    # libraries a fit uses (it only lists libraries already loaded).
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import sklearn  # noqa: F401
    from threadpoolctl import threadpool_info

    return threadpool_info()


def show_versions():
    """Print the versions and thread settings a bug report needs.

    Prints Python and the platform, the versions of sknn_simple and of its
    required and optional dependencies (``None`` when one is not
    installed), the thread-count variables set in the environment
    (``OMP_NUM_THREADS`` and the like), and threadpoolctl's view of the BLAS
    and OpenMP thread pools: which library, its version, its threading layer
    and ``num_threads``.
    Paste the output into the report.

    Examples
    --------
    >>> import sknn_simple
    >>> sknn_simple.show_versions()  # doctest: +ELLIPSIS
    <BLANKLINE>
    System:
        python: ...
    <BLANKLINE>
    Python dependencies:
       sknn_simple: ...
    """
    print("\nSystem:")
    for key, value in _system_info().items():
        print(f"{key:>10}: {value}")

    print("\nPython dependencies:")
    for key, value in _dependencies_info().items():
        print(f"{key:>14}: {value}")

    print("\nThread settings in the environment:")
    settings = {
        name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ
    }
    if not settings:
        print("    none set")
    for key, value in settings.items():
        print(f"{key:>22}: {value}")

    pools = _threadpool_info()
    print("\nthreadpoolctl info (BLAS and OpenMP thread pools):")
    if not pools:
        print("    none found")
    for i, pool in enumerate(pools):
        if i:
            print()
        for key, value in pool.items():
            print(f"{key:>15}: {value}")
