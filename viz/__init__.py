"""Pictures of computation graphs, showing each node's data and gradient, and a step-by-step
backward stepper for the browser and for Jupyter.

    import viz
    loss.backward()
    viz.draw(loss).save("loss.svg")          # or .png, .pdf, .dot; displays itself in Jupyter
    viz.stepper(loss)                        # in Jupyter: the interactive stepper, inline
    viz.stepper(loss, "backward.html")       # one offline page: Prev/Next through backprop
    viz.stepper(loss, parameters=model, reference=torch_grads)   # beside PyTorch's gradients
    viz.training(history, X, y).save("training.html")   # replay nn.fit(..., record=True)
"""

from .dot import to_dot
from .page import HtmlPage
from .pytorch import pytorch_graph, pytorch_stepper
from .reference import Agreement, compare_gradients
from .render import MAX_NODES, Drawing, draw
from .scene import MAX_VALUES
from .stepper import StepperPage, stepper, stepper_frames
from .steps import Step, Term, backward_steps, gradients_after
from .training import TrainingPageThinnedWarning, training

__all__ = ["Agreement", "Drawing", "HtmlPage", "MAX_NODES", "MAX_VALUES", "Step", "StepperPage", "Term",
           "backward_steps", "compare_gradients", "draw", "gradients_after", "stepper", "stepper_frames",
           "to_dot", "pytorch_graph", "pytorch_stepper", "training", "TrainingPageThinnedWarning"]
