"""SimpleMLPClassifier: targets, probabilities, class weights, warm starts,
the whole-model rules and saving, as a user relies on them.

scikit-learn's own MLPClassifier tests, ported, are in
``test_mlpclassifier_parity.py``; the estimator checks in
``test_estimator_checks.py``; the cross-entropies' gradients in
``test_losses.py``.
"""

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn_simple import CollapsedFitWarning, SimpleMLPClassifier
from sknn_simple._engine import _split
from sknn_simple._training import Dataset

ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _imbalanced(seed=0):
    X, y = make_classification(
        600,
        n_features=6,
        n_informative=3,
        weights=[0.93],
        class_sep=0.6,
        flip_y=0.02,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


# ---------------------------------------------------------------- targets
@pytest.mark.parametrize("labels", [["a", "b", "c"], [-1, 10, 3], [1.0, 2.0, 3.0]])
def test_labels_of_any_type_come_back_from_predict(labels):
    X, y = _iris()
    y_labels = np.asarray(labels)[y]
    model = SimpleMLPClassifier(random_state=0).fit(X, y_labels)
    assert_array_equal(model.classes_, np.unique(y_labels))
    predicted = model.predict(X)
    assert predicted.dtype == y_labels.dtype
    assert np.mean(predicted == y_labels) > 0.9
    # predict is the most probable column of predict_proba, in classes_' order
    proba = model.predict_proba(X)
    assert_array_equal(predicted, model.classes_[proba.argmax(axis=1)])


def test_two_classes_use_one_sigmoid_output():
    X, y = make_classification(200, random_state=0)
    model = SimpleMLPClassifier(random_state=0).fit(X, np.where(y, "yes", "no"))
    assert (model.n_outputs_, model.out_activation_) == (1, "logistic")
    scores = model.decision_function(X)
    assert scores.shape == (200,)
    # Positive scores mean the second class, and the probability is σ(score).
    assert_array_equal(model.predict(X), np.where(scores > 0, "yes", "no"))
    assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-scores)))


def test_more_classes_use_a_softmax():
    X, y = _iris()
    model = SimpleMLPClassifier(random_state=0).fit(X, y)
    assert (model.n_outputs_, model.out_activation_) == (3, "softmax")
    scores = model.decision_function(X)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert_allclose(model.predict_proba(X), expected, rtol=1e-10)


def test_multilabel_targets_give_one_probability_per_label():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] > 0.5])
    model = SimpleMLPClassifier(random_state=0).fit(X, Y.astype(int))
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict(X).shape == (300, 3)
    assert model.predict_proba(X).shape == (300, 3)
    assert model.score(X, Y.astype(int)) > 0.85  # subset accuracy


def test_a_column_vector_y_is_raveled_with_a_warning():
    X, y = make_classification(100, random_state=0)
    with pytest.warns(Warning, match="column-vector y"):
        column = SimpleMLPClassifier(random_state=0).fit(X, y[:, None])
    flat = SimpleMLPClassifier(random_state=0).fit(X, y)
    assert_array_equal(column.predict_proba(X), flat.predict_proba(X))


def test_one_class_is_a_clear_error():
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="at least 2 classes"):
        SimpleMLPClassifier().fit(X, np.ones(20))


def test_continuous_and_multioutput_targets_are_refused():
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="Unknown label type"):
        SimpleMLPClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="multiclass-multioutput"):
        SimpleMLPClassifier().fit(X, np.arange(40).reshape(20, 2) % 3)


