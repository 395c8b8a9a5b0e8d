"""`make bench`: every benchmark, side by side against its peers, in one run."""

import argparse
import importlib

MODULES = ["bench.engine", "bench.nn_mlp", "bench.fast", "bench.persist", "bench.training_page"]


def main(argv=None):
    argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0],
                            epilog="It runs, in turn: " + ", ".join(f"python -m {name}" for name in MODULES)
                            + " (each takes --help).").parse_args(argv)
    for name in MODULES:
        importlib.import_module(name).main([])  # each with its defaults, not this command line


if __name__ == "__main__":
    main()
