"""Largest relative error of the analytic gradient against finite differences.

Runs scipy.optimize.check_grad on the training objective (float64), the
data term of Network.loss_and_gradient plus the L2 penalty, as the fit's
_objective.Objective composes them (Objective.value_and_gradient; at
b0333ea, _training.objective_and_gradient with the fit's L2Penalty from
_penalty.py), for every hidden activation x output activation, with and
without sample weights and the L2 penalty, for 1 and 3 outputs, at random
parameter vectors, and prints the worst
``||analytic - numeric|| / ||analytic||``. The test suite
(tests/test_gradients.py) asserts the same quantity stays below 1e-6.

Run: python benchmarks/gradient_check.py
"""

import itertools

import numpy as np
from scipy.optimize import check_grad

from sknn_simple._activations import ACTIVATIONS, OUTPUT_RANGES
from sknn_simple._network import Network
from sknn_simple._objective import Objective
from sknn_simple._training import Dataset


def relative_gradient_error(activation, output_activation, weighted, alpha, n_outputs):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(7, 4))
    Y = 0.3 * rng.normal(size=(7, n_outputs))
    sample_weight = rng.uniform(0.5, 2, size=7) if weighted else None
    network = Network((4, 5, 3, n_outputs), activation, output_activation)
    params = network.initialize(rng) + 0.1 * rng.normal(size=network.n_params)
    data = Dataset(X, Y, sample_weight)
    objective = Objective.for_rows(network, alpha, data)

    def loss(p):
        return objective.value_and_gradient(p, data)[0]

    def gradient(p):
        return objective.value_and_gradient(p, data)[1]

    return check_grad(loss, gradient, params) / np.linalg.norm(gradient(params))


def main():
    cases = list(
        itertools.product(ACTIVATIONS, OUTPUT_RANGES, [False, True], [0.0, 0.3], [1, 3])
    )
    errors = [relative_gradient_error(*case) for case in cases]
    worst = int(np.argmax(errors))
    print(f"{len(cases)} cases; largest relative gradient error {errors[worst]:.2e}")
    print("  (activation, output, weighted, alpha, outputs) =", cases[worst])


if __name__ == "__main__":
    main()
