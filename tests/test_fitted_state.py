"""The fitted state is one value: a model is always whole.

Each test here reproduces a way the estimator used to end up half old and
half new, or silently wrong, and checks that it no longer does.
"""

import inspect
import pickle
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning

import sknn_simple
import sknn_simple._engine
from sknn_simple import SimpleMLPRegressor

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::sknn_simple.CollapsedFitWarning",
)

RNG = np.random.RandomState(0)
X_OLD, Y_OLD = RNG.normal(size=(12, 3)), RNG.normal(size=12)  # 3 features, 1-D y
X_NEW, Y_NEW = RNG.normal(size=(12, 5)), RNG.normal(size=(12, 2))  # 5, 2 outputs
PARAMS = dict(hidden_layer_sizes=(4,), alpha=1.0, max_iter=3, random_state=0)


def _assert_whole(model, old_predictions):
    """Either the old model, exactly, or a coherent new one."""
    assert model.get_params()["hidden_layer_sizes"] == (4,)
    if model.n_features_in_ == 3:
        assert_array_equal(model.predict(X_OLD), old_predictions)
        return "old"
    assert model.n_features_in_ == 5 == model.coefs_[0].shape[0]
    assert model.n_outputs_ == 2
    assert model.predict(X_NEW).shape == (12, 2)
    return "new"


# The estimator's code: fit, partial_fit and publication (_base.py), the
# regressor's hooks (_regressor.py), the fit engine that runs one call
# (_engine.py) and the fitted state (_state.py).
ESTIMATOR_FILES = ("_base.py", "_engine.py", "_regressor.py", "_state.py")


def _estimator_tracer(local):
    """A sys.settrace hook that runs ``local`` on every opcode of the
    estimator's own code (not scikit-learn's, not the training loops')."""

    def global_tracer(frame, event, arg):
        if frame.f_code.co_filename.endswith(ESTIMATOR_FILES):
            frame.f_trace_opcodes = True
            return local
        return None

    return global_tracer


