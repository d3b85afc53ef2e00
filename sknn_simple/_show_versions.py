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


def _aligned(info, width):
    """One ``key: value`` line per entry, the keys right-aligned to ``width``."""
    return "\n".join(f"{key:>{width}}: {value}" for key, value in info.items())


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
    # threadpoolctl only lists the libraries already loaded. The package's
    # own imports load numpy's BLAS and scikit-learn's OpenMP; importing
    # scipy.linalg makes sure scipy's BLAS, which a fit uses, is among them.
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    from . import __version__

    system = {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }
    versions = {"sknn_simple": __version__}
    versions.update((name, _package_version(name)) for name in DEPENDENCIES)
    settings = {
        name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ
    }
    print(f"\nSystem:\n{_aligned(system, 10)}")
    print(f"\nPython dependencies:\n{_aligned(versions, 14)}")
    print("\nThread settings in the environment:")
    print(_aligned(settings, 22) or "    none set")
    print("\nthreadpoolctl info (BLAS and OpenMP thread pools):")
    pools = [_aligned(pool, 15) for pool in threadpool_info()]
    print("\n\n".join(pools) or "    none found")