# ----------------------------------------------------------- probabilities
@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    logit_scale=st.sampled_from([1e-3, 1.0, 30.0, 1e3]),
    n_classes=st.integers(2, 5),
    data=st.data(),
)
def test_probabilities_sum_to_one_and_logs_match(logit_scale, n_classes, data):
    """Whatever the weights (logits from 1e-3 to 1e3), each row of
    predict_proba sums to 1 within 1e-12 and predict_log_proba is its log,
    finite where a probability rounds to 0."""
    X = data.draw(
        hnp.arrays(np.float64, (12, 3), elements=st.floats(-10, 10, width=64))
    )
    y = np.arange(12) % n_classes
    model = SimpleMLPClassifier((4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    # Scale the trained weights: the sums must hold for any size of logits.
    state = model._state
    scaled = state.params * logit_scale
    model._state = type(state)(**{**vars_of(state), "params": scaled})
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((proba >= 0) & (proba <= 1)).all()
    log_proba = model.predict_log_proba(X)
    assert np.isfinite(log_proba).all()
    assert_allclose(np.exp(log_proba), proba, rtol=1e-9, atol=1e-300)


def vars_of(state):
    from dataclasses import fields

    return {field.name: getattr(state, field.name) for field in fields(state)}


def test_float32_trains_and_predicts_in_float32():
    X, y = _iris()
    model = SimpleMLPClassifier(random_state=0).fit(X.astype(np.float32), y)
    assert model.coefs_[0].dtype == np.float32
    proba = model.predict_proba(X.astype(np.float32))
    assert proba.dtype == np.float32
    assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def test_extreme_logits_give_a_finite_loss_in_float32():
    """Cross-entropy from the logits: no log(0) where σ rounds to 0 or 1."""
    X, y = make_classification(100, random_state=0)
    X = (X * 1e4).astype(np.float32)  # unscaled: saturating logits
    model = SimpleMLPClassifier((5,), activation="identity", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    assert np.isfinite(model.loss_curve_).all()


def test_probabilities_are_calibrated_better_than_mlpclassifier_defaults():
    from sklearn.neural_network import MLPClassifier

    X, y = make_classification(
        1000, n_features=10, n_informative=4, flip_y=0.1, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    ours = SimpleMLPClassifier(random_state=0).fit(X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPClassifier(random_state=0).fit(X_train, y_train)
    assert log_loss(y_test, ours.predict_proba(X_test)) < log_loss(
        y_test, theirs.predict_proba(X_test)
    )


# ----------------------------------------------------------- class weights
def test_balanced_class_weight_raises_minority_recall():
    X, y = _imbalanced()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    plain = SimpleMLPClassifier(random_state=0).fit(X_train, y_train)
    balanced = SimpleMLPClassifier(class_weight="balanced", random_state=0)
    balanced.fit(X_train, y_train)
    plain_recall = recall_score(y_test, plain.predict(X_test))
    balanced_recall = recall_score(y_test, balanced.predict(X_test))
    assert balanced_recall >= plain_recall + 0.15


def test_class_weight_dict_equals_the_same_sample_weight():
    X, y = _iris()
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    params = dict(alpha=0.1, random_state=0)
    by_class = SimpleMLPClassifier(class_weight=weights, **params).fit(X, y)
    per_row = np.array([weights[label] for label in y])
    by_row = SimpleMLPClassifier(**params).fit(X, y, sample_weight=per_row)
    assert_allclose(by_class.coefs_[0], by_row.coefs_[0])


def test_class_weight_multiplies_sample_weight():
    X, y = _iris()
    rows = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    weights = {0: 2.0, 1: 1.0, 2: 1.0}
    params = dict(alpha=0.1, random_state=0)
    both = SimpleMLPClassifier(class_weight=weights, **params)
    both.fit(X, y, sample_weight=rows)
    product = rows * np.array([weights[label] for label in y])
    expected = SimpleMLPClassifier(**params).fit(X, y, sample_weight=product)
    assert_allclose(both.coefs_[0], expected.coefs_[0])


def test_balanced_class_weight_is_refused_by_partial_fit():
    X, y = _iris()
    model = SimpleMLPClassifier(solver="adam", class_weight="balanced")
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        model.partial_fit(X, y, classes=[0, 1, 2])


# ------------------------------------------------- partial_fit, warm start
def test_partial_fit_needs_the_classes_first_and_keeps_them():
    X, y = _iris()
    model = SimpleMLPClassifier(solver="adam", random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match="does not know"):
        model.partial_fit(X, y, classes=[0, 1])  # 2 is not among them
    assert not hasattr(model, "classes_")
    model.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X).shape == (150, 3)
    model.partial_fit(X[y == 2], y[y == 2])  # a batch of one class
    with pytest.raises(ValueError, match="does not know"):
        model.partial_fit(X[:5], np.full(5, 7))
    with pytest.raises(ValueError, match="differs from the classes"):
        model.partial_fit(X, y, classes=[0, 1])


def test_warm_start_needs_the_same_classes():
    X, y = _iris()
    model = SimpleMLPClassifier(warm_start=True, random_state=0).fit(X, y)
    before = model.coefs_[0].copy()
    with pytest.raises(ValueError, match="same classes"):
        model.fit(X[y < 2], y[y < 2])
    assert_array_equal(model.coefs_[0], before)  # the model is whole


# -------------------------------------------------------- early stopping
def test_early_stopping_split_keeps_class_shares():
    X, y = _imbalanced()
    Y = SimpleMLPClassifier()._target_matrix(y, None, None, False, None)[0]
    settings = type("S", (), {})()
    settings.validation_fraction = 0.2
    settings.split_labels = SimpleMLPClassifier()._split_labels
    split = _split(Dataset(X, Y, None), settings, np.random.RandomState(0))
    share = Y.mean()
    assert split.Y_val.mean() == pytest.approx(share, abs=1 / len(split.Y_val))
    assert split.Y.mean() == pytest.approx(share, abs=1 / len(split.Y))


def test_early_stopping_ranks_by_validation_log_loss():
    """Minus the validation cross-entropy: on iris, where accuracy stalls
    for ten one-step epochs while the probabilities still improve, the fit
    goes on to confident, right probabilities."""
    X, y = _iris()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollapsedFitWarning)
        model = SimpleMLPClassifier(early_stopping=True, random_state=0).fit(X, y)
    assert model.solver_ == "adam"
    scores = model.validation_scores_
    assert_allclose(scores, -np.asarray(model.validation_loss_curve_))
    assert model.best_validation_score_ == max(scores)
    assert model.score(X, y) > 0.9


# ------------------------------------------------------------ diagnostics
def test_a_collapsed_classifier_warns():
    X, y = make_classification(400, n_features=5, random_state=0)
    with pytest.warns(CollapsedFitWarning, match="class probabilities"):
        SimpleMLPClassifier(alpha=1e4, random_state=0).fit(X, y)


def test_noise_labels_fit_without_a_collapse_warning():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(400, 5)), rng.randint(0, 2, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollapsedFitWarning)
        SimpleMLPClassifier(alpha=1e4, random_state=0).fit(X, y)


def test_a_failed_fit_leaves_the_previous_model():
    X, y = _iris()
    model = SimpleMLPClassifier(random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    with pytest.raises(ValueError):
        model.fit(X[:, :2], np.full(150, "only"))
    assert_array_equal(model.predict_proba(X), proba)


# ------------------------------------------------------------------ saving
def test_pickle_and_skops_keep_string_classes():
    skops_io = pytest.importorskip("skops.io")
    X, y = _iris()
    labels = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    model = SimpleMLPClassifier(random_state=0).fit(X, labels)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    dumped = skops_io.dumps(model)
    untrusted = skops_io.get_untrusted_types(data=dumped)
    assert untrusted == ["sknn_simple._classifier.SimpleMLPClassifier"]
    loaded = skops_io.loads(dumped, trusted=untrusted)
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert_array_equal(loaded.classes_, model.classes_)


def test_a_multilabel_target_of_one_label_a_row_stays_multilabel():
    """Rows with one label each look one-hot, but the model is the
    multilabel one (a sigmoid per label) in the search and in early
    stopping alike."""
    X, y = _iris()
    Y = np.eye(3, dtype=int)[y]
    model = SimpleMLPClassifier(random_state=0).fit(X, Y)  # alpha searched
    assert model.out_activation_ == "logistic" and model.predict(X).shape == (150, 3)
    targets = model._search_targets(Y.astype(float), "binary_log_loss")
    assert_array_equal(targets, Y)
    early = SimpleMLPClassifier(early_stopping=True, random_state=0).fit(X, Y)
    assert_allclose(early.validation_scores_, -np.asarray(early.validation_loss_curve_))


def test_string_labels_under_array_api_dispatch_come_back_as_numpy():
    torch = pytest.importorskip("torch")
    sklearn = pytest.importorskip("sklearn")
    from sknn_simple._kernels import ARRAY_API_AVAILABLE

    if not ARRAY_API_AVAILABLE:
        pytest.skip("this scikit-learn has no array API dispatch")
    X, y = _iris()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    with sklearn.config_context(array_api_dispatch=True):
        model = SimpleMLPClassifier(random_state=0).fit(torch.asarray(X), names)
        predicted = model.predict(torch.asarray(X))
        proba = model.predict_proba(torch.asarray(X))
    assert isinstance(predicted, np.ndarray) and isinstance(proba, torch.Tensor)
    assert_array_equal(predicted, model.classes_[proba.numpy().argmax(axis=1)])
    assert np.mean(predicted == names) > 0.9


@pytest.mark.parametrize(
    "edit",
    [
        lambda plain: {**plain, "classes": plain["classes"][:2]},  # 3 outputs
        lambda plain: {**plain, "classes": None},  # a classifier's loss
        lambda plain: {**plain, "loss": "squared_error"},  # classes, regression
    ],
)
def test_a_saved_state_whose_classes_do_not_fit_fails_to_load(edit):
    X, y = _iris()
    model = SimpleMLPClassifier(alpha=0.1, random_state=0).fit(X, y)
    state = model.__getstate__()
    state["_fitted"] = edit(state["_fitted"])
    with pytest.raises(ValueError, match="classes do not match"):
        SimpleMLPClassifier().__setstate__(state)


def test_a_diverging_classifier_keeps_its_best_weights_and_warns():
    X, y = _iris()
    model = SimpleMLPClassifier(
        (20, 20),
        "relu",
        solver="sgd",
        learning_rate_init=50.0,
        momentum=0.99,
        alpha=1e-4,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X * 100, y)
    proba = model.predict_proba(X * 100)
    assert np.isfinite(proba).all()
    assert np.isfinite(model.coefs_[0]).all()
