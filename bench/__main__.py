"""`make bench`: every benchmark, side by side against its peers, in one run."""

import importlib

MODULES = ["bench.engine", "bench.nn_mlp", "bench.fast", "bench.persist", "bench.training_page"]


def main():
    for name in MODULES:
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
