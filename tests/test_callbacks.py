"""scikit-learn's callback API (sklearn.callback, scikit-learn >= 1.9)."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPClassifier, SimpleMLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 4))
    return X, 3 * X[:, 0] - X[:, 1] ** 2 + 10


class Recorder:
    """Records every hook call; can ask training to stop after some epochs."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.calls = []
        self.fitted_at_end = []

    def setup(self, estimator, context):
        self.calls.append(("setup", None))

    def on_fit_task_begin(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        self.calls.append(("begin", context.task_name))

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        self.calls.append(("end", context.task_name))
        if context.task_name in ("epoch", "iteration"):
            self.fitted_at_end.append(fitted_estimator)
            n_ended = len(self.fitted_at_end)
            return self.stop_after is not None and n_ended >= self.stop_after
        return False

    def teardown(self, estimator, context):
        self.calls.append(("teardown", None))


def _model(solver, **params):
    settings = dict(solver=solver, tol=0.0, max_iter=6, random_state=0)
    return SimpleMLPRegressor((8,), **{**settings, **params})


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_hooks_run_once_per_epoch_in_order(data, solver):
    X, y = data
    recorder = Recorder()
    model = _model(solver).set_callbacks(recorder).fit(X, y)
    epochs = [("begin", "epoch"), ("end", "epoch")] * model.n_iter_
    assert recorder.calls == [
        ("setup", None),
        ("begin", "fit"),
        *epochs,
        ("end", "fit"),
        ("teardown", None),
    ]
    assert model.n_iter_ == 6


def test_lbfgs_hooks_run_once_per_iteration(data):
    X, y = data
    recorder = Recorder()
    model = _model("lbfgs").set_callbacks(recorder).fit(X, y)
    names = [name for name, task in recorder.calls if task == "iteration"]
    # scipy's callback ends iteration k and begins k + 1, so one subtask is
    # begun after the last iteration and ended empty when scipy returns.
    assert names == ["begin", "end"] * (model.n_iter_ + 1)
    assert len(recorder.fitted_at_end) == model.n_iter_ + 1
    assert recorder.fitted_at_end[-1] is None


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_fitted_estimator_at_an_epoch_predicts_like_the_model_there(data, solver):
    X, y = data
    recorder = Recorder()
    model = _model(solver).set_callbacks(recorder).fit(X, y)
    at_last_epoch = recorder.fitted_at_end[model.n_iter_ - 1]
    assert at_last_epoch is not model
    assert_array_equal(at_last_epoch.predict(X), model.predict(X))
    # Each snapshot is its own copy: earlier epochs predict differently.
    assert not np.array_equal(recorder.fitted_at_end[0].predict(X), model.predict(X))


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_a_callback_can_stop_training_cleanly(data, solver, recwarn):
    X, y = data
    model = _model(solver, max_iter=50).set_callbacks(Recorder(stop_after=3))
    model.fit(X, y)
    assert model.n_iter_ == len(model.loss_curve_) == 3
    assert not [w for w in recwarn if "converg" in str(w.message).lower()]
    # The model keeps the weights reached: those of a run cut at 3 epochs.
    reference = _model(solver, max_iter=3).fit(X, y)
    assert_array_equal(model.predict(X), reference.predict(X))


def test_callbacks_do_not_change_training(data):
    X, y = data
    with_callbacks = _model("adam").set_callbacks(Recorder()).fit(X, y)
    without = _model("adam").fit(X, y)
    assert_array_equal(with_callbacks.predict(X), without.predict(X))


def test_partial_fit_is_one_task_with_one_epoch(data):
    X, y = data
    recorder = Recorder()
    model = _model("adam").set_callbacks(recorder)
    model.partial_fit(X, y).partial_fit(X, y)
    tasks = [call for call in recorder.calls if call[1] is not None]
    one_call = [
        ("begin", "partial_fit"),
        ("begin", "epoch"),
        ("end", "epoch"),
        ("end", "partial_fit"),
    ]
    assert tasks == one_call * 2


def test_scoring_monitor_logs_one_row_per_epoch(data):
    X, y = data
    monitor = ScoringMonitor(scoring="r2")
    model = _model("adam").set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["parent_task_id_path"] == (0,)]
    assert len(epochs) == model.n_iter_
    # Scores are computed on the training data with the model of that epoch.
    assert epochs["r2"].iloc[-1] == pytest.approx(model.score(X, y))
    assert epochs["r2"].is_monotonic_increasing


def test_progress_bar_on_a_fit(data, capsys):
    X, y = data
    model = _model("adam").set_callbacks(ProgressBar()).fit(X, y)
    assert model.n_iter_ == 6
    assert "SimpleMLPRegressor - fit" in capsys.readouterr().out


def test_progress_bar_inside_a_pipeline(data, capsys):
    X, y = data
    pipeline = make_pipeline(StandardScaler(), _model("adam"))
    pipeline.set_callbacks(ProgressBar()).fit(X, y)
    assert "SimpleMLPRegressor - fit" in capsys.readouterr().out


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_inside_grid_search(data, n_jobs, capsys):
    X, y = data
    search = GridSearchCV(_model("adam"), {"alpha": [1e-4, 1e-1]}, cv=2, n_jobs=n_jobs)
    search.set_callbacks(ProgressBar()).fit(X, y)
    out = capsys.readouterr().out
    # Two candidates x two folds, each shown as a sub-task of the search.
    assert out.count("| SimpleMLPRegressor - fit") >= 4
    assert search.best_estimator_.n_iter_ == 6


def test_callbacks_and_their_logs_are_not_pickled(data):
    X, y = data
    monitor = ScoringMonitor(scoring="r2")
    model = _model("adam").set_callbacks(monitor)
    sizes = [len(pickle.dumps(model.fit(X, y))) for _ in range(3)]
    assert sizes[0] == sizes[1] == sizes[2]
    restored = pickle.loads(pickle.dumps(model))
    assert not hasattr(restored, "_skl_callbacks")
    assert_array_equal(restored.predict(X), model.predict(X))
    assert model._skl_callbacks == [monitor]  # the live model keeps them


def test_teardown_runs_when_fit_fails(data):
    X, y = data
    recorder = Recorder()
    model = _model("adam", early_stopping=True, validation_fraction=0.001)
    with pytest.raises(ValueError, match="validation"):
        model.set_callbacks(recorder).fit(X, y)
    assert recorder.calls[-1] == ("teardown", None)
    assert not hasattr(model, "_callback_fit_ctx")


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_classifier_reports_its_log_loss_at_each_epoch(data, solver):
    """The classifier trains on the same engine: one task per epoch (or
    iteration), and the model reconstructed there gives its probabilities."""
    X, y = data
    labels = np.where(y > np.median(y), "high", "low")
    monitor = ScoringMonitor(scoring="neg_log_loss")
    model = SimpleMLPClassifier((8,), solver=solver, max_iter=6, tol=0.0)
    model.set_params(random_state=0).set_callbacks(monitor).fit(X, labels)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["parent_task_id_path"] == (0,)]
    assert len(epochs) >= model.n_iter_
    final = -np.mean(np.log(model.predict_proba(X)[labels == "high", 0]))
    assert np.isfinite(final)
    assert epochs["neg_log_loss"].iloc[-1] == pytest.approx(
        -_log_loss(model, X, labels), rel=1e-6
    )


def _log_loss(model, X, labels):
    from sklearn.metrics import log_loss

    return log_loss(labels, model.predict_proba(X), labels=model.classes_)
