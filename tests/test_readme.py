"""The README's Python examples run as written, and print what the README says they print."""

import contextlib
import io
import os
import re
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks():
    """Each ```python block, with the plain ``` block that follows it (its shown output), if any."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```\n(?:\n```\n(.*?)```)?", text, re.S)


def test_the_readme_examples_run_in_order_and_print_what_they_show(tmp_path):
    namespace = {}
    here = os.getcwd()
    os.chdir(tmp_path)  # the examples write files
    try:
        for code, shown in python_blocks():
            if code.startswith("Op("):  # an excerpt of the derivative table, not a program
                continue
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(textwrap.dedent(code), "README.md", "exec"), namespace)  # a block in a list is indented
            for line in code.splitlines():  # print(...)  # expected output
                if line.startswith("print(") and "# 0." in line:
                    assert printed.getvalue().strip() == line.split("# ", 1)[1].strip()
            if shown:
                assert printed.getvalue().strip() == shown.strip()
    finally:
        os.chdir(here)
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "backward.html").exists() and (tmp_path / "moons.json").exists()
