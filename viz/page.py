"""A self-contained HTML object: one page (style, script and data inside it, nothing fetched)
that shows itself inline in Jupyter and saves as one offline .html file.

Used by the backward stepper (`viz.stepper`) and by any other viz page. A fragment is one
<div> that carries its own <style> and <script>; every id in it starts with a prefix unique
to the object, so several fragments in one notebook never share an id or a variable. The
same fragment works in JupyterLab, Notebook 7, VS Code and nbconvert's HTML export (each
renders text/html output and runs its scripts; no server, no widget extension), and inside
a full page written by `.save(path)`.
"""

import os
import secrets
import tempfile
from importlib import resources
from pathlib import Path

from .escape import xml_text

_DOCUMENT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body class="tg-page">
{fragment}
</body>
</html>
"""


def resource(name):
    """The text of a file shipped inside the viz package (viz/resources/NAME)."""
    return resources.files("viz").joinpath("resources", name).read_text(encoding="utf-8")


def unique_id(prefix="tg"):
    """An id no other page object in this notebook or process has (random, 48 bits)."""
    return f"{prefix}-{secrets.token_hex(6)}"


class HtmlPage:
    """`fragment`: one self-contained <div> (its own style and script). Shows inline in
    Jupyter (`_repr_html_`); `.html` is the full page; `.save(path)` writes it."""

    def __init__(self, title, fragment):
        self.title = title
        self.fragment = fragment

    def __repr__(self):
        return f"<viz.{type(self).__name__} {self.title!r}: .save(path) writes the page; shows itself in Jupyter>"

    @property
    def html(self):
        return _DOCUMENT.format(title=xml_text(self.title), fragment=self.fragment)

    def _repr_html_(self):
        return self.fragment

    def save(self, path):
        """Write the page to `path` (atomically: a reader never sees half a file); return its Path."""
        path = Path(path)
        if path.is_dir():
            raise IsADirectoryError(f"viz: cannot save the page to {str(path)!r}: it is a directory")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(self.html)
            os.chmod(temporary, 0o644)  # mkstemp makes it private; a page is meant to be shared
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path
