"""Multi-layer perceptrons."""

from torch import nn


class MLP(nn.Sequential):
    """Linear layers of the given widths with an activation between them (none after the last).

    Parameters
    ----------
    n_inputs : int
        Width of the input rows.
    hidden_layer_sizes : tuple of int
        Widths of the hidden layers, as in scikit-learn's ``MLPClassifier``.
    n_outputs : int
        Width of the output rows.
    activation : type of torch.nn.Module, default=torch.nn.ReLU
        Activation after each hidden layer.
    """

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation=nn.ReLU):
        widths = [n_inputs, *hidden_layer_sizes]
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(n_in, n_out), activation()]
        layers.append(nn.Linear(widths[-1], n_outputs))
        super().__init__(*layers)
