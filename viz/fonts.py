"""A font for the text of PNG and PDF pictures, with nothing installed but Python packages.

Graphviz (bundled in pygraphviz) finds fonts through fontconfig. A fresh machine may have no
font at all, and then every letter of a PNG renders as an empty box. matplotlib's wheel ships
DejaVu Sans, so fontconfig is pointed at that folder while Graphviz starts up. The system's
own configuration comes after it, if there is one: its fonts are the fallbacks for letters
DejaVu lacks (CJK, emoji), while DejaVu stays first for the rest. A user who sets
FONTCONFIG_FILE keeps their own configuration.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

_CONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  <include ignore_missing="yes">{system}</include>
</fontconfig>
"""

SYSTEM_CONFIG = "/etc/fonts/fonts.conf"  # fontconfig's own default; absent on a machine with no fonts


def bundled_font_folder():
    """The folder of TrueType fonts inside the installed matplotlib (DejaVu Sans among them)."""
    import matplotlib
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _config_file():
    folder = Path(tempfile.gettempdir()) / f"tracegrad-fontconfig-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    config = folder / "fonts.conf"
    text = _CONFIG.format(fonts=escape(str(bundled_font_folder())), cache=escape(str(folder / "cache")),
                          system=escape(SYSTEM_CONFIG))
    if not config.exists() or config.read_text(encoding="utf-8") != text:
        config.write_text(text, encoding="utf-8")
    return config


@contextmanager
def bundled_font():
    """Within this block, fontconfig (read once, when Graphviz first renders) sees the bundled fonts."""
    if "FONTCONFIG_FILE" in os.environ:
        yield
        return
    os.environ["FONTCONFIG_FILE"] = str(_config_file())
    try:
        yield
    finally:
        del os.environ["FONTCONFIG_FILE"]
