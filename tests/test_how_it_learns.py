"""The "How it learns" page cannot drift from the code.

``docs/user_guide/how_it_learns.rst`` derives backpropagation with the
library's own names and works the blog's 3-5-5-1 network through by hand.
These tests read the page and check that

- every number in a ``# worked-example: NAME`` block is what the library
  computes now, and every expected block is there (and no unchecked one);
- every code excerpt (a ``# excerpt: sknn_simple.module.qualname`` block)
  is still, line for line and in order, in the source of that object;
- every name the page puts in double backquotes or in a :class:/:func:/...
  role exists: importable and reachable with getattr, or, for instance
  attributes, parameters and local variables, present in the code;
- every ``>>>`` example on the page runs and prints what the page says.
"""

import ast
import builtins
import doctest
import importlib
import inspect
import re
import textwrap
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sknn_simple import SimpleMLPRegressor
from sknn_simple._kernels import NUMPY
from sknn_simple._network import Network, Workspace
from sknn_simple._solvers import SGDOptimizer
from sknn_simple._target import fit_target_scaling, scale_targets

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "user_guide" / "how_it_learns.rst"

# The blog's data and network.
X = np.array([[5, 1, 10], [8, 3, 4], [9, 7, 1], [5, 2, 8], [8, 4, 3]], dtype=np.float64)
y = np.array([50, 96, 63, 80, 96], dtype=np.float64)
LAYER_SIZES = (3, 5, 5, 1)
LEARNING_RATE = 0.1
# The penalty of the page's fully trained network (not the default, 1).
TRAINED_ALPHA = 1e-4

# Printed to 6 significant digits: a relative error of at most 5e-6.
RTOL = 1e-5


# --------------------------------------------------------------------- page
@cache
def _page():
    if not PAGE.exists():
        pytest.fail(f"{PAGE.relative_to(ROOT)} is missing")
    return PAGE.read_text(encoding="utf-8")


def _marked_blocks(kind):
    """``{name: [text, ...]}`` of the code blocks whose first line is
    ``# <kind>: <name>``; names may repeat (a list of blocks per name)."""
    blocks = {}
    lines = _page().splitlines()
    marker = re.compile(rf"^(\s*)# {kind}: (\S+)\s*$")
    for index, line in enumerate(lines):
        match = marker.match(line)
        if not match:
            continue
        previous = [text for text in lines[:index] if text.strip()][-1]
        assert previous.strip().startswith(".. code-block::"), (
            f"the '{kind}: {match.group(2)}' marker must open a code-block"
        )
        indent = len(match.group(1))
        body = []
        for text in lines[index + 1 :]:
            if text.strip() and len(text) - len(text.lstrip()) < indent:
                break
            body.append(text)
        while body and not body[-1].strip():
            body.pop()
        blocks.setdefault(match.group(2), []).append(textwrap.dedent("\n".join(body)))
    return blocks


def _worked_example_blocks():
    blocks = _marked_blocks("worked-example")
    for name, found in blocks.items():
        assert len(found) == 1, f"worked-example block {name!r} appears twice"
    return {name: found[0].split() for name, found in blocks.items()}


