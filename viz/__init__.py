"""Pictures of computation graphs, showing each node's data and gradient, and a step-by-step
backward stepper for the browser.

    import viz
    loss.backward()
    viz.draw(loss).save("loss.svg")          # or .png, .pdf, .dot; displays itself in Jupyter
    viz.stepper(loss, "backward.html")       # one offline page: Prev/Next through backprop
"""

from .dot import to_dot
from .pytorch import pytorch_graph, pytorch_stepper
from .render import MAX_NODES, Drawing, draw
from .stepper import stepper, stepper_frames
from .steps import Step, Term, backward_steps, gradients_after

__all__ = ["Drawing", "MAX_NODES", "Step", "Term", "backward_steps", "draw", "gradients_after",
           "stepper", "stepper_frames", "to_dot",
           "pytorch_graph", "pytorch_stepper"]
