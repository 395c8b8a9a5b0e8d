"""The main job (placeholder until the tour lands): one neuron, backward, every node printed."""

import autograd
from autograd import Value


def main():
    x = [Value(2.0, label="x1"), Value(-1.0, label="x2")]
    w = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    b = Value(6.8813735870195432, label="b")
    z = autograd.dot(w, x, b)
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    a.backward()
    for node in autograd.topological_order(a):
        print(f"{node.label or node.op:>4}  data={node.data: .4f}  grad={node.grad: .4f}")


if __name__ == "__main__":
    main()