# ------------------------------------------------------ the worked example
@cache
def _worked_example():
    """Every quantity the page prints, computed with the library."""
    Y = y.reshape(-1, 1)
    offset, scale = fit_target_scaling(Y, None, "identity")
    Y_scaled = scale_targets(Y, offset, scale)
    logistic_offset, logistic_scale = fit_target_scaling(Y, None, "logistic")

    network = Network(LAYER_SIZES, "logistic", "identity")
    params = network.initialize(np.random.RandomState(0))
    coefs, intercepts = network.unpack(params)
    initial_coefs = [coef.copy() for coef in coefs]
    initial_intercepts = [intercept.copy() for intercept in intercepts]

    workspace = Workspace(network, X.shape[0], params.dtype)
    # The backward pass overwrites the hidden layers' outputs (f' reuses
    # their buffers), so A^(2) is read after a forward pass of its own.
    network.forward(params, X, workspace)
    hidden_2 = workspace.outputs[1].copy()
    loss, grad = network.loss_and_gradient(params, X, Y_scaled, workspace=workspace)
    outputs = workspace.outputs[-1].copy()
    output_delta = workspace.deltas[-1].copy()
    coef_grads, intercept_grads = network.unpack(grad)

    optimizer = SGDOptimizer(
        network.n_params, params.dtype, learning_rate_init=LEARNING_RATE, momentum=0
    )
    optimizer.step(NUMPY, params, grad)  # in place: coefs and intercepts follow

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # The page trains with alpha=1e-4: five noise-free rows are there to
        # be memorised, which the default penalty (alpha=1) prevents.
        model = SimpleMLPRegressor(
            hidden_layer_sizes=(5, 5), alpha=TRAINED_ALPHA, random_state=0
        )
        model.fit(X, y)

    return {
        "target-scaling": [offset[0], scale[0]],
        "standardised-targets": Y_scaled.ravel(),
        "logistic-target-scaling": [logistic_offset[0], logistic_scale[0]],
        "layout": [network.n_coefs, network.n_params],
        "initial-output-weights": initial_coefs[2].ravel(),
        "initial-output-bias": initial_intercepts[2],
        "hidden-outputs-2": hidden_2.ravel(),
        "initial-outputs": outputs.ravel(),
        "initial-loss": [loss],
        "output-delta": output_delta.ravel(),
        "gradient-output-weights": coef_grads[2].ravel(),
        "gradient-output-bias": intercept_grads[2],
        "updated-output-weights": coefs[2].ravel(),
        "updated-output-bias": intercepts[2],
        "loss-after-step": [network.loss(params, X, Y_scaled)],
        "trained-solver": [model.solver_],
        "trained-r2": [model.score(X, y)],
        "trained-predictions": model.predict(X),
    }


EXPECTED_BLOCKS = [
    "target-scaling",
    "standardised-targets",
    "logistic-target-scaling",
    "layout",
    "initial-output-weights",
    "initial-output-bias",
    "hidden-outputs-2",
    "initial-outputs",
    "initial-loss",
    "output-delta",
    "gradient-output-weights",
    "gradient-output-bias",
    "updated-output-weights",
    "updated-output-bias",
    "loss-after-step",
    "trained-solver",
    "trained-r2",
    "trained-predictions",
]

# Quantities from the deterministic steps are exact up to rounding. Training
# to convergence is not: L-BFGS stops once the gradient is below tol=1e-4, and
# where exactly depends on rounding along its path, which differs between
# BLAS kernels (CPUs), thread counts and NumPy/SciPy versions. The page prints
# fewer digits of these and no iteration count (311 on one CPU, 199 on
# another: no tolerance would say anything a reader relies on).
TRAINED_TOLERANCES = {
    "trained-predictions": {"rtol": 1e-3},
    "trained-r2": {"rtol": 0, "atol": 1e-4},
}


def test_page_has_exactly_the_expected_worked_example_blocks():
    blocks = _worked_example_blocks()
    missing = sorted(set(EXPECTED_BLOCKS) - set(blocks))
    unchecked = sorted(set(blocks) - set(EXPECTED_BLOCKS))
    assert not missing, f"worked-example blocks missing from the page: {missing}"
    assert not unchecked, f"worked-example blocks no test checks: {unchecked}"


@pytest.mark.parametrize("name", EXPECTED_BLOCKS)
def test_worked_example_numbers_match_the_library(name):
    blocks = _worked_example_blocks()
    assert name in blocks, f"worked-example block {name!r} is missing from the page"
    printed = blocks[name]
    computed = _worked_example()[name]
    assert len(printed) == len(computed), (
        f"{name}: the page shows {len(printed)} values, the library gives "
        f"{len(computed)}"
    )
    if name == "trained-solver":
        assert printed == list(computed)
        return
    tolerance = TRAINED_TOLERANCES.get(name, {"rtol": RTOL, "atol": 1e-12})
    np.testing.assert_allclose(
        np.asarray(computed, dtype=float),
        np.array(printed, dtype=float),
        err_msg=f"worked-example block {name!r}",
        **tolerance,
    )


