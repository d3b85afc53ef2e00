"""The code stays readable: functions short enough to read at once, with
few enough parameters to hold in mind (the estimator's ``__init__``, which
scikit-learn requires to list every hyperparameter, aside)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "sknn_simple"
MAX_LINES = 60  # of code, the docstring not counted
MAX_PARAMETERS = 8  # self and cls not counted
EXEMPT = {("_regressor.py", "__init__"), ("_classifier.py", "__init__")}


def _functions():
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield path.name, node


def _code_lines(node):
    lines = node.end_lineno - node.lineno + 1
    if ast.get_docstring(node) is not None:
        docstring = node.body[0]
        lines -= docstring.end_lineno - docstring.lineno + 1
    return lines


def _parameters(node):
    args = node.args
    names = [arg.arg for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    return [name for name in names if name not in ("self", "cls")]


@pytest.mark.parametrize(
    "file, node",
    [
        pytest.param(file, node, id=f"{file}:{node.name}:{node.lineno}")
        for file, node in _functions()
        if (file, node.name) not in EXEMPT
    ],
)
def test_function_is_short_with_few_parameters(file, node):
    assert _code_lines(node) <= MAX_LINES, f"{node.name} is {_code_lines(node)} lines"
    assert len(_parameters(node)) <= MAX_PARAMETERS, _parameters(node)


def test_the_check_sees_a_long_function():
    source = "def f(a, b, c, d, e, f, g, h, i):\n" + "    x = 1\n" * 61
    node = ast.parse(source).body[0]
    assert _code_lines(node) > MAX_LINES
    assert len(_parameters(node)) > MAX_PARAMETERS
