"""
Quick start: a tuned network on the diabetes data
=================================================

:class:`~sknn_simple.SimpleMLPRegressor` is an ordinary scikit-learn
regressor, so the usual workflow applies unchanged: scale the features in a
:class:`~sklearn.pipeline.Pipeline`, pick hyperparameters with
:class:`~sklearn.model_selection.GridSearchCV`, score on rows the search never
saw, and look at the errors.

The targets need no preparation. The diabetes scores run from 25 to 346, far
from the values a freshly initialised network outputs, and
``normalize_y=True`` (the default) standardises them inside ``fit`` and maps
the predictions back.
"""

# %%
# Data
# ----
# 442 patients, 10 baseline measurements each, and a measure of disease
# progression one year later. A quarter of the rows is kept aside for the
# final score.
import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import PredictionErrorDisplay
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_simple import SimpleMLPRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
print(f"{X_train.shape[0]} training rows, {X_test.shape[0]} test rows")
print(f"Targets from {y.min():.0f} to {y.max():.0f}")

# %%
# Pipeline and grid
# -----------------
# Sigmoid units saturate when their inputs are large, so the features go
# through a :class:`~sklearn.preprocessing.StandardScaler` first; inside the
# pipeline, each cross-validation fold fits its own scaler on its own
# training rows. The network keeps its defaults (two hidden layers of 20
# sigmoid units, trained with L-BFGS) apart from the two parameters the grid
# tries: two network shapes and three strengths of the L2 penalty ``alpha``,
# from the default 1 upwards: 6 candidates, each fitted on 3 folds. (Much
# weaker penalties let L-BFGS fit the noise of so few rows: with
# ``alpha=0.1``, ``benchmarks/sweep_defaults.py`` measured a 5-fold
# cross-validated R² of -0.31 on the diabetes data.)
pipeline = make_pipeline(StandardScaler(), SimpleMLPRegressor(random_state=0))
param_grid = {
    "simplemlpregressor__hidden_layer_sizes": [(10,), (20, 20)],
    "simplemlpregressor__alpha": [1.0, 3.0, 10.0],
}
search = GridSearchCV(pipeline, param_grid, cv=3)
search.fit(X_train, y_train)

print(f"Best parameters: {search.best_params_}")
print(f"Best cross-validated R²: {search.best_score_:.3f}")
print(f"Held-out R² of the best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# Every candidate
# ---------------
# ``cv_results_`` holds the score of each candidate on each fold. Each fold
# trains on two thirds of the training rows; where the mean scores of two
# candidates differ by less than their standard deviations across folds, the
# ranking between them is not to be trusted.
results = search.cv_results_
print("mean R²  std    hidden_layer_sizes  alpha")
for params, mean, std in zip(
    results["params"], results["mean_test_score"], results["std_test_score"]
):
    print(
        f"{mean:7.3f}  {std:.3f}  "
        f"{params['simplemlpregressor__hidden_layer_sizes']!s:18}  "
        f"{params['simplemlpregressor__alpha']}"
    )

# %%
# A linear baseline
# -----------------
# A network is only worth its cost if it beats a simpler model. Ordinary
# least squares on the same split:
linear = make_pipeline(StandardScaler(), LinearRegression()).fit(X_train, y_train)
print(f"Held-out R² of linear regression: {linear.score(X_test, y_test):.3f}")

# %%
# The response in the diabetes data is close to linear in these features,
# with much noise left over: no flexible model can do much better than the
# linear one here, and a network that merely matches it is doing its job. A
# network pays off on curved responses, such as
# :func:`~sklearn.datasets.make_friedman1` in the other examples.
#
# The fitted network
# ------------------
# ``best_estimator_`` is the best pipeline refitted on all training rows; its
# last step is the network, with the attributes ``MLPRegressor`` users know.
network = search.best_estimator_[-1]
print(f"Solver used: {network.solver_}, iterations: {network.n_iter_}")
print(f"Weight shapes: {[coef.shape for coef in network.coefs_]}")

# %%
# Predicted against actual
# ------------------------
# :class:`~sklearn.metrics.PredictionErrorDisplay` works with any regressor.
# Points on the diagonal are exact predictions. The predictions span a
# narrower range than the targets: with this much unexplained noise, a model
# that minimises the squared error hedges towards the mean.
fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
PredictionErrorDisplay.from_estimator(
    search.best_estimator_,
    X_test,
    y_test,
    kind="actual_vs_predicted",
    ax=ax,
    scatter_kwargs={"alpha": 0.6},
)
ax.set_title("Held-out diabetes rows")
plt.show()
