"""
Checking the gradient against finite differences
================================================

Every solver moves the weights along the gradient that backpropagation
computes. A mistake in the backward pass, such as a missing derivative or a
transposed matrix, rarely makes training fail outright: the network still
learns, only worse. The reliable way to catch such a mistake is to compare
the analytic gradient with a numerical one.

The numerical gradient needs no calculus. Nudge one parameter ``p_i`` by a
tiny ``h``, recompute the loss, and take the slope::

    dL/dp_i  ~  (L(p + h e_i) - L(p)) / h

This example does that for every parameter of a small network, with each
hidden activation, using :func:`scipy.optimize.approx_fprime` and
:func:`scipy.optimize.check_grad`.

The network math lives in ``sknn_simple._network`` and the training
objective, which adds the L2 penalty, in ``sknn_simple._objective``, private
modules: the estimator is the public
interface, and these modules may change between versions. They are used
here because they expose the loss and its gradient as plain functions of
one flat parameter vector, which is exactly what the finite-difference
tools expect.
"""

# %%
# A small network and data
# ------------------------
# Four inputs, hidden layers of 5 and 3 units and one linear output: 38
# weights and 9 biases. The weights start from the library's initialisation and are
# then perturbed, so that the check does not happen to run at a special
# point. The loss includes an L2 penalty (``alpha``), whose gradient must be
# right too: the network computes the data term, and an ``Objective`` (one per
# fit, the same for every solver) adds the penalty's value and gradient, as
# training does.
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import approx_fprime, check_grad

from sknn_simple._network import Network
from sknn_simple._objective import Objective

rng = np.random.RandomState(0)
X = rng.normal(size=(20, 4))
Y = rng.normal(size=(20, 1))
alpha = 0.1
layer_sizes = (4, 5, 3, 1)
activations = ["identity", "logistic", "tanh", "relu"]


def objective(network):
    """The fit's objective: its penalty is alpha over the weight of all the
    rows (here 20)."""
    return Objective(network, alpha, weight_sum=len(Y))


def loss(params, network):
    return network.loss(params, X, Y) + objective(network).penalty(params)


def gradient(params, network):
    grad = network.loss_and_gradient(params, X, Y)[1]
    objective(network).add_penalty_gradient(params, grad)
    return grad


def parameter_names(network):
    """A label per entry of the flat vector: which matrix or bias it is in."""
    coefs, intercepts = network.unpack(np.zeros(network.n_params))
    names = [f"W{layer}" for layer, coef in enumerate(coefs) for _ in range(coef.size)]
    names += [
        f"b{layer}" for layer, bias in enumerate(intercepts) for _ in range(bias.size)
    ]
    return np.array(names)


# %%
# Analytic against numeric
# ------------------------
# For each hidden activation: the analytic gradient from
# ``Network.loss_and_gradient`` and ``Objective.add_penalty_gradient``, the
# forward-difference gradient from
# ``approx_fprime`` with its default step (about ``1.5e-8``, the square root
# of the float64 precision), and ``check_grad``, which returns the Euclidean
# norm of their difference. Dividing that norm by the norm of the gradient
# gives a relative error. Forward differences are accurate to roughly the
# step size, so a relative error near ``1e-7`` means agreement; a mistake
# shows up orders of magnitude larger, as the last section shows.
step = np.sqrt(np.finfo(float).eps)
results = {}
print(f"{'activation':10}  parameters  relative error  largest |difference|")
for activation in activations:
    network = Network(layer_sizes, activation, "identity")
    params = network.initialize(rng) + 0.3 * rng.normal(size=network.n_params)
    analytic = gradient(params, network)
    numeric = approx_fprime(params, loss, step, network)
    error = check_grad(loss, gradient, params, network, epsilon=step)
    relative = error / np.linalg.norm(analytic)
    results[activation] = (params, analytic, numeric)
    print(
        f"{activation:10}  {network.n_params:10}  {relative:14.1e}  "
        f"{np.abs(analytic - numeric).max():20.1e}"
    )

# %%
# ``relu`` has a kink at 0, where its derivative jumps. A finite difference
# that straddles a kink disagrees with the analytic gradient without any
# bug, so the check is only meaningful when every hidden unit's input is
# much farther from 0 than ``step``. It is here:
relu = Network(layer_sizes, "relu", "identity")
coefs, intercepts = relu.unpack(results["relu"][0])
layer_input, closest = X, np.inf
for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
    pre_activation = layer_input @ coef + intercept
    closest = min(closest, np.abs(pre_activation).min())
    layer_input = np.maximum(pre_activation, 0)
print(f"Smallest |input| of a relu unit: {closest:.1e}, step: {step:.1e}")

# %%
# One point per parameter
# -----------------------
# Top row: each dot is one parameter, its analytic partial derivative on the
# x axis and the finite-difference estimate on the y axis. All lie on the
# diagonal. Bottom row: how far apart the two are, parameter by parameter
# (weights first, then biases, in the order of the flat vector). The
# differences stay at a few times ``1e-8`` and below (the last column of the
# table above), the size of the error of forward differences with this step.
fig, axes = plt.subplots(2, len(activations), figsize=(12, 6), layout="constrained")
names = parameter_names(Network(layer_sizes, "identity", "identity"))
is_weight = np.char.startswith(names, "W")
for (ax_top, ax_bottom), (activation, (_, analytic, numeric)) in zip(
    axes.T, results.items()
):
    low, high = analytic.min(), analytic.max()
    ax_top.plot([low, high], [low, high], color="lightgray", zorder=0)
    ax_top.scatter(analytic[is_weight], numeric[is_weight], s=12, label="weights")
    ax_top.scatter(analytic[~is_weight], numeric[~is_weight], s=12, label="biases")
    ax_top.set(title=activation, xlabel="analytic")
    difference = np.abs(analytic - numeric)
    ax_bottom.semilogy(np.flatnonzero(is_weight), difference[is_weight], ".")
    ax_bottom.semilogy(np.flatnonzero(~is_weight), difference[~is_weight], ".")
    ax_bottom.set(xlabel="parameter index", ylim=(1e-12, 1e-6))
axes[0, 0].set_ylabel("finite differences")
axes[1, 0].set_ylabel("|analytic - numeric|")
axes[0, 0].legend()

# %%
# What a bug looks like
# ---------------------
# To see that the check notices a mistake, compare the loss with a gradient
# that forgets the L2 penalty, an easy term to drop. Each weight's partial
# derivative is then off by ``alpha / n_samples * w``: small next to the
# gradient itself, but far above the finite-difference error. The biases,
# which the penalty does not touch, stay right.
network = Network(layer_sizes, "logistic", "identity")
params, correct, numeric = results["logistic"]


def gradient_without_penalty(params, network):
    return network.loss_and_gradient(params, X, Y)[1]  # the data term's alone


wrong = gradient_without_penalty(params, network)
error = check_grad(loss, gradient_without_penalty, params, network, epsilon=step)
print(f"Relative error without the penalty term: {error / np.linalg.norm(wrong):.1e}")

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
index = np.arange(network.n_params)
ax.semilogy(index, np.abs(correct - numeric), ".", label="correct gradient")
ax.semilogy(index, np.abs(wrong - numeric), "x", label="penalty forgotten")
ax.axvline(is_weight.sum() - 0.5, color="gray", linestyle=":")
ax.text(is_weight.sum(), 1e-4, " biases")
ax.set(
    xlabel="parameter index",
    ylabel="|analytic - numeric|",
    title="Logistic network: a dropped term stands out",
)
ax.legend(loc="lower left")
