"""What every demo shares: the command line (--out, --quick), the output folder, matplotlib."""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # pictures go to files; no display is needed (or available in CI)
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

DEFAULT_OUT = Path("out")


def parser(module, description):
    """An argument parser with the options every demo takes; `module` is the demo's module path."""
    p = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for pictures (default ./out)")
    p.add_argument("--quick", action="store_true", help="a small, fast run (what the tests use)")
    return p


def output_dir(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def save(figure, out, name):
    """Write a matplotlib figure as out/name and return the path."""
    path = output_dir(out) / name
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path
