"""Safe loading with skops: the types a loader must trust are a short, fixed
list (docs/user_guide/deployment.rst), whatever the activations; a loaded
model predicts exactly like the original; pickle and joblib still work."""

import io
import pickle

import joblib
import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor

# The fits are short on purpose: what they learn does not matter here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:The fitted model predicts almost the same"),
]

# The documented list (deployment.rst): the estimator alone, whatever the
# solver; its fitted state is saved as plain values.
ESTIMATOR = ["sknn_simple._regressor.SimpleMLPRegressor"]
TRUSTED = {"lbfgs": ESTIMATOR, "adam": ESTIMATOR, "sgd": ESTIMATOR}
ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
OUTPUT_ACTIVATIONS = ["identity", "logistic", "tanh"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 4))
    y = 10 + np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2]
    return X, y


def fitted(X, y, **params):
    settings = dict(hidden_layer_sizes=(8, 6), max_iter=10, random_state=0)
    return SimpleMLPRegressor(**{**settings, **params}).fit(X, y)


@pytest.mark.parametrize("output_activation", OUTPUT_ACTIVATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_round_trip_trusts_the_documented_list(
    data, solver, activation, output_activation
):
    X, y = data
    model = fitted(
        X, y, solver=solver, activation=activation, output_activation=output_activation
    )
    blob = sio.dumps(model)

    assert sio.get_untrusted_types(data=blob) == TRUSTED[solver]
    loaded = sio.loads(blob, trusted=TRUSTED[solver])
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.get_params() == model.get_params()


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_loaded_model_continues_like_the_original(data, solver):
    """The optimizer's state came along: partial_fit goes on identically."""
    X, y = data
    model = fitted(X, y, solver=solver)
    loaded = sio.loads(sio.dumps(model), trusted=TRUSTED[solver])
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "params",
    [
        dict(early_stopping=True),
        dict(normalize_y=False),
        dict(warm_start=True),
    ],
    ids=["early_stopping", "raw_y", "warm_start"],
)
def test_other_settings_trust_the_same_list(data, params):
    X, y = data
    model = fitted(X, np.column_stack([y, -y]), solver="adam", **params)
    blob = sio.dumps(model)
    assert sio.get_untrusted_types(data=blob) == TRUSTED["adam"]
    assert_array_equal(
        sio.loads(blob, trusted=TRUSTED["adam"]).predict(X), model.predict(X)
    )


def test_float32_and_a_pipeline_trust_the_same_list(data):
    X, y = data
    X = X.astype(np.float32)
    pipe = make_pipeline(StandardScaler(), SimpleMLPRegressor(max_iter=10)).fit(X, y)
    blob = sio.dumps(pipe)
    assert sio.get_untrusted_types(data=blob) == TRUSTED["lbfgs"]
    loaded = sio.loads(blob, trusted=TRUSTED["lbfgs"])
    assert loaded.predict(X).dtype == np.float32
    assert_array_equal(loaded.predict(X), pipe.predict(X))


def test_unfitted_model_trusts_the_estimator_alone():
    blob = sio.dumps(SimpleMLPRegressor(activation="relu"))
    assert sio.get_untrusted_types(data=blob) == ESTIMATOR


# ------------------------------------------------ pickle and joblib still work
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize(
    "round_trip",
    [
        lambda model: pickle.loads(pickle.dumps(model)),
        lambda model: joblib.load(_joblib_dump(model)),
    ],
    ids=["pickle", "joblib"],
)
def test_pickle_and_joblib_round_trip(data, round_trip, solver):
    X, y = data
    model = fitted(X, y, solver=solver, activation="tanh", output_activation="tanh")
    loaded = round_trip(model)
    assert_array_equal(loaded.predict(X), model.predict(X))
    # The functions were rebuilt from the names: training goes on.
    loaded.set_params(warm_start=True, max_iter=2).fit(X, y)
    model.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert_array_equal(loaded.predict(X), model.predict(X))


def _joblib_dump(model):
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    return buffer


def test_pickle_names_no_private_function(data):
    X, y = data
    blob = pickle.dumps(fitted(X, y, activation="relu", output_activation="tanh"))
    assert b"sknn_simple._activations" not in blob
    assert b"_relu" not in blob
