"""PNG text is set in a font that ships with the Python packages, so a machine with no
system font at all still gets readable pictures (not rows of empty boxes)."""

import os
import subprocess
import sys

from viz.fonts import bundled_font_folder

RENDER = """
import sys, autograd, viz
x = autograd.Value(2.0, label="x1")
y = (x * x).tanh()
y.label = "out"
y.backward()
sys.stdout.buffer.write(viz.draw(y).png())
"""

FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>{dirs}<cachedir>{cache}</cachedir></fontconfig>
"""


def png_rendered_with(fontconfig_file=None):
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    if fontconfig_file is not None:
        env["FONTCONFIG_FILE"] = str(fontconfig_file)
    done = subprocess.run([sys.executable, "-c", RENDER], env=env, capture_output=True, check=True)
    return done.stdout


def write_config(path, folders, cache):
    dirs = "".join(f"<dir>{folder}</dir>" for folder in folders)
    path.write_text(FONTCONFIG.format(dirs=dirs, cache=cache), encoding="utf-8")
    return path


def test_the_bundled_font_folder_holds_dejavu_sans():
    assert (bundled_font_folder() / "DejaVuSans.ttf").is_file()


def test_png_text_uses_the_bundled_font_not_whatever_the_system_has(tmp_path):
    no_fonts = write_config(tmp_path / "none.conf", [tmp_path / "no-such-folder"], tmp_path / "c1")
    only_bundled = write_config(tmp_path / "bundled.conf", [bundled_font_folder()], tmp_path / "c2")

    default = png_rendered_with(None)
    assert default.startswith(b"\x89PNG\r\n\x1a\n")
    assert default == png_rendered_with(only_bundled), "the default render should use the bundled font"
    assert default != png_rendered_with(no_fonts), "with no font, text would be empty boxes"


def test_the_systems_fonts_come_after_the_bundled_ones_as_fallbacks(tmp_path):
    """CJK or emoji labels need a font DejaVu lacks: the generated configuration lists the
    bundled folder first, then includes the system's (if any), so DejaVu still sets the text."""
    import xml.etree.ElementTree as ET
    from viz import fonts
    config = ET.parse(fonts._config_file()).getroot()
    assert [child.tag for child in config] == ["dir", "cachedir", "include"]
    assert config.find("dir").text == str(bundled_font_folder())
    include = config.find("include")
    assert include.text == "/etc/fonts/fonts.conf" and include.get("ignore_missing") == "yes"
    # a machine without a system configuration: the include is skipped, the bundled font still used
    missing = (fonts._CONFIG.format(fonts=bundled_font_folder(), cache=tmp_path / "c3",
                                    system=tmp_path / "no-such-fonts.conf"))
    (tmp_path / "missing.conf").write_text(missing, encoding="utf-8")
    only_bundled = write_config(tmp_path / "bundled.conf", [bundled_font_folder()], tmp_path / "c2")
    assert png_rendered_with(tmp_path / "missing.conf") == png_rendered_with(only_bundled)
