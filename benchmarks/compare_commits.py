"""Was the library slowed down? bench_speed.py on two source trees, interleaved.

Runs sections of ``benchmarks/bench_speed.py`` against an old tree
(``--old``, e.g. the starting commit checked out at /tmp/start) and a new one
(``--new``, by default this checkout) and compares, row by row, the time of
``SimpleMLPRegressor`` ("ours") in the two: fits against MLPRegressor
(``mlp``: configurations a-d, float64 and float32, then the sigmoid kernel
and the peak memory of fit (b)), fits against eager torch (``torch``: at
each thread group) and predict latency from 1 to 1,000,000 rows (``predict``,
the 1-row call included).

Two versions of one package cannot be imported in one process, so each
version runs whole benchmark processes, ``PYTHONPATH=<tree>`` putting that
tree's ``sknn_simple`` ahead of the installed one (a script's directory, not
the working directory, starts ``sys.path``, so PYTHONPATH decides; a check
process prints the ``sknn_simple.__file__`` each tree resolves to). Both use
the new tree's bench_speed.py, so the workload is the same and only the
library differs. The processes are interleaved to spread machine load over
both: in each of ``--rounds`` rounds every section runs once per tree, old
then new in even rounds and new then old in odd ones.

Each run gives, per table row, the median over ``--repeats`` fits (or calls)
of ours and of its contenders. The report gives, per row, the median over
the rounds of those medians, with their min-max, for each tree; new / old,
the ratio of the two medians (above 1: the new tree is slower); "noise":
"within" when the two min-max ranges overlap, otherwise "slower" or
"faster" (with one round: "-"); and contender / ours in each tree (above 1:
ours is faster). A slowdown of ours is a new / old above 1 with the ranges
apart and contender / ours falling to match (the contender's own time did
not change); load on the machine moves both and leaves the ratio. Rows of
a section missing in one tree mean its run failed there (listed above the
table).

Used for the redesign's issue (about 20 minutes on 2 quiet cores)::

    python benchmarks/compare_commits.py --old /tmp/start --rounds 3 \\
        --out benchmarks/results/redesign_speed_2cores.md

Smoke run (1-2 minutes): ``--old /tmp/start --new /tmp/start --rounds 1
--quick --only mlp,torch,predict --configs a --torch-configs tiny --threads
1`` (the ratios should be near 1).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("ours", "SimpleMLPRegressor")
# Contender columns, by the short name the report gives them.
CONTENDERS = {
    "MLPRegressor": "MLPRegressor",
    "torch": "torch",
    "scipy expit ns/element": "expit",
}
# The leading number of a cell and its unit: "243.2 ms (228–251) †", "0.04 s/eval".
VALUE = re.compile(r"([0-9.]+(?:e[+-]?\d+)?)\s*(s|ms|µs|ns)?(/\w+)?")
SCALE = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}
MEMORY = re.compile(r"^- (SimpleMLPRegressor|MLPRegressor): ([0-9.]+) MiB")


def describe_tree(tree):
    """``git rev-parse --short HEAD``, with "+ uncommitted" for a dirty tree."""
    git = ["git", "-C", str(tree)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "not a git checkout"
    if not head:
        return "not a git checkout"
    return f"{head} (working tree + uncommitted)" if dirty else head


def load_average():
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def environment(tree):
    return dict(os.environ, PYTHONPATH=str(tree))


def imported_from(tree):
    """The ``sknn_simple/__init__.py`` a process run with ``PYTHONPATH=tree``
    imports (from an empty directory, as a script in benchmarks/ would)."""
    with tempfile.TemporaryDirectory() as empty:
        path = subprocess.run(
            [sys.executable, "-c", "import sknn_simple; print(sknn_simple.__file__)"],
            env=environment(tree),
            cwd=empty,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    if Path(path).resolve().parent != (Path(tree) / "sknn_simple").resolve():
        sys.exit(f"PYTHONPATH={tree} imports {path}, not that tree's sknn_simple")
    return path


def run_bench(script, tree, section, args):
    """bench_speed.py's stdout for one section on ``tree``, and the error
    that ended it (None if it ran through). Tables printed before a crash
    are kept: the script prints each row as it is measured."""
    command = [sys.executable, str(script), "--only", section]
    command += ["--repeats", str(args.repeats), "--threads", args.threads]
    for option in ("configs", "torch_configs"):
        if getattr(args, option):
            command += ["--" + option.replace("_", "-"), getattr(args, option)]
    command += ["--quick"] * args.quick
    # cwd=tree: the commit bench_speed.py prints is that tree's.
    run = subprocess.run(
        command, env=environment(tree), cwd=tree, capture_output=True, text=True
    )
    error = None
    if run.returncode:
        lines = run.stderr.strip().splitlines() or [f"exit status {run.returncode}"]
        error = lines[-1]
    return run.stdout, error


def parse(output, section):
    """``{(section, row): (ours, {contender: time}, unit, collapsed)}`` from
    bench_speed.py's Markdown: every table with an "ours" column, and the
    peak memory lines. Times in seconds; unit is "", "/eval", "/element" or
    "MiB"."""
    rows, header, memory = {}, None, {}
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if (m := MEMORY.match(line)) is not None:
            memory[m[1]] = float(m[2]) * 2**20
        elif not line.startswith("|"):
            header = None
        elif header is None:
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if following.startswith("|--"):
                header = [cell.strip() for cell in line.strip("|").split("|")]
        elif not line.startswith("|--"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            ours = next((i for i, name in enumerate(header) if name in OURS), None)
            if ours is None:
                continue
            others = [i for i, name in enumerate(header) if name in CONTENDERS]
            keys = range(min([ours, *others]))
            label = ", ".join(
                f"threads {cells[i]}" if header[i] == "threads" else cells[i]
                for i in keys
            )
            if header[0] not in ("config", "rows"):
                label = f"{header[0]}: {label}"
            bare = 1e-9 if "ns/element" in " ".join(header) else 1.0
            values = {}
            for i in (ours, *others):
                m = VALUE.match(cells[i])
                values[i] = float(m[1]) * (SCALE[m[2]] if m[2] else bare)
            unit = VALUE.match(cells[ours])[3] or "/element" * (bare < 1)
            rows[section, label] = (
                values[ours],
                {CONTENDERS[header[i]]: values[i] for i in others},
                unit,
                "†" in cells[ours],
            )
    if "SimpleMLPRegressor" in memory:
        theirs = {"MLPRegressor": memory["MLPRegressor"]} if len(memory) > 1 else {}
        rows[section, "peak memory, fit (b) float64"] = (
            memory["SimpleMLPRegressor"],
            theirs,
            "MiB",
            False,
        )
    return rows


def amount(value, unit):
    if unit == "MiB":
        return f"{value / 2**20:.4g} MiB"
    for name, factor in SCALE.items():
        if abs(value) >= factor or name == "ns":
            return f"{value / factor:.4g} {name}{unit}"


def spread(values, unit):
    if not values:
        return "—"
    median = statistics.median(values)
    if len(values) == 1:
        return amount(median, unit)
    low, high = amount(min(values), unit), amount(max(values), unit)
    return f"{amount(median, unit)} ({low} – {high})"


def contender_ratio(entries, contender):
    """Median over the runs of contender / ours."""
    ratios = [e[1][contender] / e[0] for e in entries if contender in e[1]]
    return f"{statistics.median(ratios):.2f}" if ratios else "—"


def compare(old, new, rounds):
    """Markdown table lines from ``{tree: [parsed run, ...]}`` per tree."""
    lines = [
        "| section | row | ours, old: median (min – max) | ours, new "
        "| new / old | noise | contender | contender / ours, old | new |",
        "|---|---|---:|---:|---:|---|---|---:|---:|",
    ]
    labels = list(dict.fromkeys([key for run in old + new for key in run]))
    for key in labels:
        found = {
            name: [run[key] for run in runs if key in run]
            for name, runs in (("old", old), ("new", new))
        }
        unit = next(entry[2] for entry in found["old"] + found["new"])
        ours = {name: [entry[0] for entry in found[name]] for name in found}
        cells = {
            name: spread(ours[name], unit) + " †" * any(e[3] for e in found[name])
            for name in found
        }
        ratio, noise = "—", "—"
        if ours["old"] and ours["new"]:
            ratio = statistics.median(ours["new"]) / statistics.median(ours["old"])
            ratio = f"**{ratio:.3f}**"
            if rounds > 1:
                if min(ours["new"]) > max(ours["old"]):
                    noise = "slower"
                elif max(ours["new"]) < min(ours["old"]):
                    noise = "faster"
                else:
                    noise = "within"
        contenders = list(
            dict.fromkeys(c for entry in found["old"] + found["new"] for c in entry[1])
        )
        contender_ratios = {
            name: "; ".join(contender_ratio(found[name], c) for c in contenders)
            for name in found
        }
        lines.append(
            f"| {key[0]} | {key[1]} | {cells['old']} | {cells['new']} | {ratio} "
            f"| {noise} | {'; '.join(contenders) or '—'} "
            f"| {contender_ratios['old'] or '—'} | {contender_ratios['new'] or '—'} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the old source tree")
    parser.add_argument("--new", default=str(ROOT), help="the new source tree")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="bench_speed.py's")
    parser.add_argument("--only", default="mlp,torch,predict", help="sections")
    parser.add_argument("--threads", default="1,2", help="thread groups")
    parser.add_argument("--configs", help="mlp section: of abcd (default all)")
    parser.add_argument("--torch-configs", help="torch section: of b,tiny,c,wide")
    parser.add_argument("--quick", action="store_true", help="bench_speed's smoke run")
    parser.add_argument("--out", help="also write the report to this Markdown file")
    args = parser.parse_args()
    trees = {"old": Path(args.old).resolve(), "new": Path(args.new).resolve()}
    script = trees["new"] / "benchmarks" / "bench_speed.py"
    sections = args.only.split(",")
    load_start = load_average()
    imports = {name: imported_from(tree) for name, tree in trees.items()}

    runs = {"old": [], "new": []}
    failures, machine = [], []
    for round_ in range(args.rounds):
        order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
        parsed = {name: {} for name in order}
        for section in sections:
            for name in order:
                start = time.perf_counter()
                output, error = run_bench(script, trees[name], section, args)
                seconds = time.perf_counter() - start
                rows = parse(output, section)
                parsed[name].update(rows)
                machine = machine or [
                    line.strip()
                    for line in output.splitlines()
                    if line.endswith("  ") and "sknn_simple at commit" not in line
                ]
                if error:
                    failures.append(f"round {round_ + 1}, {name}, {section}: {error}")
                print(
                    f"round {round_ + 1}/{args.rounds}, {name}, {section}: "
                    f"{seconds:.0f} s, {len(rows)} rows"
                    + (f", FAILED: {error}" * bool(error)),
                    file=sys.stderr,
                    flush=True,
                )
        for name in order:
            runs[name].append(parsed[name])
    load_end = load_average()

    report = [
        "# compare_commits.py",
        "",
        "Command: `python " + " ".join(sys.argv) + "`",
        "",
        *(
            f"{name}: {trees[name]} at {describe_tree(trees[name])}, "
            f"imports {imports[name]}  "
            for name in trees
        ),
        f"Benchmark: {script} --only {args.only} --repeats {args.repeats}"
        + " --quick (1 repeat)" * args.quick
        + f"; {args.rounds} round(s), old and new interleaved section by section  ",
        f"Thread groups {args.threads} (torch and predict; mlp runs with the "
        "pools at their default size)  ",
        *(f"{line}  " for line in machine[:1]),
        f"Load average (1, 5, 15 min): start {load_start}; end {load_end}",
        "",
    ]
    if failures:
        report += ["Runs that failed (rows printed before the error are kept):", ""]
        report += [f"- {failure}" for failure in failures] + [""]
    report += [
        "Per row: median (min – max) over the rounds of each run's median; "
        "new / old above 1: the new tree is slower; noise: whether the two "
        "ranges overlap; contender / ours above 1: ours is faster. †: ours "
        "warned CollapsedFitWarning in some run. (d) is per L-BFGS evaluation; "
        "the sigmoid per element.",
        "",
        *compare(runs["old"], runs["new"], args.rounds),
    ]
    text = "\n".join(report) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Written to {args.out}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
