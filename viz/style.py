"""How a picture looks: number format, role colours, fonts. No graph logic here."""

FONT = "DejaVu Sans"  # fonts-dejavu-core on Debian/Ubuntu; Graphviz falls back if absent

# Okabe-Ito tints (colour-blind safe); the role is also written in the box, so colour is a hint.
ROLE_COLOURS = {
    "input": "#cfe8f7",        # sky blue
    "parameter": "#fbe3b6",    # orange
    "constant": "#eeeeee",     # grey
    "intermediate": "#ffffff",
    "output": "#c6ead9",       # bluish green
}
DATA_COLOUR = ROLE_COLOURS["input"]  # data x are the network's inputs, kept out of the graph
OP_COLOUR = "#f4f4f4"
HIGHLIGHT = "#d55e00"  # vermillion: the stepper's current node
HIGHLIGHT_FILL = "#f9c9a5"  # its light tint, behind dark text

EDGE_NOTE = "The number on each edge is the local derivative ∂out/∂in of the op it enters."

UNKNOWN = "?"  # a gradient not computed yet: never shown as 0.0


def compact(number, digits=4):
    """`number` with `digits` significant digits, e.g. 0.7071, -3, 1.235e+06."""
    if number is None:
        return UNKNOWN
    if number == 0:
        return "0"  # also for -0.0, which says nothing a learner needs
    return f"{number:.{digits}g}"
