"""`python -m viz` / `tracegrad-viz`: pictures and the stepper for a user's script or module."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import viz.cli

ROOT_SCRIPT = """
from autograd import Value
x = Value(3.0, label="x")
w = Value(-0.5, label="w")
root = (w * x).tanh()
root.label = "y"
"""

BUILD_SCRIPT = """
import autograd
from autograd import Value

def build():
    xs = [Value(1.0, label="x_1"), Value(2.0, label="x_2")]
    z = autograd.dot([Value(0.5, label="w(2)_1,1"), Value(-1.0, label="w(2)_1,2")], xs, Value(0.1, label="b(2)_1"))
    z.label = "z(2)_1"
    a = z.sigmoid()
    a.label = "a(2)_1"
    return a

if __name__ == "__main__":
    raise SystemExit("the script's main block must not run under viz")
"""

BIG_SCRIPT = """
import autograd
from autograd import Value

def build():
    xs = [Value(0.1 * k, label=f"x_{k}") for k in range(1, 9)]
    layer = []
    for j in range(1, 21):
        ws = [Value(0.01 * (j - k), label=f"w(2)_{j},{k}") for k in range(1, 9)]
        z = autograd.dot(ws, xs, Value(0.0, label=f"b(2)_{j}"))
        z.label = f"z(2)_{j}"
        layer.append(z.tanh())
    return autograd.sum(layer)
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_script_defining_root_gets_its_picture_and_stepper(tmp_path, capsys):
    script = write(tmp_path, "mine.py", ROOT_SCRIPT)
    out = tmp_path / "out"
    assert viz.cli.main([str(script), "-o", str(out)]) == 0
    assert (out / "mine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "mine.svg").read_text(encoding="utf-8")
    assert ">y<" in svg and ">x<" in svg and ">?<" not in svg  # gradients are computed for the picture
    assert "tg-data" in (out / "mine_stepper.html").read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out


def test_a_script_with_build_is_run_without_its_main_block(tmp_path):
    script = write(tmp_path, "net.py", BUILD_SCRIPT)
    out = tmp_path / "o"
    assert viz.cli.main([str(script), "-o", str(out), "--frames", "svg", "--no-stepper"]) == 0
    assert (out / "net.svg").exists() and not (out / "net_stepper.html").exists()
    assert len(list((out / "net_frames").glob("step_*.svg"))) == 1 + 7 + 1  # forward, one per value, the δ of layer 2


def test_a_module_name_is_imported(tmp_path, monkeypatch):
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(package, "network.py", BUILD_SCRIPT)
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "out"
    assert viz.cli.main(["mypkg.network", "-o", str(out), "--collapse", "neuron"]) == 0
    assert "neuron (2)_1" in (out / "network.svg").read_text(encoding="utf-8")


def test_a_graph_too_big_is_collapsed_and_said_so(tmp_path, capsys):
    script = write(tmp_path, "big.py", BIG_SCRIPT)
    out = tmp_path / "out"
    assert viz.cli.main([str(script), "-o", str(out), "--max-nodes", "120"]) == 0
    assert "collapse='neuron'" in capsys.readouterr().out
    assert "neuron (2)_20" in (out / "big.svg").read_text(encoding="utf-8")


def test_bad_targets_fail_with_a_message_naming_them(tmp_path, capsys):
    empty = write(tmp_path, "empty.py", "x = 1\n")
    wrong = write(tmp_path, "wrong.py", "root = 3.0\n")
    assert viz.cli.main([str(empty), str(wrong), str(tmp_path / "missing.py"), "-o", str(tmp_path)]) == 1
    errors = capsys.readouterr().err
    assert "empty.py defines neither build() nor root" in errors
    assert "wrong.py: root is float" in errors
    assert "missing.py" in errors
    with pytest.raises(SystemExit):
        viz.cli.main([])


def test_demo_targets_follow_the_convention():
    for target in viz.cli.demo_targets():
        assert target.startswith("demos.")
        assert isinstance(viz.cli.load_root(target), viz.cli.autograd.Value)


def test_python_dash_m_viz_runs(tmp_path):
    script = write(tmp_path, "mine.py", ROOT_SCRIPT)
    result = subprocess.run([sys.executable, "-m", "viz", str(script), "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "mine_stepper.html").exists()
    assert "Fontconfig" not in result.stderr


def test_a_script_can_import_the_modules_beside_it(tmp_path, capsys):
    write(tmp_path, "helper.py", "from autograd import Value\n\ndef make():\n    return Value(2.0, label='h') * 3\n")
    script = write(tmp_path, "main.py", "from helper import make\n\ndef build():\n    return make()\n")
    assert viz.cli.main([str(script), "-o", str(tmp_path / "out"), "--no-stepper"]) == 0
    assert (tmp_path / "out" / "main.svg").exists()
    assert str(tmp_path) not in sys.path  # the script's folder is not left behind


def test_an_arithmetic_error_in_the_script_is_reported_and_the_other_targets_still_render(tmp_path, capsys):
    bad = write(tmp_path, "bad.py", "from autograd import Value\n\ndef build():\n    return 1 / Value(0.0)\n")
    good = write(tmp_path, "good.py", ROOT_SCRIPT)
    assert viz.cli.main([str(bad), str(good), "-o", str(tmp_path / "out"), "--no-stepper"]) == 1
    assert "bad.py: /: division by zero" in capsys.readouterr().err
    assert (tmp_path / "out" / "good.svg").exists()


def test_frames_are_counted_right_without_the_stepper_page(tmp_path, capsys):
    script = write(tmp_path, "mine.py", ROOT_SCRIPT)
    viz.cli.main([str(script), "-o", str(tmp_path / "out"), "--no-stepper", "--frames", "svg"])
    frames = sorted((tmp_path / "out" / "mine_frames").glob("*.svg"))
    assert f"wrote {len(frames)} frames" in capsys.readouterr().out


def test_a_picture_too_long_to_read_is_drawn_collapsed_instead(tmp_path, capsys):
    # digits-sized: 64 inputs and 32 neurons pass the node limit folded by neuron, but the
    # picture would be metres long; the command falls back to one box per layer
    script = write(tmp_path, "wide.py", """
        import autograd
        from autograd import Value

        def build():
            a = [Value(0.0, label=f"x_{k}") for k in range(1, 65)]
            for l, width in ((2, 32), (3, 10)):
                a = [autograd.dot([Value(0.01, label=f"w({l})_{j},{k}") for k in range(1, len(a) + 1)], a,
                                  Value(0.0, label=f"b({l})_{j}")).sigmoid() for j in range(1, width + 1)]
            return autograd.sum(a)
        """)
    viz.cli.main([str(script), "-o", str(tmp_path / "out"), "--no-stepper"])
    assert "collapse='layer'" in capsys.readouterr().out
    assert viz.cli._longest_side_points((tmp_path / "out" / "wide.svg").read_text()) <= viz.cli.MAX_PICTURE_POINTS


ROLES_SCRIPT = """
from autograd import Value

w, x, y = Value(0.5, label="w"), Value(2.0, label="x"), Value(1.0, label="y")

def build():
    cost = (y - w * x) ** 2
    cost.label = "C"
    return cost

def viz_roles(root):
    return {"parameters": [w], "constants": [y]}
"""


def test_a_script_can_say_which_leaves_are_parameters_and_constants(tmp_path):
    script = write(tmp_path, "roles.py", ROLES_SCRIPT)
    out = tmp_path / "out"
    assert viz.cli.main([str(script), "-o", str(out)]) == 0
    svg = (out / "roles.svg").read_text(encoding="utf-8")
    assert svg.count(">parameter<") == 1 and svg.count(">constant<") == 1 and svg.count(">input<") == 1
    html = (out / "roles_stepper.html").read_text(encoding="utf-8")
    assert "∂C/∂y" not in html and "∂C/∂w" in html  # a constant gets no step
    bad = write(tmp_path, "bad.py", ROLES_SCRIPT.replace('"constants"', '"consts"'))
    assert viz.cli.main([str(bad), "-o", str(out)]) == 1


def test_a_graph_whose_backward_raises_still_gets_its_picture_and_stepper(tmp_path, capsys):
    """(-2) ** p: ∂/∂p = a^p ln a is not a real number. The stepper shows where backward fails;
    the command writes it (and the picture, with the gradients computed before), then says so."""
    script = write(tmp_path, "powerr.py", "from autograd import Value\n\ndef build():\n"
                                          "    return Value(-2.0, label='a') ** Value(3.0, label='p')\n")
    out = tmp_path / "out"
    assert viz.cli.main([str(script), "-o", str(out)]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["powerr.png", "powerr.svg", "powerr_stepper.html"]
    error = capsys.readouterr().err
    assert "powerr.py: backward failed" in error and "∂out/∂p is undefined here" in error
    assert "Backward stops here" in (out / "powerr_stepper.html").read_text(encoding="utf-8")
    svg = (out / "powerr.svg").read_text(encoding="utf-8")
    assert ">?<" in svg and ">1<" in svg  # the seed ∂out/∂out = 1 is known, p's gradient is not


@pytest.mark.parametrize("option, value, message", [
    ("--digits", "0", "argument --digits: expected an int from 1 to 17, got 0"),
    ("--digits", "18", "argument --digits: expected an int from 1 to 17, got 18"),
    ("--digits", "four", "argument --digits: expected an int from 1 to 17, got 'four'"),
    ("--max-nodes", "0", "argument --max-nodes: expected an int >= 1, got 0"),
])
def test_a_bad_option_is_refused_by_name_before_the_script_runs(tmp_path, capsys, option, value, message):
    ran = tmp_path / "ran"
    script = write(tmp_path, "mine.py", ROOT_SCRIPT + f"\nopen({str(ran)!r}, 'w').close()\n")
    with pytest.raises(SystemExit) as exited:
        viz.cli.main([str(script), "-o", str(tmp_path / "out"), option, value])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert not ran.exists()  # refused before the user's script ran


def test_any_error_of_a_users_script_is_named_and_the_other_targets_still_render(tmp_path, capsys):
    bad = write(tmp_path, "raising.py", "def build():\n    raise RuntimeError('my own bug')\n")
    good = write(tmp_path, "good.py", ROOT_SCRIPT)
    assert viz.cli.main([str(bad), str(good), "-o", str(tmp_path / "out"), "--no-stepper"]) == 1
    assert "raising.py: RuntimeError: my own bug" in capsys.readouterr().err
    assert (tmp_path / "out" / "good.svg").exists()


@pytest.mark.parametrize("source, when", [
    ("import sys\nsys.exit(2)\n", "sys.exit(2) while viz ran it"),
    ("import sys\n\ndef build():\n    sys.exit('usage: mine.py N')\n", "sys.exit('usage: mine.py N') in build()"),
])
def test_a_script_calling_sys_exit_is_named_and_the_other_targets_still_render(tmp_path, capsys, source, when):
    exiting = write(tmp_path, "exiting.py", source)
    good = write(tmp_path, "good.py", ROOT_SCRIPT)
    assert viz.cli.main([str(exiting), str(good), "-o", str(tmp_path / "out"), "--no-stepper"]) == 1
    error = capsys.readouterr().err
    assert f"exiting.py called {when}" in error and 'if __name__ == "__main__":' in error
    assert (tmp_path / "out" / "good.svg").exists()


def test_a_key_error_of_a_script_is_named_as_one(tmp_path, capsys):
    bad = write(tmp_path, "keys.py", "def build():\n    return {}['w1']\n")
    assert viz.cli.main([str(bad), "-o", str(tmp_path / "out"), "--no-stepper"]) == 1
    assert "keys.py: KeyError: 'w1'" in capsys.readouterr().err


def test_viz_roles_returning_no_dict_is_named(tmp_path, capsys):
    script = write(tmp_path, "roles.py", ROOT_SCRIPT + "\n\ndef viz_roles(root):\n    return None\n")
    assert viz.cli.main([str(script), "-o", str(tmp_path / "out"), "--no-stepper"]) == 1
    assert "roles.py: viz_roles() returned NoneType None; expected a dict" in capsys.readouterr().err


def test_two_targets_of_one_name_never_overwrite_each_others_files(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "model.py", ROOT_SCRIPT)
    second = write(tmp_path / "b", "model.py", ROOT_SCRIPT.replace("3.0", "7.0"))
    out = tmp_path / "out"
    assert viz.cli.main([str(first), str(second), str(first), "-o", str(out), "--no-stepper"]) == 1
    streams = capsys.readouterr()
    assert streams.out.count("model.svg") == 1  # the first, drawn once
    assert f"{second}: not drawn: its files would be named model.* as those of {first}" in streams.err
    svg = (out / "model.svg").read_text(encoding="utf-8")
    assert ">3<" in svg and ">7<" not in svg  # x as the first script has it