def test_worked_example_is_the_blog_network_with_its_data():
    """The page's matrix and targets are the data the numbers come from."""
    page = " ".join(_page().split())
    for row in X.astype(int):
        assert " & ".join(map(str, row)) in page
    assert r" \\ ".join(str(int(value)) for value in y) in page
    assert 'Network((3, 5, 5, 1), "logistic", "identity")' in page
    assert "Network.initialize(np.random.RandomState(0))" in page
    # The fully trained network is the one _worked_example trains.
    assert TRAINED_ALPHA == 1e-4
    assert "SimpleMLPRegressor(hidden_layer_sizes=(5, 5), alpha=1e-4," in page


def test_estimator_takes_the_same_gradient_descent_step():
    """One epoch of full-batch plain SGD in the estimator is the page's step."""
    model = SimpleMLPRegressor(
        hidden_layer_sizes=(5, 5),
        solver="sgd",
        learning_rate_init=LEARNING_RATE,
        momentum=0,
        alpha=0,
        batch_size=5,
        shuffle=False,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1
        model.fit(X, y)
    blocks = _worked_example_blocks()
    for name, value in [
        ("updated-output-weights", model.coefs_[2]),
        ("updated-output-bias", model.intercepts_[2]),
        ("initial-loss", model.loss_curve_[0]),
    ]:
        np.testing.assert_allclose(
            np.ravel(value), np.array(blocks[name], dtype=float), rtol=RTOL
        )


# ------------------------------------------------------------ code excerpts
def _resolve_dotted(path):
    """Import the longest module prefix of ``path``, getattr the rest."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(path)


def _source_lines(obj):
    return [line.strip() for line in inspect.getsource(obj).splitlines()]


def _excerpts():
    return [
        (target, block)
        for target, blocks in _marked_blocks("excerpt").items()
        for block in blocks
    ]


# The formulas the page must tie to code, at the least.
REQUIRED_EXCERPTS = {
    "sknn_simple._network.Network.unpack",
    "sknn_simple._network.Network.forward",
    "sknn_simple._network.Network._forward_block",
    "sknn_simple._network.Network.loss_and_gradient",
    "sknn_simple._network.Network._backpropagate",
    "sknn_simple._activations._logistic_derivative",
    "sknn_simple._solvers.SGDOptimizer.step",
    "sknn_simple._solvers.AdamOptimizer.step",
    "sknn_simple._solvers.minimize_lbfgs",
    "sknn_simple._training._LbfgsRun._evaluate",
    "sknn_simple._objective.Objective.penalty",
    "sknn_simple._objective.Objective.add_penalty_gradient",
    "sknn_simple._objective.Objective.total",
    "sknn_simple._objective.Objective.gradient",
    "sknn_simple._objective.Objective.value_and_gradient",
    "sknn_simple._training.run_epoch",
    "sknn_simple._base.BaseSimpleMLP._train",
    "sknn_simple._regressor.SimpleMLPRegressor._encode_targets",
    "sknn_simple._engine.FitEngine.run",
    # The classifier's cross-entropies and softmax, on logits.
    "sknn_simple._losses._binary_log_loss_terms",
    "sknn_simple._losses._log_loss_terms",
    "sknn_simple._losses.softmax",
    "sknn_simple._network.Network._bind_activations",
}


def test_page_quotes_the_code_of_every_step():
    quoted = {target for target, _ in _excerpts()}
    assert not REQUIRED_EXCERPTS - quoted, sorted(REQUIRED_EXCERPTS - quoted)


@pytest.mark.parametrize(
    "target, block",
    [
        pytest.param(target, block, id=f"{target}-{index}")
        for index, (target, block) in enumerate(_excerpts() if PAGE.exists() else [])
    ],
)
def test_code_excerpts_are_verbatim_and_in_order(target, block):
    """Each excerpt's lines occur in that object's source in the same order;
    a line ``...`` stands for lines left out."""
    assert target.startswith("sknn_simple."), target
    source = _source_lines(_resolve_dotted(target))
    position = 0
    for line in block.splitlines():
        line = line.strip()
        if not line or line == "...":
            continue
        try:
            position = source.index(line, position) + 1
        except ValueError:
            pytest.fail(f"{target} has no line {line!r} (after line {position})")


# ------------------------------------------------------------------- names
# Functions whose parameters, local variables and attribute chains
# (``workspace.rows``) the page may name.
SCOPES = [
    "sknn_simple._network.Network.unpack",
    "sknn_simple._network.Network.initialize",
    "sknn_simple._network.Network.forward",
    "sknn_simple._network.Network._forward_block",
    "sknn_simple._network.Network.loss_and_gradient",
    "sknn_simple._network.Network._backpropagate",
    "sknn_simple._network.Workspace.__init__",
    "sknn_simple._activations._logistic",
    "sknn_simple._activations._logistic_derivative",
    "sknn_simple._losses._squared_error_terms",
    "sknn_simple._losses._binary_log_loss_terms",
    "sknn_simple._losses._log_loss_terms",
    "sknn_simple._losses.softmax",
    "sknn_simple._network.Network._bind_activations",
    "sknn_simple._objective.Objective.penalty",
    "sknn_simple._objective.Objective.add_penalty_gradient",
    "sknn_simple._objective.Objective.total",
    "sknn_simple._objective.Objective.gradient",
    "sknn_simple._objective.Objective.value_and_gradient",
    "sknn_simple._solvers.SGDOptimizer.step",
    "sknn_simple._solvers.SGDOptimizer.end_epoch",
    "sknn_simple._solvers.AdamOptimizer.step",
    "sknn_simple._solvers.minimize_lbfgs",
    "sknn_simple._training.run_epoch",
    "sknn_simple._training.fit_stochastic",
    "sknn_simple._training._EpochLoop.run",
    "sknn_simple._training.fit_lbfgs",
    "sknn_simple._training._run_lbfgs",
    "sknn_simple._training._LbfgsRun.loss_and_gradient",
    "sknn_simple._training._LbfgsRun._evaluate",
    "sknn_simple._state.FittedState.predict",
    "sknn_simple._target.fit_target_scaling",
    "sknn_simple._base.BaseSimpleMLP._train",
    "sknn_simple._regressor.SimpleMLPRegressor._encode_targets",
    "sknn_simple._regressor.SimpleMLPRegressor._target_matrix",
    "sknn_simple._engine.FitEngine.__init__",
    "sknn_simple._engine.FitEngine._prepare",
    "sknn_simple._engine.FitEngine.run",
    "sknn_simple._base.BaseSimpleMLP._validate_training_data",
    "sknn_simple._regressor.SimpleMLPRegressor.predict",
]
SKNN_MODULES = [
    "sknn_simple",
    "sknn_simple._network",
    "sknn_simple._activations",
    "sknn_simple._losses",
    "sknn_simple._kernels",
    "sknn_simple._objective",
    "sknn_simple._solvers",
    "sknn_simple._training",
    "sknn_simple._engine",
    "sknn_simple._target",
    "sknn_simple._state",
    "sknn_simple._base",
    "sknn_simple._regressor",
]
# Other libraries' names the page may use, resolved with import and getattr.
EXTERNAL = {"np": "numpy", "numpy": "numpy", "scipy": "scipy", "sklearn": "sklearn"}

IDENTIFIER = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
# A name, optionally called or indexed: ``Network.forward``, ``coefs[l - 1]``,
# ``SGDOptimizer(...).step(...)`` (the name before the first call).
NAME_USE = re.compile(rf"^({IDENTIFIER})(?:\[.*\]|\(.*\).*)?$", re.S)
KEYWORD_USE = re.compile(r"^([A-Za-z_]\w*)=\S")
LITERAL = re.compile(r"(?<![`\w])``(?!\s)(.+?)(?<!\s)``(?![`\w])", re.S)
ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|obj|data|exc):`([^`]+)`")


@cache
def _scope_names():
    """Identifiers, keyword names and attribute chains used in SCOPES."""
    names, keywords = set(), set()
    for path in SCOPES:
        tree = ast.parse(textwrap.dedent(inspect.getsource(_resolve_dotted(path))))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.keyword) and node.arg:
                keywords.add(node.arg)
            elif isinstance(node, ast.Attribute):
                chain = ast.unparse(node)
                if re.fullmatch(IDENTIFIER, chain):
                    names.add(chain)
    return names, keywords


@cache
def _estimator_names():
    """Parameters and fitted attributes of SimpleMLPRegressor."""
    model = SimpleMLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return set(model.get_params()) | set(vars(model))


def _instance_attribute(cls, name):
    """Whether ``self.<name>`` is set or used in a sknn_simple class."""
    pattern = re.compile(rf"\bself\.{re.escape(name)}\b")
    return any(
        klass.__module__.startswith("sknn_simple")
        and pattern.search(inspect.getsource(klass))
        for klass in cls.__mro__
    )


def _getattr_chain(obj, parts):
    for part in parts:
        if not hasattr(obj, part):
            # An instance attribute ends the chain: ``Workspace.outputs``.
            return inspect.isclass(obj) and _instance_attribute(obj, part)
        obj = getattr(obj, part)
    return True


def _exists(name):
    """Whether a dotted name the page uses is a real name of the code."""
    head, *rest = name.split(".")
    if head in EXTERNAL:
        try:
            _resolve_dotted(".".join([EXTERNAL[head], *rest]))
        except (ImportError, AttributeError):
            return False
        return True
    if head == "sknn_simple":
        try:
            _resolve_dotted(name)
        except (ImportError, AttributeError):
            return False
        return True
    if hasattr(builtins, head) and not rest:
        return True
    for module_name in SKNN_MODULES:
        module = importlib.import_module(module_name)
        if module_name.rsplit(".", 1)[-1] == head:
            return _getattr_chain(module, rest)
        if hasattr(module, head):
            return _getattr_chain(getattr(module, head), rest)
    if name in _scope_names()[0]:
        return True
    return not rest and (
        head in _estimator_names() or _getattr_chain(SimpleMLPRegressor, [head])
    )


def _names_on_page():
    """``(kind, text)`` of every name the page refers to."""
    page = _page()
    found = []
    for match in ROLE.finditer(page):
        target = match.group(1)
        target = re.sub(r"^.*<(.+)>$", r"\1", target).lstrip("~!")
        found.append(("role", target))
    for match in LITERAL.finditer(page):
        text = " ".join(match.group(1).split())
        if text.endswith(".py") and "/" in text:
            found.append(("path", text))
        elif use := NAME_USE.match(text):
            found.append(("name", use.group(1)))
        elif use := KEYWORD_USE.match(text):
            found.append(("keyword", use.group(1)))
    return found


def test_page_names_the_code():
    kinds = {kind for kind, _ in _names_on_page()}
    assert {"role", "name", "keyword"} <= kinds
    names = {text for kind, text in _names_on_page() if kind == "name"}
    # The names the derivation hinges on.
    assert {
        "Network.forward",
        "Network.unpack",
        "Network.loss_and_gradient",
        "Workspace.outputs",
        "_activations._logistic_derivative",
        "scale",
        "weight_sum",
        "delta",
        "SGDOptimizer.step",
        "AdamOptimizer.step",
        "minimize_lbfgs",
        "fit_lbfgs",
        "_target.fit_target_scaling",
        "normalize_y",
    } <= names


def test_every_name_on_the_page_exists():
    missing = []
    for kind, text in _names_on_page():
        if kind == "path":
            ok = (ROOT / text).exists()
        elif kind == "keyword":
            ok = text in _estimator_names() or text in _scope_names()[1]
        else:
            ok = _exists(text)
        if not ok:
            missing.append(text)
    assert not missing, f"names on the page that the code lacks: {sorted(missing)}"


def test_name_check_catches_a_renamed_name():
    assert _exists("Network.loss_and_gradient")
    assert _exists("Workspace.outputs")  # an instance attribute
    assert _exists("weight_sum")  # a local variable
    assert not _exists("Network.backward")
    assert not _exists("Workspace.activations")
    assert not _exists("residual_norm")
    assert not _exists("sknn_simple._network.backprop")


# ---------------------------------------------------------------- examples
def test_page_examples_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        failures, attempted = doctest.testfile(
            str(PAGE),
            module_relative=False,
            optionflags=doctest.NORMALIZE_WHITESPACE,
            verbose=False,
            report=True,
        )
    assert attempted > 10
    assert failures == 0, f"{failures} of the page's >>> examples failed"