def _opcodes_of_the_estimator():
    """How many opcodes of the estimator's code a refit runs."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += event == "opcode"
        return tracer

    model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
    sys.settrace(_estimator_tracer(tracer))
    try:
        model.fit(X_NEW, Y_NEW)
    finally:
        sys.settrace(None)
    return count


def test_an_interrupt_at_any_opcode_of_fit_leaves_a_whole_model():
    n_opcodes = _opcodes_of_the_estimator()
    assert n_opcodes > 200
    outcomes = set()
    # Every opcode of the first 300, then every 7th: the publication step
    # and the warnings after it are near the end and must all be hit.
    points = sorted({*range(300), *range(300, n_opcodes, 7), n_opcodes - 1})
    for point in points:
        model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
        old_predictions = model.predict(X_OLD)
        seen = 0

        def tracer(frame, event, arg, point=point):
            nonlocal seen
            if event == "opcode":
                seen += 1
                if seen == point:
                    raise KeyboardInterrupt
            return tracer

        sys.settrace(_estimator_tracer(tracer))
        try:
            model.fit(X_NEW, Y_NEW)
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        outcomes.add(_assert_whole(model, old_predictions))
    assert outcomes == {"old", "new"}


def test_a_fit_that_raises_after_training_keeps_the_previous_model():
    model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
    before = model.predict(X_OLD)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # max_iter=3: it warns
        with pytest.raises(ConvergenceWarning):
            model.fit(X_NEW, Y_NEW)
    assert model.n_features_in_ == 3
    assert_array_equal(model.predict(X_OLD), before)


@pytest.mark.skipif(
    not sknn_simple._callbacks.CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9"
)
def test_a_callback_raising_at_the_end_of_fit_keeps_the_previous_model():
    class FailsAtTheEnd:
        def setup(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            pass

        def on_fit_task_end(self, estimator, context, **kwargs):
            if context.task_name == "fit":
                raise RuntimeError("the callback failed")

        def teardown(self, estimator, context):
            pass

    model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
    before = model.predict(X_OLD)
    model.set_callbacks(FailsAtTheEnd())
    with pytest.raises(RuntimeError, match="the callback failed"):
        model.fit(X_NEW, Y_NEW)
    assert model.n_features_in_ == 3
    assert_array_equal(model.predict(X_OLD), before)


def test_predict_racing_a_refit_in_another_thread_never_mixes_models():
    model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
    stop = threading.Event()

    def refit():
        while not stop.is_set():
            model.fit(X_NEW, Y_NEW)
            model.fit(X_OLD, Y_OLD)

    thread = threading.Thread(target=refit)
    thread.start()
    shapes, errors = set(), set()
    try:
        for _ in range(3000):
            try:
                shapes.add(model.predict(X_OLD).shape)
            except ValueError as error:
                # The new model wants 5 features: sklearn's clear message.
                assert "features" in str(error), error
                errors.add("features")
    finally:
        stop.set()
        thread.join()
    assert shapes == {(12,)}
    # The feature count is that of the model predict used, never one from
    # a fit that has only started.
    assert model.n_features_in_ in (3, 5)


def test_fitted_behaviour_does_not_follow_hyperparameters_changed_after_fit():
    X, y = make_friedman1(n_samples=60, random_state=0)
    model = SimpleMLPRegressor(**PARAMS).fit(X, 100 + 50 * y)
    before = model.predict(X)
    model.set_params(normalize_y=False, activation="tanh", alpha=5.0)
    assert_array_equal(model.predict(X), before)
    model.set_params(activation="logistic", warm_start=True)
    with pytest.raises(ValueError, match="normalize_y=False differs"):
        model.fit(X, y)
    assert_array_equal(model.predict(X), before)
    online = SimpleMLPRegressor(solver="adam", random_state=0).partial_fit(X, y)
    online.set_params(normalize_y=False)
    with pytest.raises(ValueError, match="normalize_y"):
        online.partial_fit(X, y)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.update(y_scale=np.array([0.0])), "target scale"),
        (lambda s: s.update(y_scale=np.array([-2.0])), "target scale"),
        (lambda s: s.update(y_ndim=3), "y_ndim"),
        (lambda s: s.update(params=s["params"][:-3]), "parameter vector"),
        (lambda s: s.update(params=s["params"] * np.nan), "not all finite"),
        (lambda s: s.update(n_features_in=7), "n_features_in_"),
        (lambda s: s.pop("history"), "incomplete or corrupt"),
    ],
)
def test_a_corrupt_saved_model_fails_to_load_with_a_clear_error(edit, message):
    model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
    saved = model.__getstate__()
    saved["_fitted"] = dict(saved["_fitted"])
    edit(saved["_fitted"])
    blob = pickle.dumps(_Carrier(saved))
    with pytest.raises(ValueError, match=message):
        pickle.loads(blob)


class _Carrier:
    """Pickles as a SimpleMLPRegressor with an edited saved state."""

    def __init__(self, state):
        self.state = state

    def __reduce__(self):
        return (_rebuild, (self.state,))


def _rebuild(state):
    model = SimpleMLPRegressor.__new__(SimpleMLPRegressor)
    model.__setstate__(state)
    return model


def test_early_stopping_with_weights_all_on_one_side_gives_a_clear_error():
    X, y = make_friedman1(n_samples=20, random_state=0)
    sample_weight = np.zeros(20)
    sample_weight[:2] = 1.0
    raised = 0
    for seed in range(8):
        model = SimpleMLPRegressor(
            solver="adam",
            early_stopping=True,
            validation_fraction=0.5,
            alpha=1.0,
            max_iter=3,
            random_state=seed,
        )
        try:
            model.fit(X, y, sample_weight=sample_weight)
        except ValueError as error:  # was a bare ZeroDivisionError
            assert "sample_weight" in str(error)
            assert "validation_fraction" in str(error)
            raised += 1
    assert raised > 0


def test_huge_hidden_layers_fail_naming_the_parameter_and_the_memory():
    model = SimpleMLPRegressor(**PARAMS).fit(X_OLD, Y_OLD)
    before = model.predict(X_OLD)
    model.set_params(hidden_layer_sizes=(10**6, 10**6))
    with pytest.raises(
        MemoryError, match=r"hidden_layer_sizes=\(1000000, 1000000\)"
    ) as error:
        model.fit(X_OLD, Y_OLD)
    assert "GiB" in str(error.value)
    assert_array_equal(model.predict(X_OLD), before)


def test_early_stopping_keeps_the_weights_that_scored_best():
    X, y = make_friedman1(n_samples=400, random_state=0)
    model = SimpleMLPRegressor(
        solver="adam", early_stopping=True, random_state=0, max_iter=200
    ).fit(X, y)
    assert model.best_validation_score_ == max(model.validation_scores_)
    # Were the best weights never recorded, the model would be its
    # starting point, and predict almost a constant.
    assert model.score(X, y) > 0.5


def test_after_a_divergence_the_best_loss_is_that_of_the_kept_weights():
    X, y = make_friedman1(n_samples=200, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model = SimpleMLPRegressor(
            solver="sgd",
            learning_rate_init=50.0,
            momentum=0.0,
            alpha=1.0,
            random_state=0,
        ).fit(X, y)
    assert model.best_loss_ == model.loss_ <= min(model.loss_curve_)


@pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0",
    reason="the file was written by NumPy 2, whose pickles need NumPy 2",
)
def test_a_model_pickled_by_version_0_1_loads_and_continues():
    # tests/data/model_0.1_adam.pkl: pickled by sknn_simple 0.1 (commit
    # 88f1db4), whose fitted attributes were a dozen separate entries.
    with open(Path(__file__).parent / "data" / "model_0.1_adam.pkl", "rb") as file:
        saved = pickle.load(file)
    model = saved["model"]
    # Saved on another machine: its BLAS kernel may round the products
    # differently, so equal to rounding, not bit for bit.
    assert_allclose(model.predict(saved["X"]), saved["predictions"], rtol=1e-12)
    assert model.n_iter_ == len(model.loss_curve_) == 30
    assert model.alpha_ == 1.0 and model.solver_ == "adam"
    model.partial_fit(saved["X"], saved["predictions"])
    assert len(model.loss_curve_) == 31  # it continued the saved history


def test_a_fit_in_progress_shows_the_previous_model_s_features(monkeypatch):
    # validate_data records n_features_in_ and feature_names_in_ when a fit
    # starts; readers must go on seeing the published model's until the
    # new one is published.
    import pandas as pd

    model = SimpleMLPRegressor(**PARAMS).fit(
        pd.DataFrame(X_OLD, columns=["a", "b", "c"]), Y_OLD
    )
    real = sknn_simple._engine.fit_lbfgs
    seen = []

    def recording(*args, **kwargs):
        seen.append((model.n_features_in_, list(model.feature_names_in_)))
        return real(*args, **kwargs)

    monkeypatch.setattr(sknn_simple._engine, "fit_lbfgs", recording)
    model.fit(X_NEW, Y_NEW)
    assert seen == [(3, ["a", "b", "c"])]
    assert model.n_features_in_ == 5 and not hasattr(model, "feature_names_in_")


def _line_of_the_staging_cleanup_in_finally():
    """The line number of the pop in ``_fit``'s ``finally`` clause."""
    lines, first = inspect.getsourcelines(SimpleMLPRegressor._fit)
    at = next(i for i, line in enumerate(lines) if line.strip() == "finally:")
    assert "STAGING" in lines[at + 1]
    return first + at + 1


def test_a_ctrl_c_before_the_staged_names_are_cleared_leaves_no_stale_names():
    # Ctrl-C exactly where fit's finally clause would clear the feature names
    # validate_data staged: the next fit, on a plain array, must not take the
    # DataFrame's column names for its own.
    import pandas as pd

    cleanup = _line_of_the_staging_cleanup_in_finally()
    frame = pd.DataFrame(X_OLD, columns=["a", "b", "c"])
    model = SimpleMLPRegressor(**PARAMS)

    def tracer(code_frame, event, arg):
        if code_frame.f_code is SimpleMLPRegressor._fit.__code__:
            if event == "line" and code_frame.f_lineno == cleanup:
                raise KeyboardInterrupt
            return tracer
        return None

    outer = sys.gettrace()  # a coverage tool's or debugger's, if any
    sys.settrace(tracer)
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(frame, Y_OLD)
    finally:
        sys.settrace(outer)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*feature names")
        model.fit(X_OLD, Y_OLD).predict(X_OLD)
    assert not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 3
