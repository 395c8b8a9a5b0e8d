"""tracegrad's neural-net layer: neurons, layers and MLPs made of `autograd.Value`s.

    import nn
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss=nn.mse, epochs=200, lr=0.1, progress=False)
    model.predict(X)

Every number in a network is a Value labelled in the notes' terms (w(l)_j,k, b(l)_j, z(l)_j,
a(l)_j), so a forward pass is a graph that can be drawn and checked. An example given as
numbers is data, as in PyTorch; `model(nn.inputs(x))` puts its inputs x_k in the graph too.

PyTorch's shapes work too, and build the same graph: nn.Sequential(nn.Linear(2, 4), nn.Tanh(),
nn.Linear(4, 1)), with nn.MSELoss() and friends; nn.to_torch / nn.from_torch move a model
across (torch is an optional extra: pip install 'tracegrad[torch]').
"""

from .activations import ACTIVATIONS, Activation, activation
from .classify import accuracy, predict
from .data import inputs
from .init import INITS
from .layers import MLP, Layer, Neuron
from .losses import (LOSSES, Loss, bce, bce_with_logits, cross_entropy, hinge, huber, l2, mae, mean_loss, mse,
                     nll, sse)
from .module import IncompatibleKeys, Module, Parameters, SizeMismatchError, StateDictError
from .optim import SGD, Adam, AdamW, Optimizer
from .persist import ModelFileError, load, save
from .record import Recording, RecordingThinnedWarning, Snapshot
from .train import History, OutputLossMismatchWarning, ScalarPath, StepActivationWarning, fit
from .torchlike import (ActivationModule, Identity, Linear, LinearActivation, ReLU, Sequential, Sigmoid,
                        Softmax, Step, Tanh)
from .torch_losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, SmoothL1Loss
from .bridge import from_torch, load_torch_state_dict, to_torch, torch_state_dict
from . import utils  # nn.utils.clip_grad_norm_, as torch.nn.utils

__all__ = [
    "ACTIVATIONS", "Activation", "activation", "INITS", "MLP", "Layer", "Neuron", "LOSSES", "Loss", "bce",
    "bce_with_logits", "cross_entropy", "hinge", "huber", "l2", "mae", "mean_loss", "mse", "nll", "sse", "IncompatibleKeys",
    "Module", "StateDictError", "SizeMismatchError", "SGD", "Adam", "AdamW", "Optimizer", "ModelFileError", "load", "save", "History",
    "OutputLossMismatchWarning", "Recording", "RecordingThinnedWarning", "ScalarPath", "Snapshot",
    "StepActivationWarning", "accuracy", "fit", "inputs", "predict",
    # PyTorch-shaped (nn.torchlike, nn.torch_losses) and the bridge to torch (nn.bridge)
    "ActivationModule", "Identity", "Linear", "LinearActivation", "ReLU", "Sequential", "Sigmoid", "Softmax",
    "Step", "Tanh", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "L1Loss", "MSELoss", "SmoothL1Loss", "Parameters",
    "from_torch", "load_torch_state_dict", "to_torch", "torch_state_dict", "utils",
]
