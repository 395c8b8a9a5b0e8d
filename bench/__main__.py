"""`make bench`: every benchmark, side by side against its peers, in one run."""

import importlib

MODULES = ["bench.engine", "bench.nn_mlp", "bench.fast"]


def main():
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            print(f"\n{name}: not available ({missing})")
            continue
        module.main()


if __name__ == "__main__":
    main()
