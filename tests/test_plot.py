"""LossCurveDisplay: what it draws, what it accepts, and matplotlib as an
optional dependency."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import LossCurveDisplay, SimpleMLPRegressor

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

MATPLOTLIB_MISSING = (
    'LossCurveDisplay needs matplotlib: pip install "sknn_simple[plot]"'
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_friedman1(n_samples=200, random_state=0)


def small(**params):
    defaults = dict(hidden_layer_sizes=(8,), solver="adam", max_iter=15, random_state=0)
    return SimpleMLPRegressor(**{**defaults, **params})


@pytest.fixture(scope="module")
def adam(data):
    return small().fit(*data)


@pytest.fixture(scope="module")
def adam_early_stopping(data):
    return small(early_stopping=True, n_iter_no_change=50).fit(*data)


def test_training_line_carries_the_loss_curve(adam):
    display = LossCurveDisplay.from_estimator(adam)

    np.testing.assert_array_equal(display.line_.get_ydata(), adam.loss_curve_)
    np.testing.assert_array_equal(
        display.line_.get_xdata(), np.arange(1, adam.n_iter_ + 1)
    )
    assert display.validation_line_ is None
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel() == "loss"
    assert display.ax_.get_yscale() == "linear"
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_lines() == [display.line_]


def test_validation_line_with_early_stopping(adam_early_stopping):
    model = adam_early_stopping
    display = LossCurveDisplay.from_estimator(model)

    assert len(model.validation_loss_curve_) == model.n_iter_
    np.testing.assert_array_equal(display.line_.get_ydata(), model.loss_curve_)
    np.testing.assert_array_equal(
        display.validation_line_.get_ydata(), model.validation_loss_curve_
    )
    np.testing.assert_array_equal(
        display.validation_line_.get_xdata(), np.arange(1, model.n_iter_ + 1)
    )
    # Same network, same colour; validation dashed.
    assert display.validation_line_.get_color() == display.line_.get_color()
    assert display.validation_line_.get_linestyle() == "--"


def test_legend_names_the_estimator_and_the_curves(adam_early_stopping):
    display = LossCurveDisplay.from_estimator(adam_early_stopping)
    texts = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert texts == [
        "SimpleMLPRegressor: training loss",
        "SimpleMLPRegressor: validation loss",
    ]

    named = LossCurveDisplay.from_estimator(adam_early_stopping, name="net")
    assert named.line_.get_label() == "net: training loss"

    bare = LossCurveDisplay(loss_curve=[3.0, 2.0]).plot()
    assert bare.line_.get_label() == "training loss"


def test_log_scale(adam_early_stopping):
    display = LossCurveDisplay.from_estimator(adam_early_stopping, log_scale=True)
    assert display.ax_.get_yscale() == "log"


def test_draws_into_a_given_ax(adam):
    figure, (left, right) = plt.subplots(1, 2)
    display = LossCurveDisplay.from_estimator(adam, ax=right)

    assert display.ax_ is right
    assert display.figure_ is figure
    assert right.get_lines() == [display.line_]
    assert left.get_lines() == []


def test_two_networks_on_one_ax_are_told_apart(data, adam):
    reference = MLPRegressor(hidden_layer_sizes=(8,), max_iter=15, random_state=0).fit(
        *data
    )
    first = LossCurveDisplay.from_estimator(adam)
    second = LossCurveDisplay.from_estimator(reference, ax=first.ax_)

    assert first.ax_.get_lines() == [first.line_, second.line_]
    assert first.line_.get_color() != second.line_.get_color()
    texts = [text.get_text() for text in first.ax_.get_legend().get_texts()]
    assert texts == ["SimpleMLPRegressor: training loss", "MLPRegressor: training loss"]


def test_style_kwargs_reach_the_lines(adam_early_stopping):
    display = LossCurveDisplay.from_estimator(
        adam_early_stopping,
        train_kwargs={"color": "black", "linewidth": 3, "label": "train"},
        validation_kwargs={"c": "red", "ls": ":"},  # aliases replace defaults
    )
    assert display.line_.get_color() == "black"
    assert display.line_.get_linewidth() == 3
    assert display.line_.get_label() == "train"
    assert display.validation_line_.get_color() == "red"
    assert display.validation_line_.get_linestyle() == ":"


def test_display_from_curves():
    display = LossCurveDisplay(
        loss_curve=[4.0, 2.0, 1.0],
        validation_loss_curve=[5.0, 3.0, 2.0],
        estimator_name="toy",
    ).plot(log_scale=True)

    np.testing.assert_array_equal(display.line_.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(display.validation_line_.get_ydata(), [5, 3, 2])
    assert display.ax_.get_yscale() == "log"
    assert display.validation_line_.get_label() == "toy: validation loss"


def test_shorter_validation_curve_ends_with_training(data):
    # A warm start that switches early stopping on records validation losses
    # for its own epochs only: the last ones.
    model = small(max_iter=5, warm_start=True).fit(*data)
    model.set_params(early_stopping=True).fit(*data)
    assert (len(model.loss_curve_), len(model.validation_loss_curve_)) == (10, 5)

    display = LossCurveDisplay.from_estimator(model)
    np.testing.assert_array_equal(
        display.validation_line_.get_xdata(), [6, 7, 8, 9, 10]
    )


@pytest.mark.parametrize("curve", [[], [[1.0, 2.0]]])
def test_rejects_curves_that_are_not_1d(curve):
    with pytest.raises(ValueError, match="loss_curve must be a non-empty 1-D"):
        LossCurveDisplay(loss_curve=curve).plot()


def test_lbfgs_counts_iterations(data):
    model = small(solver="lbfgs").fit(*data)
    display = LossCurveDisplay.from_estimator(model)

    assert display.ax_.get_xlabel() == "iteration"
    np.testing.assert_array_equal(display.line_.get_ydata(), model.loss_curve_)


def test_pipeline(data, adam):
    model = make_pipeline(StandardScaler(), small(early_stopping=True)).fit(*data)
    display = LossCurveDisplay.from_estimator(model)

    network = model[-1]
    np.testing.assert_array_equal(display.line_.get_ydata(), network.loss_curve_)
    np.testing.assert_array_equal(
        display.validation_line_.get_ydata(), network.validation_loss_curve_
    )
    assert display.line_.get_label() == "SimpleMLPRegressor: training loss"


@pytest.mark.parametrize("early_stopping", [False, True])
def test_mlp_regressor_draws_its_training_loss_only(data, early_stopping):
    model = MLPRegressor(
        hidden_layer_sizes=(8,),
        max_iter=15,
        early_stopping=early_stopping,
        random_state=0,
    ).fit(*data)
    display = LossCurveDisplay.from_estimator(model)

    # It records validation R², not a validation loss: nothing to draw.
    assert (model.validation_scores_ is not None) == early_stopping
    assert display.validation_line_ is None
    np.testing.assert_array_equal(display.line_.get_ydata(), model.loss_curve_)
    np.testing.assert_array_equal(
        display.line_.get_xdata(), np.arange(1, model.n_iter_ + 1)
    )
    assert display.line_.get_label() == "MLPRegressor: training loss"


def test_mlp_regressor_lbfgs_has_no_loss_curve(data):
    model = MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=5)
    model.fit(*data)
    with pytest.raises(TypeError, match="solver='lbfgs'; use 'adam' or 'sgd'"):
        LossCurveDisplay.from_estimator(model)


@pytest.mark.parametrize(
    "estimator",
    [
        SimpleMLPRegressor(),
        MLPRegressor(),
        make_pipeline(StandardScaler(), SimpleMLPRegressor()),
    ],
    ids=["SimpleMLPRegressor", "MLPRegressor", "Pipeline"],
)
def test_unfitted_raises_not_fitted(estimator):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(estimator)


@pytest.mark.parametrize(
    "make",
    [
        lambda X, y: Ridge().fit(X, y),
        lambda X, y: Ridge(),
        lambda X, y: make_pipeline(StandardScaler(), Ridge()).fit(X, y),
    ],
    ids=["fitted", "unfitted", "pipeline"],
)
def test_wrong_estimator_raises_type_error(data, make):
    with pytest.raises(TypeError, match="needs a SimpleMLPRegressor.*got Ridge"):
        LossCurveDisplay.from_estimator(make(*data))


@pytest.mark.parametrize("how", ["plot", "from_estimator"])
def test_missing_matplotlib_names_the_extra(monkeypatch, adam, how):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError) as excinfo:
        if how == "plot":
            LossCurveDisplay(loss_curve=adam.loss_curve_).plot()
        else:
            LossCurveDisplay.from_estimator(adam)
    assert str(excinfo.value) == MATPLOTLIB_MISSING


def test_importing_the_package_does_not_import_matplotlib():
    code = (
        "import sys, sknn_simple, sknn_simple._plot; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_classifier_with_early_stopping_draws_both_curves():
    from sklearn.datasets import load_iris

    from sknn_simple import SimpleMLPClassifier

    X, y = load_iris(return_X_y=True)
    model = make_pipeline(
        StandardScaler(), SimpleMLPClassifier(early_stopping=True, random_state=0)
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    np.testing.assert_array_equal(display.line_.get_ydata(), model[-1].loss_curve_)
    np.testing.assert_array_equal(
        display.validation_line_.get_ydata(), model[-1].validation_loss_curve_
    )
