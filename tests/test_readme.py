"""The README's Python examples run as written, and print what the README says they print."""

import contextlib
import io
import os
import re
import textwrap
from pathlib import Path

from tests.support import require_torch

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks():
    """Each ```python block, with the plain ``` block that follows it (its shown output), if any."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```\n(?:\n```\n(.*?)```)?", text, re.S)


def needs_torch(code):
    """A block of the section "Moving to PyTorch": torch is an optional extra (see its own test)."""
    return "import torch" in code


def run_blocks(blocks, tmp_path):
    namespace = {}
    here = os.getcwd()
    os.chdir(tmp_path)  # the examples write files
    try:
        for code, shown in blocks:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(textwrap.dedent(code), "README.md", "exec"), namespace)  # a block in a list is indented
            for line in code.splitlines():  # print(...)  # expected output, when it is numbers
                comment = line.split("# ", 1)[1].strip() if "# " in line else ""
                if line.strip().startswith("print(") and re.fullmatch(r"[-+0-9.e ]+", comment):
                    assert printed.getvalue().strip() == comment
            if shown:
                assert printed.getvalue().strip() == shown.strip()
    finally:
        os.chdir(here)


def test_the_readme_examples_run_in_order_and_print_what_they_show(tmp_path):
    # the derivative table's excerpt (Op(...)) is not a program
    run_blocks([(code, shown) for code, shown in python_blocks()
                if not code.startswith("Op(") and not needs_torch(code)], tmp_path)
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "backward.html").exists() and (tmp_path / "moons.json").exists()


def test_the_readme_pytorch_examples_run_and_print_what_they_show(tmp_path):
    require_torch()
    blocks = [(code, shown) for code, shown in python_blocks() if needs_torch(code)]
    assert blocks, "the README's section 'Moving to PyTorch' has no example"
    run_blocks(blocks, tmp_path)
    page = (tmp_path / "pytorch_backward.html").read_text(encoding="utf-8")
    assert "PyTorch" in page
